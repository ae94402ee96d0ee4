import type { ReportRequest } from './report';
import { safeMessage } from './redact';

/**
 * Every error the engine raises. The CLI maps `exitCode` straight to its process exit status, so the class
 * of an error is part of the contract: usage/input 2, AWS or job 3, timeout 4.
 */
export abstract class AccessAdvisorError extends Error {
  abstract readonly exitCode: 2 | 3 | 4;
  constructor(message: string, options?: { cause?: unknown }) {
    // Every engine message may carry server text: redacted and on one line before anyone can print it.
    super(safeMessage(message), options);
    this.name = new.target.name;
  }
}

/** Input that breaks a documented constraint, caught before any call. */
export class InvalidRequestError extends AccessAdvisorError {
  readonly exitCode = 2;
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${field}: ${JSON.stringify(value)} is not allowed; expected ${allowed}`);
  }
}

/**
 * The job's `--job-id`/`jobId` does not belong to this request: another principal's job, another granularity, another
 * kind of report, or a job IAM does not know (expired, another session's). An input error: resuming it would label
 * someone else's evidence as this request's.
 */
export class JobMismatchError extends InvalidRequestError {
  constructor(
    readonly jobId: string,
    allowed: string,
    readonly awsCode?: string,
  ) {
    super('jobId', jobId, allowed);
  }
}

/** IAM answered an error (AccessDenied, NoSuchEntity, InvalidInput, throttling after retries, 5xx …). */
export class AwsRequestError extends AccessAdvisorError {
  readonly exitCode = 3;
  constructor(
    readonly operation: string,
    readonly awsCode: string,
    readonly awsMessage: string,
    readonly request?: ReportRequest,
    options?: { cause?: unknown; httpStatusCode?: number },
  ) {
    super(`${operation} failed: ${awsCode}: ${awsMessage}`, options);
    this.httpStatusCode = options?.httpStatusCode;
  }
  readonly httpStatusCode?: number;
}

/**
 * An answer that cannot be the complete report: a page that is not a valid COMPLETED page of the same job, a missing
 * required list or date, a repeated Marker, duplicate or nameless items, too many pages. Never a partial result:
 * the whole report is discarded, so no decision is ever taken on part of the evidence.
 */
export class IncompleteResponseError extends AccessAdvisorError {
  readonly exitCode = 3;
  readonly awsCode = 'IncompleteResponse';
  constructor(
    readonly operation: string,
    readonly jobId: string | undefined,
    readonly page: number,
    readonly detail: string,
    readonly request?: ReportRequest,
  ) {
    super(
      `${operation}${jobId ? ` of job ${jobId}` : ''}, page ${page}: ${detail.replace(/\s*[\r\n]+\s*/g, ' ')}; ` +
        'the report is incomplete and was discarded',
    );
  }
}

/** The job ended FAILED: carries IAM's Error/ErrorDetails code and message. */
export class JobFailedError extends AccessAdvisorError {
  readonly exitCode = 3;
  constructor(
    readonly jobId: string,
    readonly awsCode: string,
    readonly awsMessage: string,
    readonly request: ReportRequest,
  ) {
    super(`job ${jobId} FAILED: ${awsCode}: ${awsMessage}`);
  }
}

/** The total time ran out while the job was still running: resume it with `jobId`. */
export class JobTimeoutError extends AccessAdvisorError {
  readonly exitCode = 4;
  constructor(
    readonly jobId: string | undefined,
    readonly timeoutMs: number,
    readonly request: ReportRequest,
    /** Why no job could start, when IAM kept refusing (e.g. ReportGenerationLimitExceeded). */
    readonly lastRefusal?: string,
  ) {
    super(
      jobId && request.kind === 'organizations-access'
        ? `job ${jobId} did not complete within ${timeoutMs} ms; run again with a longer timeout (an Organizations job cannot be resumed: IAM's answer does not show whose job it is)`
        : jobId
        ? `job ${jobId} did not complete within ${timeoutMs} ms; resume it with jobId ${jobId}`
        : `no job could be started within ${timeoutMs} ms${lastRefusal ? `: ${lastRefusal}` : ''}`,
    );
  }
}

/** The caller's AbortSignal fired. */
export class AbortedError extends AccessAdvisorError {
  readonly exitCode = 4;
  constructor(
    readonly jobId: string | undefined,
    readonly request: ReportRequest,
  ) {
    super(jobId ? `aborted while waiting for job ${jobId}` : 'aborted before a job was started');
  }
}

import type { ReportRequest } from './report';
import { safeMessage } from './redact';

/**
 * What kind of failure an error is, in the words of the people who must act on it. A closed list: the CLI and the
 * plan-time program turn a kind into their process exit status (`src/cli/exit-codes.ts`), the sweep records it per
 * account and principal, and nothing below the CLI knows an exit status.
 *
 * - `input`: the request, a flag, a file or the local AWS setup breaks a documented rule; fix the input and retry.
 * - `aws`: AWS answered with an error (denied, no such entity, throttled after retries, the job ended FAILED).
 * - `evidence`: AWS answered, but the answer cannot be the complete report (a bad page, totals that do not add up);
 *   it was discarded, so no decision was taken on it.
 * - `timeout`: the wait ended before the job did (time ran out, or the caller aborted); the job may be resumed.
 * - `internal`: anything not raised as one of the above (a fault of the program itself, or of a dependency).
 */
export type ErrorKind = 'input' | 'aws' | 'evidence' | 'timeout' | 'internal';

/** Every kind, in the order above. */
export const ERROR_KINDS: readonly ErrorKind[] = ['input', 'aws', 'evidence', 'timeout', 'internal'];

/** The kind of any thrown value: an AccessAdvisorError's own, `internal` for anything else. */
export function errorKindOf(error: unknown): ErrorKind {
  return error instanceof AccessAdvisorError ? error.kind : 'internal';
}

/**
 * Every error the engine raises. Its `kind` says what failed (input, AWS, evidence, timeout); the CLI maps the kind
 * to its exit status, so the class of an error is part of the contract.
 */
export abstract class AccessAdvisorError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(message: string, options?: { cause?: unknown }) {
    // Every engine message may carry server text: redacted and on one line before anyone can print it.
    super(safeMessage(message), options);
    this.name = new.target.name;
  }
}

/** Input that breaks a documented constraint, caught before any call. */
export class InvalidRequestError extends AccessAdvisorError {
  readonly kind: ErrorKind = 'input';
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
  readonly kind: ErrorKind = 'aws';
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
  readonly kind: ErrorKind = 'evidence';
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
  readonly kind: ErrorKind = 'aws';
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
  readonly kind: ErrorKind = 'timeout';
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
  readonly kind: ErrorKind = 'timeout';
  constructor(
    readonly jobId: string | undefined,
    readonly request: ReportRequest,
  ) {
    super(jobId ? `aborted while waiting for job ${jobId}` : 'aborted before a job was started');
  }
}

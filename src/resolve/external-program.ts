import { runOrganizationsAccessReport, runServiceLastAccessedReport } from '../iam';
import type { ProgressEvent, ReportOptions } from '../iam';
import { AccessAdvisorError, errorKindOf, type ErrorKind } from '../model/errors';
import { describeRequest } from '../model/report';
import { redact } from '../model/redact';
import type { OrganizationsAccessReport, ReportRequest, ServiceLastAccessedReport } from '../model/report';
import type { UnusedPermissions } from '../analysis';
import { namesWithMore, toViolation, violationSummary, violationsByService, type Violation } from '../analysis/format';
import { judgeReport, verdictOf } from '../analysis/gate';
import { PROGRESS_ENV, interpretQuery, parseQueryText } from './external-protocol';
import type { ExternalQuery, OrganizationsResultKey, ServiceResultKey } from './external-protocol';

/**
 * The plan-time program: Terraform's `external` data source protocol around the engine.
 *
 * stdin: one JSON object of strings (the query). Success: a flat JSON object of strings on stdout, nothing on
 * stderr unless progress was asked for. Failure: exit status ≠ 0, exactly one line on stderr naming the request
 * and the error, nothing on stdout (Terraform ignores stdout then, but a clean stream is easier to reason about).
 */

export { PROGRESS_ENV } from './external-protocol';

/** Extra time beyond the query's timeout before the program gives up on a hung engine call. */
const HARD_STOP_GRACE_MS = 5_000;

export interface ExternalProgramEnvironment {
  /** The environment Terraform passed through (default: process.env). Only PROGRESS_ENV is read here. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where progress lines go when progress is on (default: nowhere). */
  readonly writeProgress?: (line: string) => void;
  /** The reference time for "unused for N days" (default: now). */
  readonly now?: () => Date;
}

/**
 * What the program answers. The exit status is the process entry's business (`src/cli/external-main.ts` maps
 * `errorKind` through the CLI's exit codes); here a failure only says what kind it is.
 */
export interface ExternalProgramOutcome {
  /** Absent on success; on failure, what kind of failure (input, aws, evidence, timeout, internal). */
  readonly errorKind?: ErrorKind;
  /** The JSON object on success, '' on failure. */
  readonly stdout: string;
  /** '' on success, one line (with its newline) on failure. */
  readonly stderr: string;
}

/** Runs one query end to end; never throws. */
export async function runExternalProgram(
  stdinText: string,
  environment: ExternalProgramEnvironment = {},
): Promise<ExternalProgramOutcome> {
  let query: ExternalQuery;
  try {
    query = interpretQuery(parseQueryText(stdinText));
  } catch (error) {
    return failure('input', `invalid query: ${messageOf(error)}`, environment.env ?? process.env);
  }

  const env = environment.env ?? process.env;
  const progressOn = query.progress || /^(1|true|yes)$/i.test(env[PROGRESS_ENV] ?? '');
  const writeProgress = progressOn && environment.writeProgress ? environment.writeProgress : undefined;
  const requestName = describeRequest(query.request);

  try {
    const result = await withHardStop(query, (signal) => {
      const options: ReportOptions = {
        ...query.connection,
        timeoutMs: query.timeoutMs,
        signal,
        ...(writeProgress ? { onProgress: (event: ProgressEvent) => writeProgress(progressLine(event)) } : {}),
      };
      return runQuery(query, options, environment.now?.() ?? new Date());
    });
    return { stdout: `${JSON.stringify(result)}\n`, stderr: '' };
  } catch (error) {
    return failure(errorKindOf(error), `${requestName}: ${messageOf(error)}`, env);
  }
}

async function runQuery(query: ExternalQuery, options: ReportOptions, now: Date): Promise<Record<string, string>> {
  const request = query.request;
  if (request.kind === 'service-last-accessed') {
    const report = await runServiceLastAccessedReport(request, options);
    const decision = {
      now,
      allow: query.allow,
      ...(query.unusedAfterDays !== undefined ? { unusedAfterDays: query.unusedAfterDays } : {}),
      ...(query.maxReportAgeDays !== undefined ? { maxReportAgeDays: query.maxReportAgeDays } : {}),
      ...(query.judgeUnknownHistory ? { judgeUnknownHistory: true } : {}),
    };
    // With the policies the principal will hold, judge those: what they no longer grant is not a violation.
    const granted = query.policies ? { documents: query.policies, source: 'the policies in the query' } : undefined;
    return serviceResult(report, judgeReport(report, decision, granted).unused);
  }
  return organizationsResult(await runOrganizationsAccessReport(request, options));
}

/** The flat string map for a service-last-accessed report and its least-privilege evaluation. */
export function serviceResult(report: ServiceLastAccessedReport, unused: UnusedPermissions): Record<ServiceResultKey, string> {
  const verdict = verdictOf(unused);
  const violations = verdict.violations.map(toViolation);
  return {
    kind: report.kind,
    arn: report.arn,
    granularity: report.granularity,
    report: JSON.stringify(report),
    job_id: report.jobId,
    job_status: report.jobStatus,
    job_completion_date: report.jobCompletionDate,
    service_count: String(report.servicesLastAccessed.length),
    used_services: JSON.stringify(unused.usedServices),
    unused_services: JSON.stringify(unused.unusedServices),
    used_actions: JSON.stringify(unused.usedActions),
    unused_actions: JSON.stringify(unused.unusedActions),
    used_service_count: String(unused.usedServices.length),
    unused_service_count: String(unused.unusedServices.length),
    unused_action_count: String(unused.unusedActions.length),
    violations: JSON.stringify(violations),
    violation_count: String(violations.length),
    // Stale evidence flags nothing, so it has no violation: only the gate's verdict says it cannot pass.
    all_used: String(verdict.passed),
    passed: String(verdict.passed),
    evidence_status: unused.status,
    evidence_reason: oneLine(unused.statusReason),
    unused_after_days: String(unused.unusedAfterDays),
    summary: serviceSummary(report, unused, violations),
  };
}

/** The flat string map for an organizations access report. */
export function organizationsResult(report: OrganizationsAccessReport): Record<OrganizationsResultKey, string> {
  const accessed = new Set<string>();
  const all = new Set<string>();
  for (const detail of report.accessDetails) {
    all.add(detail.serviceNamespace);
    if (detail.lastAuthenticatedTime !== undefined) accessed.add(detail.serviceNamespace);
  }
  const accessedServices = [...accessed].sort();
  const notAccessedServices = [...all].filter((s) => !accessed.has(s)).sort();
  const accessible = report.numberOfServicesAccessible ?? all.size;
  const notAccessed = report.numberOfServicesNotAccessed ?? notAccessedServices.length;
  return {
    kind: report.kind,
    entity_path: report.entityPath,
    report: JSON.stringify(report),
    job_id: report.jobId,
    job_status: report.jobStatus,
    job_completion_date: report.jobCompletionDate,
    service_count: String(all.size),
    accessed_services: JSON.stringify(accessedServices),
    not_accessed_services: JSON.stringify(notAccessedServices),
    accessed_service_count: String(accessedServices.length),
    not_accessed_service_count: String(notAccessedServices.length),
    number_of_services_accessible: String(accessible),
    number_of_services_not_accessed: String(notAccessed),
    summary: oneLine(
      `${report.entityPath}: ${accessedServices.length} of ${all.size} services accessed, ` +
        `${notAccessedServices.length} not accessed (job ${report.jobId})`,
    ),
  };
}

const SUMMARY_LIST_LIMIT = 10;

function serviceSummary(report: ServiceLastAccessedReport, unused: UnusedPermissions, violations: readonly Violation[]): string {
  const where = `(${report.granularity}, job ${report.jobId})`;
  if (unused.status === 'stale-evidence') {
    return oneLine(`${report.arn}: evidence ${unused.status}, nothing flagged and the gate cannot pass: ${unused.statusReason} ${where}`);
  }
  if (unused.status !== 'sufficient') {
    return oneLine(`${report.arn}: evidence ${unused.status}, nothing flagged: ${unused.statusReason} ${where}`);
  }
  if (violations.length === 0) {
    return oneLine(
      `${report.arn}: every granted permission with evidence was used within ${unused.unusedAfterDays} days ` +
        `(${report.servicesLastAccessed.length} services)${notGrantedNote(unused)} ${where}`,
    );
  }
  // Services first: a whole unused service is one entry; a used service's unused actions are counted under it.
  const rows = violationsByService(unused);
  const shown = rows.slice(0, SUMMARY_LIST_LIMIT).map((r) => (r.wholeService ? r.service : `${r.service} (${r.actions.length} action(s): ${namesWithMore(r.actions, 3)})`));
  const more = rows.length > shown.length ? ` (+${rows.length - shown.length} more services)` : '';
  return oneLine(
    `${report.arn}: ${violationSummary(unused)} not used within ${unused.unusedAfterDays} days${notGrantedNote(unused)}: ` +
      `${shown.join(', ')}${more} ${where}`,
  );
}

function notGrantedNote(unused: UnusedPermissions): string {
  const gone = unused.findings.filter((f) => f.kind === 'no-longer-granted').map((f) => f.permission);
  return gone.length ? `; not granted by the policies in the query, so not violations: ${namesWithMore(gone, 5)}` : '';
}

/**
 * Bounds the whole run. The engine honours timeoutMs itself; the signal and the timer only catch a call that
 * hangs past it, so that Terraform gets an answer instead of killing the program.
 */
async function withHardStop<T>(query: ExternalQuery, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const limitMs = query.timeoutMs + HARD_STOP_GRACE_MS;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new HardStopError(`no answer within ${Math.round(limitMs / 1000)} s (timeout_seconds ${query.timeoutMs / 1000} plus grace)`));
    }, limitMs);
  });
  try {
    return await Promise.race([run(controller.signal), stop]);
  } finally {
    clearTimeout(timer);
  }
}

/** The run outlived its bound: a timeout, like the engine's JobTimeoutError. */
class HardStopError extends AccessAdvisorError {
  readonly kind: ErrorKind = 'timeout';
}

function progressLine(event: ProgressEvent): string {
  const parts = [`access-advisor external: ${event.phase}`, describeRequest(event.request as ReportRequest)];
  if (event.jobId) parts.push(`job ${event.jobId}`);
  if (event.polls !== undefined) parts.push(`polls ${event.polls}`);
  if (event.pages !== undefined) parts.push(`pages ${event.pages}`);
  if (event.message) parts.push(event.message);
  return oneLine(redact(parts.join(' ')));
}

function failure(errorKind: ErrorKind, message: string, env: Readonly<Record<string, string | undefined>>): ExternalProgramOutcome {
  return { errorKind, stdout: '', stderr: `access-advisor external: ${oneLine(redactSecrets(message, env))}\n` };
}

/** Credentials never reach Terraform's log: the one redaction step (model/redact.ts), with Terraform's environment. */
function redactSecrets(message: string, env: Readonly<Record<string, string | undefined>>): string {
  return redact(message, { ...process.env, ...env });
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Terraform shows stderr as one diagnostic line; collapse anything that would break it. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

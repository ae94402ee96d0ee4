import type { ReportOptions, ReportResult, RunReportsOptions } from '../iam';
import type { AccessReport, OrganizationsAccessReport, ReportRequest, ServiceLastAccessedReport } from '../model/report';
import type { CliContext } from './context';
import { CliInputError } from './exit-codes';
import { createProgress } from './progress';

/** The engine, loaded on first use: the AWS SDK must not slow down `--help`. */
export function engine(): typeof import('../iam') {
  return require('../iam') as typeof import('../iam');
}

export interface ManyOptions {
  readonly concurrency?: number;
  readonly requestsPerSecond?: number;
}

export function baseOptions(ctx: CliContext): ReportOptions {
  return {
    ...ctx.connection,
    ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
    ...(ctx.maxAttempts !== undefined ? { maxAttempts: ctx.maxAttempts } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
}

/** Checks every request before any call, so one bad ARN among many fails fast with exit 2. */
export function validateAll(requests: readonly ReportRequest[]): ReportRequest[] {
  const { validateReportRequest } = engine();
  return requests.map((r) => validateReportRequest(r));
}

/** One report, resuming `--job-id` when given; progress on stderr. */
export async function runOne(ctx: CliContext, request: ReportRequest): Promise<AccessReport> {
  const iam = engine();
  validateAll([request]);
  const progress = createProgress({ color: ctx.color, debugLog: ctx.debug ? ctx.debugLog : undefined });
  const options: ReportOptions = {
    ...baseOptions(ctx),
    onProgress: progress.onProgress,
    ...(ctx.jobId ? { jobId: ctx.jobId } : {}),
  };
  try {
    if (request.kind === 'service-last-accessed') {
      const { kind: _kind, ...req } = request;
      return await iam.runServiceLastAccessedReport(req, options);
    }
    const { kind: _kind, ...req } = request;
    return await iam.runOrganizationsAccessReport(req, options);
  } finally {
    progress.finish();
  }
}

/** Many reports concurrently through the engine's runReports; results in input order. */
export async function runMany(ctx: CliContext, requests: readonly ReportRequest[], many: ManyOptions = {}): Promise<ReportResult[]> {
  if (ctx.jobId) {
    throw new CliInputError(`--job-id: resumes one job; it cannot be combined with ${requests.length} principals`);
  }
  const iam = engine();
  validateAll(requests);
  const progress = createProgress({ color: ctx.color, debugLog: ctx.debug ? ctx.debugLog : undefined });
  const options: RunReportsOptions = {
    ...baseOptions(ctx),
    onProgress: progress.onProgress,
    ...(many.concurrency !== undefined ? { concurrency: many.concurrency } : {}),
    ...(many.requestsPerSecond !== undefined ? { requestsPerSecond: many.requestsPerSecond } : {}),
  };
  try {
    return await iam.runReports(requests, options);
  } finally {
    progress.finish();
  }
}

/** One or many service-last-accessed reports, as uniform results (one request runs alone so --job-id works). */
export async function runServiceReports(
  ctx: CliContext,
  requests: readonly Extract<ReportRequest, { kind: 'service-last-accessed' }>[],
  many: ManyOptions = {},
): Promise<{ request: ReportRequest; report?: ServiceLastAccessedReport; error?: unknown }[]> {
  if (requests.length === 1) {
    const report = (await runOne(ctx, requests[0]!)) as ServiceLastAccessedReport;
    return [{ request: requests[0]!, report }];
  }
  const results = await runMany(ctx, requests, many);
  return results.map((r) => (r.ok ? { request: r.request, report: r.report as ServiceLastAccessedReport } : { request: r.request, error: r.error }));
}

export type { OrganizationsAccessReport };

import { setMaxListeners } from 'node:events';
import type { ListPoliciesGrantingServiceAccessResponse } from '@aws-sdk/client-iam';
import { ListPoliciesGrantingServiceAccessCommand } from './aws-sdk';
import { realSleep, resolveSchedule, type PollScheduleOptions, type SleepFunction } from './backoff';
import type { AbortSignalLike } from './abort-signal';
import { PollWaves } from './poll-waves';
import { JobDurations } from './job-durations';
import { ActiveJobs, POLL_GAP_FLOOR_MS } from './poll-plan';
import { RoundTrips } from './round-trips';
import { WaveScouts } from './wave-scouts';
import { createIamSession, type ConnectionOptions, type IamSession } from './client';
import { AccessAdvisorError, AwsRequestError, IncompleteResponseError, InvalidRequestError } from '../model/errors';
import { MAX_PAGES, policiesEntriesProblem } from './report-pages';
import type {
  AccessReport,
  OrganizationsAccessReport,
  OrganizationsAccessRequest,
  PoliciesGrantingServiceAccessRequest,
  PoliciesGrantingServiceAccessResult,
  ReportRequest,
  ServiceLastAccessedReport,
  ServiceLastAccessedRequest,
} from '../model/report';
import { buildPoliciesResult } from './normalize';
import { DEFAULT_CREATE_DATE_LISTING_THRESHOLD, PrincipalCreateDates, planCreateDateListing } from './principal-dates';
import { runReportJob, type JobContext, type ProgressEvent } from './report-job';
import { RequestGate } from './request-gate';
import {
  reportRequestKey,
  validateJobId,
  validatePoliciesRequest,
  validatePositive,
  validateReportRequest,
  validateTimeoutMs,
} from './validate';
import { phaseMark } from './phase-log';
import { GatheredCreateDates } from './gathered-create-dates';

phaseMark('engine-loaded');

export const DEFAULT_TIMEOUT_MS = 600_000;
/**
 * The ceiling of the adaptive client-side rate. IAM does not publish its per-account throttle; 50 requests per
 * second lets 50 reports (≥ 100 calls) finish in about one job's latency when the account has room, and the
 * adaptive limiter backs off (cutting to 0.7× per Throttling answer, recovering while calls succeed) when it has not —
 * so the account's other users (Terraform, CI, people) are not starved for long. Lower it to reserve headroom.
 */
export const DEFAULT_REQUESTS_PER_SECOND = 50;
export const DEFAULT_CONCURRENCY = 8;
/**
 * A job alone in its run (the CLI with one ARN, a synth with one miss, the provider's one read) with no finished job
 * to learn from is polled so that IAM's answers come back at these ages (ms since generate), each poll leaving one
 * measured round trip earlier (PollPlan). Real jobs take about a second (0.8–1.4 s), quick ones much less, and the
 * user waits for this one job: a 0.1 s job is read at its first poll; from 0.85 s to 1.45 s the ages are about 6 %
 * apart, so a job ending there is read within about 6 % of its end, or one round trip when that is longer (polls of
 * one job never overlap); beyond, 15–25 % apart to 8.8 s, then the fixed schedule's ages (delays growing 1.5× to
 * 5 s). Polls at most, for a job of 0.1 s: 1; 1 s: 7; 3 s: 18; 30 s: 29 (test/iam/poll-plan.test.ts). Runs of
 * several jobs keep the fixed schedule until their finished jobs show how long a job takes.
 */
export const SOLO_POLL_AGES_MS: readonly number[] = [
  100, 350, 650, 850, 905, 960, 1015, 1075, 1140, 1210, 1285, 1365, 1450, 1700, 2000, 2350, 2750, 3150, 3600, 4500,
  5600, 7000, 8800,
];
const ENTITY_SERIES_PER_REPORT = 4;

export interface ReportOptions extends ConnectionOptions {
  /** Total time for the report, generate to last page (default 600 000 = 10 minutes). */
  timeoutMs?: number;
  signal?: AbortSignalLike;
  onProgress?: (event: ProgressEvent) => void;
  /** Resume this job instead of generating a new one. */
  jobId?: string;
  /**
   * Ceiling of the client-side rate for this call's requests, retries included (default 50 per second). The actual
   * rate adapts below it: cut to 0.7× on each Throttling answer, recovering while calls succeed.
   */
  requestsPerSecond?: number;
  /** Max requests in flight (default 8). */
  concurrency?: number;
  /** Override the poll/backoff schedule (tests, benchmarks). */
  pollSchedule?: Partial<PollScheduleOptions>;
  /** Override how the engine waits between polls (tests): must reject when the signal aborts. */
  sleep?: SleepFunction;
  /** HTTP attempts per call, SDK retries included (default 6; 1 disables retries). */
  maxAttempts?: number;
  /**
   * Read the principal's creation date into `principalCreateDate` (default true): one Get{User,Role,Group,Policy}
   * call per service report, best effort. Turn off to save that call when "insufficient history" is not needed.
   */
  readPrincipalCreateDate?: boolean;
  /**
   * In runReports: from this many service reports on principals of one kind (users, roles, groups, customer or
   * AWS-managed policies), their creation dates come from one shared GetAccountAuthorizationDetails series instead
   * of one Get per principal (default 3). Missing or denied entries fall back to the Get.
   */
  createDateListingThreshold?: number;
  /**
   * For simulations and benchmarks: multiplies every wait of the engine — poll and backoff delays, SDK retry delays
   * and the adaptive rate limiter's clock — by this factor in (0, 1], so a run with jobs and throttles scaled by the
   * same factor behaves as the real one, only faster. `requestsPerSecond` stays in unscaled seconds. Default 1.
   */
  timeScale?: number;
}

export interface RunReportsOptions extends Omit<ReportOptions, 'jobId'> {
  /** Max requests in flight across the whole run (default 8). */
  concurrency?: number;
  /** Ceiling of the adaptive client-side rate shared by all requests of the run (default 50 per second). */
  requestsPerSecond?: number;
  /**
   * Called once per request as soon as its result is known (before the whole run ends), with its input index: a
   * caller that checkpoints progress (a resumable sweep) keeps what finished even if the run is killed later.
   */
  onResult?: (result: ReportResult, index: number) => void;
}

export type ReportResult =
  | { request: ReportRequest; ok: true; report: AccessReport }
  | { request: ReportRequest; ok: false; error: AccessAdvisorError };

interface Engine {
  readonly session: IamSession;
  readonly ctx: JobContext;
  /** Closes the session and detaches from the caller's signal. */
  close(): void;
}

/**
 * One run-wide signal that follows the caller's: every job and request of the run listens to it, so a run of many
 * reports adds one listener to the caller's signal instead of one per job (no MaxListenersExceededWarning).
 */
function runSignal(signal: AbortSignal | undefined): { signal?: AbortSignal; detach: () => void } {
  if (!signal) return { detach: () => undefined };
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const onAbort = (): void => controller.abort();
  if (signal.aborted) controller.abort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, detach: () => signal.removeEventListener('abort', onAbort) };
}

async function openEngine(options: RunReportsOptions, requests: readonly ReportRequest[]): Promise<Engine> {
  const timeoutMs = validateTimeoutMs(options.timeoutMs) ?? DEFAULT_TIMEOUT_MS;
  const requestsPerSecond = validatePositive('requestsPerSecond', options.requestsPerSecond, false, 10_000) ?? DEFAULT_REQUESTS_PER_SECOND;
  const concurrency = validatePositive('concurrency', options.concurrency, true, 1_000) ?? DEFAULT_CONCURRENCY;
  const listingThreshold =
    validatePositive('createDateListingThreshold', options.createDateListingThreshold, true, 1_000_000) ??
    DEFAULT_CREATE_DATE_LISTING_THRESHOLD;
  const timeScale = validatePositive('timeScale', options.timeScale, false, 1) ?? 1;
  if (options.endpoint !== undefined) validateEndpoint(options.endpoint);
  const gate = new RequestGate({ requestsPerSecond, concurrency, timeScale });
  const maxAttempts = validatePositive('maxAttempts', options.maxAttempts, true, 20);
  const session = await createIamSession(options, gate, maxAttempts, timeScale);
  phaseMark('session-ready');
  const schedule = scaleSchedule(resolveSchedule(options.pollSchedule), timeScale);
  // The public option is structural (no DOM or @types/node in our declarations); callers pass a real AbortSignal.
  const linked = runSignal(options.signal as AbortSignal | undefined);
  const ctx: JobContext = {
    session,
    schedule,
    sleep: options.sleep ?? realSleep,
    random: Math.random,
    timeoutMs,
    ...(linked.signal ? { signal: linked.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    entityConcurrency: ENTITY_SERIES_PER_REPORT,
    pollWaves: new PollWaves(schedule.firstDelayMs / 2),
    durations: new JobDurations(),
    activeJobs: new ActiveJobs(),
    roundTrips: new RoundTrips(),
    scouts: new WaveScouts(),
    pollGapFloorMs: POLL_GAP_FLOOR_MS * timeScale,
    // Only with the default schedule: a caller's own schedule (tests, benches) is kept as given.
    ...(options.pollSchedule === undefined ? { soloPollAgesMs: SOLO_POLL_AGES_MS.map((a) => a * timeScale) } : {}),
    ...(options.readPrincipalCreateDate !== false
      ? { createDates: new PrincipalCreateDates(session, planCreateDateListing(requests, listingThreshold), linked.signal) }
      : {}),
  };
  return {
    session,
    ctx,
    close: () => {
      linked.detach();
      session.close();
    },
  };
}

function scaleSchedule(schedule: PollScheduleOptions, timeScale: number): PollScheduleOptions {
  if (timeScale === 1) return schedule;
  return {
    ...schedule,
    firstDelayMs: schedule.firstDelayMs * timeScale,
    maxDelayMs: schedule.maxDelayMs * timeScale,
    limitExceededDelayMs: schedule.limitExceededDelayMs * timeScale,
  };
}

function validateEndpoint(endpoint: unknown): void {
  let ok = false;
  if (typeof endpoint === 'string') {
    try {
      const u = new URL(endpoint);
      ok = u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new InvalidRequestError('endpoint', endpoint, 'an http:// or https:// URL');
}

async function runOne(request: ReportRequest, options: ReportOptions): Promise<AccessReport> {
  const valid = validateReportRequest(request);
  const jobId = validateJobId(options.jobId);
  const engine = await openEngine(options, [valid]);
  try {
    return await runReportJob(valid, engine.ctx, jobId);
  } finally {
    engine.close();
  }
}

/** Generates (or resumes) a service-last-accessed job, waits for it and returns every page, normalized. */
export async function runServiceLastAccessedReport(
  req: ServiceLastAccessedRequest,
  options: ReportOptions = {},
): Promise<ServiceLastAccessedReport> {
  return (await runOne({ ...req, kind: 'service-last-accessed' }, options)) as ServiceLastAccessedReport;
}

/** Generates (or resumes) an Organizations access job, waits for it and returns every page, normalized. */
export async function runOrganizationsAccessReport(
  req: OrganizationsAccessRequest,
  options: ReportOptions = {},
): Promise<OrganizationsAccessReport> {
  return (await runOne({ ...req, kind: 'organizations-access' }, options)) as OrganizationsAccessReport;
}

/** Which policies grant a user, group or role access to the given services (current state, no job). */
export async function listPoliciesGrantingServiceAccess(
  req: PoliciesGrantingServiceAccessRequest,
  options: ReportOptions = {},
): Promise<PoliciesGrantingServiceAccessResult> {
  const valid = validatePoliciesRequest(req);
  const engine = await openEngine(options, []);
  try {
    return await listPoliciesOn(engine, valid, options.signal as AbortSignal | undefined);
  } finally {
    engine.close();
  }
}

/**
 * Every page of ListPoliciesGrantingServiceAccess through an engine's session, so its calls take their turn in that
 * engine's rate limit and in-flight cap with every other call of the run.
 */
async function listPoliciesOn(
  engine: Engine,
  valid: PoliciesGrantingServiceAccessRequest,
  signal: AbortSignal | undefined,
): Promise<PoliciesGrantingServiceAccessResult> {
  const { session, ctx } = engine;
  const op = 'ListPoliciesGrantingServiceAccess';
  const controller = new AbortController();
  let reason: 'timeout' | 'abort' | undefined;
  const onAbort = (): void => {
    reason ??= 'abort';
    controller.abort();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    reason ??= 'timeout';
    controller.abort();
  }, ctx.timeoutMs);
  try {
    const entries: NonNullable<ListPoliciesGrantingServiceAccessResponse['PoliciesGrantingServiceAccess']> = [];
    let marker: string | undefined;
    const markers = new Set<string>();
    for (;;) {
      const page = await session.send<ListPoliciesGrantingServiceAccessResponse>(
        op,
        new ListPoliciesGrantingServiceAccessCommand({
          Arn: valid.arn,
          ServiceNamespaces: [...valid.serviceNamespaces],
          ...(marker ? { Marker: marker } : {}),
        }),
        controller.signal,
      );
      const pageNumber = markers.size + 1;
      if (!Array.isArray(page?.PoliciesGrantingServiceAccess)) {
        throw new IncompleteResponseError(op, undefined, pageNumber, 'no PoliciesGrantingServiceAccess list (not an IAM answer)');
      }
      entries.push(...page.PoliciesGrantingServiceAccess);
      if (!page.IsTruncated) break;
      if (!page.Marker) throw new IncompleteResponseError(op, undefined, pageNumber, 'IsTruncated without a Marker');
      if (markers.has(page.Marker)) throw new IncompleteResponseError(op, undefined, pageNumber, `Marker ${JSON.stringify(page.Marker)} repeats: the pages cycle`);
      if (markers.size >= MAX_PAGES) throw new IncompleteResponseError(op, undefined, pageNumber, `more than ${MAX_PAGES} pages`);
      markers.add(page.Marker);
      marker = page.Marker;
    }
    const problem = policiesEntriesProblem(valid.serviceNamespaces, entries);
    if (problem) throw new IncompleteResponseError(op, undefined, markers.size + 1, `the answer does not match the request: ${problem}`);
    return buildPoliciesResult(valid.arn, entries);
  } catch (err) {
    // This call has no job, so there is nothing to resume: timeouts and aborts are reported as failed requests.
    if (reason === 'timeout') throw new AwsRequestError(op, 'RequestTimeout', `no answer within ${ctx.timeoutMs} ms`);
    if (reason === 'abort') throw new AwsRequestError(op, 'RequestAborted', 'aborted by the caller');
    throw err;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Many reports at once: all share one client, one rate limit and one in-flight cap, so 200 reports cost about the
 * slowest job plus what the rate limit forces. Identical requests (same `reportRequestKey`) run once and share the
 * result. Never rejects for a single report's failure: each result says ok or carries its typed error, in input
 * order. Invalid shared options (timeoutMs, concurrency, requestsPerSecond, endpoint) do reject up front.
 */
export async function runReports(requests: readonly ReportRequest[], options: RunReportsOptions = {}): Promise<ReportResult[]> {
  if (!Array.isArray(requests)) throw new InvalidRequestError('requests', requests, 'an array of report requests');
  const prepared = requests.map((request) => {
    try {
      const valid = validateReportRequest(request);
      return { request, valid, key: reportRequestKey(valid) };
    } catch (error) {
      return { request, error: error as AccessAdvisorError };
    }
  });
  const anyValid = prepared.some((p) => 'valid' in p);
  const valid = prepared.flatMap((p) => ('valid' in p && p.valid ? [p.valid] : []));
  const engine = anyValid ? await openEngine(options, valid) : undefined;
  try {
    const running = new Map<string, Promise<AccessReport>>();
    for (const p of prepared) {
      if ('valid' in p && p.valid && !running.has(p.key)) {
        const job = runReportJob(p.valid, engine!.ctx);
        job.catch(() => undefined); // observed below, once per duplicate
        running.set(p.key, job);
      }
    }
    const settle = async (p: (typeof prepared)[number]): Promise<ReportResult> => {
      if (!('valid' in p) || !p.valid) return { request: p.request, ok: false, error: p.error! };
      try {
        return { request: p.request, ok: true, report: await running.get(p.key)! };
      } catch (err) {
        const error =
          err instanceof AccessAdvisorError
            ? err
            : new AwsRequestError('report', 'InternalError', err instanceof Error ? err.message : String(err), p.valid);
        return { request: p.request, ok: false, error };
      }
    };
    return await Promise.all(
      prepared.map(async (p, index) => {
        const result = await settle(p);
        options.onResult?.(result, index);
        return result;
      }),
    );
  } finally {
    engine?.close();
  }
}


/**
 * A runner's default in-flight cap: one second's worth of its rate ceiling (at least the engine's default). Its
 * reports start together (Terraform sends up to -parallelism reads at once, each starting a job); with 8 in flight and
 * IAM answering in ~100 ms, 50 generates would leave in seven round trips and the last job start most of a second
 * late, as if the token bucket had no burst. runReports callers get the same by passing the number of reports.
 */
function runnerConcurrency(requestsPerSecond: unknown): number {
  const ceiling = typeof requestsPerSecond === 'number' && requestsPerSecond > 0 ? requestsPerSecond : DEFAULT_REQUESTS_PER_SECOND;
  return Math.min(1_000, Math.max(DEFAULT_CONCURRENCY, Math.ceil(ceiling)));
}

/** A long-lived engine: one client, one adaptive rate limit and one in-flight cap for every report it runs. */
export interface ReportRunner {
  /**
   * Runs one report on the shared engine. Identical requests in flight at the same time share one job. Rejects
   * with the report's typed error (AccessAdvisorError).
   */
  run(request: ReportRequest): Promise<AccessReport>;
  /**
   * ListPoliciesGrantingServiceAccess (no job) on the shared engine: its calls share the runner's client, rate limit
   * and in-flight cap with the reports, and the runner's signal cancels them.
   */
  listPoliciesGrantingServiceAccess(request: PoliciesGrantingServiceAccessRequest): Promise<PoliciesGrantingServiceAccessResult>;
  /** Closes the client; reports still running fail. */
  close(): void;
}

/**
 * For a server that receives reports one by one over time (the Terraform provider: Terraform reads data sources in
 * parallel, each as its own call): every report shares what `runReports` shares within one run — the client, the
 * adaptive rate limit, the in-flight cap and the poll waves — so a plan with many reports is paced as one run.
 * `options.signal` cancels every report of the runner.
 */
export async function openReportRunner(options: RunReportsOptions = {}): Promise<ReportRunner> {
  const engine = await openEngine({ ...options, concurrency: options.concurrency ?? runnerConcurrency(options.requestsPerSecond) }, []);
  // The runner's reports arrive one by one, so no read knows how many principals to list in bulk: the dates of the
  // reports that start close together (each within half a first poll delay of the last) are read together
  // (gathered-create-dates.ts).
  const ctx: JobContext = engine.ctx.createDates
    ? {
        ...engine.ctx,
        createDates: new GatheredCreateDates(engine.session, {
          threshold: options.createDateListingThreshold ?? DEFAULT_CREATE_DATE_LISTING_THRESHOLD,
          windowMs: engine.ctx.schedule.firstDelayMs / 2,
          ...(engine.ctx.signal ? { runSignal: engine.ctx.signal } : {}),
        }),
      }
    : engine.ctx;
  const running = new Map<string, Promise<AccessReport>>();
  return {
    run(request: ReportRequest): Promise<AccessReport> {
      const valid = validateReportRequest(request);
      const key = reportRequestKey(valid);
      let job = running.get(key);
      if (!job) {
        job = runReportJob(valid, ctx).finally(() => running.delete(key));
        running.set(key, job);
      }
      return job;
    },
    async listPoliciesGrantingServiceAccess(request) {
      return listPoliciesOn(engine, validatePoliciesRequest(request), engine.ctx.signal);
    },
    close: () => engine.close(),
  };
}

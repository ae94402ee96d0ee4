import { setMaxListeners } from 'node:events';
import {
  GenerateOrganizationsAccessReportCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetOrganizationsAccessReportCommand,
  GetServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsWithEntitiesCommand,
} from './aws-sdk';
import type {
  GenerateOrganizationsAccessReportResponse,
  GenerateServiceLastAccessedDetailsResponse,
  GetOrganizationsAccessReportResponse,
  GetServiceLastAccessedDetailsResponse,
  GetServiceLastAccessedDetailsWithEntitiesResponse,
  ServiceLastAccessed as SdkServiceLastAccessed,
  AccessDetail as SdkAccessDetail,
  EntityDetails as SdkEntityDetails,
} from '@aws-sdk/client-iam';
import { limitExceededDelay, type PollScheduleOptions, type SleepFunction } from './backoff';
import type { IamSession, SendHooks } from './client';
import { MAX_ITEMS } from '../model/constraints';
import { AbortedError, AccessAdvisorError, AwsRequestError, IncompleteResponseError, JobFailedError, JobMismatchError, JobTimeoutError } from '../model/errors';
import {
  ACCESS_DETAILS,
  ENTITIES,
  PageCollector,
  SERVICES,
  checkEntities,
  checkOrganizationsJob,
  checkOrganizationsTotals,
  checkServiceJob,
  checkServiceTotals,
  entitiesTotalProblem,
  refuseResumedOrganizationsJob,
  type ListSpec,
} from './report-pages';
import { DEFAULT_GRANULARITY, describeRequest, type AccessReport, type EntityDetails, type ReportRequest } from '../model/report';
import { buildOrganizationsReport, buildServiceReport, normalizeEntity } from './normalize';
import type { PollWaves } from './poll-waves';
import { QUEUED_EVIDENCE_LIMIT, type JobDurations } from './job-durations';
import { PollPlan, type ActiveJobs } from './poll-plan';
import type { RoundTrips } from './round-trips';
import type { WaveScouts } from './wave-scouts';
import type { CreateDateReader } from './principal-dates';
import { mapLimit } from './map-limit';
import { phaseMark } from './phase-log';
import { preloadPageReader } from './report-page-reader';

export type ProgressPhase = 'queued' | 'generating' | 'waiting' | 'paging' | 'done' | 'failed';
export interface ProgressEvent {
  phase: ProgressPhase;
  request: ReportRequest;
  jobId?: string;
  polls?: number;
  pages?: number;
  message?: string;
}

/** Everything one report needs besides its request; shared by all reports of a runReports call. */
export interface JobContext {
  readonly session: IamSession;
  readonly schedule: PollScheduleOptions;
  readonly sleep: SleepFunction;
  readonly random: () => number;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** GetServiceLastAccessedDetailsWithEntities series run at once per report. */
  readonly entityConcurrency: number;
  /** Where principalCreateDate comes from (bulk listing or Get{User,Role,Group,Policy}); undefined: not read. */
  readonly createDates?: CreateDateReader;
  /** Shared by the jobs of one run: skips polls that a wave-mate just showed to be premature. */
  readonly pollWaves?: PollWaves;
  /** Shared by the jobs of one run: how long its finished jobs took, to poll the next ones when they end. */
  readonly durations?: JobDurations;
  /** The clock job ages are measured with (tests inject one); default Date.now. */
  readonly now?: () => number;
  /**
   * A job alone in its run has no other job to learn from and nothing to share its rate with: without evidence its
   * answers are aimed to come back at these ages (ms since generate), dense around the second most IAM jobs take,
   * then on the fixed schedule (PollPlan).
   */
  readonly soloPollAgesMs?: readonly number[];
  /** The run's jobs in flight: a job alone when its polling starts gets the solo ages. */
  readonly activeJobs?: ActiveJobs;
  /** The run's recent poll round trips, to aim the solo ages. */
  readonly roundTrips?: RoundTrips;
  /** No two polls of one job leave closer than this, ms (default 20). */
  readonly pollGapFloorMs?: number;
  /** The run's scout role (one job polls at the solo ages for a wave without evidence) and its wake-up. */
  readonly scouts?: WaveScouts;
}

type ServiceRequest = Extract<ReportRequest, { kind: 'service-last-accessed' }>;
type OrgRequest = Extract<ReportRequest, { kind: 'organizations-access' }>;

interface JobState {
  jobId?: string;
  /** The last refusal to start a job, named if the time runs out before one starts. */
  lastRefusal?: string;
}

const PAGE_SIZE = MAX_ITEMS.max;

/**
 * One report, start to finish: generate (or resume) → poll until the job leaves IN_PROGRESS → read every page →
 * normalize. `request` must already be validated. All waiting happens under one deadline and one abort signal.
 */
export async function runReportJob(request: ReportRequest, ctx: JobContext, resumeJobId?: string): Promise<AccessReport> {
  const state: JobState = { jobId: resumeJobId };
  const controller = new AbortController();
  // The SDK adds one abort listener per request in flight (entity series run several at once).
  setMaxListeners(0, controller.signal);
  let reason: 'timeout' | 'abort' | undefined;
  const onUserAbort = (): void => {
    reason ??= 'abort';
    controller.abort();
  };
  if (ctx.signal?.aborted) onUserAbort();
  else ctx.signal?.addEventListener('abort', onUserAbort, { once: true });
  const timer = setTimeout(() => {
    reason ??= 'timeout';
    controller.abort();
  }, ctx.timeoutMs);
  ctx.activeJobs?.start();
  const emit = (event: Omit<ProgressEvent, 'request'>): void => {
    try {
      ctx.onProgress?.({ request, ...(state.jobId ? { jobId: state.jobId } : {}), ...event });
    } catch {
      // A broken progress callback must not break the report.
    }
  };
  try {
    const report = await runWithSignal(request, ctx, state, controller.signal, emit);
    emit({ phase: 'done' });
    return report;
  } catch (err) {
    const error = classify(err, reason, state, ctx, request);
    emit({ phase: 'failed', message: error.message });
    throw error;
  } finally {
    ctx.activeJobs?.end();
    clearTimeout(timer);
    ctx.signal?.removeEventListener('abort', onUserAbort);
  }
}

function classify(
  err: unknown,
  reason: 'timeout' | 'abort' | undefined,
  state: JobState,
  ctx: JobContext,
  request: ReportRequest,
): AccessAdvisorError {
  if (reason === 'timeout') return new JobTimeoutError(state.jobId, ctx.timeoutMs, request, state.jobId ? undefined : state.lastRefusal);
  if (reason === 'abort') return new AbortedError(state.jobId, request);
  if (err instanceof AccessAdvisorError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AwsRequestError('report', 'InternalError', message, request);
}

type Emit = (event: Omit<ProgressEvent, 'request'>) => void;

async function runWithSignal(
  request: ReportRequest,
  ctx: JobContext,
  state: JobState,
  signal: AbortSignal,
  emit: Emit,
): Promise<AccessReport> {
  emit({ phase: 'queued' });
  let jobKnownToExist = false;
  let regenerated = false;
  let createDate: Promise<string | undefined> | undefined;
  for (;;) {
    const resumed = state.jobId !== undefined && !jobKnownToExist;
    if (state.jobId === undefined) {
      emit({ phase: 'generating' });
      phaseMark('generate-start');
      state.jobId = await generate(request, ctx, signal, state);
      phaseMark('generate-done');
      // The page reader's parser loads while the job runs, after the requests this turn schedules have gone out.
      setImmediate(preloadPageReader).unref();
      jobKnownToExist = true;
    }
    if (request.kind === 'service-last-accessed' && !createDate) {
      createDate = ctx.createDates ? ctx.createDates.read(request, signal) : Promise.resolve(undefined);
    }
    try {
      const read: JobRead = {
        jobId: state.jobId,
        ctx,
        signal,
        emit,
        pollImmediately: resumed,
        onExists: () => {
          jobKnownToExist = true;
        },
      };
      if (request.kind === 'service-last-accessed') return await readServiceJob(request, read, createDate!);
      return await readOrganizationsJob(request, read);
    } catch (err) {
      // IAM may lose a job it just gave us; one fresh job is worth a try, a second loss is a real error.
      if (err instanceof AwsRequestError && err.awsCode === 'NoSuchEntity' && jobKnownToExist && !regenerated) {
        emit({ phase: 'generating', message: `job ${state.jobId} vanished; generating a new one` });
        regenerated = true;
        state.jobId = undefined;
        continue;
      }
      throw err;
    }
  }
}

async function generate(request: ReportRequest, ctx: JobContext, signal: AbortSignal, state: JobState): Promise<string> {
  if (request.kind === 'service-last-accessed') {
    const out = await ctx.session.send<GenerateServiceLastAccessedDetailsResponse>(
      'GenerateServiceLastAccessedDetails',
      // Always explicit: IAM's own default (SERVICE_LEVEL) is not ours.
      new GenerateServiceLastAccessedDetailsCommand({ Arn: request.arn, Granularity: request.granularity ?? DEFAULT_GRANULARITY }),
      signal,
      request,
    );
    return requireJobId('GenerateServiceLastAccessedDetails', out.JobId, request);
  }
  // Organizations reports are limited per account in concurrency: wait for a slot instead of failing.
  for (let attempt = 0; ; attempt++) {
    try {
      const out = await ctx.session.send<GenerateOrganizationsAccessReportResponse>(
        'GenerateOrganizationsAccessReport',
        new GenerateOrganizationsAccessReportCommand({
          EntityPath: request.entityPath,
          ...(request.organizationsPolicyId ? { OrganizationsPolicyId: request.organizationsPolicyId } : {}),
        }),
        signal,
        request,
      );
      return requireJobId('GenerateOrganizationsAccessReport', out.JobId, request);
    } catch (err) {
      if (!(err instanceof AwsRequestError) || err.awsCode !== 'ReportGenerationLimitExceeded') throw err;
      state.lastRefusal =
        `IAM kept answering ReportGenerationLimitExceeded (HTTP 409: too many Organizations reports running in this account) ` +
        `for ${attempt + 1} attempt(s); wait for the running reports or raise the timeout`;
      await ctx.sleep(limitExceededDelay(attempt, ctx.schedule, ctx.random), signal);
    }
  }
}

function requireJobId(operation: string, jobId: string | undefined, request: ReportRequest): string {
  if (!jobId) throw new AwsRequestError(operation, 'IncompleteResponse', 'IAM sent no JobId', request);
  return jobId;
}

/**
 * Polls with the first page's parameters, so the poll that sees COMPLETED already carries page 1. When to poll is the
 * PollPlan's decision (learned, solo, scout or fixed ages). A fresh job may skip a poll that a wave-mate just showed to
 * be premature (PollWaves): it then plans as if it had seen that itself. A wait on the fixed schedule ends early when a
 * finished job of the run gives it evidence (WaveScouts), and the plan then decides again from that evidence.
 */
async function pollUntilDone<T extends { JobStatus?: string }>(
  fetchFirstPage: FetchFirstPage<T>,
  ctx: JobContext,
  signal: AbortSignal,
  emit: Emit,
  pollImmediately: boolean,
  onExists: () => void,
): Promise<T> {
  const job = {};
  const now = ctx.now ?? Date.now;
  const generatedAt = pollImmediately ? undefined : now();
  const age = (): number => now() - generatedAt!;
  const plan = new PollPlan(ctx, generatedAt !== undefined);
  let skippedLastTick = false;
  /** Age at which this job (or, after a skip, a wave-mate) was last seen running; 0 before the first poll. */
  let seenRunningAt = 0;
  /** Age at which this job's own last IN_PROGRESS poll left the gate: the lower bound of its duration. */
  let lastRunningPollAt = 0;
  try {
    /** A probe (a wake) found the job running or premature: the plan's own poll still stands at this age. */
    let resumeAt: number | undefined;
    for (let polls = 0, tick = 0; ; tick++) {
      let delay: number;
      if (resumeAt !== undefined) {
        delay = plan.resume(resumeAt, age());
        resumeAt = undefined;
        tick--; // the probe was no tick of the plan
      } else {
        delay = plan.delay(tick, generatedAt === undefined ? 0 : age(), seenRunningAt);
      }
      const probeOf = delay > 0 ? await waitFor(delay, plan, ctx, signal, age, seenRunningAt) : undefined;
      if (generatedAt !== undefined && ctx.pollWaves && ctx.pollWaves.shouldSkip(job, generatedAt)) {
        if (probeOf !== undefined) {
          resumeAt = probeOf; // a wave-mate just seen running: the probe would find the same
          continue;
        }
        if (!skippedLastTick) {
          skippedLastTick = true;
          seenRunningAt = age();
          continue;
        }
      }
      skippedLastTick = false;
      const askedAt = generatedAt === undefined ? 0 : age();
      let admittedAt: number | undefined;
      let answerInAt: number | undefined;
      /** The duration this poll gave the run, recorded as soon as its body named COMPLETED (onBodyIn). */
      let recorded = false;
      const page = await fetchFirstPage({
        onAdmitted: () => {
          if (generatedAt !== undefined) {
            admittedAt = age();
            answerInAt = undefined;
            plan.sent(admittedAt);
          }
        },
        onAnswered: () => {
          if (generatedAt !== undefined) answerInAt = age();
        },
        onBodyIn: (jobStatus) => {
          // The wave-mates sleeping on this evidence are woken before this page is parsed (a 400-service page: 5 ms
          // warm, 30-50 ms cold) rather than after: only timing, from the status the body names; what the page says
          // counts once it is read and checked, and a page whose parse disagrees only cost the wave-mates a probe.
          if (generatedAt === undefined || jobStatus !== 'COMPLETED' || recorded) return false;
          recorded = true;
          const sentAt = admittedAt ?? askedAt;
          return recordDuration(ctx, lastRunningPollAt, sentAt - askedAt, answerInAt ?? age());
        },
      });
      // The poll's attempt that IAM answered left the run's gate at `sentAt` (a session that does not say: when asked).
      const sentAt = admittedAt ?? askedAt;
      if (generatedAt !== undefined && admittedAt === undefined) plan.sent(askedAt);
      // IAM had answered by the time its answer was in, before the client read and parsed it (a COMPLETED 400-service
      // page: some 10 ms of CPU, longer on a busy client): the bound the wave-mates' probes are planned from stays that
      // tight (a session that does not say: when the call returned).
      const answeredAt = generatedAt === undefined ? 0 : (answerInAt ?? age());
      if (generatedAt !== undefined) {
        ctx.roundTrips?.record(answeredAt - sentAt);
        plan.answered(sentAt - askedAt, answeredAt);
      }
      polls++;
      phaseMark('poll-done', page.JobStatus);
      onExists();
      if (page.JobStatus !== 'IN_PROGRESS') {
        if (generatedAt !== undefined && page.JobStatus === 'COMPLETED' && !recorded) recordDuration(ctx, lastRunningPollAt, sentAt - askedAt, answeredAt);
        return page;
      }
      if (generatedAt !== undefined) {
        lastRunningPollAt = sentAt;
        seenRunningAt = sentAt;
        ctx.pollWaves?.recordInProgress(job, generatedAt);
        resumeAt = probeOf;
      }
      emit({ phase: 'waiting', polls });
    }
  } finally {
    plan.finished();
    ctx.pollWaves?.forget(job);
  }
}

/**
 * The wait before a poll. A fixed-schedule wait of a fresh job is cut short when the run gains evidence and that
 * evidence says the job should be done before the wait ends: the job then probes at that age, once. Returns the age
 * at which the plan's own poll stands when this wait ends in a probe, else undefined.
 */
async function waitFor(
  delay: number,
  plan: PollPlan,
  ctx: JobContext,
  signal: AbortSignal,
  age: () => number,
  seenRunningAt: number,
): Promise<number | undefined> {
  if (!ctx.scouts || !plan.wakeable) return void (await ctx.sleep(delay, signal));
  const wakeAt = age() + delay;
  for (let remaining = delay; remaining > 0; remaining = Math.ceil(wakeAt - age())) {
    if (!(await ctx.scouts.sleep(ctx.sleep, remaining, signal))) return undefined;
    const probeIn = plan.probe(age(), seenRunningAt, wakeAt);
    if (probeIn !== undefined) {
      if (probeIn > 0) await ctx.sleep(probeIn, signal);
      return wakeAt;
    }
  }
  return undefined;
}

/**
 * A finished job's duration bounds, kept as evidence for the next jobs' polls only when its COMPLETED poll went out
 * about when it was asked for. A poll that waited long for the run's rate limit proves only that the job was done by
 * the time its turn came: such an upper bound measures the queue, not the job, and polls planned from it would sleep
 * for the queue's length on top of waiting in it, leaving the rate budget unused while the last jobs sleep. Such a
 * job tells nothing new; the fixed schedule (whose polls join the queue early) keeps deciding until polls that did
 * not queue show how long jobs take.
 */
function recordDuration(ctx: JobContext, lowerMs: number, queuedMs: number, upperMs: number): boolean {
  if (queuedMs > QUEUED_EVIDENCE_LIMIT * upperMs) return false;
  return ctx.durations?.record(lowerMs, upperMs) === true && ctx.scouts?.wake() === true;
}

/** Sends a job's first-page poll with the poll's hooks (IamSession.send's). */
type FetchFirstPage<T> = (hooks: Required<SendHooks>) => Promise<T>;

/** One read of a job: its id, the context it runs in, how it reports progress, and how it says the job exists. */
interface JobRead {
  readonly jobId: string;
  readonly ctx: JobContext;
  readonly signal: AbortSignal;
  readonly emit: Emit;
  /** A resumed job is polled before the first wait. */
  readonly pollImmediately: boolean;
  readonly onExists: () => void;
}

async function readServiceJob(request: ServiceRequest, read: JobRead, createDate: Promise<string | undefined>): Promise<AccessReport> {
  const { jobId, ctx, signal, emit, pollImmediately } = read;
  const op = 'GetServiceLastAccessedDetails';
  const getPage = (marker?: string, hooks?: SendHooks) =>
    ctx.session.send<GetServiceLastAccessedDetailsResponse>(
      op,
      new GetServiceLastAccessedDetailsCommand({ JobId: jobId, MaxItems: PAGE_SIZE, ...(marker ? { Marker: marker } : {}) }),
      signal,
      request,
      hooks,
    );
  emit({ phase: 'waiting', polls: 0 });
  const first = await firstPage((hooks) => getPage(undefined, hooks), read, request);
  if (first.JobStatus === 'FAILED') {
    throw new JobFailedError(jobId, first.Error?.Code ?? 'Unknown', first.Error?.Message ?? 'the job failed', request);
  }
  const services: SdkServiceLastAccessed[] = await collectPages(first, SERVICES, getPage, op, jobId, request, emit);
  checkServiceJob(request, jobId, first.JobType, services, pollImmediately);
  checkServiceTotals(request, jobId, services);
  phaseMark('pages-checked');
  let entities: Map<string, readonly EntityDetails[]> | undefined;
  if (request.withEntities) {
    const namespaces = services.map((s) => s.ServiceNamespace!);
    const lists = await mapLimit(services, ctx.entityConcurrency, (s) => readEntities(request, jobId, s, ctx, signal, pollImmediately));
    entities = new Map(namespaces.map((ns, i) => [ns, lists[i]!]));
  }
  const report = buildServiceReport(request, jobId, first, services, entities, await createDate);
  phaseMark('normalized');
  return report;
}

async function readEntities(
  request: ServiceRequest,
  jobId: string,
  service: SdkServiceLastAccessed,
  ctx: JobContext,
  signal: AbortSignal,
  resumed: boolean,
): Promise<EntityDetails[]> {
  const op = 'GetServiceLastAccessedDetailsWithEntities';
  const namespace = service.ServiceNamespace!;
  const pages = new PageCollector<GetServiceLastAccessedDetailsWithEntitiesResponse, SdkEntityDetails>(op, jobId, request, ENTITIES, `${namespace} entity`);
  let marker: string | undefined;
  do {
    const page = await ctx.session.send<GetServiceLastAccessedDetailsWithEntitiesResponse>(
      op,
      new GetServiceLastAccessedDetailsWithEntitiesCommand({
        JobId: jobId,
        ServiceNamespace: namespace,
        MaxItems: PAGE_SIZE,
        ...(marker ? { Marker: marker } : {}),
      }),
      signal,
      request,
    );
    if (pages.pageCount === 0 && page?.JobStatus === 'FAILED') {
      throw new JobFailedError(jobId, page.Error?.Code ?? 'Unknown', page.Error?.Message ?? 'the job failed', request);
    }
    marker = pages.accept(page);
  } while (marker !== undefined);
  checkEntities(request, jobId, pages.items, resumed);
  const totals = entitiesTotalProblem(service, pages.items);
  if (totals) throw new IncompleteResponseError(op, jobId, pages.pageCount, `the totals do not add up: ${totals}`, request);
  return pages.items.map(normalizeEntity);
}

async function readOrganizationsJob(request: OrgRequest, read: JobRead): Promise<AccessReport> {
  const { jobId, ctx, signal, emit, pollImmediately } = read;
  const op = 'GetOrganizationsAccessReport';
  // Before any call: IAM's answer could not show whose job it is.
  if (pollImmediately) refuseResumedOrganizationsJob(request, jobId);
  const getPage = (marker?: string, hooks?: SendHooks) =>
    ctx.session.send<GetOrganizationsAccessReportResponse>(
      op,
      new GetOrganizationsAccessReportCommand({
        JobId: jobId,
        MaxItems: PAGE_SIZE,
        ...(request.sortKey ? { SortKey: request.sortKey } : {}),
        ...(marker ? { Marker: marker } : {}),
      }),
      signal,
      request,
      hooks,
    );
  emit({ phase: 'waiting', polls: 0 });
  const first = await firstPage((hooks) => getPage(undefined, hooks), read, request);
  if (first.JobStatus === 'FAILED') {
    throw new JobFailedError(
      jobId,
      first.ErrorDetails?.Code ?? 'Unknown',
      first.ErrorDetails?.Message ?? 'the job failed',
      request,
    );
  }
  const details: SdkAccessDetail[] = await collectPages(first, ACCESS_DETAILS, getPage, op, jobId, request, emit);
  checkOrganizationsJob(request, jobId, details, pollImmediately);
  checkOrganizationsTotals(request, jobId, first, details);
  return buildOrganizationsReport(request, jobId, first, details);
}

/**
 * The first page of a job, after polling. A resumed job IAM does not know (NoSuchEntity, InvalidInput) is the
 * caller's mistake — a job id of another kind, session or account, or one that expired — so it is an input error.
 */
async function firstPage<T extends { JobStatus?: string }>(
  fetchFirstPage: FetchFirstPage<T>,
  read: JobRead,
  request: ReportRequest,
): Promise<T> {
  const { jobId, pollImmediately: resumed } = read;
  try {
    return await pollUntilDone(fetchFirstPage, read.ctx, read.signal, read.emit, resumed, read.onExists);
  } catch (err) {
    if (resumed && err instanceof AwsRequestError && (err.awsCode === 'NoSuchEntity' || err.awsCode === 'InvalidInput')) {
      throw new JobMismatchError(
        jobId,
        `the id of a ${request.kind} job this caller generated and IAM still keeps, for ${describeRequest(request)} ` +
          `(IAM answered ${err.awsCode}: ${err.awsMessage})`,
        err.awsCode,
      );
    }
    throw err;
  }
}

/**
 * Every item of a completed job: the first page's, then each following page's while IsTruncated, following Marker —
 * each page proven to be a COMPLETED page of the same job (see report-pages.ts).
 */
async function collectPages<P extends { JobStatus?: string; IsTruncated?: boolean; Marker?: string }, I>(
  first: P,
  spec: ListSpec<P, I>,
  getPage: (marker: string) => Promise<P>,
  op: string,
  jobId: string,
  request: ReportRequest,
  emit: (event: { phase: 'paging'; pages: number }) => void,
): Promise<I[]> {
  const pages = new PageCollector(op, jobId, request, spec, 'service');
  let marker = pages.accept(first);
  emit({ phase: 'paging', pages: 1 });
  while (marker !== undefined) {
    marker = pages.accept(await getPage(marker));
    emit({ phase: 'paging', pages: pages.pageCount });
  }
  return pages.items;
}

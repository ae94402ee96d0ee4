import {
  GenerateOrganizationsAccessReportCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetOrganizationsAccessReportCommand,
  GetServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsWithEntitiesCommand,
  type GenerateOrganizationsAccessReportResponse,
  type GenerateServiceLastAccessedDetailsResponse,
  type GetOrganizationsAccessReportResponse,
  type GetServiceLastAccessedDetailsResponse,
  type GetServiceLastAccessedDetailsWithEntitiesResponse,
  type ServiceLastAccessed as SdkServiceLastAccessed,
  type AccessDetail as SdkAccessDetail,
} from '@aws-sdk/client-iam';
import { limitExceededDelay, pollDelay, type PollScheduleOptions, type SleepFunction } from './backoff';
import type { IamSession } from './client';
import { MAX_ITEMS } from './constraints';
import { AbortedError, AccessAdvisorError, AwsRequestError, JobFailedError, JobTimeoutError } from './errors';
import type { AccessReport, EntityDetails, ReportRequest } from './model';
import { buildOrganizationsReport, buildServiceReport, normalizeEntity } from './normalize';
import type { PollWaves } from './poll-waves';
import type { PrincipalCreateDates } from './principal-dates';
import { mapLimit } from './map-limit';

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
  readonly createDates?: PrincipalCreateDates;
  /** Shared by the jobs of one run: skips polls that a wave-mate just showed to be premature. */
  readonly pollWaves?: PollWaves;
}

type ServiceRequest = Extract<ReportRequest, { kind: 'service-last-accessed' }>;
type OrgRequest = Extract<ReportRequest, { kind: 'organizations-access' }>;

interface JobState {
  jobId?: string;
}

const PAGE_SIZE = MAX_ITEMS.max;

/**
 * One report, start to finish: generate (or resume) → poll until the job leaves IN_PROGRESS → read every page →
 * normalize. `request` must already be validated. All waiting happens under one deadline and one abort signal.
 */
export async function runReportJob(request: ReportRequest, ctx: JobContext, resumeJobId?: string): Promise<AccessReport> {
  const state: JobState = { jobId: resumeJobId };
  const controller = new AbortController();
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
  if (reason === 'timeout') return new JobTimeoutError(state.jobId, ctx.timeoutMs, request);
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
      state.jobId = await generate(request, ctx, signal);
      jobKnownToExist = true;
    }
    if (request.kind === 'service-last-accessed' && !createDate) {
      createDate = ctx.createDates ? ctx.createDates.read(request, signal) : Promise.resolve(undefined);
    }
    try {
      if (request.kind === 'service-last-accessed') {
        const report = await readServiceJob(request, state.jobId, ctx, signal, emit, resumed, () => {
          jobKnownToExist = true;
        }, createDate!);
        return report;
      }
      return await readOrganizationsJob(request, state.jobId, ctx, signal, emit, resumed, () => {
        jobKnownToExist = true;
      });
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

async function generate(request: ReportRequest, ctx: JobContext, signal: AbortSignal): Promise<string> {
  if (request.kind === 'service-last-accessed') {
    const out = await ctx.session.send<GenerateServiceLastAccessedDetailsResponse>(
      'GenerateServiceLastAccessedDetails',
      new GenerateServiceLastAccessedDetailsCommand({ Arn: request.arn, Granularity: request.granularity }),
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
      await ctx.sleep(limitExceededDelay(attempt, ctx.schedule, ctx.random), signal);
    }
  }
}

function requireJobId(operation: string, jobId: string | undefined, request: ReportRequest): string {
  if (!jobId) throw new AwsRequestError(operation, 'IncompleteResponse', 'IAM sent no JobId', request);
  return jobId;
}

/**
 * Polls with the first page's parameters, so the poll that sees COMPLETED already carries page 1. A freshly
 * generated job may skip a tick that a wave-mate just showed to be premature (PollWaves); the schedule still
 * advances, so skipped ticks cost time only as the schedule would have.
 */
async function pollUntilDone<T extends { JobStatus?: string }>(
  fetchFirstPage: () => Promise<T>,
  ctx: JobContext,
  signal: AbortSignal,
  emit: Emit,
  pollImmediately: boolean,
  onExists: () => void,
): Promise<T> {
  const job = {};
  const generatedAt = pollImmediately ? undefined : Date.now();
  let skippedLastTick = false;
  try {
    for (let polls = 0, tick = 0; ; tick++) {
      const delay = tick === 0 && pollImmediately ? 0 : pollDelay(tick, ctx.schedule, ctx.random);
      if (delay > 0) await ctx.sleep(delay, signal);
      if (generatedAt !== undefined && ctx.pollWaves && !skippedLastTick && ctx.pollWaves.shouldSkip(job, generatedAt)) {
        skippedLastTick = true;
        continue;
      }
      skippedLastTick = false;
      const page = await fetchFirstPage();
      polls++;
      onExists();
      if (page.JobStatus !== 'IN_PROGRESS') return page;
      if (generatedAt !== undefined) ctx.pollWaves?.recordInProgress(job, generatedAt);
      emit({ phase: 'waiting', polls });
    }
  } finally {
    ctx.pollWaves?.forget(job);
  }
}

async function readServiceJob(
  request: ServiceRequest,
  jobId: string,
  ctx: JobContext,
  signal: AbortSignal,
  emit: Emit,
  pollImmediately: boolean,
  onExists: () => void,
  createDate: Promise<string | undefined>,
): Promise<AccessReport> {
  const op = 'GetServiceLastAccessedDetails';
  const getPage = (marker?: string) =>
    ctx.session.send<GetServiceLastAccessedDetailsResponse>(
      op,
      new GetServiceLastAccessedDetailsCommand({ JobId: jobId, MaxItems: PAGE_SIZE, ...(marker ? { Marker: marker } : {}) }),
      signal,
      request,
    );
  emit({ phase: 'waiting', polls: 0 });
  const first = await pollUntilDone(() => getPage(), ctx, signal, emit, pollImmediately, onExists);
  if (first.JobStatus === 'FAILED') {
    throw new JobFailedError(jobId, first.Error?.Code ?? 'Unknown', first.Error?.Message ?? 'the job failed', request);
  }
  assertCompleted(op, first.JobStatus, request);
  const services: SdkServiceLastAccessed[] = await collectPages(first, (p) => p.ServicesLastAccessed, getPage, op, request, emit);
  let entities: Map<string, readonly EntityDetails[]> | undefined;
  if (request.withEntities) {
    const namespaces = [...new Set(services.map((s) => s.ServiceNamespace ?? ''))].filter(Boolean);
    const lists = await mapLimit(namespaces, ctx.entityConcurrency, (ns) => readEntities(request, jobId, ns, ctx, signal));
    entities = new Map(namespaces.map((ns, i) => [ns, lists[i]!]));
  }
  return buildServiceReport(request, jobId, first, services, entities, await createDate);
}

async function readEntities(
  request: ServiceRequest,
  jobId: string,
  namespace: string,
  ctx: JobContext,
  signal: AbortSignal,
): Promise<EntityDetails[]> {
  const op = 'GetServiceLastAccessedDetailsWithEntities';
  const out: EntityDetails[] = [];
  let marker: string | undefined;
  for (;;) {
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
    if (page.JobStatus === 'FAILED') {
      throw new JobFailedError(jobId, page.Error?.Code ?? 'Unknown', page.Error?.Message ?? 'the job failed', request);
    }
    out.push(...(page.EntityDetailsList ?? []).map(normalizeEntity));
    if (!page.IsTruncated) return out;
    marker = requireMarker(op, page.Marker, request);
  }
}

async function readOrganizationsJob(
  request: OrgRequest,
  jobId: string,
  ctx: JobContext,
  signal: AbortSignal,
  emit: Emit,
  pollImmediately: boolean,
  onExists: () => void,
): Promise<AccessReport> {
  const op = 'GetOrganizationsAccessReport';
  const getPage = (marker?: string) =>
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
    );
  emit({ phase: 'waiting', polls: 0 });
  const first = await pollUntilDone(() => getPage(), ctx, signal, emit, pollImmediately, onExists);
  if (first.JobStatus === 'FAILED') {
    throw new JobFailedError(
      jobId,
      first.ErrorDetails?.Code ?? 'Unknown',
      first.ErrorDetails?.Message ?? 'the job failed',
      request,
    );
  }
  assertCompleted(op, first.JobStatus, request);
  const details: SdkAccessDetail[] = await collectPages(first, (p) => p.AccessDetails, getPage, op, request, emit);
  return buildOrganizationsReport(request, jobId, first, details);
}

function assertCompleted(operation: string, status: string | undefined, request: ReportRequest): void {
  if (status !== 'COMPLETED') {
    throw new AwsRequestError(operation, 'IncompleteResponse', `unexpected JobStatus ${JSON.stringify(status)}`, request);
  }
}

/** Every item of a completed job: the first page's, then each page's while IsTruncated, following Marker. */
async function collectPages<P extends { IsTruncated?: boolean; Marker?: string }, I>(
  first: P,
  itemsOf: (page: P) => readonly I[] | undefined,
  getPage: (marker: string) => Promise<P>,
  op: string,
  request: ReportRequest,
  emit: (event: { phase: 'paging'; pages: number }) => void,
): Promise<I[]> {
  const items: I[] = [...(itemsOf(first) ?? [])];
  let pages = 1;
  emit({ phase: 'paging', pages });
  for (let page = first; page.IsTruncated; ) {
    page = await getPage(requireMarker(op, page.Marker, request));
    items.push(...(itemsOf(page) ?? []));
    emit({ phase: 'paging', pages: ++pages });
  }
  return items;
}

function requireMarker(operation: string, marker: string | undefined, request: ReportRequest): string {
  if (!marker) throw new AwsRequestError(operation, 'IncompleteResponse', 'IsTruncated without a Marker', request);
  return marker;
}

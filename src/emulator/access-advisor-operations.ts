import { JOB_ID_LENGTH, MARKER_PATTERN, MAX_ITEMS, ORGANIZATIONS_POLICY_ID_PATTERN, SERVICE_NAMESPACE_PATTERN, SERVICE_NAMESPACES_COUNT, parsePrincipalArn } from '../model/constraints';
import { GRANULARITIES, SORT_KEYS, type SortKey } from '../model/report';
import { ApiError, invalidInput, noSuchEntity } from './api-error';
import type { Job, JobState, ServiceJob } from './jobs';
import { computeOrgReport, resolveEntityPath, validateEntityPathSyntax, type AccessDetailRow } from './org-report';
import { pageRange, paginate } from './paging';
import { allowMatcher, grantsService } from './policy-scope';
import type { QueryParams } from './query';
import { pickMs } from './rng';
import { computeServiceReport, type ReportTarget, type ServiceRow } from './service-report';
import type { Caller, EmulatorState } from './state';
import { list, renderMember, RenderedMembers, type XmlNode } from './xml';

/** The six access-advisor operations of IAM's Query API, their parameters validated against IAM's documented constraints (model/constraints.ts). */

const DEFAULT_MAX_ITEMS = 100;

export function validJobId(params: QueryParams): string {
  const jobId = params.required('JobId');
  if (jobId.length !== JOB_ID_LENGTH) {
    throw invalidInput(`JobId "${jobId}" must be exactly ${JOB_ID_LENGTH} characters long.`);
  }
  return jobId;
}

export function pageSize(state: EmulatorState, params: QueryParams): number {
  const maxItems = params.integer('MaxItems');
  if (maxItems !== undefined && (maxItems < MAX_ITEMS.min || maxItems > MAX_ITEMS.max)) {
    throw invalidInput(`MaxItems ${maxItems} must be between ${MAX_ITEMS.min} and ${MAX_ITEMS.max}.`);
  }
  return Math.min(maxItems ?? DEFAULT_MAX_ITEMS, state.jobSettings.pageSize ?? Infinity);
}

export function validMarker(params: QueryParams): string | undefined {
  const marker = params.string('Marker');
  if (marker !== undefined && !MARKER_PATTERN.test(marker)) {
    throw invalidInput('Marker must be 1 to 320 characters in the range \\u0020-\\u00FF.');
  }
  return marker;
}

function validServiceNamespace(value: string, field: string): string {
  if (!SERVICE_NAMESPACE_PATTERN.test(value)) throw invalidInput(`${field} "${value}" must be 1-64 characters matching [\\w-]*.`);
  return value;
}

/** Looks an ARN up in the caller's account (AWS-managed policies exist in every account). */
function resolveTarget(state: EmulatorState, caller: Caller, arn: string, allowPolicies: boolean): ReportTarget {
  const parsed = parsePrincipalArn(arn);
  if ('error' in parsed) throw invalidInput(`Invalid ARN "${arn}": expected ${parsed.error}.`);
  if (parsed.kind === 'policy' && !allowPolicies) {
    throw invalidInput(`ARN "${arn}" must be the ARN of a user, group or role.`);
  }
  if (parsed.partition !== 'aws') throw noSuchEntity(`The entity ${arn} cannot be found.`);
  if (parsed.kind === 'policy') {
    const policy = state.model.policies.get(arn);
    if (!policy || (!policy.awsManaged && policy.account !== caller.account)) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
    return { kind: 'policy', policy };
  }
  const principal = state.model.principals.get(arn);
  if (!principal || principal.account !== caller.account) throw noSuchEntity(`The ${parsed.kind} with ARN ${arn} cannot be found.`);
  return { kind: 'principal', principal };
}

function newJobBase(state: EmulatorState, caller: Caller, target: string) {
  const failed = state.jobSettings.failTargets.some((t) => t.replace(/\/+$/, '') === target.replace(/\/+$/, ''));
  return {
    id: state.ids.uuid(),
    owner: caller.principal.arn,
    ...(caller.session ? { session: caller.session } : {}),
    account: caller.account,
    creationDate: state.clock(),
    startedAtMs: state.monotonicMs(),
    durationMs: pickMs(state.jobSettings.durationMs, state.durations),
    ...(failed
      ? { failure: { code: 'ReportGenerationFailed', message: `The report for ${target} could not be generated.` } }
      : {}),
  };
}

/**
 * A job exists for its owner only: IAM requires the generating principal to read it, and a job generated with
 * temporary credentials to be read in the same session — another session of the same role meets the same error
 * as another principal.
 */
function ownJob<K extends Job['kind']>(state: EmulatorState, caller: Caller, jobId: string, kind: K): Extract<Job, { kind: K }> {
  const job = state.jobs.get(jobId);
  if (!job || job.kind !== kind || job.owner !== caller.principal.arn || job.session !== caller.session) {
    throw noSuchEntity(`The job with ID ${jobId} cannot be found.`);
  }
  return job as Extract<Job, { kind: K }>;
}

export function generateServiceLastAccessedDetails(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const arn = params.required('Arn');
  const granularity = params.string('Granularity') ?? 'SERVICE_LEVEL';
  if (!(GRANULARITIES as readonly string[]).includes(granularity)) {
    throw invalidInput(`Granularity "${granularity}" must be one of ${GRANULARITIES.join(', ')}.`);
  }
  const target = resolveTarget(state, caller, arn, true);
  const base = newJobBase(state, caller, arn);
  const snapshot = computeServiceReport(state.model, state.catalog, target, caller.account, granularity === 'ACTION_LEVEL', base.creationDate);
  const job: ServiceJob = { ...base, kind: 'service', arn, granularity: granularity as 'SERVICE_LEVEL' | 'ACTION_LEVEL', snapshot };
  state.jobs.add(job);
  state.metrics.jobsGenerated.service++;
  // The report is written while the job runs, as IAM prepares it, a slice at a time between requests (so that the
  // generates of other jobs are not kept waiting): reading it later costs a slice. A failure here would be met
  // again, and answered, by the Get that reads the report.
  if (!base.failure) renderInIdleTime(servicesRendering(job));
  return { JobId: base.id };
}

function jobHeader(job: Job, jobState: JobState) {
  return {
    JobStatus: jobState.status,
    creation: job.creationDate,
    completion: jobState.status === 'IN_PROGRESS' ? undefined : jobState.completionDate,
    error: jobState.status === 'FAILED' ? { Message: jobState.failure.message, Code: jobState.failure.code } : undefined,
  };
}

/** What every Get of a job shares: JobId, MaxItems and Marker validated, and the caller's own job with its state. */
function openOwnJob<K extends Job['kind']>(state: EmulatorState, caller: Caller, params: QueryParams, kind: K) {
  const jobId = validJobId(params);
  const size = pageSize(state, params);
  const marker = validMarker(params);
  const job = ownJob(state, caller, jobId, kind);
  const jobState = state.jobs.state(job);
  return { job, jobState, h: jobHeader(job, jobState), size, marker };
}

export function getServiceLastAccessedDetails(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const { job, jobState, h, size, marker } = openOwnJob(state, caller, params, 'service');
  if (jobState.status !== 'COMPLETED') {
    return {
      JobStatus: h.JobStatus,
      JobType: job.granularity,
      JobCreationDate: h.creation,
      ServicesLastAccessed: list([]),
      JobCompletionDate: h.completion,
      Error: h.error,
    };
  }
  const members = servicesRendering(job).finish();
  const page = pageRange(members.length, `GetServiceLastAccessedDetails:${job.id}`, marker, size);
  return {
    JobStatus: h.JobStatus,
    JobType: job.granularity,
    JobCreationDate: h.creation,
    ServicesLastAccessed: members.slice(page.start, page.end),
    JobCompletionDate: h.completion,
    IsTruncated: page.isTruncated,
    Marker: page.marker,
  };
}

/** One service of a report as its `<member>` item of ServicesLastAccessed. */
function serviceMember(s: ServiceRow): XmlNode {
  return {
    ServiceName: s.serviceName,
    LastAuthenticated: s.lastAuthenticated,
    ServiceNamespace: s.serviceNamespace,
    LastAuthenticatedEntity: s.lastAuthenticatedEntity,
    LastAuthenticatedRegion: s.lastAuthenticatedRegion,
    TotalAuthenticatedEntities: s.totalAuthenticatedEntities,
    TrackedActionsLastAccessed:
      s.trackedActions && s.trackedActions.length > 0
        ? list(
            s.trackedActions.map((a) => ({
              ActionName: a.actionName,
              LastAccessedEntity: a.lastAccessedEntity,
              LastAccessedTime: a.lastAccessedTime,
              LastAccessedRegion: a.lastAccessedRegion,
            })),
          )
        : undefined,
  };
}

/**
 * A job's services rendered once, as IAM serves a finished report: the snapshot never changes, so every page (and
 * every repeated read of one) is a slice of the same items. Kept as long as the job is.
 */
class ServicesRendering {
  private readonly members: string[] = [];
  private done?: RenderedMembers;

  constructor(private readonly services: readonly ServiceRow[]) {}

  /** Renders up to `count` more services; true when all are (a Get may have finished the rendering first). */
  step(count: number): boolean {
    if (this.done) return true;
    const end = Math.min(this.services.length, this.members.length + count);
    while (this.members.length < end) this.members.push(renderedService(this.services[this.members.length]!));
    return this.members.length === this.services.length;
  }

  finish(): RenderedMembers {
    if (!this.done) {
      this.step(Infinity);
      this.done = new RenderedMembers(this.members);
      this.members.length = 0;
    }
    return this.done;
  }
}

const renderings = new WeakMap<ServiceJob, ServicesRendering>();
function servicesRendering(job: ServiceJob): ServicesRendering {
  let rendering = renderings.get(job);
  if (!rendering) {
    rendering = new ServicesRendering(job.snapshot.services);
    renderings.set(job, rendering);
  }
  return rendering;
}

/** Services rendered per turn of the event loop: a few ms, after which waiting requests are served. */
const SERVICES_PER_TURN = 25;

function renderInIdleTime(rendering: ServicesRendering): void {
  setImmediate(function turn() {
    try {
      if (rendering.step(SERVICES_PER_TURN)) rendering.finish();
      else setImmediate(turn);
    } catch {
      // answered by the Get
    }
  });
}

/**
 * A service's `<member>` is a function of its row alone, and the reports of principals with the same policies share
 * most rows (every service nobody used): each distinct row is rendered once. Bounded (a few MB at most: a row of a
 * service with many tracked actions is a few KB, key and member), since a long-running emulator sees ever new rows.
 */
const renderedRows = new Map<string, string>();
const RENDERED_ROWS_KEPT = 2_000;
function renderedService(row: ServiceRow): string {
  const key = JSON.stringify(row);
  let member = renderedRows.get(key);
  if (member === undefined) {
    member = renderMember(serviceMember(row));
    if (renderedRows.size >= RENDERED_ROWS_KEPT) renderedRows.clear();
    renderedRows.set(key, member);
  }
  return member;
}

export function getServiceLastAccessedDetailsWithEntities(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const namespace = validServiceNamespace(params.required('ServiceNamespace'), 'ServiceNamespace');
  const { job, jobState, h, size, marker } = openOwnJob(state, caller, params, 'service');
  if (jobState.status !== 'COMPLETED') {
    return {
      JobStatus: h.JobStatus,
      JobCreationDate: h.creation,
      JobCompletionDate: h.completion,
      EntityDetailsList: list([]),
      Error: h.error,
    };
  }
  const entities = job.snapshot.entities.get(namespace.toLowerCase()) ?? [];
  const page = paginate(entities, `GetServiceLastAccessedDetailsWithEntities:${job.id}:${namespace.toLowerCase()}`, marker, size);
  return {
    JobStatus: h.JobStatus,
    JobCreationDate: h.creation,
    JobCompletionDate: h.completion,
    EntityDetailsList: list(
      page.items.map((e) => ({
        EntityInfo: { Arn: e.arn, Name: e.name, Type: e.type, Id: e.id, Path: e.path },
        LastAuthenticated: e.lastAuthenticated,
      })),
    ),
    IsTruncated: page.isTruncated,
    Marker: page.marker,
  };
}

export function generateOrganizationsAccessReport(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const entityPath = params.required('EntityPath');
  validateEntityPathSyntax(entityPath);
  const policyId = params.string('OrganizationsPolicyId');
  if (policyId !== undefined && !ORGANIZATIONS_POLICY_ID_PATTERN.test(policyId)) {
    throw invalidInput(`OrganizationsPolicyId "${policyId}" must match ^p-[0-9a-zA-Z_]{8,128}$.`);
  }
  const resolved = resolveEntityPath(state.model, entityPath);
  if (caller.account !== resolved.org.managementAccountId) {
    throw new ApiError(
      403,
      'AccessDenied',
      `User: ${caller.principal.arn} is not authorized to perform: iam:GenerateOrganizationsAccessReport: only the management account of ${resolved.org.id} can.`,
    );
  }
  const running = state.jobs.runningOrganizationsJobs(caller.account);
  if (running >= state.jobSettings.maxConcurrentOrgJobs) {
    throw new ApiError(
      409,
      'ReportGenerationLimitExceeded',
      'The request failed because the maximum number of concurrent requests for this account are already running.',
    );
  }
  const base = newJobBase(state, caller, entityPath);
  const snapshot = computeOrgReport(state.model, state.catalog, resolved, policyId, base.creationDate);
  state.jobs.add({ ...base, kind: 'organizations', entityPath, snapshot });
  state.metrics.jobsGenerated.organizations++;
  return { JobId: base.id };
}

function sortAccessDetails(rows: readonly AccessDetailRow[], sortKey: SortKey | undefined): AccessDetailRow[] {
  const byNamespace = (a: AccessDetailRow, b: AccessDetailRow) => a.serviceNamespace.localeCompare(b.serviceNamespace);
  // Never-accessed services count as the oldest: first when ascending, last when descending.
  const time = (r: AccessDetailRow) => r.lastAuthenticatedTime?.getTime() ?? -Infinity;
  const sorted = [...rows];
  switch (sortKey) {
    case 'SERVICE_NAMESPACE_DESCENDING':
      return sorted.sort((a, b) => byNamespace(b, a));
    case 'LAST_AUTHENTICATED_TIME_ASCENDING':
      return sorted.sort((a, b) => (time(a) === time(b) ? byNamespace(a, b) : time(a) < time(b) ? -1 : 1));
    case 'LAST_AUTHENTICATED_TIME_DESCENDING':
      return sorted.sort((a, b) => (time(a) === time(b) ? byNamespace(a, b) : time(a) > time(b) ? -1 : 1));
    default:
      return sorted.sort(byNamespace);
  }
}

export function getOrganizationsAccessReport(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const sortKey = params.string('SortKey');
  if (sortKey !== undefined && !(SORT_KEYS as readonly string[]).includes(sortKey)) {
    throw invalidInput(`SortKey "${sortKey}" must be one of ${SORT_KEYS.join(', ')}.`);
  }
  const { job, jobState, h, size, marker } = openOwnJob(state, caller, params, 'organizations');
  if (jobState.status !== 'COMPLETED') {
    return { JobStatus: h.JobStatus, JobCreationDate: h.creation, JobCompletionDate: h.completion, ErrorDetails: h.error };
  }
  const rows = sortAccessDetails(job.snapshot.accessDetails, sortKey as SortKey | undefined);
  const page = paginate(rows, `GetOrganizationsAccessReport:${job.id}:${sortKey ?? ''}`, marker, size);
  return {
    JobStatus: h.JobStatus,
    JobCreationDate: h.creation,
    JobCompletionDate: h.completion,
    NumberOfServicesAccessible: job.snapshot.numberOfServicesAccessible,
    NumberOfServicesNotAccessed: job.snapshot.numberOfServicesNotAccessed,
    AccessDetails: list(
      page.items.map((r) => ({
        ServiceName: r.serviceName,
        ServiceNamespace: r.serviceNamespace,
        Region: r.region,
        EntityPath: r.entityPath,
        LastAuthenticatedTime: r.lastAuthenticatedTime,
        TotalAuthenticatedEntities: r.totalAuthenticatedEntities,
      })),
    ),
    IsTruncated: page.isTruncated,
    Marker: page.marker,
  };
}

export function listPoliciesGrantingServiceAccess(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const arn = params.required('Arn');
  const namespaces = params.list('ServiceNamespaces');
  if (namespaces === undefined) {
    throw new ApiError(400, 'MissingParameter', 'The request must contain the parameter ServiceNamespaces.');
  }
  if (namespaces.length < SERVICE_NAMESPACES_COUNT.min || namespaces.length > SERVICE_NAMESPACES_COUNT.max) {
    throw invalidInput(
      `ServiceNamespaces has ${namespaces.length} items; it must have ${SERVICE_NAMESPACES_COUNT.min} to ${SERVICE_NAMESPACES_COUNT.max}.`,
    );
  }
  namespaces.forEach((ns, i) => validServiceNamespace(ns, `ServiceNamespaces.member.${i + 1}`));
  const marker = validMarker(params);
  const target = resolveTarget(state, caller, arn, false);
  if (target.kind !== 'principal') throw invalidInput(`ARN "${arn}" must be the ARN of a user, group or role.`);

  // User: own policies plus its groups'; group and role: own only.
  const owners = [target.principal, ...(target.principal.kind === 'user' ? target.principal.related.map((g) => state.model.principals.get(g)!) : [])];
  const candidates = owners.flatMap((owner) => [
    ...owner.attachedPolicies.map((policyArn) => {
      const policy = state.model.policies.get(policyArn)!;
      return { entry: { PolicyName: policy.name, PolicyType: 'MANAGED', PolicyArn: policy.arn }, matcher: allowMatcher([policy.document]) };
    }),
    ...[...owner.inlinePolicies].map(([name, document]) => ({
      entry: { PolicyName: name, PolicyType: 'INLINE', EntityType: owner.kind.toUpperCase(), EntityName: owner.name },
      matcher: allowMatcher([document]),
    })),
  ]);
  const entries = namespaces.map((namespace) => ({
    ServiceNamespace: namespace,
    Policies: list(candidates.filter((c) => grantsService(c.matcher, namespace.toLowerCase(), state.catalog)).map((c) => c.entry as XmlNode)),
  }));
  const page = paginate(entries, `ListPoliciesGrantingServiceAccess:${caller.principal.arn}:${arn}:${namespaces.join(',')}`, marker, state.jobSettings.pageSize ?? 200);
  return { PoliciesGrantingServiceAccess: list(page.items), IsTruncated: page.isTruncated, Marker: page.marker };
}

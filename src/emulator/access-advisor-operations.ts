import { JOB_ID_LENGTH, MARKER_PATTERN, MAX_ITEMS, ORGANIZATIONS_POLICY_ID_PATTERN, SERVICE_NAMESPACE_PATTERN, SERVICE_NAMESPACES_COUNT, parsePrincipalArn } from '../model/constraints';
import { GRANULARITIES, SORT_KEYS, type SortKey } from '../model/report';
import { ApiError, invalidInput, noSuchEntity } from './api-error';
import type { Job, JobState, ServiceJob } from './jobs';
import { computeOrgReport, resolveEntityPath, validateEntityPathSyntax, type AccessDetailRow } from './org-report';
import { pageRange, paginate } from './paging';
import { allowMatcher, grantsService } from './policy-scope';
import type { QueryParams } from './query';
import { pickMs } from './rng';
import { ServiceReportComputation, type ReportTarget } from './service-report';
import { PreparedServiceReport } from './service-report-preparation';
import type { Caller, EmulatorState } from './state';
import { list, type XmlNode } from './xml';

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
  // What the report reads of the world is taken now; its services are computed and rendered while the job runs,
  // in the emulator's idle time, as IAM prepares a report during its job (service-report-preparation.ts).
  const computation = new ServiceReportComputation(state.model, state.catalog, target, caller.account, granularity === 'ACTION_LEVEL', base.creationDate);
  const report = new PreparedServiceReport(computation);
  const job: ServiceJob = { ...base, kind: 'service', arn, granularity: granularity as 'SERVICE_LEVEL' | 'ACTION_LEVEL', report };
  state.jobs.add(job);
  state.metrics.jobsGenerated.service++;
  // A failed job's report is never read.
  if (!base.failure) state.preparations.add(report);
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
  const members = job.report.renderedMembers();
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
  const entities = job.report.report().entities.get(namespace.toLowerCase()) ?? [];
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

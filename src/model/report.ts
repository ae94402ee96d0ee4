/**
 * The normalized access-advisor model: AWS response names in lowerCamelCase, dates as ISO-8601 strings,
 * every page merged. Shared by the engine, the cache, the external program, the CLI and the emulator,
 * so it must stay JSON-serializable and versioned.
 */

export const REPORT_SCHEMA_VERSION = 1;

export const GRANULARITIES = ['SERVICE_LEVEL', 'ACTION_LEVEL'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/**
 * Our default for every request and decision. IAM's own API default is SERVICE_LEVEL; ours is ACTION_LEVEL because
 * only an action-level report shows the unused actions of a service the principal uses (where least privilege matters
 * most), the job costs the same, and at this one default `tighten` removes exactly what the gate flags. The engine
 * always sends the granularity to IAM explicitly, so IAM's default never applies.
 */
export const DEFAULT_GRANULARITY: Granularity = 'ACTION_LEVEL';

export const JOB_STATUSES = ['IN_PROGRESS', 'COMPLETED', 'FAILED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const SORT_KEYS = [
  'SERVICE_NAMESPACE_ASCENDING',
  'SERVICE_NAMESPACE_DESCENDING',
  'LAST_AUTHENTICATED_TIME_ASCENDING',
  'LAST_AUTHENTICATED_TIME_DESCENDING',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export type EntityType = 'USER' | 'ROLE' | 'GROUP';
export type PrincipalKind = 'user' | 'group' | 'role' | 'policy';

// ---------------------------------------------------------------------------------------------------------------
// Requests

export interface ServiceLastAccessedRequest {
  /** ARN of a user, group, role or managed policy (customer or AWS-managed). */
  readonly arn: string;
  /** Defaults to DEFAULT_GRANULARITY (ACTION_LEVEL), not IAM's SERVICE_LEVEL; always sent to IAM explicitly. */
  readonly granularity?: Granularity;
  /** Also read, per service namespace, which users/roles used it (GetServiceLastAccessedDetailsWithEntities). */
  readonly withEntities?: boolean;
}

export interface OrganizationsAccessRequest {
  /** `o-…/r-…[/ou-…]*[/account]` */
  readonly entityPath: string;
  /** An SCP id (`p-…`): report only the services that policy allows. */
  readonly organizationsPolicyId?: string;
  readonly sortKey?: SortKey;
}

export type ReportRequest =
  | ({ readonly kind: 'service-last-accessed' } & ServiceLastAccessedRequest)
  | ({ readonly kind: 'organizations-access' } & OrganizationsAccessRequest);

export interface PoliciesGrantingServiceAccessRequest {
  /** ARN of a user, group or role. */
  readonly arn: string;
  /** 1 to 200 service namespaces. */
  readonly serviceNamespaces: readonly string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Service last accessed

export interface TrackedActionLastAccessed {
  readonly actionName: string;
  readonly lastAccessedEntity?: string;
  readonly lastAccessedTime?: string;
  readonly lastAccessedRegion?: string;
}

export interface EntityInfo {
  readonly arn: string;
  readonly name: string;
  readonly type: EntityType;
  readonly id: string;
  readonly path?: string;
}

export interface EntityDetails {
  readonly entityInfo: EntityInfo;
  readonly lastAuthenticated?: string;
}

export interface ServiceLastAccessed {
  readonly serviceName: string;
  readonly serviceNamespace: string;
  /** Absent: no authenticated attempt in the tracking window (at least 400 days). */
  readonly lastAuthenticated?: string;
  readonly lastAuthenticatedEntity?: string;
  readonly lastAuthenticatedRegion?: string;
  readonly totalAuthenticatedEntities?: number;
  /** ACTION_LEVEL only, and only for services IAM tracks at action level. */
  readonly trackedActionsLastAccessed?: readonly TrackedActionLastAccessed[];
  /** Only with `withEntities`: every page of GetServiceLastAccessedDetailsWithEntities for this namespace. */
  readonly entities?: readonly EntityDetails[];
}

export interface ServiceLastAccessedReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly kind: 'service-last-accessed';
  readonly arn: string;
  readonly granularity: Granularity;
  readonly withEntities: boolean;
  readonly jobId: string;
  readonly jobStatus: 'COMPLETED';
  readonly jobType?: Granularity;
  readonly jobCreationDate: string;
  readonly jobCompletionDate: string;
  /** When the principal was created, if the caller could read it: decides "insufficient history". */
  readonly principalCreateDate?: string;
  readonly servicesLastAccessed: readonly ServiceLastAccessed[];
}

// ---------------------------------------------------------------------------------------------------------------
// Organizations

export interface AccessDetail {
  readonly serviceName: string;
  readonly serviceNamespace: string;
  readonly region?: string;
  readonly entityPath?: string;
  readonly lastAuthenticatedTime?: string;
  /** Number of accounts (not principals) that used the service. */
  readonly totalAuthenticatedEntities?: number;
}

export interface OrganizationsAccessReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly kind: 'organizations-access';
  readonly entityPath: string;
  readonly organizationsPolicyId?: string;
  readonly sortKey?: SortKey;
  readonly jobId: string;
  readonly jobStatus: 'COMPLETED';
  readonly jobCreationDate: string;
  readonly jobCompletionDate: string;
  readonly numberOfServicesAccessible?: number;
  readonly numberOfServicesNotAccessed?: number;
  readonly accessDetails: readonly AccessDetail[];
}

export type AccessReport = ServiceLastAccessedReport | OrganizationsAccessReport;

// ---------------------------------------------------------------------------------------------------------------
// Policies granting service access (current state, no job)

export interface PolicyGrantingServiceAccess {
  readonly policyName: string;
  readonly policyType: 'INLINE' | 'MANAGED';
  readonly policyArn?: string;
  readonly entityType?: EntityType;
  readonly entityName?: string;
}

export interface PoliciesGrantingServiceAccessResult {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly kind: 'policies-granting-service-access';
  readonly arn: string;
  readonly policiesGrantingServiceAccess: readonly {
    readonly serviceNamespace: string;
    readonly policies: readonly PolicyGrantingServiceAccess[];
  }[];
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers every layer needs

export function requestOf(report: AccessReport): ReportRequest {
  if (report.kind === 'service-last-accessed') {
    return {
      kind: 'service-last-accessed',
      arn: report.arn,
      granularity: report.granularity,
      withEntities: report.withEntities,
    };
  }
  return {
    kind: 'organizations-access',
    entityPath: report.entityPath,
    ...(report.organizationsPolicyId !== undefined ? { organizationsPolicyId: report.organizationsPolicyId } : {}),
    ...(report.sortKey !== undefined ? { sortKey: report.sortKey } : {}),
  };
}

/** One line naming a request, for errors, logs and progress. Never includes credentials. */
export function describeRequest(request: ReportRequest): string {
  if (request.kind === 'service-last-accessed') {
    const parts = [request.arn, request.granularity ?? DEFAULT_GRANULARITY];
    if (request.withEntities) parts.push('with entities');
    return `service-last-accessed ${parts.join(' ')}`;
  }
  const parts = [request.entityPath];
  if (request.organizationsPolicyId) parts.push(`policy ${request.organizationsPolicyId}`);
  if (request.sortKey) parts.push(request.sortKey);
  return `organizations-access ${parts.join(' ')}`;
}

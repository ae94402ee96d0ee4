import type {
  AccessDetail as SdkAccessDetail,
  EntityDetails as SdkEntityDetails,
  GetOrganizationsAccessReportResponse,
  GetServiceLastAccessedDetailsResponse,
  ListPoliciesGrantingServiceAccessEntry,
  ServiceLastAccessed as SdkServiceLastAccessed,
} from '@aws-sdk/client-iam';
import { AwsRequestError } from '../model/errors';
import {
  DEFAULT_GRANULARITY,
  REPORT_SCHEMA_VERSION,
  type AccessDetail,
  type EntityDetails,
  type EntityType,
  type Granularity,
  type OrganizationsAccessReport,
  type PoliciesGrantingServiceAccessResult,
  type PolicyGrantingServiceAccess,
  type ReportRequest,
  type ServiceLastAccessed,
  type ServiceLastAccessedReport,
  type TrackedActionLastAccessed,
} from '../model/report';

/**
 * SDK responses → the normalized model: lowerCamelCase, ISO-8601 dates, absent stays absent (never null), every
 * page merged by the caller. Required fields IAM failed to send make the report an error, never a partial report.
 */

type ServiceRequest = Extract<ReportRequest, { kind: 'service-last-accessed' }>;
type OrgRequest = Extract<ReportRequest, { kind: 'organizations-access' }>;

export function isoDate(value: Date | string | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function required<T>(operation: string, field: string, value: T | undefined, request: ReportRequest): T {
  if (value === undefined || value === null) {
    throw new AwsRequestError(operation, 'IncompleteResponse', `IAM sent no ${field}`, request);
  }
  return value;
}

/** Adds `key: value` only when value is defined, keeping reports free of undefined-valued keys. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined || value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * One service, its fields in a fixed order (the order reports are written in). Assigned one by one rather than
 * spread: a 400-service page has 400 of them, and six spreads each made six objects more per service.
 */
export function normalizeService(s: SdkServiceLastAccessed, entities?: readonly EntityDetails[]): ServiceLastAccessed {
  const out: { -readonly [K in keyof ServiceLastAccessed]: ServiceLastAccessed[K] } = {
    serviceName: s.ServiceName ?? '',
    serviceNamespace: s.ServiceNamespace ?? '',
  };
  const lastAuthenticated = isoDate(s.LastAuthenticated);
  if (lastAuthenticated !== undefined) out.lastAuthenticated = lastAuthenticated;
  if (s.LastAuthenticatedEntity !== undefined && s.LastAuthenticatedEntity !== null) out.lastAuthenticatedEntity = s.LastAuthenticatedEntity;
  if (s.LastAuthenticatedRegion !== undefined && s.LastAuthenticatedRegion !== null) out.lastAuthenticatedRegion = s.LastAuthenticatedRegion;
  if (s.TotalAuthenticatedEntities !== undefined && s.TotalAuthenticatedEntities !== null) out.totalAuthenticatedEntities = s.TotalAuthenticatedEntities;
  if (s.TrackedActionsLastAccessed !== undefined && s.TrackedActionsLastAccessed !== null) {
    out.trackedActionsLastAccessed = s.TrackedActionsLastAccessed.map(normalizeTrackedAction);
  }
  if (entities !== undefined && entities !== null) out.entities = entities;
  return out;
}

/**
 * A tracked action nobody used is only its name, the same in every report that lists it: one frozen object per name,
 * shared by all of them. A 400-service ACTION_LEVEL report lists thousands of actions, most of them unused, and a
 * run keeps every report it read until it returns (a second object per action made and kept per report, and copied
 * by every garbage collection that finds the report alive). Bounded like the interned names: past the bound an
 * action gets an object of its own.
 */
const unusedActions = new Map<string, TrackedActionLastAccessed>();
const UNUSED_ACTIONS_KEPT = 30_000;
function unusedAction(actionName: string): TrackedActionLastAccessed {
  let action = unusedActions.get(actionName);
  if (action === undefined) {
    action = Object.freeze({ actionName });
    if (unusedActions.size < UNUSED_ACTIONS_KEPT) unusedActions.set(actionName, action);
  }
  return action;
}

/**
 * One tracked action, its fields in the same order as the other normalisers write them. Assigned one by one rather
 * than spread: a 400-service ACTION_LEVEL page carries thousands of them.
 */
function normalizeTrackedAction(a: NonNullable<SdkServiceLastAccessed['TrackedActionsLastAccessed']>[number]): TrackedActionLastAccessed {
  if (
    (a.LastAccessedEntity === undefined || a.LastAccessedEntity === null) &&
    (a.LastAccessedTime === undefined || a.LastAccessedTime === null) &&
    (a.LastAccessedRegion === undefined || a.LastAccessedRegion === null)
  ) {
    return unusedAction(a.ActionName ?? '');
  }
  const out: { -readonly [K in keyof TrackedActionLastAccessed]: TrackedActionLastAccessed[K] } = { actionName: a.ActionName ?? '' };
  if (a.LastAccessedEntity !== undefined && a.LastAccessedEntity !== null) out.lastAccessedEntity = a.LastAccessedEntity;
  const time = isoDate(a.LastAccessedTime);
  if (time !== undefined) out.lastAccessedTime = time;
  if (a.LastAccessedRegion !== undefined && a.LastAccessedRegion !== null) out.lastAccessedRegion = a.LastAccessedRegion;
  return out;
}

export function normalizeEntity(e: SdkEntityDetails): EntityDetails {
  const info = e.EntityInfo;
  return {
    entityInfo: {
      arn: info?.Arn ?? '',
      name: info?.Name ?? '',
      type: (info?.Type ?? 'USER') as EntityType,
      id: info?.Id ?? '',
      ...opt('path', info?.Path),
    },
    ...opt('lastAuthenticated', isoDate(e.LastAuthenticated)),
  };
}

export function buildServiceReport(
  request: ServiceRequest,
  jobId: string,
  first: GetServiceLastAccessedDetailsResponse,
  services: readonly SdkServiceLastAccessed[],
  entitiesByNamespace: ReadonlyMap<string, readonly EntityDetails[]> | undefined,
  principalCreateDate: string | undefined,
): ServiceLastAccessedReport {
  const op = 'GetServiceLastAccessedDetails';
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: 'service-last-accessed',
    arn: request.arn,
    granularity: request.granularity ?? DEFAULT_GRANULARITY,
    withEntities: request.withEntities ?? false,
    jobId,
    jobStatus: 'COMPLETED',
    ...opt('jobType', first.JobType as Granularity | undefined),
    jobCreationDate: required(op, 'JobCreationDate', isoDate(first.JobCreationDate), request),
    jobCompletionDate: required(op, 'JobCompletionDate', isoDate(first.JobCompletionDate), request),
    ...opt('principalCreateDate', principalCreateDate),
    servicesLastAccessed: services.map((s) =>
      normalizeService(s, entitiesByNamespace ? (entitiesByNamespace.get(s.ServiceNamespace ?? '') ?? []) : undefined),
    ),
  };
}

export function normalizeAccessDetail(d: SdkAccessDetail): AccessDetail {
  return {
    serviceName: d.ServiceName ?? '',
    serviceNamespace: d.ServiceNamespace ?? '',
    ...opt('region', d.Region),
    ...opt('entityPath', d.EntityPath),
    ...opt('lastAuthenticatedTime', isoDate(d.LastAuthenticatedTime)),
    ...opt('totalAuthenticatedEntities', d.TotalAuthenticatedEntities),
  };
}

export function buildOrganizationsReport(
  request: OrgRequest,
  jobId: string,
  first: GetOrganizationsAccessReportResponse,
  details: readonly SdkAccessDetail[],
): OrganizationsAccessReport {
  const op = 'GetOrganizationsAccessReport';
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: 'organizations-access',
    entityPath: request.entityPath,
    ...opt('organizationsPolicyId', request.organizationsPolicyId),
    ...opt('sortKey', request.sortKey),
    jobId,
    jobStatus: 'COMPLETED',
    jobCreationDate: required(op, 'JobCreationDate', isoDate(first.JobCreationDate), request),
    jobCompletionDate: required(op, 'JobCompletionDate', isoDate(first.JobCompletionDate), request),
    ...opt('numberOfServicesAccessible', first.NumberOfServicesAccessible),
    ...opt('numberOfServicesNotAccessed', first.NumberOfServicesNotAccessed),
    accessDetails: details.map(normalizeAccessDetail),
  };
}

export function buildPoliciesResult(
  arn: string,
  entries: readonly ListPoliciesGrantingServiceAccessEntry[],
): PoliciesGrantingServiceAccessResult {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: 'policies-granting-service-access',
    arn,
    policiesGrantingServiceAccess: entries.map((e) => ({
      serviceNamespace: e.ServiceNamespace ?? '',
      policies: (e.Policies ?? []).map(
        (p): PolicyGrantingServiceAccess => ({
          policyName: p.PolicyName ?? '',
          policyType: (p.PolicyType ?? 'MANAGED') as PolicyGrantingServiceAccess['policyType'],
          ...opt('policyArn', p.PolicyArn),
          ...opt('entityType', p.EntityType as EntityType | undefined),
          ...opt('entityName', p.EntityName),
        }),
      ),
    })),
  };
}

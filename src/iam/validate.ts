import {
  JOB_ID_LENGTH,
  ORGANIZATIONS_POLICY_ID_PATTERN,
  PARTITIONS,
  SERVICE_NAMESPACE_PATTERN,
  SERVICE_NAMESPACES_COUNT,
  ENTITY_PATH_LENGTH,
  isEntityPath,
  entityPathProblem,
  parsePrincipalArn,
} from '../model/constraints';
import { InvalidRequestError } from '../model/errors';
import {
  DEFAULT_GRANULARITY,
  GRANULARITIES,
  SORT_KEYS,
  type Granularity,
  type PoliciesGrantingServiceAccessRequest,
  type PrincipalKind,
  type ReportRequest,
  type SortKey,
} from '../model/report';

/**
 * Every check here runs before any AWS call, so a typo costs nothing and the error names the field, the value and
 * what would have been accepted. The returned requests are fresh objects holding only known fields, with IAM's
 * defaults filled in (granularity DEFAULT_GRANULARITY = ACTION_LEVEL, not IAM's SERVICE_LEVEL; withEntities false), so equal intents compare equal.
 */

const KINDS = ['service-last-accessed', 'organizations-access'] as const;
const REPORT_PRINCIPALS: readonly PrincipalKind[] = ['user', 'group', 'role', 'policy'];
const POLICY_LOOKUP_PRINCIPALS: readonly PrincipalKind[] = ['user', 'group', 'role'];

/** Longest timeout we accept: a day is already far beyond any job; larger numbers are almost certainly a unit mix-up. */
export const MAX_TIMEOUT_MS = 86_400_000;

export function validatePrincipalArn(field: string, arn: unknown, kinds: readonly PrincipalKind[]): string {
  const allowedKinds = kinds.join(', ');
  if (typeof arn !== 'string') {
    throw new InvalidRequestError(field, arn, `an IAM ARN string of a ${allowedKinds}`);
  }
  const parsed = parsePrincipalArn(arn);
  if ('error' in parsed) {
    throw new InvalidRequestError(field, arn, `${parsed.error} (the ARN of a ${allowedKinds}; partitions ${PARTITIONS.join(', ')})`);
  }
  if (!kinds.includes(parsed.kind)) {
    throw new InvalidRequestError(field, arn, `the ARN of a ${allowedKinds}, not a ${parsed.kind}`);
  }
  return arn;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidRequestError(field, value, `one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function validateReportRequest(req: ReportRequest): ReportRequest {
  if (req === null || typeof req !== 'object') {
    throw new InvalidRequestError('request', req, 'an object with kind "service-last-accessed" or "organizations-access"');
  }
  const kind = oneOf('kind', (req as { kind?: unknown }).kind, KINDS);
  if (kind === 'service-last-accessed') {
    const r = req as Extract<ReportRequest, { kind: 'service-last-accessed' }>;
    const arn = validatePrincipalArn('arn', r.arn, REPORT_PRINCIPALS);
    const granularity: Granularity =
      r.granularity === undefined ? DEFAULT_GRANULARITY : oneOf('granularity', r.granularity, GRANULARITIES);
    if (r.withEntities !== undefined && typeof r.withEntities !== 'boolean') {
      throw new InvalidRequestError('withEntities', r.withEntities, 'true or false');
    }
    return { kind, arn, granularity, withEntities: r.withEntities ?? false };
  }
  const r = req as Extract<ReportRequest, { kind: 'organizations-access' }>;
  const pathProblem = typeof r.entityPath === 'string' && isEntityPath(r.entityPath) ? entityPathProblem(r.entityPath) : 'malformed';
  if (pathProblem) {
    throw new InvalidRequestError(
      'entityPath',
      r.entityPath,
      `an Organizations entity path o-…/r-…[/ou-…]*[/ACCOUNT] of ${ENTITY_PATH_LENGTH.min} to ${ENTITY_PATH_LENGTH.max} characters` +
        (pathProblem === 'malformed' ? '' : ` (${pathProblem})`),
    );
  }
  if (r.organizationsPolicyId !== undefined) {
    if (typeof r.organizationsPolicyId !== 'string' || !ORGANIZATIONS_POLICY_ID_PATTERN.test(r.organizationsPolicyId)) {
      throw new InvalidRequestError('organizationsPolicyId', r.organizationsPolicyId, 'an SCP id p-[0-9a-zA-Z_]{8,128}');
    }
  }
  const sortKey: SortKey | undefined = r.sortKey === undefined ? undefined : oneOf('sortKey', r.sortKey, SORT_KEYS);
  return {
    kind,
    entityPath: r.entityPath,
    ...(r.organizationsPolicyId !== undefined ? { organizationsPolicyId: r.organizationsPolicyId } : {}),
    ...(sortKey !== undefined ? { sortKey } : {}),
  };
}

export function validatePoliciesRequest(req: PoliciesGrantingServiceAccessRequest): PoliciesGrantingServiceAccessRequest {
  if (req === null || typeof req !== 'object') {
    throw new InvalidRequestError('request', req, 'an object { arn, serviceNamespaces }');
  }
  const arn = validatePrincipalArn('arn', req.arn, POLICY_LOOKUP_PRINCIPALS);
  const namespaces = req.serviceNamespaces;
  const countRule = `${SERVICE_NAMESPACES_COUNT.min} to ${SERVICE_NAMESPACES_COUNT.max} service namespaces`;
  if (!Array.isArray(namespaces)) throw new InvalidRequestError('serviceNamespaces', namespaces, `an array of ${countRule}`);
  if (namespaces.length < SERVICE_NAMESPACES_COUNT.min || namespaces.length > SERVICE_NAMESPACES_COUNT.max) {
    throw new InvalidRequestError('serviceNamespaces', `${namespaces.length} items`, countRule);
  }
  namespaces.forEach((ns, i) => {
    if (typeof ns !== 'string' || !SERVICE_NAMESPACE_PATTERN.test(ns)) {
      throw new InvalidRequestError(`serviceNamespaces[${i}]`, ns, 'a service namespace of 1 to 64 characters from [A-Za-z0-9_-]');
    }
  });
  return { arn, serviceNamespaces: [...namespaces] };
}

export function validateTimeoutMs(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) {
    throw new InvalidRequestError('timeoutMs', value, `an integer number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`);
  }
  return value;
}

export function validateJobId(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length !== JOB_ID_LENGTH) {
    throw new InvalidRequestError('jobId', value, `a job id of exactly ${JOB_ID_LENGTH} characters (as returned by Generate…)`);
  }
  return value;
}

export function validatePositive(field: string, value: unknown, integer: boolean, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max || (integer && !Number.isInteger(value))) {
    throw new InvalidRequestError(field, value, `a ${integer ? 'whole' : 'positive'} number greater than 0 and at most ${max}`);
  }
  return value;
}

/** A canonical, stable key for a request (defaults filled), used for deduplication and caches. */
export function reportRequestKey(req: ReportRequest): string {
  const r = validateReportRequest(req);
  if (r.kind === 'service-last-accessed') {
    return JSON.stringify([r.kind, r.arn, r.granularity, r.withEntities]);
  }
  return JSON.stringify([r.kind, r.entityPath, r.organizationsPolicyId ?? null, r.sortKey ?? null]);
}

import { AccessAdvisorError, type ErrorKind } from '../model/errors';
import { DEFAULT_GRANULARITY, GRANULARITIES, SORT_KEYS } from '../model/report';
import type { Granularity, ReportRequest, SortKey } from '../model/report';
import type { PermissionException, PolicyDocument } from '../analysis/types';
import { parsePolicyDocument, refuseDuplicateKeys } from '../analysis/policy-document';

/**
 * The vocabulary of the plan-time program, shared by the program and the construct that emits its
 * `data "external"` block. Terraform's external provider passes the query as a flat JSON object of strings and
 * accepts only a flat JSON object of strings back (it rejects any other value type), so every key here is a
 * string-valued key and nested data travels as JSON inside a string.
 *
 * This module must stay free of the AWS SDK and of cdktf: the construct imports it at synth time.
 */

export const EXTERNAL_QUERY_KEYS = [
  'kind',
  'arn',
  'granularity',
  'with_entities',
  'entity_path',
  'organizations_policy_id',
  'sort_key',
  'region',
  'profile',
  'role_arn',
  'endpoint',
  'timeout_seconds',
  'unused_after_days',
  'max_report_age_days',
  'allow',
  'policies',
  'judge_unknown_history',
  'progress',
] as const;
export type ExternalQueryKey = (typeof EXTERNAL_QUERY_KEYS)[number];

export const SERVICE_RESULT_KEYS = [
  'kind',
  'arn',
  'granularity',
  'report',
  'job_id',
  'job_status',
  'job_completion_date',
  'service_count',
  'used_services',
  'unused_services',
  'used_actions',
  'unused_actions',
  'used_service_count',
  'unused_service_count',
  'unused_action_count',
  'violations',
  'violation_count',
  'all_used',
  'passed',
  'evidence_status',
  'evidence_reason',
  'unused_after_days',
  'summary',
] as const;

export const ORGANIZATIONS_RESULT_KEYS = [
  'kind',
  'entity_path',
  'report',
  'job_id',
  'job_status',
  'job_completion_date',
  'service_count',
  'accessed_services',
  'not_accessed_services',
  'accessed_service_count',
  'not_accessed_service_count',
  'number_of_services_accessible',
  'number_of_services_not_accessed',
  'summary',
] as const;

export type ServiceResultKey = (typeof SERVICE_RESULT_KEYS)[number];
export type OrganizationsResultKey = (typeof ORGANIZATIONS_RESULT_KEYS)[number];
export type ExternalResultKey = ServiceResultKey | OrganizationsResultKey;

/** Result keys whose value is JSON inside the string (decode with `jsondecode`). */
export const JSON_RESULT_KEYS: readonly ExternalResultKey[] = [
  'report',
  'used_services',
  'unused_services',
  'used_actions',
  'unused_actions',
  'violations',
  'accessed_services',
  'not_accessed_services',
];

/** Env var that turns on progress lines on stderr (Terraform logs them at TRACE). */
export const PROGRESS_ENV = 'ACCESS_ADVISOR_EXTERNAL_PROGRESS';

/** Default bound of one run: well under the ~30 minutes after which Terraform's external provider kills programs. */
export const DEFAULT_TIMEOUT_SECONDS = 600;
export const MAX_TIMEOUT_SECONDS = 1800;

/** The query, validated and typed. */
export interface ExternalQuery {
  readonly request: ReportRequest;
  readonly connection: {
    readonly region?: string;
    readonly profile?: string;
    readonly roleArn?: string;
    readonly endpoint?: string;
  };
  readonly timeoutMs: number;
  readonly unusedAfterDays?: number;
  readonly maxReportAgeDays?: number;
  readonly allow: readonly PermissionException[];
  /**
   * The policies the principal will hold (e.g. a tightened policy of the same stack): unused permissions they no
   * longer grant are not violations. Absent: judge what IAM grants today.
   */
  readonly policies?: readonly PolicyDocument[];
  /** Judge a principal whose age cannot be read (status unknown-history) as if its history were long enough. */
  readonly judgeUnknownHistory: boolean;
  readonly progress: boolean;
}

/** A query that breaks the protocol; the message names the key, the value and what is allowed. */
export class ExternalQueryError extends AccessAdvisorError {
  readonly kind: ErrorKind = 'input';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

const KINDS = ['service-last-accessed', 'organizations-access'] as const;
const SERVICE_ONLY: readonly ExternalQueryKey[] = [
  'arn',
  'granularity',
  'with_entities',
  'unused_after_days',
  'max_report_age_days',
  'allow',
  'policies',
  'judge_unknown_history',
];
const ORGANIZATIONS_ONLY: readonly ExternalQueryKey[] = ['entity_path', 'organizations_policy_id', 'sort_key'];

/** Parses stdin text into a raw string map, enforcing the protocol's "one JSON object of strings". */
export function parseQueryText(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim() === '' ? '{}' : text);
  } catch (error) {
    throw new ExternalQueryError('(stdin)', `query on stdin is not JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ExternalQueryError('(stdin)', 'query on stdin must be a JSON object of string values');
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    // Terraform drops null query elements itself; be as lenient when someone pipes a null by hand.
    if (value === null) continue;
    if (typeof value !== 'string') {
      throw new ExternalQueryError(key, `query key "${key}": ${JSON.stringify(value)} is not a string; every query value must be a string`);
    }
    out[key] = value;
  }
  return out;
}

/**
 * Validates a raw query and turns it into a report request plus options. Empty strings count as absent, because
 * Terraform users pass `""` for "not set" (a conditional expression cannot yield null in every position).
 */
export function interpretQuery(raw: Readonly<Record<string, string>>): ExternalQuery {
  const known = new Set<string>(EXTERNAL_QUERY_KEYS);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) {
      throw new ExternalQueryError(key, `unknown query key "${key}"; allowed keys: ${EXTERNAL_QUERY_KEYS.join(', ')}`);
    }
  }
  const get = (key: ExternalQueryKey): string | undefined => {
    const value = raw[key];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const inferredKind = get('entity_path') !== undefined && get('arn') === undefined ? 'organizations-access' : 'service-last-accessed';
  const kindText = get('kind') ?? inferredKind;
  const kind = oneOf('kind', kindText, KINDS);
  const foreign = kind === 'service-last-accessed' ? ORGANIZATIONS_ONLY : SERVICE_ONLY;
  for (const key of foreign) {
    if (get(key) !== undefined) {
      throw new ExternalQueryError(key, `query key "${key}" does not apply to kind "${kind}"`);
    }
  }

  let request: ReportRequest;
  if (kind === 'service-last-accessed') {
    const arn = get('arn');
    if (arn === undefined) {
      throw new ExternalQueryError('arn', 'query key "arn" is required for kind "service-last-accessed" (an IAM user, group, role or policy ARN)');
    }
    const granularity = get('granularity');
    const withEntities = get('with_entities');
    request = {
      kind,
      arn,
      granularity: granularity === undefined ? DEFAULT_GRANULARITY : oneOf<Granularity>('granularity', granularity, GRANULARITIES),
      withEntities: withEntities === undefined ? false : bool('with_entities', withEntities),
    };
  } else {
    const entityPath = get('entity_path');
    if (entityPath === undefined) {
      throw new ExternalQueryError('entity_path', 'query key "entity_path" is required for kind "organizations-access" (o-…/r-…[/ou-…][/account])');
    }
    const policyId = get('organizations_policy_id');
    const sortKey = get('sort_key');
    request = {
      kind,
      entityPath,
      ...(policyId !== undefined ? { organizationsPolicyId: policyId } : {}),
      ...(sortKey !== undefined ? { sortKey: oneOf<SortKey>('sort_key', sortKey, SORT_KEYS) } : {}),
    };
  }

  const endpoint = get('endpoint');
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new ExternalQueryError('endpoint', `query key "endpoint": ${JSON.stringify(endpoint)} is not allowed; expected an http(s) URL`);
  }
  const timeoutText = get('timeout_seconds');
  const timeoutSeconds =
    timeoutText === undefined ? DEFAULT_TIMEOUT_SECONDS : integer('timeout_seconds', timeoutText, 1, MAX_TIMEOUT_SECONDS);
  const unusedText = get('unused_after_days');
  const ageText = get('max_report_age_days');
  const progressText = get('progress');
  const allowText = get('allow');
  const policiesText = get('policies');
  const judgeUnknownText = get('judge_unknown_history');

  return {
    request,
    connection: {
      ...(get('region') !== undefined ? { region: get('region') } : {}),
      ...(get('profile') !== undefined ? { profile: get('profile') } : {}),
      ...(get('role_arn') !== undefined ? { roleArn: get('role_arn') } : {}),
      ...(endpoint !== undefined ? { endpoint } : {}),
    },
    timeoutMs: timeoutSeconds * 1000,
    ...(unusedText !== undefined ? { unusedAfterDays: integer('unused_after_days', unusedText, 0, 100_000) } : {}),
    ...(ageText !== undefined ? { maxReportAgeDays: integer('max_report_age_days', ageText, 0, 100_000) } : {}),
    allow: allowText === undefined ? [] : parseAllow(allowText),
    ...(policiesText !== undefined ? { policies: parsePolicies(policiesText) } : {}),
    judgeUnknownHistory: judgeUnknownText === undefined ? false : bool('judge_unknown_history', judgeUnknownText),
    progress: progressText === undefined ? false : bool('progress', progressText),
  };
}

/** `allow` is a JSON array of {permission, reason}: the same exceptions as the synth-time gate. */
export function parseAllow(text: string): PermissionException[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ExternalQueryError('allow', `query key "allow": ${JSON.stringify(text)} is not JSON; expected a JSON array of {"permission","reason"}`);
  }
  if (!Array.isArray(parsed)) {
    throw new ExternalQueryError('allow', 'query key "allow": expected a JSON array of {"permission","reason"}');
  }
  return parsed.map((item: unknown, index) => {
    const entry = item as { permission?: unknown; reason?: unknown } | null;
    if (
      entry === null ||
      typeof entry !== 'object' ||
      typeof entry.permission !== 'string' ||
      entry.permission.trim() === '' ||
      typeof entry.reason !== 'string' ||
      entry.reason.trim() === ''
    ) {
      throw new ExternalQueryError(
        'allow',
        `query key "allow"[${index}]: ${JSON.stringify(item)} is not allowed; expected {"permission": "<service or service:Action>", "reason": "<why>"}`,
      );
    }
    return { permission: entry.permission, reason: entry.reason };
  });
}

/**
 * `policies` is a JSON array of identity policy documents (objects, or JSON text each): Terraform's query is a map
 * of strings, so the list travels as one JSON string (`jsonencode([...])`).
 */
export function parsePolicies(text: string): PolicyDocument[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ExternalQueryError('policies', `query key "policies": ${JSON.stringify(text.slice(0, 80))} is not JSON; expected a JSON array of policy documents`);
  }
  try {
    refuseDuplicateKeys(text, 'query key "policies"');
  } catch (error) {
    throw new ExternalQueryError('policies', (error as Error).message);
  }
  if (!Array.isArray(parsed)) {
    throw new ExternalQueryError('policies', 'query key "policies": expected a JSON array of policy documents ({"Version": …, "Statement": […]})');
  }
  return parsed.map((item: unknown, index) => {
    try {
      return parsePolicyDocument(item, `query key "policies"[${index}]`).document;
    } catch (error) {
      throw new ExternalQueryError('policies', (error as Error).message);
    }
  });
}

function oneOf<T extends string>(key: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ExternalQueryError(key, `query key "${key}": ${JSON.stringify(value)} is not allowed; expected one of ${allowed.join(', ')}`);
}

function bool(key: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ExternalQueryError(key, `query key "${key}": ${JSON.stringify(value)} is not allowed; expected "true" or "false"`);
}

function integer(key: string, value: string, min: number, max: number): number {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (n >= min && n <= max) return n;
  }
  throw new ExternalQueryError(key, `query key "${key}": ${JSON.stringify(value)} is not allowed; expected an integer from ${min} to ${max}`);
}

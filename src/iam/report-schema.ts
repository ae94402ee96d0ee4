import { GRANULARITIES, REPORT_SCHEMA_VERSION, SORT_KEYS } from '../model/report';

/**
 * The shape of a normalized report (model.ts), checked for reports that come from outside this process: cache files,
 * files handed to the CLI. A report that does not validate is never used as evidence.
 *
 * Hand-written rather than ajv: it runs on every cache hit of every synth, and a synth served from the cache loads
 * no package beyond cdktf and ours (test/package/lazy-loading.test.ts).
 */

type Problem = string | undefined;
type Check = (value: unknown, path: string) => Problem;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const NAMESPACE = /^[\w-]{1,64}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const str =
  (min = 0, pattern?: RegExp): Check =>
  (v, p) =>
    typeof v !== 'string' ? `${p} must be a string` : v.length < min ? `${p} must not be empty` : pattern && !pattern.test(v) ? `${p} ${JSON.stringify(v)} is malformed` : undefined;
const date: Check = (v, p) =>
  typeof v !== 'string' || !ISO_INSTANT.test(v) || Number.isNaN(Date.parse(v)) ? `${p} must be an ISO-8601 date-time` : undefined;
const bool: Check = (v, p) => (typeof v !== 'boolean' ? `${p} must be true or false` : undefined);
const count: Check = (v, p) => (typeof v !== 'number' || !Number.isInteger(v) || v < 0 ? `${p} must be a whole number ≥ 0` : undefined);
const oneOf =
  (values: readonly unknown[]): Check =>
  (v, p) =>
    values.includes(v) ? undefined : `${p} must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;
const list =
  (item: Check): Check =>
  (v, p) => {
    if (!Array.isArray(v)) return `${p} must be an array`;
    for (let i = 0; i < v.length; i++) {
      const problem = item(v[i], `${p}/${i}`);
      if (problem) return problem;
    }
    return undefined;
  };
const object =
  (required: Record<string, Check>, optional: Record<string, Check> = {}): Check =>
  (v, p) => {
    if (!isObject(v)) return `${p || '(report)'} must be an object`;
    for (const [key, check] of Object.entries(required)) {
      if (v[key] === undefined) return `${p || '(report)'} must have required property '${key}'`;
      const problem = check(v[key], `${p}/${key}`);
      if (problem) return problem;
    }
    for (const [key, check] of Object.entries(optional)) {
      if (v[key] === undefined) continue;
      const problem = check(v[key], `${p}/${key}`);
      if (problem) return problem;
    }
    return undefined;
  };

const trackedAction = object(
  { actionName: str(1) },
  { lastAccessedEntity: str(), lastAccessedTime: date, lastAccessedRegion: str() },
);
const entity = object(
  { entityInfo: object({ arn: str(1), name: str(1), type: oneOf(['USER', 'ROLE', 'GROUP']), id: str(1) }, { path: str() }) },
  { lastAuthenticated: date },
);
const service = object(
  { serviceName: str(1), serviceNamespace: str(1, NAMESPACE) },
  {
    lastAuthenticated: date,
    lastAuthenticatedEntity: str(),
    lastAuthenticatedRegion: str(),
    totalAuthenticatedEntities: count,
    trackedActionsLastAccessed: list(trackedAction),
    entities: list(entity),
  },
);
const accessDetail = object(
  { serviceName: str(1), serviceNamespace: str(1, NAMESPACE) },
  { region: str(), entityPath: str(), lastAuthenticatedTime: date, totalAuthenticatedEntities: count },
);
const common = {
  schemaVersion: oneOf([REPORT_SCHEMA_VERSION]),
  jobId: str(1),
  jobStatus: oneOf(['COMPLETED']),
  jobCreationDate: date,
  jobCompletionDate: date,
};
const serviceReport = object(
  {
    ...common,
    kind: oneOf(['service-last-accessed']),
    arn: str(20),
    granularity: oneOf(GRANULARITIES),
    withEntities: bool,
    servicesLastAccessed: list(service),
  },
  { jobType: oneOf(GRANULARITIES), principalCreateDate: date },
);
const organizationsReport = object(
  { ...common, kind: oneOf(['organizations-access']), entityPath: str(1), accessDetails: list(accessDetail) },
  { organizationsPolicyId: str(1), sortKey: oneOf(SORT_KEYS), numberOfServicesAccessible: count, numberOfServicesNotAccessed: count },
);

/**
 * What is wrong with `value` as a report (the first problem, e.g. `/servicesLastAccessed/3 must have required property
 * 'serviceNamespace'`), or undefined. Duplicated services count as wrong: they double counts and hide decisions.
 */
export function reportSchemaProblem(value: unknown): string | undefined {
  const kind = isObject(value) ? value.kind : undefined;
  const check = kind === 'service-last-accessed' ? serviceReport : kind === 'organizations-access' ? organizationsReport : undefined;
  if (!check) return `kind ${JSON.stringify(kind)} is not a report kind`;
  const problem = check(value, '');
  if (problem) return problem;
  const items = (kind === 'service-last-accessed' ? (value as Record<string, unknown>).servicesLastAccessed : (value as Record<string, unknown>).accessDetails) as { serviceNamespace: string }[];
  const seen = new Set<string>();
  for (const item of items) {
    const ns = item.serviceNamespace.toLowerCase();
    if (seen.has(ns)) return `service ${JSON.stringify(ns)} appears twice`;
    seen.add(ns);
  }
  return kind === 'organizations-access' ? organizationsCountsProblem(value as unknown as OrgShape) : serviceCountsProblem(value as unknown as ServiceShape);
}

interface OrgShape {
  entityPath: string;
  numberOfServicesAccessible?: number;
  numberOfServicesNotAccessed?: number;
  accessDetails: { serviceNamespace: string; entityPath?: string; lastAuthenticatedTime?: string; totalAuthenticatedEntities?: number }[];
}
interface ServiceShape {
  arn: string;
  servicesLastAccessed: { serviceNamespace: string; lastAuthenticated?: string; totalAuthenticatedEntities?: number; entities?: { lastAuthenticated?: string }[] }[];
}

/**
 * The counts a report carries must add up with its rows, as the engine checks them on IAM's pages: a report stored
 * or handed over with a row removed, or rows that name accounts outside its entity, is not evidence.
 */
function organizationsCountsProblem(report: OrgShape): string | undefined {
  const rows = report.accessDetails;
  if (report.numberOfServicesAccessible !== undefined && report.numberOfServicesAccessible !== rows.length) {
    return `/numberOfServicesAccessible is ${report.numberOfServicesAccessible} but /accessDetails has ${rows.length} row(s)`;
  }
  const notAccessed = rows.filter((r) => r.lastAuthenticatedTime === undefined).length;
  if (report.numberOfServicesNotAccessed !== undefined && report.numberOfServicesNotAccessed !== notAccessed) {
    return `/numberOfServicesNotAccessed is ${report.numberOfServicesNotAccessed} but ${notAccessed} row(s) of /accessDetails have no lastAuthenticatedTime`;
  }
  const entity = report.entityPath.replace(/\/+$/, '');
  const account = /\/\d{12}$/.test(entity);
  for (const [i, r] of rows.entries()) {
    // Accounts counted without a time of use would make a used service look unused (an SCP proposal would deny it).
    if ((r.totalAuthenticatedEntities ?? 0) > 0 && r.lastAuthenticatedTime === undefined) return `/accessDetails/${i} counts ${r.totalAuthenticatedEntities} authenticated entities but has no lastAuthenticatedTime`;
    if (r.totalAuthenticatedEntities === 0 && r.lastAuthenticatedTime !== undefined) return `/accessDetails/${i} has lastAuthenticatedTime but counts 0 authenticated entities`;
    const path = r.entityPath?.replace(/\/+$/, '');
    if (path !== undefined && path !== entity && !path.startsWith(`${entity}/`)) return `/accessDetails/${i}/entityPath ${JSON.stringify(r.entityPath)} is not under ${entity}`;
    if (account && (r.totalAuthenticatedEntities ?? 0) > 1) return `/accessDetails/${i}/totalAuthenticatedEntities is ${r.totalAuthenticatedEntities} in the report of one account`;
  }
  return undefined;
}

function serviceCountsProblem(report: ServiceShape): string | undefined {
  for (const [i, s] of report.servicesLastAccessed.entries()) {
    // The service's time of last use is the latest of its entities' (as report-pages.ts checks IAM's pages).
    const last = s.lastAuthenticated === undefined ? undefined : Date.parse(s.lastAuthenticated);
    for (const e of s.entities ?? []) {
      if (e.lastAuthenticated === undefined) continue;
      if (last === undefined) return `/servicesLastAccessed/${i} has no lastAuthenticated but an entity of it used it at ${e.lastAuthenticated}`;
      if (Date.parse(e.lastAuthenticated) > last) return `/servicesLastAccessed/${i} was last used at ${s.lastAuthenticated} but an entity of it used it at ${e.lastAuthenticated}`;
    }
    const total = s.totalAuthenticatedEntities;
    if (total === undefined) continue;
    if (total > 0 && s.lastAuthenticated === undefined) return `/servicesLastAccessed/${i} counts ${total} authenticated entities but has no lastAuthenticated`;
    if (total === 0 && s.lastAuthenticated !== undefined) return `/servicesLastAccessed/${i} has lastAuthenticated but counts 0 authenticated entities`;
    const usedBy = (s.entities ?? []).filter((e) => e.lastAuthenticated !== undefined).length;
    if (usedBy > total) return `/servicesLastAccessed/${i} lists ${usedBy} entities that used it but counts ${total}`;
  }
  return undefined;
}

import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { GRANULARITIES, REPORT_SCHEMA_VERSION, SORT_KEYS, type AccessReport } from './model';

/**
 * The JSON Schema of a normalized report (model.ts), for reports that come from outside this process: cache files,
 * files handed to the CLI. A report that does not validate is never used as evidence.
 */

const date = { type: 'string', minLength: 1, format: 'date-time' } as const;
const namespace = { type: 'string', pattern: '^[\\w-]{1,64}$' } as const;
const count = { type: 'integer', minimum: 0 } as const;

const trackedAction = {
  type: 'object',
  required: ['actionName'],
  properties: {
    actionName: { type: 'string', minLength: 1 },
    lastAccessedEntity: { type: 'string' },
    lastAccessedTime: date,
    lastAccessedRegion: { type: 'string' },
  },
} as const;

const entity = {
  type: 'object',
  required: ['entityInfo'],
  properties: {
    entityInfo: {
      type: 'object',
      required: ['arn', 'name', 'type', 'id'],
      properties: {
        arn: { type: 'string', minLength: 1 },
        name: { type: 'string', minLength: 1 },
        type: { enum: ['USER', 'ROLE', 'GROUP'] },
        id: { type: 'string', minLength: 1 },
        path: { type: 'string' },
      },
    },
    lastAuthenticated: date,
  },
} as const;

const service = {
  type: 'object',
  required: ['serviceName', 'serviceNamespace'],
  properties: {
    serviceName: { type: 'string', minLength: 1 },
    serviceNamespace: namespace,
    lastAuthenticated: date,
    lastAuthenticatedEntity: { type: 'string' },
    lastAuthenticatedRegion: { type: 'string' },
    totalAuthenticatedEntities: count,
    trackedActionsLastAccessed: { type: 'array', items: trackedAction },
    entities: { type: 'array', items: entity },
  },
} as const;

const accessDetail = {
  type: 'object',
  required: ['serviceName', 'serviceNamespace'],
  properties: {
    serviceName: { type: 'string', minLength: 1 },
    serviceNamespace: namespace,
    region: { type: 'string' },
    entityPath: { type: 'string' },
    lastAuthenticatedTime: date,
    totalAuthenticatedEntities: count,
  },
} as const;

const common = {
  schemaVersion: { const: REPORT_SCHEMA_VERSION },
  jobId: { type: 'string', minLength: 1 },
  jobStatus: { const: 'COMPLETED' },
  jobCreationDate: date,
  jobCompletionDate: date,
} as const;

export const REPORT_JSON_SCHEMA = {
  oneOf: [
    {
      type: 'object',
      required: ['schemaVersion', 'kind', 'arn', 'granularity', 'withEntities', 'jobId', 'jobStatus', 'jobCreationDate', 'jobCompletionDate', 'servicesLastAccessed'],
      properties: {
        ...common,
        kind: { const: 'service-last-accessed' },
        arn: { type: 'string', minLength: 20 },
        granularity: { enum: GRANULARITIES },
        withEntities: { type: 'boolean' },
        jobType: { enum: GRANULARITIES },
        principalCreateDate: date,
        servicesLastAccessed: { type: 'array', items: service },
      },
    },
    {
      type: 'object',
      required: ['schemaVersion', 'kind', 'entityPath', 'jobId', 'jobStatus', 'jobCreationDate', 'jobCompletionDate', 'accessDetails'],
      properties: {
        ...common,
        kind: { const: 'organizations-access' },
        entityPath: { type: 'string', minLength: 1 },
        organizationsPolicyId: { type: 'string' },
        sortKey: { enum: SORT_KEYS },
        numberOfServicesAccessible: count,
        numberOfServicesNotAccessed: count,
        accessDetails: { type: 'array', items: accessDetail },
      },
    },
  ],
} as const;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: false, strict: false });
    // ISO-8601 instants as the engine writes them (Date#toISOString), without pulling in ajv-formats.
    ajv.addFormat('date-time', (value: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)));
    compiled = ajv.compile(REPORT_JSON_SCHEMA);
  }
  return compiled;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath || '(report)';
  return `${where} ${error.message ?? 'is invalid'}${error.params && 'allowedValues' in error.params ? ` (${JSON.stringify(error.params.allowedValues)})` : ''}`;
}

/** What is wrong with `value` as a report (the first problem, e.g. `/servicesLastAccessed/3 must have required property 'serviceNamespace'`), or undefined. */
export function reportSchemaProblem(value: unknown): string | undefined {
  const kind = (value as { kind?: unknown } | null)?.kind;
  const validate = validator();
  if (validate(value)) {
    // Duplicates double counts and hide decisions: one entry per namespace, as IAM sends.
    const report = value as AccessReport;
    const items = report.kind === 'service-last-accessed' ? report.servicesLastAccessed : report.accessDetails;
    const seen = new Set<string>();
    for (const item of items) {
      const ns = item.serviceNamespace.toLowerCase();
      if (seen.has(ns)) return `service ${JSON.stringify(ns)} appears twice`;
      seen.add(ns);
    }
    return undefined;
  }
  // oneOf reports every branch: show the branch of the report's own kind.
  const errors = validate.errors ?? [];
  const branch = kind === 'organizations-access' ? '/oneOf/1' : '/oneOf/0';
  const own = errors.filter((e) => e.schemaPath.startsWith(`#${branch}`));
  const first = own[0] ?? errors[0];
  if (kind !== 'service-last-accessed' && kind !== 'organizations-access') return `kind ${JSON.stringify(kind)} is not a report kind`;
  return first ? describe(first) : 'does not match the report schema';
}

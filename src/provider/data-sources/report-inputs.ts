import { InvalidRequestError } from '../../model/errors';
import { validateReportRequest } from '../../iam/validate';
import type { ReportRequest, ServiceLastAccessedReport } from '../../model/report';
import { boolAt, isKnown, snakeCase, stringAt } from '../config-values';
import { ConfigProblem } from '../diagnostics';
import type { AttributeSpec, TfType } from '../schema';
import { listOf, objectOf } from '../schema';

/**
 * The inputs and the typed outputs every service-last-accessed based data source shares: `arn`, `granularity`,
 * `with_entities` in; the job and the services out, with AWS's response names in snake_case and the dates as the
 * engine normalized them (RFC 3339, UTC).
 */
export const SERVICE_REPORT_INPUTS: readonly AttributeSpec[] = [
  { name: 'arn', type: 'string', required: true, description: 'ARN of the user, group, role or managed policy to report on.' },
  {
    name: 'granularity',
    type: 'string',
    optional: true,
    computed: true,
    description:
      'ACTION_LEVEL (default; adds tracked_actions_last_accessed for the services IAM tracks per action, so decisions judge the unused actions of used services) or SERVICE_LEVEL. IAM\'s own default is SERVICE_LEVEL; the provider always sends the level explicitly.',
  },
  { name: 'with_entities', type: 'bool', optional: true, computed: true, description: 'Also read, per service, which users and roles used it (default false).' },
];

const TRACKED_ACTION: TfType = objectOf({
  action_name: 'string',
  last_accessed_entity: 'string',
  last_accessed_time: 'string',
  last_accessed_region: 'string',
});

const ENTITY: TfType = objectOf({ arn: 'string', name: 'string', type: 'string', id: 'string', path: 'string', last_authenticated: 'string' });

export const SERVICE_TYPE: TfType = objectOf({
  service_namespace: 'string',
  service_name: 'string',
  last_authenticated: 'string',
  last_authenticated_entity: 'string',
  last_authenticated_region: 'string',
  total_authenticated_entities: 'number',
  tracked_actions_last_accessed: listOf(TRACKED_ACTION),
  entities: listOf(ENTITY),
});

export const SERVICE_REPORT_OUTPUTS: readonly AttributeSpec[] = [
  { name: 'job_id', type: 'string', computed: true, description: 'The GenerateServiceLastAccessedDetails job.' },
  { name: 'job_status', type: 'string', computed: true, description: 'Always COMPLETED: any other outcome is an error.' },
  { name: 'job_creation_date', type: 'string', computed: true, description: 'When the job started (RFC 3339).' },
  { name: 'job_completion_date', type: 'string', computed: true, description: 'When the job completed (RFC 3339).' },
  { name: 'principal_create_date', type: 'string', computed: true, description: 'When the principal was created, if readable (RFC 3339).' },
  {
    name: 'services',
    type: listOf(SERVICE_TYPE),
    computed: true,
    description: 'Every service the principal may use, every page merged. last_authenticated is null when it was not used in the tracking window.',
  },
];

export type ServiceReportInput = Extract<ReportRequest, { kind: 'service-last-accessed' }>;

/** The request from a configuration; unknown values make it 'unknown'; a bad value is a ConfigProblem at its attribute. */
export function readServiceReportInput(config: Record<string, unknown>): ServiceReportInput | 'unknown' {
  const arn = stringAt(config, ['arn']);
  const granularity = stringAt(config, ['granularity']);
  const withEntities = boolAt(config, ['with_entities']);
  if (!isKnown(arn) || !isKnown(granularity) || !isKnown(withEntities)) return 'unknown';
  try {
    return validateReportRequest({
      kind: 'service-last-accessed',
      arn: arn as string,
      ...(granularity !== undefined ? { granularity: granularity as ServiceReportInput['granularity'] } : {}),
      ...(withEntities !== undefined ? { withEntities } : {}),
    }) as ServiceReportInput;
  } catch (error) {
    throw asConfigProblem(error);
  }
}

/** The engine's input errors name a camelCase field: the same check, reported at the Terraform attribute. */
export function asConfigProblem(error: unknown, paths: Readonly<Record<string, readonly (string | number)[]>> = {}): unknown {
  if (error instanceof InvalidRequestError) {
    return new ConfigProblem(paths[error.field] ?? [snakeCase(error.field)], `Invalid ${snakeCase(error.field)}`, error.message.replace(/^[\w.]+: /, ''));
  }
  return error;
}

/** The report as Terraform state: the request echoed, the job, and the services in snake_case. */
export function serviceReportState(report: ServiceLastAccessedReport): Record<string, unknown> {
  return {
    arn: report.arn,
    granularity: report.granularity,
    with_entities: report.withEntities,
    job_id: report.jobId,
    job_status: report.jobStatus,
    job_creation_date: report.jobCreationDate,
    job_completion_date: report.jobCompletionDate,
    principal_create_date: report.principalCreateDate,
    services: report.servicesLastAccessed.map((s) => ({
      service_namespace: s.serviceNamespace,
      service_name: s.serviceName,
      last_authenticated: s.lastAuthenticated,
      last_authenticated_entity: s.lastAuthenticatedEntity,
      last_authenticated_region: s.lastAuthenticatedRegion,
      total_authenticated_entities: s.totalAuthenticatedEntities,
      tracked_actions_last_accessed: s.trackedActionsLastAccessed?.map((a) => ({
        action_name: a.actionName,
        last_accessed_entity: a.lastAccessedEntity,
        last_accessed_time: a.lastAccessedTime,
        last_accessed_region: a.lastAccessedRegion,
      })),
      entities: s.entities?.map((e) => ({
        arn: e.entityInfo.arn,
        name: e.entityInfo.name,
        type: e.entityInfo.type,
        id: e.entityInfo.id,
        path: e.entityInfo.path,
        last_authenticated: e.lastAuthenticated,
      })),
    })),
  };
}

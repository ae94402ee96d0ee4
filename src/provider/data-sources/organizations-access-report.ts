import { validateReportRequest } from '../../iam/validate';
import type { OrganizationsAccessReport, ReportRequest } from '../../model/report';
import { isKnown, stringAt } from '../config-values';
import type { DataSource } from '../data-source';
import { ConfigProblem } from '../diagnostics';
import { listOf, objectOf } from '../schema';
import { asConfigProblem } from './report-inputs';

type OrgRequest = Extract<ReportRequest, { kind: 'organizations-access' }>;

const ACCESS_DETAIL = objectOf({
  service_name: 'string',
  service_namespace: 'string',
  region: 'string',
  entity_path: 'string',
  last_authenticated_time: 'string',
  total_authenticated_entities: 'number',
});

function readRequest(config: Record<string, unknown>): OrgRequest | 'unknown' {
  const entityPath = stringAt(config, ['entity_path']);
  const policyId = stringAt(config, ['organizations_policy_id']);
  const sortKey = stringAt(config, ['sort_key']);
  if (![entityPath, policyId, sortKey].every(isKnown)) return 'unknown';
  try {
    return validateReportRequest({
      kind: 'organizations-access',
      entityPath: entityPath as string,
      ...(policyId !== undefined ? { organizationsPolicyId: policyId as string } : {}),
      ...(sortKey !== undefined ? { sortKey: sortKey as OrgRequest['sortKey'] } : {}),
    }) as OrgRequest;
  } catch (error) {
    throw asConfigProblem(error, { entityPath: ['entity_path'], organizationsPolicyId: ['organizations_policy_id'], sortKey: ['sort_key'] });
  }
}

/** `data "accessadvisor_organizations_access_report"`: which services the SCPs allow under an entity, and their last use. */
export const organizationsAccessReport: DataSource = {
  typeName: 'accessadvisor_organizations_access_report',
  schema: {
    description:
      'Runs GenerateOrganizationsAccessReport for a root, OU or account path (from the management account), waits for it and returns every page.',
    attributes: [
      { name: 'entity_path', type: 'string', required: true, description: 'o-…/r-…[/ou-…]*[/ACCOUNT]' },
      { name: 'organizations_policy_id', type: 'string', optional: true, description: 'Report only the services this SCP (p-…) allows.' },
      { name: 'sort_key', type: 'string', optional: true, description: 'SERVICE_NAMESPACE_ASCENDING|…_DESCENDING or LAST_AUTHENTICATED_TIME_ASCENDING|…_DESCENDING.' },
      { name: 'job_id', type: 'string', computed: true, description: 'The GenerateOrganizationsAccessReport job.' },
      { name: 'job_status', type: 'string', computed: true, description: 'Always COMPLETED: any other outcome is an error.' },
      { name: 'job_creation_date', type: 'string', computed: true, description: 'When the job started (RFC 3339).' },
      { name: 'job_completion_date', type: 'string', computed: true, description: 'When the job completed (RFC 3339).' },
      { name: 'number_of_services_accessible', type: 'number', computed: true, description: 'Services the SCPs allow.' },
      { name: 'number_of_services_not_accessed', type: 'number', computed: true, description: 'Of those, services no account used.' },
      { name: 'access_details', type: listOf(ACCESS_DETAIL), computed: true, description: 'Per service: last use, where, and by how many accounts.' },
    ],
  },
  validate(config) {
    readRequest(config);
  },
  async read(config, context) {
    const request = readRequest(config);
    if (request === 'unknown') throw new ConfigProblem([], 'Configuration not known', 'the report inputs are not known yet');
    const report = (await (await context.runner()).run(request)) as OrganizationsAccessReport;
    return {
      ...config,
      job_id: report.jobId,
      job_status: report.jobStatus,
      job_creation_date: report.jobCreationDate,
      job_completion_date: report.jobCompletionDate,
      number_of_services_accessible: report.numberOfServicesAccessible,
      number_of_services_not_accessed: report.numberOfServicesNotAccessed,
      access_details: report.accessDetails.map((d) => ({
        service_name: d.serviceName,
        service_namespace: d.serviceNamespace,
        region: d.region,
        entity_path: d.entityPath,
        last_authenticated_time: d.lastAuthenticatedTime,
        total_authenticated_entities: d.totalAuthenticatedEntities,
      })),
    };
  },
};

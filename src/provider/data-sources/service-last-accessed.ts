import type { ServiceLastAccessedReport } from '../../model/report';
import type { DataSource } from '../data-source';
import { ConfigProblem } from '../diagnostics';
import { SERVICE_REPORT_INPUTS, SERVICE_REPORT_OUTPUTS, readServiceReportInput, serviceReportState } from './report-inputs';

/** `data "accessadvisor_service_last_accessed"`: one complete service-last-accessed report, typed. */
export const serviceLastAccessed: DataSource = {
  typeName: 'accessadvisor_service_last_accessed',
  schema: {
    description:
      'Runs an IAM access advisor job (GenerateServiceLastAccessedDetails) for a user, group, role or managed policy, waits for it ' +
      'and returns every page. A failed, partial or inconsistent report is an error, never values.',
    attributes: [...SERVICE_REPORT_INPUTS, ...SERVICE_REPORT_OUTPUTS],
  },
  validate(config) {
    readServiceReportInput(config);
  },
  async read(config, context) {
    const request = readServiceReportInput(config);
    if (request === 'unknown') throw new ConfigProblem([], 'Configuration not known', 'the report inputs are not known yet');
    const report = (await (await context.runner()).run(request)) as ServiceLastAccessedReport;
    return serviceReportState(report);
  },
};

// The engine's public surface (contract B). Model types and errors are exported by src/index.ts from their own
// modules, so they are not repeated here.
export type { ConnectionOptions, AwsCredentialIdentityProvider, StaticCredentials } from './client';
export type { ProgressPhase, ProgressEvent } from './report-job';
export type { PollScheduleOptions, SleepFunction } from './backoff';
export {
  runServiceLastAccessedReport,
  runOrganizationsAccessReport,
  listPoliciesGrantingServiceAccess,
  runReports,
  type ReportOptions,
  type RunReportsOptions,
  type ReportResult,
} from './engine';
export { validateReportRequest, reportRequestKey } from './validate';

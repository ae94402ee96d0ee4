// The engine's public surface: what src/index.ts exports of src/iam. Model types and errors are exported by
// src/index.ts from src/model, so they are not repeated here.
//
// The engine (and with it the AWS SDK) is loaded on the first call, not when the package loads: a cdktf app whose
// reports all come from the committed cache never needs it, and loading it costs a synth more than the app itself.
import type * as Engine from './engine';

export type { ConnectionOptions, AwsCredentialIdentityProvider, StaticCredentials } from './client';
export type { AbortSignalLike } from './abort-signal';
export type { ProgressPhase, ProgressEvent } from './report-job';
export type { PollScheduleOptions, SleepFunction } from './backoff';
export type { ReportOptions, RunReportsOptions, ReportResult, ReportRunner } from './engine';
export { validateReportRequest, reportRequestKey } from './validate';

function engine(): typeof Engine {
  return require('./engine') as typeof Engine;
}

export const runServiceLastAccessedReport: typeof Engine.runServiceLastAccessedReport = (...args) =>
  engine().runServiceLastAccessedReport(...args);
export const runOrganizationsAccessReport: typeof Engine.runOrganizationsAccessReport = (...args) =>
  engine().runOrganizationsAccessReport(...args);
export const listPoliciesGrantingServiceAccess: typeof Engine.listPoliciesGrantingServiceAccess = (...args) =>
  engine().listPoliciesGrantingServiceAccess(...args);
export const runReports: typeof Engine.runReports = (...args) => engine().runReports(...args);
export const openReportRunner: typeof Engine.openReportRunner = (...args) => engine().openReportRunner(...args);

// The engine's public surface (contract B). Model types and errors are exported by src/index.ts from their own
// modules, so they are not repeated here.
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

// Organization-wide sweeps (issue 16): loaded on first call too (the Organizations and STS clients come with them).
import type * as Sweep from './sweep';
export type {
  SweepOptions,
  SweepResult,
  SweepAccount,
  SweepPrincipal,
  SweepPrincipalKind,
  SweepService,
  SweepTrackedAction,
  SweepError,
  SweepTotals,
  SweepDrift,
  SweepDriftPrincipal,
  SweepRequestSummary,
  SweepCheckpoint,
  SweepPhase,
  SweepProgressEvent,
} from './sweep';
export { SWEEP_SCHEMA_VERSION, SWEEP_PRINCIPAL_KINDS } from './sweep/types';

function sweep(): typeof Sweep {
  return require('./sweep') as typeof Sweep;
}

export const runSweep: typeof Sweep.runSweep = (...args) => sweep().runSweep(...args);
export const mergeSweepResults: typeof Sweep.mergeSweepResults = (...args) => sweep().mergeSweepResults(...args);
export const sweepDrift: typeof Sweep.sweepDrift = (...args) => sweep().sweepDrift(...args);
export const shardAccounts: typeof Sweep.shardAccounts = (...args) => sweep().shardAccounts(...args);
export const parseShard: typeof Sweep.parseShard = (...args) => sweep().parseShard(...args);
export const globToRegExp: typeof Sweep.globToRegExp = (...args) => sweep().globToRegExp(...args);

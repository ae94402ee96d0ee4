// The public API of cdktf-access-advisor. Nothing else is exported from the package.
export * from './model/report';
export * from './model/errors';
// The CLI's exit statuses of an error kind, for programs that wrap the library and want the CLI's contract.
export { EXIT_CODE_OF_KIND, exitCodeOf, type FailureExitCode } from './cli/exit-codes';
export * from './iam';
// Organization-wide sweeps: the layer above the engine and the analysis.
export * from './sweep';
// Synth-time report constructs and their cache (issue 4).
export { ServiceLastAccessedReport, SERVICE_REPORT_OUTPUTS } from './constructs/service-last-accessed-report';
export type {
  ServiceLastAccessedReportProps,
  ServiceReportOutputName,
  ServiceUsage,
  UsageWindow,
} from './constructs/service-last-accessed-report';
export { OrganizationsAccessReport, ORGANIZATIONS_REPORT_OUTPUTS } from './constructs/organizations-access-report';
export type { OrganizationsAccessReportProps, OrganizationsReportOutputName } from './constructs/organizations-access-report';
export type {
  ResolveAt,
  PlanTimeSource,
  OnLookupError,
  ReportConnectionProps,
  ReportResolutionProps,
} from './constructs/report-props';
export type { IamPrincipalElement } from './constructs/principal-arn';
export { ReportLookupError } from './constructs/report-lookup';
export { CACHE_FILE_NAME, CacheFileError, type CacheEntry, type CacheFile, type CacheConnection } from './resolve/cache-file';
// This package's Terraform provider in cdktf/cdktn: its provider block and data sources, the default plan-time
// source of the report constructs (issue 25).
export { AccessAdvisorProvider, type AccessAdvisorProviderProps, type AccessAdvisorAssumeRole } from './constructs/access-advisor-provider';
export {
  DataAccessAdvisorServiceLastAccessed,
  DataAccessAdvisorUnusedPermissions,
  DataAccessAdvisorTightenedPolicy,
  DataAccessAdvisorOrganizationsAccessReport,
  DataAccessAdvisorPoliciesGrantingServiceAccess,
  type NativeDataSourceProps,
  type ServiceReportInputProps,
  type DecisionInputProps,
  type DataAccessAdvisorServiceLastAccessedProps,
  type DataAccessAdvisorUnusedPermissionsProps,
  type DataAccessAdvisorTightenedPolicyProps,
  type DataAccessAdvisorOrganizationsAccessReportProps,
  type DataAccessAdvisorPoliciesGrantingServiceAccessProps,
} from './constructs/native-data-sources';
export type { NativeServiceReportBinding, NativeOrganizationsReportBinding } from './constructs/native-plan-report';
export type { PlanTimeBinding } from './constructs/access-report-base';
// Plan-time reports on the fallback source: Terraform's external data source and its bundled program (issue 5).
export {
  bindPlanTimeReport,
  planTimeQuery,
  planGateCondition,
  planGateErrorMessage,
  type PlanTimeReportBinding,
} from './constructs/plan-time-report';
export {
  SERVICE_RESULT_KEYS,
  ORGANIZATIONS_RESULT_KEYS,
  ExternalQueryError,
  type ExternalQueryKey,
  type ExternalResultKey,
  type ServiceResultKey,
  type OrganizationsResultKey,
} from './resolve/external-protocol';
// Least-privilege decisions: unused permissions, tightened policies, proofs, baselines (issue 6).
export * from './analysis';
export {
  LeastPrivilegeGate,
  type LeastPrivilegeGateProps,
  type DecisionProps,
  type GateFailOn,
  type JudgedPoliciesProps,
} from './constructs/least-privilege-gate';
export type { JudgedPolicySource, JudgeablePolicy } from './constructs/stack-grants';
export { TightenedPolicyDocument, type TightenedPolicyDocumentProps, type PolicySource } from './constructs/tightened-policy-document';
export { PolicyDriftCheck, type PolicyDriftCheckProps } from './constructs/policy-drift-check';
// The local IAM access-advisor emulator and its world file (issue 2).
export {
  startEmulator,
  loadWorld,
  WorldValidationError,
  WORLD_SCHEMA_PATH,
  DEFAULT_FAULT_SETTINGS,
  DEFAULT_JOB_SETTINGS,
  DEFAULT_TRACKED_ACTION_SERVICES,
  defaultActionTrackingStart,
  trackedActionsSources,
  type TrackedActionsSource,
  type EmulatorOptions,
  type EmulatorMetrics,
  type RunningEmulator,
  type JobSettings,
  type FaultSettings,
  type World,
  type WorldSettings,
  type WorldTime,
  type WorldAccount,
  type WorldOrganization,
  type WorldOrganizationalUnit,
  type WorldServiceControlPolicy,
  type WorldUser,
  type WorldGroup,
  type WorldRole,
  type WorldManagedPolicy,
  type WorldAccessKey,
  type WorldAccessEvent,
  type WorldPolicyDocument,
  type WorldPolicyStatement,
} from './emulator';
// Service control policy proposals from organizations reports (issue 18).
export { ServiceControlPolicyProposal, type ServiceControlPolicyProposalProps } from './constructs/service-control-policy-proposal';

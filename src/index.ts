// The public API of cdktf-access-advisor. Nothing else is exported from the package.
export * from './iam/model';
export * from './iam/errors';
export * from './iam';
// Plan-time reports: Terraform's external data source and its bundled program (issue 5).
export {
  bindPlanTimeReport,
  planTimeQuery,
  planGateCondition,
  planGateErrorMessage,
  bundledProgramPath,
  EXTERNAL_PROVIDER_REQUIREMENT,
  EXTERNAL_PROGRAM_FILE,
  type PlanTimeReportBinding,
} from './constructs/plan-time-report';
export {
  EXTERNAL_QUERY_KEYS,
  SERVICE_RESULT_KEYS,
  ORGANIZATIONS_RESULT_KEYS,
  JSON_RESULT_KEYS,
  DEFAULT_TIMEOUT_SECONDS as EXTERNAL_DEFAULT_TIMEOUT_SECONDS,
  PROGRESS_ENV as EXTERNAL_PROGRESS_ENV,
  ExternalQueryError,
  type ExternalQueryKey,
  type ExternalResultKey,
  type ServiceResultKey,
  type OrganizationsResultKey,
} from './resolve/external-protocol';
export { runExternalProgram, type ExternalProgramOutcome, type ExternalProgramEnvironment } from './resolve/external-program';
// Least-privilege decisions: unused permissions, tightened policies, proofs, baselines (issue 6).
export * from './analysis';
export { LeastPrivilegeGate, type LeastPrivilegeGateProps, type DecisionProps, type GateFailOn } from './constructs/least-privilege-gate';
export { TightenedPolicyDocument, type TightenedPolicyDocumentProps, type PolicySource } from './constructs/tightened-policy-document';
export { PolicyDriftCheck, type PolicyDriftCheckProps } from './constructs/policy-drift-check';

// The analysis layer: pure least-privilege decisions over normalized reports and policy documents (no I/O).
export * from './types';
export { AnalysisInputError } from './errors';
export { findUnusedPermissions } from './unused';
export { tightenPolicy, type TightenOptions } from './tighten';
export { evaluateIdentityPolicies, compileIdentityPolicies, type PolicyEvaluator, type EvaluationContext } from './evaluate';
export { verifyTightening, type VerifyOptions } from './verify';
export { loadActionCatalog, type ActionCatalog } from '../model/action-catalog';
export { parsePolicyDocument, refuseDuplicateKeys } from './policy-document';
export { DEFAULT_UNUSED_AFTER_DAYS, DEFAULT_MAX_REPORT_AGE_DAYS, MAX_UNUSED_AFTER_DAYS } from './defaults';
export { NEVER_REPORTED_ACTIONS } from './evidence';
export { checkDrift, acceptIntoBaseline, parseBaseline, formatBaseline, unusedPermissionList, BASELINE_SCHEMA_VERSION } from './baseline';
export { formatViolationsTable, violationsOf, violationsByService, violationSummary, type Violation, type ServiceViolation } from './format';
export { proposeServiceControlPolicy, ScpSlotLimitError, MAX_SCP_WINDOW_DAYS, DEFAULT_REMAINING_SCP_SLOTS } from './scp-proposal';
export { DEFAULT_PROTECTED_SERVICES, type ProtectedService } from './scp-protected';
export { SCP_MAX_CHARACTERS, SCP_MAX_PER_TARGET } from './scp-documents';
export type * from './scp-types';
export { grantChecker, restrictToGranted, type GrantChecker, type GrantedPolicies } from './granted';
export {
  PolicySizeError,
  MANAGED_POLICY_MAX_CHARACTERS,
  ROLE_INLINE_POLICIES_MAX_CHARACTERS,
  INLINE_POLICIES_MAX_CHARACTERS,
  DEFAULT_MAX_ATTACHED_POLICIES,
  MAX_ATTACHED_POLICIES_LIMIT,
  attachedPolicySizeProblems,
  inlinePolicySizeProblem,
  type InlinePolicyHolder,
} from './policy-size';
export { DENY_UNUSED_SERVICES_SID, DENY_UNUSED_ACTIONS_SID } from './tighten';

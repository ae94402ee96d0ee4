import type { ProtectedService } from './scp-protected';
import type { PermissionException, PolicyDocument, UnusedPermissionsOptions } from './types';

/**
 * The vocabulary of service control policy proposals (docs/decisions.md, "Service control policy proposals").
 * The result is rendered by the CLI, the construct and the org-report HTML: keep its field names stable.
 */
export type ScpStyle = 'deny-list' | 'allow-list';

/** The evidence's age options mean what they mean for unused permissions (`ageReferenceTime`, `staleReason`). */
export interface ServiceControlPolicyProposalOptions extends Pick<UnusedPermissionsOptions, 'ageReferenceTime' | 'staleReason'> {
  /** A service no account under the entity used within this many days is denied. Default 90; 1–400 (IAM tracks ~400 days). */
  readonly unusedAfterDays?: number;
  /** The reference time; default: now (the construct passes the report's completion date). */
  readonly now?: Date | string;
  /** Services (or action patterns) never denied, each with its reason. An action pattern keeps its whole service. */
  readonly allow?: readonly PermissionException[];
  /** A report whose job completed longer ago than this is stale evidence: nothing is denied. Default 5 days. */
  readonly maxReportAgeDays?: number;
  /** `deny-list` (default): Deny statements beside FullAWSAccess. `allow-list`: Allow statements that replace it. */
  readonly style?: ScpStyle;
  /** Services never denied in addition to DEFAULT_PROTECTED_SERVICES, each with its reason. */
  readonly neverDeny?: readonly ProtectedService[];
  /** SCPs the target can still take (IAM allows 5 per target; FullAWSAccess usually takes one). Default 4; 0–5. */
  readonly remainingSlots?: number;
  /**
   * Every service namespace IAM knows (the action catalog's), to name the services the current SCPs already deny
   * (those the report does not list). Optional: without it `alreadyDeniedServices` is empty.
   */
  readonly catalogServices?: readonly string[];
  /**
   * For a report generated with an SCP id: the caller states that this SCP applies to every account under the
   * entity (attached to it or to one of its parents). IAM's report then covers all their activity; otherwise it
   * covers only the accounts the SCP applies to — partial evidence, so nothing is denied. Default false.
   */
  readonly policyCoversEntity?: boolean;
}

export type ScpProposalStatus =
  /** The report can support denials. */
  | 'sufficient'
  /** The report is older than maxReportAgeDays: nothing is denied. */
  | 'stale-evidence'
  /** Generated with an SCP id not known to apply to the whole entity: activity of other accounts is missing. */
  | 'partial-evidence';

export type KeptServiceKind =
  /** Some account under the entity used it within the window. */
  | 'used'
  /** On the protected list (default or `neverDeny`). */
  | 'protected'
  /** Covered by an `allow` exception. */
  | 'allowed-by-exception'
  /** The report's rows for it are missing, contradictory or outside the entity: no evidence, so it is kept. */
  | 'unknown'
  /** The report is stale: nothing is denied. */
  | 'stale-evidence'
  /** The report covers only some accounts under the entity: nothing is denied. */
  | 'partial-evidence';

export interface KeptService {
  readonly service: string;
  readonly serviceName?: string;
  readonly kind: KeptServiceKind;
  /** One sentence citing the evidence. */
  readonly reason: string;
  readonly lastAuthenticated?: string;
  /** The entity path (account) of the last use, as the report gives it. */
  readonly entityPath?: string;
  /** Number of accounts under the entity that used it in the tracking period. */
  readonly totalAuthenticatedEntities?: number;
}

export interface DeniedService {
  readonly service: string;
  readonly serviceName: string;
  readonly lastAuthenticated?: string;
  readonly reason: string;
}

export interface ProposedScpDocument {
  /** The statement id, also a good policy name suffix. */
  readonly sid: string;
  readonly document: PolicyDocument;
  /** Minified JSON, as IAM counts it; use it as `aws_organizations_policy.content`. */
  readonly json: string;
  /** `json.length`, never more than SCP_MAX_CHARACTERS. */
  readonly characters: number;
  /** The services this document denies (deny-list) or allows (allow-list). */
  readonly services: readonly string[];
}

/** The check, with our evaluator, that the documents deny nothing used within the window (and allow every kept service). */
export interface ScpProof {
  readonly holds: boolean;
  readonly usedServicesChecked: number;
  readonly keptServicesChecked: number;
  readonly deniedServicesChecked: number;
  readonly failures: readonly string[];
}

export interface ServiceControlPolicyProposalResult {
  readonly schemaVersion: 1;
  readonly kind: 'scp-proposal';
  readonly style: ScpStyle;
  readonly status: ScpProposalStatus;
  readonly statusReason: string;
  readonly entityPath: string;
  readonly organizationsPolicyId?: string;
  readonly reportJobId: string;
  readonly reportJobCompletionDate: string;
  readonly evaluatedAt: string;
  readonly unusedAfterDays: number;
  /** Start of the window: a use at or after it keeps the service. */
  readonly windowStart: string;
  readonly maxReportAgeDays: number;
  /** Denied by the proposal (deny-list: listed; allow-list: left out), sorted. */
  readonly deniedServices: readonly DeniedService[];
  /** Listed by the report and not denied, each with why, sorted. */
  readonly keptServices: readonly KeptService[];
  /** Services the current SCPs already deny (not listed by the report): not re-denied. Needs `catalogServices`. */
  readonly alreadyDeniedServices: readonly string[];
  readonly documents: readonly ProposedScpDocument[];
  /** The documents' minified JSON, in order. */
  readonly json: readonly string[];
  readonly slots: { readonly needed: number; readonly remaining: number; readonly maxPerTarget: number };
  readonly notes: readonly string[];
  readonly proof: ScpProof;
}

/**
 * The vocabulary of least-privilege decisions. Every function in src/analysis is pure (no I/O): callers pass the
 * report, the policy, the action catalog and the reference time.
 */

/** An explicit exception, like a cdk-nag suppression: a permission pattern (`s3`, `s3:GetObject`, `s3:Get*`) and why. */
export interface PermissionException {
  readonly permission: string;
  readonly reason: string;
}

export interface UnusedPermissionsOptions {
  /** A service or tracked action not used within this many days counts as unused. Default 90 (Repokid's). */
  readonly unusedAfterDays?: number;
  /** The reference time; default: now. Tests and the cache pass it explicitly. */
  readonly now?: Date | string;
  /** Permissions never flagged, each with its reason. */
  readonly allow?: readonly PermissionException[];
  /** A report whose job completed longer ago than this is stale evidence. Default 5 days (Repokid's). */
  readonly maxReportAgeDays?: number;
  /**
   * The time the report's age is measured at (maxReportAgeDays). Default: \`now\` when given, else the real clock —
   * never the report's own completion date, or a report could never be stale.
   */
  readonly ageReferenceTime?: Date | string;
  /**
   * Set when the evidence's source already knows it is stale (a cache entry past its maxAge used with lookups off):
   * the evidence is judged stale with this reason, whatever its age.
   */
  readonly staleReason?: string;
  /**
   * Judge a principal whose creation date could not be read (the report has no `principalCreateDate`) as if its
   * history were long enough. Default false: such a principal is `unknown-history` and nothing is flagged.
   */
  readonly judgeUnknownHistory?: boolean;
}

export type FindingKind =
  | 'unused-service'
  | 'unused-action'
  | 'used-service'
  | 'used-action'
  /** Allowed by the policy but not tracked by access advisor: no evidence either way, so it is kept. */
  | 'unknown-action'
  /** iam:PassRole is never reported as used: it is always kept. */
  | 'never-reported'
  | 'allowed-by-exception'
  /** Unused, but the judged policies (e.g. the stack's own, already tightened) no longer grant it: not a violation. */
  | 'no-longer-granted';

export interface Finding {
  readonly kind: FindingKind;
  /** `s3` for a service, `s3:GetObject` for an action. */
  readonly permission: string;
  readonly lastUsed?: string;
  /** One sentence saying why, citing the evidence. */
  readonly reason: string;
}

export type EvidenceStatus =
  /** The report can support removals. */
  | 'sufficient'
  /** The principal is younger than the window: nothing is flagged. */
  | 'insufficient-history'
  /** The report is older than maxReportAgeDays: nothing is flagged. */
  | 'stale-evidence'
  /**
   * The principal's creation date could not be read (no `principalCreateDate`: the caller may not read the
   * principal), so its history may be shorter than the window: nothing is flagged unless `judgeUnknownHistory`.
   */
  | 'unknown-history';

export interface UnusedPermissions {
  readonly status: EvidenceStatus;
  readonly statusReason: string;
  readonly principalArn: string;
  readonly unusedAfterDays: number;
  readonly evaluatedAt: string;
  readonly reportJobCompletionDate: string;
  /** When the principal was created, as the report says; absent when it could not be read. */
  readonly principalCreateDate?: string;
  /** False when the report has no creation date (the caller could not read the principal): see `unknown-history`. */
  readonly principalCreateDateKnown: boolean;
  readonly usedServices: readonly string[];
  readonly unusedServices: readonly string[];
  /** ACTION_LEVEL only: tracked actions the report lists as not used in the window. */
  readonly usedActions: readonly string[];
  readonly unusedActions: readonly string[];
  readonly findings: readonly Finding[];
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

/** The proof that a tightening is safe: every observed action still allowed, every removed action denied. */
export interface TighteningProof {
  readonly holds: boolean;
  readonly catalogVersion: string;
  readonly usedActionsChecked: number;
  readonly removedActionsChecked: number;
  /** Each violated obligation, e.g. `s3:GetObject used but no longer allowed`. Empty when `holds`. */
  readonly failures: readonly string[];
}

export interface TightenedPolicy {
  /**
   * Every statement of the result in one document: what the principal will be allowed, for judging and review.
   * When `documents` has more than one entry this one is over IAM's size limit: attach `documents` instead.
   */
  readonly policy: PolicyDocument;
  /** Stable, minimal, deterministic JSON of `policy`. */
  readonly json: string;
  /**
   * The managed policy documents to attach, each within IAM's 6,144 characters (white space not counted), at most
   * `maxPolicies` of them: usually one; the Deny lists of an AdministratorAccess-sized tightening take several.
   */
  readonly documents: readonly PolicyDocument[];
  /** `documents` as stable JSON, one string each. */
  readonly jsonDocuments: readonly string[];
  /** Characters of `policy` without white space, as IAM counts them. */
  readonly characters: number;
  /** Concrete `service:Action`s that the original allowed and the tightened policy no longer allows. */
  readonly removedActions: readonly string[];
  /**
   * The part of `removedActions` that a kept wildcard (`s3:*`, `*`) still matches and a Deny statement of the result
   * removes ("denied within a kept wildcard"); the rest were dropped from the Allow statements.
   */
  readonly deniedActions: readonly string[];
  /** Services removed entirely. */
  readonly removedServices: readonly string[];
  /**
   * Services the original allows by name that the report does not list: the principal holds no policy allowing them
   * today, so they are kept without evidence. Non-empty when the document tightened is not what the principal holds,
   * e.g. the original tightened again after an apply removed them (which would grant them back).
   */
  readonly unreportedServices: readonly string[];
  /** What could not be tightened and why (NotAction, NotResource, conditions …). */
  readonly notes: readonly string[];
  readonly findings: UnusedPermissions;
  readonly proof: TighteningProof;
}

/** A committed baseline of accepted unused permissions, keyed by principal ARN (the drift ratchet). */
export interface Baseline {
  readonly schemaVersion: 1;
  readonly principals: Readonly<Record<string, { readonly unused: readonly string[]; readonly acceptedAt: string }>>;
}

export interface DriftResult {
  readonly principalArn: string;
  /** Unused now, not in the baseline: these fail the check. */
  readonly newUnused: readonly string[];
  /** In the baseline and still unused. */
  readonly acceptedUnused: readonly string[];
  /** In the baseline but no longer unused (used again, or removed from the policy): the baseline can shrink. */
  readonly resolved: readonly string[];
  readonly passed: boolean;
}

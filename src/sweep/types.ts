import type { PermissionException, UnusedPermissions } from '../analysis/types';
import type { PrincipalKind } from '../iam/principal-filter';
import type { ErrorKind } from '../model/errors';
import type { Granularity, ServiceLastAccessedReport } from '../model/report';

/**
 * The organization-wide sweep's document: per account and principal, the decision of `findUnusedPermissions` and
 * the service evidence behind it, plus totals. The `html` view renders it as a heat map; keep the shape stable.
 */
export const SWEEP_SCHEMA_VERSION = 1;

export type SweepPrincipalKind = PrincipalKind;
export const SWEEP_PRINCIPAL_KINDS: readonly SweepPrincipalKind[] = ['role', 'user', 'group', 'policy'];

/**
 * What failed, as one line, with its kind (AWS error, incomplete evidence, timeout …). The CLI's documents add the
 * exit status the kind counts as (`exitCode`: 3 AWS/job error, 4 timeout), from the CLI's one mapping.
 */
export interface SweepError {
  readonly code: string;
  readonly message: string;
  readonly kind: ErrorKind;
}

export interface SweepTrackedAction {
  readonly actionName: string;
  readonly lastAccessedTime?: string;
}

export interface SweepService {
  readonly serviceNamespace: string;
  readonly serviceName: string;
  readonly lastAuthenticated?: string;
  readonly trackedActions?: readonly SweepTrackedAction[];
}

export interface SweepPrincipal {
  readonly arn: string;
  readonly kind: SweepPrincipalKind;
  readonly name: string;
  readonly status: 'ok' | 'failed';
  readonly error?: SweepError;
  readonly decision?: UnusedPermissions;
  readonly services?: readonly SweepService[];
}

export interface SweepAccount {
  readonly accountId: string;
  readonly name?: string;
  readonly status: 'ok' | 'failed';
  readonly error?: SweepError;
  /** Sorted by ARN. */
  readonly principals: readonly SweepPrincipal[];
}

/** The options that decide the result (and must match between shards and between a run and its resume). */
export interface SweepRequestSummary {
  readonly source: 'organization' | 'accounts';
  readonly organizationalUnit?: string;
  readonly accounts?: readonly string[];
  readonly roleName: string;
  readonly principalKinds: readonly SweepPrincipalKind[];
  readonly pathPrefix?: string;
  readonly names?: readonly string[];
  readonly includeServiceLinkedRoles: boolean;
  readonly granularity: Granularity;
  readonly unusedAfterDays?: number;
  readonly allow?: readonly PermissionException[];
}

export interface SweepTotals {
  readonly accounts: number;
  readonly accountsFailed: number;
  readonly principals: number;
  readonly principalsFailed: number;
  /** Principals judged on sufficient evidence with at least one unused service or tracked action. */
  readonly principalsWithUnused: number;
  /** Principals not judged: insufficient history or stale evidence. */
  readonly principalsNotJudged: number;
  readonly unusedServices: number;
  readonly unusedActions: number;
}

export interface SweepDriftPrincipal {
  readonly arn: string;
  readonly newUnused: readonly string[];
  readonly acceptedUnused: readonly string[];
  readonly resolved: readonly string[];
}

/** The ratchet over the whole organization: only unused permissions the baseline has not accepted fail. */
export interface SweepDrift {
  readonly passed: boolean;
  /** How many permissions are newly unused, over every principal. */
  readonly newUnused: number;
  /** Principals with something new, accepted or resolved, sorted by ARN. */
  readonly principals: readonly SweepDriftPrincipal[];
}

export interface SweepResult {
  readonly kind: 'access-advisor-sweep';
  readonly schemaVersion: typeof SWEEP_SCHEMA_VERSION;
  readonly generatedAt: string;
  readonly request: SweepRequestSummary;
  /** Present on a shard's result (`--shard I/N`); absent on a whole or merged sweep. */
  readonly shard?: { readonly index: number; readonly count: number };
  /**
   * Every account the sweep set out to cover, sorted: the listing (or --accounts) before sharding. The shards of one
   * sweep must agree on it, and `sweep merge` checks that together they swept each of these exactly once.
   */
  readonly accountsListed: readonly string[];
  /** Sorted by account id. */
  readonly accounts: readonly SweepAccount[];
  readonly totals: SweepTotals;
  /** The baseline file compared against, and whether --accept rewrote it. */
  readonly baseline?: { readonly file: string; readonly accepted: boolean };
  readonly drift?: SweepDrift;
}

/** The `--state` file's own version: 2 carries its creation time, its request and the reports themselves. */
export const SWEEP_STATE_SCHEMA_VERSION = 2;

/**
 * What a sweep has finished so far: written after every principal, read back to resume. It keeps the reports, not
 * the decisions: a resumed sweep judges them again at its own time, so a rerun never passes where a fresh sweep
 * would fail, and a state older than the resume limit (default 24 hours) is refused.
 */
export interface SweepCheckpoint {
  readonly kind: 'access-advisor-sweep-state';
  readonly schemaVersion: typeof SWEEP_STATE_SCHEMA_VERSION;
  /** When the sweep that started this state began (a resume keeps it): the age of its oldest evidence. */
  readonly createdAt: string;
  /** `sweepRequestKey` of the sweep that wrote it: a resume must ask for the same thing. */
  readonly requestKey: string;
  /** The request and shard behind `requestKey`, so a refusal can say what differs. */
  readonly request: SweepRequestSummary;
  readonly shard?: { readonly index: number; readonly count: number };
  /** The complete report of each principal finished so far, by account id then ARN. Failed ones are tried again. */
  readonly done: Readonly<Record<string, Readonly<Record<string, ServiceLastAccessedReport>>>>;
}

export type SweepPhase = 'queued' | 'assuming-role' | 'listing' | 'reporting' | 'done' | 'failed';

export interface SweepProgressEvent {
  readonly accountId: string;
  readonly phase: SweepPhase;
  readonly principals: number;
  readonly finished: number;
  readonly failed: number;
  /** Principals taken from the checkpoint instead of being asked again. */
  readonly resumed: number;
}

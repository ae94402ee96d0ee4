import type { ServiceLastAccessedReport } from '../model/report';
import type * as BaselineModule from './baseline';
import type { GrantedPolicies } from './granted';
import type * as GrantedModule from './granted';
import type { Baseline, DriftResult, EvidenceStatus, Finding, FindingKind, UnusedPermissions, UnusedPermissionsOptions } from './types';
import { findUnusedPermissions } from './unused';
import { DEFAULT_MAX_REPORT_AGE_DAYS } from './defaults';
import { completedInTheFuture, iso, reportAgeDays } from './evidence';

/**
 * The least-privilege gate: the one place that turns access-advisor evidence into a pass or a fail. The
 * LeastPrivilegeGate and PolicyDriftCheck constructs, `access-advisor gate`, the plan-time program, the sweep, the
 * Terraform provider and the report views reach their verdict (or their "which findings are violations") here, so a
 * rule changed here changes for every one of them. A new consumer calls these functions rather than assembling
 * "find unused → restrict to granted → pick violations" again.
 *
 * API
 * - `judgeReport(report, decision, granted?)` → `PrincipalVerdict`: one principal, from its report.
 *     1. `findUnusedPermissions(report, decision)`: evidence → findings (window, exceptions, reference time, report
 *        age and history rules; the report's own granularity says whether actions are judged);
 *     2. `granted` given: `restrictToGranted` turns what those policies no longer grant into `no-longer-granted`
 *        (an opaque policy may grant anything, so then nothing changes);
 *     3. `verdictOf(unused, decision.ratchet)`.
 * - `verdictOf(unused, ratchet?)` → `PrincipalVerdict`: the rules below over a decision already taken (the sweep
 *   stores its decisions; the constructs keep theirs for their `unused` output).
 * - `gateVerdict(principals)` → `GateVerdict`: several principals, passed when every one passed, with counts.
 * - `decisionAgedAt(unused, ageAt)` → the stored decision as it stands at `ageAt`: stale once its report is too old.
 *
 * Defaults: the window (`DEFAULT_UNUSED_AFTER_DAYS`, 90 days) and the report age limit (`DEFAULT_MAX_REPORT_AGE_DAYS`,
 * 5 days) are defined once, in defaults.ts; `now` defaults to the real clock (callers that must be deterministic,
 * such as the synth-time constructs, pass their own).
 *
 * Loading: the policy evaluator (granted.ts) and the baseline rules (baseline.ts) are required on first use, so
 * a synth whose gate passes over a cached report with no judged policies and no baseline never loads them.
 *
 * Each rule is a small named function, as cdk-nag keeps its rules apart:
 * - `isViolation`: only unused services and unused tracked actions can fail a gate;
 * - `evidenceSupportsRemoval`: with insufficient, unknown or stale history nothing is a violation;
 * - `isAcceptedByException`, `isKeptWithoutEvidence`, `isNoLongerGranted`: what is reported beside the violations;
 * - `newSinceBaseline`: with a ratchet only unused permissions the baseline has not accepted fail;
 * - `evidenceCanPass`: stale evidence never passes (a report older than maxReportAgeDays at the real clock).
 */

/** What to judge by: the evidence rules, plus an optional baseline. */
export interface GateDecision extends UnusedPermissionsOptions {
  /**
   * Fail only on unused permissions the baseline has not accepted (the ratchet). `{ baseline: undefined }` is a
   * baseline that does not exist yet: every unused permission is new. Absent: every unused permission fails.
   */
  readonly ratchet?: { readonly baseline: Baseline | undefined };
}

/** The verdict on one principal. */
export interface PrincipalVerdict {
  readonly principalArn: string;
  readonly status: EvidenceStatus;
  readonly statusReason: string;
  /** Whether the evidence could support a removal (status `sufficient`); otherwise nothing is a violation. */
  readonly judged: boolean;
  /** The decision the verdict rests on (restricted to the granted policies, when given). */
  readonly unused: UnusedPermissions;
  /** The unused permissions that fail the gate: all of them, or with a ratchet the new ones. */
  readonly violations: readonly Finding[];
  /** Unused, but covered by an exception with its reason. */
  readonly accepted: readonly Finding[];
  /** Kept because no evidence can vouch for them either way (untracked actions, iam:PassRole). */
  readonly keptWithoutEvidence: readonly Finding[];
  /** Unused permissions the judged policies no longer grant (not violations). */
  readonly noLongerGranted: readonly string[];
  /** With a ratchet: what is new, what the baseline accepted, what it can drop. */
  readonly drift?: DriftResult;
  readonly passed: boolean;
}

export interface GateCounts {
  readonly principals: number;
  readonly passed: number;
  readonly failed: number;
  /** Principals whose evidence could not support a removal (insufficient, unknown or stale history). */
  readonly notJudged: number;
  readonly violations: number;
}

export interface GateVerdict {
  readonly passed: boolean;
  readonly principals: readonly PrincipalVerdict[];
  readonly counts: GateCounts;
}

// ---------------------------------------------------------------------------------------------------------------
// The rules.

const VIOLATION_KINDS: ReadonlySet<FindingKind> = new Set(['unused-service', 'unused-action']);
const KEPT_WITHOUT_EVIDENCE_KINDS: ReadonlySet<FindingKind> = new Set(['unknown-action', 'never-reported']);

/** Only an unused service or an unused tracked action can fail a gate. */
export function isViolation(finding: Pick<Finding, 'kind'>): boolean {
  return VIOLATION_KINDS.has(finding.kind);
}

/** Kept because access advisor cannot vouch for it either way: untracked actions, actions never reported (iam:PassRole). */
export function isKeptWithoutEvidence(finding: Pick<Finding, 'kind'>): boolean {
  return KEPT_WITHOUT_EVIDENCE_KINDS.has(finding.kind);
}

/** Unused, but an explicit exception (with its reason) accepts it. */
export function isAcceptedByException(finding: Pick<Finding, 'kind'>): boolean {
  return finding.kind === 'allowed-by-exception';
}

/** Unused, but the judged policies no longer grant it. */
export function isNoLongerGranted(finding: Pick<Finding, 'kind'>): boolean {
  return finding.kind === 'no-longer-granted';
}

/** Evidence that is insufficient, unknown or stale makes nothing a violation: missing evidence is never "unused". */
export function evidenceSupportsRemoval(unused: Pick<UnusedPermissions, 'status'>): boolean {
  return unused.status === 'sufficient';
}

/** The statuses whose "no violation" may pass: current evidence (sufficient, or a principal too young or of unknown age). */
const PASSABLE_STATUSES: ReadonlySet<string> = new Set<EvidenceStatus>(['sufficient', 'insufficient-history', 'unknown-history']);

/**
 * Stale evidence never passes a gate: it flags nothing, so "no violation" would vouch for a state nobody saw. (Too
 * little or unknown history is different: the evidence is current, the principal too young or of unknown age.) A
 * status that is none of these (a stored decision edited or written by another version) is no evidence either.
 */
export function evidenceCanPass(unused: Pick<UnusedPermissions, 'status'>): boolean {
  return PASSABLE_STATUSES.has(unused.status);
}

/** Findings that only sufficient evidence produces: a decision that turns stale keeps none of them. */
const JUDGED_ONLY_KINDS: ReadonlySet<FindingKind> = new Set(['unused-service', 'unused-action', 'allowed-by-exception', 'no-longer-granted']);

/**
 * A decision taken earlier (a sweep's stored result, read back by `sweep merge`) as it stands at `ageAt`. Its evidence
 * ages as the report behind it does: a report that completed more than `maxReportAgeDays` before `ageAt`, after it
 * (beyond clock skew), or at no readable date, is stale evidence now, whatever the decision said when it was taken,
 * so it flags nothing and cannot pass (`evidenceCanPass`). A decision still fresh, or not sufficient, is returned as is.
 */
export function decisionAgedAt(unused: UnusedPermissions, ageAt: Date, maxReportAgeDays: number = DEFAULT_MAX_REPORT_AGE_DAYS): UnusedPermissions {
  if (unused.status !== 'sufficient') return unused;
  const completed = new Date(typeof unused.reportJobCompletionDate === 'string' ? unused.reportJobCompletionDate : NaN);
  const stale = (why: string): UnusedPermissions => ({
    ...unused,
    status: 'stale-evidence',
    statusReason: `stale evidence: ${why}; nothing is flagged until the report is refreshed`,
    unusedServices: [],
    unusedActions: [],
    findings: unused.findings.filter((f) => !JUDGED_ONLY_KINDS.has(f.kind)),
  });
  const taken = `the decision on ${unused.principalArn} (taken ${String(unused.evaluatedAt)})`;
  if (Number.isNaN(completed.getTime())) return stale(`${taken} names no valid report completion date (${JSON.stringify(unused.reportJobCompletionDate)})`);
  if (completedInTheFuture(completed, ageAt)) {
    return stale(`${taken} rests on a report that says it completed ${iso(completed)}, after ${iso(ageAt)} (the time it is judged at)`);
  }
  const days = reportAgeDays(completed, ageAt);
  if (days > maxReportAgeDays) {
    return stale(`${taken} rests on a report that completed ${iso(completed)}, ${days.toFixed(1)} days before ${iso(ageAt)} (limit ${maxReportAgeDays} days)`);
  }
  return unused;
}

/** With a ratchet, the violations the baseline has not accepted (and the drift that says so). */
export function newSinceBaseline(
  unused: UnusedPermissions,
  violations: readonly Finding[],
  ratchet: { readonly baseline: Baseline | undefined },
): { violations: Finding[]; drift: DriftResult } {
  const { checkDrift } = require('./baseline') as typeof BaselineModule;
  const drift = checkDrift(unused.principalArn, unused, ratchet.baseline);
  const fresh = new Set(drift.newUnused);
  return { violations: violations.filter((f) => fresh.has(f.permission)), drift };
}

// ---------------------------------------------------------------------------------------------------------------
// The gate.

/** One principal's verdict, from its report. */
export function judgeReport(report: ServiceLastAccessedReport, decision: GateDecision = {}, granted?: GrantedPolicies): PrincipalVerdict {
  const { ratchet, ...options } = decision;
  const found = findUnusedPermissions(report, options);
  if (!granted) return verdictOf(found, ratchet);
  const { restrictToGranted } = require('./granted') as typeof GrantedModule;
  return verdictOf(restrictToGranted(found, granted), ratchet);
}

/** The verdict over a decision already taken. */
export function verdictOf(unused: UnusedPermissions, ratchet?: GateDecision['ratchet']): PrincipalVerdict {
  const judged = evidenceSupportsRemoval(unused);
  const unusedFindings = judged ? unused.findings.filter(isViolation) : [];
  const compared = ratchet ? newSinceBaseline(unused, unusedFindings, ratchet) : undefined;
  const violations = compared ? compared.violations : unusedFindings;
  return {
    principalArn: unused.principalArn,
    status: unused.status,
    statusReason: unused.statusReason,
    judged,
    unused,
    violations,
    accepted: unused.findings.filter(isAcceptedByException),
    keptWithoutEvidence: unused.findings.filter(isKeptWithoutEvidence),
    noLongerGranted: unused.findings.filter(isNoLongerGranted).map((f) => f.permission),
    ...(compared ? { drift: compared.drift } : {}),
    passed: evidenceCanPass(unused) && (compared ? compared.drift.passed : violations.length === 0),
  };
}

/** Several principals: the gate passes when every one of them passed. */
export function gateVerdict(principals: readonly PrincipalVerdict[]): GateVerdict {
  const passed = principals.filter((p) => p.passed).length;
  return {
    passed: passed === principals.length,
    principals,
    counts: {
      principals: principals.length,
      passed,
      failed: principals.length - passed,
      notJudged: principals.filter((p) => !p.judged).length,
      violations: principals.reduce((n, p) => n + p.violations.length, 0),
    },
  };
}

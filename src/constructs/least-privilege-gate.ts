// Through the barrel: its members load on first use (scripts/lazy-barrels.js), so a passing gate over no stack
// grants loads neither the evaluator nor the table formatter.
import { findUnusedPermissions, formatViolationsTable, violationSummary, type Violation } from '../analysis/index';
import { DEFAULT_UNUSED_AFTER_DAYS } from '../analysis/defaults';
import { ExceptionMatcher } from '../analysis/exceptions';
import { toViolation } from '../analysis/format';
import { judgeReport, type GateDecision, type PrincipalVerdict } from '../analysis/gate';
import type { PermissionException, UnusedPermissions, UnusedPermissionsOptions } from '../analysis/types';
import { InvalidRequestError } from '../model/errors';
import type { ServiceLastAccessedReport as ReportModel } from '../model/report';
import { Construct } from 'constructs';
import { coreOf } from './cdk-core';
import { DeferredDecision } from './deferred-decision';
import { nativePlanReport, planTimeReport } from './access-report-base';
import type { ServiceLastAccessedReport } from './service-last-accessed-report';
import { checkGivenPolicies, collectGrants, grantSizeProblems, HOW_TO_TRACE, type JudgedPolicySource, type StackGrants } from './stack-grants';
import type { DataAccessAdvisorUnusedPermissions } from './native-data-sources';
import type { NativeServiceReportBinding } from './native-plan-report';
import { escapeForTerraform } from './terraform-strings';

/** The evidence rules every decision construct shares (docs/decisions.md). */
export interface DecisionProps {
  /** A service or tracked action not used within this many days is unused. Default 90. */
  readonly unusedAfterDays?: number;
  /** Exceptions, each with its reason: `{ permission: 's3' | 's3:GetObject' | 's3:Get*', reason }`. */
  readonly allow?: readonly PermissionException[];
  /**
   * The reference time. Default: the report's job completion date for the window, so that the same committed cache
   * always synthesizes the same result; the report's age (maxReportAgeDays) is then measured at the real clock.
   */
  readonly now?: Date | string;
  /**
   * A report older than this (measured at `now` when set, else at the real clock) is stale evidence: it flags nothing,
   * and a gate, tightening or proposal on it fails synth naming the cache entry to refresh. Default 5.
   */
  readonly maxReportAgeDays?: number;
  /**
   * Judge a principal whose age cannot be read (status `unknown-history`) as if its history were long enough.
   * Default false: such a principal is reported, and nothing is flagged or removed.
   */
  readonly judgeUnknownHistory?: boolean;
}

/** What a gate or drift check judges: the permissions the stack will grant (docs/decisions.md). */
export interface JudgedPoliciesProps {
  /**
   * A policy the principal will hold: JSON text, a document, a DataAwsIamPolicyDocument / IamPolicy /
   * IamRolePolicy / IamUserPolicy / IamGroupPolicy of the stack, or a TightenedPolicyDocument (its exceptions then
   * apply too). Unused permissions these policies no longer grant are not violations.
   */
  readonly policy?: JudgedPolicySource;
  /** More such policies; judged together with `policy` and the stack's own attachments. */
  readonly policies?: readonly JudgedPolicySource[];
  /**
   * When the report's principal is a resource of this stack (an IamRole, IamUser, IamGroup or IamPolicy given as
   * `principal`, or a plan-time `arn` referring to one), also judge the policies the stack attaches to it
   * (IamRolePolicy, IamPolicy + attachments, IamRole inline_policy / managed_policy_arns, group memberships).
   * Default true. An attachment whose document the stack does not define (e.g. an AWS-managed policy) may grant
   * anything, so with one every unused permission still counts.
   */
  readonly judgeStackPolicies?: boolean;
}

export type GateFailOn = 'error' | 'warning';

export interface LeastPrivilegeGateProps extends DecisionProps, JudgedPoliciesProps {
  /** The report to judge; synth mode or plan mode. */
  readonly report: ServiceLastAccessedReport;
  /**
   * `error` (default) fails synth (plan mode: the plan, by a postcondition); `warning` only warns (plan mode on the
   * provider: a `check` block, which Terraform reports as a warning; on the external fallback: nothing).
   */
  readonly failOn?: GateFailOn;
}

/**
 * Fails the synth (an error annotation listing every violation with its last use and why) when the principal has
 * unused permissions that no exception covers. With a plan-mode report it adds the plan-time postcondition
 * instead: `terraform plan` fails with the program's summary.
 */
export class LeastPrivilegeGate extends Construct {
  readonly report: ServiceLastAccessedReport;
  readonly failOn: GateFailOn;
  /** Plan mode: the number of violations and the one-line summary, as string tokens Terraform fills in. */
  readonly planViolationCount?: string;
  readonly planSummary?: string;
  /**
   * Plan mode on the provider (default): the gate's `data "accessadvisor_unused_permissions"` (its `passed`, `table`,
   * `violations`, …). The gate is its postcondition (failOn 'error') or a `check` block (failOn 'warning').
   */
  readonly planDecision?: DataAccessAdvisorUnusedPermissions;

  /** Synth mode: evaluated at synth (after the app-wide lookup batch), or when a getter below is read. */
  private readonly decision?: DeferredDecision<PrincipalVerdict | undefined>;

  constructor(scope: Construct, id: string, private readonly props: LeastPrivilegeGateProps) {
    super(scope, id);
    this.report = requireReport(props.report, 'LeastPrivilegeGate');
    this.failOn = oneOf('failOn', props.failOn, ['error', 'warning'], 'error');
    const annotations = coreOf(this).Annotations.of(this);

    const given = givenPolicies(props, this.node.path);
    const binding = this.report.planTime;
    if (binding?.source === 'provider' && 'decision' in binding) {
      this.planDecision = this.gateOnProvider(binding, given);
      this.planViolationCount = coreOf(this).Token.asString(this.planDecision.violationCount);
      this.planSummary = this.planDecision.summary;
      return;
    }
    if (binding?.source === 'external') {
      const options = decisionOptions(props);
      binding.setQuery('unused_after_days', String(options.unusedAfterDays ?? DEFAULT_UNUSED_AFTER_DAYS));
      // Read at synth, when every element of the stack exists (a tightening's exceptions and documents included).
      binding.setQuery('allow', coreOf(this).Lazy.stringValue({ produce: () => JSON.stringify(mergeAllow(options.allow, this.judged(given)?.tightened)) }));
      // At synth (every element exists by then); no key at all when the gate judges today's grants.
      coreOf(this).Aspects.of(this).add({
        visit: (node) => {
          if (node !== this) return;
          const policies = planPoliciesQuery(this.judged(given));
          if (policies !== '') binding.setQuery('policies', policies);
        },
      });
      if (props.judgeUnknownHistory) binding.setQuery('judge_unknown_history', 'true');
      this.planViolationCount = binding.result('violation_count');
      this.planSummary = binding.result('summary');
      if (this.failOn === 'error') {
        const { planGateCondition, planGateErrorMessage } = planTimeReport();
        binding.addPostcondition(planGateCondition(), planGateErrorMessage());
      } else {
        annotations.addWarning(
          `${this.node.path}: failOn 'warning' with an external plan-time report adds no postcondition (Terraform data sources cannot warn); read planSummary / planViolationCount, or use the default planTimeSource 'provider' (a check block)`,
        );
      }
      return;
    }
    // Not here: reading the report now would resolve the lookups registered so far as their own batch.
    this.decision = new DeferredDecision(this, () => this.evaluate(given));
  }

  /**
   * The gate as Terraform runs it on this package's provider: its own `data "accessadvisor_unused_permissions"` over
   * the report's request, with the gate's window, exceptions and the policies the stack will grant (set at synth),
   * and the verdict as a postcondition whose message is the gate's table, or as a `check` block that only warns.
   */
  private gateOnProvider(binding: NativeServiceReportBinding, given: readonly JudgedPolicySource[]): DataAccessAdvisorUnusedPermissions {
    const core = coreOf(this);
    const props = this.props;
    const options = decisionOptions(props);
    const native = nativePlanReport();
    const decision = native.bindGateDecision(this, binding, {
      unusedAfterDays: options.unusedAfterDays ?? DEFAULT_UNUSED_AFTER_DAYS,
      ...(options.maxReportAgeDays !== undefined ? { maxReportAgeDays: options.maxReportAgeDays } : {}),
      ...(props.judgeUnknownHistory ? { judgeUnknownHistory: true } : {}),
    });
    // Read at synth, when every element of the stack exists (a tightening's exceptions included).
    decision.element.setInput(
      'exceptions',
      core.Lazy.anyValue({
        produce: () => {
          const judged = this.judged(given);
          // A judged tightening's exceptions, synth-time (TightenedPolicyDocument) or plan-time (its data source).
          const tightenings = [...(judged?.tightened ?? []), { exceptions: judged?.planExceptions ?? [] }];
          return mergeAllow(options.allow, tightenings).map((e) => ({ permission: e.permission, reason: e.reason }));
        },
      }),
    );
    // At synth; no `policies` at all when the gate judges today's grants (nothing given, or a route not traced).
    core.Aspects.of(this).add({
      visit: (node) => {
        if (node !== this) return;
        const policies = planPolicies(this.judged(given));
        if (policies) decision.element.setInput('policies', policies);
      },
    });
    const advice = () => `${escapeForTerraform(describeJudged(this.judged(given)))}\nRemove them from the policy, or accept one with allow: [{ permission, reason }].`;
    if (this.failOn === 'error') {
      decision.addPostcondition(
        '${self.passed}',
        core.Lazy.stringValue({ produce: () => `LeastPrivilegeGate ${escapeForTerraform(this.node.path)}: \${self.summary}\n\${self.table}\n${advice()}` }),
      );
    } else {
      const check = native.addCheckBlock(this, decision.element.friendlyUniqueId);
      check.addAssertion(
        core.Token.asString(decision.passed),
        core.Lazy.stringValue({ produce: () => `LeastPrivilegeGate ${escapeForTerraform(this.node.path)} (warning): ${decision.summary}\n${decision.table}\n${advice()}` }),
      );
    }
    return decision;
  }

  private judgedCache?: { value: StackGrants | undefined };

  /** The grants this gate judges (given policies + the stack's attachments), collected once at synth. */
  private judged(given: readonly JudgedPolicySource[]): StackGrants | undefined {
    this.judgedCache ??= { value: judgedGrants(this, this.report, given, this.props.judgeStackPolicies) };
    return this.judgedCache.value;
  }

  /**
   * Synth mode: the decision (undefined when the report lookup failed with onError 'warn'). Plan mode: undefined.
   * Reading it before synth evaluates the gate now, resolving every lookup registered so far in one batch: read it
   * after declaring the reports (it is evaluated at synth anyway).
   */
  get unused(): UnusedPermissions | undefined {
    return this.decision?.value?.unused;
  }

  /** Synth mode: the unused permissions that fail the gate (empty when it passes or was not evaluated). Resolves on access, like `unused`. */
  get violations(): Violation[] {
    if (this.report.planTime) {
      throw new InvalidRequestError('violations', this.node.path, 'a synth-time report: plan-time violations are known only to Terraform (see planSummary)');
    }
    return (this.decision?.value?.violations ?? []).map(toViolation);
  }

  /** Synth mode: true when the gate was evaluated and found no violation. Resolves on access, like `unused`. */
  get passed(): boolean {
    return this.decision?.value?.passed ?? false;
  }

  private evaluate(given: readonly JudgedPolicySource[]): PrincipalVerdict | undefined {
    const annotations = coreOf(this).Annotations.of(this);
    const model = this.report.report;
    if (!model) {
      annotations.addWarning(`${this.node.path}: the gate was not evaluated: the report of ${this.report.arn} is unavailable (lookup failed with onError 'warn')`);
      return undefined;
    }
    const grants = this.judged(given);
    const verdict = judge(model, this.props, grants, undefined, this.report);
    const unused = verdict.unused;
    // Stale evidence flags nothing, so "no violation" would be a pass on evidence nobody can vouch for.
    const stale = staleDecisionMessage('LeastPrivilegeGate', this.node.path, unused, this.report);
    if (stale) {
      if (this.failOn === 'error') annotations.addError(stale);
      else annotations.addWarning(stale);
      return verdict;
    }
    const table = formatViolationsTable(unused, { maxRows: GATE_TABLE_MAX_ROWS, fullList: "(the full list is in the gate's violations and unused outputs)" });
    const judgedLine = describeJudged(grants);
    if (verdict.violations.length > 0) {
      const message =
        `LeastPrivilegeGate ${this.node.path}: ${violationSummary(unused)} of ${model.arn}\n${table}\n${judgedLine}\n` +
        'Remove them from the policy, or accept one with allow: [{ permission, reason }].';
      if (this.failOn === 'error') annotations.addError(message);
      else annotations.addWarning(message);
    } else {
      annotations.addInfo(`LeastPrivilegeGate ${this.node.path}: ${table}\n${judgedLine}`);
    }
    for (const warning of exceptionConflicts(this.props.allow, grants)) annotations.addWarning(`LeastPrivilegeGate ${this.node.path}: ${warning}`);
    // What IAM would refuse at apply is not a grant the stack will hold: an error, whatever the evidence.
    const sizes = grants ? grantSizeProblems(grants) : [];
    if (sizes.length > 0) annotations.addError(`LeastPrivilegeGate ${this.node.path}: IAM would refuse what the stack attaches to ${model.arn}: ${sizes.join('; ')}`);
    return verdict;
  }
}

/** Rows of each table section an annotation shows; an admin role can have hundreds of unused services. */
export const GATE_TABLE_MAX_ROWS = 25;

/** The given `policy` / `policies`, checked now (input errors surface at construction). */
export function givenPolicies(props: JudgedPoliciesProps, path: string): JudgedPolicySource[] {
  if (props.policies !== undefined && !Array.isArray(props.policies)) throw new InvalidRequestError('policies', props.policies, 'a list of policies');
  const given = [...(props.policy !== undefined ? [props.policy] : []), ...(props.policies ?? [])];
  checkGivenPolicies(given, path);
  return given;
}

/** What the decision judges, or undefined for "what IAM grants today" (nothing given, nothing in the stack). */
export function judgedGrants(
  scope: Construct,
  report: ServiceLastAccessedReport,
  given: readonly JudgedPolicySource[],
  judgeStackPolicies: boolean | undefined,
): StackGrants | undefined {
  return collectGrants(given, report.principal, scope, report.arn, judgeStackPolicies !== false, report.planTime?.source === 'provider');
}

/**
 * The gate's verdict over what the stack will grant (analysis/gate.ts): the gate's and the judged tightenings'
 * exceptions, the grants, and with a ratchet the baseline. The report construct says whether its cache entry is stale.
 */
export function judge(
  model: ReportModel,
  props: DecisionProps,
  grants: StackGrants | undefined,
  ratchet?: GateDecision['ratchet'],
  report?: ServiceLastAccessedReport,
): PrincipalVerdict {
  const decision: GateDecision = { ...decisionOptionsFor(model, props, report), allow: mergeAllow(props.allow, grants?.tightened), ...(ratchet ? { ratchet } : {}) };
  return judgeReport(model, decision, grants);
}

/** One set of exceptions: the decision's own plus those of every TightenedPolicyDocument it judges. */
export function mergeAllow(own: readonly PermissionException[] | undefined, tightened: readonly { exceptions: readonly PermissionException[] }[] | undefined): PermissionException[] {
  const all = [...(own ?? []), ...(tightened ?? []).flatMap((t) => t.exceptions)];
  const seen = new Set<string>();
  return all.filter((e) => {
    const key = `${e.permission}\u0000${e.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One line saying what was judged: the reader must know whether the stack or today's IAM state passed. */
export function describeJudged(grants: StackGrants | undefined): string {
  if (!grants) return 'judged: what IAM grants the principal today (give policy/policies, or the principal as a construct of this stack, to judge the stack as it will be)';
  const list = (items: readonly string[]) => (items.length <= 4 ? items.join('; ') : `${items.slice(0, 4).join('; ')} (+${items.length - 4} more)`);
  const sources = [...grants.sources, ...grants.planDocuments.map((p) => p.source)];
  const docs = sources.length ? list(sources) : 'no policy';
  if (grants.opaque.length) {
    return (
      `judged: the stack as it will be, but what follows may grant anything, so every unused permission still counts: ${list(grants.opaque)} (policies read: ${docs}); ` +
      `${HOW_TO_TRACE}`
    );
  }
  return `judged: the stack as it will be: ${docs}`;
}

/** Exceptions of the gate that a judged tightening does not honour: applying it would remove an accepted use. */
function exceptionConflicts(allow: readonly PermissionException[] | undefined, grants: StackGrants | undefined): string[] {
  if (!allow?.length || !grants) return [];
  const matcher = new ExceptionMatcher(allow);
  const out: string[] = [];
  for (const t of grants.tightened) {
    const removed = t.removed();
    if (!removed) continue;
    const services = new Set(removed.services);
    const hit = [
      ...removed.services.filter((s) => matcher.forService(s)),
      // An action of a whole removed service is named by its service above.
      ...removed.actions.filter((a) => !services.has(a.slice(0, a.indexOf(':')).toLowerCase()) && matcher.forAction(a)),
    ];
    if (hit.length) {
      out.push(
        `TightenedPolicyDocument ${t.node.path} removes ${hit.slice(0, 5).join(', ')}${hit.length > 5 ? ` (+${hit.length - 5} more)` : ''} although this gate accepts ${hit.length === 1 ? 'it' : 'them'}: give the exception to the TightenedPolicyDocument (its allow applies to this gate too)`,
      );
    }
  }
  return out;
}

/**
 * The provider's `policies` input: each judged document as JSON (escaped: Terraform reads every string as a template)
 * and each document only Terraform knows (a `data "accessadvisor_tightened_policy"`'s json) as its reference; undefined
 * to judge today's grants (nothing judged, or a route that may grant anything).
 */
function planPolicies(grants: StackGrants | undefined): string[] | undefined {
  if (!grants || grants.opaque.length > 0) return undefined;
  const literal = grants.documents.map((d) => escapeForTerraform(typeof d === 'string' ? JSON.stringify(JSON.parse(d)) : JSON.stringify(d)));
  return [...literal, ...new Set(grants.planDocuments.map((p) => p.expression))];
}

/** The plan-time `policies` query value: the judged documents as a JSON array, or "" to judge today's grants. */
function planPoliciesQuery(grants: StackGrants | undefined): string {
  if (!grants || grants.opaque.length > 0) return '';
  return JSON.stringify(grants.documents.map((d) => (typeof d === 'string' ? JSON.parse(d) : d)));
}

// ---------------------------------------------------------------------------------------------------------------
// Shared by the decision constructs (TightenedPolicyDocument, PolicyDriftCheck).

export function decisionOptions(props: DecisionProps): UnusedPermissionsOptions {
  return {
    ...(props.unusedAfterDays !== undefined ? { unusedAfterDays: props.unusedAfterDays } : {}),
    ...(props.allow !== undefined ? { allow: props.allow } : {}),
    ...(props.now !== undefined ? { now: props.now } : {}),
    ...(props.maxReportAgeDays !== undefined ? { maxReportAgeDays: props.maxReportAgeDays } : {}),
    ...(props.judgeUnknownHistory !== undefined ? { judgeUnknownHistory: props.judgeUnknownHistory } : {}),
  };
}

/**
 * The options of a synth-time decision. The window is measured from the report's completion date (the same cache
 * gives the same tightened policy, whenever it runs), but the report's age from the real clock (or the `now` the user
 * sets): a committed cache entry ages, and old evidence is stale evidence. A report its source knows to be stale (a
 * cache entry past its maxAge with lookups off) is judged stale too.
 */
export function decisionOptionsFor(model: ReportModel, props: DecisionProps, report?: ServiceLastAccessedReport): UnusedPermissionsOptions {
  const staleReason = report?.staleReason;
  return {
    now: model.jobCompletionDate,
    ageReferenceTime: props.now ?? new Date(),
    ...decisionOptions(props),
    ...(staleReason !== undefined ? { staleReason } : {}),
  };
}

export function decide(model: ReportModel, props: DecisionProps, report?: ServiceLastAccessedReport): UnusedPermissions {
  return findUnusedPermissions(model, decisionOptionsFor(model, props, report));
}

/** A decision that would remove or flag on stale evidence fails instead: the message names the entry and the fix. */
export function staleDecisionMessage(construct: string, path: string, unused: Pick<UnusedPermissions, 'status' | 'statusReason'>, report: ServiceLastAccessedReport): string | undefined {
  if (unused.status !== 'stale-evidence') return undefined;
  return `${construct} ${path}: no decision on stale evidence for ${report.arn} (${unused.statusReason}); ${report.refreshHint()}`;
}

export function requireReport(report: ServiceLastAccessedReport, construct: string): ServiceLastAccessedReport {
  if (!report || typeof report !== 'object' || !('resolveAt' in report)) {
    throw new InvalidRequestError(`${construct}.report`, typeof report, 'a ServiceLastAccessedReport construct');
  }
  return report;
}

/** The resolved report of a synth-mode construct; a clear error for plan mode. */
export function synthModel(report: ServiceLastAccessedReport, construct: string, path: string): ReportModel | undefined {
  if (report.planTime) {
    throw new InvalidRequestError(
      `${construct}.report`,
      report.node.path,
      `a synth-time report (resolveAt 'synth'): ${construct} needs the literal report to write its result (construct ${path})`,
    );
  }
  return report.report;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  throw new InvalidRequestError(field, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
}

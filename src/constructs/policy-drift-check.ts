import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { parseBaseline } from '../analysis/baseline';
import { DEFAULT_UNUSED_AFTER_DAYS } from '../analysis/defaults';
import type { Baseline, DriftResult, UnusedPermissions } from '../analysis/types';
import { InvalidRequestError } from '../model/errors';
import { Construct } from 'constructs';
import { coreOf } from './cdk-core';
import { DeferredDecision } from './deferred-decision';
import {
  type DecisionProps,
  type GateFailOn,
  type JudgedPoliciesProps,
  describeJudged,
  givenPolicies,
  judge,
  judgedGrants,
  requireReport,
  staleDecisionMessage,
  synthModel,
} from './least-privilege-gate';
import type { ServiceLastAccessedReport } from './service-last-accessed-report';
import type { JudgedPolicySource } from './stack-grants';

export interface PolicyDriftCheckProps extends DecisionProps, JudgedPoliciesProps {
  /** A synth-mode report of the principal. */
  readonly report: ServiceLastAccessedReport;
  /**
   * The committed baseline: a file path (relative to the directory of cdktf.json, else the working directory) or a
   * parsed baseline. A missing file is an empty baseline: every unused permission is then new.
   */
  readonly baseline: string | Baseline;
  /** `error` (default) fails synth on new unused permissions; `warning` only warns. */
  readonly failOn?: GateFailOn;
}

/**
 * A ratchet: fails synth only on unused permissions that the committed baseline has not accepted, and says which
 * command accepts the current state. Entries of the baseline that are no longer unused are reported (info).
 */
export class PolicyDriftCheck extends Construct {
  /** The resolved baseline path (when given as a path). */
  readonly baselineFile?: string;
  /** The command that accepts the current state into the baseline. */
  readonly acceptCommand: string;

  /** Evaluated at synth (after the app-wide lookup batch), or when `drift` / `unused` / `passed` is read. */
  private readonly outcome: DeferredDecision<{ drift: DriftResult; unused: UnusedPermissions; passed: boolean } | undefined>;

  constructor(scope: Construct, id: string, props: PolicyDriftCheckProps) {
    super(scope, id);
    const report = requireReport(props.report, 'PolicyDriftCheck');
    const failOn = props.failOn ?? 'error';
    if (failOn !== 'error' && failOn !== 'warning') throw new InvalidRequestError('failOn', failOn, "one of 'error', 'warning'");
    // Input errors (baseline file, policy, plan-mode report) surface here; only the evidence waits for synth.
    const { baseline, file } = this.loadBaseline(props.baseline);
    this.baselineFile = file;
    if (report.planTime) synthModel(report, 'PolicyDriftCheck', this.node.path);
    const given = givenPolicies(props, this.node.path);
    this.acceptCommand = acceptCommandFor(report.arn, report.granularity, props.unusedAfterDays ?? DEFAULT_UNUSED_AFTER_DAYS, file ?? '<baseline file>');
    this.outcome = new DeferredDecision(this, () => this.evaluate(report, props, baseline, given, failOn));
  }

  /**
   * Undefined when the report was unavailable (lookup failed with onError 'warn'). Resolves on access: reading it
   * before synth resolves every lookup registered so far in one batch (read it after declaring the reports).
   */
  get drift(): DriftResult | undefined {
    return this.outcome.value?.drift;
  }

  /** The unused permissions judged (only those `policy` grants, when given). Resolves on access, like `drift`. */
  get unused(): UnusedPermissions | undefined {
    return this.outcome.value?.unused;
  }

  /** The gate's verdict with the ratchet (analysis/gate.ts): no new unused permission, on evidence that can pass. Resolves on access, like `drift`. */
  get passed(): boolean {
    return this.outcome.value?.passed ?? false;
  }

  private evaluate(
    report: ServiceLastAccessedReport,
    props: PolicyDriftCheckProps,
    baseline: Baseline | undefined,
    given: readonly JudgedPolicySource[],
    failOn: GateFailOn,
  ): { drift: DriftResult; unused: UnusedPermissions; passed: boolean } | undefined {
    const file = this.baselineFile;
    const annotations = coreOf(this).Annotations.of(this);
    const model = synthModel(report, 'PolicyDriftCheck', this.node.path);
    if (!model) {
      annotations.addWarning(`PolicyDriftCheck ${this.node.path}: not evaluated: the report of ${report.arn} is unavailable (lookup failed with onError 'warn')`);
      return undefined;
    }
    const grants = judgedGrants(this, report, given, props.judgeStackPolicies);
    const verdict = judge(model, props, grants, { baseline }, report);
    const unused = verdict.unused;
    const drift = verdict.drift!;
    const stale = staleDecisionMessage('PolicyDriftCheck', this.node.path, unused, report);
    if (stale) {
      // Stale evidence judges nothing: a passing ratchet on it would vouch for what nobody saw.
      if (failOn === 'error') annotations.addError(stale);
      else annotations.addWarning(stale);
    }
    const reasons = new Map(unused.findings.map((f) => [f.permission, f.reason]));
    if (!drift.passed) {
      const shown = drift.newUnused.slice(0, DRIFT_MAX_ROWS).map((p) => `  ${p}: ${reasons.get(p) ?? 'unused'}`);
      if (drift.newUnused.length > DRIFT_MAX_ROWS) shown.push(`  … and ${drift.newUnused.length - DRIFT_MAX_ROWS} more (the full list is in drift.newUnused)`);
      const message =
        `PolicyDriftCheck ${this.node.path}: ${drift.newUnused.length} new unused permission(s) of ${model.arn} not in the baseline${file ? ` ${file}` : ''}:\n` +
        `${shown.join('\n')}\n${describeJudged(grants)}\n` +
        `Remove them, or accept the current state into the baseline: ${this.acceptCommand}`;
      if (failOn === 'error') annotations.addError(message);
      else annotations.addWarning(message);
    }
    if (unused.status !== 'sufficient') annotations.addInfo(`PolicyDriftCheck ${this.node.path}: nothing judged: ${unused.statusReason}`);
    if (drift.resolved.length > 0) {
      annotations.addInfo(
        `PolicyDriftCheck ${this.node.path}: no longer unused, the baseline can shrink: ${drift.resolved.join(', ')} (${this.acceptCommand})`,
      );
    }
    return { drift, unused, passed: verdict.passed };
  }

  private loadBaseline(source: string | Baseline): { baseline: Baseline | undefined; file?: string } {
    if (typeof source !== 'string') {
      if (typeof source !== 'object' || source === null) throw new InvalidRequestError('baseline', source, 'a file path or a baseline object');
      return { baseline: parseBaseline(JSON.stringify(source), `${this.node.path} baseline`) };
    }
    const cdktfJsonPath = this.node.tryGetContext('cdktfJsonPath');
    const base = typeof cdktfJsonPath === 'string' ? dirname(resolvePath(cdktfJsonPath)) : process.cwd();
    const file = resolvePath(base, source);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return { baseline: undefined, file };
      throw new InvalidRequestError('baseline', file, `a readable baseline file (${(error as Error).message})`);
    }
    return { baseline: parseBaseline(text, file), file };
  }
}

/** New unused permissions an annotation lists before "… and N more". */
const DRIFT_MAX_ROWS = 25;

/** The CLI command (docs/decisions.md) that writes the principal's current unused permissions into the baseline. */
export function acceptCommandFor(arn: string, granularity: string, unusedAfterDays: number, file: string): string {
  return `access-advisor gate --arn ${arn} --granularity ${granularity} --unused-after-days ${unusedAfterDays} --baseline ${file} --accept`;
}

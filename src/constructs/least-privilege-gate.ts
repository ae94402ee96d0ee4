import { findUnusedPermissions } from '../analysis/index';
import { formatViolationsTable, violationsOf, type Violation } from '../analysis/format';
import type { PermissionException, UnusedPermissions, UnusedPermissionsOptions } from '../analysis/types';
import { InvalidRequestError } from '../iam/errors';
import type { ServiceLastAccessedReport as ReportModel } from '../iam/model';
import { Construct } from 'constructs';
import { coreOf } from './cdk-core';
import { DeferredDecision } from './deferred-decision';
import { planGateCondition, planGateErrorMessage } from './plan-time-report';
import type { ServiceLastAccessedReport } from './service-last-accessed-report';

/** The evidence rules every decision construct shares (docs/decisions.md). */
export interface DecisionProps {
  /** A service or tracked action not used within this many days is unused. Default 90. */
  readonly unusedAfterDays?: number;
  /** Exceptions, each with its reason: `{ permission: 's3' | 's3:GetObject' | 's3:Get*', reason }`. */
  readonly allow?: readonly PermissionException[];
  /**
   * The reference time. Default: the report's job completion date, so that the same committed cache always
   * synthesizes the same result (the cache's `maxAge` is what keeps the evidence fresh at synth).
   */
  readonly now?: Date | string;
  /** A report older than this (relative to `now`) is stale evidence and flags nothing. Default 5. */
  readonly maxReportAgeDays?: number;
}

export type GateFailOn = 'error' | 'warning';

export interface LeastPrivilegeGateProps extends DecisionProps {
  /** The report to judge; synth mode or plan mode. */
  readonly report: ServiceLastAccessedReport;
  /** `error` (default) fails synth (or the plan, for plan-mode reports); `warning` only warns (synth mode). */
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
  /** Plan mode: `${data.external.….result["violation_count"]}` and the one-line summary, as string tokens. */
  readonly planViolationCount?: string;
  readonly planSummary?: string;

  /** Synth mode: evaluated at synth (after the app-wide lookup batch), or when a getter below is read. */
  private readonly decision?: DeferredDecision<UnusedPermissions | undefined>;

  constructor(scope: Construct, id: string, private readonly props: LeastPrivilegeGateProps) {
    super(scope, id);
    this.report = requireReport(props.report, 'LeastPrivilegeGate');
    this.failOn = oneOf('failOn', props.failOn, ['error', 'warning'], 'error');
    const annotations = coreOf(this).Annotations.of(this);

    if (this.report.planTime) {
      const binding = this.report.planTime;
      const options = decisionOptions(props);
      binding.setQuery('unused_after_days', String(options.unusedAfterDays ?? 90));
      binding.setQuery('allow', JSON.stringify(options.allow ?? []));
      this.planViolationCount = binding.result('violation_count');
      this.planSummary = binding.result('summary');
      if (this.failOn === 'error') {
        binding.addPostcondition(planGateCondition(), planGateErrorMessage());
      } else {
        annotations.addWarning(
          `${this.node.path}: failOn 'warning' with a plan-time report adds no postcondition (Terraform data sources cannot warn); read planSummary / planViolationCount instead`,
        );
      }
      return;
    }
    // Not here: reading the report now would resolve the lookups registered so far as their own batch.
    this.decision = new DeferredDecision(this, () => this.evaluate());
  }

  /**
   * Synth mode: the decision (undefined when the report lookup failed with onError 'warn'). Plan mode: undefined.
   * Reading it before synth evaluates the gate now, resolving every lookup registered so far in one batch: read it
   * after declaring the reports (it is evaluated at synth anyway).
   */
  get unused(): UnusedPermissions | undefined {
    return this.decision?.value;
  }

  /** Synth mode: the unused permissions that fail the gate (empty when it passes or was not evaluated). Resolves on access, like `unused`. */
  get violations(): Violation[] {
    if (this.report.planTime) {
      throw new InvalidRequestError('violations', this.node.path, 'a synth-time report: plan-time violations are known only to Terraform (see planSummary)');
    }
    const unused = this.unused;
    return unused ? violationsOf(unused) : [];
  }

  /** Synth mode: true when the gate was evaluated and found no violation. Resolves on access, like `unused`. */
  get passed(): boolean {
    return this.unused !== undefined && this.violations.length === 0;
  }

  private evaluate(): UnusedPermissions | undefined {
    const annotations = coreOf(this).Annotations.of(this);
    const model = this.report.report;
    if (!model) {
      annotations.addWarning(`${this.node.path}: the gate was not evaluated: the report of ${this.report.arn} is unavailable (lookup failed with onError 'warn')`);
      return undefined;
    }
    const unused = decide(model, this.props);
    const violations = violationsOf(unused);
    const table = capTable(formatViolationsTable(unused), unused, GATE_TABLE_MAX_ROWS);
    if (violations.length > 0) {
      const message =
        `LeastPrivilegeGate ${this.node.path}: ${violations.length} unused permission(s) of ${model.arn}\n${table}\n` +
        'Remove them from the policy, or accept one with allow: [{ permission, reason }].';
      if (this.failOn === 'error') annotations.addError(message);
      else annotations.addWarning(message);
    } else {
      annotations.addInfo(`LeastPrivilegeGate ${this.node.path}: ${table}`);
    }
    return unused;
  }
}

/** Rows of each table section an annotation shows; an admin role can have hundreds of unused services. */
export const GATE_TABLE_MAX_ROWS = 25;

/**
 * `formatViolationsTable` with each section (violations, accepted exceptions) cut to `maxRows` rows and a count of
 * the rest. Relies on its layout (header line, column line, one line per row); anything else is left whole.
 */
export function capTable(table: string, unused: UnusedPermissions, maxRows: number): string {
  const violationCount = violationsOf(unused).length;
  const exceptionCount = unused.findings.filter((f) => f.kind === 'allowed-by-exception').length;
  const lines = table.split('\n');
  const violationRows = unused.status === 'sufficient' && violationCount > 0 ? violationCount : 0;
  const expected = 1 + (violationRows > 0 ? 1 + violationRows : 0) + (exceptionCount > 0 ? 2 + exceptionCount : 0);
  if (lines.length !== expected) return table;
  const out: string[] = [lines[0]!];
  let at = 1;
  const section = (headerLines: number, rows: number, more: string) => {
    out.push(...lines.slice(at, at + headerLines));
    at += headerLines;
    out.push(...lines.slice(at, at + Math.min(rows, maxRows)));
    if (rows > maxRows) out.push(`… and ${rows - maxRows} more ${more}`);
    at += rows;
  };
  if (violationRows > 0) section(1, violationRows, "(the full list is in the gate's violations output)");
  if (exceptionCount > 0) section(2, exceptionCount, "(the full list is in the gate's unused.findings)");
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Shared by the decision constructs (TightenedPolicyDocument, PolicyDriftCheck).

export function decisionOptions(props: DecisionProps): UnusedPermissionsOptions {
  return {
    ...(props.unusedAfterDays !== undefined ? { unusedAfterDays: props.unusedAfterDays } : {}),
    ...(props.allow !== undefined ? { allow: props.allow } : {}),
    ...(props.now !== undefined ? { now: props.now } : {}),
    ...(props.maxReportAgeDays !== undefined ? { maxReportAgeDays: props.maxReportAgeDays } : {}),
  };
}

/** The options with the deterministic default reference time (the report's completion date). */
export function decisionOptionsFor(model: ReportModel, props: DecisionProps): UnusedPermissionsOptions {
  return { now: model.jobCompletionDate, ...decisionOptions(props) };
}

export function decide(model: ReportModel, props: DecisionProps): UnusedPermissions {
  return findUnusedPermissions(model, decisionOptionsFor(model, props));
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

import { InvalidRequestError } from '../model/errors';
import type { AccessReport, ReportRequest } from '../model/report';
import { Construct } from 'constructs';
import { coreOf } from './cdk-core';
import type { NativeOrganizationsReportBinding, NativeServiceReportBinding } from './native-plan-report';
import type { PlanTimeReportBinding } from './plan-time-report';
import { SynthReportLookup } from './report-lookup';
import { type ResolveAt, type ResolvedReportOptions } from './report-props';

/** How a plan-time report is read by Terraform: this package's provider (default) or the external fallback. */
export type PlanTimeBinding = PlanTimeReportBinding | NativeServiceReportBinding | NativeOrganizationsReportBinding;

/**
 * What both report constructs share: a report resolved either at synth (a lookup in the app-wide batch) or at plan
 * (a `data "accessadvisor_…"` block of this package's provider, or the `data "external"` fallback), the job metadata
 * outputs, and publishing outputs by name.
 */
export abstract class AccessReportConstruct<R extends AccessReport, OutputName extends string, B extends PlanTimeBinding = PlanTimeBinding> extends Construct {
  abstract readonly resolveAt: ResolveAt;
  private binding?: B;
  private lookup?: SynthReportLookup<R>;

  /** Plan mode: the data source binding (`source` says which: 'provider' or 'external'). */
  get planTime(): B | undefined {
    return this.binding;
  }

  /** The cache key of this report (synth mode). */
  get lookupKey(): string | undefined {
    return this.lookup?.key;
  }

  /**
   * The resolved normalized report (synth mode). Reading it resolves every report registered so far in one batch.
   * Undefined only when the lookup failed with onError 'warn' and no older cache entry exists; throws when it
   * failed with onError 'fail'. Plan mode: undefined.
   */
  get report(): R | undefined {
    return this.lookup?.report;
  }

  /** Synth mode: why the cached report is stale by its source (see SynthReportLookup.staleReason), or undefined. */
  get staleReason(): string | undefined {
    return this.lookup?.staleReason;
  }

  /** Synth mode: how to refresh this report's cache entry (names the file, the key and the command). */
  refreshHint(): string {
    return this.lookup?.refreshHint() ?? 'generate a new report';
  }

  get jobId(): string {
    if (this.binding?.source === 'provider') return this.binding.report.jobId;
    if (this.binding) return this.binding.result('job_id');
    return this.synth().lazyString((r) => r.jobId);
  }

  get jobCompletionDate(): string {
    if (this.binding?.source === 'provider') return this.binding.report.jobCompletionDate;
    if (this.binding) {
      const { Fn, Token } = coreOf(this);
      return Token.asString(Fn.lookup(this.binding.decoded('report'), 'jobCompletionDate', ''));
    }
    return this.synth().lazyString((r) => r.jobCompletionDate);
  }

  /**
   * The whole report as a JSON string. Synth and the external fallback: the normalized report (lowerCamelCase);
   * the provider: `jsonencode` of its data source, in Terraform's snake_case names.
   */
  get reportJson(): string {
    if (this.binding?.source === 'provider') {
      // `jsonencode(data.<type>.<name>)`: the element's fqn is a reference to the whole data source.
      const { Fn, Token } = coreOf(this);
      return Token.asString(Fn.jsonencode(this.binding.report.fqn));
    }
    if (this.binding) return this.binding.result('report');
    return this.synth().lazyString((r) => JSON.stringify(r));
  }

  /** Publish chosen values as Terraform outputs (ids = the names, under this construct). */
  addOutputs(...names: OutputName[]): Record<string, Construct> {
    const allowed = this.outputNames();
    const { TerraformOutput } = coreOf(this);
    const outputs: Record<string, Construct> = {};
    for (const name of names) {
      if (!allowed.includes(name)) throw new InvalidRequestError('addOutputs', name, `one of ${allowed.join(', ')}`);
      outputs[name] = new TerraformOutput(this, name, { value: this.outputValue(name) });
    }
    return outputs;
  }

  protected abstract outputNames(): readonly OutputName[];
  protected abstract outputValue(name: OutputName): unknown;

  /** The external fallback: a `data "external"` block running the bundled program. */
  protected resolveAtPlan(query: Record<string, string>): void {
    this.binding = planTimeReport().bindPlanTimeReport(this, 'report', query) as B;
  }

  /** The default plan-time source: a data source of this package's provider. */
  protected resolveAtPlanNatively(binding: B): void {
    this.binding = binding;
  }

  protected resolveAtSynth(request: ReportRequest, options: ResolvedReportOptions): void {
    this.lookup = new SynthReportLookup<R>(this, request, options);
  }

  /** The synth-time lookup; an output plan time does not provide is refused by name. */
  protected synth(output?: string): SynthReportLookup<R> {
    if (!this.lookup) {
      throw new InvalidRequestError(
        'resolveAt',
        this.resolveAt,
        `'synth' for ${output ?? 'this output'}, which a plan-time report does not provide (construct ${this.node.path})`,
      );
    }
    return this.lookup;
  }
}

/**
 * The plan-time binding (Terraform's external data source) loads in plan mode only: a synth served from the cache
 * never needs it (bench/synth-startup.ts).
 */
export function planTimeReport(): typeof import('./plan-time-report') {
  return require('./plan-time-report') as typeof import('./plan-time-report');
}

/** The provider's plan-time binding loads in plan mode only, like the external one. */
export function nativePlanReport(): typeof import('./native-plan-report') {
  return require('./native-plan-report') as typeof import('./native-plan-report');
}

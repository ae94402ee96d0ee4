import { InvalidRequestError } from '../model/errors';
import type { AccessReport, ReportRequest } from '../model/report';
import { Construct } from 'constructs';
import { coreOf } from './cdk-core';
import type { PlanTimeReportBinding } from './plan-time-report';
import { SynthReportLookup } from './report-lookup';
import { type ResolveAt, type ResolvedReportOptions } from './report-props';

/**
 * What both report constructs share: a report resolved either at synth (a lookup in the app-wide batch) or at plan
 * (a `data.external` block), the job metadata outputs, and publishing outputs by name.
 */
export abstract class AccessReportConstruct<R extends AccessReport, OutputName extends string> extends Construct {
  abstract readonly resolveAt: ResolveAt;
  private binding?: PlanTimeReportBinding;
  private lookup?: SynthReportLookup<R>;

  /** Plan mode: the external data source binding. */
  get planTime(): PlanTimeReportBinding | undefined {
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
    if (this.binding) return this.binding.result('job_id');
    return this.synth().lazyString((r) => r.jobId);
  }

  get jobCompletionDate(): string {
    if (this.binding) {
      const { Fn, Token } = coreOf(this);
      return Token.asString(Fn.lookup(this.binding.decoded('report'), 'jobCompletionDate', ''));
    }
    return this.synth().lazyString((r) => r.jobCompletionDate);
  }

  /** The whole normalized report as a JSON string. */
  get reportJson(): string {
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

  protected resolveAtPlan(query: Record<string, string>): void {
    this.binding = planTimeReport().bindPlanTimeReport(this, 'report', query);
  }

  protected resolveAtSynth(request: ReportRequest, options: ResolvedReportOptions): void {
    this.lookup = new SynthReportLookup<R>(this, request, options);
  }

  /** The synth-time lookup; an output the plan-time program does not provide is refused by name. */
  protected synth(output?: string): SynthReportLookup<R> {
    if (!this.lookup) {
      throw new InvalidRequestError(
        'resolveAt',
        this.resolveAt,
        `'synth' for ${output ?? 'this output'}, which the plan-time program does not provide (construct ${this.node.path})`,
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

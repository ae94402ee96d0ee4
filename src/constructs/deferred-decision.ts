import type { Construct } from 'constructs';
import { coreOf } from './cdk-core';
import { ReportLookupError } from './report-lookup';

/**
 * A decision construct's evaluation, run once and late: at synth (from an aspect on the construct, so its
 * annotations exist before cdktf collects them), or earlier when code explicitly reads a value that needs it.
 *
 * Why late: evaluating needs the resolved report, and resolving resolves every lookup registered so far in one
 * worker run. A decision evaluated in its constructor would cut the app's lookups into one batch per decision
 * (report A, gate A, report B, gate B … = one job latency per report). At synth every construct exists, so the
 * first evaluation resolves the whole app in one batch.
 */
export class DeferredDecision<T> {
  private evaluated?: { readonly value: T };

  constructor(
    owner: Construct,
    private readonly evaluate: () => T,
  ) {
    // Aspects are inherited by children; evaluate only when the owner itself is visited.
    coreOf(owner).Aspects.of(owner).add({ visit: (node) => { if (node === owner) this.atSynth(); } });
  }

  /** The value, evaluating now if needed. Throws ReportLookupError when the report lookup failed (onError 'fail'). */
  get value(): T {
    if (!this.evaluated) this.evaluated = { value: this.evaluate() };
    return this.evaluated.value;
  }

  /** The value for lazy outputs and synth: undefined when the report lookup failed (its construct carries the error). */
  get valueOrUndefined(): T | undefined {
    try {
      return this.value;
    } catch (error) {
      if (error instanceof ReportLookupError) return undefined;
      throw error;
    }
  }

  private atSynth(): void {
    void this.valueOrUndefined;
  }
}

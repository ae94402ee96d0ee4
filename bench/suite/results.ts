import type { CallCost, FanoutSample, FanoutScenario } from './fanout-matrix';
import type { TightenBenchResult } from '../tighten';
import type { SynthStartupSample } from '../synth-startup';
import type { HtmlSample } from '../html';
import type { MachineInfo } from './machine';
import type { SweepSample } from '../sweep';
import type { PhasesSample } from '../phases';
import type { ProviderSample } from '../provider';

/** Everything one `npm run bench` measured: the input of the BENCHMARKS.md renderer. */
export interface BenchResults {
  readonly machine: MachineInfo;
  readonly command: string;
  readonly runs: number;
  readonly buildMs?: number;
  readonly totalMs: number;
  readonly callCost?: { readonly services20: CallCost; readonly services400: CallCost };
  readonly fanout?: { readonly scenarios: readonly FanoutScenario[]; readonly samples: readonly FanoutSample[] };
  readonly synthCached?: SectionOutcome<readonly SynthCachedSample[]>;
  readonly synthStartup?: SectionOutcome<SynthStartupSample>;
  readonly synthUncached?: readonly { readonly rate: 'engine default' | number; readonly outcome: SectionOutcome<readonly SynthUncachedSample[]> }[];
  readonly tighten?: SectionOutcome<readonly TightenSample[]>;
  readonly cli?: SectionOutcome<CliSample>;
  readonly html?: SectionOutcome<HtmlSample>;
  /** The organization-wide sweep (bench/sweep.ts). */
  readonly sweep?: SectionOutcome<readonly SweepSample[]>;
  /** One uncached report, phase by phase, in synth and in the CLI (bench/phases.ts). */
  readonly phases?: SectionOutcome<PhasesSample>;
  /** The Terraform provider: start to handshake, and `terraform plan` with 50 reports (bench/provider.ts). */
  readonly provider?: SectionOutcome<ProviderSample>;
}

export type SectionOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface SynthCachedSample {
  readonly reports: number;
  readonly withReportsMs: number;
  readonly withoutReportsMs: number;
  readonly perReportMs: number;
}

export interface SynthUncachedSample {
  readonly reports: number;
  readonly jobDurationMs: number;
  readonly oneReportMs: number;
  readonly manyReportsMs: number;
  readonly maxInFlight: number;
}

/** What one tightening child process reports (bench/tighten.ts), without its own goal verdict. */
export type TightenSample = Omit<TightenBenchResult, 'goalMs' | 'adminWithinGoal'>;

export interface CliSample {
  readonly help: { readonly runs: number; readonly medianMs: number; readonly minMs: number; readonly maxMs: number };
  readonly serviceReport: {
    readonly runs: number;
    readonly medianMs: number;
    readonly minMs: number;
    readonly maxMs: number;
    readonly jobDurationMs: number;
    readonly apiCallsPerRun: number;
  };
}

import type { ActionCatalog } from '../model/action-catalog';
import type { JobStore } from './jobs';
import type { SeededRandom } from './rng';
import type { ReportPreparations } from './service-report-preparation';
import type { SessionStore } from './sessions';
import type { EmulatorMetrics, JobSettings } from './types';
import type { Principal, WorldModel } from './world-model';

/** Everything an operation handler may read or change. */
export interface EmulatorState {
  readonly model: WorldModel;
  readonly catalog: ActionCatalog;
  readonly jobs: JobStore;
  /** Reports of running jobs, prepared in idle time. */
  readonly preparations: ReportPreparations;
  jobSettings: JobSettings;
  readonly ids: SeededRandom;
  readonly durations: SeededRandom;
  readonly clock: () => Date;
  readonly monotonicMs: () => number;
  readonly metrics: EmulatorMetrics;
  /** Temporary credentials issued by STS AssumeRole. */
  readonly sessions: SessionStore;
}

/** The principal behind the access key that signed the request (the role, for AssumeRole session keys). */
export interface Caller {
  readonly accessKeyId: string;
  readonly principal: Principal;
  readonly account: string;
  /** The STS session (its access key id) when the request was signed with temporary credentials AssumeRole issued. */
  readonly session?: string;
}

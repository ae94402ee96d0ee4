import type { ActionCatalog } from '../iam/action-catalog';
import type { JobStore } from './jobs';
import type { SeededRandom } from './rng';
import type { EmulatorMetrics, JobSettings } from './types';
import type { Principal, WorldModel } from './world-model';

/** Everything an operation handler may read or change. */
export interface EmulatorState {
  readonly model: WorldModel;
  readonly catalog: ActionCatalog;
  readonly jobs: JobStore;
  jobSettings: JobSettings;
  readonly ids: SeededRandom;
  readonly durations: SeededRandom;
  readonly clock: () => Date;
  readonly monotonicMs: () => number;
  readonly metrics: EmulatorMetrics;
}

/** The principal behind the access key that signed the request. */
export interface Caller {
  readonly accessKeyId: string;
  readonly principal: Principal;
  readonly account: string;
}

import type { AccessReport, ReportRequest } from '../model/report';
import type { CacheConnection } from './cache-file';

/** What the synth process hands the worker on stdin. No credentials: the worker inherits the environment. */
export interface WorkerBatch {
  readonly protocol: 1;
  readonly jobs: readonly WorkerJob[];
  /** Max requests in flight per connection; default: all of them. */
  readonly concurrency?: number;
  /** Client-side rate limit per connection; default: the engine's. */
  readonly requestsPerSecond?: number;
}

export interface WorkerJob {
  readonly key: string;
  readonly request: ReportRequest;
  readonly connection: CacheConnection;
  readonly timeoutMs?: number;
}

export interface WorkerFailure {
  readonly name: string;
  readonly message: string;
  /** The AWS error code or IAM job error code, when there is one. */
  readonly awsCode?: string;
}

export type WorkerOutcome =
  | { readonly key: string; readonly ok: true; readonly report: AccessReport }
  | { readonly key: string; readonly ok: false; readonly error: WorkerFailure };

/** What the worker prints on stdout: one outcome per job, same order. */
export interface WorkerResponse {
  readonly protocol: 1;
  readonly outcomes: readonly WorkerOutcome[];
}

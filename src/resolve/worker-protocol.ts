import type { AccessReport, ReportRequest } from '../model/report';
import type { MessagePort } from 'node:worker_threads';
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

/** The value of the shared Int32 once the worker thread has posted its answer (it starts at 0). */
export const THREAD_ANSWERED = 1;

/** What a synth hands a worker thread (workerData): the batch comes later, on `port`. */
export interface ThreadData {
  readonly accessAdvisorSynthWorker: 1;
  /**
   * Two Int32s: the thread sets the first to THREAD_ANSWERED and notifies once its answer is on `port`; the second to 1
   * as soon as it runs (the synth then knows that a stopped thread is a dead one, not one still starting).
   */
  readonly signal: SharedArrayBuffer;
  readonly port: MessagePort;
}

/** The one message a worker thread posts: the response, or why there is none (with the tail of its output). */
export type ThreadAnswer =
  | { readonly ok: true; readonly response: WorkerResponse }
  | { readonly ok: false; readonly error: string; readonly output: string };

export function isThreadData(data: unknown): data is ThreadData {
  const d = data as Partial<ThreadData> | null | undefined;
  return d?.accessAdvisorSynthWorker === 1 && d.signal instanceof SharedArrayBuffer && d.port !== undefined;
}

import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { safeMessage } from '../model/redact';
import { phaseMark, THREAD_START_MARK } from '../iam/phase-log';
import { type ThreadAnswer, type ThreadData, type WorkerBatch, type WorkerResponse, THREAD_ANSWERED } from './worker-protocol';

// For the resolver's own marks after the worker (it loads this module on a miss only; a cache hit loads neither).
export { phaseMark };

/** Thrown when the worker itself could not run (not when a report failed: that is an outcome). */
export class WorkerRunError extends Error {}

let workerRuns = 0;

/** How many worker runs (batches) this process has started: lets tests and benches check batching. */
export function workerRunCount(): number {
  return workerRuns;
}

/**
 * The module a worker thread runs. From `dist/` the compiled `.js` (the code-cache launcher of the bundle) sits beside
 * this file; from sources (ts-jest, ts-node in a dev checkout) only the `.ts` exists, and the thread loads it through
 * ts-node's transpile-only register hook (`register`).
 */
export function workerModule(): { file: string; register?: string } {
  const compiled = join(__dirname, 'synth-worker.js');
  if (existsSync(compiled)) return { file: compiled };
  const source = join(__dirname, 'synth-worker.ts');
  if (existsSync(source)) {
    try {
      return { file: source, register: require.resolve('ts-node/register/transpile-only') };
    } catch {
      throw new WorkerRunError(`the synth worker ${source} is TypeScript and ts-node is not installed`);
    }
  }
  throw new WorkerRunError(`the synth worker is missing: neither ${compiled} nor ${source} exists`);
}

/**
 * The code of a worker thread: loads the worker module, and when that throws (a broken install, a syntax error in a
 * source), answers with the error itself, since the synth, blocked until an answer, would otherwise wait for its
 * timeout. Once loaded, the module answers (src/resolve/synth-worker.ts).
 */
function threadSource(module: { file: string; register?: string }): string {
  return [
    // For the thread's first timing mark (src/iam/phase-log.ts).
    `globalThis[Symbol.for(${JSON.stringify(THREAD_START_MARK.description)})] = performance.timeOrigin + performance.now();`,
    `const { workerData } = require('node:worker_threads');`,
    // Running: from now on, a stopped thread without an answer is a dead one (see threadEnded).
    `Atomics.store(new Int32Array(workerData.signal), ${THREAD_RUNNING_INDEX}, 1);`,
    `try {`,
    ...(module.register ? [`  require(${JSON.stringify(module.register)});`] : []),
    `  require(${JSON.stringify(module.file)});`,
    `} catch (error) {`,
    `  workerData.port.postMessage({ ok: false, error: 'it could not load ' + ${JSON.stringify(module.file)} + ': ' + (error && error.message || String(error)), output: '' });`,
    `  const signal = new Int32Array(workerData.signal);`,
    `  Atomics.store(signal, 0, ${THREAD_ANSWERED});`,
    `  Atomics.notify(signal, 0);`,
    `  workerData.port.close();`,
    `}`,
  ].join('\n');
}

/** A worker thread loading (or loaded) and waiting for its batch. */
interface StartedThread {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly signal: Int32Array;
  /** The environment the thread was given (its own copy, taken at its start). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether the thread has stopped, read without the event loop; undefined where Node does not offer it. */
  readonly stopped?: () => boolean;
}

/** Index of the Int32 the thread sets to 1 once it runs (index 0 is THREAD_ANSWERED's). */
const THREAD_RUNNING_INDEX = 1;
/** How often the blocked synth looks whether its worker thread still runs. */
const LIVENESS_CHECK_MS = 100;

/**
 * Whether a worker thread has stopped, read synchronously. The synth's thread sleeps in Atomics.wait and never sees a
 * Worker's 'exit' event: a thread that dies without answering (out of memory, terminated) would leave the synth
 * waiting for its whole timeout (ten minutes by default). Node's public API offers no synchronous liveness check, so
 * this reads the Worker's native handle: its loopIdleTime() is -1 once the thread has stopped (Node 20 and 22; it
 * takes the thread's mutex, so it is safe to call from here). A thread watching the worker would serve as well, at
 * the price of a second thread start (about 60 ms of CPU) on every cold synth. Where the handle is not there (another
 * Node), undefined: the synth then waits for its timeout as before, and never reads silence as a report.
 */
function stoppedProbe(worker: Worker): (() => boolean) | undefined {
  const key = Object.getOwnPropertySymbols(worker).find((symbol) => symbol.description === 'kHandle');
  const handle = key === undefined ? undefined : (worker as unknown as Record<symbol, { loopIdleTime?: () => number } | null>)[key];
  if (typeof handle?.loopIdleTime !== 'function') return undefined;
  return () => handle.loopIdleTime!() < 0;
}

/**
 * Sleeps until the thread answers (true) or the timeout passes (false). A thread that has run and stopped without an
 * answer ends the wait at once (threadEnded), within LIVENESS_CHECK_MS.
 */
function waitForAnswer(thread: StartedThread, timeoutMs: number): boolean | 'stopped' {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return Atomics.load(thread.signal, 0) === THREAD_ANSWERED;
    Atomics.wait(thread.signal, 0, 0, thread.stopped ? Math.min(left, LIVENESS_CHECK_MS) : left);
    if (Atomics.load(thread.signal, 0) === THREAD_ANSWERED) return true;
    if (threadEnded(thread)) return Atomics.load(thread.signal, 0) === THREAD_ANSWERED ? true : 'stopped';
  }
}

/** The thread ran (it marked so) and has stopped. Before it runs, Node's handle says "stopped" too. */
function threadEnded(thread: StartedThread): boolean {
  return thread.stopped !== undefined && Atomics.load(thread.signal, THREAD_RUNNING_INDEX) === 1 && thread.stopped();
}

function startThread(env: NodeJS.ProcessEnv): StartedThread {
  const source = threadSource(workerModule());
  const { port1, port2 } = new MessageChannel();
  // [answered, running]: the thread sets each once (worker-protocol.ts, threadSource).
  const signal = new SharedArrayBuffer(8);
  const data: ThreadData = { accessAdvisorSynthWorker: 1, signal, port: port2 };
  const snapshot = { ...env };
  phaseMark('worker-spawn');
  let worker: Worker;
  try {
    worker = new Worker(source, {
      eval: true,
      // None of the synth's own node options (a `-r ts-node/register` would load TypeScript into the thread before
      // it could start): the worker process of before had none either.
      execArgv: [],
      workerData: data,
      transferList: [port2],
      // Its own copy: the thread neither sees nor changes the synth's process.env afterwards.
      env: snapshot,
      // Kept apart from the synth's output (the thread's writes are kept by the thread itself; see synth-worker.ts).
      stdout: true,
      stderr: true,
    });
  } catch (error) {
    throw new WorkerRunError(`the synth worker could not run: ${(error as Error).message}`);
  }
  // Never what keeps the synth's process alive: it is terminated after its answer, or at the process's exit.
  worker.unref();
  worker.on('error', () => {
    // An error the thread could not answer itself ends in the synth's timeout error; nothing to do here.
  });
  return { worker, port: port1, signal: new Int32Array(signal), env: snapshot, stopped: stoppedProbe(worker) };
}

function stopThread(thread: StartedThread): void {
  thread.port.close();
  thread.worker.terminate().catch(() => undefined);
}

let warm: StartedThread | undefined;

/**
 * Starts the worker thread now, so that its start and its module load (the engine, the AWS SDK) overlap the rest of
 * the app's construction: a report construct calls this when its lookup will need the worker. The next
 * runWorkerSync takes it, unless the environment changed meanwhile (then it starts a new one: the worker sees the
 * environment of the run). A thread never used is terminated at the process's exit. Only from the built package.
 */
export function startWorkerEarly(env: NodeJS.ProcessEnv = process.env): void {
  if (warm) return;
  try {
    // From TypeScript sources (tests, a dev checkout) a thread takes seconds of CPU to load, which a test that never
    // synthesizes, or changes the environment before it does, would spend for nothing: there it starts at synth.
    if (workerModule().register !== undefined) return;
    warm = startThread(env);
  } catch {
    // The run reports why it cannot start the worker.
  }
}

function sameEnvironment(a: Readonly<Record<string, string | undefined>>, b: NodeJS.ProcessEnv): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => a[key] === b[key]);
}

function takeThread(env: NodeJS.ProcessEnv): StartedThread {
  const thread = warm;
  warm = undefined;
  if (thread && sameEnvironment(thread.env, env)) return thread;
  if (thread) stopThread(thread);
  return startThread(env);
}

export interface RunWorkerOptions {
  /** Terminate the worker after this long. */
  readonly timeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Run one batch in one worker thread and block until it answers. `ACCESS_ADVISOR_WORKER_LOG=<file>` appends one
 * JSON line per run (pid, job count, keys) so tests can count runs across processes.
 */
export function runWorkerSync(batch: WorkerBatch, options: RunWorkerOptions): WorkerResponse {
  const env = options.env ?? process.env;
  const thread = takeThread(env);
  workerRuns++;
  if (env.ACCESS_ADVISOR_WORKER_LOG) {
    appendFileSync(
      env.ACCESS_ADVISOR_WORKER_LOG,
      `${JSON.stringify({ pid: process.pid, at: new Date().toISOString(), jobs: batch.jobs.length, keys: batch.jobs.map((j) => j.key) })}\n`,
    );
  }
  let answer: ThreadAnswer | undefined;
  try {
    thread.port.postMessage(batch);
    phaseMark('batch-posted');
    // Synth is synchronous: this thread sleeps until the worker has posted its answer (or the timeout).
    const waited = waitForAnswer(thread, options.timeoutMs);
    phaseMark('worker-exited');
    if (waited === 'stopped') {
      throw new WorkerRunError(
        'the synth worker failed: its thread stopped before it answered (it ran out of memory, exited or was terminated); no report was resolved',
      );
    }
    if (!waited) throw new WorkerRunError(`the synth worker did not finish within ${options.timeoutMs} ms`);
    answer = receiveMessageOnPort(thread.port)?.message as ThreadAnswer | undefined;
  } finally {
    stopThread(thread);
  }
  if (!answer) throw new WorkerRunError('the synth worker ended without an answer');
  if (!answer.ok) {
    const output = safeMessage(answer.output.trim().split('\n').slice(-5).join(' '));
    throw new WorkerRunError(`the synth worker failed: ${safeMessage(answer.error)}${output ? ` (its output: ${output})` : ''}`);
  }
  const response = answer.response;
  if (response?.protocol !== 1 || !Array.isArray(response.outcomes) || response.outcomes.length !== batch.jobs.length) {
    throw new WorkerRunError('the synth worker answered a different batch than it was given');
  }
  phaseMark('worker-response-read');
  return response;
}

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

/**
 * The code of the thread that watches the worker thread. The synth's own thread sleeps in Atomics.wait, so it never
 * sees a Worker's 'exit' or 'error' event: a worker thread that dies without answering (out of memory, terminated,
 * killed by a native crash of its own) would leave the synth waiting for its timeout (ten minutes by default), and
 * nothing may ever read that silence as a report. This small thread starts the worker thread as its own child, and
 * when the child ends before it answered, answers in its place with why (on `died`), and wakes the synth.
 */
function watcherSource(workerSource: string): string {
  return [
    `const { workerData, Worker } = require('node:worker_threads');`,
    `const { thread, died } = workerData;`,
    `const signal = new Int32Array(thread.signal);`,
    `let failure;`,
    `let child;`,
    `const answerInstead = (why) => {`,
    `  if (Atomics.load(signal, 0) === ${THREAD_ANSWERED}) return;`,
    `  died.postMessage({ ok: false, error: 'the worker thread stopped before it answered: ' + why + '; no report was resolved', output: '' });`,
    `  Atomics.store(signal, 0, ${THREAD_ANSWERED});`,
    `  Atomics.notify(signal, 0);`,
    `};`,
    `try {`,
    `  child = new Worker(${JSON.stringify(workerSource)}, { eval: true, execArgv: [], workerData: thread, transferList: [thread.port], env: process.env, stdout: true, stderr: true });`,
    `} catch (error) {`,
    `  answerInstead('it could not start (' + (error && error.message || String(error)) + ')');`,
    `}`,
    `if (child) {`,
    `  child.on('error', (error) => { failure = error; });`,
    `  child.on('exit', (code) => answerInstead(failure ? (failure.message || String(failure)) : 'it exited with code ' + code));`,
    `}`,
  ].join('\n');
}

/** A worker thread (under its watcher) loading (or loaded) and waiting for its batch. */
interface StartedThread {
  /** The watcher thread; the worker thread is its child and ends with it. */
  readonly worker: Worker;
  readonly port: MessagePort;
  /** Where the watcher answers when the worker thread ended without an answer. */
  readonly died: MessagePort;
  readonly signal: Int32Array;
  /** The environment the thread was given (its own copy, taken at its start). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

function startThread(env: NodeJS.ProcessEnv): StartedThread {
  const source = watcherSource(threadSource(workerModule()));
  const { port1, port2 } = new MessageChannel();
  const died = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
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
      workerData: { thread: data, died: died.port2 },
      transferList: [port2, died.port2],
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
    // The watcher answers for the worker thread; an error of the watcher itself ends in the synth's timeout error.
  });
  return { worker, port: port1, died: died.port1, signal: new Int32Array(signal), env: snapshot };
}

function stopThread(thread: StartedThread): void {
  thread.port.close();
  thread.died.close();
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
    const waited = Atomics.wait(thread.signal, 0, 0, options.timeoutMs);
    phaseMark('worker-exited');
    if (waited === 'timed-out' && Atomics.load(thread.signal, 0) !== THREAD_ANSWERED) {
      throw new WorkerRunError(`the synth worker did not finish within ${options.timeoutMs} ms`);
    }
    // The worker's own answer, or the watcher's when the worker thread ended without one.
    answer = (receiveMessageOnPort(thread.port) ?? receiveMessageOnPort(thread.died))?.message as ThreadAnswer | undefined;
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

/**
 * The synth-time worker: runs one batch of report requests with the async engine and hands back the outcomes.
 * Synth is synchronous, so the synth blocks while all requests run concurrently here. It runs two ways:
 * - as a worker thread of the synth (src/resolve/run-worker.ts, what a synth uses): the batch arrives on a message
 *   port, the answer goes back on it, and a shared Int32 wakes the synth blocked in `Atomics.wait`;
 * - as a program of its own (`node synth-worker.js`): the batch on stdin, the answer on stdout.
 *
 * The build turns this module and everything it imports, the AWS SDK included, into one file (scripts/bundle-worker.js):
 * a synth with a miss waits for this program's start. (Node's compile cache is not turned on here: the one file is
 * compiled before its first line could turn it on.)
 */
// The engine itself, not the package's lazy iam/index: the worker exists to run it, and a static import lets the
// worker's bundle (scripts/bundle-worker.js) keep only the parts of the AWS SDK the engine uses.
import { readSync } from 'node:fs';
import { isMainThread, workerData } from 'node:worker_threads';
import { runReports, type RunReportsOptions } from '../iam/engine';
import { safeMessage } from '../model/redact';
import { normalizeEndpoint } from './cache-file';
import {
  type ThreadAnswer,
  type ThreadData,
  type WorkerBatch,
  type WorkerFailure,
  type WorkerJob,
  type WorkerOutcome,
  type WorkerResponse,
  isThreadData,
  THREAD_ANSWERED,
} from './worker-protocol';
import { flushPhaseMarks, phaseMark } from '../iam/phase-log';

phaseMark('worker-loaded');

function failureOf(error: unknown): WorkerFailure {
  const e = error as { name?: string; message?: string; awsCode?: string };
  return {
    name: e?.name ?? 'Error',
    message: safeMessage(e?.message ?? String(error)),
    ...(typeof e?.awsCode === 'string' ? { awsCode: e.awsCode } : {}),
  };
}

/** Jobs sharing a connection and timeout share one runReports call (one rate limit, one credential chain). */
function groupJobs(jobs: readonly WorkerJob[]): WorkerJob[][] {
  const groups = new Map<string, WorkerJob[]>();
  for (const job of jobs) {
    const id = JSON.stringify([job.connection, job.timeoutMs ?? null]);
    const group = groups.get(id) ?? [];
    group.push(job);
    groups.set(id, group);
  }
  return [...groups.values()];
}

/**
 * Cache keys carry endpoints without userinfo (they are committed); when the environment's endpoint is the same one
 * with userinfo (a proxy's basic auth), the worker connects with the environment's full URL.
 */
function withEnvironmentUserinfo(endpoint: string | undefined): { endpoint?: string } {
  if (endpoint === undefined) return {};
  for (const name of ['AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL'] as const) {
    const raw = process.env[name]?.trim();
    if (raw && raw !== endpoint && normalizeEndpoint(raw) === endpoint) return { endpoint: raw };
  }
  return {};
}

export async function runWorkerBatch(batch: WorkerBatch): Promise<WorkerResponse> {
  const outcomes = new Map<string, WorkerOutcome>();
  await Promise.all(
    groupJobs(batch.jobs).map(async (group) => {
      const { connection, timeoutMs } = group[0];
      const options: RunReportsOptions = {
        ...connection,
        ...withEnvironmentUserinfo(connection.endpoint),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        concurrency: batch.concurrency ?? group.length,
        ...(batch.requestsPerSecond !== undefined ? { requestsPerSecond: batch.requestsPerSecond } : {}),
      };
      try {
        const results = await runReports(
          group.map((job) => job.request),
          options,
        );
        results.forEach((result, i) => {
          const key = group[i].key;
          outcomes.set(key, result.ok ? { key, ok: true, report: result.report } : { key, ok: false, error: failureOf(result.error) });
        });
      } catch (error) {
        for (const job of group) outcomes.set(job.key, { key: job.key, ok: false, error: failureOf(error) });
      }
    }),
  );
  return { protocol: 1, outcomes: batch.jobs.map((job) => outcomes.get(job.key)!) };
}

/**
 * The batch, read synchronously: the synth hands it over whole (spawnSync's input) on a pipe that libuv gives the
 * child in blocking mode, and the job cannot start before it is read anyway, so setting up process.stdin as a stream
 * is time before the first request for nothing. On a stdin that is non-blocking (EAGAIN: someone else's pipe, a
 * terminal) the rest is read as a stream, after what was read already.
 */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for (;;) {
    const chunk = Buffer.allocUnsafe(256 * 1024);
    let read: number;
    try {
      read = readSync(0, chunk, 0, chunk.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      for await (const more of process.stdin) chunks.push(more as Buffer);
      break;
    }
    if (read === 0) break;
    chunks.push(chunk.subarray(0, read));
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const batch = JSON.parse(await readStdin()) as WorkerBatch;
  phaseMark('batch-read');
  if (batch.protocol !== 1 || !Array.isArray(batch.jobs)) throw new Error('unsupported worker batch');
  const response = await runWorkerBatch(batch);
  // stdout is a pipe (asynchronous): exit only once the whole answer is written, or a large report (ACTION_LEVEL
  // with hundreds of tracked actions) is cut off at the pipe's buffer size.
  await new Promise<void>((resolve, reject) => process.stdout.write(JSON.stringify(response), (error) => (error ? reject(error) : resolve())));
  phaseMark('response-written');
}

/**
 * Thread mode. The synth's thread is blocked in Atomics.wait, so its event loop never runs while this thread works:
 * whatever this thread writes to process.stdout/stderr (a library's warning, a progress line) would only queue up
 * there. It is kept here instead, as a child process's output was captured, and its tail goes with a failure.
 */
function serveThread(data: ThreadData): void {
  const signal = new Int32Array(data.signal);
  let output = '';
  const keep = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    output = (output + (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'))).slice(-16 * 1024);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  };
  process.stdout.write = keep as typeof process.stdout.write;
  process.stderr.write = keep as typeof process.stderr.write;
  let answered = false;
  const answer = (message: ThreadAnswer): void => {
    if (answered) return;
    answered = true;
    try {
      data.port.postMessage(message);
    } finally {
      // The message is in the synth's port queue before the synth wakes to read it.
      Atomics.store(signal, 0, THREAD_ANSWERED);
      Atomics.notify(signal, 0);
      data.port.close();
    }
  };
  const fail = (error: unknown): void =>
    answer({ ok: false, error: safeMessage((error as Error)?.message ?? String(error)), output: safeMessage(output) });
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  // process.exit() in this thread (a library's) ends it without an answer: the synth must not wait for its timeout.
  process.on('exit', (code) => fail(new Error(`the worker thread exited (code ${code}) before it answered`)));
  data.port.once('message', (batch: WorkerBatch) => {
    phaseMark('batch-read');
    if (batch?.protocol !== 1 || !Array.isArray(batch.jobs)) {
      fail(new Error('unsupported worker batch'));
      return;
    }
    runWorkerBatch(batch).then((response) => {
      phaseMark('response-written');
      flushPhaseMarks();
      answer({ ok: true, response });
    }, fail);
  });
}

const threadData: unknown = isMainThread ? undefined : workerData;
if (isThreadData(threadData)) {
  serveThread(threadData);
} else if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`access-advisor synth worker: ${safeMessage((error as Error)?.message ?? String(error))}\n`);
      process.exit(1);
    },
  );
}

import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { safeMessage } from '../model/redact';
import { phaseMark } from '../iam/phase-log';
import type { WorkerBatch, WorkerResponse } from './worker-protocol';

// For the resolver's own marks after the worker (it loads this module on a miss only; a cache hit loads neither).
export { phaseMark };

/** Thrown when the worker itself could not run (not when a report failed: that is an outcome). */
export class WorkerRunError extends Error {}

let workerRuns = 0;

/** How many worker processes this process has started: lets tests and benches check batching. */
export function workerRunCount(): number {
  return workerRuns;
}

/**
 * The worker as a node command line. From `dist/` the compiled `.js` sits beside this file; from sources (ts-jest,
 * ts-node in a dev checkout) only the `.ts` exists and runs through ts-node's transpile-only register hook.
 */
export function workerCommand(): { command: string; args: string[] } {
  const compiled = join(__dirname, 'synth-worker.js');
  if (existsSync(compiled)) return { command: process.execPath, args: [compiled] };
  const source = join(__dirname, 'synth-worker.ts');
  if (existsSync(source)) {
    let register: string;
    try {
      register = require.resolve('ts-node/register/transpile-only');
    } catch {
      throw new WorkerRunError(`the synth worker ${source} is TypeScript and ts-node is not installed`);
    }
    return { command: process.execPath, args: ['-r', register, source] };
  }
  throw new WorkerRunError(`the synth worker is missing: neither ${compiled} nor ${source} exists`);
}

export interface RunWorkerOptions {
  /** Kill the worker after this long. */
  readonly timeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Run one batch in one child process and block until it ends. `ACCESS_ADVISOR_WORKER_LOG=<file>` appends one JSON
 * line per run (pid, job count, keys) so tests can count runs across processes.
 */
export function runWorkerSync(batch: WorkerBatch, options: RunWorkerOptions): WorkerResponse {
  const env = options.env ?? process.env;
  const { command, args } = workerCommand();
  workerRuns++;
  if (env.ACCESS_ADVISOR_WORKER_LOG) {
    appendFileSync(
      env.ACCESS_ADVISOR_WORKER_LOG,
      `${JSON.stringify({ pid: process.pid, at: new Date().toISOString(), jobs: batch.jobs.length, keys: batch.jobs.map((j) => j.key) })}\n`,
    );
  }
  phaseMark('worker-spawn');
  const child = spawnSync(command, args, {
    input: JSON.stringify(batch),
    env,
    encoding: 'utf8',
    timeout: options.timeoutMs,
    maxBuffer: 512 * 1024 * 1024,
    windowsHide: true,
  });
  phaseMark('worker-exited');
  if (child.error) {
    const timedOut = (child.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    throw new WorkerRunError(
      timedOut
        ? `the synth worker did not finish within ${options.timeoutMs} ms`
        : `the synth worker could not run: ${child.error.message}`,
    );
  }
  if (child.status !== 0) {
    const stderr = safeMessage((child.stderr ?? '').trim().split('\n').slice(-5).join(' '));
    throw new WorkerRunError(
      `the synth worker failed (${child.signal ? `signal ${child.signal}` : `exit ${child.status}`})${stderr ? `: ${stderr}` : ''}`,
    );
  }
  let response: WorkerResponse;
  try {
    response = JSON.parse(child.stdout) as WorkerResponse;
  } catch {
    throw new WorkerRunError(`the synth worker printed no valid response: ${safeMessage(child.stdout.slice(0, 200))}`);
  }
  if (response.protocol !== 1 || !Array.isArray(response.outcomes) || response.outcomes.length !== batch.jobs.length) {
    throw new WorkerRunError('the synth worker answered a different batch than it was given');
  }
  phaseMark('worker-response-read');
  return response;
}

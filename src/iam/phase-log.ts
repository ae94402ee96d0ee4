import { writeFileSync } from 'node:fs';

// `performance` is Node's global, read only when marks are on: importing node:perf_hooks would load its nine modules
// in every run of the CLI and the synth worker, marks or not. The same for node:worker_threads (threadId).

/**
 * Opt-in timing marks for the latency bench (bench/phases.ts): with `ACCESS_ADVISOR_PHASES=<file>` in the
 * environment, every `phaseMark` of this process is kept in memory and appended to that file as JSON lines when the
 * process exits (one synchronous write, so the marks cost no I/O while the report runs). Without the variable a mark
 * is one test of a constant. The marks carry wall-clock epoch milliseconds (comparable across the synth process and
 * its worker) and the process's CPU time so far.
 */
export interface PhaseMark {
  readonly pid: number;
  /** The worker thread's id (0: the main thread): the synth's worker is a thread of the synth's process. */
  readonly thread: number;
  readonly name: string;
  /** Epoch milliseconds, sub-millisecond precision. */
  readonly at: number;
  /** User + system CPU of this process so far, ms. */
  readonly cpuMs: number;
  readonly detail?: string;
}

const file = process.env.ACCESS_ADVISOR_PHASES || undefined;
const marks: PhaseMark[] = [];

/** Where a worker thread's first line keeps its start (epoch ms), for its 'process-start' mark. */
export const THREAD_START_MARK = Symbol.for('access-advisor.thread-start');

/** True when marks are recorded; callers that must compute something for a mark check this first. */
export const PHASES_ON = file !== undefined;

/** The worker thread's id (0: the main thread), read only when marks are on. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when marks are on (see above)
const threadId: number = PHASES_ON ? (require('node:worker_threads') as typeof import('node:worker_threads')).threadId : 0;

if (PHASES_ON) {
  // The process's own start, from Node: module loading is everything between it and the first mark. A worker
  // thread shares the process's time origin: its start is the moment its first code ran (THREAD_START_MARK).
  const threadStart = (globalThis as Record<symbol, unknown>)[THREAD_START_MARK];
  marks.push({
    pid: process.pid,
    thread: threadId,
    name: 'process-start',
    at: threadId !== 0 && typeof threadStart === 'number' ? threadStart : performance.timeOrigin,
    // A thread's CPU is the process's (Node 20 has no per-thread figure): its marks count from the process's so far.
    cpuMs: threadId !== 0 ? processCpuMs() : 0,
  });
  process.on('exit', () => flushPhaseMarks());
}

function processCpuMs(): number {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1000;
}

/** `at` (epoch ms) records a moment taken earlier by code that could not load this module yet (the provider's start). */
export function phaseMark(name: string, detail?: string, at?: number): void {
  if (!PHASES_ON) return;
  marks.push({
    pid: process.pid,
    thread: threadId,
    name,
    at: at ?? performance.timeOrigin + performance.now(),
    cpuMs: processCpuMs(),
    ...(detail !== undefined ? { detail } : {}),
  });
}

/**
 * Writes the marks kept so far now (and forgets them): for a worker thread, which is terminated once it has answered
 * and so may never see its exit.
 */
export function flushPhaseMarks(): void {
  if (!PHASES_ON || marks.length === 0) return;
  try {
    writeFileSync(file!, marks.map((m) => JSON.stringify(m)).join('\n') + '\n', { flag: 'a' });
  } catch {
    // A bench aid: never fail the process for it.
  }
  marks.length = 0;
}

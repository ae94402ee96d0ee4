import { writeFileSync } from 'node:fs';

// `performance` is Node's global, read only when marks are on: importing node:perf_hooks would load its nine modules
// in every run of the CLI and the synth worker, marks or not.

/**
 * Opt-in timing marks for the latency bench (bench/phases.ts): with `ACCESS_ADVISOR_PHASES=<file>` in the
 * environment, every `phaseMark` of this process is kept in memory and appended to that file as JSON lines when the
 * process exits (one synchronous write, so the marks cost no I/O while the report runs). Without the variable a mark
 * is one test of a constant. The marks carry wall-clock epoch milliseconds (comparable across the synth process and
 * its worker) and the process's CPU time so far.
 */
export interface PhaseMark {
  readonly pid: number;
  readonly name: string;
  /** Epoch milliseconds, sub-millisecond precision. */
  readonly at: number;
  /** User + system CPU of this process so far, ms. */
  readonly cpuMs: number;
  readonly detail?: string;
}

const file = process.env.ACCESS_ADVISOR_PHASES || undefined;
const marks: PhaseMark[] = [];

/** True when marks are recorded; callers that must compute something for a mark check this first. */
export const PHASES_ON = file !== undefined;

if (PHASES_ON) {
  // The process's own start, from Node: module loading is everything between it and the first mark.
  marks.push({ pid: process.pid, name: 'process-start', at: performance.timeOrigin, cpuMs: 0 });
  process.on('exit', () => {
    try {
      writeFileSync(file!, marks.map((m) => JSON.stringify(m)).join('\n') + '\n', { flag: 'a' });
    } catch {
      // A bench aid: never fail the process for it.
    }
  });
}

/** `at` (epoch ms) records a moment taken earlier by code that could not load this module yet (the provider's start). */
export function phaseMark(name: string, detail?: string, at?: number): void {
  if (!PHASES_ON) return;
  const cpu = process.cpuUsage();
  marks.push({
    pid: process.pid,
    name,
    at: at ?? performance.timeOrigin + performance.now(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    ...(detail !== undefined ? { detail } : {}),
  });
}

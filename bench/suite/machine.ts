import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly loadAverage: readonly number[];
  readonly date: string;
  /** Median wall time of `node -e 0` in the bench's own environment: the part of every whole-process figure that is node's. */
  readonly nodeStartMs?: number;
  /**
   * NODE_EXTRA_CA_CERTS as the bench inherited it, and `node -e 0` without it: node reads and parses that file at
   * start, whatever the process does later, so every whole-process figure of the bench carries that cost.
   */
  readonly extraCaCerts?: { readonly path: string; readonly nodeStartWithoutMs: number };
}

const NODE_START_RUNS = 11;

function medianNodeStartMs(env: NodeJS.ProcessEnv): number {
  const times: number[] = [];
  for (let i = 0; i < NODE_START_RUNS; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, ['-e', '0'], { env, stdio: 'ignore' });
    if (run.status !== 0) throw new Error(`node -e 0 exited ${run.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export function describeMachine(now = new Date()): MachineInfo {
  const cpus = os.cpus();
  const extraCa = process.env['NODE_EXTRA_CA_CERTS'];
  const withoutExtraCa = { ...process.env };
  delete withoutExtraCa['NODE_EXTRA_CA_CERTS'];
  // Interleave-free on purpose: both medians come from the same quiet moment at the bench's start.
  const nodeStartMs = medianNodeStartMs(process.env);
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    date: now.toISOString(),
    nodeStartMs,
    ...(extraCa ? { extraCaCerts: { path: extraCa, nodeStartWithoutMs: medianNodeStartMs(withoutExtraCa) } } : {}),
  };
}

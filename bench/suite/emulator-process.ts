import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { EmulatorMetrics, FaultSettings, JobSettings, World } from '../../src/emulator/types';
import type { ServerRequestRecord } from './request-timeline';
import type { WorldShape } from './world';

export interface HostedEmulator {
  readonly endpoint: string;
  metrics(): Promise<EmulatorMetrics>;
  close(): Promise<void>;
}

export interface EmulatorStart {
  /** One account of `principals` roles (the fan-out worlds), or `world` given whole. */
  readonly shape?: WorldShape;
  readonly world?: World;
  readonly seed: number;
  readonly jobs?: Partial<JobSettings>;
  readonly faults?: Partial<FaultSettings>;
}

/** The bench's emulators, served by one child process (bench/suite/emulator-host.ts) apart from the client. */
export class EmulatorProcess {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const answer = JSON.parse(line) as { id: number; ok: boolean; value?: unknown; error?: string };
      const waiter = this.pending.get(answer.id);
      if (!waiter) return;
      this.pending.delete(answer.id);
      if (answer.ok) waiter.resolve(answer.value);
      else waiter.reject(new Error(`emulator host: ${answer.error}`));
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-4000)));
    child.on('exit', (code) => {
      for (const w of this.pending.values()) w.reject(new Error(`emulator host exited ${code}: ${this.stderr.trim()}`));
      this.pending.clear();
    });
  }

  /**
   * BENCH_EMULATOR_CPU_PROFILE_DIR=<dir> makes the host write a V8 CPU profile there when it ends (`node --cpu-prof`),
   * the emulator's side of a run for bench/profile-summary.ts.
   */
  static spawn(): EmulatorProcess {
    const host = path.join(__dirname, 'emulator-host.ts');
    const profileDir = process.env['BENCH_EMULATOR_CPU_PROFILE_DIR'];
    const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
    const child = spawn(process.execPath, [...profile, '-r', require.resolve('ts-node/register/transpile-only'), host], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
    });
    return new EmulatorProcess(child);
  }

  private call<T>(op: string, fields: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.stdin.write(`${JSON.stringify({ id, op, ...fields })}\n`);
    });
  }

  async start(options: EmulatorStart): Promise<HostedEmulator> {
    const { handle, endpoint } = await this.call<{ handle: string; endpoint: string }>('start', { ...options });
    return {
      endpoint,
      metrics: () => this.call<EmulatorMetrics>('metrics', { handle }),
      close: () => this.call<void>('close', { handle }),
    };
  }

  usage(): Promise<{ rssBytes: number; cpu: NodeJS.CpuUsage }> {
    return this.call('usage');
  }

  /** The requests the host served since the last call, when it was spawned with BENCH_REQUEST_TIMELINE=1. */
  timeline(): Promise<ServerRequestRecord[]> {
    return this.call('timeline');
  }

  /** Ends the host (it closes its emulators on stdin's end). */
  shutdown(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.stdin.end();
    });
  }
}

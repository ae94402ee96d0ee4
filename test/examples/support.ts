import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { synthExample, WORLD_FILE, type ExampleName, type SynthResult } from '../../scripts/example-harness';

/**
 * One emulator over examples/world.json with short jobs, and a scratch directory for outdirs and caches: the
 * examples run as `cdktf synth` runs them (a child process per app) and nothing is written into the repository.
 */
export class ExampleWorld {
  emulator!: RunningEmulator;
  scratch!: string;
  private runs = 0;

  async start(): Promise<void> {
    this.scratch = mkdtempSync(join(tmpdir(), 'access-advisor-examples-'));
    this.emulator = await startEmulator({ world: WORLD_FILE, jobs: { durationMs: 100 }, seed: 1 });
  }

  async stop(): Promise<void> {
    await this.emulator?.close();
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
  }

  /** A fresh outdir and cache per run: every synth asks the emulator (no cache hit hides a lookup). */
  synth(example: ExampleName, context?: Record<string, unknown>): Promise<SynthResult> {
    const run = ++this.runs;
    return synthExample(example, {
      endpoint: this.emulator.endpoint,
      outdir: join(this.scratch, `${example}-${run}.out`),
      cacheFile: join(this.scratch, `${example}-${run}.context.json`),
      ...(context ? { context } : {}),
    });
  }
}

/** The actions an IAM policy document (JSON text) allows, as written. */
export function allowActions(policyJson: string): string[] {
  const doc = JSON.parse(policyJson) as { Statement: { Effect: string; Action?: string | string[] }[] };
  return doc.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => (s.Action === undefined ? [] : [s.Action].flat()));
}

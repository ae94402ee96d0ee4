import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformStack, Testing, type App } from '../default-core';

/** A fresh directory holding this test's cache file and worker log. */
export function scratch(): { dir: string; cacheFile: string; workerLog: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aa-synth-'));
  return { dir, cacheFile: join(dir, 'access-advisor.context.json'), workerLog: join(dir, 'worker.log') };
}

export function appWith(cacheFile: string, context: Record<string, unknown> = {}): App {
  return Testing.app({ context: { 'accessAdvisor:cacheFile': cacheFile, 'accessAdvisor:accountId': '123456789012', ...context } });
}

export interface StackJson {
  output?: Record<string, { value: unknown }>;
  data?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** The real synthesizer (fails on error annotations, like `cdktf synth`); returns the stack's cdk.tf.json. */
export function fullSynth(stack: TerraformStack): StackJson {
  const outdir = Testing.fullSynth(stack);
  return JSON.parse(readFileSync(join(outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8')) as StackJson;
}

/** Values of outputs by the name the test gave (logical ids carry a hash suffix for nested outputs). */
export function outputs(json: StackJson): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [id, output] of Object.entries(json.output ?? {})) result[id.replace(/_[0-9A-F]{8}$/, '')] = output.value;
  return result;
}

/** One JSON line per worker run (ACCESS_ADVISOR_WORKER_LOG). */
export function workerRuns(workerLog: string): { jobs: number; keys: string[] }[] {
  if (!existsSync(workerLog)) return [];
  return readFileSync(workerLog, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { jobs: number; keys: string[] });
}

/** Every annotation message of a level under `stack`. */
export function annotations(stack: TerraformStack, level: 'warn' | 'error'): string[] {
  return stack.node
    .findAll()
    .flatMap((node) => node.node.metadata.filter((m) => m.type === `@cdktf/${level}`).map((m) => `${node.node.path}: ${String(m.data)}`));
}

/**
 * Whole-process benchmarks of the `access-advisor` binary, as a user (or a CI step) runs it:
 *   - `access-advisor --help`: startup cost; the goal is ≤ 300 ms (heavy modules load lazily inside actions);
 *   - one `service-report` against the emulator (in a process of its own, short jobs): startup + SDK + one job +
 *     output. The emulator's work (its event loop, its GC) must not be counted as the CLI's, nor slow the CLI's
 *     requests, so it runs apart (bench/suite/emulator-process.ts), as in bench/phases.ts.
 * Each is a child process `node dist/cli/main.js …`; the median of several runs is reported. Needs `npm run build`.
 *
 * Standalone: `npx ts-node bench/cli.ts` (CLI_BENCH_RUNS overrides the number of runs).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { loadWorld } from '../src/emulator';
import { EmulatorProcess } from './suite/emulator-process';
import { summarize } from './suite/stats';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'dist', 'cli', 'main.js');
export const HELP_GOAL_MS = 300;

export interface TimingSummary {
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface CliBenchResult {
  readonly help: TimingSummary & { readonly goalMs: number; readonly withinGoal: boolean };
  readonly serviceReport: TimingSummary & {
    /** How long the emulator kept each job IN_PROGRESS: the part of the time that is IAM's, not ours. */
    readonly jobDurationMs: number;
    /** API calls one run made (generate, polls, pages, principal lookup). */
    readonly apiCallsPerRun: number;
  };
}

function timingSummary(samples: readonly number[]): TimingSummary {
  const s = summarize(samples);
  return { runs: s.runs, medianMs: Math.round(s.median), minMs: Math.round(s.min), maxMs: Math.round(s.max) };
}

/** Runs the binary once; resolves with the wall time in ms. */
function timeRun(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`access-advisor ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
    });
  });
}

function requireBuild(): void {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`);
}

/** Whole-process time of `access-advisor --help`. */
export async function benchHelp(runs = 10): Promise<CliBenchResult['help']> {
  requireBuild();
  await timeRun(['--help'], process.env); // warm the file-system cache, as a second invocation in CI would be
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await timeRun(['--help'], process.env));
  const summary = timingSummary(samples);
  return { ...summary, goalMs: HELP_GOAL_MS, withinGoal: summary.medianMs <= HELP_GOAL_MS };
}

/** Whole-process time of one `service-report` against the emulator with the example world. */
export async function benchServiceReport(runs = 5, jobDurationMs = 100): Promise<CliBenchResult['serviceReport']> {
  requireBuild();
  const host = EmulatorProcess.spawn();
  const world = loadWorld(path.join(ROOT, 'examples', 'world.json'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: 'us-east-1',
    AWS_PROFILE: '',
  };
  try {
    const emulator = await host.start({ world, seed: 3, jobs: { durationMs: jobDurationMs } });
    const args = ['service-report', '--arn', 'arn:aws:iam::123456789012:role/app-deployer', '--endpoint-url', emulator.endpoint];
    await timeRun(args, env);
    const callsBefore = (await emulator.metrics()).totalCalls;
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push(await timeRun(args, env));
    const calls = (await emulator.metrics()).totalCalls - callsBefore;
    await emulator.close();
    return { ...timingSummary(samples), jobDurationMs, apiCallsPerRun: calls / runs };
  } finally {
    await host.shutdown();
  }
}

export async function runCliBench(runs = { help: 10, report: 5 }): Promise<CliBenchResult> {
  return { help: await benchHelp(runs.help), serviceReport: await benchServiceReport(runs.report) };
}

export function formatCliBenchResult(r: CliBenchResult): string {
  const t = (s: TimingSummary) => `median ${s.medianMs} ms (min ${s.minMs}, max ${s.maxMs}, ${s.runs} runs)`;
  return [
    `cli: access-advisor --help: ${t(r.help)}; goal ≤ ${r.help.goalMs} ms: ${r.help.withinGoal ? 'met' : 'MISSED'}`,
    `cli: access-advisor service-report (one report, emulator job ${r.serviceReport.jobDurationMs} ms): ${t(r.serviceReport)}; ` +
      `${r.serviceReport.apiCallsPerRun} API calls per run`,
  ].join('\n');
}

async function main(): Promise<void> {
  const runs = Number(process.env.CLI_BENCH_RUNS ?? 0) || undefined;
  const result = await runCliBench({ help: runs ?? 10, report: Math.max(5, runs ?? 5) });
  console.log(formatCliBenchResult(result));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

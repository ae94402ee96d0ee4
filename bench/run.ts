/**
 * `npm run bench`: builds, runs every benchmark and writes BENCHMARKS.md (see that file for the method).
 *
 *   ts-node --transpile-only bench/run.ts [--runs N] [--only cli,tighten,synth,fanout,html,sweep,phases,provider] [--no-build] [--out FILE]
 *                                        [--render-from RAW.json]
 *
 * Sections that are not fan-out run in fresh child processes (bench/suite/sections.ts); the fan-out matrix runs in
 * this process as the client, against emulators hosted by another child (bench/suite/emulator-host.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFileAtomicSync } from '../src/resolve/atomic-write';
import { EmulatorProcess } from './suite/emulator-process';
import { measureCallCost, runFanoutMatrix, type FanoutSample } from './suite/fanout-matrix';
import { describeMachine } from './suite/machine';
import { goalLines, renderReport, summarizeScenario } from './suite/report';
import type { HtmlSample } from './html';
import type { PhasesSample } from './phases';
import type { ProviderSample } from './provider';
import type { BenchResults, CliSample, SectionOutcome, SynthCachedSample, SynthUncachedSample, TightenSample } from './suite/results';
import type { SynthStartupSample } from './synth-startup';
import { SCENARIOS } from './suite/scenarios';
import { strategyById } from './suite/strategies';
import { runSweepBench } from './sweep';

const ROOT = path.resolve(__dirname, '..');
const SECTIONS = ['cli', 'tighten', 'synth', 'fanout', 'html', 'sweep', 'phases', 'provider'] as const;
type Section = (typeof SECTIONS)[number];

interface Args {
  runs: number;
  only: ReadonlySet<Section>;
  build: boolean;
  out: string;
  renderFrom?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { runs: 5, only: new Set(SECTIONS), build: true, out: path.join(ROOT, 'BENCHMARKS.md') };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--runs') {
      args.runs = Number(value());
      if (!Number.isInteger(args.runs) || args.runs < 1) throw new Error(`--runs: ${args.runs} is not a positive integer`);
    } else if (flag === '--only') {
      const names = value().split(',');
      const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
      if (unknown.length) throw new Error(`--only: unknown section ${unknown.join(', ')}; allowed: ${SECTIONS.join(', ')}`);
      args.only = new Set(names as Section[]);
    } else if (flag === '--no-build') args.build = false;
    else if (flag === '--out') args.out = path.resolve(value());
    else if (flag === '--render-from') args.renderFrom = path.resolve(value());
    else throw new Error(`unknown argument ${flag}; allowed: --runs N, --only ${SECTIONS.join(',')}, --no-build, --out FILE, --render-from FILE`);
  }
  return args;
}

const t0 = performance.now();
function log(message: string): void {
  process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);
}

/** Runs one section in a fresh process; its last stdout line is the JSON outcome. */
function runSection<T>(name: string, args: readonly string[] = [], timeoutMs = 300_000): Promise<SectionOutcome<T>> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['-r', require.resolve('ts-node/register/transpile-only'), path.join(__dirname, 'suite', 'sections.ts'), name, ...args],
      { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        const parsed = JSON.parse(last) as SectionOutcome<T>;
        resolve(parsed);
      } catch {
        resolve({ ok: false, error: `section ${name} ended (${signal ?? `exit ${code}`}) without a result: ${stderr.trim().split('\n').slice(-3).join(' / ')}` });
      }
    });
  });
}

function collect<T>(outcomes: readonly SectionOutcome<T>[]): SectionOutcome<T[]> {
  const failed = outcomes.find((o): o is { ok: false; error: string } => !o.ok);
  if (failed) return failed;
  return { ok: true, value: outcomes.map((o) => (o as { ok: true; value: T }).value) };
}

const RAW_RESULTS = path.join(os.tmpdir(), 'access-advisor-bench-results.json');

function finish(results: BenchResults, out: string): void {
  writeFileAtomicSync(out, renderReport(results));
  const scenarios = (results.fanout?.scenarios ?? []).map((s) => summarizeScenario(s, results.fanout!.samples));
  for (const g of goalLines(results, scenarios)) console.log(`${g.met ? 'met    ' : 'NOT MET'}  ${g.goal}: ${g.figure}${g.note ? ` (${g.note})` : ''}`);
  const totalMs = results.totalMs;
  console.log(`wrote ${path.relative(process.cwd(), out)}; whole bench ${(totalMs / 1000).toFixed(0)} s${totalMs > 600_000 ? ' — OVER the 10-minute budget' : ''}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.renderFrom) {
    // Re-render a previous run's raw results (e.g. after a change to the report's wording) without measuring again.
    finish(JSON.parse(fs.readFileSync(args.renderFrom, 'utf8')) as BenchResults, args.out);
    return;
  }
  const machine = describeMachine();
  let buildMs: number | undefined;
  if (args.build) {
    log('npm run build');
    const started = performance.now();
    const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (built.status !== 0) throw new Error(`npm run build failed (exit ${built.status})`);
    buildMs = performance.now() - started;
  }
  const partial: { -readonly [K in keyof BenchResults]?: BenchResults[K] } = {};

  if (args.only.has('cli')) {
    log('CLI cold start (--help × 10, service-report × 5)');
    partial.cli = await runSection<CliSample>('cli');
  }
  if (args.only.has('phases')) {
    log(`one uncached report, phase by phase: synth app and CLI × ${args.runs}`);
    partial.phases = await runSection<PhasesSample>('phases', [String(args.runs)]);
  }
  if (args.only.has('tighten')) {
    const outcomes: SectionOutcome<TightenSample>[] = [];
    for (let i = 1; i <= args.runs; i++) {
      log(`tightening, process ${i}/${args.runs}`);
      outcomes.push(await runSection<TightenSample>('tighten'));
    }
    partial.tighten = collect(outcomes);
  }
  if (args.only.has('synth')) {
    log(`synth with 500 cached reports × ${args.runs}`);
    partial.synthCached = await runSection<SynthCachedSample[]>('synth-cached', [String(args.runs)]);
    log('cache-hit synth process: app with the package vs without × 15');
    partial.synthStartup = await runSection<SynthStartupSample>('synth-startup', ['31']);
  }
  if (args.only.has('fanout')) {
    const host = EmulatorProcess.spawn();
    try {
      log('per-call cost');
      partial.callCost = { services20: await measureCallCost(host, 20), services400: await measureCallCost(host, 400) };
      const samples: FanoutSample[] = [];
      await runFanoutMatrix(host, {
        scenarios: SCENARIOS,
        runs: args.runs,
        onSample: (s) => {
          samples.push(s);
          log(
            `fan-out run ${s.run}/${args.runs} ${s.scenarioId} ${strategyById(s.strategyId).name}: ${(s.wallMs / 1000).toFixed(1)} s ` +
              `(bound ${(s.bound.lowerBoundMs / 1000).toFixed(1)} s), ${s.apiCalls} calls, ${s.completed} complete`,
          );
        },
      });
      partial.fanout = { scenarios: SCENARIOS, samples };
    } finally {
      await host.shutdown();
    }
  }
  if (args.only.has('sweep')) {
    // At most 3 runs: one run of both strategies costs ~45 s of the 10-minute budget.
    const runs = Math.min(args.runs, 3);
    const host = EmulatorProcess.spawn();
    try {
      const samples = await runSweepBench(host, runs, (s) =>
        log(`sweep run ${s.run}/${runs} ${s.strategy}: ${(s.wallMs / 1000).toFixed(1)} s (bound ${(s.bound.lowerBoundMs / 1000).toFixed(1)} s), ${s.apiCalls} calls, ${s.completed} complete`),
      );
      partial.sweep = { ok: true, value: samples };
    } catch (error) {
      partial.sweep = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    } finally {
      await host.shutdown();
    }
  }
  if (args.only.has('synth')) {
    const uncached: { rate: 'engine default' | number; outcome: SectionOutcome<SynthUncachedSample[]> }[] = [];
    for (const rate of [100, 'engine default'] as const) {
      log(`synth with 50 uncached reports × ${args.runs}, client rate ${rate}`);
      uncached.push({ rate, outcome: await runSection<SynthUncachedSample[]>('synth-uncached', [String(args.runs), rate === 'engine default' ? 'default' : String(rate)], 600_000) });
    }
    partial.synthUncached = uncached;
  }

  if (args.only.has('provider')) {
    log(`Terraform provider: start to handshake, terraform plan with 50 reports (1 s jobs) × ${args.runs}`);
    partial.provider = await runSection<ProviderSample>('provider', [String(args.runs)], 900_000);
  }

  if (args.only.has('html')) {
    log(`HTML report of 500 principals × 150 services: render in Node, open in Chromium × ${args.runs}`);
    partial.html = await runSection<HtmlSample>('html', [String(args.runs)], 600_000);
  }

  const totalMs = performance.now() - t0;
  const results: BenchResults = {
    ...partial,
    machine,
    command: 'npm run bench',
    runs: args.runs,
    ...(buildMs !== undefined ? { buildMs } : {}),
    totalMs,
  };
  fs.writeFileSync(RAW_RESULTS, JSON.stringify(results));
  log(`raw results in ${RAW_RESULTS} (re-render with --render-from)`);
  finish(results, args.out);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});

/**
 * Where the time of ONE uncached report goes, phase by phase, in the two places a user waits for one:
 *   - synth: a minimal cdktf app (`node app.js`, the built package from dist/) with one uncached
 *     `ServiceLastAccessedReport`, emulator job of 1 s: the app, the worker's spawn and module load, credentials,
 *     generate, waiting, each get (round trip and parse), checks, normalising, the worker's answer, validation and
 *     the cache write in the synth process;
 *   - the CLI: `node dist/cli/main.js service-report --arn …`, emulator job of 100 ms.
 * The processes record timing marks only because ACCESS_ADVISOR_PHASES names a file (src/iam/phase-log.ts; without
 * it a mark is one test of a constant). Marks carry epoch ms and the process's CPU so far, so phases are wall time
 * across the two processes and CPU time within each. The emulator runs in its own process.
 *
 * Standalone: `npx ts-node --transpile-only bench/phases.ts [runs]` (npm run build first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { PhaseMark } from '../src/iam/phase-log';
import { ADMIN_KEY, batchRole, roleArn } from '../test/constructs/synth-world';
import { startEmulatorProcess } from '../test/constructs/synth-emulator';
import { summarize, type Summary } from './suite/stats';
import { writeStartupApps } from './synth-startup';

const ROOT = resolve(__dirname, '..');
const DIST = join(ROOT, 'dist');

export interface PhaseRow {
  readonly phase: string;
  /** Wall time of the phase, ms. */
  readonly wallMs: Summary;
  /** CPU time of the process the phase ran in, during it, ms (undefined where the phase spans processes). */
  readonly cpuMs?: Summary;
}

export interface PhaseBreakdown {
  readonly runs: number;
  readonly jobDurationMs: number;
  /** Whole process (synth app or CLI) wall time, ms. */
  readonly totalMs: Summary;
  /** Time past the job's end until the poll that saw it COMPLETED was sent, ms. */
  readonly overshootMs: Summary;
  readonly polls: Summary;
  readonly rows: readonly PhaseRow[];
}

export interface PhasesSample {
  readonly synth: PhaseBreakdown;
  readonly cli: PhaseBreakdown;
  /**
   * The judged synth figure: the same `node app.js` without ACCESS_ADVISOR_PHASES (no marks kept or written), a
   * fresh cache and role each run, interleaved with the marked runs. Whole process, ms.
   */
  readonly synthUnmarkedMs: Summary;
  /**
   * What no package can go below on this machine: the same minimal cdktf app without the package (bench/synth-startup.ts's
   * app), interleaved, ms; the floor of a one-report synth is this plus the job's duration.
   */
  readonly appWithoutPackageMs: Summary;
}

function requireBuild(): void {
  for (const f of ['index.js', 'cli/main.js', 'resolve/synth-worker.js']) {
    if (!existsSync(join(DIST, f))) throw new Error(`${join(DIST, f)} is missing: run \`npm run build\` first`);
  }
}

function readMarks(file: string): PhaseMark[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as PhaseMark)
    // The synth's worker is a thread of the synth's process: a process's thread is told apart by its id.
    .map((m) => ({ ...m, pid: m.pid * 1000 + (m.thread ?? 0) }));
}

/** One run's marks, with lookups that fail loudly when a mark the breakdown needs is missing. */
class Marks {
  constructor(private readonly marks: readonly PhaseMark[]) {}
  private all(name: string, pid?: number): PhaseMark[] {
    return this.marks.filter((m) => m.name === name && (pid === undefined || m.pid === pid));
  }
  first(name: string, pid?: number): PhaseMark {
    const found = this.all(name, pid)[0];
    if (!found) throw new Error(`phase mark ${name} missing (marks: ${[...new Set(this.marks.map((m) => m.name))].join(', ')})`);
    return found;
  }
  last(name: string, pid?: number): PhaseMark {
    const found = this.all(name, pid).at(-1);
    if (!found) throw new Error(`phase mark ${name} missing`);
    return found;
  }
  count(name: string, pid?: number): number {
    return this.all(name, pid).length;
  }
  /** The n-th mark of `name` (0-based) with detail `detail`. */
  nth(name: string, detail: string, n: number, pid?: number): PhaseMark {
    const found = this.all(name, pid).filter((m) => m.detail === detail)[n];
    if (!found) throw new Error(`phase mark ${name} (${detail}) #${n} missing`);
    return found;
  }
  after(name: string, at: number, pid?: number): PhaseMark {
    const found = this.all(name, pid).find((m) => m.at >= at);
    if (!found) throw new Error(`phase mark ${name} after ${at} missing`);
    return found;
  }
}

type Span = { phase: string; from: PhaseMark; to: PhaseMark };

/** The spans of the engine's part of a report, common to the worker and the CLI (one process: `pid`). */
function engineSpans(m: Marks, pid: number, jobDurationMs: number, engineReady: PhaseMark): { spans: Span[]; overshootMs: number; polls: number } {
  const get = 'GetServiceLastAccessedDetails';
  const generateSent = m.nth('request-sent', 'GenerateServiceLastAccessedDetails', 0, pid);
  const polls = m.count('poll-done', pid);
  const lastPollSent = m.nth('request-sent', get, polls - 1, pid);
  const lastPollReceived = m.nth('response-received', get, polls - 1, pid);
  const lastPollParsed = m.nth('response-parsed', get, polls - 1, pid);
  const spans: Span[] = [
    { phase: 'client and region', from: engineReady, to: m.first('session-ready', pid) },
    { phase: 'credentials, signing (first request)', from: m.first('session-ready', pid), to: generateSent },
    { phase: 'generate (round trip)', from: generateSent, to: m.first('generate-done', pid) },
  ];
  for (let i = 0; i < polls - 1; i++) {
    spans.push({ phase: `poll ${i + 1}: IN_PROGRESS (round trip)`, from: m.nth('request-sent', get, i, pid), to: m.nth('response-parsed', get, i, pid) });
  }
  spans.push(
    { phase: 'waiting (generate done → last poll sent)', from: m.first('generate-done', pid), to: lastPollSent },
    { phase: `poll ${polls}: COMPLETED page (round trip, unparsed)`, from: lastPollSent, to: lastPollReceived },
    { phase: 'parse the page', from: lastPollReceived, to: lastPollParsed },
    { phase: 'page checks', from: lastPollParsed, to: m.first('pages-checked', pid) },
    { phase: 'normalize', from: m.first('pages-checked', pid), to: m.first('normalized', pid) },
  );
  // The emulator completes a job jobDurationMs after it answered the generate.
  const overshootMs = lastPollSent.at - (m.first('generate-done', pid).at + jobDurationMs);
  return { spans, overshootMs, polls };
}

function breakdown(runs: { spans: Span[]; totalMs: number; overshootMs: number; polls: number }[], jobDurationMs: number): PhaseBreakdown {
  const phases = runs[0]!.spans.map((s) => s.phase);
  // Runs may differ in their number of IN_PROGRESS polls: rows are by name, over the runs that have them.
  for (const r of runs.slice(1)) for (const s of r.spans) if (!phases.includes(s.phase)) phases.push(s.phase);
  const rows = phases.map((phase): PhaseRow => {
    const spans = runs.flatMap((r) => r.spans.filter((s) => s.phase === phase));
    const samePid = spans.every((s) => s.from.pid === s.to.pid);
    return {
      phase,
      wallMs: summarize(spans.map((s) => s.to.at - s.from.at)),
      ...(samePid ? { cpuMs: summarize(spans.map((s) => s.to.cpuMs - s.from.cpuMs)) } : {}),
    };
  });
  return {
    runs: runs.length,
    jobDurationMs,
    totalMs: summarize(runs.map((r) => r.totalMs)),
    overshootMs: summarize(runs.map((r) => r.overshootMs)),
    polls: summarize(runs.map((r) => r.polls)),
    rows,
  };
}

function appSource(arn: string, endpoint: string, cacheFile: string, outdir: string): string {
  return `
const { App, TerraformStack, TerraformOutput } = require(${JSON.stringify(require.resolve('cdktf'))});
const { ServiceLastAccessedReport } = require(${JSON.stringify(join(DIST, 'index.js'))});
const app = new App({ outdir: ${JSON.stringify(outdir)}, context: { 'accessAdvisor:cacheFile': ${JSON.stringify(cacheFile)} } });
const stack = new TerraformStack(app, 'app');
const report = new ServiceLastAccessedReport(stack, 'report', { arn: ${JSON.stringify(arn)}, endpoint: ${JSON.stringify(endpoint)} });
new TerraformOutput(stack, 'unused', { value: report.unusedServices() });
app.synth();
`;
}

function credentialsEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: ADMIN_KEY.id,
    AWS_SECRET_ACCESS_KEY: ADMIN_KEY.secret,
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'ACCESS_ADVISOR_LOOKUPS', 'ACCESS_ADVISOR_CACHE_FILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_IAM']) {
    delete env[name];
  }
  return env;
}

function timedRun(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): number {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited ${child.status}: ${child.stderr.trim().slice(-400)}`);
  return ms;
}

export async function runPhasesBench(runs = 5, options: { synthJobMs?: number; cliJobMs?: number } = {}): Promise<PhasesSample> {
  requireBuild();
  const synthJobMs = options.synthJobMs ?? 1000;
  const cliJobMs = options.cliJobMs ?? 100;
  const emulator = await startEmulatorProcess();
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-phases-'));
  const env = credentialsEnv();
  try {
    // Synth: a fresh cache file each run, so every run is a miss; a different role each run (no job reuse).
    await emulator.setJobs({ durationMs: synthJobMs });
    if (runs > 17) throw new Error('at most 17 runs (the world has 60 batch roles, one per run and kind)');
    const synthRuns = [];
    const unmarkedMs: number[] = [];
    const withoutPackageMs: number[] = [];
    const startupApps = writeStartupApps(mkdtempSync(join(dir, 'startup-')));
    for (let i = 0; i <= runs; i++) {
      const marksFile = join(dir, `synth-${i}.jsonl`);
      const app = join(dir, `app-${i}.js`);
      writeFileSync(app, appSource(roleArn(batchRole(i)), emulator.endpoint, join(dir, `cache-${i}.json`), join(dir, `out-${i}`)));
      const totalMs = timedRun([app], { ...env, ACCESS_ADVISOR_PHASES: marksFile }, dir);
      // The same app without marks (another role, a fresh cache), and the app without the package: the judged figure
      // and the floor, taken between the marked runs so that all three see the same load.
      const unmarked = join(dir, `app-unmarked-${i}.js`);
      writeFileSync(unmarked, appSource(roleArn(batchRole(12 + i)), emulator.endpoint, join(dir, `cache-unmarked-${i}.json`), join(dir, `out-unmarked-${i}`)));
      const unmarkedTotal = timedRun([unmarked], env, dir);
      const withoutPackage = startupApps.run('without').ms;
      if (i === 0) continue; // warm-up: file-system cache
      unmarkedMs.push(unmarkedTotal);
      withoutPackageMs.push(withoutPackage);
      const m = new Marks(readMarks(marksFile));
      const synthPid = m.first('worker-spawn').pid;
      const workerPid = m.first('worker-loaded').pid;
      // A bundled worker (scripts/bundle-worker.js) loads the engine and the AWS SDK with its own module, before it
      // reads the batch: its engine row is then 0 and its module row holds the SDK.
      const batchRead = m.first('batch-read', workerPid);
      const engineLoaded = m.first('engine-loaded', workerPid);
      const engineReady = engineLoaded.at > batchRead.at ? engineLoaded : batchRead;
      const engine = engineSpans(m, workerPid, synthJobMs, engineReady);
      const spans: Span[] = [
        { phase: 'synth app until the lookup (cdktf, package, constructs)', from: m.first('process-start', synthPid), to: m.first('worker-spawn', synthPid) },
        { phase: 'start the worker thread', from: m.first('worker-spawn', synthPid), to: m.first('process-start', workerPid) },
        { phase: 'worker: load its module', from: m.first('process-start', workerPid), to: m.first('worker-loaded', workerPid) },
        { phase: 'synth: from the worker\'s start to its batch (the rest of the app, overlapping the worker\'s start)', from: m.first('worker-spawn', synthPid), to: m.first('batch-posted', synthPid) },
        { phase: 'worker: loaded, until its batch arrives', from: m.first('worker-loaded', workerPid), to: batchRead },
        { phase: 'worker: load the engine (AWS SDK) after the batch', from: batchRead, to: engineReady },
        ...engine.spans,
        { phase: 'worker: write the answer', from: m.first('normalized', workerPid), to: m.first('response-written', workerPid) },
        { phase: 'worker exit → synth resumes', from: m.first('response-written', workerPid), to: m.first('worker-exited', synthPid) },
        { phase: 'synth: read the answer', from: m.first('worker-exited', synthPid), to: m.first('worker-response-read', synthPid) },
        { phase: 'synth: validate the report', from: m.first('worker-response-read', synthPid), to: m.first('reports-validated', synthPid) },
        { phase: 'synth: write the cache', from: m.first('reports-validated', synthPid), to: m.first('cache-written', synthPid) },
      ];
      synthRuns.push({ spans, totalMs, overshootMs: engine.overshootMs, polls: engine.polls });
    }

    await emulator.setJobs({ durationMs: cliJobMs });
    const cliRuns = [];
    for (let i = 0; i <= runs; i++) {
      const marksFile = join(dir, `cli-${i}.jsonl`);
      const args = [join(DIST, 'cli', 'main.js'), 'service-report', '--arn', roleArn(batchRole(30 + i)), '--endpoint-url', emulator.endpoint];
      const totalMs = timedRun(args, { ...env, ACCESS_ADVISOR_PHASES: marksFile }, dir);
      if (i === 0) continue;
      const m = new Marks(readMarks(marksFile));
      const pid = m.first('command-start').pid;
      const engine = engineSpans(m, pid, cliJobMs, m.first('engine-loaded', pid));
      const spans: Span[] = [
        { phase: 'CLI: node start + load the CLI (commander, command)', from: m.first('process-start', pid), to: m.first('command-start', pid) },
        { phase: 'CLI: load the engine (AWS SDK)', from: m.first('command-start', pid), to: m.first('engine-loaded', pid) },
        ...engine.spans,
        { phase: 'CLI: write the output', from: m.first('normalized', pid), to: m.first('output-written', pid) },
      ];
      cliRuns.push({ spans, totalMs, overshootMs: engine.overshootMs, polls: engine.polls });
    }
    return {
      synth: breakdown(synthRuns, synthJobMs),
      cli: breakdown(cliRuns, cliJobMs),
      synthUnmarkedMs: summarize(unmarkedMs),
      appWithoutPackageMs: summarize(withoutPackageMs),
    };
  } finally {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatPhases(sample: PhasesSample): string {
  const f = (s: Summary | undefined) => (s === undefined || s.runs === 0 ? '—' : `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`);
  const table = (title: string, b: PhaseBreakdown) =>
    [
      `${title}: ${b.runs} runs, job ${b.jobDurationMs} ms; whole process ${f(b.totalMs)} ms; polls ${f(b.polls)}; ` +
        `last poll sent ${f(b.overshootMs)} ms after the job's end`,
      '| phase | wall ms | CPU ms |',
      '| --- | --- | --- |',
      ...b.rows.map((r) => `| ${r.phase} | ${f(r.wallMs)} | ${f(r.cpuMs)} |`),
    ].join('\n');
  const floor = `the same app without the package ${f(sample.appWithoutPackageMs)} ms, so the floor of a one-report synth here is ` +
    `${((sample.appWithoutPackageMs.median + sample.synth.jobDurationMs) / 1000).toFixed(2)} s`;
  return (
    `${table('synth, one uncached report', sample.synth)}\n\n` +
    `Without marks (the judged figure): whole process ${f(sample.synthUnmarkedMs)} ms; ${floor}.\n\n` +
    table('CLI service-report', sample.cli)
  );
}

if (require.main === module) {
  runPhasesBench(Number(process.argv[2] ?? 5)).then(
    (sample) => console.log(formatPhases(sample)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

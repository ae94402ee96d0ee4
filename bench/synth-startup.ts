/**
 * What the package costs a synth whose reports all come from the cache: a minimal cdktf app (one stack, one output)
 * with one cached report and a gate, against the same app without the package (the output a literal), each run as
 * `node app.js` — the process shape `cdktf synth` runs — alternately, in one run. Goal: ≤ 1.10× (issue 13), judged on
 * the worse of two estimators: the ratio of the medians, and the median of each pair's ratio (a pair is one run
 * without and the next with, so a slow spell of the machine hits both sides).
 * The package is loaded from dist/ as an installed copy would be (npm run build first).
 *
 * Standalone: `npx ts-node --transpile-only bench/synth-startup.ts [runs]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { reportRequestKey } from '../src/iam/validate';
import { DEFAULT_GRANULARITY, type ReportRequest, type ServiceLastAccessedReport as ReportModel } from '../src/model/report';
import { cacheEntryKey, serializeCacheFile } from '../src/resolve/cache-file';
import { summarize, type Summary } from './suite/stats';

const ROOT = resolve(__dirname, '..');
const ARN = 'arn:aws:iam::123456789012:role/app';
const ENDPOINT = 'http://127.0.0.1:9';

export interface SynthStartupSample {
  readonly runs: number;
  readonly withPackageMs: Summary;
  readonly withoutPackageMs: Summary;
  /** Median with the package over median without. */
  readonly ratio: number;
  /** Each pair's with/without ratio. */
  readonly pairedRatio: Summary;
  /** The figure the goal is judged on: the worse of `ratio` and `pairedRatio.median`. */
  readonly judgedRatio: number;
  readonly goalRatio: 1.1;
  /** This package's own modules the app with the package loads (the rest of the package loads on first use). */
  readonly packageModules: number;
  /** Modules loaded from node_modules by the app with the package, beyond the app without it. */
  readonly extraModules: readonly string[];
  /**
   * CPU time (user + system, all threads) of the same runs, as each process counts it at exit: unlike wall time it
   * does not grow with what else the machine runs, so it is the figure to compare across machines and loads. Shown
   * beside the goal, not judged.
   */
  readonly withPackageCpuMs?: Summary;
  readonly withoutPackageCpuMs?: Summary;
  readonly pairedCpuRatio?: Summary;
}

function cachedReport(): ReportModel {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    kind: 'service-last-accessed',
    arn: ARN,
    granularity: DEFAULT_GRANULARITY,
    withEntities: false,
    jobId: 'bench',
    jobStatus: 'COMPLETED',
    jobCreationDate: now,
    jobCompletionDate: now,
    principalCreateDate: '2024-01-01T00:00:00.000Z', // readable: the decisions judge it (not unknown-history)
    servicesLastAccessed: [
      { serviceName: 'Amazon S3', serviceNamespace: 's3', lastAuthenticated: now },
      { serviceName: 'Amazon SQS', serviceNamespace: 'sqs' },
    ],
  } as ReportModel;
}

/** The two apps differ only in the package's lines; both print the packages they loaded when asked. */
function appSource(withPackage: boolean, cacheFile: string, outdir: string): string {
  return `
const { App, TerraformStack, TerraformOutput } = require(${JSON.stringify(require.resolve('cdktf'))});
${withPackage ? `const { ServiceLastAccessedReport, LeastPrivilegeGate } = require(${JSON.stringify(join(ROOT, 'dist', 'index.js'))});` : ''}
const app = new App({ outdir: ${JSON.stringify(outdir)}, context: { 'accessAdvisor:cacheFile': ${JSON.stringify(cacheFile)} } });
const stack = new TerraformStack(app, 'app');
${
  withPackage
    ? `const report = new ServiceLastAccessedReport(stack, 'report', { arn: ${JSON.stringify(ARN)}, endpoint: ${JSON.stringify(ENDPOINT)} });
new LeastPrivilegeGate(stack, 'gate', { report, allow: [{ permission: 'sqs', reason: 'bench' }] });
new TerraformOutput(stack, 'unused', { value: report.unusedServices() });`
    : `new TerraformOutput(stack, 'unused', { value: ['sqs'] });`
}
app.synth();
if (process.env.LIST_MODULES) console.log(JSON.stringify(Object.keys(require.cache)));
`;
}

function packagesOf(modules: readonly string[]): Set<string> {
  const names = modules.map((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(m)?.[1] ?? (m.startsWith(join(ROOT, 'dist')) ? '(package)' : '(app)'));
  return new Set(names);
}

/** Loaded before either app (`node -r`): reports the process's CPU time on stderr when it exits. */
const CPU_PROBE = `process.on('exit', () => { const u = process.cpuUsage(); require('fs').writeSync(2, '\\nACCESS_ADVISOR_BENCH_CPU_MS ' + (u.user + u.system) / 1000 + '\\n'); });\n`;

/** The two apps and their cache in `dir`; `run` runs one as `node app.js` and times it (wall, and CPU as the process counted it). */
export function writeStartupApps(dir: string): {
  run(which: 'with' | 'without', listModules?: boolean): { ms: number; cpuMs: number; modules: readonly string[] };
  packagesLoaded(which: 'with' | 'without'): Set<string>;
} {
  const cacheFile = join(dir, 'access-advisor.context.json');
  const request: ReportRequest = { kind: 'service-last-accessed', arn: ARN, granularity: DEFAULT_GRANULARITY, withEntities: false };
  const connection = { endpoint: ENDPOINT };
  const entry = { request, connection, resolvedAt: new Date().toISOString(), report: cachedReport() };
  writeFileSync(cacheFile, serializeCacheFile({ schemaVersion: 1, entries: { [cacheEntryKey(reportRequestKey(request), connection)]: entry } }));
  const apps = { with: join(dir, 'with-package.js'), without: join(dir, 'without-package.js') };
  writeFileSync(apps.with, appSource(true, cacheFile, join(dir, 'out-with')));
  writeFileSync(apps.without, appSource(false, cacheFile, join(dir, 'out-without')));
  const probe = join(dir, 'cpu-probe.js');
  writeFileSync(probe, CPU_PROBE);
  const env = { ...process.env, ACCESS_ADVISOR_LOOKUPS: 'off' };
  const run = (which: 'with' | 'without', listModules = false) => {
    const start = process.hrtime.bigint();
    const child = spawnSync(process.execPath, ['-r', probe, apps[which]], { cwd: dir, env: listModules ? { ...env, LIST_MODULES: '1' } : env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (child.status !== 0) throw new Error(`${apps[which]} exited ${child.status}: ${child.stderr}`);
    const cpuMs = Number(/ACCESS_ADVISOR_BENCH_CPU_MS ([\d.]+)/.exec(child.stderr)?.[1] ?? Number.NaN);
    return { ms, cpuMs, modules: listModules ? (JSON.parse(child.stdout.trim().split('\n').pop()!) as string[]) : [] };
  };
  return { run, packagesLoaded: (which) => packagesOf(run(which, true).modules) };
}

export function synthStartup(runs = 31): SynthStartupSample {
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-startup-'));
  try {
    const apps = writeStartupApps(dir);
    const base = apps.packagesLoaded('without');
    const loadedWith = apps.run('with', true).modules;
    const extraModules = [...packagesOf(loadedWith)].filter((p) => !base.has(p)).sort();
    const packageModules = loadedWith.filter((m) => m.startsWith(join(ROOT, 'dist'))).length;
    const runOnce = (which: 'with' | 'without') => apps.run(which);
    runOnce('with'); // warm the file cache for both
    runOnce('without');
    const withMs: number[] = [];
    const withoutMs: number[] = [];
    const withCpu: number[] = [];
    const withoutCpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const without = runOnce('without');
      const withPackage = runOnce('with');
      withoutMs.push(without.ms);
      withMs.push(withPackage.ms);
      withoutCpu.push(without.cpuMs);
      withCpu.push(withPackage.cpuMs);
    }
    const withPackageMs = summarize(withMs);
    const withoutPackageMs = summarize(withoutMs);
    const ratio = withPackageMs.median / withoutPackageMs.median;
    const pairedRatio = summarize(withMs.map((ms, i) => ms / withoutMs[i]!));
    const judgedRatio = Math.max(ratio, pairedRatio.median);
    const cpu = withCpu.every(Number.isFinite) && withoutCpu.every(Number.isFinite)
      ? { withPackageCpuMs: summarize(withCpu), withoutPackageCpuMs: summarize(withoutCpu), pairedCpuRatio: summarize(withCpu.map((c, i) => c / withoutCpu[i]!)) }
      : {};
    return { runs, withPackageMs, withoutPackageMs, ratio, pairedRatio, judgedRatio, goalRatio: 1.1, extraModules, packageModules, ...cpu };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  console.log(JSON.stringify(synthStartup(Number(process.argv[2] ?? 31)), null, 2));
}

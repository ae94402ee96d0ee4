/**
 * Synth-time report benchmarks.
 *   1. cachedOverhead: synth time of a stack with N reports (default 500) served from the cache, against the same
 *      stack with the same outputs as plain literals. Goal: ≤ 2 ms per report.
 *   2. uncachedFanout: one synth with N uncached reports (default 50) against one synth with a single uncached
 *      report (≈ one job's latency, worker start included). Goal: ≤ 2.5×. Run at the engine's default client-side
 *      rate and at a raised rate (ACCESS_ADVISOR_REQUESTS_PER_SECOND), because 50 reports need ~150 calls.
 *
 * Standalone: `npx ts-node --transpile-only bench/synth.ts`. The emulator runs in a child process: synth blocks its
 * own thread while the worker calls IAM.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as defaultCore from '../test/default-core';
import { TerraformOutput, TerraformStack, Testing } from '../test/default-core';
import { ServiceLastAccessedReport } from '../src/constructs/service-last-accessed-report';
import { reportRequestKey } from '../src/iam';
import { DEFAULT_GRANULARITY, type ReportRequest, type ServiceLastAccessedReport as ReportModel } from '../src/model/report';
import { cacheEntryKey, serializeCacheFile, type CacheEntry } from '../src/resolve/cache-file';
import { startEmulatorProcess, useEmulatorCredentials } from '../test/constructs/synth-emulator';
import { BATCH_ROLES, batchRole, roleArn } from '../test/constructs/synth-world';
import { summarize } from './suite/stats';

const ENDPOINT = 'http://127.0.0.1:9';
const NAMESPACES = ['dynamodb', 'ec2', 'iam', 'kms', 'lambda', 's3', 'sns', 'sqs', 'ssm', 'sts'];

function fakeReport(arn: string, i: number): ReportModel {
  const now = Date.now();
  return {
    schemaVersion: 1,
    kind: 'service-last-accessed',
    arn,
    granularity: DEFAULT_GRANULARITY,
    withEntities: false,
    jobId: `bench-${i}`,
    jobStatus: 'COMPLETED',
    jobCreationDate: new Date(now).toISOString(),
    jobCompletionDate: new Date(now).toISOString(),
    principalCreateDate: '2024-01-01T00:00:00.000Z', // readable: the decisions judge it (not unknown-history)
    servicesLastAccessed: NAMESPACES.map((ns, k) => ({
      serviceName: ns,
      serviceNamespace: ns,
      ...(k % 3 === 0 ? {} : { lastAuthenticated: new Date(now - k * 20 * 86_400_000).toISOString() }),
    })),
  };
}

export interface CachedOverheadResult {
  reports: number;
  withReportsMs: number;
  withoutReportsMs: number;
  perReportMs: number;
  goalPerReportMs: 2;
}

export async function cachedOverhead(reports = 500, rounds = 5): Promise<CachedOverheadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-synth-'));
  const cacheFile = join(dir, 'access-advisor.context.json');
  const entries: Record<string, CacheEntry> = {};
  const arns = Array.from({ length: reports }, (_, i) => `arn:aws:iam::123456789012:role/bench-${i}`);
  arns.forEach((arn, i) => {
    const request: ReportRequest = { kind: 'service-last-accessed', arn, granularity: DEFAULT_GRANULARITY, withEntities: false };
    const connection = { endpoint: ENDPOINT };
    entries[cacheEntryKey(reportRequestKey(request), connection)] = { request, connection, resolvedAt: new Date().toISOString(), report: fakeReport(arn, i) };
  });
  writeFileSync(cacheFile, serializeCacheFile({ schemaVersion: 1, entries }));
  const saved = process.env.ACCESS_ADVISOR_LOOKUPS;
  process.env.ACCESS_ADVISOR_LOOKUPS = 'off'; // a miss would be a bug here, not a lookup

  const synthOnce = (withReports: boolean): number => {
    const start = process.hrtime.bigint();
    const app = Testing.app({ context: { 'accessAdvisor:cacheFile': cacheFile } });
    const stack = new TerraformStack(app, 'bench');
    arns.forEach((arn, i) => {
      const value = withReports
        ? new ServiceLastAccessedReport(stack, `r${i}`, { arn, endpoint: ENDPOINT }).unusedServices()
        : ['iam', 'sns', 'ssm', 'sts'];
      new TerraformOutput(stack, `o${i}`, { value });
    });
    Testing.synth(stack);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  try {
    synthOnce(true);
    synthOnce(false); // warm-up
    const withTimes: number[] = [];
    const withoutTimes: number[] = [];
    for (let r = 0; r < rounds; r++) {
      withTimes.push(synthOnce(true));
      withoutTimes.push(synthOnce(false));
    }
    const withReportsMs = summarize(withTimes).median;
    const withoutReportsMs = summarize(withoutTimes).median;
    return { reports, withReportsMs, withoutReportsMs, perReportMs: (withReportsMs - withoutReportsMs) / reports, goalPerReportMs: 2 };
  } finally {
    if (saved === undefined) delete process.env.ACCESS_ADVISOR_LOOKUPS;
    else process.env.ACCESS_ADVISOR_LOOKUPS = saved;
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface UncachedFanoutResult {
  reports: number;
  requestsPerSecond: number | 'engine default';
  jobDurationMs: number;
  oneReportMs: number;
  manyReportsMs: number;
  ratio: number;
  goalRatio: 2.5;
  maxInFlight: number;
}

/**
 * The constructs of the built package, as users run them. Loaded from src/, the synth worker would run as TypeScript
 * through ts-node (run-worker.ts finds no compiled worker beside it) and every uncached synth would include
 * transpiling the worker and the engine.
 */
function builtConstructs(): { core: typeof defaultCore; reports: typeof import('../src/constructs/service-last-accessed-report') } {
  const dist = join(__dirname, '..', 'dist', 'constructs');
  if (!existsSync(join(dist, 'service-last-accessed-report.js')) || !existsSync(join(dist, '..', 'resolve', 'synth-worker.js'))) {
    throw new Error(`${dist} is incomplete: run \`npm run build\` first`);
  }
  return {
    // The test core: the built constructs take the core of the app they are given (coreOf(scope)).
    core: defaultCore,
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built files, by path, at run time
    reports: require(join(dist, 'service-last-accessed-report.js')) as typeof import('../src/constructs/service-last-accessed-report'),
  };
}

export async function uncachedFanout(reports = 50, options: { requestsPerSecond?: number; jobDurationMs?: number } = {}): Promise<UncachedFanoutResult> {
  if (reports + 1 > BATCH_ROLES) throw new Error(`at most ${BATCH_ROLES - 1} reports`);
  const { core, reports: built } = builtConstructs();
  const jobDurationMs = options.jobDurationMs ?? 1000;
  const emulator = await startEmulatorProcess();
  const restore = useEmulatorCredentials();
  const savedRate = process.env.ACCESS_ADVISOR_REQUESTS_PER_SECOND;
  if (options.requestsPerSecond !== undefined) process.env.ACCESS_ADVISOR_REQUESTS_PER_SECOND = String(options.requestsPerSecond);
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-fanout-'));
  try {
    await emulator.setJobs({ durationMs: jobDurationMs });
    await emulator.setFaults({ latencyMs: 10 });
    const synthWith = (roles: string[], cacheName: string): number => {
      const start = process.hrtime.bigint();
      const app = core.Testing.app({ context: { 'accessAdvisor:cacheFile': join(dir, cacheName) } });
      const stack = new core.TerraformStack(app, 'bench');
      roles.forEach((role, i) => {
        const report = new built.ServiceLastAccessedReport(stack, `r${i}`, { arn: roleArn(role), endpoint: emulator.endpoint, timeout: '5m' });
        new core.TerraformOutput(stack, `o${i}`, { value: report.unusedServices() });
      });
      core.Testing.synth(stack);
      const failed = roles.length - Object.keys(JSON.parse(readFileSync(join(dir, cacheName), 'utf8')).entries).length;
      if (failed > 0) throw new Error(`${failed} lookups failed`);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const oneReportMs = synthWith([batchRole(reports)], 'one.json');
    await emulator.resetMetrics();
    const manyReportsMs = synthWith(Array.from({ length: reports }, (_, i) => batchRole(i)), 'many.json');
    const metrics = await emulator.metrics();
    return {
      reports,
      requestsPerSecond: options.requestsPerSecond ?? 'engine default',
      jobDurationMs,
      oneReportMs,
      manyReportsMs,
      ratio: manyReportsMs / oneReportMs,
      goalRatio: 2.5,
      maxInFlight: metrics.maxInFlight,
    };
  } finally {
    if (savedRate === undefined) delete process.env.ACCESS_ADVISOR_REQUESTS_PER_SECOND;
    else process.env.ACCESS_ADVISOR_REQUESTS_PER_SECOND = savedRate;
    restore();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runSynthBenchmarks(): Promise<{ cached: CachedOverheadResult; uncached: UncachedFanoutResult[] }> {
  const cached = await cachedOverhead();
  const uncached = [await uncachedFanout(50), await uncachedFanout(50, { requestsPerSecond: 100 })];
  return { cached, uncached };
}

if (require.main === module) {
  runSynthBenchmarks().then(
    (results) => {
      const c = results.cached;
      console.log(
        `cached: ${c.reports} reports ${c.withReportsMs.toFixed(0)} ms vs ${c.withoutReportsMs.toFixed(0)} ms without → ` +
          `${c.perReportMs.toFixed(3)} ms per report (goal ≤ ${c.goalPerReportMs}) ${c.perReportMs <= c.goalPerReportMs ? 'OK' : 'MISSED'}`,
      );
      for (const u of results.uncached) {
        console.log(
          `uncached: ${u.reports} reports in one synth ${u.manyReportsMs.toFixed(0)} ms vs one ${u.oneReportMs.toFixed(0)} ms ` +
            `(jobs ${u.jobDurationMs} ms, rate ${u.requestsPerSecond}, maxInFlight ${u.maxInFlight}) → ${u.ratio.toFixed(2)}× ` +
            `(goal ≤ ${u.goalRatio}) ${u.ratio <= u.goalRatio ? 'OK' : 'MISSED'}`,
        );
      }
      console.log(JSON.stringify(results, null, 2));
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/**
 * Fan-out benchmark of the report engine: N service-last-accessed reports at once against the emulator, with job
 * durations spread over a range and a per-account throttle. It compares
 *   - wall time with its lower bound: max(slowest job, minimum calls / allowed rate), and
 *   - API calls with their minimum: one generate plus one get per page for each report,
 * and reports throttling errors the caller saw (should be 0: the adaptive client-side limiter backs off and the SDK
retries what was throttled) and
 * the peak RSS of the process (the emulator runs in the same process, so it is included).
 *
 * Standalone: `npx ts-node bench/fanout.ts` runs 200 reports at 10 and 50 req/s.
 */
import { AwsRequestError, runReports, type ProgressEvent, type ReportRequest } from '../src';
import { startEmulator } from '../src/emulator';
import { benchRoleArn, BENCH_ACCESS_KEY, BENCH_SECRET_KEY, fanoutWorld } from './engine/fanout-world';

export interface FanoutOptions {
  /** Reports to run (default 200). */
  reports?: number;
  /** Per-account throttle of the emulator, and the client-side rate limit of the run (default 10). */
  requestsPerSecond?: number;
  /** Client-side rate limit when it should differ from the throttle (default: the throttle). */
  clientRequestsPerSecond?: number;
  /** Emulator token-bucket burst (default: one second's worth, at least 1). */
  throttleBurst?: number;
  /** Job durations, uniformly spread (default 1000–3000 ms). */
  jobDurationMs?: { min: number; max: number };
  /** Requests in flight (default 8, the engine default). */
  concurrency?: number;
  seed?: number;
}

export interface FanoutResult {
  reports: number;
  ok: number;
  failed: number;
  throttleRequestsPerSecond: number;
  clientRequestsPerSecond: number;
  wallMs: number;
  /** max(slowestJobMs, throttleBoundMs). */
  lowerBoundMs: number;
  /** Longest job as IAM (the emulator) reports it: jobCompletionDate − jobCreationDate. */
  slowestJobMs: number;
  /** minimumCalls / throttle rate, in ms. */
  throttleBoundMs: number;
  /** wallMs / lowerBoundMs. */
  wallOverBound: number;
  /** Every request that reached the emulator, retries included. */
  apiCalls: number;
  /** One generate + one get per page, per report. */
  minimumCalls: number;
  /** apiCalls / minimumCalls. */
  callsOverMinimum: number;
  callsByAction: Record<string, number>;
  /** Polls that found the job still IN_PROGRESS. */
  inProgressPolls: number;
  /**
   * Principal create-date reads, outside the minimum: GetAccountAuthorizationDetails pages (one series per run once
   * 3+ principals of a kind are reported) plus any per-principal Get{Role,User,Group,Policy} fallbacks.
   */
  createDateCalls: number;
  /** Requests the emulator answered with 400 Throttling. */
  throttledByServer: number;
  /** Reports that failed with a Throttling error after the SDK's retries (the caller's view). */
  throttlingErrorsSeenByCaller: number;
  maxInFlight: number;
  peakRssBytes: number;
}

export async function runFanoutBench(opts: FanoutOptions = {}): Promise<FanoutResult> {
  const reports = opts.reports ?? 200;
  const rate = opts.requestsPerSecond ?? 10;
  const clientRate = opts.clientRequestsPerSecond ?? rate;
  const burst = opts.throttleBurst ?? Math.max(1, Math.floor(rate));
  const emu = await startEmulator({
    world: fanoutWorld(reports),
    port: 0,
    seed: opts.seed ?? 42,
    jobs: { durationMs: opts.jobDurationMs ?? { min: 1000, max: 3000 } },
    faults: { throttle: { requestsPerSecond: rate, burst } },
  });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  try {
    const requests: ReportRequest[] = Array.from({ length: reports }, (_, i) => ({ kind: 'service-last-accessed', arn: benchRoleArn(i) }));
    const pagesByJob = new Map<string, number>();
    let inProgressPolls = 0;
    const onProgress = (e: ProgressEvent): void => {
      if (e.phase === 'paging' && e.jobId) pagesByJob.set(e.jobId, Math.max(pagesByJob.get(e.jobId) ?? 0, e.pages ?? 0));
      if (e.phase === 'waiting' && (e.polls ?? 0) > 0) inProgressPolls++;
    };
    emu.resetMetrics();
    const started = process.hrtime.bigint();
    const results = await runReports(requests, {
      endpoint: emu.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: BENCH_ACCESS_KEY, secretAccessKey: BENCH_SECRET_KEY },
      requestsPerSecond: clientRate,
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      onProgress,
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const m = emu.metrics();
    let slowestJobMs = 0;
    let minimumCalls = 0;
    for (const r of results) {
      if (!r.ok) continue;
      slowestJobMs = Math.max(slowestJobMs, Date.parse(r.report.jobCompletionDate) - Date.parse(r.report.jobCreationDate));
      minimumCalls += 1 + (pagesByJob.get(r.report.jobId) ?? 1);
    }
    const failed = results.filter((r) => !r.ok);
    minimumCalls += failed.length * 2; // a failed report still needed at least a generate and a get
    const throttleBoundMs = (minimumCalls / rate) * 1000;
    const lowerBoundMs = Math.max(slowestJobMs, throttleBoundMs);
    const createDateCalls =
      (m.calls.GetAccountAuthorizationDetails ?? 0) +
      (m.calls.GetRole ?? 0) + (m.calls.GetUser ?? 0) + (m.calls.GetGroup ?? 0) + (m.calls.GetPolicy ?? 0);
    return {
      reports,
      ok: results.length - failed.length,
      failed: failed.length,
      throttleRequestsPerSecond: rate,
      clientRequestsPerSecond: clientRate,
      wallMs: Math.round(wallMs),
      lowerBoundMs: Math.round(lowerBoundMs),
      slowestJobMs,
      throttleBoundMs: Math.round(throttleBoundMs),
      wallOverBound: round2(wallMs / lowerBoundMs),
      apiCalls: m.totalCalls,
      minimumCalls,
      callsOverMinimum: round2(m.totalCalls / minimumCalls),
      callsByAction: { ...m.calls },
      inProgressPolls,
      createDateCalls,
      throttledByServer: m.throttled,
      throttlingErrorsSeenByCaller: failed.filter((r) => !r.ok && r.error instanceof AwsRequestError && r.error.awsCode === 'Throttling').length,
      maxInFlight: m.maxInFlight,
      peakRssBytes: peakRss,
    };
  } finally {
    clearInterval(sampler);
    await emu.close();
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export function formatFanoutResult(r: FanoutResult): string {
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
  return [
    `fan-out: ${r.reports} reports, throttle ${r.throttleRequestsPerSecond} req/s, client limit ${r.clientRequestsPerSecond} req/s`,
    `  ok ${r.ok}, failed ${r.failed}`,
    `  wall ${(r.wallMs / 1000).toFixed(1)} s vs lower bound ${(r.lowerBoundMs / 1000).toFixed(1)} s ` +
      `(slowest job ${(r.slowestJobMs / 1000).toFixed(1)} s, throttle ${(r.throttleBoundMs / 1000).toFixed(1)} s) → ×${r.wallOverBound}`,
    `  API calls ${r.apiCalls} vs minimum ${r.minimumCalls} → ×${r.callsOverMinimum} ` +
      `(in-progress polls ${r.inProgressPolls}, principal create-date reads ${r.createDateCalls})`,
    `  by action: ${Object.entries(r.callsByAction).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  throttled by server ${r.throttledByServer}, throttling errors seen by caller ${r.throttlingErrorsSeenByCaller}, max in flight ${r.maxInFlight}`,
    `  peak RSS ${mb(r.peakRssBytes)} (emulator in-process)`,
  ].join('\n');
}

async function main(): Promise<void> {
  const reports = Number(process.env.FANOUT_REPORTS ?? 200);
  for (const requestsPerSecond of [10, 50]) {
    const result = await runFanoutBench({ reports, requestsPerSecond });
    console.log(formatFanoutResult(result));
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

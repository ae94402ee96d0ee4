import { GenerateServiceLastAccessedDetailsCommand, GetServiceLastAccessedDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import { performance } from 'node:perf_hooks';
import { deriveSeed, pickMs, SeededRandom } from '../../src/emulator/rng';
import type { EmulatorProcess } from './emulator-process';
import { withSeededMathRandom } from './seeded';
import { summarize } from './stats';
import { strategyById, type FanoutStrategy } from './strategies';
import { BENCH_ACCESS_KEY, BENCH_SECRET_KEY, roleArn } from './world';
import { gc } from './collect-garbage';

export type JobLatency = { readonly kind: 'fixed'; readonly ms: number } | { readonly kind: 'spread'; readonly minMs: number; readonly maxMs: number };

export interface FanoutScenario {
  readonly id: string;
  readonly principals: number;
  /** Services each report lists (ACTION_LEVEL). */
  readonly services: number;
  readonly latency: JobLatency;
  /** Per-account throttle, unscaled requests per second; the token bucket's burst is `burst`. */
  readonly throttle: number;
  readonly burst: number;
  /**
   * Strategies to run and the time scale of each (see BENCHMARKS.md "Time dilation"). `measuredIn` names another
   * scenario whose run of this strategy is shown here instead of running it again (only for a strategy no throttle
   * of either scenario can bind, in scenarios that share `seedGroup` and therefore the same jobs).
   */
  readonly strategies: readonly { readonly id: string; readonly timeScale: number; readonly measuredIn?: string }[];
  /** Scenarios with the same seed group draw the same job durations in each run. Default: their own. */
  readonly seedGroup?: number;
  /** The 200-principal goals are judged on this scenario. */
  readonly judged: boolean;
}

/** IAM returns up to MaxItems (1000) services per page; every strategy asks for 1000. */
const MAX_ITEMS = 1000;

export interface LowerBound {
  readonly minimumCalls: number;
  readonly slowestJobMs: number;
  readonly throttleBoundMs: number;
  readonly lowerBoundMs: number;
}

export function durationRange(latency: JobLatency): number | { min: number; max: number } {
  return latency.kind === 'fixed' ? latency.ms : { min: latency.minMs, max: latency.maxMs };
}

/**
 * The physical limit of a run, in unscaled ms. A report needs its generate and one get per page (`minimumCalls`
 * for all), and cannot finish before its job does. A token bucket that starts full with `burst` tokens and refills
 * at `throttle` per second admits at most burst + throttle·T requests in T seconds, so the calls alone need
 * T ≥ (minimumCalls − burst) / throttle; and the run cannot end before the slowest job completes. The emulator
 * draws job durations from its seed in generate order, so every strategy of one (scenario, run) faces the same
 * jobs: the slowest is the largest of the first `principals` draws.
 */
export function lowerBound(scenario: FanoutScenario, seed: number): LowerBound {
  const pages = Math.max(1, Math.ceil(scenario.services / MAX_ITEMS));
  const minimumCalls = scenario.principals * (1 + pages);
  const durations = new SeededRandom(deriveSeed(seed, 'durations'));
  let slowestJobMs = 0;
  for (let i = 0; i < scenario.principals; i++) slowestJobMs = Math.max(slowestJobMs, pickMs(durationRange(scenario.latency), durations));
  const throttleBoundMs = (Math.max(0, minimumCalls - scenario.burst) / scenario.throttle) * 1000;
  return { minimumCalls, slowestJobMs, throttleBoundMs, lowerBoundMs: Math.max(slowestJobMs, throttleBoundMs) };
}

export interface FanoutSample {
  readonly scenarioId: string;
  readonly strategyId: string;
  readonly run: number;
  readonly seed: number;
  readonly timeScale: number;
  /** Unscaled: measured wall time divided by the time scale. */
  readonly wallMs: number;
  readonly bound: LowerBound;
  readonly apiCalls: number;
  readonly callsByAction: Record<string, number>;
  readonly throttledByServer: number;
  readonly maxInFlight: number;
  readonly completed: number;
  readonly errorsSeenByCaller: number;
  readonly throttlingErrorsSeenByCaller: number;
  /** Peak of JS heap + external + array buffers above the level measured (after a GC) just before the run. */
  readonly peakHeapGrowthBytes: number;
  readonly peakRssBytes: number;
  /** Client process CPU (user + system) during the run, real ms. */
  readonly clientCpuMs: number;
  /**
   * The emulator host process's CPU (user + system) during the run, real ms: the test double's own cost of serving
   * the run (generating, rendering and writing reports), which IAM spreads over its fleet and the bound leaves out.
   */
  readonly emulatorCpuMs?: number;
}


function heapBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

export function scenarioSeed(scenarioIndex: number, run: number): number {
  return 1000 * (scenarioIndex + 1) + run;
}

/** One strategy, one run, against a fresh emulator (in the host process) seeded for this (scenario, run). */
export async function runFanoutSample(
  host: EmulatorProcess,
  scenario: FanoutScenario,
  strategy: FanoutStrategy,
  timeScale: number,
  seed: number,
  run: number,
): Promise<FanoutSample> {
  const durationMs = durationRange(scenario.latency);
  const emulator = await host.start({
    shape: { principals: scenario.principals, services: scenario.services },
    seed,
    jobs: { durationMs: typeof durationMs === 'number' ? durationMs * timeScale : { min: durationMs.min * timeScale, max: durationMs.max * timeScale } },
    faults: { throttle: { requestsPerSecond: scenario.throttle / timeScale, burst: scenario.burst } },
  });
  try {
    const arns = Array.from({ length: scenario.principals }, (_, i) => roleArn(i));
    gc();
    const baseHeap = heapBytes();
    let peakHeap = baseHeap;
    let peakRss = process.memoryUsage.rss();
    const sampler = setInterval(() => {
      peakHeap = Math.max(peakHeap, heapBytes());
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }, 20);
    const emulatorCpu0 = (await host.usage()).cpu;
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    let outcome;
    try {
      outcome = await withSeededMathRandom(seed, () =>
        strategy.run({ endpoint: emulator.endpoint, arns, timeScale, throttleRequestsPerSecond: scenario.throttle, seed }),
      );
    } finally {
      clearInterval(sampler);
    }
    const wallMs = (performance.now() - started) / timeScale;
    const cpu = process.cpuUsage(cpu0);
    const emulatorCpu1 = (await host.usage()).cpu;
    peakHeap = Math.max(peakHeap, heapBytes());
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    const m = await emulator.metrics();
    return {
      scenarioId: scenario.id,
      strategyId: strategy.id,
      run,
      seed,
      timeScale,
      wallMs,
      bound: lowerBound(scenario, seed),
      apiCalls: m.totalCalls,
      callsByAction: m.calls,
      throttledByServer: m.throttled,
      maxInFlight: m.maxInFlight,
      completed: outcome.completed,
      errorsSeenByCaller: outcome.errorsSeenByCaller,
      throttlingErrorsSeenByCaller: outcome.throttlingErrorsSeenByCaller,
      peakHeapGrowthBytes: Math.max(0, peakHeap - baseHeap),
      peakRssBytes: peakRss,
      clientCpuMs: (cpu.user + cpu.system) / 1000,
      emulatorCpuMs: (emulatorCpu1.user + emulatorCpu1.system - emulatorCpu0.user - emulatorCpu0.system) / 1000,
    };
  } finally {
    await emulator.close();
  }
}

export interface CallCost {
  /** Real ms of one GetServiceLastAccessedDetails round trip (client + emulator), sequential, median. */
  readonly getMs: ReturnType<typeof summarize>;
  readonly generateMs: ReturnType<typeof summarize>;
}

/**
 * The fixed cost of one request on this machine, which time dilation does not shrink: sequential calls over a
 * warm connection to an emulator without throttle or job delay, for 20-service and 400-service reports.
 */
export async function measureCallCost(host: EmulatorProcess, services: number, calls = 40): Promise<CallCost> {
  const emulator = await host.start({ shape: { principals: 1, services }, seed: 1, jobs: { durationMs: 0 } });
  const client = new IAMClient({ region: 'us-east-1', endpoint: emulator.endpoint, credentials: { accessKeyId: BENCH_ACCESS_KEY, secretAccessKey: BENCH_SECRET_KEY } });
  try {
    const generate = () => client.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: roleArn(0), Granularity: 'ACTION_LEVEL' }));
    const { JobId } = await generate();
    const get = () => client.send(new GetServiceLastAccessedDetailsCommand({ JobId, MaxItems: MAX_ITEMS }));
    for (let i = 0; i < 10; i++) await get(); // warm-up: JIT, connection
    const time = async (f: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let i = 0; i < calls; i++) {
        const t = performance.now();
        await f();
        samples.push(performance.now() - t);
      }
      return summarize(samples);
    };
    return { getMs: await time(get), generateMs: await time(generate) };
  } finally {
    client.destroy();
    await emulator.close();
  }
}

export interface ScenarioSchedule {
  readonly scenarios: readonly FanoutScenario[];
  readonly runs: number;
  readonly onSample?: (sample: FanoutSample) => void;
}

/**
 * Every (scenario, strategy) `runs` times, run-major: run 1 of every scenario and strategy, then run 2…, so that
 * drifting machine load spreads over all strategies instead of favouring whichever ran last.
 */
export async function runFanoutMatrix(host: EmulatorProcess, schedule: ScenarioSchedule): Promise<FanoutSample[]> {
  const samples: FanoutSample[] = [];
  for (let run = 1; run <= schedule.runs; run++) {
    for (const [index, scenario] of schedule.scenarios.entries()) {
      const seed = scenarioSeed(scenario.seedGroup ?? index, run);
      for (const { id, timeScale, measuredIn } of scenario.strategies) {
        if (measuredIn) continue;
        const sample = await runFanoutSample(host, scenario, strategyById(id), timeScale, seed, run);
        samples.push(sample);
        schedule.onSample?.(sample);
      }
    }
  }
  return samples;
}

/**
 * A few fan-out scenarios of the suite, for iterating on the engine (the whole `npm run bench -- --only fanout` takes
 * minutes): the same runs as bench/run.ts (emulator in its own process, the same seeds and time scales), only the
 * scenarios and strategies named, and optionally another account throttle or burst to check that a change holds
 * off the suite's own numbers.
 *
 *   node -r ts-node/register/transpile-only bench/fanout-pick.ts [--scenarios p200-spread-t50-s20,…] [--strategies ours,…]
 *     [--runs N] [--first-run K] [--throttle R] [--burst B] [--time-scale S] [--timeline]
 *
 * --timeline prints, per run, the requests that left per 100 ms (unscaled), the throttled answers and generates
 * among them, the first requests' round trips, and when the first request, the last generate and the last request
 * went. PICK_PROFILE_MS=<ms> in the environment writes a CPU profile of each run's first <ms> (real) to
 * /tmp/pick-<run>.cpuprofile (summarise it with bench/profile-summary.ts).
 */
import http from 'node:http';
import * as inspector from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { measureCallCost, runFanoutSample, scenarioSeed, type FanoutSample, type FanoutScenario } from './suite/fanout-matrix';
import { EmulatorProcess } from './suite/emulator-process';
import { SCENARIOS } from './suite/scenarios';
import { strategyById } from './suite/strategies';

interface Args {
  scenarios: string[];
  strategies: string[];
  runs: number;
  firstRun: number;
  throttle?: number;
  burst?: number;
  timeScale?: number;
  timeline: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { scenarios: ['p200-spread-t50-s20'], strategies: ['ours'], runs: 3, firstRun: 1, timeline: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const positive = (): number => {
      const v = Number(value());
      if (!(v > 0)) throw new Error(`${flag}: ${argv[i]} is not a positive number`);
      return v;
    };
    if (flag === '--scenarios') args.scenarios = value().split(',');
    else if (flag === '--strategies') args.strategies = value().split(',');
    else if (flag === '--runs') args.runs = positive();
    else if (flag === '--first-run') args.firstRun = positive();
    else if (flag === '--throttle') args.throttle = positive();
    else if (flag === '--burst') args.burst = positive();
    else if (flag === '--time-scale') args.timeScale = positive();
    else if (flag === '--timeline') args.timeline = true;
    else throw new Error(`unknown argument ${flag}; allowed: --scenarios, --strategies, --runs, --first-run, --throttle, --burst, --time-scale, --timeline`);
  }
  for (const id of args.scenarios) {
    if (!SCENARIOS.some((s) => s.id === id)) throw new Error(`--scenarios: unknown ${id}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  }
  return args;
}

interface Sent {
  readonly at: number;
  answeredAt?: number;
  status?: number;
  generate: boolean;
}

/** Records when each HTTP request of this process left and how it was answered (the client's view). */
function recordRequests(): { sent: Sent[]; stop: () => void } {
  const sent: Sent[] = [];
  // The module object itself (an `import *` namespace is read-only): the SDK's handler reads `request` from it per call.
  const httpModule = http as { request: typeof http.request };
  const original = httpModule.request;
  const patched = function (this: unknown, ...params: Parameters<typeof http.request>) {
    const req = (original as (...p: unknown[]) => http.ClientRequest).apply(this, params);
    const entry: Sent = { at: performance.now(), generate: false };
    const write = req.write.bind(req);
    req.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) entry.generate ||= String(chunk).includes('Action=Generate');
      return (write as (...p: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof req.write;
    const end = req.end.bind(req);
    req.end = ((...rest: unknown[]) => {
      const chunk = rest[0];
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) entry.generate ||= String(chunk).includes('Action=Generate');
      sent.push(entry);
      return (end as (...p: unknown[]) => http.ClientRequest)(...rest);
    }) as typeof req.end;
    req.on('response', (res) => {
      entry.status = res.statusCode;
      entry.answeredAt = performance.now();
    });
    return req;
  };
  httpModule.request = patched as typeof http.request;
  return { sent, stop: () => (httpModule.request = original) };
}

function printTimeline(sent: readonly Sent[], startedAt: number, sample: FanoutSample): void {
  const binMs = 100;
  const scale = sample.timeScale;
  const bins = new Map<number, { n: number; throttled: number; generates: number }>();
  for (const s of sent) {
    const bin = Math.floor((s.at - startedAt) / scale / binMs);
    const b = bins.get(bin) ?? { n: 0, throttled: 0, generates: 0 };
    b.n++;
    if (s.status === 400) b.throttled++;
    if (s.generate) b.generates++;
    bins.set(bin, b);
  }
  const last = Math.max(...bins.keys());
  const cells: string[] = [];
  for (let i = 0; i <= last; i++) {
    const b = bins.get(i);
    cells.push(b ? `${b.n}${b.throttled ? `!${b.throttled}` : ''}${b.generates ? `g${b.generates}` : ''}` : '0');
  }
  const ms = (at: number) => ((at - startedAt) / scale).toFixed(0);
  const generates = sent.filter((s) => s.generate);
  const firstTrips = sent.slice(0, 12).map((s) => (s.answeredAt === undefined ? '?' : ((s.answeredAt - s.at) / scale).toFixed(0)));
  console.log(`  first requests' round trips (ms, unscaled): ${firstTrips.join(' ')}`);
  console.log(`  sends per ${binMs} ms (n!throttled gGenerates): ${cells.join(' ')}`);
  console.log(
    `  first request ${ms(sent[0]!.at)} ms, last generate ${ms(generates[generates.length - 1]?.at ?? startedAt)} ms, ` +
      `last request ${ms(sent[sent.length - 1]!.at)} ms, wall ${sample.wallMs.toFixed(0)} ms`,
  );
}

/** Diagnosis: a CPU profile of this process's first `ms` of a run (PICK_PROFILE_MS), written to `file`. */
function profileFor(ms: number, file: string): void {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable', () =>
    session.post('Profiler.setSamplingInterval', { interval: 100 }, () =>
      session.post('Profiler.start', () => {
        setTimeout(() => {
          session.post('Profiler.stop', (err, result) => {
            if (!err) writeFileSync(file, JSON.stringify(result.profile));
            session.disconnect();
          });
        }, ms);
      }),
    ),
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const host = EmulatorProcess.spawn();
  const walls = new Map<string, number[]>();
  try {
    // As in bench/run.ts, where the per-call cost and smaller scenarios run first: the SDK and the engine are loaded.
    await measureCallCost(host, 20, 10);
    await runFanoutSample(host, SCENARIOS[0]!, strategyById('ours'), 0.25, 1, 0);
    for (let run = args.firstRun; run < args.firstRun + args.runs; run++) {
      for (const id of args.scenarios) {
        const index = SCENARIOS.findIndex((s) => s.id === id);
        const base = SCENARIOS[index]!;
        const scenario: FanoutScenario = {
          ...base,
          ...(args.throttle !== undefined ? { throttle: args.throttle } : {}),
          ...(args.burst !== undefined ? { burst: args.burst } : {}),
        };
        const seed = scenarioSeed(scenario.seedGroup ?? index, run);
        for (const strategyId of args.strategies) {
          const listed = scenario.strategies.find((s) => s.id === strategyId);
          const timeScale = args.timeScale ?? listed?.timeScale ?? 1;
          const recorder = args.timeline ? recordRequests() : undefined;
          let startedAt = performance.now();
          const strategy = strategyById(strategyId);
          const timed = {
            ...strategy,
            run: async (r: Parameters<typeof strategy.run>[0]) => {
              startedAt = performance.now();
              if (process.env['PICK_PROFILE_MS']) profileFor(Number(process.env['PICK_PROFILE_MS']), `/tmp/pick-${run}.cpuprofile`);
              return strategy.run(r);
            },
          };
          let sample: FanoutSample;
          try {
            sample = await runFanoutSample(host, scenario, timed, timeScale, seed, run);
          } finally {
            recorder?.stop();
          }
          const ratio = sample.wallMs / sample.bound.lowerBoundMs;
          const key = `${id} t${scenario.throttle} b${scenario.burst} ${strategyId}`;
          walls.set(key, [...(walls.get(key) ?? []), ratio]);
          console.log(
            `run ${run} ${key} s=${timeScale}: ${(sample.wallMs / 1000).toFixed(2)} s ÷ bound ${(sample.bound.lowerBoundMs / 1000).toFixed(2)} s = ` +
              `${ratio.toFixed(3)}×, ${sample.apiCalls} calls (min ${sample.bound.minimumCalls}), throttled ${sample.throttledByServer}, ` +
              `complete ${sample.completed}, errors ${sample.errorsSeenByCaller} (throttling ${sample.throttlingErrorsSeenByCaller}), ` +
              `client CPU ${sample.clientCpuMs.toFixed(0)} ms`,
          );
          if (recorder && recorder.sent.length > 0) printTimeline(recorder.sent, startedAt, sample);
        }
      }
    }
  } finally {
    await host.shutdown();
  }
  for (const [key, ratios] of walls) {
    const sorted = [...ratios].sort((a, b) => a - b);
    console.log(`${key}: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)}× (${sorted[0]!.toFixed(3)}–${sorted[sorted.length - 1]!.toFixed(3)}) over ${sorted.length}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});

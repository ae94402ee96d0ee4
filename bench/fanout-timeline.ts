/**
 * Where a fan-out run's time goes, request by request: one scenario of the matrix (bench/suite/scenarios.ts) run
 * like bench/fanout-scenario.ts, with every HTTP request recorded on both sides (bench/suite/request-timeline.ts):
 *
 *   npx ts-node --transpile-only bench/fanout-timeline.ts [scenario=p20-fixed-t50-s400] [runs=3] [strategy=ours]
 *
 * For each run after the first (cold) one, each job in the order it completes: when the emulator started it (its
 * Generate arrived), when it completed (start + its drawn duration), when the poll that found it COMPLETED arrived
 * (lag after completion) and when the client had read that answer's body, and its polls. Milliseconds from the
 * run's first request, real time (a time-scaled scenario's are not unscaled).
 */
import { EmulatorProcess } from './suite/emulator-process';
import { durationRange, runFanoutSample, scenarioSeed } from './suite/fanout-matrix';
import { recordClientRequests, type ServerRequestRecord } from './suite/request-timeline';
import { SCENARIOS } from './suite/scenarios';
import { strategyById } from './suite/strategies';
import { deriveSeed, pickMs, SeededRandom } from '../src/emulator/rng';

async function main(): Promise<void> {
  const [scenarioId = 'p20-fixed-t50-s400', runsArg = '3', strategyId = 'ours'] = process.argv.slice(2);
  const index = SCENARIOS.findIndex((s) => s.id === scenarioId);
  if (index < 0) throw new Error(`unknown scenario ${scenarioId}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  const scenario = SCENARIOS[index]!;
  const entry = scenario.strategies.find((s) => s.id === strategyId);
  if (!entry) throw new Error(`scenario ${scenarioId} has no strategy ${strategyId}`);
  process.env['BENCH_REQUEST_TIMELINE'] = '1';
  const host = EmulatorProcess.spawn();
  delete process.env['BENCH_REQUEST_TIMELINE'];
  const client = recordClientRequests();
  try {
    for (let run = 1; run <= Number(runsArg); run++) {
      const seed = scenarioSeed(scenario.seedGroup ?? index, run);
      client.length = 0;
      await host.timeline();
      const s = await runFanoutSample(host, scenario, strategyById(strategyId), entry.timeScale, seed, run);
      const served = (await host.timeline()).filter((r) => r.action !== undefined);
      const origin = Math.min(...client.map((r) => r.sentAt));
      const at = (t: number | undefined) => (t === undefined ? '    -' : (t - origin).toFixed(0).padStart(5));
      console.log(
        `run ${run}${run === 1 ? ' (cold)' : ''}: wall ÷ bound ${(s.wallMs / s.bound.lowerBoundMs).toFixed(3)}, client CPU ${s.clientCpuMs.toFixed(0)} ms, ` +
          `emulator CPU ${(s.emulatorCpuMs ?? 0).toFixed(0)} ms, ${s.apiCalls} calls; run ends at ${at(origin + s.wallMs * s.timeScale - 0)}`,
      );
      if (run === 1) continue;
      // The emulator draws each job's duration in the order Generates arrive (as lowerBound does).
      const durations = new SeededRandom(deriveSeed(seed, 'durations'));
      const generates = served.filter((r) => r.action?.startsWith('Generate') && r.jobId !== undefined);
      const jobs = generates.map((g) => {
        const done = g.arrivedAt + pickMs(durationRange(scenario.latency), durations) * s.timeScale;
        const polls = served.filter((r) => r.jobId === g.jobId && r.action?.startsWith('Get'));
        const completed = polls.findIndex((r) => r.jobStatus === 'COMPLETED');
        // A job's requests go one at a time: the client's k-th request of the job is the emulator's k-th.
        const read = completed >= 0 ? client.filter((c) => c.jobId === g.jobId)[completed] : undefined;
        return { started: g.arrivedAt, done, polls, completed: completed >= 0 ? polls[completed] : undefined, read };
      });
      jobs.sort((a, b) => a.done - b.done);
      for (const j of jobs) {
        console.log(
          `  started ${at(j.started)} done ${at(j.done)} COMPLETED poll sent ${at(j.read?.sentAt)} arrived ${at(j.completed?.arrivedAt)} ` +
            `(lag ${j.completed ? (j.completed.arrivedAt - j.done).toFixed(0).padStart(4) : '   -'}) answered ${at(j.completed?.answeredAt)} ` +
            `headers in ${at(j.read?.answeredAt)} read by client ${at(j.read?.readAt)}; ` +
            `polls at ${j.polls.map((p: ServerRequestRecord) => `${at(p.arrivedAt).trim()}${p.jobStatus === 'COMPLETED' ? 'C' : ''}`).join(' ')}`,
        );
      }
      if (process.env.TIMELINE_GENERATES) {
        const sent = client.filter((c) => c.action?.startsWith('Generate'));
        console.log(`  generates sent at ${sent.map((c) => at(c.sentAt).trim()).join(' ')}`);
        console.log(`  generates served ${generates.map((g) => `${at(g.arrivedAt).trim()}-${at(g.answeredAt).trim()}`).join(' ')}`);
        console.log(`  generate answers read at ${sent.map((c) => at(c.readAt).trim()).join(' ')}`);
      }
      const others = served.filter((r) => !r.action?.startsWith('Generate') && r.jobId === undefined);
      for (const r of others) console.log(`  ${r.action} arrived ${at(r.arrivedAt)} answered ${at(r.answeredAt)}`);
      const lags = jobs.filter((j) => j.completed).map((j) => j.completed!.arrivedAt - j.done).sort((a, b) => a - b);
      console.log(
        `  jobs started over ${at(jobs.reduce((m, j) => Math.min(m, j.started), Infinity)).trim()}..${at(jobs.reduce((m, j) => Math.max(m, j.started), 0)).trim()} ms; ` +
          `completion lag median ${lags[Math.floor(lags.length / 2)]?.toFixed(0)} ms, max ${lags[lags.length - 1]?.toFixed(0)} ms`,
      );
    }
  } finally {
    await host.shutdown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

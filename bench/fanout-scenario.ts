/**
 * One scenario of the fan-out matrix (bench/suite/scenarios.ts), for iterating on it without the whole matrix:
 *
 *   npx ts-node --transpile-only bench/fanout-scenario.ts [scenario=p20-fixed-t50-s400] [runs=5] [strategies=ours,steampipe]
 *
 * Runs are run-major like the matrix (run 1 of every strategy, then run 2…) with the matrix's seeds and time scales,
 * against one emulator host process. Each line: wall ÷ lower bound, client and emulator CPU of the run (real ms).
 * BENCH_CPU_PROFILE=<file> writes a V8 CPU profile of the client during the runs of the first strategy named
 * (for bench/profile-summary.ts); BENCH_EMULATOR_CPU_PROFILE_DIR does the same for the emulator host.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { EmulatorProcess } from './suite/emulator-process';
import { runFanoutSample, scenarioSeed, type FanoutSample } from './suite/fanout-matrix';
import { SCENARIOS } from './suite/scenarios';
import { summarize } from './suite/stats';
import { strategyById } from './suite/strategies';

async function main(): Promise<void> {
  const [scenarioId = 'p20-fixed-t50-s400', runsArg = '5', strategiesArg = 'ours,steampipe'] = process.argv.slice(2);
  const index = SCENARIOS.findIndex((s) => s.id === scenarioId);
  if (index < 0) throw new Error(`unknown scenario ${scenarioId}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  const scenario = SCENARIOS[index]!;
  const runs = Number(runsArg);
  const ids = strategiesArg.split(',');
  const profileFile = process.env['BENCH_CPU_PROFILE'];
  const profiler = profileFile ? new Session() : undefined;
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) => profiler!.post(method, (error, result) => (error ? reject(error) : resolve(result))));
  if (profiler) {
    profiler.connect();
    await post('Profiler.enable');
  }
  const host = EmulatorProcess.spawn();
  const samples: FanoutSample[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      const seed = scenarioSeed(scenario.seedGroup ?? index, run);
      for (const id of ids) {
        const entry = scenario.strategies.find((s) => s.id === id);
        if (!entry) throw new Error(`scenario ${scenarioId} has no strategy ${id}`);
        const profiling = profiler && id === ids[0];
        if (profiling) await post('Profiler.start');
        const s = await runFanoutSample(host, scenario, strategyById(id), entry.timeScale, seed, run);
        if (profiling) {
          const { profile } = (await post('Profiler.stop')) as { profile: unknown };
          if (run === runs) writeFileSync(profileFile!, JSON.stringify(profile));
        }
        samples.push(s);
        console.log(
          `run ${run} ${id.padEnd(10)} wall ${s.wallMs.toFixed(0)} ms / bound ${s.bound.lowerBoundMs.toFixed(0)} = ${(s.wallMs / s.bound.lowerBoundMs).toFixed(3)}; ` +
            `client CPU ${s.clientCpuMs.toFixed(0)} ms, emulator CPU ${(s.emulatorCpuMs ?? 0).toFixed(0)} ms; ${s.apiCalls} calls, ${s.completed} complete, ${s.errorsSeenByCaller} errors`,
        );
      }
    }
  } finally {
    await host.shutdown();
  }
  for (const id of ids) {
    const mine = samples.filter((s) => s.strategyId === id);
    const ratio = summarize(mine.map((s) => s.wallMs / s.bound.lowerBoundMs));
    const cpu = summarize(mine.map((s) => s.clientCpuMs));
    const emu = summarize(mine.map((s) => s.emulatorCpuMs ?? 0));
    console.log(
      `${id.padEnd(10)} wall/bound median ${ratio.median.toFixed(3)} (${ratio.min.toFixed(3)}–${ratio.max.toFixed(3)}); ` +
        `client CPU median ${cpu.median.toFixed(0)} ms; emulator CPU median ${emu.median.toFixed(0)} ms (${mine.length} runs)`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

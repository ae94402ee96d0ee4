import { lowerBound, type FanoutSample, type FanoutScenario } from '../../bench/suite/fanout-matrix';
import { goalLines, renderReport, summarizeScenario } from '../../bench/suite/report';
import type { BenchResults } from '../../bench/suite/results';
import { checkAtMost, formatSummary, summarize } from '../../bench/suite/stats';

const scenario: FanoutScenario = {
  id: 'p200-fixed',
  principals: 200,
  services: 20,
  latency: { kind: 'fixed', ms: 1000 },
  throttle: 10,
  burst: 10,
  strategies: [
    { id: 'ours', timeScale: 0.1 },
    { id: 'ours-no-cd', timeScale: 0.1 },
    { id: 'steampipe', timeScale: 0.1 },
  ],
  judged: true,
};

describe('summarize', () => {
  it('takes the median of an odd and an even number of samples, with the range', () => {
    expect(summarize([5, 1, 3])).toEqual({ runs: 3, median: 3, min: 1, max: 5 });
    expect(summarize([4, 1, 3, 2])).toEqual({ runs: 4, median: 2.5, min: 1, max: 4 });
  });

  it('ignores non-finite samples and reports no runs when none is left', () => {
    expect(summarize([NaN, 2, Infinity])).toEqual({ runs: 1, median: 2, min: 2, max: 2 });
    expect(summarize([]).runs).toBe(0);
    expect(formatSummary(summarize([]))).toBe('n/a');
  });

  it('formats the median with its range, and a single value alone', () => {
    expect(formatSummary(summarize([1, 2, 4]), 1, ' s')).toBe('2.0 s (1.0 s–4.0 s)');
    expect(formatSummary(summarize([7, 7]), 0)).toBe('7');
  });

  it('judges upper-bound goals, and a missing figure as not met', () => {
    expect(checkAtMost('g', 1.2, 1.25).met).toBe(true);
    expect(checkAtMost('g', 1.3, 1.25).met).toBe(false);
    expect(checkAtMost('g', NaN, 1.25).met).toBe(false);
  });
});

describe('lowerBound', () => {
  it('is the throttle bound when the calls need longer than the slowest job', () => {
    const b = lowerBound(scenario, 7);
    expect(b.minimumCalls).toBe(400);
    expect(b.slowestJobMs).toBe(1000);
    expect(b.throttleBoundMs).toBe(39_000); // (400 − 10 burst) / 10 per second
    expect(b.lowerBoundMs).toBe(39_000);
  });

  it('is the slowest job when the throttle allows every call sooner', () => {
    const b = lowerBound({ ...scenario, principals: 1, latency: { kind: 'spread', minMs: 1000, maxMs: 3000 } }, 7);
    expect(b.throttleBoundMs).toBe(0);
    expect(b.lowerBoundMs).toBe(b.slowestJobMs);
    expect(b.slowestJobMs).toBeGreaterThanOrEqual(1000);
    expect(b.slowestJobMs).toBeLessThanOrEqual(3000);
  });

  it('repeats for a seed and grows with more jobs drawn from it', () => {
    const spread: FanoutScenario = { ...scenario, throttle: 1e6, latency: { kind: 'spread', minMs: 1000, maxMs: 3000 } };
    expect(lowerBound(spread, 11)).toEqual(lowerBound(spread, 11));
    expect(lowerBound(spread, 11).slowestJobMs).toBeGreaterThanOrEqual(lowerBound({ ...spread, principals: 3 }, 11).slowestJobMs);
    expect(lowerBound(spread, 11).slowestJobMs).toBeGreaterThan(2900); // 200 uniform draws over 1–3 s
  });
});

function sample(strategyId: string, run: number, wallMs: number, apiCalls: number, extra: Partial<FanoutSample> = {}): FanoutSample {
  return {
    scenarioId: scenario.id,
    strategyId,
    run,
    seed: run,
    timeScale: 0.1,
    wallMs,
    bound: lowerBound(scenario, run),
    apiCalls,
    callsByAction: {},
    throttledByServer: 0,
    maxInFlight: 8,
    completed: 200,
    errorsSeenByCaller: 0,
    throttlingErrorsSeenByCaller: 0,
    peakHeapGrowthBytes: 10 * 1024 * 1024,
    peakRssBytes: 200 * 1024 * 1024,
    clientCpuMs: 1500,
    ...extra,
  };
}

function results(samples: FanoutSample[]): BenchResults {
  return {
    machine: { cores: 2, cpuModel: 'Test CPU', memoryGiB: 4, node: 'v20.0.0', platform: 'linux', loadAverage: [0, 0, 0], date: '2026-01-01T00:00:00.000Z' },
    command: 'npm run bench',
    runs: 3,
    totalMs: 480_000,
    fanout: { scenarios: [scenario], samples },
    synthCached: { ok: true, value: [1, 2, 3].map((i) => ({ reports: 500, withReportsMs: 300 + i, withoutReportsMs: 100, perReportMs: (200 + i) / 500 })) },
    synthUncached: [{ rate: 100, outcome: { ok: true, value: [1, 2, 3].map(() => ({ reports: 50, jobDurationMs: 1000, oneReportMs: 2000, manyReportsMs: 3000, maxInFlight: 8 })) } }],
    tighten: { ok: false, error: 'Error: catalog missing\n    at somewhere' },
    cli: { ok: true, value: { help: { runs: 10, medianMs: 120, minMs: 100, maxMs: 150 }, serviceReport: { runs: 5, medianMs: 400, minMs: 380, maxMs: 450, jobDurationMs: 100, apiCallsPerRun: 3 } } },
  };
}

describe('fan-out summaries and the report', () => {
  // ours: 44 s, 46 s, 48 s against a 39 s bound; no-cd: 40 s each; Steampipe: half the time, but failures.
  const samples = [1, 2, 3].flatMap((run) => [
    sample('ours', run, 42_000 + 2000 * run, 600),
    sample('ours-no-cd', run, 40_000, 400),
    sample('steampipe', run, 22_000 + 1000 * run, 650, { completed: 150, errorsSeenByCaller: 50, throttlingErrorsSeenByCaller: 50, throttledByServer: 300 }),
  ]);

  it('summarizes every strategy against the bound and against ours in the same run', () => {
    const s = summarizeScenario(scenario, samples);
    const ours = s.rows.find((r) => r.strategyId === 'ours')!;
    const steampipe = s.rows.find((r) => r.strategyId === 'steampipe')!;
    expect(s.lowerBoundS.median).toBe(39);
    expect(ours.wallS).toEqual({ runs: 3, median: 46, min: 44, max: 48 });
    expect(ours.callsOverMinimum.median).toBe(1.5);
    expect(steampipe.wallOverOurs.median).toBeCloseTo(24 / 46, 6);
    expect(steampipe.completed.min).toBe(150);
  });

  it('judges the goals and says plainly which are not met', () => {
    const r = results(samples);
    const lines = goalLines(r, [summarizeScenario(scenario, samples)]);
    const byGoal = (text: string, strategy: string) => lines.find((l) => l.goal.includes(text) && l.goal.includes(strategy))!;
    expect(byGoal('wall', 'ours (default').met).toBe(false); // 46 / 39 = 1.18 > 1.10
    expect(byGoal('wall', 'readPrincipalCreateDate').met).toBe(true); // 40 / 39 = 1.03
    expect(byGoal('wall', 'ours (default').before).toBe('1.08×'); // issue 26's figure beside it
    expect(byGoal('API calls', 'ours (default').met).toBe(false); // 1.5 × minimum
    expect(byGoal('API calls', 'readPrincipalCreateDate').met).toBe(true);
    expect(lines.find((l) => l.goal.startsWith('cached report'))!.met).toBe(true);
    expect(lines.find((l) => l.goal.startsWith('50 uncached'))!.met).toBe(false); // 3 s > 1.5 s
    const report = lines.find((l) => l.goal.startsWith('`access-advisor service-report`'))!;
    expect([report.met, report.measured]).toEqual([false, 400]); // 400 ms > 300 ms
    expect(lines.find((l) => l.goal.startsWith('one uncached report'))!.figure).toBe('not measured'); // no phases section
    const tighten = lines.find((l) => l.goal.includes('tightening'))!;
    expect(tighten.met).toBe(false);
    expect(tighten.note).toBe('Error: catalog missing');
    const md = renderReport(r);
    expect(md).toContain('Test CPU');
    expect(md).toContain(`**${lines.filter((l) => !l.met).length} of ${lines.length} goals are not met:**`);
    expect(md).toContain('150 / 200 ⚠');
    expect(md).toContain('46.0 (44.0–48.0)');
    expect(md).toContain('| goal | measured (median, min–max) | issue 26 found | verdict | note |');
  });
});

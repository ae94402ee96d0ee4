import type { FanoutScenario } from './fanout-matrix';

const ALL = ['ours', 'ours-no-cd', 'sequential', 'steampipe', 'aardvark', 'cloudquery'] as const;

/** Every strategy at one time scale, except the sequential loop, which may need its own (see SEQUENTIAL_TIME_SCALE). */
function everyStrategy(timeScale: number, sequentialTimeScale = timeScale) {
  return ALL.map((id) => ({ id, timeScale: id === 'sequential' ? sequentialTimeScale : timeScale }));
}

/**
 * The sequential loop makes one request at a time (≈ 2 per second unscaled, far below any throttle), so its run time
 * is the sum of 200 jobs plus its sleeps (≈ 500 s unscaled). It gets a smaller time scale than the throttle-bound
 * strategies, chosen so that five runs fit the budget; its per-call cost is magnified the most (see the report).
 */
export const SEQUENTIAL_TIME_SCALE = 0.02;

/**
 * The matrix: every value of every dimension (1/20/200 principals, fixed 1 s / spread 1–3 s jobs, throttle 10/50,
 * 20/400-service ACTION_LEVEL reports), all strategies side by side everywhere, and the judged comparison at
 * 200 principals with spread jobs under both throttles. Time scales keep the scaled request rate near 200/s, which
 * this 2-core machine serves without queueing (see "Time dilation").
 */
export const SCENARIOS: readonly FanoutScenario[] = [
  {
    id: 'p1-fixed-t10-s20',
    principals: 1,
    services: 20,
    latency: { kind: 'fixed', ms: 1000 },
    throttle: 10,
    burst: 10,
    strategies: everyStrategy(0.25),
    judged: false,
  },
  {
    id: 'p20-fixed-t50-s400',
    principals: 20,
    services: 400,
    latency: { kind: 'fixed', ms: 1000 },
    throttle: 50,
    burst: 50,
    strategies: everyStrategy(1, 0.1),
    judged: false,
  },
  {
    id: 'p200-spread-t10-s20',
    principals: 200,
    services: 20,
    latency: { kind: 'spread', minMs: 1000, maxMs: 3000 },
    throttle: 10,
    burst: 10,
    strategies: everyStrategy(0.08, SEQUENTIAL_TIME_SCALE),
    seedGroup: 2,
    judged: true,
  },
  {
    id: 'p200-spread-t50-s20',
    principals: 200,
    services: 20,
    latency: { kind: 'spread', minMs: 1000, maxMs: 3000 },
    throttle: 50,
    burst: 50,
    strategies: everyStrategy(0.2, SEQUENTIAL_TIME_SCALE).map((s) =>
      s.id === 'sequential' ? { ...s, measuredIn: 'p200-spread-t10-s20' } : s,
    ),
    seedGroup: 2,
    judged: true,
  },
];

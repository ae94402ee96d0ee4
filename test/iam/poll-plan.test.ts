import { resolveSchedule } from '../../src/iam/backoff';
import { SOLO_POLL_AGES_MS } from '../../src/iam/engine';
import { JobDurations } from '../../src/iam/job-durations';
import { ActiveJobs, POLL_GAP_FLOOR_MS, PollPlan } from '../../src/iam/poll-plan';
import { RoundTrips } from '../../src/iam/round-trips';
import { WaveScouts } from '../../src/iam/wave-scouts';
import type { JobContext } from '../../src/iam/report-job';
import { JobFailedError } from '../../src/model/errors';
import { lateness, simulator, type Simulated } from './poll-sim';

// Which schedule a job gets and what the solo schedule costs, on a fake clock (poll-sim.ts): no timer ever runs.

/** A lone job's run state, as openEngine builds it (one job in flight, no evidence yet). */
function loneRun(extra: Partial<JobContext> = {}): Partial<JobContext> {
  return {
    durations: new JobDurations(),
    soloPollAgesMs: SOLO_POLL_AGES_MS,
    activeJobs: new ActiveJobs(),
    roundTrips: new RoundTrips(),
    scouts: new WaveScouts(),
    ...extra,
  };
}

async function solo(durationMs: number, oneWayMs: number, jitter = 0, random = 0.5): Promise<Simulated> {
  const sim = simulator({ oneWayMs, random: () => random });
  return sim.run(sim.context({ ...loneRun(), schedule: resolveSchedule({ jitter }) }), durationMs);
}

/** Job lengths from `from` to `to` ms, `step` apart. */
function lengths(from: number, to: number, step: number): number[] {
  return Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);
}

// One way on the wire: the emulator on this machine (2 ms) and a real IAM endpoint (40 ms each way).
const LATENCIES = [2, 40];

// A simulated job schedules the page reader's preload (setImmediate): let it run before Jest tears the module system down.
afterAll(() => new Promise<void>((resolve) => setImmediate(resolve)));

describe('the solo schedule (a job alone in its run, no evidence)', () => {
  it.each(LATENCIES)('reads a quick job at its first poll (%i ms each way)', async (oneWay) => {
    for (const length of [30, 60, 100 - 2 * oneWay]) {
      const s = await solo(length, oneWay);
      expect(s.polls).toBe(1);
      expect(s.pollAges).toEqual([100]);
    }
  });

  it.each(LATENCIES)('reads a job ending between 0.85 and 1.45 s within 6 %% of its end, or one round trip (%i ms each way)', async (oneWay) => {
    for (const length of lengths(850, 1450, 5)) {
      const s = await solo(length, oneWay);
      // The answer's own trip back (one way) is unavoidable; beyond it, the spacing of the ages or, when a round trip
      // is longer, that round trip (a job's polls never overlap).
      expect(lateness(s) - oneWay).toBeLessThanOrEqual(Math.max(0.06 * length, 2 * oneWay + 10));
    }
  });

  it.each([
    [100, 1],
    [1000, 7],
    [3000, 18],
    [30_000, 29],
  ])('a job of up to %i ms costs at most %i polls, whatever the latency and the jitter', async (upTo, maxPolls) => {
    for (const oneWay of LATENCIES) {
      for (const length of lengths(20, upTo, Math.max(5, Math.round(upTo / 300)))) {
        for (const random of [0, 1]) {
          const s = await solo(length, oneWay, 0.2, random);
          expect(s.polls).toBeLessThanOrEqual(maxPolls);
        }
      }
    }
  });

  it('never sends two polls of a job closer than the floor, and past its last age goes on at the fixed schedule\'s', async () => {
    for (const oneWay of LATENCIES) {
      for (const length of [...lengths(20, 3000, 7), 12_000, 30_000]) {
        const ages = (await solo(length, oneWay)).pollAges;
        for (let i = 1; i < ages.length; i++) expect(ages[i]! - ages[i - 1]!).toBeGreaterThanOrEqual(POLL_GAP_FLOOR_MS);
      }
    }
    const slow = (await solo(30_000, 2)).pollAges;
    const last = SOLO_POLL_AGES_MS.at(-1)!;
    // The fixed schedule's ages past 8.8 s: 10 390.6, 15 390.6, … (delays grown to their 5 s cap).
    expect(slow.filter((a) => a > last)).toEqual([10_391, 15_391, 20_391, 25_391, 30_391]);
  });

  it('aims with the measured round trip: over real-IAM latency, reads sooner after the end than unaimed polls', async () => {
    const aimed: number[] = [];
    const unaimed: number[] = [];
    for (const length of lengths(850, 1450, 10)) {
      const sim = simulator({ oneWayMs: 40 });
      aimed.push(lateness(await sim.run(sim.context(loneRun()), length)));
      const { roundTrips: _r, ...noAim } = loneRun();
      unaimed.push(lateness(await sim.run(sim.context(noAim), length)));
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Polls of one job never overlap, so with an 80 ms round trip (more than the ages' spacing) aiming gains part of it.
    expect(mean(aimed)).toBeLessThan(mean(unaimed) - 20);
  });

  it('aims each age once: an answer back sooner than aimed (a trip quicker than any before) brings no second poll for it', async () => {
    // The first poll's trip is slow (a cold connection: 60 ms each way), later ones quick (5 ms): the second poll,
    // aimed 120 ms before 350 ms, is back at about 240 ms; the next goes for 650 ms, not again for 350 ms.
    const sim = simulator({ oneWayMs: (poll) => (poll <= 0 ? 60 : 5) });
    const s = await sim.run(sim.context(loneRun()), 600);
    expect(s.pollAges).toEqual([100, 230, 640]);
  });

  it('reads a one-second job far sooner after its end than the fixed schedule, at a few more polls', async () => {
    const s = await solo(1000, 2);
    const sim = simulator({ oneWayMs: 2 });
    const fixed = await sim.run(sim.context({ durations: new JobDurations() }), 1000);
    expect(fixed.pollAges).toEqual([500, 1254]);
    expect(lateness(s)).toBeLessThanOrEqual(0.03 * 1000);
    expect(lateness(fixed) - lateness(s)).toBeGreaterThan(200);
    expect(s.polls).toBeLessThanOrEqual(7);
  });
});

describe('which schedule a job gets', () => {
  it('a job with another job of its run in flight keeps the fixed schedule when that job scouts (a fan-out costs what it did)', async () => {
    const sim = simulator({ oneWayMs: 2 });
    const activeJobs = new ActiveJobs();
    activeJobs.start(); // another report of the run, still running
    const scouts = new WaveScouts();
    expect(scouts.claim({})).toBe(true); // ... and polling at the solo ages for the wave
    const s = await sim.run(sim.context(loneRun({ activeJobs, scouts })), 1000);
    expect(s.pollAges).toEqual([500, 1254]);
    expect(activeJobs.count).toBe(1); // the job's own start and end balance
  });

  it('without scouts, a job with another job of its run in flight keeps the fixed schedule', async () => {
    const sim = simulator({ oneWayMs: 2 });
    const activeJobs = new ActiveJobs();
    activeJobs.start();
    const { scouts: _s, ...noScouts } = loneRun({ activeJobs });
    const s = await sim.run(sim.context(noScouts), 1000);
    expect(s.pollAges).toEqual([500, 1254]);
  });

  it('a lone job that another job of its run joins scouts for the run: it stays on the solo ages (the provider\'s first read)', async () => {
    const activeJobs = new ActiveJobs();
    // Another read starts while this job's second poll is on its way.
    const sim = simulator({ oneWayMs: 2, queuedMs: (poll) => (poll === 1 && activeJobs.count === 1 ? (activeJobs.start(), 0) : 0) });
    const run = loneRun({ activeJobs });
    const s = await sim.run(sim.context(run), 1000);
    expect(s.pollAges).toEqual([100, 346, 646, 846, 901, 956, 1011]);
    // Its evidence ended scouting for the run: the reads after it plan from it.
    expect(run.scouts!.ended).toBe(true);
    expect(run.durations!.size).toBe(1);
  });

  it('without scouts, a lone job that another job of its run joins goes on at the fixed ages from where it is', async () => {
    const activeJobs = new ActiveJobs();
    const sim = simulator({ oneWayMs: 2, queuedMs: (poll) => (poll === 1 && activeJobs.count === 1 ? (activeJobs.start(), 0) : 0) });
    const { scouts: _s, ...noScouts } = loneRun({ activeJobs });
    const s = await sim.run(sim.context(noScouts), 1000);
    expect(s.pollAges).toEqual([100, 350 - 4, 500, 1250]);
  });

  it('a run\'s finished jobs plan the next lone job (the provider\'s reads one after another), at one poll', async () => {
    const sim = simulator({ oneWayMs: 2 });
    const run = loneRun();
    const ctx = sim.context(run);
    const first = await sim.run(ctx, 1000);
    expect(first.polls).toBe(7);
    const next: Simulated[] = [];
    for (let i = 0; i < 5; i++) next.push(await sim.run(ctx, 1000));
    for (const s of next.slice(1)) {
      expect(s.polls).toBe(1);
      expect(lateness(s)).toBeLessThanOrEqual(0.05 * 1000);
    }
  });

  it('a lone job slower than the run\'s evidence goes back to the solo ages from where it is, not to the fixed ones', async () => {
    const sim = simulator({ oneWayMs: 2 });
    const ctx = sim.context(loneRun());
    for (let i = 0; i < 3; i++) await sim.run(ctx, 500);
    const slow = await sim.run(ctx, 2000);
    expect(lateness(slow)).toBeLessThanOrEqual(0.2 * 2000);
    const afterPlanned = slow.pollAges.filter((a) => a > 1000);
    for (const a of afterPlanned) expect(SOLO_POLL_AGES_MS.map((s) => s - 4)).toContain(a);
  });

  it('a caller\'s own schedule (no solo ages) and a resumed job are never put on the solo ages', () => {
    const ctx = { schedule: resolveSchedule({ jitter: 0 }), random: () => 0.5 };
    expect(new PollPlan(ctx, true).solo).toBe(false);
    expect(new PollPlan({ ...ctx, soloPollAgesMs: SOLO_POLL_AGES_MS }, false).solo).toBe(false);
    const resumed = new PollPlan({ ...ctx, soloPollAgesMs: SOLO_POLL_AGES_MS }, false);
    expect(resumed.delay(0, 0, 0)).toBe(0); // a resumed job is polled at once
    expect(resumed.delay(1, 0, 0)).toBe(750); // then on the fixed schedule
  });

  it('a job that FAILED is an error and teaches nothing about durations, whatever the schedule', async () => {
    const sim = simulator({ oneWayMs: 2, outcome: 'FAILED' });
    const run = loneRun();
    await expect(sim.run(sim.context(run), 1000)).rejects.toBeInstanceOf(JobFailedError);
    expect(run.durations!.size).toBe(0);
  });
});

describe('RoundTrips', () => {
  it('aims with the shortest recent round trip, ignores what is no duration, forgets the oldest', () => {
    const r = new RoundTrips(3);
    expect(r.shortest()).toBe(0);
    r.record(Number.NaN);
    r.record(-5);
    r.record(Number.POSITIVE_INFINITY);
    expect(r.shortest()).toBe(0);
    r.record(30);
    r.record(80);
    r.record(90);
    expect(r.shortest()).toBe(30);
    r.record(70);
    expect(r.shortest()).toBe(70); // 30 aged out
  });
});

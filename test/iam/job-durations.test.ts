import { JobDurations } from '../../src/iam/job-durations';
import { ONE_WAY_MS, lateness, seeded, simulator, sum, type Simulated } from './poll-sim';

// The learned poll schedule on a fake clock (poll-sim.ts): no timer ever runs.

async function runJobs(durationsMs: readonly number[], adaptive: boolean): Promise<Simulated[]> {
  const sim = simulator();
  const ctx = sim.context(adaptive ? { durations: new JobDurations() } : {});
  const out: Simulated[] = [];
  for (const d of durationsMs) out.push(await sim.run(ctx, d));
  return out;
}

describe('JobDurations', () => {
  it('has no opinion without a finished job as slow as the one asked about', () => {
    const d = new JobDurations();
    expect(d.nextPollAge(0)).toBeUndefined();
    d.record(500, 1260);
    expect(d.nextPollAge(0)).toBe(880); // the middle of (500, 1260]
    expect(d.nextPollAge(1300)).toBeUndefined(); // slower than every finished job: the fixed schedule decides
  });

  it('polls at the upper bound once the evidence is narrow, and always a little later than the last sighting', () => {
    const d = new JobDurations();
    d.record(1000, 1020);
    expect(d.nextPollAge(0)).toBe(1020);
    expect(d.nextPollAge(1010)).toBe(1040.3); // max(1020, 1010 × 1.03)
  });

  it('ignores bounds that are no interval, and forgets the oldest beyond what it keeps', () => {
    const d = new JobDurations(0.03, 2);
    d.record(800, 700);
    d.record(Number.NaN, 900);
    d.record(-1, 900);
    expect(d.size).toBe(0);
    d.record(100, 200);
    d.record(1000, 1010);
    d.record(1000, 1010);
    expect(d.size).toBe(2);
    expect(d.nextPollAge(0)).toBe(1010); // the (100, 200] job is gone
  });
});

describe('polling at the job speed (runReportJob on a fake clock)', () => {
  it('jobs of one length: after the first few, each is read within a few percent of its end at one poll', async () => {
    const jobs = await runJobs(Array(30).fill(1000), true);
    const fixed = await runJobs(Array(30).fill(1000), false);
    // The fixed schedule polls at 500 and 1250 ms: two polls and about 250 ms late, every time.
    expect(fixed.every((s) => s.polls === 2 && lateness(s) > 200)).toBe(true);
    for (const s of jobs.slice(5)) {
      expect(s.polls).toBe(1);
      expect(lateness(s)).toBeLessThanOrEqual(0.05 * 1000 + 2 * ONE_WAY_MS);
    }
    expect(sum(jobs.map((s) => s.polls))).toBeLessThan(sum(fixed.map((s) => s.polls)));
  });

  it('jobs spread over 1–3 s: under half the fixed schedule\'s polls, and read no later after their end', async () => {
    const random = seeded(7);
    const durations = Array.from({ length: 200 }, () => 1000 + Math.round(2000 * random()));
    const adaptive = await runJobs(durations, true);
    const fixed = await runJobs(durations, false);
    // (Lengths that differ this much cannot all be read within a few percent at one poll: the schedule spends its
    // polls where they were done, here 277 polls and 146 s of lateness in all against 640 and 156 s.)
    expect(sum(adaptive.map((s) => s.polls))).toBeLessThan(0.5 * sum(fixed.map((s) => s.polls)));
    expect(sum(adaptive.map(lateness))).toBeLessThan(sum(fixed.map(lateness)));
  });

  it('a job far slower than every earlier one falls back to the fixed schedule instead of polling in a burst', async () => {
    const jobs = await runJobs([...Array(10).fill(1000), 20_000], true);
    const slow = jobs.at(-1)!;
    // Each poll at least 3 % later than the one before it, and no more polls than the fixed schedule needs plus a few.
    for (let i = 1; i < slow.pollAges.length; i++) expect(slow.pollAges[i]!).toBeGreaterThanOrEqual(slow.pollAges[i - 1]! * 1.03);
    const fixedSlow = (await runJobs([20_000], false))[0]!;
    expect(slow.polls).toBeLessThanOrEqual(fixedSlow.polls + 3);
    expect(lateness(slow)).toBeLessThanOrEqual(5000 + 2 * ONE_WAY_MS);
  });

  it('jobs getting faster mid-run are followed: the old evidence ages out', async () => {
    const jobs = await runJobs([...Array(70).fill(2000), ...Array(70).fill(600)], true);
    for (const s of jobs.slice(-10)) {
      expect(s.polls).toBe(1);
      expect(lateness(s)).toBeLessThanOrEqual(0.05 * 600 + 2 * ONE_WAY_MS);
    }
  });
});

describe('polls that waited for the run\'s rate limit', () => {
  it('are no evidence: with every poll queued for seconds, the next jobs still join the queue at the fixed schedule\'s first age', async () => {
    // A run bound by the account's throttle: every request waits 10 s for its turn. A job read then was done by
    // 10.5 s, which says nothing about how long it took; planning the next polls from it would make each job sleep
    // about 5 s before queueing for 10 s more.
    const sim = simulator({ queuedMs: () => 10_000 });
    const durations = new JobDurations();
    const ctx = sim.context({ durations });
    for (let i = 0; i < 5; i++) {
      const s = await sim.run(ctx, 1000);
      expect(s.polls).toBe(1);
      expect(s.pollAges).toEqual([500 + 10_000]); // asked at 500 ms (the fixed schedule), sent when its turn came
      expect(lateness(s)).toBe(9500 + 3 * ONE_WAY_MS);
    }
    expect(durations.size).toBe(0);
  });

  it('teach when the wait was short (a slot, not the throttle): jobs of one length are still read at one poll', async () => {
    // Every poll waits 100 ms for a slot (10 % of the job): the bounds are that much looser, still far better
    // than the fixed schedule's 500 and 1250 ms.
    const sim = simulator({ queuedMs: () => 100 });
    const durations = new JobDurations();
    const ctx = sim.context({ durations });
    const jobs: Simulated[] = [];
    for (let i = 0; i < 20; i++) jobs.push(await sim.run(ctx, 1000));
    expect(durations.size).toBeGreaterThan(0);
    for (const s of jobs.slice(10)) {
      expect(s.polls).toBe(1);
      expect(lateness(s)).toBeLessThanOrEqual(0.15 * 1000);
    }
  });

  it('still teach when only the running poll waited: its lower bound is when it left the gate, not when it was asked', async () => {
    // First poll asked at 500 ms, queued 600 ms: IAM sees it at 1100 ms, while the 1200 ms job still runs. The
    // second poll is not queued and reads the job.
    const sim = simulator({ queuedMs: (poll) => (poll === 0 ? 600 : 0) });
    const durations = new JobDurations();
    const first = await sim.run(sim.context({ durations }), 1200);
    expect(first.pollAges).toEqual([1100, expect.any(Number)]);
    expect(durations.size).toBe(1);
    const upper = first.readAt - (first.endedAt - 1200) - ONE_WAY_MS; // age of the answer
    expect(durations.nextPollAge(0)).toBeCloseTo((1100 + upper) / 2, 0);
  });
});

import { realSleep, resolveSchedule } from '../../src/iam/backoff';
import { JobDurations } from '../../src/iam/job-durations';
import { ActiveJobs, PollPlan } from '../../src/iam/poll-plan';
import { WaveScouts } from '../../src/iam/wave-scouts';
import { SOLO_POLL_AGES_MS } from '../../src/iam/engine';
import { AbortedError } from '../../src/model/errors';
import { seeded } from './poll-sim';
import { runWave, wave, type WaveRun } from './wave-sim';

// A run's first wave (many jobs generated together, no evidence yet) on a virtual clock (wave-sim.ts): one scout polls
// at the solo ages, its wave-mates are woken by the evidence its end gives.

afterAll(() => new Promise<void>((resolve) => setImmediate(resolve)));

const latenesses = (r: WaveRun): number[] => r.jobs.map((j) => j.readAt - j.endedAt);
const maxOf = (xs: readonly number[]): number => Math.max(...xs);

describe('a first wave of jobs of one length', () => {
  it.each([
    [50, 1000, 100, 30],
    [20, 1000, 50, 30],
    [50, 600, 100, 60], // the solo ages 350 and 650 are 300 ms apart: the scout is read at 650
    [5, 1000, 10, 30],
  ])('%i jobs of %i ms generated over %i ms: each is read within %i ms of its end, at a few more polls than the fixed schedule', async (count, length, spread, within) => {
    const jobs = wave(count, length, spread);
    const scouted = await runWave(jobs, { random: seeded(7) });
    const fixed = await runWave(jobs, { scouts: false, random: seeded(7) });
    expect(maxOf(latenesses(scouted))).toBeLessThanOrEqual(within);
    expect(maxOf(latenesses(fixed))).toBeGreaterThan(200); // what the scouts save: most of a fixed-schedule interval
    // The scout's solo polls (at most 7 for a 1 s job) and one poll per wave-mate.
    expect(scouted.polls).toBeLessThanOrEqual(fixed.polls + 7);
  });

  it('over a real IAM endpoint\'s latency (40 ms each way): fewer polls than the fixed schedule, and read sooner', async () => {
    const jobs = wave(50, 1000, 100);
    const scouted = await runWave(jobs, { oneWayMs: 40, random: seeded(2) });
    const fixed = await runWave(jobs, { oneWayMs: 40, scouts: false, random: seeded(2) });
    expect(scouted.polls).toBeLessThanOrEqual(fixed.polls);
    expect(maxOf(latenesses(scouted))).toBeLessThan(maxOf(latenesses(fixed)) - 100);
  });

  it('exactly one job polls at the solo ages; every wave-mate is read at one poll after its wake', async () => {
    const r = await runWave(wave(50, 1000, 100), { random: seeded(3) });
    const dense = r.jobs.filter((j) => j.polls > 2);
    expect(dense).toHaveLength(1);
    expect(dense[0]!.pollAges.length).toBeLessThanOrEqual(7);
    for (const j of r.jobs.filter((x) => x !== dense[0])) expect(j.pollAges.filter((a) => a > 900)).toHaveLength(1);
  });
});

describe('no storm when the wave is not of one length', () => {
  it('a wave-mate slower than the scout probes once when woken, then polls exactly where its plan had it', async () => {
    const jobs = [
      { startAt: 0, durationMs: 1000 },
      { startAt: 10, durationMs: 1300 },
    ];
    const scouted = await runWave(jobs);
    const fixed = await runWave(jobs, { scouts: false });
    const [scout, mate] = scouted.jobs;
    expect(scout!.pollAges.length).toBe(7); // the solo ages up to 1015
    const probe = mate!.pollAges[0]!;
    expect(probe).toBeGreaterThanOrEqual(1000); // woken by the scout's COMPLETED, at the age the scout's job ended
    expect(probe).toBeLessThan(1050);
    // After the probe found it running: the fixed schedule's polls, as without a scout (its 0.45 s poll skipped).
    expect(mate!.pollAges.slice(1)).toEqual(fixed.jobs[1]!.pollAges);
  });

  it.each([1, 2, 3])('jobs of 0.8–1.4 s (seed %i): a probe that finds a job running costs one poll, and its later polls follow its plan', async (seed) => {
    const random = seeded(seed * 11);
    const jobs = Array.from({ length: 50 }, (_, i) => ({ startAt: i * 2, durationMs: 800 + 600 * random() }));
    const scouted = await runWave(jobs, { random: seeded(seed) });
    const fixed = await runWave(jobs, { scouts: false, random: seeded(seed) });
    // The scout's solo polls and a few probes more than the fixed schedule, never a poll per job per evidence.
    expect(scouted.polls).toBeLessThanOrEqual(fixed.polls + 15);
    for (const j of scouted.jobs) {
      for (let k = 1; k < j.pollAges.length; k++) expect(j.pollAges[k]! - j.pollAges[k - 1]!).toBeGreaterThanOrEqual(20 - 1e-9);
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(latenesses(scouted))).toBeLessThan(1.25 * mean(latenesses(fixed)));
  });
});

describe('aborts and failures', () => {
  it('an abort ends every sleeping job of the wave at once, scout and wave-mates, as an AbortedError', async () => {
    const r = await runWave(wave(10, 1000, 20), { abortAt: 700 });
    expect(r.wallMs).toBe(700);
    expect(r.errors).toHaveLength(10);
    for (const e of r.errors) expect(e).toBeInstanceOf(AbortedError);
  });

  it('WaveScouts.sleep: a wake ends it early (true), the time running out does not (false), an abort rejects', async () => {
    const scouts = new WaveScouts();
    const controller = new AbortController();
    const woken = scouts.sleep(realSleep, 60_000, controller.signal);
    scouts.wake();
    await expect(woken).resolves.toBe(true);
    await expect(new WaveScouts().sleep(realSleep, 1, controller.signal)).resolves.toBe(false);
    const aborted = new WaveScouts().sleep(realSleep, 60_000, controller.signal);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('wakes once per run: after the first evidence, waits are not cut short', async () => {
    const scouts = new WaveScouts();
    scouts.wake();
    expect(scouts.ended).toBe(true);
    expect(scouts.claim({})).toBe(false);
    const sleeps: number[] = [];
    const woken = await scouts.sleep(async (ms) => void sleeps.push(ms), 500, new AbortController().signal);
    scouts.wake();
    expect(woken).toBe(false);
    expect(sleeps).toEqual([500]);
  });

  it('a scout whose job fails frees the role: a wave-mate takes it over at its next wait', () => {
    const scouts = new WaveScouts();
    const activeJobs = new ActiveJobs();
    activeJobs.start();
    activeJobs.start();
    const ctx = { schedule: resolveSchedule({ jitter: 0 }), random: () => 0.5, soloPollAgesMs: SOLO_POLL_AGES_MS, durations: new JobDurations(), activeJobs, scouts };
    const scout = new PollPlan(ctx, true);
    const mate = new PollPlan(ctx, true);
    expect([scout.scout, mate.scout]).toEqual([true, false]);
    expect(mate.delay(0, 0, 0)).toBe(500); // the fixed schedule's first wait
    scout.finished();
    expect(mate.delay(1, 500, 500)).toBe(150); // now the scout: the next solo age, 650
    expect(mate.scout).toBe(true);
  });

  it('a scout whose poll waited in the gate longer than evidence may steps down and ends scouting for the run', () => {
    const scouts = new WaveScouts();
    const ctx = { schedule: resolveSchedule({ jitter: 0 }), random: () => 0.5, soloPollAgesMs: SOLO_POLL_AGES_MS, durations: new JobDurations(), activeJobs: new ActiveJobs(), scouts };
    ctx.activeJobs.start();
    ctx.activeJobs.start();
    const scout = new PollPlan(ctx, true);
    expect(scout.delay(0, 0, 0)).toBe(100);
    scout.sent(100);
    scout.answered(20, 125); // waited 20 ms at age 125: within a quarter of its age, still scouting
    expect(scout.scout).toBe(true);
    scout.answered(800, 1000); // waited 0.8 s for the run's rate: its requests queue
    expect(scout.scout).toBe(false);
    expect(scouts.ended).toBe(true);
    expect(new PollPlan(ctx, true).scout).toBe(false);
    // It goes on at the fixed ages from where it is, not from their start.
    expect(scout.delay(1, 1000, 1000)).toBeGreaterThanOrEqual(100);
  });
});

describe('JobDurations.doneBy', () => {
  it('jobs of one length: the soonest end they showed; lengths that differ: the latest; none as slow: undefined', () => {
    const d = new JobDurations();
    expect(d.doneBy(0)).toBeUndefined();
    d.record(960, 1015);
    expect(d.doneBy(0)).toBe(1015); // nextPollAge would split the interval: 987.5
    expect(d.nextPollAge(0)).toBe(987.5);
    d.record(1800, 2100);
    expect(d.doneBy(0)).toBe(2100); // no length fits both
    expect(d.doneBy(1500)).toBe(2100); // only the slow one is as slow
    expect(d.doneBy(2100)).toBeUndefined();
    expect(d.doneBy(2050)).toBe(2050 * 1.03); // never sooner than 3 % past where it was seen running
  });
});

import { PollWaves } from '../../src/iam/poll-waves';

function clock(start = 10_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('PollWaves', () => {
  it('skips only for a wave-mate (generated within the window) seen IN_PROGRESS within the window', () => {
    const c = clock();
    const waves = new PollWaves(250, c.now);
    const a = {};
    const b = {};
    const late = {};
    waves.recordInProgress(a, 10_000);
    expect(waves.shouldSkip(b, 10_100)).toBe(true); // generated 100 ms apart, seen just now
    expect(waves.shouldSkip(late, 10_400)).toBe(false); // generated 400 ms later: another wave
    c.advance(300);
    expect(waves.shouldSkip(b, 10_100)).toBe(false); // the observation is 300 ms old
  });

  it('never skips a job on its own observation, and forgets finished jobs', () => {
    const c = clock();
    const waves = new PollWaves(250, c.now);
    const a = {};
    const b = {};
    waves.recordInProgress(a, 10_000);
    expect(waves.shouldSkip(a, 10_000)).toBe(false);
    waves.forget(a);
    expect(waves.shouldSkip(b, 10_000)).toBe(false);
  });
});

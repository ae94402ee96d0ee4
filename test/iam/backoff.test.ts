import { backoffDelay, DEFAULT_POLL_SCHEDULE, pollDelay, realSleep, resolveSchedule } from '../../src/iam/backoff';
import { sdkRetryDelay } from '../../src/iam/client';

describe('poll schedule', () => {
  const noJitter = resolveSchedule({ jitter: 0 });
  it('starts soon, grows geometrically and stops at the cap', () => {
    const delays = Array.from({ length: 8 }, (_, i) => pollDelay(i, noJitter));
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });
  it('jitter stays within [d·(1-j), d]', () => {
    expect(backoffDelay(2, 250, DEFAULT_POLL_SCHEDULE, () => 0)).toBe(500);
    expect(backoffDelay(2, 250, DEFAULT_POLL_SCHEDULE, () => 1)).toBe(1000);
  });
  it('SDK retry delay is capped at 5 s with equal jitter', () => {
    expect(sdkRetryDelay(1, () => 0)).toBe(250);
    expect(sdkRetryDelay(1, () => 1)).toBe(500);
    expect(sdkRetryDelay(10, () => 1)).toBe(5000);
  });
  it('sleep rejects with AbortError when aborted', async () => {
    const c = new AbortController();
    const p = realSleep(60_000, c.signal);
    c.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});

import { backoffDelay, DEFAULT_POLL_SCHEDULE, pollDelay, realSleep, resolveSchedule } from '../../src/iam/backoff';
import { sdkRetryDelay } from '../../src/iam/client';

describe('poll schedule', () => {
  const noJitter = resolveSchedule({ jitter: 0 });
  it('starts soon, grows geometrically and stops at the cap', () => {
    const delays = Array.from({ length: 8 }, (_, i) => pollDelay(i, noJitter));
    expect(delays).toEqual([500, 750, 1125, 1688, 2531, 3797, 5000, 5000]);
  });
  it('jitter stays within [d·(1-j), d]', () => {
    expect(backoffDelay(2, 500, DEFAULT_POLL_SCHEDULE, () => 0)).toBe(900); // 500·1.5² = 1125, × 0.8
    expect(backoffDelay(2, 500, DEFAULT_POLL_SCHEDULE, () => 1)).toBe(1125);
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

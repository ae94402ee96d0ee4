import { AdaptiveRate } from '../../src/iam/adaptive-rate';
import { RequestGate } from '../../src/iam/request-gate';

/** A manual clock: every assertion is about counts of tokens and rates, never about real time. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** Takes every token available now; returns how many. */
function drain(rate: AdaptiveRate): number {
  let n = 0;
  while (rate.waitMs() === 0) {
    rate.take();
    n++;
  }
  return n;
}

describe('AdaptiveRate', () => {
  it('starts at the ceiling with a burst of one second worth of tokens', () => {
    const c = clock();
    const rate = new AdaptiveRate({ ceiling: 50, now: c.now });
    expect(rate.currentRate).toBe(50);
    expect(drain(rate)).toBe(50);
    c.advance(100);
    expect(drain(rate)).toBe(5); // refills at 50/s
  });

  it('cuts to 0.9× on the first throttle and 0.7× on the next (based on what was actually sent), at most once per generation, never below the floor', () => {
    const c = clock();
    const rate = new AdaptiveRate({ ceiling: 50, now: c.now });
    const generations = Array.from({ length: 20 }, () => rate.take()); // 20 sent in the last second
    expect(rate.onThrottle(generations[0]!)).toBe(true);
    expect(rate.currentRate).toBeCloseTo(18, 9); // min(50, sent 20/s) × 0.9: the first throttle finds the edge
    // Echoes: the other 19 were sent before the cut and must not cut again.
    expect(generations.slice(1).map((g) => rate.onThrottle(g))).toEqual(Array(19).fill(false));
    expect(rate.currentRate).toBeCloseTo(18, 9);
    expect(rate.waitMs()).toBeGreaterThan(0); // the bucket was emptied
    // Throttled on a request sent after that cut: the edge is below, back off by 0.7×.
    c.advance(100);
    expect(rate.onThrottle(rate.take())).toBe(true);
    expect(rate.currentRate).toBeCloseTo(18 * 0.7, 9); // min(18, sent 21/s) × 0.7
    // And again, down to the floor and no further.
    for (let i = 0; i < 10; i++) {
      c.advance(2000);
      const g = rate.take();
      rate.onThrottle(g);
    }
    expect(rate.currentRate).toBe(1);
    expect(rate.cutCount).toBe(12);
  });

  it('a smaller first cut costs one more throttle, not a higher rate: throttled on every request, it follows the 0.7× cuts', () => {
    const c = clock();
    const gentle = new AdaptiveRate({ ceiling: 50, now: c.now });
    const harsh = new AdaptiveRate({ ceiling: 50, firstDecrease: 0.7, now: c.now });
    const rates: [number, number][] = [];
    for (let i = 0; i < 6; i++) {
      c.advance(1000);
      // Each sends all it may for a second, and its last request is throttled.
      for (const r of [gentle, harsh]) {
        let generation = 0;
        while (r.waitMs() === 0) generation = r.take();
        expect(r.onThrottle(generation)).toBe(true);
      }
      rates.push([gentle.currentRate, harsh.currentRate]);
    }
    expect(rates[0]![0]).toBeCloseTo(45, 9);
    expect(rates[0]![1]).toBeCloseTo(35, 9);
    // After one more cut the gentle limiter is at or below where the 0.7× one was a cut earlier.
    for (let i = 1; i < rates.length; i++) expect(rates[i]![0]).toBeLessThanOrEqual(rates[i - 1]![1] + 1e-9);
    expect(rates[5]![0]).toBeLessThan(10);
  });

  it('rejects a first cut outside [decrease, 1)', () => {
    expect(() => new AdaptiveRate({ ceiling: 10, firstDecrease: 1 })).toThrow(RangeError);
    expect(() => new AdaptiveRate({ ceiling: 10, decrease: 0.7, firstDecrease: 0.5 })).toThrow(RangeError);
  });

  it('recovers while calls succeed, reaching the throttled rate again and never exceeding the ceiling', () => {
    const c = clock();
    const rate = new AdaptiveRate({ ceiling: 20, now: c.now });
    for (let i = 0; i < 20; i++) rate.take();
    rate.onThrottle(0);
    expect(rate.currentRate).toBeCloseTo(18, 9); // 20 × 0.9 (the first cut)
    rate.onSuccess();
    expect(rate.currentRate).toBeCloseTo(18, 9); // no time passed: no growth
    const seen: number[] = [];
    for (let s = 0; s < 60; s++) {
      c.advance(500);
      rate.onSuccess();
      seen.push(rate.currentRate);
    }
    // Monotone growth back to 20 (the throttled rate, here also the ceiling), capped there.
    expect(seen.every((r, i) => i === 0 || r >= seen[i - 1]!)).toBe(true);
    expect(seen[0]!).toBeGreaterThan(18);
    expect(seen[0]!).toBeLessThan(20);
    expect(Math.max(...seen)).toBe(20);
    expect(rate.currentRate).toBe(20);
  });

  it('never grants more than the ceiling allows, however long it was idle', () => {
    const c = clock();
    const rate = new AdaptiveRate({ ceiling: 10, burst: 10, now: c.now });
    c.advance(3_600_000);
    expect(drain(rate)).toBe(10);
    let granted = 0;
    for (let ms = 0; ms < 10_000; ms += 10) {
      c.advance(10);
      granted += drain(rate);
    }
    expect(granted).toBeLessThanOrEqual(100); // 10 s at 10/s
    expect(granted).toBeGreaterThanOrEqual(99);
  });
});

describe('RequestGate with throttling outcomes', () => {
  it('a throttled outcome cuts the rate once for a window of requests; ok outcomes let it recover', () => {
    const c = clock();
    const gate = new RequestGate({ requestsPerSecond: 40, concurrency: 100, now: c.now });
    return (async () => {
      const releases = await Promise.all(Array.from({ length: 8 }, () => gate.enter()));
      releases.forEach((release) => release('throttled'));
      expect(gate.stats()).toMatchObject({ throttled: 8, rateCuts: 1 });
      expect(gate.stats().rate).toBeCloseTo(7.2, 9); // min(40, sent 8/s) × 0.9 (the first cut)
      c.advance(10_000);
      (await gate.enter())('ok');
      expect(gate.stats().rate).toBeGreaterThan(4);
      expect(gate.stats().rate).toBeLessThanOrEqual(40);
    })();
  });

  it('adaptive: false ignores throttling', async () => {
    const gate = new RequestGate({ requestsPerSecond: 40, concurrency: 100, adaptive: false });
    (await gate.enter())('throttled');
    expect(gate.stats()).toMatchObject({ throttled: 1, rateCuts: 0, rate: 40 });
  });
});

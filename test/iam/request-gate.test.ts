import { RequestGate } from '../../src/iam/request-gate';
import { mapLimit } from '../../src/iam/map-limit';

describe('RequestGate', () => {
  it('never admits more than `concurrency` at once', async () => {
    const gate = new RequestGate({ requestsPerSecond: 10_000, concurrency: 3 });
    let inFlight = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const release = await gate.enter();
        inFlight++;
        max = Math.max(max, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        release();
      }),
    );
    expect(max).toBe(3);
    expect(gate.stats()).toMatchObject({ admitted: 20, inFlight: 0, maxInFlight: 3 });
  });

  it('with a time scale, the same spacing happens that many times faster (fake clock)', async () => {
    jest.useFakeTimers();
    try {
      const gate = new RequestGate({ requestsPerSecond: 10, burst: 1, concurrency: 100, timeScale: 0.1 });
      const t0 = Date.now();
      const admittedAt: number[] = [];
      const all = Array.from({ length: 5 }, () =>
        gate.enter().then((release) => {
          admittedAt.push(Date.now() - t0);
          release();
        }),
      );
      await jest.advanceTimersByTimeAsync(100);
      await Promise.all(all);
      expect(admittedAt).toEqual([0, 10, 20, 30, 40]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('with burst 1, spaces tokens by 1/rate (fake clock, no real waiting)', async () => {
    jest.useFakeTimers();
    try {
      const gate = new RequestGate({ requestsPerSecond: 10, burst: 1, concurrency: 100 });
      const t0 = Date.now();
      const admittedAt: number[] = [];
      const all = Array.from({ length: 5 }, () =>
        gate.enter().then((release) => {
          admittedAt.push(Date.now() - t0);
          release();
        }),
      );
      await jest.advanceTimersByTimeAsync(1_000);
      await Promise.all(all);
      expect(admittedAt).toEqual([0, 100, 200, 300, 400]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('an aborted waiter leaves the queue without taking a slot', async () => {
    const gate = new RequestGate({ requestsPerSecond: 10_000, concurrency: 1 });
    const first = await gate.enter();
    const c = new AbortController();
    const waiting = gate.enter(c.signal);
    c.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    first();
    const again = await gate.enter();
    expect(gate.stats().inFlight).toBe(1);
    again();
  });
});

describe('mapLimit', () => {
  it('keeps order and bounds concurrency', async () => {
    let running = 0;
    let max = 0;
    const out = await mapLimit([5, 4, 3, 2, 1], 2, async (n) => {
      running++;
      max = Math.max(max, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 40, 30, 20, 10]);
    expect(max).toBe(2);
  });
});

describe('mapLimit on failure', () => {
  it('rejects and starts no further items', async () => {
    const started: number[] = [];
    await expect(
      mapLimit([1, 2, 3, 4, 5, 6], 2, async (n) => {
        started.push(n);
        await new Promise((r) => setTimeout(r, 5));
        if (n === 1) throw new Error('boom');
        return n;
      }),
    ).rejects.toThrow('boom');
    await new Promise((r) => setTimeout(r, 30));
    expect(started.length).toBeLessThan(6);
  });
});

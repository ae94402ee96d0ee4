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

  it.each([
    { timeScale: undefined, advanceMs: 1_000, expected: [0, 100, 200, 300, 400] },
    { timeScale: 0.1, advanceMs: 100, expected: [0, 10, 20, 30, 40] },
  ])('with burst 1, spaces tokens by 1/rate, times the time scale $timeScale (fake clock)', async ({ timeScale, advanceMs, expected }) => {
    jest.useFakeTimers();
    try {
      const gate = new RequestGate({ requestsPerSecond: 10, burst: 1, concurrency: 100, ...(timeScale ? { timeScale } : {}) });
      const t0 = Date.now();
      const admittedAt: number[] = [];
      const all = Array.from({ length: 5 }, () =>
        gate.enter().then((release) => {
          admittedAt.push(Date.now() - t0);
          release();
        }),
      );
      await jest.advanceTimersByTimeAsync(advanceMs);
      await Promise.all(all);
      expect(admittedAt).toEqual(expected);
    } finally {
      jest.useRealTimers();
    }
  });

  it('serves requests that start a job before the reads waiting, first-come first-served within each (slots)', async () => {
    const gate = new RequestGate({ requestsPerSecond: 10_000, concurrency: 1 });
    const held = await gate.enter();
    const order: string[] = [];
    const wait = (name: string, startsJob: boolean) =>
      gate.enter(undefined, startsJob).then((release) => {
        order.push(name);
        release();
      });
    const all = [wait('read 1', false), wait('read 2', false), wait('generate 1', true), wait('read 3', false), wait('generate 2', true)];
    held();
    await Promise.all(all);
    expect(order).toEqual(['generate 1', 'generate 2', 'read 1', 'read 2', 'read 3']);
  });

  it('serves requests that start a job before the reads waiting for a rate token (fake clock)', async () => {
    jest.useFakeTimers();
    try {
      const gate = new RequestGate({ requestsPerSecond: 10, burst: 1, concurrency: 100 });
      const order: string[] = [];
      const wait = (name: string, startsJob: boolean) =>
        gate.enter(undefined, startsJob).then((release) => {
          order.push(name);
          release();
        });
      const all = [wait('read 1', false), wait('read 2', false), wait('read 3', false)];
      await jest.advanceTimersByTimeAsync(150); // read 1 at once, read 2 at 100 ms
      all.push(wait('generate (a retry)', true));
      await jest.advanceTimersByTimeAsync(1_000);
      await Promise.all(all);
      expect(order).toEqual(['read 1', 'read 2', 'generate (a retry)', 'read 3']);
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

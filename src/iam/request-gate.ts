import { abortError } from './backoff';

/**
 * Every HTTP attempt of a run (including the SDK's own retries) passes this gate: a token bucket keeps the whole
 * run under `requestsPerSecond` — IAM throttles per account, so one run must share one budget — and a semaphore
 * keeps at most `concurrency` requests in flight. Waiters are served first-come first-served, so generates and
 * polls share the budget fairly and neither can starve the other.
 */

export interface RequestGateOptions {
  readonly requestsPerSecond: number;
  /** Requests that may go at once after an idle period (default 1: a smooth, polite pace). */
  readonly burst?: number;
  readonly concurrency: number;
  readonly now?: () => number;
}

export interface GateStats {
  readonly admitted: number;
  readonly inFlight: number;
  readonly maxInFlight: number;
}

export class RequestGate {
  private readonly intervalMs: number;
  private readonly burst: number;
  private readonly now: () => number;
  /** Theoretical arrival time of the next request (GCRA): reservations are handed out in call order. */
  private nextAt = 0;
  private inFlight = 0;
  private maxInFlight = 0;
  private admitted = 0;
  private readonly waiting: Array<{ grant: () => void }> = [];

  constructor(private readonly options: RequestGateOptions) {
    this.intervalMs = 1000 / options.requestsPerSecond;
    this.burst = Math.max(1, Math.floor(options.burst ?? 1));
    this.now = options.now ?? Date.now;
  }

  /** Waits for a rate token and a concurrency slot; returns the release function. */
  async enter(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw abortError();
    await this.waitForToken(signal);
    await this.acquireSlot(signal);
    this.admitted++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      const next = this.waiting.shift();
      if (next) next.grant();
    };
  }

  stats(): GateStats {
    return { admitted: this.admitted, inFlight: this.inFlight, maxInFlight: this.maxInFlight };
  }

  private waitForToken(signal?: AbortSignal): Promise<void> {
    const now = this.now();
    const earliest = Math.max(now, this.nextAt - (this.burst - 1) * this.intervalMs);
    this.nextAt = Math.max(this.nextAt, now) + this.intervalMs;
    const wait = earliest - now;
    if (wait <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortError());
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, wait);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private acquireSlot(signal?: AbortSignal): Promise<void> {
    if (this.inFlight < this.options.concurrency) {
      this.take();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.take();
          resolve();
        },
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortError());
      };
      this.waiting.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private take(): void {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }
}

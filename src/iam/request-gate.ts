import { AdaptiveRate } from './adaptive-rate';
import { abortError } from './backoff';

/**
 * Every HTTP attempt of a run (including the SDK's own retries) passes this gate: an adaptive token bucket keeps
 * the whole run under what IAM currently allows — IAM throttles per account, so one run must share one budget —
 * and a semaphore keeps at most `concurrency` requests in flight. Waiters are served first-come first-served within
 * two classes: requests that start a job (a generate, and its retries) go before requests that read one. A job runs
 * in IAM while the run's other requests wait, so starting every job first lets the jobs run in parallel with the
 * polls' queue; a generate retried after a Throttling answer would otherwise rejoin the queue behind the polls and
 * start its job seconds late, leaving the run's last seconds to that one job. Reads cannot starve: a run has one
 * generate per report (a long-lived engine, one per report it is handed). Each request reports back how it ended,
 * so a Throttling answer slows the whole run down (see AdaptiveRate).
 */

export interface RequestGateOptions {
  /** The ceiling: the run never sends faster, whatever IAM allows. */
  readonly requestsPerSecond: number;
  /** Requests that may go at once after an idle period, at the ceiling (default: one second's worth). */
  readonly burst?: number;
  readonly concurrency: number;
  /** Commands prepared (serialized, signed) at once ahead of the gate (default: `concurrency`); see stage(). */
  readonly staged?: number;
  /** false: a fixed rate at the ceiling, throttling answers ignored (default true). */
  readonly adaptive?: boolean;
  readonly now?: () => number;
  /** Simulated time (ReportOptions.timeScale): the limiter runs on a clock this many times slower than real. */
  readonly timeScale?: number;
}

export interface GateStats {
  readonly admitted: number;
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Requests that came back throttled. */
  readonly throttled: number;
  /** Times the rate was cut. */
  readonly rateCuts: number;
  /** The current allowed rate, requests per second. */
  readonly rate: number;
}

/** How a request ended: `throttled` slows the run down, `ok` lets it recover, `failed` is neutral. */
export type RequestOutcome = 'ok' | 'throttled' | 'failed';
export type ReleaseGate = (outcome?: RequestOutcome) => void;

interface Waiter {
  readonly grant: () => void;
  /** Starts a job: served before every waiter that does not. */
  readonly startsJob: boolean;
}

/** Queues `waiter` behind every waiter of its class, and ahead of the reads when it starts a job. */
function enqueue(queue: Waiter[], waiter: Waiter): void {
  if (!waiter.startsJob) {
    queue.push(waiter);
    return;
  }
  const firstRead = queue.findIndex((w) => !w.startsJob);
  if (firstRead < 0) queue.push(waiter);
  else queue.splice(firstRead, 0, waiter);
}

/**
 * Waits in `queue` until a place is granted (`take` counts it as held), or rejects when `signal` aborts first (the
 * waiter then leaves the queue, so no place is granted to it afterwards).
 */
function waitForPlace(queue: Waiter[], signal: AbortSignal | undefined, startsJob: boolean, take: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const entry: Waiter = {
      startsJob,
      grant: () => {
        signal?.removeEventListener('abort', onAbort);
        take();
        resolve();
      },
    };
    const onAbort = (): void => {
      const i = queue.indexOf(entry);
      if (i >= 0) queue.splice(i, 1);
      reject(abortError());
    };
    enqueue(queue, entry);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class RequestGate {
  private readonly rate: AdaptiveRate;
  private readonly adaptive: boolean;
  private slotsHeld = 0;
  private inFlight = 0;
  private maxInFlight = 0;
  private admitted = 0;
  private throttled = 0;
  private readonly tokenQueue: Waiter[] = [];
  private readonly slotQueue: Waiter[] = [];
  private stagedHeld = 0;
  private readonly stageQueue: Waiter[] = [];
  private timer?: ReturnType<typeof setTimeout>;
  private readonly timeScale: number;

  constructor(private readonly options: RequestGateOptions) {
    this.adaptive = options.adaptive !== false;
    this.timeScale = options.timeScale ?? 1;
    const timeScale = this.timeScale;
    const now = options.now ?? (timeScale === 1 ? undefined : () => Date.now() / timeScale);
    this.rate = new AdaptiveRate({
      ceiling: options.requestsPerSecond,
      ...(options.burst !== undefined ? { burst: options.burst } : {}),
      ...(now ? { now } : {}),
    });
  }

  /**
   * Waits for a concurrency slot, then a rate token; returns the release function, to be called with the outcome.
   * Slot first: a token is only taken by a request that can go at once, so a rate cut applies to everything not
   * yet on the wire. `startsJob`: the request starts a job (served before the reads waiting).
   */
  async enter(signal?: AbortSignal, startsJob = false): Promise<ReleaseGate> {
    if (signal?.aborted) throw abortError();
    await this.acquireSlot(signal, startsJob);
    let generation: number;
    try {
      generation = await this.waitForToken(signal, startsJob);
    } catch (err) {
      this.freeSlot();
      throw err;
    }
    this.admitted++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let released = false;
    return (outcome) => {
      if (released) return;
      released = true;
      this.inFlight--;
      if (outcome === 'throttled') {
        this.throttled++;
        if (this.adaptive) this.rate.onThrottle(generation);
      } else if (outcome === 'ok' && this.adaptive) {
        this.rate.onSuccess();
      }
      this.freeSlot();
      this.pump();
    };
  }

  /**
   * Waits for one of the few places where a command is prepared (serialized and signed by the SDK) and waits for
   * its turn in the gate; returns the function that frees the place, to be called when enter() admits the command
   * (or it ends before). A run hands over all its commands at once: prepared all together they took the first few
   * hundred milliseconds of a large run before any request could leave, and delayed the first answers as much; a
   * few at a time, the first leaves after a few commands' work and the next ones are prepared while the ones before
   * them are on the wire. Same order as the gate (job starts first).
   */
  async stage(signal?: AbortSignal, startsJob = false): Promise<() => void> {
    if (signal?.aborted) throw abortError();
    const capacity = this.options.staged ?? this.options.concurrency;
    if (this.stagedHeld < capacity) {
      this.stagedHeld++;
    } else {
      await waitForPlace(this.stageQueue, signal, startsJob, () => this.stagedHeld++);
    }
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.stagedHeld--;
      this.stageQueue.shift()?.grant();
    };
  }

  private freeSlot(): void {
    this.slotsHeld--;
    this.slotQueue.shift()?.grant();
  }

  stats(): GateStats {
    return {
      admitted: this.admitted,
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      throttled: this.throttled,
      rateCuts: this.rate.cutCount,
      rate: this.rate.currentRate,
    };
  }

  private waitForToken(signal: AbortSignal | undefined, startsJob: boolean): Promise<number> {
    if (this.tokenQueue.length === 0 && this.rate.waitMs() === 0) return Promise.resolve(this.rate.take());
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = {
        startsJob,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.rate.take());
        },
      };
      const onAbort = (): void => {
        const i = this.tokenQueue.indexOf(waiter);
        if (i >= 0) this.tokenQueue.splice(i, 1);
        reject(abortError());
      };
      enqueue(this.tokenQueue, waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pump();
    });
  }

  /** Grants tokens to the queue head while the bucket has them, then sleeps until the next one is due. */
  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.tokenQueue.length > 0) {
      const wait = this.rate.waitMs();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait * this.timeScale);
        return;
      }
      this.tokenQueue.shift()!.grant();
    }
  }

  private acquireSlot(signal: AbortSignal | undefined, startsJob: boolean): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError());
    if (this.slotsHeld < this.options.concurrency) {
      this.slotsHeld++;
      return Promise.resolve();
    }
    return waitForPlace(this.slotQueue, signal, startsJob, () => this.slotsHeld++);
  }
}

import type { AbortSignalLike } from './abort-signal';
/**
 * Delays for polling a job and for waiting out ReportGenerationLimitExceeded. Real jobs finish in about a second
 * (0.8–1.4 s in AWS's samples), so the first poll comes at about half that and the second near it (0.4–0.5 s, then
 * about 1.1 s): a typical job costs two polls and is seen done soon after it is. After that each wait grows by 1.5
 * to a cap, with a little jitter so that many reports started together do not poll in lock-step (the run's rate
 * limiter spaces them as well). Everything is injectable (random, sleep) so tests can run the
 * loop instantly and deterministically.
 */

export interface PollScheduleOptions {
  /** Delay before the first poll after a generate (default 500 ms). */
  readonly firstDelayMs: number;
  /** Growth factor of the delay between polls (default 1.5). */
  readonly factor: number;
  /** Upper bound of the delay between polls (default 5000 ms). */
  readonly maxDelayMs: number;
  /** Fraction of each delay that is randomized, 0..1 (default 0.2: a delay d becomes d·(0.8 + 0.2·random)). */
  readonly jitter: number;
  /** First wait after ReportGenerationLimitExceeded (default 1000 ms); grows by `factor` to `maxDelayMs`. */
  readonly limitExceededDelayMs: number;
}

export const DEFAULT_POLL_SCHEDULE: PollScheduleOptions = {
  firstDelayMs: 500,
  factor: 1.5,
  maxDelayMs: 5000,
  jitter: 0.2,
  limitExceededDelayMs: 1000,
};

export type SleepFunction = (ms: number, signal?: AbortSignalLike) => Promise<void>;

/** The n-th delay (0-based) of a geometric series starting at `start`, capped and jittered. */
export function backoffDelay(
  n: number,
  start: number,
  schedule: PollScheduleOptions,
  random: () => number = Math.random,
): number {
  const base = Math.min(schedule.maxDelayMs, start * Math.pow(schedule.factor, n));
  const jitter = Math.min(1, Math.max(0, schedule.jitter));
  return Math.max(0, Math.round(base * (1 - jitter + jitter * random())));
}

export function pollDelay(pollIndex: number, schedule: PollScheduleOptions, random?: () => number): number {
  return backoffDelay(pollIndex, schedule.firstDelayMs, schedule, random);
}

export function limitExceededDelay(attempt: number, schedule: PollScheduleOptions, random?: () => number): number {
  return backoffDelay(attempt, schedule.limitExceededDelayMs, schedule, random);
}

export function resolveSchedule(partial?: Partial<PollScheduleOptions>): PollScheduleOptions {
  return { ...DEFAULT_POLL_SCHEDULE, ...(partial ?? {}) };
}

export function abortError(): Error {
  return Object.assign(new Error('aborted'), { name: 'AbortError' });
}

/** setTimeout as a promise that rejects with an AbortError as soon as the signal fires. */
export const realSleep: SleepFunction = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Settles with `promise`, or rejects with an AbortError as soon as `signal` fires. */
export function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

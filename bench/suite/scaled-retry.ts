import { StandardRetryStrategy } from '@smithy/core/retry';

const MAXIMUM_RETRY_DELAY_MS = 20_000;

/**
 * The AWS SDK's default retry behaviour (standard mode: 3 attempts, retry quota, full-jitter exponential backoff
 * from the SDK's own delay bases) with every backoff delay multiplied by `timeScale`, so that a time-dilated run
 * waits out throttling exactly as a real one would, only faster. The SDK decides what to retry and when to give
 * up; only the length of its sleeps changes.
 */
export function scaledStandardRetryStrategy(timeScale: number, maxAttempts = 3): StandardRetryStrategy {
  let base = 50;
  const backoff = {
    setDelayBase(delay: number): void {
      base = delay;
    },
    computeNextBackoffDelay(retries: number): number {
      return Math.floor(timeScale * Math.random() * Math.min(base * 2 ** retries, MAXIMUM_RETRY_DELAY_MS));
    },
  };
  return new StandardRetryStrategy({ maxAttempts, backoff });
}

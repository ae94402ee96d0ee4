import { IAMClient } from '@aws-sdk/client-iam';
import { AwsRequestError, runReports, type ReportRequest } from '../../src';
import { aardvark, cloudquery, sequentialCliLoop, steampipe, type Baseline } from '../baselines';
import { scaledStandardRetryStrategy } from './scaled-retry';
import { seededRandom } from './seeded';
import { BENCH_ACCESS_KEY, BENCH_SECRET_KEY } from './world';

/** What one strategy is given for one fan-out run. All durations it uses must be multiplied by `timeScale`. */
export interface StrategyRun {
  readonly endpoint: string;
  readonly arns: readonly string[];
  readonly timeScale: number;
  /** The account's throttle in unscaled requests per second (the emulator enforces throttle / timeScale). */
  readonly throttleRequestsPerSecond: number;
  readonly seed: number;
}

export interface StrategyOutcome {
  /** Reports that came back complete. */
  readonly completed: number;
  /** Reports the caller did not get: an error after retries, or given up. */
  readonly errorsSeenByCaller: number;
  readonly throttlingErrorsSeenByCaller: number;
}

export interface FanoutStrategy {
  readonly id: string;
  readonly name: string;
  readonly source: string;
  readonly ours: boolean;
  run(run: StrategyRun): Promise<StrategyOutcome>;
}

const CREDENTIALS = { accessKeyId: BENCH_ACCESS_KEY, secretAccessKey: BENCH_SECRET_KEY };

/**
 * Our engine as a user would call it: `runReports` with its defaults (adaptive rate under a 50/s ceiling, 8 in
 * flight), told the run's time scale so that every wait of its own (polls, SDK retry delays, the rate limiter's
 * clock) is dilated exactly like the emulator's jobs and throttle.
 */
function ourEngine(id: string, name: string, readPrincipalCreateDate: boolean): FanoutStrategy {
  return {
    id,
    name,
    source: `runReports({ timeScale${readPrincipalCreateDate ? '' : ', readPrincipalCreateDate: false'} })`,
    ours: true,
    async run(run) {
      const requests: ReportRequest[] = run.arns.map((arn) => ({ kind: 'service-last-accessed', arn, granularity: 'ACTION_LEVEL' }));
      const results = await runReports(requests, {
        endpoint: run.endpoint,
        region: 'us-east-1',
        credentials: CREDENTIALS,
        readPrincipalCreateDate,
        timeScale: run.timeScale,
      });
      const failed = results.filter((r) => !r.ok);
      return {
        completed: results.length - failed.length,
        errorsSeenByCaller: failed.length,
        throttlingErrorsSeenByCaller: failed.filter((r) => !r.ok && r.error instanceof AwsRequestError && r.error.awsCode === 'Throttling').length,
      };
    },
  };
}

export const OUR_ENGINE = ourEngine('ours', 'ours (default: reads creation dates)', true);
export const OUR_ENGINE_NO_CREATE_DATE = ourEngine('ours-no-cd', 'ours (readPrincipalCreateDate: false)', false);

/** A baseline over a fresh SDK client: default standard retries (3 attempts), backoff scaled like the rest. */
function baselineStrategy(baseline: Baseline, id: string): FanoutStrategy {
  return {
    id,
    name: baseline.name,
    source: baseline.source,
    ours: false,
    async run(run) {
      const client = new IAMClient({
        region: 'us-east-1',
        endpoint: run.endpoint,
        credentials: CREDENTIALS,
        retryStrategy: scaledStandardRetryStrategy(run.timeScale),
      });
      try {
        return await baseline.run(run.arns, { client, timeScale: run.timeScale, random: seededRandom(run.seed ^ 0x5eed) });
      } finally {
        client.destroy();
      }
    },
  };
}

export const BASELINE_STRATEGIES: readonly FanoutStrategy[] = [
  baselineStrategy(sequentialCliLoop, 'sequential'),
  baselineStrategy(steampipe, 'steampipe'),
  baselineStrategy(aardvark, 'aardvark'),
  baselineStrategy(cloudquery, 'cloudquery'),
];

export const ALL_STRATEGIES: readonly FanoutStrategy[] = [OUR_ENGINE, OUR_ENGINE_NO_CREATE_DATE, ...BASELINE_STRATEGIES];

export function strategyById(id: string): FanoutStrategy {
  const found = ALL_STRATEGIES.find((s) => s.id === id);
  if (!found) throw new Error(`unknown strategy ${id}; known: ${ALL_STRATEGIES.map((s) => s.id).join(', ')}`);
  return found;
}

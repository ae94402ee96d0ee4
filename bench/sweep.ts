import { IAMClient } from '@aws-sdk/client-iam';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { performance } from 'node:perf_hooks';
import { deriveSeed, pickMs, SeededRandom } from '../src/emulator/rng';
import type { World } from '../src/emulator/types';
import { runSweep } from '../src/sweep/run-sweep';
import { aardvark } from './baselines';
import type { EmulatorProcess } from './suite/emulator-process';
import { scaledStandardRetryStrategy } from './suite/scaled-retry';
import { seededRandom } from './suite/seeded';
import { BENCH_ACCESS_KEY, BENCH_SECRET_KEY } from './suite/world';

/**
 * The organization-wide sweep: 10 accounts × 100 roles, IAM throttling each account at 10 requests per second,
 * jobs of 1–3 s. Ours (`runSweep`, defaults: accounts in parallel, each under its own adaptive rate) against
 * Aardvark's strategy (accounts one after the other; in each, every job generated, then polled round robin with a
 * 1 s pause) and against the physical lower bound of a sweep with accounts in parallel.
 *
 * Time dilation as in the fan-out bench: jobs and the throttle are scaled by `timeScale` in the emulator, and every
 * wait of the client by the same factor; figures are reported unscaled (measured wall ÷ timeScale).
 */
export const SWEEP_SCENARIO = {
  accounts: 10,
  principalsPerAccount: 100,
  services: 5,
  throttle: 10,
  burst: 10,
  jobMs: { min: 1000, max: 3000 },
} as const;

/**
 * Ours runs unscaled: 2,000+ calls in ~20 s keep this 2-core machine (client and emulator host) well below
 * saturation, so the figure is the strategy's, not the CPU's. Aardvark's sequential accounts take ~10× as long and
 * send at most one account's rate: 0.1 fits it into the bench budget at the same request rate.
 */
export const SWEEP_TIME_SCALES = { ours: 1, aardvark: 0.1 } as const;

/** Services with small action lists (cheap ACTION_LEVEL reports): the bench measures scheduling, not XML size. */
const SERVICES = ['sqs', 'sns', 'dynamodb', 'kms', 'logs'];
const accountId = (i: number) => String(210_000_000_000 + i);
const MANAGEMENT = accountId(0);
const roleName = (i: number) => `bench-role-${String(i).padStart(3, '0')}`;
const roleArn = (account: string, i: number) => `arn:aws:iam::${account}:role/bench/${roleName(i)}`;

export function sweepWorld(): World {
  const { accounts: n, principalsPerAccount: p, services } = SWEEP_SCENARIO;
  const ids = Array.from({ length: n }, (_, i) => accountId(i));
  const allow = (actions: string[]) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
  return {
    accounts: ids.map((id, i) => ({ id, name: i === 0 ? 'management' : `member-${i}` })),
    organization: { id: 'o-benchsweep1', managementAccountId: MANAGEMENT, root: { id: 'r-bnch', accounts: ids } },
    users: [{ account: MANAGEMENT, name: 'bench-admin', inlinePolicies: { all: allow(['*']) } }],
    roles: ids.flatMap((account, a) => [
      ...(a === 0
        ? []
        : [
            {
              account,
              name: 'OrganizationAccountAccessRole',
              assumeRolePolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MANAGEMENT}:root` }, Action: 'sts:AssumeRole' }],
              },
              inlinePolicies: { admin: allow(['*']) },
            },
          ]),
      ...Array.from({ length: p }, (_, i) => ({
        account,
        name: roleName(i),
        path: '/bench/',
        createDate: '300d ago',
        inlinePolicies: { work: allow(SERVICES.slice(0, services).map((s) => `${s}:*`)) },
      })),
    ]),
    accessKeys: [{ id: BENCH_ACCESS_KEY, secret: BENCH_SECRET_KEY, owner: `arn:aws:iam::${MANAGEMENT}:user/bench-admin` }],
    events: ids.flatMap((account) =>
      Array.from({ length: p }, (_, i) => ({ principal: roleArn(account, i), action: 'sqs:SendMessage', region: 'us-east-1', time: `${1 + (i % 60)}d ago` })),
    ),
    settings: { trackedActionServices: ['sqs', 'sns'] },
  };
}

export interface SweepLowerBound {
  /** Calls the busiest account must answer: its generates and result pages (+ the listing; the management account also ListAccounts and every AssumeRole). */
  readonly busiestAccountCalls: number;
  readonly slowestJobMs: number;
  readonly throttleBoundMs: number;
  readonly lowerBoundMs: number;
}

/**
 * Accounts in parallel, each behind its own token bucket (burst, then `throttle` per second): the sweep cannot end
 * before its busiest account has made its calls, nor before its slowest job completes. The busiest account is the
 * management account: its own 100 reports (generate + one page each) and listing, plus ListAccounts and the
 * members' AssumeRole, which STS counts against the caller's account.
 */
export function sweepLowerBound(seed: number): SweepLowerBound {
  const s = SWEEP_SCENARIO;
  const busiestAccountCalls = s.principalsPerAccount * 2 + 1 + 1 + (s.accounts - 1);
  const durations = new SeededRandom(deriveSeed(seed, 'durations'));
  let slowestJobMs = 0;
  for (let i = 0; i < s.accounts * s.principalsPerAccount; i++) slowestJobMs = Math.max(slowestJobMs, pickMs(s.jobMs, durations));
  const throttleBoundMs = (Math.max(0, busiestAccountCalls - s.burst) / s.throttle) * 1000;
  return { busiestAccountCalls, slowestJobMs, throttleBoundMs, lowerBoundMs: Math.max(slowestJobMs, throttleBoundMs) };
}

export interface SweepSample {
  readonly strategy: 'ours' | 'aardvark';
  readonly run: number;
  readonly seed: number;
  readonly timeScale: number;
  /** Unscaled. */
  readonly wallMs: number;
  readonly bound: SweepLowerBound;
  readonly apiCalls: number;
  readonly throttledByServer: number;
  readonly completed: number;
  readonly failed: number;
}

const CREDENTIALS = { accessKeyId: BENCH_ACCESS_KEY, secretAccessKey: BENCH_SECRET_KEY };

async function oursStrategy(endpoint: string, timeScale: number): Promise<{ completed: number; failed: number }> {
  const result = await runSweep({ endpoint, region: 'us-east-1', credentials: CREDENTIALS, principalKinds: ['role'], pathPrefix: '/bench/', timeScale });
  return { completed: result.totals.principals - result.totals.principalsFailed, failed: result.totals.principalsFailed + result.totals.accountsFailed };
}

/** Aardvark: accounts one after the other (it is given the ARNs: no listing cost), its own polling in each. */
async function aardvarkStrategy(endpoint: string, timeScale: number, seed: number): Promise<{ completed: number; failed: number }> {
  let completed = 0;
  let failed = 0;
  for (let a = 0; a < SWEEP_SCENARIO.accounts; a++) {
    const account = accountId(a);
    const credentials =
      a === 0
        ? CREDENTIALS
        : fromTemporaryCredentials({
            params: { RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`, RoleSessionName: 'aardvark' },
            masterCredentials: CREDENTIALS,
            clientConfig: { region: 'us-east-1', endpoint, retryStrategy: scaledStandardRetryStrategy(timeScale) },
          });
    const client = new IAMClient({ region: 'us-east-1', endpoint, credentials, retryStrategy: scaledStandardRetryStrategy(timeScale) });
    try {
      const arns = Array.from({ length: SWEEP_SCENARIO.principalsPerAccount }, (_, i) => roleArn(account, i));
      const outcome = await aardvark.run(arns, { client, timeScale, random: seededRandom(seed ^ a) });
      completed += outcome.completed;
      failed += outcome.errorsSeenByCaller;
    } finally {
      client.destroy();
    }
  }
  return { completed, failed };
}

export async function runSweepSample(host: EmulatorProcess, strategy: 'ours' | 'aardvark', run: number, seed: number): Promise<SweepSample> {
  const timeScale = SWEEP_TIME_SCALES[strategy];
  const s = SWEEP_SCENARIO;
  const emulator = await host.start({
    world: sweepWorld(),
    seed,
    jobs: { durationMs: { min: s.jobMs.min * timeScale, max: s.jobMs.max * timeScale } },
    faults: { throttle: { requestsPerSecond: s.throttle / timeScale, burst: s.burst } },
  });
  try {
    const started = performance.now();
    const outcome = strategy === 'ours' ? await oursStrategy(emulator.endpoint, timeScale) : await aardvarkStrategy(emulator.endpoint, timeScale, seed);
    const wallMs = (performance.now() - started) / timeScale;
    const metrics = await emulator.metrics();
    return {
      strategy,
      run,
      seed,
      timeScale,
      wallMs,
      bound: sweepLowerBound(seed),
      apiCalls: metrics.totalCalls,
      throttledByServer: metrics.throttled,
      ...outcome,
    };
  } finally {
    await emulator.close();
  }
}

/** Each run: both strategies against fresh emulators with the same seed (the same job durations in generate order). */
export async function runSweepBench(host: EmulatorProcess, runs: number, onSample: (s: SweepSample) => void): Promise<SweepSample[]> {
  const samples: SweepSample[] = [];
  for (let run = 1; run <= runs; run++) {
    const seed = 1600 + run;
    for (const strategy of ['ours', 'aardvark'] as const) {
      const sample = await runSweepSample(host, strategy, run, seed);
      samples.push(sample);
      onSample(sample);
    }
  }
  return samples;
}

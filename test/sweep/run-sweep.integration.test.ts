import * as path from 'path';
import { acceptIntoBaseline } from '../../src/analysis';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { mergeSweepResults, runSweep, sweepDrift, type SweepOptions, type SweepResult } from '../../src';

/**
 * runSweep through the real AWS SDK (Organizations, STS, IAM clients) against the emulator over examples/world.json:
 * the management account 123456789012 (reached directly), production 234567890123 and staging 345678901234 (their
 * OrganizationAccountAccessRole trusts the management account) and sandbox 456789012345, whose role's trust policy
 * names only the sandbox itself — it denies the sweep.
 */
const WORLD = path.resolve(__dirname, '..', '..', 'examples', 'world.json');
const MGMT = '123456789012';
const PROD = '234567890123';
const STAGING = '345678901234';
const SANDBOX = '456789012345';
const BROKEN = `arn:aws:iam::${PROD}:role/app/payments-worker`;
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const NOW = new Date();

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ world: WORLD, port: 0, seed: 5, jobs: { durationMs: 20, failTargets: [BROKEN] } });
});
afterAll(async () => {
  await emu.close();
});

const base = (extra: SweepOptions = {}): SweepOptions => ({
  endpoint: emu.endpoint,
  region: 'us-east-1',
  credentials: CREDENTIALS,
  now: NOW,
  ...extra,
});

/** Everything but what differs between two runs of one job (job ids and completion times, in the reasons too). */
function comparable(result: SweepResult): unknown {
  return JSON.parse(
    JSON.stringify({
      ...result,
      generatedAt: undefined,
      accounts: result.accounts.map((a) => ({
        ...a,
        principals: a.principals.map((p) => ({
          ...p,
          error: p.error && { code: p.error.code, kind: p.error.kind },
          decision: p.decision && {
            status: p.decision.status,
            usedServices: p.decision.usedServices,
            unusedServices: p.decision.unusedServices,
            usedActions: p.decision.usedActions,
            unusedActions: p.decision.unusedActions,
            findings: p.decision.findings.map((f) => [f.kind, f.permission, f.lastUsed]),
          },
        })),
      })),
    }),
  );
}

describe('runSweep over the organization', () => {
  let result: SweepResult;
  beforeAll(async () => {
    emu.resetMetrics();
    result = await runSweep(base());
  });

  it('lists the accounts from Organizations and sweeps each, failures recorded per account and principal', () => {
    expect(result.kind).toBe('access-advisor-sweep');
    expect(result.accounts.map((a) => [a.accountId, a.name, a.status])).toEqual([
      [MGMT, 'management', 'ok'],
      [PROD, 'production', 'ok'],
      [STAGING, 'staging', 'ok'],
      [SANDBOX, 'sandbox', 'failed'],
    ]);
    const sandbox = result.accounts.find((a) => a.accountId === SANDBOX)!;
    expect(sandbox.error).toMatchObject({ code: 'AccessDenied', kind: 'aws' });
    expect(sandbox.error!.message).toContain(`arn:aws:iam::${SANDBOX}:role/OrganizationAccountAccessRole`);
    expect(emu.metrics().calls['ListAccounts']).toBe(1);
    // The caller's own account (the management account) is found once and reached without a role.
    expect(emu.metrics().calls['GetCallerIdentity']).toBe(1);
    // Three members assumed (sandbox refused); the management account reached with the caller's own keys.
    expect(emu.metrics().calls['AssumeRole']).toBe(3);
  });

  it('gives every other principal of the reachable accounts a decision, and the FAILED job as a failed principal', () => {
    const prod = result.accounts.find((a) => a.accountId === PROD)!;
    expect(prod.principals.map((p) => p.arn)).toEqual([
      `arn:aws:iam::${PROD}:group/ops/prod-operators`,
      `arn:aws:iam::${PROD}:policy/orders-api-policy`,
      `arn:aws:iam::${PROD}:role/OrganizationAccountAccessRole`,
      `arn:aws:iam::${PROD}:role/app/orders-api`,
      BROKEN,
      `arn:aws:iam::${PROD}:role/batch/reporting-job`,
      `arn:aws:iam::${PROD}:role/prod-app`,
      `arn:aws:iam::${PROD}:user/auditor`,
      `arn:aws:iam::${PROD}:user/ci/deploy-bot`,
    ]); // the service-linked AWSServiceRoleForSupport is left out by default
    const broken = prod.principals.find((p) => p.arn === BROKEN)!;
    expect(broken).toMatchObject({ status: 'failed', kind: 'role', name: 'payments-worker', error: { kind: 'aws' } });
    expect(broken.decision).toBeUndefined();
    const others = result.accounts.flatMap((a) => a.principals).filter((p) => p.arn !== BROKEN);
    expect(others.length).toBe(result.totals.principals - 1);
    for (const p of others) {
      expect(p.status).toBe('ok');
      expect(p.decision!.principalArn).toBe(p.arn);
      expect(p.services!.length).toBeGreaterThan(0);
    }
    // reporting-job used dynamodb:Query 130 days ago only: beyond the 90-day window, so dynamodb is unused.
    const reporting = prod.principals.find((p) => p.name === 'reporting-job')!;
    expect(reporting.decision!.status).toBe('sufficient');
    expect(reporting.decision!.unusedServices).toEqual(['dynamodb', 'logs']);
    // orders-api used dynamodb 21 days ago: used; sqs and sns never.
    const orders = prod.principals.find((p) => p.name === 'orders-api')!;
    expect(orders.decision!.usedServices).toEqual(['dynamodb']);
    expect(orders.decision!.unusedServices).toEqual(['sns', 'sqs']);
    expect(result.totals).toMatchObject({ accounts: 4, accountsFailed: 1, principalsFailed: 1 });
  });

  it('filters by kind, path prefix and name glob, and can include service-linked roles', async () => {
    const apps = await runSweep(base({ accounts: [PROD, STAGING], principalKinds: ['role'], pathPrefix: '/app/' }));
    expect(apps.accounts.flatMap((a) => a.principals.map((p) => p.name))).toEqual(['orders-api', 'payments-worker', 'load-tester', 'staging-api']);
    const globbed = await runSweep(base({ accounts: [PROD], principalKinds: ['role'], names: ['AWSServiceRole*'], includeServiceLinkedRoles: true }));
    expect(globbed.accounts[0]!.principals.map((p) => p.name)).toEqual(['AWSServiceRoleForSupport']);
    const without = await runSweep(base({ accounts: [PROD], principalKinds: ['role'], names: ['AWSServiceRole*'] }));
    expect(without.accounts[0]!.principals).toEqual([]);
  });

  it('only the accounts under an OU, at any depth', async () => {
    const workloads = await runSweep(base({ organizationalUnit: 'ou-c3xb-lmu7j2yg', principalKinds: ['policy'] }));
    expect(workloads.accounts.map((a) => a.accountId)).toEqual([PROD, STAGING, SANDBOX]);
  });

  it('shards 1/2 and 2/2, merged, equal the unsharded sweep', async () => {
    const one = await runSweep(base({ shard: { index: 1, count: 2 } }));
    const two = await runSweep(base({ shard: { index: 2, count: 2 } }));
    expect(one.accounts.map((a) => a.accountId)).toEqual([MGMT, STAGING]);
    expect(two.accounts.map((a) => a.accountId)).toEqual([PROD, SANDBOX]);
    const merged = mergeSweepResults([
      { source: 'two.json', result: two },
      { source: 'one.json', result: one },
    ]);
    expect(comparable(merged)).toEqual(comparable(result));
    expect(() => mergeSweepResults([{ source: 'one.json', result: one }])).toThrow(/missing 2\/2/);
    expect(() => mergeSweepResults([{ source: 'a', result: one }, { source: 'b', result: one }])).toThrow(/each shard once/);
  });

  it('the ratchet flags only permissions the baseline has not accepted', async () => {
    let baseline = undefined as Parameters<typeof sweepDrift>[1];
    for (const p of result.accounts.flatMap((a) => a.principals)) {
      if (p.decision && p.name !== 'orders-api') baseline = acceptIntoBaseline(baseline, p.arn, p.decision, NOW);
    }
    const again = await runSweep(base({ baseline }));
    expect(again.drift!.passed).toBe(false);
    const fresh = again.drift!.principals.filter((p) => p.newUnused.length > 0);
    expect(fresh.map((p) => p.arn)).toEqual([`arn:aws:iam::${PROD}:role/app/orders-api`]);
    expect(fresh[0]!.newUnused).toEqual(['sns', 'sqs']);
    expect(again.drift!.newUnused).toBe(2);
    // Accepting everything passes.
    const all = acceptIntoBaseline(baseline, `arn:aws:iam::${PROD}:role/app/orders-api`, result.accounts[1]!.principals.find((p) => p.name === 'orders-api')!.decision!, NOW);
    expect(sweepDrift(again.accounts, all)).toMatchObject({ passed: true, newUnused: 0 });
  });
});

it('resumes from a checkpoint without asking again for finished principals', async () => {
  const checkpoints: NonNullable<SweepOptions['resume']>[] = [];
  const first = await runSweep(base({ accounts: [PROD], onCheckpoint: (c) => checkpoints.push(JSON.parse(JSON.stringify(c))) }));
  const okCount = first.accounts[0]!.principals.filter((p) => p.status === 'ok').length;
  expect(checkpoints).toHaveLength(okCount);
  const partial = checkpoints[2]!; // three principals finished
  emu.resetMetrics();
  const resumed = await runSweep(base({ accounts: [PROD], resume: partial }));
  expect(emu.metrics().calls['GenerateServiceLastAccessedDetails']).toBe(first.totals.principals - 3);
  expect(comparable(resumed)).toEqual(comparable(first));
  await expect(runSweep(base({ accounts: [STAGING], resume: partial }))).rejects.toThrow(/resume: it belongs to another sweep \(accounts: \["345678901234"\] here, \["234567890123"\] in the state\)/);
});

it('a resume judges the stored reports again at its own time: it never passes where a fresh sweep would fail', async () => {
  const checkpoints: NonNullable<SweepOptions['resume']>[] = [];
  const then = await runSweep(base({ accounts: [STAGING], onCheckpoint: (c) => checkpoints.push(JSON.parse(JSON.stringify(c))) }));
  const last = checkpoints[checkpoints.length - 1]!;
  expect(Object.keys(last.done[STAGING]!)).toHaveLength(then.totals.principals);
  // Six days later the stored reports are older than the evidence age limit (5 days): they decide nothing.
  const later = new Date(NOW.getTime() + 6 * 86_400_000);
  emu.resetMetrics();
  const resumed = await runSweep(base({ accounts: [STAGING], now: later, resume: last }));
  expect(emu.metrics().calls['GenerateServiceLastAccessedDetails'] ?? 0).toBe(0);
  const fresh = await runSweep(base({ accounts: [STAGING], now: later }));
  expect(comparable(resumed)).toEqual(comparable(fresh));
  expect(resumed.totals).toEqual(fresh.totals);
  // The check can fail: at the later time the verdicts differ from the stored run's (whose decisions were kept before).
  expect(then.totals.principalsWithUnused).toBeGreaterThan(0);
  expect(resumed.totals.principalsWithUnused).toBe(0);
  expect(resumed.totals.principalsNotJudged).toBe(resumed.totals.principals);
  expect(resumed.accounts[0]!.principals.every((p) => p.decision?.status === 'stale-evidence')).toBe(true);
});

it('refuses a checkpoint older than the resume limit, or one whose stored report is not evidence of that principal', async () => {
  const checkpoints: NonNullable<SweepOptions['resume']>[] = [];
  await runSweep(base({ accounts: [STAGING], onCheckpoint: (c) => checkpoints.push(JSON.parse(JSON.stringify(c))) }));
  const last = checkpoints[checkpoints.length - 1]!;
  const old = { ...last, createdAt: new Date(Date.now() - 25 * 3_600_000).toISOString() };
  await expect(runSweep(base({ accounts: [STAGING], resume: old }))).rejects.toThrow(/resume: it was created at .*, 25\.0 hours ago: older than the resume limit of 24 hours/);
  await expect(runSweep(base({ accounts: [STAGING], resume: old, resumeMaxAgeHours: 26 }))).resolves.toMatchObject({ kind: 'access-advisor-sweep' });
  const [first, second] = Object.keys(last.done[STAGING]!) as [string, string];
  const swapped = { ...last, done: { [STAGING]: { ...last.done[STAGING], [first]: last.done[STAGING]![second]! } } };
  await expect(runSweep(base({ accounts: [STAGING], resume: swapped }))).rejects.toThrow(`resume: done: ${first}: the report is of ${second}`);
  const granularity = { ...last, done: { [STAGING]: { [first]: { ...last.done[STAGING]![first]!, granularity: 'SERVICE_LEVEL' } } } } as never;
  await expect(runSweep(base({ accounts: [STAGING], resume: granularity }))).rejects.toThrow(/a SERVICE_LEVEL report; this sweep asks for ACTION_LEVEL/);
});

it('an account reached "directly" with credentials of another account fails instead of being reported as that account', async () => {
  const result = await runSweep(base({ accounts: [PROD], directAccounts: [PROD] }));
  expect(result.accounts[0]).toMatchObject({ accountId: PROD, status: 'failed', principals: [] });
  expect(result.accounts[0]!.error).toMatchObject({ code: 'IncompleteResponse', kind: 'evidence' });
  expect(result.accounts[0]!.error!.message).toMatch(/has the ARN "arn:aws:iam::123456789012:[a-z]+\/.*", not a [a-z]+ of account 234567890123/);
});

it('rejects bad options naming the field', async () => {
  await expect(runSweep(base({ accounts: ['12345'] }))).rejects.toThrow(/accounts\[0\].*12-digit/);
  await expect(runSweep(base({ principalKinds: ['robot' as never] }))).rejects.toThrow(/principalKinds\[0\]/);
  await expect(runSweep(base({ pathPrefix: 'app' }))).rejects.toThrow(/pathPrefix/);
  await expect(runSweep(base({ unusedAfterDays: 401 }))).rejects.toThrow(/unusedAfterDays/);
  await expect(runSweep(base({ accounts: [PROD], organizationalUnit: 'ou-c3xb-lmu7j2yg' }))).rejects.toThrow(/organizationalUnit/);
});

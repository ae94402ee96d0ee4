import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseBaseline } from '../../src/analysis';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import type { SweepResult } from '../../src/sweep/types';
import { ensureBuilt, ROOT, runCli, tempDir } from './cli-harness';

/**
 * `sweep --accept` and `gate --accept` on one baseline file at the same time, as real processes of the built CLI:
 * the sweep merges into the file under gate's lock, re-reading it, so what a gate accepted while the sweep ran is
 * still there afterwards (a sweep that wrote back the baseline it read at its start would drop it).
 */
const WORLD = path.join(ROOT, 'examples', 'world.json');
const STAGING = '345678901234';
const GATED = [
  'arn:aws:iam::123456789012:role/orders-service',
  'arn:aws:iam::123456789012:role/app-deployer',
  'arn:aws:iam::123456789012:role/ops-admin',
];

let emulator: RunningEmulator;
/** The same world with 4 s jobs, for the sweep only: it outlasts the gates whatever the machine's load. */
let slowEmulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  emulator = await startEmulator({ world: WORLD, port: 0, seed: 7, jobs: { durationMs: 300 } });
  slowEmulator = await startEmulator({ world: WORLD, port: 0, seed: 7, jobs: { durationMs: 4000 } });
  dir = tempDir();
}, 180_000);

afterAll(async () => {
  await emulator?.close();
  await slowEmulator?.close();
});

it('a gate --accept made while sweep --accept runs is never lost, and neither are the sweep\'s', async () => {
  const file = path.join(dir, 'org-baseline.json');
  const endpoint = ['--endpoint-url', emulator.endpoint];
  // The sweep reads the world with 4 s jobs, the gates with 300 ms jobs: the file is what they share.
  const sweep = runCli(['sweep', '--accounts', STAGING, '--baseline', file, '--accept', '--endpoint-url', slowEmulator.endpoint]);
  // The gates start once the sweep is under way and finish before it does.
  await new Promise((r) => setTimeout(r, 300));
  const gates = await Promise.all(GATED.map((arn) => runCli(['gate', '--arn', arn, '--baseline', file, '--accept', ...endpoint])));
  expect(gates.map((g) => g.code)).toEqual([0, 0, 0]);
  const midway = parseBaseline(fs.readFileSync(file, 'utf8'), file);
  expect(Object.keys(midway.principals).sort()).toEqual([...GATED].sort());
  const swept = await sweep;
  expect(swept.code).toBe(0);
  const after = parseBaseline(fs.readFileSync(file, 'utf8'), file);
  const staging = Object.keys(after.principals).filter((arn) => arn.split(':')[4] === STAGING);
  expect(staging.length).toBeGreaterThanOrEqual(5);
  for (const arn of GATED) expect(after.principals[arn]).toEqual(midway.principals[arn]);
  expect(fs.readdirSync(dir).filter((f) => f !== 'org-baseline.json')).toEqual([]); // no lock or temp file left
}, 180_000);

it('--accept refuses before any call when the baseline cannot be written', async () => {
  emulator.resetMetrics();
  const run = await runCli(['sweep', '--accounts', STAGING, '--baseline', path.join(dir, 'missing', 'b.json'), '--accept', '--endpoint-url', emulator.endpoint]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('does not exist; create it first');
  expect(emulator.metrics().calls['GetAccountAuthorizationDetails'] ?? 0).toBe(0);
});

describe('a --state file the sweep cannot use is refused before any call, saying what to do', () => {
  const state = (extra: Record<string, unknown>) => {
    const file = path.join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify({ kind: 'access-advisor-sweep-state', schemaVersion: 2, requestKey: 'k', request: {}, done: {}, ...extra }));
    return file;
  };
  const run = (file: string, extra: string[] = []) => runCli(['sweep', '--accounts', STAGING, '--state', file, ...extra, '--endpoint-url', emulator.endpoint]);

  it.each([
    ['older than 24 hours', { createdAt: new Date(Date.now() - 30 * 3_600_000).toISOString() }, [], /cannot be resumed: it was created at .*, 30\.0 hours ago: older than the resume limit of 24 hours, its evidence is stale/],
    ['of another sweep', { createdAt: new Date().toISOString() }, [], /cannot be resumed: it belongs to another sweep/],
    ['old, but within --state-max-age, then of another sweep', { createdAt: new Date(Date.now() - 30 * 3_600_000).toISOString() }, ['--state-max-age', '48'], /cannot be resumed: it belongs to another sweep/],
    ['of the previous state format', { schemaVersion: 1 }, [], /was written by another version \(state schemaVersion 1, this one reads 2\)/],
    ['without a creation time', {}, [], /cannot be resumed: it has no valid createdAt/],
  ])('%s', async (_name, fields, extra, message) => {
    emulator.resetMetrics();
    const result = await run(state(fields), extra as string[]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('delete it to start a fresh sweep, or pass another --state path');
    expect(result.stderr).not.toContain('resuming from');
    expect(emulator.metrics().calls['GetAccountAuthorizationDetails'] ?? 0).toBe(0);
  });
});

describe('one verdict: `gate` and `sweep` judge the same principal alike (both through analysis/gate.ts)', () => {
  it.each([[[] as string[]], [['--allow', 'ec2=image rotation', '--unused-after-days', '30']]])('with flags %j', async (flags) => {
    const arn = 'arn:aws:iam::123456789012:role/app-deployer';
    const endpoint = ['--endpoint-url', emulator.endpoint];
    const [gate, sweep] = await Promise.all([
      runCli(['gate', '--arn', arn, '--granularity', 'ACTION_LEVEL', '--output', 'json', ...flags, ...endpoint]),
      runCli(['sweep', '--accounts', '123456789012', '--principal-kinds', 'role', '--name', 'app-deployer', '--granularity', 'ACTION_LEVEL', ...flags, ...endpoint]),
    ]);
    expect([gate.code, sweep.code]).toEqual([1, 1]);
    const g = (JSON.parse(gate.stdout) as { principals: { unusedServices: string[]; unusedActions: string[]; violations: { permission: string }[]; allowedByException: { permission: string }[] }[] }).principals[0]!;
    const s = (JSON.parse(sweep.stdout) as SweepResult).accounts[0]!.principals[0]!;
    expect(s.arn).toBe(arn);
    expect(s.decision!.unusedServices).toEqual(g.unusedServices);
    expect(s.decision!.unusedActions).toEqual(g.unusedActions);
    const violations = s.decision!.findings.filter((f) => f.kind === 'unused-service' || f.kind === 'unused-action').map((f) => f.permission);
    expect(violations).toEqual(g.violations.map((f) => f.permission));
    expect(s.decision!.findings.filter((f) => f.kind === 'allowed-by-exception').map((f) => f.permission)).toEqual(g.allowedByException.map((f) => f.permission));
  }, 60_000);
});

describe('sweep merge refuses shards that do not add up to one organization (built CLI)', () => {
  const shardFile = (name: string, index: number, listed: string[], swept: string[]) => {
    const file = path.join(dir, name);
    const result = {
      kind: 'access-advisor-sweep',
      schemaVersion: 1,
      generatedAt: new Date().toISOString(),
      request: { source: 'organization', roleName: 'OrganizationAccountAccessRole', principalKinds: ['role'], includeServiceLinkedRoles: false, granularity: 'ACTION_LEVEL' },
      shard: { index, count: 2 },
      accountsListed: listed,
      accounts: swept.map((accountId) => ({ accountId, status: 'ok', principals: [] })),
      totals: {},
    };
    fs.writeFileSync(file, JSON.stringify(result));
    return file;
  };
  const all = ['111111111111', '222222222222', '333333333333'];

  it('shards that listed different accounts: exit 2 naming the account only one of them saw', async () => {
    // Shard 2 listed the organization after 333333333333 joined; shard 1 before.
    const one = shardFile('a-1.json', 1, ['111111111111', '222222222222'], ['111111111111']);
    const two = shardFile('a-2.json', 2, all, ['222222222222']);
    const run = await runCli(['sweep', 'merge', one, two]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/a-2\.json: accountsListed: \["333333333333"\] is not allowed; expected the account list of every other shard/);
  });

  it('a shard that left one of its accounts out: exit 2 naming it (it would be swept by nobody)', async () => {
    const one = shardFile('b-1.json', 1, all, ['111111111111']); // its part is 111… and 333…
    const two = shardFile('b-2.json', 2, all, ['222222222222']);
    const run = await runCli(['sweep', 'merge', one, two, '--output', 'json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('b-1.json: accounts: ["333333333333"] is not allowed; expected exactly the accounts of shard 1/2 of the list');
    expect(run.stdout).toBe('');
  });

  it('the same shards, complete: merged (exit 0, nothing unused)', async () => {
    const one = shardFile('c-1.json', 1, all, ['111111111111', '333333333333']);
    const two = shardFile('c-2.json', 2, all, ['222222222222']);
    const run = await runCli(['sweep', 'merge', one, two]);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as SweepResult).accounts.map((a) => a.accountId)).toEqual(all);
  });
});

describe('sweep merge judges the shards\' decisions when it merges them (built CLI)', () => {
  const ROLE = 'arn:aws:iam::111111111111:role/app';
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
  /** One shard of one account holding one role's decision: s3 used, and `unused` as the unused services. */
  const shardWith = (name: string, completedDaysAgo: number, unused: string[] = [], status = 'sufficient') => {
    const file = path.join(dir, name);
    const completed = daysAgo(completedDaysAgo);
    const decision = {
      status,
      statusReason: 'judged when the shard ran',
      principalArn: ROLE,
      unusedAfterDays: 90,
      evaluatedAt: completed,
      reportJobCompletionDate: completed,
      principalCreateDate: '2024-01-01T00:00:00Z',
      principalCreateDateKnown: true,
      usedServices: ['s3'],
      unusedServices: unused,
      usedActions: [],
      unusedActions: [],
      findings: [
        { kind: 'used-service', permission: 's3', lastUsed: completed, reason: 's3 used' },
        ...unused.map((permission) => ({ kind: 'unused-service', permission, reason: `${permission} not used` })),
      ],
    };
    const result = {
      kind: 'access-advisor-sweep',
      schemaVersion: 1,
      generatedAt: completed,
      request: { source: 'accounts', accounts: ['111111111111'], roleName: 'OrganizationAccountAccessRole', principalKinds: ['role'], includeServiceLinkedRoles: false, granularity: 'ACTION_LEVEL' },
      shard: { index: 1, count: 1 },
      accountsListed: ['111111111111'],
      accounts: [{ accountId: '111111111111', status: 'ok', principals: [{ arn: ROLE, kind: 'role', name: 'app', status: 'ok', decision }] }],
      totals: {},
    };
    fs.writeFileSync(file, JSON.stringify(result));
    return file;
  };
  const statusOf = (stdout: string) => (JSON.parse(stdout) as SweepResult).accounts[0]!.principals[0]!.decision!.status;

  it('a shard of today that found nothing unused passes (exit 0)', async () => {
    const run = await runCli(['sweep', 'merge', shardWith('fresh.json', 1), '--output', 'json']);
    expect(run.code).toBe(0);
    expect(statusOf(run.stdout)).toBe('sufficient');
  });

  it('the same shard left from a run 30 days ago: stale evidence, the gate fails (exit 1) and says why', async () => {
    const run = await runCli(['sweep', 'merge', shardWith('old.json', 30), '--output', 'json']);
    expect(run.code).toBe(1);
    expect(statusOf(run.stdout)).toBe('stale-evidence');
    expect(run.stderr).toMatch(/role\/app: stale evidence: .* rests on a report that completed .*, 30\.0 days before .* \(limit 5 days\)/);
    expect((JSON.parse(run.stdout) as SweepResult).totals.principalsNotJudged).toBe(1);
  });

  it('--accept never takes the old shard\'s unused services into the baseline', async () => {
    const baseline = path.join(dir, 'merge-baseline.json');
    fs.writeFileSync(baseline, '{"schemaVersion": 1, "principals": {}}\n');
    const run = await runCli(['sweep', 'merge', shardWith('old-unused.json', 30, ['ec2', 'sqs']), '--baseline', baseline, '--accept']);
    expect(run.code).toBe(1);
    expect(parseBaseline(fs.readFileSync(baseline, 'utf8'), baseline).principals[ROLE]).toBeUndefined();
    // A later run that finds ec2 unused on current evidence still fails on it.
    const later = await runCli(['sweep', 'merge', shardWith('new-unused.json', 1, ['ec2']), '--baseline', baseline]);
    expect(later.code).toBe(1);
    expect(later.stdout).toContain('ec2');
  });

  it('--baseline and --accept after the files reach the merge (commander gives them to `sweep`): a current shard is accepted, then passes', async () => {
    const baseline = path.join(dir, 'merge-ratchet.json');
    fs.writeFileSync(baseline, '{"schemaVersion": 1, "principals": {}}\n');
    const accepted = await runCli(['sweep', 'merge', shardWith('accept-now.json', 1, ['ec2']), '--baseline', baseline, '--accept']);
    expect(accepted.code).toBe(0);
    expect(parseBaseline(fs.readFileSync(baseline, 'utf8'), baseline).principals[ROLE]?.unused).toEqual(['ec2']);
    const ratchet = await runCli(['sweep', 'merge', shardWith('ratchet-now.json', 1, ['ec2']), '--baseline', baseline, '--output', 'json']);
    expect(ratchet.code).toBe(0);
    expect((JSON.parse(ratchet.stdout) as SweepResult).drift?.passed).toBe(true);
    const grown = await runCli(['sweep', 'merge', shardWith('ratchet-grown.json', 1, ['ec2', 'sqs']), '--baseline', baseline]);
    expect(grown.code).toBe(1);
  });

  it('a decision whose status this version does not know is no evidence: exit 1', async () => {
    const run = await runCli(['sweep', 'merge', shardWith('bogus.json', 1, [], 'SUFFICIENT')]);
    expect(run.code).toBe(1);
  });
});

/**
 * Bad input, table-driven through the built CLI: each case exits with its documented status and ONE line naming the
 * flag, the value and what is allowed — before any AWS call (the endpoint is a closed port: a call would be exit 3).
 * Then baselines (missing directory, parallel --accept) and the messages of whole-request failures.
 */
import * as fs from 'fs';
import * as path from 'path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { startHostileServer, ROLE_ARN, ENTITY_PATH, type HostileServer } from '../hostile/hostile-server';
import { closedPort, ensureBuilt, ROOT, runCli, tempDir } from './cli-harness';

let dir: string;
let closed: string[];
beforeAll(async () => {
  ensureBuilt();
  dir = tempDir();
  closed = ['--endpoint-url', `http://127.0.0.1:${await closedPort()}`];
  fs.writeFileSync(path.join(dir, 'ok.json'), JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }));
  const deep = `${'{"StringEquals":'.repeat(5000)}{}${'}'.repeat(5000)}`;
  fs.writeFileSync(path.join(dir, 'deep.json'), `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":${deep}}]}`);
  fs.writeFileSync(path.join(dir, 'colons.json'), JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', '::'], Resource: '*' }] }));
}, 120_000);

const ORG = 'o-a1b2c3d4e5/r-c3xb';
type Case = [name: string, args: () => string[], exit: number, message: RegExp];
const CASES: Case[] = [
  ['empty --job-id', () => ['service-report', '--arn', ROLE_ARN, '--job-id', ''], 2, /--job-id: "" is empty/],
  ['short --job-id', () => ['service-report', '--arn', ROLE_ARN, '--job-id', 'abc'], 2, /--job-id: "abc" is not allowed; expected a job id of exactly 36/],
  ['empty --endpoint-url', () => ['service-report', '--arn', ROLE_ARN, '--endpoint-url', ''], 2, /--endpoint-url: "" is empty/],
  ['junk --role-arn', () => ['service-report', '--arn', ROLE_ARN, '--role-arn', 'junk'], 2, /--role-arn: "junk" is not allowed; expected a role ARN/],
  ['user ARN as --role-arn', () => ['service-report', '--arn', ROLE_ARN, '--role-arn', 'arn:aws:iam::123456789012:user/x'], 2, /--role-arn/],
  ['unterminated --query literal', () => ['service-report', '--arn', ROLE_ARN, '--query', '`'], 2, /--query: .*\(unterminated JSON literal/],
  ['unterminated --query string', () => ['service-report', '--arn', ROLE_ARN, '--query', "'abc"], 2, /--query: .*\(unterminated raw string/],
  ['empty path segment in --arn', () => ['service-report', '--arn', 'arn:aws:iam::123456789012:role//x'], 2, /--arn: .*role\/\/x.* path/],
  ['OU without id', () => ['org-report', '--entity-path', `${ORG}/ou-`], 2, /--entity-path: .*segment 3 "ou-" is not an OU id/],
  ['short account', () => ['org-report', '--entity-path', `${ORG}/12345`], 2, /--entity-path: .*"12345" is not a 12-digit account id/],
  ['empty entity path segment', () => ['org-report', '--entity-path', `${ORG}//ou-c3xb-lmu7j2yg`], 2, /--entity-path: .*segment 3 is empty/],
  ['5,000-deep Condition (no stack overflow, no job)', () => ['tighten', '--arn', ROLE_ARN, '--policy', path.join(dir, 'deep.json')], 2, /--policy: .* nested more than 32 levels/],
  ['action "::"', () => ['tighten', '--arn', ROLE_ARN, '--policy', path.join(dir, 'colons.json')], 2, /Statement\[0\]\.Action: "::" is not allowed; expected "\*" or SERVICE:ACTION/],
  ['--accept into a missing directory', () => ['gate', '--arn', ROLE_ARN, '--baseline', path.join(dir, 'no-such-dir', 'b.json'), '--accept'], 2, /--baseline: cannot write .* the directory ".*no-such-dir" does not exist/],
];

describe('bad input (exit status and one line)', () => {
  it.each(CASES)('%s', async (_name, args, exit, message) => {
    const run = await runCli([...args(), ...(args().includes('--endpoint-url') ? [] : closed)]);
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: exit });
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('the control: the same tighten with a sound policy reaches the endpoint (exit 3: the closed port), so the cases above stopped before it', async () => {
    const run = await runCli(['tighten', '--arn', ROLE_ARN, '--policy', path.join(dir, 'ok.json'), '--max-attempts', '1', ...closed]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/NetworkingError/);
  });
});

describe('whole-request failures say what happened (one line)', () => {
  const servers: HostileServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });
  const serve = async (mode: Parameters<typeof startHostileServer>[0]) => {
    const s = await startHostileServer(mode);
    servers.push(s);
    return ['--endpoint-url', s.endpoint];
  };

  it("a proxy's HTML 403: names HTTP 403, not \"Unknown: Unknown\"", async () => {
    const run = await runCli(['service-report', '--arn', ROLE_ARN, '--max-attempts', '1', ...(await serve('html-403'))]);
    expect(run.code).toBe(3);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/HTTP 403 \(forbidden\) without an IAM error code/);
    expect(run.stderr).not.toMatch(/Unknown: Unknown/);
  });

  it('a 429 text page: names HTTP 429, not "XML parse error"', async () => {
    const run = await runCli(['service-report', '--arn', ROLE_ARN, '--max-attempts', '1', ...(await serve('text-429'))]);
    expect(run.code).toBe(3);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/HTTP 429 \(throttled/);
  });

  it('a 409 that never clears: the timeout names ReportGenerationLimitExceeded', async () => {
    const run = await runCli(['org-report', '--entity-path', ENTITY_PATH, '--timeout', '2', ...(await serve('limit-409'))]);
    expect(run.code).toBe(4);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/no job could be started within 2000 ms: IAM kept answering ReportGenerationLimitExceeded/);
  });
});

describe('baselines and many principals (the example world in the emulator)', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ world: path.join(ROOT, 'examples', 'world.json'), port: 0, seed: 11, jobs: { durationMs: 100 } });
  }, 120_000);
  afterAll(async () => {
    await emulator?.close();
  });
  const PRINCIPALS = ['role/app-deployer', 'role/ops-admin', 'role/young-analytics', 'user/alice', 'user/bob'].map((p) => `arn:aws:iam::123456789012:${p}`);

  it('5 parallel gate --accept on one baseline keep all 5 principals (lock + merge)', async () => {
    const baseline = path.join(dir, 'parallel-baseline.json');
    const runs = await Promise.all(
      PRINCIPALS.map((arn) => runCli(['gate', '--arn', arn, '--baseline', baseline, '--accept', '--endpoint-url', emulator.endpoint])),
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    const principals = Object.keys((JSON.parse(fs.readFileSync(baseline, 'utf8')) as { principals: object }).principals);
    // young-analytics has too little history to accept anything: the other four are judged and kept.
    expect(principals.sort()).toEqual(PRINCIPALS.filter((p) => !p.endsWith('young-analytics')).sort());
  }, 120_000);

  it('12 principals at once: no MaxListenersExceededWarning or other extra line on stderr', async () => {
    const arns = Array.from({ length: 12 }, (_, i) => PRINCIPALS[i % PRINCIPALS.length]! + (i >= PRINCIPALS.length ? `-${i}` : ''));
    const run = await runCli(['service-report', ...arns.flatMap((a) => ['--arn', a]), '--endpoint-url', emulator.endpoint]);
    expect(run.stderr).not.toMatch(/MaxListeners|Warning:/);
    // The 7 made-up principals fail with NoSuchEntity, one line each.
    expect(run.code).toBe(3);
    expect(run.stderr.trimEnd().split('\n').filter((l) => l.startsWith('access-advisor:'))).toHaveLength(7);
  }, 120_000);
});

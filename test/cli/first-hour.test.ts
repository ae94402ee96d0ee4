/**
 * The commonest mistakes of a first hour, through the built CLI: each one prints ONE line on stderr that names the
 * cause and the fix, exits 2 (3 where the endpoint is unreachable), and never shows a stack trace.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { ADMIN_CREDENTIALS, BIN, cliEnv, closedPort, ensureBuilt, ROOT, runCli, tempDir } from './cli-harness';

const ROLE = 'arn:aws:iam::123456789012:role/app-deployer';
const YOUNG = 'arn:aws:iam::123456789012:role/young-analytics';
const WORLD = path.join(ROOT, 'examples', 'world.json');

let dir: string;
let closed: string;
let emulator: RunningEmulator;
beforeAll(async () => {
  ensureBuilt();
  dir = tempDir();
  closed = `http://127.0.0.1:${await closedPort()}`;
  fs.writeFileSync(path.join(dir, 'config'), '[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-1\n');
  // Broken JSON whose text must never be echoed: the marker would show it.
  fs.writeFileSync(path.join(dir, 'broken.json'), '{\n  "Version": "2012-10-17",\n  "Statement": [{ "Effect": "Allow" "Action": "s3:SECRET_MARKER" }]\n}\n');
  fs.writeFileSync(
    path.join(dir, 'typos.json'),
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObjekt', 'foo:Bar', 'lambda:*'], Resource: '*' }] }),
  );
  emulator = await startEmulator({ world: WORLD, port: 0, seed: 5, jobs: { durationMs: 50 } });
}, 120_000);

afterAll(async () => {
  await emulator?.close();
});

/** Environments of the mistakes: never the machine's AWS settings (cliEnv drops them). */
const noKeys = () => cliEnv({ AWS_ENDPOINT_URL: closed });
const keys = (extra: Record<string, string> = {}) => cliEnv({ ...ADMIN_CREDENTIALS, AWS_ENDPOINT_URL: closed, ...extra });
const withConfig = (extra: Record<string, string>) => cliEnv({ AWS_ENDPOINT_URL: closed, AWS_CONFIG_FILE: path.join(dir, 'config'), ...extra });

type Case = [name: string, args: () => string[], env: () => NodeJS.ProcessEnv, exit: number, message: RegExp];
const CASES: Case[] = [
  ['no credentials at all', () => ['service-report', '--arn', ROLE], noKeys, 2, /^access-advisor: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with --profile \(AWS_PROFILE\)/],
  [
    'a key id without its secret',
    () => ['service-report', '--arn', ROLE],
    () => cliEnv({ AWS_ENDPOINT_URL: closed, AWS_ACCESS_KEY_ID: ADMIN_CREDENTIALS.AWS_ACCESS_KEY_ID }),
    2,
    /^access-advisor: no AWS credentials: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; export both/,
  ],
  [
    'a secret without its key id',
    () => ['gate', '--arn', ROLE],
    () => cliEnv({ AWS_ENDPOINT_URL: closed, AWS_SECRET_ACCESS_KEY: ADMIN_CREDENTIALS.AWS_SECRET_ACCESS_KEY }),
    2,
    /^access-advisor: no AWS credentials: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not/,
  ],
  [
    '--profile nosuch (the known profiles are named)',
    () => ['service-report', '--arn', ROLE, '--profile', 'nosuch'],
    () => withConfig({}),
    2,
    /^access-advisor: no AWS credentials: profile "nosuch" \(--profile\) is in neither .*config nor .*; known profiles: default, dev$/,
  ],
  [
    'AWS_PROFILE=nosuch with no shared files at all',
    () => ['service-report', '--arn', ROLE],
    () => cliEnv({ AWS_ENDPOINT_URL: closed, AWS_PROFILE: 'nosuch' }),
    2,
    /^access-advisor: no AWS credentials: profile "nosuch" \(AWS_PROFILE\) is in neither .* create it with "aws configure --profile nosuch"$/,
  ],
  [
    'AWS_ENDPOINT_URL without a scheme',
    () => ['service-report', '--arn', ROLE],
    () => keys({ AWS_ENDPOINT_URL: '127.0.0.1:4566' }),
    2,
    /^access-advisor: AWS_ENDPOINT_URL: "127\.0\.0\.1:4566" is not an http\(s\) URL; give the scheme too, e\.g\. http:\/\/127\.0\.0\.1:4566$/,
  ],
  [
    'AWS_ENDPOINT_URL_IAM=localhost:4566',
    () => ['gate', '--arn', ROLE],
    () => keys({ AWS_ENDPOINT_URL_IAM: 'localhost:4566' }),
    2,
    /^access-advisor: AWS_ENDPOINT_URL_IAM: "localhost:4566" is not an http\(s\) URL; give the scheme too, e\.g\. http:\/\/localhost:4566$/,
  ],
  [
    'gate --policy with broken JSON: the position, not the file',
    () => ['gate', '--arn', ROLE, '--policy', path.join(dir, 'broken.json')],
    keys,
    2,
    /^access-advisor: --policy: ".*broken\.json" is not valid JSON at line 3, column 37 \(character 65\): Expected ',' or '}' after property value$/,
  ],
  [
    'tighten --policy with broken JSON: the same helper',
    () => ['tighten', '--arn', ROLE, '--policy', path.join(dir, 'broken.json')],
    keys,
    2,
    /^access-advisor: --policy: ".*broken\.json" is not valid JSON at line 3, column 37 \(character 65\)/,
  ],
  [
    'a stopped emulator (connection refused on 127.0.0.1): exit 3, names the port and what to start',
    () => ['service-report', '--arn', ROLE],
    keys,
    3,
    /^access-advisor: GenerateServiceLastAccessedDetails failed: NetworkingError: ECONNREFUSED: nothing listens on 127\.0\.0\.1:\d+; start the server there \(e\.g\. "access-advisor emulator --port \d+"\)/,
  ],
];

describe('first-hour mistakes (one line naming the cause and the fix)', () => {
  it.each(CASES)('%s', async (_name, args, env, exit, message) => {
    const run = await runCli(args(), { env: env() });
    expect({ code: run.code, lines: run.stderr.trimEnd().split('\n') }).toEqual({ code: exit, lines: [expect.stringMatching(message)] });
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr).not.toContain('SECRET_MARKER');
    expect(run.stdout).toBe('');
  });
});

describe('misspelled actions', () => {
  it('gate --policy warns once per unknown action, naming the closest known one; the judgement still runs', async () => {
    const run = await runCli(['gate', '--arn', ROLE, '--policy', path.join(dir, 'typos.json'), '--allow', 'ec3=AMI lookups', '--endpoint-url', emulator.endpoint]);
    const warnings = run.stderr.split('\n').filter((line) => line.startsWith('access-advisor: warning:'));
    expect(warnings).toEqual([
      expect.stringMatching(/"s3:GetObjekt" is not a known IAM action .*; did you mean s3:GetObject\?$/),
      expect.stringMatching(/"foo:Bar": no IAM service "foo" .*; check the spelling$/),
      expect.stringMatching(/"ec3": no IAM service "ec3" .*; did you mean ec2\?$/),
    ]);
    // lambda:* is judged as the policy says (lambda is used by app-deployer): the gate answered.
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'least-privilege-gate' });
  }, 60_000);

  it('tighten warns the same way', async () => {
    const run = await runCli(['tighten', '--arn', ROLE, '--policy', path.join(dir, 'typos.json'), '--endpoint-url', emulator.endpoint]);
    expect(run.stderr).toMatch(/^access-advisor: warning: "s3:GetObjekt" is not a known IAM action .*did you mean s3:GetObject\?$/m);
  }, 60_000);

  it('the control: correctly spelled actions give no warning', async () => {
    const run = await runCli(['gate', '--arn', ROLE, '--allow', 'ec2=AMI lookups', '--endpoint-url', emulator.endpoint]);
    expect(run.stderr).not.toMatch(/warning/);
  }, 60_000);
});

describe('gate --output markdown|table', () => {
  it.each(['markdown', 'table'])('%s lists the accepted exceptions with their reasons, and says "insufficient history" once', async (output) => {
    const run = await runCli(['gate', '--arn', ROLE, '--arn', YOUNG, '--allow', 'ec2=AMI lookups for the base image rotation', '--output', output, '--endpoint-url', emulator.endpoint]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Accepted exceptions of arn:aws:iam::123456789012:role\/app-deployer \(1\)/);
    expect(run.stdout).toMatch(/ec2 .*allowed by exception ec2: AMI lookups for the/);
    expect(run.stdout).toMatch(/insufficient history: arn:aws:iam::123456789012:role\/young-analytics/);
    expect(run.stdout).not.toMatch(/insufficient[- ]history: insufficient history/);
  }, 60_000);
});

describe('the emulator command', () => {
  it('names its world and the credentials to reach it after the listening line', async () => {
    const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0'], { cwd: ROOT, env: cliEnv() });
    const stdout = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        text += d;
        if (/AWS_SECRET_ACCESS_KEY=.*\n/.test(text)) resolve(text);
      });
      child.on('error', reject);
      child.on('close', (code) => reject(new Error(`exited ${code} before printing its start lines: ${text}`)));
    }).finally(() => child.kill('SIGTERM'));
    const [first, world, credentials, exports] = stdout.split('\n');
    expect(first).toMatch(/^listening on http:\/\/127\.0\.0\.1:(\d+)$/);
    const port = /:(\d+)$/.exec(first!)![1];
    expect(world).toBe(`world: ${WORLD} (the bundled demo world)`);
    expect(credentials).toMatch(/^credentials: AKIAIOSFODNN7EXAMPLE \(arn:aws:iam::123456789012:user\/admin\), for this emulator only:$/);
    expect(exports).toBe(
      `  export AWS_ENDPOINT_URL=http://127.0.0.1:${port} AWS_ACCESS_KEY_ID=${ADMIN_CREDENTIALS.AWS_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY=${ADMIN_CREDENTIALS.AWS_SECRET_ACCESS_KEY}`,
    );
  }, 60_000);

  it('a world file of your own: the key id only, never its secret', async () => {
    const own = path.join(dir, 'own-world.json');
    fs.copyFileSync(WORLD, own);
    const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--world', own], { cwd: ROOT, env: cliEnv() });
    const stdout = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        text += d;
        if (/AWS_SECRET_ACCESS_KEY=.*\n/.test(text)) resolve(text);
      });
      child.on('close', (code) => reject(new Error(`exited ${code}: ${text}`)));
    }).finally(() => child.kill('SIGTERM'));
    expect(stdout).toContain(`world: ${own}\n`);
    expect(stdout).toContain('AWS_SECRET_ACCESS_KEY=<its secret in the world file>');
    expect(stdout).not.toContain(ADMIN_CREDENTIALS.AWS_SECRET_ACCESS_KEY);
  }, 60_000);

  it('a busy port: exit 2, one line naming the port and the way out', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const run = await runCli(['emulator', '--port', String(port)], { env: cliEnv() });
      expect({ code: run.code, lines: run.stderr.trimEnd().split('\n') }).toEqual({
        code: 2,
        lines: [`access-advisor: --port ${port}: 127.0.0.1:${port} is already in use (an emulator still running?); stop it, choose another port, or --port 0 for any free one`],
      });
      expect(run.stdout).toBe('');
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  }, 60_000);
});

describe('--output html', () => {
  it('gate: the never-used services of a wildcard grant (ops-admin: AdministratorAccess) fold into one column; a narrow grant keeps its own', async () => {
    const out = path.join(dir, 'gate.html');
    const run = await runCli(['gate', '--arn', ROLE, '--arn', 'arn:aws:iam::123456789012:role/ops-admin', '--output', 'html', '--out', out, '--endpoint-url', emulator.endpoint]);
    expect(run.code).toBe(1);
    const html = fs.readFileSync(out, 'utf8');
    const heads = [...html.matchAll(/<text transform="translate\([^)]*\) rotate\(-60\)">([^<]+)<title>([^<]*)<\/title>/g)].map((m) => ({ head: m[1]!, title: m[2]! }));
    expect(heads.length).toBeLessThan(20);
    const folded = heads.filter((h) => h.head === 'never-used');
    expect(folded).toHaveLength(1);
    expect(folded[0]!.title).toMatch(/^never-used \((\d{3}) services no principal here used, allowed only to principals with more than 50 never-used services/);
    // app-deployer's never-used dynamodb and sqs are findings of a narrow grant: their own columns
    expect(heads.map((h) => h.head)).toEqual(expect.arrayContaining(['dynamodb', 'sqs']));
    // the drill-down still lists every service of ops-admin
    expect(html).toContain('a4b');
  }, 60_000);

  it('org-report: accounts and OUs carry their names from Organizations beside their ids', async () => {
    const out = path.join(dir, 'org.html');
    const run = await runCli(['org-report', '--entity-path', 'o-4fxmplt198/r-c3xb', '--output', 'html', '--out', out, '--endpoint-url', emulator.endpoint]);
    expect({ code: run.code, notes: run.stderr.split('\n').filter((l) => /note/.test(l)) }).toEqual({ code: 0, notes: [] });
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toContain('OU Workloads (ou-c3xb-lmu7j2yg)');
    expect(html).toContain('account production (234567890123)');
  }, 60_000);
});

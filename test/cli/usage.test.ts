import { closedPort, ensureBuilt, runCli } from './cli-harness';

const SUBCOMMANDS = ['service-report', 'org-report', 'policies-granting', 'gate', 'tighten'];
const ROLE = 'arn:aws:iam::123456789012:role/any-role';

beforeAll(() => ensureBuilt(), 180_000);

describe('access-advisor --help', () => {
  it('lists every subcommand and documents the exit codes, on stdout, exit 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const name of [...SUBCOMMANDS, 'cache', 'external', 'emulator']) expect(run.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    for (const code of ['0  success', '1  a gate', '2  usage', '3  AWS', '4  timeout']) expect(run.stdout).toContain(code);
  });

  it.each(SUBCOMMANDS)('%s --help shows its flags, the global flags, a worked example and the exit codes', async (name) => {
    const run = await runCli([name, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: access-advisor ${name}`);
    expect(run.stdout).toContain('Global Options:');
    expect(run.stdout).toContain('--endpoint-url');
    expect(run.stdout).toMatch(new RegExp(`\\$ access-advisor ${name} --`));
    expect(run.stdout).toContain('Exit codes:');
  });
});

describe('usage errors exit 2 with one line naming the problem', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown option', ['service-report', '--arn', ROLE, '--bogus'], /unknown option '--bogus'/],
    ['an unknown subcommand', ['frobnicate'], /unknown command 'frobnicate'/],
    ['a bad --output', ['service-report', '--arn', ROLE, '--output', 'xml'], /--output.*'xml'.*json, yaml, table, markdown/],
    ['a bad --granularity', ['service-report', '--arn', ROLE, '--granularity', 'FINE'], /--granularity.*'FINE'/],
    ['a bad ARN', ['service-report', '--arn', 'arn:aws:s3:::my-bucket'], /--arn: arn: "arn:aws:s3:::my-bucket" is not allowed/],
    ['a bad ARN among several', ['gate', '--arn', ROLE, '--arn', 'not-an-arn'], /--arn: arn: "not-an-arn"/],
    ['no ARN', ['service-report'], /--arn: no principal given/],
    ['--job-id with several ARNs', ['service-report', '--arn', ROLE, '--arn', `${ROLE}2`, '--job-id', 'x'.repeat(36)], /--job-id/],
    ['an --allow without a reason', ['gate', '--arn', ROLE, '--allow', 's3:GetObject'], /--allow.*PERMISSION=REASON/],
    ['a bad --unused-after-days', ['gate', '--arn', ROLE, '--unused-after-days', '-3'], /--unused-after-days.*"-3"/],
    ['a bad --timeout', ['service-report', '--arn', ROLE, '--timeout', 'soon'], /--timeout.*"soon"/],
    ['a bad --endpoint-url', ['service-report', '--arn', ROLE, '--endpoint-url', 'ftp://127.0.0.1'], /--endpoint-url/],
    ['a bad --query', ['service-report', '--arn', ROLE, '--query', 'servicesLastAccessed[?'], /--query: "servicesLastAccessed\[\?" is not a valid JMESPath/],
    ['--accept without --baseline', ['gate', '--arn', ROLE, '--accept'], /--accept: needs --baseline/],
    ['a missing --arns-from file', ['gate', '--arns-from', '/nonexistent/roles.txt'], /--arns-from: cannot read "\/nonexistent\/roles.txt" \(ENOENT\)/],
    ['a missing --policy file', ['tighten', '--arn', ROLE, '--policy', '/nonexistent/policy.json'], /--policy: cannot read/],
    ['a non-JSON policy', ['tighten', '--arn', ROLE, '--policy', '-'], /--policy: standard input is not valid JSON/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const run = await runCli(args, { input: 'not json' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^access-advisor: /);
    expect(lines[0]).toMatch(message);
  });
});

describe('AWS errors', () => {
  it('an unreachable endpoint exits 3 with one line naming the failure', async () => {
    const port = await closedPort();
    const run = await runCli(['service-report', '--arn', ROLE, '--endpoint-url', `http://127.0.0.1:${port}`, '--max-attempts', '2']);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^access-advisor: GenerateServiceLastAccessedDetails failed: .*ECONNREFUSED/);
    expect(run.stderr).not.toContain('wJalrXUtnFEMI');
  }, 60_000);

  it('--debug adds the error class, its fields and the stack after the one line', async () => {
    const run = await runCli(['service-report', '--arn', 'arn:aws:s3:::my-bucket', '--debug']);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^access-advisor: invalid --arn/);
    expect(lines.length).toBeGreaterThan(3);
    expect(run.stderr).toContain('InvalidRequestError {"field":"arn"');
    expect(run.stderr).toMatch(/at .*validate/);
  });
});

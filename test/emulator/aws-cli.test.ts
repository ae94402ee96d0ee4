import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

/**
 * The AWS CLI runs the documented access-advisor examples against `access-advisor emulator --world
 * examples/world.json`, and we assert on what the CLI parsed (its --output json).
 */
const root = path.join(__dirname, '..', '..');
const run = promisify(execFile);
let emulator: ChildProcess;
let endpoint: string;
let exited: Promise<number | null>;

const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  AWS_PAGER: '',
  AWS_EC2_METADATA_DISABLED: 'true',
};

// Debian's awscli package is AWS CLI v2; a pip-installed v1 earlier on PATH (pyenv shims) must not stand in for it.
const AWS_CLI = process.env.ACCESS_ADVISOR_AWS_CLI ?? '/usr/bin/aws';

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(AWS_CLI, ['iam', ...args, '--endpoint-url', endpoint, '--output', 'json'], { env, timeout: 60_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

async function poll(command: string, jobId: string, ...extra: string[]): Promise<Record<string, unknown>> {
  for (let i = 0; i < 20; i++) {
    const out = await aws(command, '--job-id', jobId, ...extra);
    if (out.JobStatus !== 'IN_PROGRESS') return out;
  }
  throw new Error(`${command} ${jobId} still IN_PROGRESS`);
}

beforeAll(async () => {
  const { stdout: version } = await run(AWS_CLI, ['--version'], { env });
  if (!/^aws-cli\/2\./.test(version)) throw new Error(`${AWS_CLI} is not AWS CLI v2: ${version.trim()}`);
  emulator = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'run-emulator-command.ts'), 'emulator', '--world', 'examples/world.json', '--port', '0', '--job-duration', '100'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  exited = new Promise<number | null>((resolve) => emulator.once('exit', (code) => resolve(code)));
  endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    emulator.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (m) resolve(m[1]!);
    });
    emulator.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${out}`)));
  });
}, 60_000);

afterAll(async () => {
  if (emulator.exitCode === null) emulator.kill('SIGTERM');
  await exited;
});

test('generate-* then get-* for the documented entity paths and policy ARNs', async () => {
  const paths = ['o-4fxmplt198/r-c3xb', 'o-4fxmplt198/r-c3xb/123456789012', 'o-4fxmplt198/r-c3xb/ou-c3xb-lmu7j2yg/234567890123'];
  const arns = ['arn:aws:iam::123456789012:policy/intern-boundary', 'arn:aws:iam::aws:policy/AdministratorAccess'];
  const generated = await Promise.all([
    ...paths.map((p) => aws('generate-organizations-access-report', '--entity-path', p)),
    ...arns.map((a) => aws('generate-service-last-accessed-details', '--arn', a)),
  ]);
  const jobIds = generated.map((g) => g.JobId as string);
  expect(jobIds.every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);

  const [rootReport, managementReport, memberReport] = await Promise.all(paths.map((_, i) => poll('get-organizations-access-report', jobIds[i]!)));
  const [boundary, admin] = await Promise.all(arns.map((_, i) => poll('get-service-last-accessed-details', jobIds[paths.length + i]!)));

  // Root: FullAWSAccess on the root allows every service; only member accounts' activity.
  expect(rootReport.JobStatus).toBe('COMPLETED');
  // The CLI has no paginator for it: the first page of 100 (default MaxItems), with a Marker for the next.
  expect([rootReport.IsTruncated, (rootReport.AccessDetails as unknown[]).length, typeof rootReport.Marker]).toEqual([true, 100, 'string']);
  expect(rootReport.NumberOfServicesAccessible).toBeGreaterThan(100);
  const rootUsed = (rootReport.AccessDetails as { EntityPath?: string }[]).filter((d) => d.EntityPath);
  expect(rootUsed.length).toBeGreaterThan(0);
  expect(rootUsed.every((d) => !d.EntityPath!.endsWith('/123456789012'))).toBe(true);

  // Management account: its own activity only.
  const mgmtUsed = (managementReport.AccessDetails as { EntityPath?: string }[]).filter((d) => d.EntityPath);
  expect(mgmtUsed.length).toBeGreaterThan(0);
  expect(new Set(mgmtUsed.map((d) => d.EntityPath))).toEqual(new Set(['o-4fxmplt198/r-c3xb/123456789012']));

  // Member account in the Workloads OU: the guardrail SCP narrows the services to its list.
  const memberServices = (memberReport.AccessDetails as { ServiceNamespace: string }[]).map((d) => d.ServiceNamespace);
  expect(memberReport.NumberOfServicesAccessible).toBe(memberServices.length);
  expect(memberServices).toContain('dynamodb');
  expect(memberServices).not.toContain('athena');
  const dynamodb = (memberReport.AccessDetails as Record<string, unknown>[]).find((d) => d.ServiceNamespace === 'dynamodb')!;
  expect(dynamodb).toMatchObject({ EntityPath: 'o-4fxmplt198/r-c3xb/ou-c3xb-lmu7j2yg/234567890123', TotalAuthenticatedEntities: 1 });

  // intern-boundary: the services it allows; interns used s3.
  const boundaryServices = boundary.ServicesLastAccessed as { ServiceNamespace: string; LastAuthenticatedEntity?: string; TotalAuthenticatedEntities: number }[];
  expect(boundaryServices.map((s) => s.ServiceNamespace)).toEqual(['cloudwatch', 'dynamodb', 'logs', 's3']);
  expect(boundaryServices.find((s) => s.ServiceNamespace === 's3')!.TotalAuthenticatedEntities).toBe(2);

  // AdministratorAccess: every service allowed, used by the admin user and the ops-admin role.
  expect(admin.JobStatus).toBe('COMPLETED');
  const adminEntities = new Set((admin.ServicesLastAccessed as { LastAuthenticatedEntity?: string }[]).map((s) => s.LastAuthenticatedEntity).filter(Boolean));
  expect(adminEntities).toEqual(new Set(['arn:aws:iam::123456789012:user/admin', 'arn:aws:iam::123456789012:role/ops-admin']));

  const entities = await aws('get-service-last-accessed-details-with-entities', '--job-id', jobIds[paths.length]!, '--service-namespace', 's3');
  expect((entities.EntityDetailsList as { EntityInfo: { Name: string } }[]).map((e) => e.EntityInfo.Name).sort()).toEqual(['alice', 'bob']);
}, 120_000);

test('ACTION_LEVEL for a role using dynamodb and sqs: tracked management actions, used and unused, no data-plane actions', async () => {
  const { JobId } = await aws('generate-service-last-accessed-details', '--arn', 'arn:aws:iam::123456789012:role/orders-service', '--granularity', 'ACTION_LEVEL');
  const report = await poll('get-service-last-accessed-details', JobId as string);
  expect([report.JobStatus, report.JobType]).toEqual(['COMPLETED', 'ACTION_LEVEL']);
  type Action = { ActionName: string; LastAccessedTime?: string; LastAccessedEntity?: string; LastAccessedRegion?: string };
  type Service = { ServiceName: string; ServiceNamespace: string; LastAuthenticated?: string; TrackedActionsLastAccessed?: Action[] };
  const services = Object.fromEntries((report.ServicesLastAccessed as Service[]).map((s) => [s.ServiceNamespace, s]));
  expect(Object.keys(services).sort()).toEqual(['dynamodb', 'sqs']);
  expect(services.dynamodb!.ServiceName).toBe('Amazon DynamoDB');
  const actions = (ns: string) => Object.fromEntries(services[ns]!.TrackedActionsLastAccessed!.map((a) => [a.ActionName, a]));
  const dynamodb = actions('dynamodb');
  const used = (a: Action | undefined) => a?.LastAccessedTime !== undefined;
  // Used management actions carry who, where and when (minute-truncated); unused ones only their name.
  expect(Object.keys(dynamodb).filter((n) => used(dynamodb[n])).sort()).toEqual(['CreateTable', 'DescribeTable', 'ListTables', 'UpdateTimeToLive']);
  expect(dynamodb.DescribeTable).toMatchObject({ LastAccessedEntity: 'arn:aws:iam::123456789012:role/orders-service', LastAccessedRegion: 'eu-west-1' });
  expect(dynamodb.DescribeTable!.LastAccessedTime).toMatch(/T\d{2}:\d{2}:00(\.0+)?(Z|\+00:00)$/);
  for (const unused of ['DeleteTable', 'UpdateTable', 'CreateBackup', 'DeleteBackup']) expect(dynamodb[unused]).toEqual({ ActionName: unused });
  // Data-plane actions are not tracked: never listed, used or not…
  for (const dataPlane of ['GetItem', 'PutItem', 'Query', 'Scan', 'BatchWriteItem', 'DeleteItem']) expect(dynamodb[dataPlane]).toBeUndefined();
  // …but they count for the service: its last access is yesterday's GetItem, newer than any tracked action's.
  const lastTracked = Math.max(...Object.values(dynamodb).filter(used).map((a) => Date.parse(a.LastAccessedTime!)));
  expect(Date.parse(services.dynamodb!.LastAuthenticated!)).toBeGreaterThan(lastTracked);
  const sqs = actions('sqs');
  expect(Object.keys(sqs).filter((n) => used(sqs[n])).sort()).toEqual(['CreateQueue', 'SetQueueAttributes']);
  expect(sqs.DeleteQueue).toEqual({ ActionName: 'DeleteQueue' });
  for (const dataPlane of ['SendMessage', 'ReceiveMessage', 'DeleteMessage']) expect(sqs[dataPlane]).toBeUndefined();
}, 120_000);

test('the CLI sees a wrong secret as an error, and the emulator stops cleanly on SIGTERM', async () => {
  await expect(
    run(AWS_CLI, ['iam', 'get-user', '--endpoint-url', endpoint, '--output', 'json'], { env: { ...env, AWS_SECRET_ACCESS_KEY: 'wrong' }, timeout: 60_000 }),
  ).rejects.toMatchObject({ stderr: expect.stringContaining('SignatureDoesNotMatch') });
  emulator.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 120_000);

import {
  GenerateServiceLastAccessedDetailsCommand,
  GetRoleCommand,
  GetServiceLastAccessedDetailsCommand,
  GetUserCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
// The SDK's own STS client: the one `fromTemporaryCredentials` uses (no separate @aws-sdk/client-sts dependency).
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { ADMIN_KEY, ALICE_KEY, MEMBER, MGMT, arn, client, expectAwsError, rawQuery, testWorld, untilDone } from './helpers';

const START = Date.parse('2026-03-01T12:00:00Z');
const DEPLOYER = arn(MGMT, 'role', 'app-deployer');

let emulator: RunningEmulator;
let nowMs = START;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  // An injected clock: expiry is tested by moving it, not by waiting.
  emulator = await startEmulator({
    world: testWorld({ roles: [...testWorld().roles!, { account: MGMT, name: 'long-sessions', maxSessionDuration: 7200 }] }),
    port: 0,
    jobs: { durationMs: 20 },
    now: () => new Date(nowMs),
  });
});
afterEach(() => {
  nowMs = START;
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await emulator.close();
});

function sts(credentials: { accessKeyId: string; secretAccessKey: string } = ADMIN_KEY): STSClient {
  const c = new STSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  clients.push(c);
  return c;
}

function iamAs(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): IAMClient {
  const c = new IAMClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  clients.push(c);
  return c;
}

async function assume(roleArn = DEPLOYER, sessionName = 'ci-session', caller = sts()) {
  const out = await caller.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }));
  const c = out.Credentials!;
  return { out, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } };
}

describe('STS AssumeRole through the SDK', () => {
  test('temporary credentials and the assumed-role user have STS shapes', async () => {
    const { out } = await assume();
    const c = out.Credentials!;
    expect(c.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(c.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(c.SessionToken!.length).toBeGreaterThan(100);
    expect(c.Expiration).toBeInstanceOf(Date);
    expect(c.Expiration!.getTime()).toBe(START + 3600 * 1000); // the default DurationSeconds on the emulator clock
    const { Role } = await client(emulator.endpoint).send(new GetRoleCommand({ RoleName: 'app-deployer' }));
    expect(out.AssumedRoleUser).toEqual({
      AssumedRoleId: `${Role!.RoleId}:ci-session`,
      Arn: `arn:aws:sts::${MGMT}:assumed-role/app-deployer/ci-session`,
    });
    expect(Role!.RoleId).toMatch(/^AROA/);
  });

  test('each AssumeRole issues distinct credentials', async () => {
    const a = await assume();
    const b = await assume();
    expect(a.credentials.accessKeyId).not.toBe(b.credentials.accessKeyId);
    expect(a.credentials.sessionToken).not.toBe(b.credentials.sessionToken);
  });

  test('DurationSeconds: within the role maximum it sets Expiration; below 900 or above the maximum → 400 ValidationError', async () => {
    const long = await sts().send(
      new AssumeRoleCommand({ RoleArn: arn(MGMT, 'role', 'long-sessions'), RoleSessionName: 'long', DurationSeconds: 7200 }),
    );
    expect(long.Credentials!.Expiration!.getTime()).toBe(START + 7200 * 1000);
    await expectAwsError(sts().send(new AssumeRoleCommand({ RoleArn: DEPLOYER, RoleSessionName: 's1', DurationSeconds: 899 })), 'ValidationError', 400);
    await expectAwsError(sts().send(new AssumeRoleCommand({ RoleArn: DEPLOYER, RoleSessionName: 's1', DurationSeconds: 3601 })), 'ValidationError', 400);
  });

  test('unknown role, a role of another account, a user ARN → 403 AccessDenied naming caller and resource', async () => {
    const unknown = arn(MGMT, 'role', 'no-such-role');
    const error = await expectAwsError(sts().send(new AssumeRoleCommand({ RoleArn: unknown, RoleSessionName: 'ci' })), 'AccessDenied', 403);
    expect(error.message).toBe(`User: ${arn(MGMT, 'user', 'admin')} is not authorized to perform: sts:AssumeRole on resource: ${unknown}`);
    await expectAwsError(sts().send(new AssumeRoleCommand({ RoleArn: arn(MEMBER, 'role', 'member-app'), RoleSessionName: 'ci' })), 'AccessDenied', 403);
    await expectAwsError(sts().send(new AssumeRoleCommand({ RoleArn: arn(MGMT, 'user', 'alice'), RoleSessionName: 'ci' })), 'AccessDenied', 403);
  });

  test('RoleSessionName must match [\\w+=,.@-]{2,64}', async () => {
    for (const bad of ['x', 'has space', 'a'.repeat(65), 'slash/no']) {
      await expectAwsError(sts().send(new AssumeRoleCommand({ RoleArn: DEPLOYER, RoleSessionName: bad })), 'ValidationError', 400);
    }
    for (const good of ['ab', 'user+name=x,y.z@corp-1', 'a'.repeat(64)]) {
      const out = await sts().send(new AssumeRoleCommand({ RoleArn: DEPLOYER, RoleSessionName: good }));
      expect(out.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${MGMT}:assumed-role/app-deployer/${good}`);
    }
  });

  test('any principal with a key may assume a role of its account (trust policies are not evaluated)', async () => {
    const { out } = await assume(DEPLOYER, 'alice-session', sts(ALICE_KEY));
    expect(out.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${MGMT}:assumed-role/app-deployer/alice-session`);
  });

  test('an unknown access key → 403 InvalidClientTokenId', async () => {
    await expectAwsError(
      sts({ accessKeyId: 'AKIANOTINTHEWORLD001', secretAccessKey: 'x' }).send(new AssumeRoleCommand({ RoleArn: DEPLOYER, RoleSessionName: 'ci' })),
      'InvalidClientTokenId',
      403,
    );
  });

  test('AssumeRole is counted in metrics like any Action, rejected calls included', async () => {
    emulator.resetMetrics();
    await assume();
    await expectAwsError(sts().send(new AssumeRoleCommand({ RoleArn: arn(MGMT, 'role', 'nope-role'), RoleSessionName: 'ci' })), 'AccessDenied', 403);
    const metrics = emulator.metrics();
    expect(metrics.calls['AssumeRole']).toBe(2);
    expect(metrics.totalCalls).toBe(2);
  });
});

describe('requests signed with the issued credentials', () => {
  test('act as the role: GetRole works, GetUser without a name is refused as for any non-user caller', async () => {
    const { credentials } = await assume();
    const asRole = iamAs(credentials);
    const { Role } = await asRole.send(new GetRoleCommand({ RoleName: 'app-deployer' }));
    expect(Role!.Arn).toBe(DEPLOYER);
    await expectAwsError(asRole.send(new GetUserCommand({})), 'ValidationError', 400);
  });

  test('a wrong or missing session token → 403 InvalidClientTokenId', async () => {
    const { credentials } = await assume();
    await expectAwsError(iamAs({ ...credentials, sessionToken: `${credentials.sessionToken.slice(0, -1)}X` }).send(new GetRoleCommand({ RoleName: 'app-deployer' })), 'InvalidClientTokenId', 403);
    const { sessionToken: _dropped, ...withoutToken } = credentials;
    await expectAwsError(iamAs(withoutToken).send(new GetRoleCommand({ RoleName: 'app-deployer' })), 'InvalidClientTokenId', 403);
    // Another session's token does not unlock this key either.
    const other = await assume();
    await expectAwsError(iamAs({ ...credentials, sessionToken: other.credentials.sessionToken }).send(new GetRoleCommand({ RoleName: 'app-deployer' })), 'InvalidClientTokenId', 403);
  });

  test('once the emulator clock passes Expiration → 403 ExpiredToken', async () => {
    const { credentials } = await assume();
    nowMs = START + 3600 * 1000 - 1000;
    await iamAs(credentials).send(new GetRoleCommand({ RoleName: 'app-deployer' }));
    nowMs = START + 3600 * 1000;
    await expectAwsError(iamAs(credentials).send(new GetRoleCommand({ RoleName: 'app-deployer' })), 'ExpiredToken', 403);
  });

  test('job ownership follows the session: the original user cannot read the role session’s job, and vice versa', async () => {
    const { credentials } = await assume();
    const asRole = iamAs(credentials);
    const admin = client(emulator.endpoint);
    clients.push(admin);
    const { JobId: roleJob } = await asRole.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: DEPLOYER }));
    await expectAwsError(admin.send(new GetServiceLastAccessedDetailsCommand({ JobId: roleJob })), 'NoSuchEntity', 404);
    const { result } = await untilDone(() => asRole.send(new GetServiceLastAccessedDetailsCommand({ JobId: roleJob })));
    expect(result.JobStatus).toBe('COMPLETED');
    // IAM: with temporary credentials, the report must be generated and read in the same session. Another session
    // of the same role meets the error another principal meets.
    const again = await assume(DEPLOYER, 'second-session');
    await expectAwsError(iamAs(again.credentials).send(new GetServiceLastAccessedDetailsCommand({ JobId: roleJob })), 'NoSuchEntity', 404);
    const { JobId: adminJob } = await admin.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: DEPLOYER }));
    await expectAwsError(asRole.send(new GetServiceLastAccessedDetailsCommand({ JobId: adminJob })), 'NoSuchEntity', 404);
  });
});

const raw = (body: string, service: 'iam' | 'sts') => rawQuery(emulator.endpoint, body, { service });

describe('STS on the wire', () => {
  const body = `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(DEPLOYER)}&RoleSessionName=wire`;

  test('AssumeRoleResponse in the STS namespace, Expiration to the second', async () => {
    const r = await raw(body, 'sts');
    expect(r.status).toBe(200);
    expect(r.text).toMatch(
      /<AssumeRoleResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><AssumeRoleResult><Credentials><AccessKeyId>ASIA[A-Z2-7]{16}<\/AccessKeyId><SecretAccessKey>[^<]{40}<\/SecretAccessKey><SessionToken>[^<]+<\/SessionToken><Expiration>2026-03-01T13:00:00Z<\/Expiration><\/Credentials><AssumedRoleUser><AssumedRoleId>AROA[^<]+:wire<\/AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role\/app-deployer\/wire<\/Arn><\/AssumedRoleUser><\/AssumeRoleResult><ResponseMetadata><RequestId>/,
    );
    expect(r.text).toContain(`<RequestId>${r.requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`);
  });

  test('signed for the wrong service: AssumeRole scoped to iam, an IAM Action scoped to sts → 403 SignatureDoesNotMatch', async () => {
    const wrongForSts = await raw(body, 'iam');
    expect([wrongForSts.status, /<Code>SignatureDoesNotMatch<\/Code>/.test(wrongForSts.text), wrongForSts.text.includes('sts.amazonaws.com/doc')]).toEqual([403, true, true]);
    const wrongForIam = await raw('Action=GetUser&Version=2010-05-08', 'sts');
    expect([wrongForIam.status, /<Code>SignatureDoesNotMatch<\/Code>/.test(wrongForIam.text)]).toEqual([403, true]);
  });
});

import {
  GenerateOrganizationsAccessReportCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetOrganizationsAccessReportCommand,
  GetServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsWithEntitiesCommand,
  GetUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { ALICE_KEY, MGMT, arn, client, expectAwsError, testWorld, untilDone } from './helpers';

const ORG = 'o-4fxmplt198/r-c3xb';

describe('jobs', () => {
  let emulator: RunningEmulator;
  let iam: IAMClient;
  beforeAll(async () => {
    emulator = await startEmulator({
      world: testWorld(),
      jobs: { durationMs: 50, maxConcurrentOrgJobs: 2, failTargets: [arn(MGMT, 'role', 'app-deployer'), `${ORG}/ou-c3xb-lmu7j2yg/`] },
    });
    iam = client(emulator.endpoint);
  });
  afterAll(async () => {
    iam.destroy();
    await emulator.close();
  });

  test('a failing service job ends FAILED with Error{Code,Message} and an empty list', async () => {
    const { JobId } = await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn(MGMT, 'role', 'app-deployer') }));
    const { result } = await untilDone(() => iam.send(new GetServiceLastAccessedDetailsCommand({ JobId })));
    expect(result.JobStatus).toBe('FAILED');
    expect(result.ServicesLastAccessed).toEqual([]);
    expect(result.JobCompletionDate).toBeInstanceOf(Date);
    expect(result.Error).toEqual({ Code: expect.any(String), Message: expect.stringContaining('app-deployer') });
    const entities = await iam.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId, ServiceNamespace: 's3' }));
    expect([entities.JobStatus, entities.EntityDetailsList, typeof entities.Error?.Code]).toEqual(['FAILED', [], 'string']);
  });

  test('a failing organizations job ends FAILED with ErrorDetails{Code,Message}', async () => {
    const { JobId } = await iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: `${ORG}/ou-c3xb-lmu7j2yg` }));
    const { result } = await untilDone(() => iam.send(new GetOrganizationsAccessReportCommand({ JobId })));
    expect(result.JobStatus).toBe('FAILED');
    expect(result.ErrorDetails).toEqual({ Code: expect.any(String), Message: expect.stringContaining('ou-c3xb-lmu7j2yg') });
    expect(result.AccessDetails).toBeUndefined();
  });

  test('more IN_PROGRESS organizations jobs than allowed → 409 ReportGenerationLimitExceeded, free again once they finish', async () => {
    emulator.setJobs({ durationMs: 60_000 });
    const a = await iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: ORG }));
    const b = await iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: ORG }));
    await expectAwsError(iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: ORG })), 'ReportGenerationLimitExceeded', 409);
    // Service jobs are not limited by it.
    await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn(MGMT, 'user', 'admin') }));
    emulator.forgetJob(a.JobId!);
    emulator.forgetJob(b.JobId!);
    emulator.setJobs({ durationMs: 50 });
    const c = await iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: ORG }));
    expect(c.JobId).toHaveLength(36);
    expect(emulator.metrics().jobsGenerated.organizations).toBeGreaterThanOrEqual(4);
  });
});

describe('faults', () => {
  test('throttling is a token bucket per account: 400 Throttling "Rate exceeded", other accounts unaffected', async () => {
    const world = testWorld();
    const emulator = await startEmulator({ world, faults: { throttle: { requestsPerSecond: 0.001, burst: 3 } } });
    const admin = client(emulator.endpoint);
    const alice = client(emulator.endpoint, ALICE_KEY); // same account as admin
    const member = client(emulator.endpoint, { accessKeyId: 'AKIAMEMBEREXAMPLE001', secretAccessKey: 'member/secret/EXAMPLEKEY' });
    try {
      for (let i = 0; i < 3; i++) await admin.send(new GetUserCommand({}));
      const e = await expectAwsError(alice.send(new GetUserCommand({})), 'Throttling', 400);
      expect(e.message).toBe('Rate exceeded');
      expect((e as unknown as { Type?: string }).Type).toBe('Sender');
      await member.send(new GetUserCommand({})); // another account has its own bucket
      expect(emulator.metrics()).toMatchObject({ throttled: 1, throttledCalls: { GetUser: 1 }, totalCalls: 5, calls: { GetUser: 5 } });
    } finally {
      admin.destroy();
      alice.destroy();
      member.destroy();
      await emulator.close();
    }
  });

  test('the SDK retries a throttled call by itself (standard retry mode)', async () => {
    const emulator = await startEmulator({ world: testWorld(), faults: { throttle: { requestsPerSecond: 20, burst: 1 } } });
    const sdk = client(emulator.endpoint, undefined, 5);
    try {
      await sdk.send(new GetUserCommand({}));
      const out = await sdk.send(new GetUserCommand({}));
      expect(out.User!.UserName).toBe('admin');
      expect(out.$metadata.attempts).toBeGreaterThan(1);
      expect(emulator.metrics().throttled).toBeGreaterThanOrEqual(1);
    } finally {
      sdk.destroy();
      await emulator.close();
    }
  });

  test('5xx rate → 500 ServiceFailure, deterministic for a seed', async () => {
    const outcomes = async (seed: number) => {
      const emulator = await startEmulator({ world: testWorld(), seed, faults: { serverErrorRate: 0.5 } });
      const sdk = client(emulator.endpoint);
      const seen: string[] = [];
      try {
        for (let i = 0; i < 20; i++) {
          seen.push(await sdk.send(new GetUserCommand({})).then(() => 'ok', (e: { name: string; $metadata: { httpStatusCode: number } }) => `${e.name}:${e.$metadata.httpStatusCode}`));
        }
        expect(emulator.metrics().serverErrors).toBe(seen.filter((s) => s !== 'ok').length);
      } finally {
        sdk.destroy();
        await emulator.close();
      }
      return seen;
    };
    const first = await outcomes(7);
    expect(new Set(first)).toEqual(new Set(['ok', 'ServiceFailureException:500']));
    expect(await outcomes(7)).toEqual(first);
    expect(await outcomes(8)).not.toEqual(first);
  });

  test('dropped connections: the socket closes without a response; counted in metrics', async () => {
    const emulator = await startEmulator({ world: testWorld(), seed: 3, faults: { dropConnectionRate: 1 } });
    const sdk = client(emulator.endpoint);
    try {
      await expect(sdk.send(new GetUserCommand({}))).rejects.toThrow();
      expect(emulator.metrics().droppedConnections).toBe(1);
      emulator.setFaults({ dropConnectionRate: 0 });
      expect((await sdk.send(new GetUserCommand({}))).User!.UserName).toBe('admin');
    } finally {
      sdk.destroy();
      await emulator.close();
    }
  });

  test('latency holds requests: concurrent requests overlap (maxInFlight), metrics count every call and reset', async () => {
    const emulator = await startEmulator({ world: testWorld(), faults: { latencyMs: { min: 100, max: 150 } } });
    const sdk = client(emulator.endpoint);
    try {
      await Promise.all(Array.from({ length: 4 }, () => sdk.send(new GetUserCommand({}))));
      await sdk.send(new GetUserCommand({ UserName: 'nobody' })).catch(() => undefined);
      const m = emulator.metrics();
      expect(m.maxInFlight).toBeGreaterThanOrEqual(2);
      expect(m.calls.GetUser).toBe(5); // rejected calls count too
      emulator.resetMetrics();
      expect(emulator.metrics()).toMatchObject({ totalCalls: 0, calls: {}, throttled: 0 });
    } finally {
      sdk.destroy();
      await emulator.close();
    }
  });
});

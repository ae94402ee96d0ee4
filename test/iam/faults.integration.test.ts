import {
  AbortedError,
  AwsRequestError,
  JobFailedError,
  JobMismatchError,
  JobTimeoutError,
  runOrganizationsAccessReport,
  runReports,
  runServiceLastAccessedReport,
  type ReportRequest,
} from '../../src';
import type { RunningEmulator } from '../../src/emulator/types';
import { options, ProgressLog, startTestEmulator } from './harness';
import { ARNS, PATHS, SECRET_KEY } from './world';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ jobs: { durationMs: 30, failTargets: [ARNS.broken] } });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.resetMetrics();
  emu.setJobs({ durationMs: 30, maxConcurrentOrgJobs: 5 });
  emu.setFaults({ throttle: null, serverErrorRate: 0, dropConnectionRate: 0, latencyMs: 0 });
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

it('slow job: keeps polling with backoff until COMPLETED', async () => {
  // 1.5 s against polls at most 40 ms apart: even a machine that stalls the test for a second sees it running twice.
  emu.setJobs({ durationMs: 1500 });
  const log = new ProgressLog();
  const report = await runServiceLastAccessedReport({ arn: ARNS.deployer }, options(emu, { onProgress: log.listener }));
  expect(report.jobStatus).toBe('COMPLETED');
  expect(log.polls()).toBeGreaterThan(2);
  expect(emu.metrics().calls.GetServiceLastAccessedDetails).toBe(log.polls());
  expect(emu.metrics().calls.GenerateServiceLastAccessedDetails).toBe(1);
});

it('FAILED job: JobFailedError with AWS code, message, job id and request', async () => {
  const err = await rejection(runServiceLastAccessedReport({ arn: ARNS.broken }, options(emu)));
  expect(err).toBeInstanceOf(JobFailedError);
  const e = err as JobFailedError;
  expect(e.jobId).toHaveLength(36);
  expect(e.awsCode.length).toBeGreaterThan(0);
  expect(e.awsMessage.length).toBeGreaterThan(0);
  expect(e.request).toMatchObject({ kind: 'service-last-accessed', arn: ARNS.broken });
  expect(e.kind).toBe('aws');
  expect(emu.metrics().calls.GenerateServiceLastAccessedDetails).toBe(1);
});

it('throttling burst: the SDK retries and every report completes', async () => {
  emu.setFaults({ throttle: { requestsPerSecond: 20, burst: 3 } });
  const requests: ReportRequest[] = [ARNS.alice, ARNS.deployer, ARNS.devs, ARNS.readS3, ARNS.readOnly, ARNS.admin].map((arn) => ({
    kind: 'service-last-accessed',
    arn,
  }));
  const results = await runReports(requests, { ...options(emu), requestsPerSecond: 1000 });
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(emu.metrics().throttled).toBeGreaterThan(0);
  expect(emu.metrics().jobsGenerated.service).toBe(6);
});

it('client-side limiter below the account throttle: the server never throttles', async () => {
  // The limiter's burst is one second at its ceiling (25 here), so the account bucket must hold at least that.
  emu.setFaults({ throttle: { requestsPerSecond: 40, burst: 40 } });
  const requests: ReportRequest[] = [ARNS.alice, ARNS.deployer, ARNS.devs, ARNS.readS3, ARNS.readOnly, ARNS.admin].map((arn) => ({
    kind: 'service-last-accessed',
    arn,
    granularity: 'ACTION_LEVEL',
  }));
  const results = await runReports(requests, { ...options(emu), requestsPerSecond: 25 });
  expect(results.every((r) => r.ok)).toBe(true);
  expect(emu.metrics().throttled).toBe(0);
  expect(emu.metrics().totalCalls).toBeGreaterThanOrEqual(18);
});

it('5xx: retried, reports complete', async () => {
  emu.setFaults({ serverErrorRate: 0.2 });
  const requests: ReportRequest[] = [ARNS.alice, ARNS.deployer, ARNS.devs, ARNS.readS3].map((arn) => ({ kind: 'service-last-accessed', arn }));
  const results = await runReports(requests, options(emu));
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(emu.metrics().serverErrors).toBeGreaterThan(0);
});

it('dropped connections: retried, reports complete', async () => {
  emu.setFaults({ dropConnectionRate: 0.2 });
  const requests: ReportRequest[] = [ARNS.alice, ARNS.deployer, ARNS.devs, ARNS.readS3].map((arn) => ({ kind: 'service-last-accessed', arn }));
  const results = await runReports(requests, options(emu));
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(emu.metrics().droppedConnections).toBeGreaterThan(0);
});

it('unreachable endpoint: AwsRequestError NetworkingError', async () => {
  const err = await rejection(
    runServiceLastAccessedReport({ arn: ARNS.alice }, options(emu, { endpoint: 'http://127.0.0.1:1', maxAttempts: 1 })),
  );
  expect(err).toBeInstanceOf(AwsRequestError);
  expect((err as AwsRequestError).awsCode).toBe('NetworkingError');
  expect((err as AwsRequestError).operation).toBe('GenerateServiceLastAccessedDetails');
});

it('ReportGenerationLimitExceeded: waits and retries the generate', async () => {
  emu.setJobs({ maxConcurrentOrgJobs: 1, durationMs: 80 });
  const requests: ReportRequest[] = [PATHS.root, PATHS.ou, PATHS.member, PATHS.management].map((entityPath) => ({
    kind: 'organizations-access',
    entityPath,
  }));
  const results = await runReports(requests, options(emu));
  expect(results.filter((r) => !r.ok)).toEqual([]);
  const m = emu.metrics();
  expect(m.jobsGenerated.organizations).toBe(4);
  expect(m.calls.GenerateOrganizationsAccessReport).toBeGreaterThan(4);
});

it('vanished job: regenerates once and completes', async () => {
  emu.setJobs({ durationMs: 150 });
  const forgotten: string[] = [];
  const report = await runServiceLastAccessedReport(
    { arn: ARNS.alice },
    options(emu, {
      onProgress: (e) => {
        if (e.phase === 'waiting' && e.jobId && (e.polls ?? 0) >= 1 && forgotten.length === 0) {
          forgotten.push(e.jobId);
          emu.forgetJob(e.jobId);
        }
      },
    }),
  );
  expect(forgotten).toHaveLength(1);
  expect(report.jobId).not.toBe(forgotten[0]);
  expect(emu.metrics().calls.GenerateServiceLastAccessedDetails).toBe(2);
});

it('vanished twice: fails with NoSuchEntity after one regenerate', async () => {
  emu.setJobs({ durationMs: 150 });
  const err = await rejection(
    runServiceLastAccessedReport(
      { arn: ARNS.alice },
      options(emu, {
        onProgress: (e) => {
          if (e.phase === 'waiting' && e.jobId && (e.polls ?? 0) >= 1) emu.forgetJob(e.jobId);
        },
      }),
    ),
  );
  expect(err).toBeInstanceOf(AwsRequestError);
  expect((err as AwsRequestError).awsCode).toBe('NoSuchEntity');
  expect(emu.metrics().calls.GenerateServiceLastAccessedDetails).toBe(2);
});

it('timeout: JobTimeoutError names the job; resuming it with jobId completes without a new generate', async () => {
  emu.setJobs({ durationMs: 1500 });
  const err = await rejection(runServiceLastAccessedReport({ arn: ARNS.deployer }, options(emu, { timeoutMs: 150 })));
  expect(err).toBeInstanceOf(JobTimeoutError);
  const timeout = err as JobTimeoutError;
  expect(timeout.jobId).toHaveLength(36);
  expect(timeout.message).toContain(timeout.jobId!);
  expect(timeout.kind).toBe('timeout');
  const log = new ProgressLog();
  const report = await runServiceLastAccessedReport({ arn: ARNS.deployer }, options(emu, { jobId: timeout.jobId!, onProgress: log.listener }));
  expect(report.jobId).toBe(timeout.jobId);
  expect(log.phases()).not.toContain('generating');
  expect(emu.metrics().calls.GenerateServiceLastAccessedDetails).toBe(1);
});

it('abort: AbortedError with the job id, no further calls', async () => {
  emu.setJobs({ durationMs: 2000 });
  const controller = new AbortController();
  const err = await rejection(
    runOrganizationsAccessReport(
      { entityPath: PATHS.root },
      options(emu, {
        signal: controller.signal,
        onProgress: (e) => {
          if (e.phase === 'waiting' && (e.polls ?? 0) >= 1) controller.abort();
        },
      }),
    ),
  );
  expect(err).toBeInstanceOf(AbortedError);
  expect((err as AbortedError).jobId).toHaveLength(36);
  const calls = emu.metrics().totalCalls;
  await new Promise((r) => setTimeout(r, 100));
  expect(emu.metrics().totalCalls).toBe(calls);
});

it('resume a completed service job by JobId: no generate, one Get', async () => {
  const first = await runServiceLastAccessedReport({ arn: ARNS.deployer }, options(emu));
  emu.resetMetrics();
  const again = await runServiceLastAccessedReport({ arn: ARNS.deployer }, options(emu, { jobId: first.jobId }));
  expect(again.servicesLastAccessed).toEqual(first.servicesLastAccessed);
  expect(emu.metrics().calls).toEqual({ GetRole: 1, GetServiceLastAccessedDetails: 1 });
});

it('an Organizations job cannot be resumed, even its own (IAM does not say whose it is): JobMismatchError before any call', async () => {
  const first = await runOrganizationsAccessReport({ entityPath: PATHS.ou, sortKey: 'SERVICE_NAMESPACE_DESCENDING' }, options(emu));
  emu.resetMetrics();
  const err = await rejection(
    runOrganizationsAccessReport({ entityPath: PATHS.ou, sortKey: 'SERVICE_NAMESPACE_DESCENDING' }, options(emu, { jobId: first.jobId })),
  );
  expect(err).toBeInstanceOf(JobMismatchError);
  expect((err as Error).message).toMatch(/resumed Organizations job is refused/);
  expect(emu.metrics().calls).toEqual({});
});

it('resume an unknown job: NoSuchEntity, no generate', async () => {
  const err = await rejection(
    runServiceLastAccessedReport({ arn: ARNS.alice }, options(emu, { jobId: '00000000-0000-0000-0000-000000000000' })),
  );
  expect((err as AwsRequestError).awsCode).toBe('NoSuchEntity');
  expect(emu.metrics().calls.GenerateServiceLastAccessedDetails).toBeUndefined();
});

it('wrong secret: AwsRequestError 403, the secret appears nowhere', async () => {
  const wrong = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-the-secret-at-all-000000000000000000' };
  const err = await rejection(runServiceLastAccessedReport({ arn: ARNS.alice }, options(emu, { credentials: wrong })));
  expect(err).toBeInstanceOf(AwsRequestError);
  const e = err as AwsRequestError;
  expect(e.httpStatusCode).toBe(403);
  expect(e.awsCode).toBe('SignatureDoesNotMatch');
  const text = JSON.stringify({ ...e, message: e.message, stack: e.stack });
  expect(text).not.toContain(wrong.secretAccessKey);
  expect(text).not.toContain(SECRET_KEY);
  expect(text).not.toContain(wrong.accessKeyId);
});

it('unknown access key: AwsRequestError 403 InvalidClientTokenId', async () => {
  const err = await rejection(
    runServiceLastAccessedReport(
      { arn: ARNS.alice },
      options(emu, { credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) } }),
    ),
  );
  expect((err as AwsRequestError).httpStatusCode).toBe(403);
  expect((err as AwsRequestError).awsCode).toBe('InvalidClientTokenId');
});

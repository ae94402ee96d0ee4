import {
  InvalidRequestError,
  JobFailedError,
  reportRequestKey,
  runReports,
  runServiceLastAccessedReport,
  type ProgressEvent,
  type ReportRequest,
} from '../../src';
import type { RunningEmulator } from '../../src/emulator/types';
import { options, startTestEmulator } from './harness';
import { ARNS, CREDENTIALS, PATHS, SCP_FULL } from './world';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ jobs: { durationMs: 30, failTargets: [ARNS.broken] } });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.resetMetrics();
  emu.setFaults({ latencyMs: 0 });
});

const service = (arn: string, extra: Partial<Extract<ReportRequest, { kind: 'service-last-accessed' }>> = {}): ReportRequest => ({
  kind: 'service-last-accessed',
  arn,
  ...extra,
});

it('results come back in input order, duplicates run once and share the report', async () => {
  const requests: ReportRequest[] = [
    service(ARNS.alice),
    service(ARNS.deployer, { granularity: 'SERVICE_LEVEL' }),
    service(ARNS.alice, { granularity: 'ACTION_LEVEL', withEntities: false }), // same as #0 once defaults are filled
    { kind: 'organizations-access', entityPath: PATHS.root, organizationsPolicyId: SCP_FULL },
    service(ARNS.deployer, { granularity: 'SERVICE_LEVEL' }),
    { kind: 'organizations-access', organizationsPolicyId: SCP_FULL, entityPath: PATHS.root },
    service(ARNS.deployer), // the default (ACTION_LEVEL), another granularity: its own job
  ];
  const results = await runReports(requests, options(emu));
  expect(results.map((r) => r.request)).toEqual(requests);
  expect(results.every((r) => r.ok)).toBe(true);
  const jobIds = results.map((r) => (r.ok ? r.report.jobId : ''));
  expect(jobIds[2]).toBe(jobIds[0]);
  expect(jobIds[4]).toBe(jobIds[1]);
  expect(jobIds[5]).toBe(jobIds[3]);
  expect(new Set(jobIds).size).toBe(4);
  const m = emu.metrics();
  expect(m.jobsGenerated).toEqual({ service: 3, organizations: 1 });
  expect(m.calls.GenerateServiceLastAccessedDetails).toBe(3);
  expect(m.calls.GenerateOrganizationsAccessReport).toBe(1);
  expect(new Set(requests.map(reportRequestKey)).size).toBe(4);
});

it('one failure does not lose the others; invalid requests fail alone, before any call', async () => {
  const requests: ReportRequest[] = [
    service(ARNS.alice),
    service(ARNS.broken),
    service('arn:aws:iam::123456789012:bucket/nope'),
    service(ARNS.devs),
  ];
  const results = await runReports(requests, options(emu));
  expect(results.map((r) => r.ok)).toEqual([true, false, false, true]);
  const [, failed, invalid] = results;
  expect(!failed!.ok && failed!.error).toBeInstanceOf(JobFailedError);
  expect(!invalid!.ok && invalid!.error).toBeInstanceOf(InvalidRequestError);
  expect(emu.metrics().jobsGenerated.service).toBe(3);
});

it('only invalid requests: no client, no calls', async () => {
  const results = await runReports([service('not-an-arn-but-long-enough')], options(emu));
  expect(results[0]!.ok).toBe(false);
  expect(emu.metrics().totalCalls).toBe(0);
});

it('concurrency caps the requests in flight across the whole run', async () => {
  emu.setFaults({ latencyMs: 15 });
  const arns = [ARNS.alice, ARNS.deployer, ARNS.devs, ARNS.readS3, ARNS.readOnly, ARNS.admin];
  const requests = arns.flatMap((arn) => [service(arn), service(arn, { granularity: 'SERVICE_LEVEL' })]);
  const results = await runReports(requests, { ...options(emu), concurrency: 3 });
  expect(results.every((r) => r.ok)).toBe(true);
  const m = emu.metrics();
  expect(m.maxInFlight).toBeLessThanOrEqual(3);
  expect(m.maxInFlight).toBeGreaterThan(1);
  expect(m.jobsGenerated.service).toBe(12);
});

it('API calls per report: one generate + polls + pages (+ one create-date read)', async () => {
  const events: ProgressEvent[] = [];
  const requests = [ARNS.alice, ARNS.deployer, ARNS.readS3].map((arn) => service(arn));
  const results = await runReports(requests, { ...options(emu), onProgress: (e) => events.push(e) });
  let expectedGets = 0;
  for (const r of results) {
    if (!r.ok) throw r.error;
    const mine = events.filter((e) => e.jobId === r.report.jobId);
    const polls = Math.max(0, ...mine.filter((e) => e.phase === 'waiting').map((e) => e.polls ?? 0)) + 1;
    const pages = Math.max(...mine.filter((e) => e.phase === 'paging').map((e) => e.pages ?? 0));
    expectedGets += polls + pages - 1;
    expect(mine.at(-1)!.phase).toBe('done');
  }
  const m = emu.metrics();
  expect(m.calls.GenerateServiceLastAccessedDetails).toBe(3);
  expect(m.calls.GetServiceLastAccessedDetails).toBe(expectedGets);
  expect((m.calls.GetUser ?? 0) + (m.calls.GetRole ?? 0) + (m.calls.GetPolicy ?? 0)).toBe(3);
});

it('readPrincipalCreateDate: false saves the create-date call', async () => {
  const report = await runServiceLastAccessedReport({ arn: ARNS.deployer }, { ...options(emu), readPrincipalCreateDate: false });
  expect(report.principalCreateDate).toBeUndefined();
  expect(emu.metrics().calls.GetRole).toBeUndefined();
  expect(emu.metrics().calls.GenerateServiceLastAccessedDetails).toBe(1);
});

it('honours AWS_ENDPOINT_URL_IAM when no endpoint is given (as the SDK does)', async () => {
  const saved = { iam: process.env.AWS_ENDPOINT_URL_IAM, any: process.env.AWS_ENDPOINT_URL };
  process.env.AWS_ENDPOINT_URL_IAM = emu.endpoint;
  process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:1'; // the service-specific variable wins
  try {
    const report = await runServiceLastAccessedReport(
      { arn: ARNS.alice },
      { credentials: CREDENTIALS, region: 'us-east-1', pollSchedule: { firstDelayMs: 10, maxDelayMs: 40 } },
    );
    expect(report.jobStatus).toBe('COMPLETED');
    expect(emu.metrics().calls.GenerateServiceLastAccessedDetails).toBe(1);
  } finally {
    if (saved.iam === undefined) delete process.env.AWS_ENDPOINT_URL_IAM;
    else process.env.AWS_ENDPOINT_URL_IAM = saved.iam;
    if (saved.any === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = saved.any;
  }
});

it('honours AWS_ENDPOINT_URL and defaults the region to us-east-1 when none is configured', async () => {
  const saved = { ...process.env };
  delete process.env.AWS_ENDPOINT_URL_IAM;
  delete process.env.AWS_REGION;
  delete process.env.AWS_DEFAULT_REGION;
  process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
  process.env.AWS_ENDPOINT_URL = emu.endpoint;
  try {
    const report = await runServiceLastAccessedReport({ arn: ARNS.devs }, { credentials: CREDENTIALS, pollSchedule: { firstDelayMs: 10, maxDelayMs: 40 } });
    expect(report.jobStatus).toBe('COMPLETED');
    expect(emu.metrics().calls.GenerateServiceLastAccessedDetails).toBe(1);
  } finally {
    process.env = saved;
  }
});

it('invalid shared options reject up front', async () => {
  await expect(runReports([service(ARNS.alice)], { ...options(emu), concurrency: 0 })).rejects.toBeInstanceOf(InvalidRequestError);
  await expect(runReports([service(ARNS.alice)], { ...options(emu), requestsPerSecond: -1 })).rejects.toBeInstanceOf(InvalidRequestError);
  await expect(runServiceLastAccessedReport({ arn: ARNS.alice }, { ...options(emu), timeoutMs: 0 })).rejects.toBeInstanceOf(InvalidRequestError);
  await expect(runReports([service(ARNS.alice)], { ...options(emu), timeScale: 2 })).rejects.toThrow(/timeScale: 2 is not allowed; expected a positive number greater than 0 and at most 1/);
  await expect(runServiceLastAccessedReport({ arn: ARNS.alice }, { ...options(emu), jobId: 'abc' })).rejects.toBeInstanceOf(InvalidRequestError);
  await expect(runServiceLastAccessedReport({ arn: ARNS.alice }, { ...options(emu), endpoint: 'ftp://x' })).rejects.toBeInstanceOf(InvalidRequestError);
  expect(emu.metrics().totalCalls).toBe(0);
});

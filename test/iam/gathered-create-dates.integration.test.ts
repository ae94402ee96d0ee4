import { openReportRunner, runReports, type ReportRunner } from '../../src';
import type { ServiceLastAccessedReport } from '../../src/model/report';
import type { RunningEmulator } from '../../src/emulator/types';
import { bulk, options, principalGets, service, startTestEmulator } from './harness';
import { ARNS } from './world';

/**
 * principalCreateDate in a long-lived runner (the Terraform provider's engine), whose reports arrive one by one: the
 * reports that start within one window share one GetAccountAuthorizationDetails series, as a runReports run does;
 * reports of later windows read again.
 */
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({}, 6);
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.resetMetrics();
  emu.setDeniedActions([]);
});

const gets = () => principalGets(emu);
const dateOf = (report: unknown) => (report as ServiceLastAccessedReport).principalCreateDate;
/** A window well past the engine's short test jobs and their first poll (half the first poll delay). */
const runnerOptions = () => options(emu, { pollSchedule: { firstDelayMs: 400, maxDelayMs: 400, jitter: 0 } });

/** The dates as the per-principal Get reads them. */
async function referenceDates(arns: string[]): Promise<(string | undefined)[]> {
  const results = await runReports(arns.map(service), { ...options(emu), createDateListingThreshold: 1_000 });
  emu.resetMetrics();
  return results.map((r) => (r.ok ? dateOf(r.report) : `error ${r.error.message}`));
}

async function withRunner<T>(body: (runner: ReportRunner) => Promise<T>): Promise<T> {
  const runner = await openReportRunner(runnerOptions());
  try {
    return await body(runner);
  } finally {
    runner.close();
  }
}

it('reports that start together: one listing call, no per-principal Get, the dates the Get reads', async () => {
  const arns = [ARNS.admin, ARNS.alice, bulk(0), bulk(1)];
  const expected = await referenceDates(arns);
  expect(expected.every((d) => typeof d === 'string')).toBe(true);
  const reports = await withRunner((runner) => Promise.all(arns.map((arn) => runner.run(service(arn)))));
  expect(reports.map(dateOf)).toEqual(expected);
  expect(emu.metrics().calls.GetAccountAuthorizationDetails).toBe(1);
  expect(gets()).toBe(0);
});

it('reports of a later window read again (no date outlives its window); below the threshold each reads its own Get', async () => {
  const first = [bulk(2), bulk(3), bulk(4)];
  const expected = await referenceDates([...first, bulk(2)]);
  const { early, late } = await withRunner(async (runner) => {
    const early = await Promise.all(first.map((arn) => runner.run(service(arn))));
    // The same principal again, after the first window closed: a role replaced in between would have a new date.
    const late = await runner.run({ kind: 'service-last-accessed', arn: bulk(2), granularity: 'SERVICE_LEVEL' });
    return { early, late };
  });
  expect([...early, late].map(dateOf)).toEqual(expected);
  expect(emu.metrics().calls.GetAccountAuthorizationDetails).toBe(1);
  expect(emu.metrics().calls.GetUser).toBe(1);
});

it('AccessDenied on the listing: every principal of the window falls back to its Get, dates still filled', async () => {
  const arns = [bulk(5), ARNS.admin, ARNS.alice];
  const expected = await referenceDates(arns);
  emu.setDeniedActions(['GetAccountAuthorizationDetails']);
  const reports = await withRunner((runner) => Promise.all(arns.map((arn) => runner.run(service(arn)))));
  expect(reports.map(dateOf)).toEqual(expected);
  expect(emu.metrics().calls.GetAccountAuthorizationDetails).toBe(1);
  expect(emu.metrics().calls.GetUser).toBe(3);
});

it('readPrincipalCreateDate: false reads nothing', async () => {
  const runner = await openReportRunner({ ...runnerOptions(), readPrincipalCreateDate: false });
  try {
    const reports = await Promise.all([ARNS.admin, ARNS.alice, bulk(0)].map((arn) => runner.run(service(arn))));
    expect(reports.map(dateOf)).toEqual([undefined, undefined, undefined]);
  } finally {
    runner.close();
  }
  expect(emu.metrics().calls.GetAccountAuthorizationDetails ?? 0).toBe(0);
  expect(gets()).toBe(0);
});

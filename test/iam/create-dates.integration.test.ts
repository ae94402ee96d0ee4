import { runReports } from '../../src';
import type { ServiceLastAccessedReport } from '../../src/model/report';
import type { RunningEmulator } from '../../src/emulator/types';
import { bulk, options, principalGets, service, startTestEmulator } from './harness';
import { ARNS } from './world';

/**
 * principalCreateDate in runReports: from `createDateListingThreshold` principals of one kind, one shared
 * GetAccountAuthorizationDetails series replaces the per-principal Get; anything it does not answer falls back.
 */
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({}, 20);
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.resetMetrics();
  emu.setJobs({ pageSize: undefined });
  emu.setDeniedActions([]);
});

const gets = () => principalGets(emu);
const dates = (results: Awaited<ReturnType<typeof runReports>>) =>
  results.map((r) => (r.ok ? (r.report as ServiceLastAccessedReport).principalCreateDate : `error ${r.error.message}`));

/** The dates as the per-principal Get reads them (the listing is switched off by a threshold no run reaches). */
async function referenceDates(arns: string[]): Promise<(string | undefined)[]> {
  const results = await runReports(arns.map(service), { ...options(emu), createDateListingThreshold: 1_000 });
  expect(emu.metrics().calls.GetAccountAuthorizationDetails ?? 0).toBe(0);
  emu.resetMetrics();
  return dates(results);
}

it('several users: one listing call, no per-user Get, the same dates the Get reads', async () => {
  const arns = [ARNS.admin, ARNS.alice, bulk(0), bulk(1)];
  const expected = await referenceDates(arns);
  expect(expected.every((d) => typeof d === 'string')).toBe(true);
  const results = await runReports(arns.map(service), options(emu));
  expect(dates(results)).toEqual(expected);
  expect(emu.metrics().calls.GetAccountAuthorizationDetails).toBe(1);
  expect(gets()).toBe(0);
});

it('kinds below the threshold keep the per-principal Get; mixed runs list only the kinds that reached it', async () => {
  const arns = [ARNS.admin, ARNS.alice, bulk(0), ARNS.deployer, ARNS.readS3];
  const expected = await referenceDates(arns);
  const results = await runReports(arns.map(service), options(emu));
  expect(dates(results)).toEqual(expected);
  expect(emu.metrics().calls.GetAccountAuthorizationDetails).toBe(1); // users only
  expect(emu.metrics().calls).toMatchObject({ GetRole: 1, GetPolicy: 1 });
  expect(emu.metrics().calls.GetUser ?? 0).toBe(0);

  emu.resetMetrics();
  await runReports([ARNS.admin, ARNS.alice].map(service), options(emu));
  expect(emu.metrics().calls.GetAccountAuthorizationDetails ?? 0).toBe(0);
  expect(emu.metrics().calls.GetUser).toBe(2);
});

it('AccessDenied on the listing: every principal falls back to its Get, dates still filled', async () => {
  const arns = [ARNS.admin, ARNS.alice, bulk(2), bulk(3)];
  const expected = await referenceDates(arns);
  emu.setDeniedActions(['GetAccountAuthorizationDetails']);
  const results = await runReports(arns.map(service), options(emu));
  expect(dates(results)).toEqual(expected);
  expect(emu.metrics().calls.GetAccountAuthorizationDetails).toBe(1); // tried once for the whole run
  expect(emu.metrics().calls.GetUser).toBe(4);
});

it('pages the listing with Marker, and stops once it costs as many pages as principals are still missing', async () => {
  emu.setJobs({ pageSize: 5 }); // users: admin, alice, bulk-0000 … bulk-0019 → 5 pages
  const early = [bulk(0), bulk(1), bulk(2)]; // all on page 1
  await runReports(early.map(service), options(emu));
  expect(emu.metrics().calls.GetAccountAuthorizationDetails).toBe(1);
  expect(gets()).toBe(0);

  emu.resetMetrics();
  const spread = [bulk(4), bulk(9), bulk(14)]; // pages 2, 3 and 4
  const expected = await referenceDates(spread);
  const results = await runReports(spread.map(service), options(emu));
  expect(dates(results)).toEqual(expected);
  // page 1: none found, 3 missing → go on; page 2: bulk-0004 found, 2 pages ≥ 2 missing → stop; the rest by Get.
  expect(emu.metrics().calls.GetAccountAuthorizationDetails).toBe(2);
  expect(emu.metrics().calls.GetUser).toBe(2);

  emu.resetMetrics();
  const late = [bulk(17), bulk(18), bulk(19)]; // pages 4 and 5: the listing gives up after 3 pages
  await runReports(late.map(service), options(emu));
  expect(emu.metrics().calls.GetAccountAuthorizationDetails).toBe(3);
  expect(emu.metrics().calls.GetUser).toBe(3); // never more than twice the per-principal cost
});

it('readPrincipalCreateDate: false reads nothing', async () => {
  await runReports([ARNS.admin, ARNS.alice, bulk(0)].map(service), { ...options(emu), readPrincipalCreateDate: false });
  expect(emu.metrics().calls.GetAccountAuthorizationDetails ?? 0).toBe(0);
  expect(gets()).toBe(0);
});

/**
 * A resumed job id must belong to the request: another principal's job, another granularity or another kind of report
 * is an input error (exit 2), never a report labelled with the wrong principal or judged at the wrong level.
 */
import { JobMismatchError, runOrganizationsAccessReport, runServiceLastAccessedReport } from '../../src';
import type { RunningEmulator } from '../../src/emulator/types';
import { options, startTestEmulator } from './harness';
import { ARNS, PATHS } from './world';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => {
  await emu.close();
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

it("another principal's job: JobMismatchError naming the principal it belongs to, exit 2", async () => {
  const deployers = await runServiceLastAccessedReport({ arn: ARNS.deployer }, options(emu));
  expect(deployers.servicesLastAccessed.some((s) => s.lastAuthenticatedEntity === ARNS.deployer)).toBe(true);
  const err = await rejection(runServiceLastAccessedReport({ arn: ARNS.broken }, options(emu, { jobId: deployers.jobId })));
  expect(err).toBeInstanceOf(JobMismatchError);
  expect((err as JobMismatchError).kind).toBe('input');
  expect((err as Error).message).toContain(ARNS.deployer);
  expect((err as Error).message).toContain(deployers.jobId);
});

it('the same job resumed for its own principal is accepted (the check is not a blanket refusal)', async () => {
  const first = await runServiceLastAccessedReport({ arn: ARNS.deployer }, options(emu));
  const again = await runServiceLastAccessedReport({ arn: ARNS.deployer }, options(emu, { jobId: first.jobId }));
  expect(again.servicesLastAccessed).toEqual(first.servicesLastAccessed);
});

it("a resumed job that names nobody cannot prove whose it is: refused (it would make everything another principal holds look unused)", async () => {
  const idle = await runServiceLastAccessedReport({ arn: ARNS.admin }, options(emu));
  expect(idle.servicesLastAccessed.every((s) => s.lastAuthenticatedEntity === undefined)).toBe(true);
  const err = await rejection(runServiceLastAccessedReport({ arn: ARNS.admin }, options(emu, { jobId: idle.jobId })));
  expect(err).toBeInstanceOf(JobMismatchError);
  expect((err as Error).message).toMatch(/names no principal .* cannot prove/);
});

it("a group's or a policy's resumed job: refused (member users fit any group of the account)", async () => {
  for (const arn of [ARNS.devs, ARNS.readS3]) {
    const first = await runServiceLastAccessedReport({ arn }, options(emu));
    const err = await rejection(runServiceLastAccessedReport({ arn }, options(emu, { jobId: first.jobId })));
    expect(err).toBeInstanceOf(JobMismatchError);
    expect((err as Error).message).toMatch(/cannot prove the job was generated for/);
  }
});

it("an account's Organizations job resumed as its OU's report (or any Organizations job): refused, exit 2", async () => {
  const account = await runOrganizationsAccessReport({ entityPath: PATHS.member }, options(emu));
  expect(account.accessDetails.some((d) => d.entityPath?.startsWith(PATHS.ou))).toBe(true);
  const err = await rejection(runOrganizationsAccessReport({ entityPath: PATHS.ou }, options(emu, { jobId: account.jobId })));
  expect(err).toBeInstanceOf(JobMismatchError);
  expect((err as JobMismatchError).kind).toBe('input');
  expect((err as Error).message).toContain(account.jobId);
});

it('a SERVICE_LEVEL job resumed as ACTION_LEVEL: exit 2 (no "0 unused actions" from a job without action data)', async () => {
  const service = await runServiceLastAccessedReport({ arn: ARNS.admin, granularity: 'SERVICE_LEVEL' }, options(emu));
  const err = await rejection(
    runServiceLastAccessedReport({ arn: ARNS.admin, granularity: 'ACTION_LEVEL' }, options(emu, { jobId: service.jobId })),
  );
  expect(err).toBeInstanceOf(JobMismatchError);
  expect((err as Error).message).toMatch(/SERVICE_LEVEL job, the request is ACTION_LEVEL/);
});

it('an Organizations job resumed as a service report (and back): exit 2', async () => {
  const org = await runOrganizationsAccessReport({ entityPath: PATHS.root }, options(emu));
  const asService = await rejection(runServiceLastAccessedReport({ arn: ARNS.admin }, options(emu, { jobId: org.jobId })));
  expect(asService).toBeInstanceOf(JobMismatchError);
  expect((asService as JobMismatchError).kind).toBe('input');
  const service = await runServiceLastAccessedReport({ arn: ARNS.admin }, options(emu));
  const asOrg = await rejection(runOrganizationsAccessReport({ entityPath: PATHS.root }, options(emu, { jobId: service.jobId })));
  expect(asOrg).toBeInstanceOf(JobMismatchError);
});

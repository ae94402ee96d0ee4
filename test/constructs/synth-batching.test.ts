import { TerraformOutput, TerraformStack } from '../../src/constructs/cdk-core';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { OrganizationsAccessReport } from '../../src/constructs/organizations-access-report';
import { readCacheFile } from '../../src/resolve/cache-file';
import { startEmulatorProcess, useEmulatorCredentials, type EmulatorProcess } from './synth-emulator';
import { ORG_ID, ROOT_ID, batchRole, roleArn } from './synth-world';
import { appWith, fullSynth, outputs, scratch, workerRuns } from './synth-support';

let emulator: EmulatorProcess;
let restoreEnv: () => void;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  restoreEnv = useEmulatorCredentials();
  // Long enough that sequential jobs could not overlap by accident.
  await emulator.setJobs({ durationMs: 300 });
  // Every request takes a moment, so concurrent requests overlap in the server.
  await emulator.setFaults({ latencyMs: 40 });
  process.env.ACCESS_ADVISOR_REQUESTS_PER_SECOND = '500';
});
afterAll(async () => {
  restoreEnv();
  await emulator.close();
});

test('50 uncached reports in two stacks cost ONE worker run whose requests run concurrently', async () => {
  const { cacheFile, workerLog } = scratch();
  process.env.ACCESS_ADVISOR_WORKER_LOG = workerLog;
  try {
    await emulator.resetMetrics();
    const app = appWith(cacheFile);
    const stacks = [new TerraformStack(app, 'first'), new TerraformStack(app, 'second')];
    const reports: ServiceLastAccessedReport[] = [];
    for (let i = 0; i < 49; i++) {
      const stack = stacks[i % 2];
      const report = new ServiceLastAccessedReport(stack, `r${i}`, { arn: roleArn(batchRole(i)), endpoint: emulator.endpoint, timeout: '60s' });
      new TerraformOutput(stack, `unused${i}`, { value: report.unusedServices() });
      reports.push(report);
    }
    // A second construct asking the same thing shares the lookup; an org report joins the same batch.
    const twin = new ServiceLastAccessedReport(stacks[0], 'twin', { arn: roleArn(batchRole(0)), endpoint: emulator.endpoint, timeout: '60s' });
    const org = new OrganizationsAccessReport(stacks[1], 'org', { entityPath: `${ORG_ID}/${ROOT_ID}`, endpoint: emulator.endpoint, timeout: '60s' });
    org.addOutputs('accessedServices');

    const first = outputs(fullSynth(stacks[0]));
    const second = outputs(fullSynth(stacks[1]));

    const runs = workerRuns(workerLog);
    expect(runs).toHaveLength(1);
    expect(runs[0].jobs).toBe(50); // 49 distinct roles + the org report; the twin is deduplicated
    for (let i = 0; i < 49; i++) expect((i % 2 === 0 ? first : second)[`unused${i}`]).toEqual(['sqs']);
    expect(second.org_accessedServices).toEqual(expect.arrayContaining(['ec2']));
    expect(twin.report?.jobId).toBe(reports[0].report?.jobId);

    const metrics = await emulator.metrics();
    expect(metrics.jobsGenerated.service).toBe(49);
    expect(metrics.jobsGenerated.organizations).toBe(1);
    expect(metrics.maxInFlight).toBeGreaterThan(1);
    expect(Object.keys(readCacheFile(cacheFile).entries)).toHaveLength(50);
  } finally {
    delete process.env.ACCESS_ADVISOR_WORKER_LOG;
  }
});

test('reading report.report early resolves what is registered so far in one batch; later ones form the next', () => {
  const { cacheFile, workerLog } = scratch();
  process.env.ACCESS_ADVISOR_WORKER_LOG = workerLog;
  try {
    const app = appWith(cacheFile);
    const stack = new TerraformStack(app, 's');
    const a = new ServiceLastAccessedReport(stack, 'a', { arn: roleArn(batchRole(50)), endpoint: emulator.endpoint });
    const b = new ServiceLastAccessedReport(stack, 'b', { arn: roleArn(batchRole(51)), endpoint: emulator.endpoint });
    expect(a.report?.arn).toBe(roleArn(batchRole(50)));
    expect(workerRuns(workerLog).map((r) => r.jobs)).toEqual([2]);
    const c = new ServiceLastAccessedReport(stack, 'c', { arn: roleArn(batchRole(52)), endpoint: emulator.endpoint });
    fullSynth(stack);
    expect(b.report?.arn).toBe(roleArn(batchRole(51)));
    expect(c.report?.arn).toBe(roleArn(batchRole(52)));
    expect(workerRuns(workerLog).map((r) => r.jobs)).toEqual([2, 1]);
  } finally {
    delete process.env.ACCESS_ADVISOR_WORKER_LOG;
  }
});

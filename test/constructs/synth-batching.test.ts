import { TerraformOutput, TerraformStack } from '../default-core';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { OrganizationsAccessReport } from '../../src/constructs/organizations-access-report';
import { LeastPrivilegeGate } from '../../src/constructs/least-privilege-gate';
import { PolicyDriftCheck } from '../../src/constructs/policy-drift-check';
import { TightenedPolicyDocument } from '../../src/constructs/tightened-policy-document';
import { readCacheFile } from '../../src/resolve/cache-file';
import { startEmulatorProcess, useEmulatorCredentials, type EmulatorProcess } from './synth-emulator';
import { APP_ROLE, ORG_ID, ROOT_ID, batchRole, roleArn } from './synth-world';
import { annotations, appWith, fullSynth, outputs, scratch, workerRuns } from './synth-support';

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

test('reports and decisions interleaved (report A, gate A, tightened A, report B, gate B, report C, drift C) cost ONE worker run', () => {
  const { cacheFile, workerLog } = scratch();
  process.env.ACCESS_ADVISOR_WORKER_LOG = workerLog;
  const A = roleArn(batchRole(53));
  const C = roleArn(batchRole(54));
  const policyA = { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: ['s3:ListAllMyBuckets', 'sqs:SendMessage'], Resource: '*' }] };
  const build = (eager: boolean) => {
    const app = appWith(cacheFile);
    const stack = new TerraformStack(app, 'interleaved');
    // `eager` is the old constructor behaviour: each decision read its report right after it was declared.
    const read = (r: ServiceLastAccessedReport) => (eager ? void r.report : undefined);
    const reportA = new ServiceLastAccessedReport(stack, 'a', { arn: A, granularity: 'ACTION_LEVEL', endpoint: emulator.endpoint });
    read(reportA);
    const gateA = new LeastPrivilegeGate(stack, 'gate_a', { report: reportA, failOn: 'warning' });
    const tightA = new TightenedPolicyDocument(stack, 'tight_a', { report: reportA, policy: policyA });
    new TerraformOutput(stack, 'policy_a', { value: tightA.json });
    new TerraformOutput(stack, 'removed_a', { value: tightA.removedServices });
    // B and C judge services (asked for explicitly; the default is ACTION_LEVEL): the decisions below are service-level.
    const reportB = new ServiceLastAccessedReport(stack, 'b', { arn: APP_ROLE, granularity: 'SERVICE_LEVEL', endpoint: emulator.endpoint });
    read(reportB);
    const gateB = new LeastPrivilegeGate(stack, 'gate_b', { report: reportB, allow: [{ permission: 'sqs', reason: 'quarterly redrive' }] });
    const reportC = new ServiceLastAccessedReport(stack, 'c', { arn: C, granularity: 'SERVICE_LEVEL', endpoint: emulator.endpoint });
    read(reportC);
    const driftC = new PolicyDriftCheck(stack, 'drift_c', { report: reportC, baseline: { schemaVersion: 1, principals: {} }, failOn: 'warning' });
    return { stack, gateA, tightA, gateB, driftC };
  };
  try {
    const lazy = build(false);
    expect(workerRuns(workerLog)).toEqual([]); // nothing resolved while the app was built
    const out = outputs(fullSynth(lazy.stack));
    const runs = workerRuns(workerLog);
    expect(runs).toHaveLength(1);
    expect(runs[0].jobs).toBe(3);

    // The decisions the world implies: batch roles used s3 two days ago and never sqs; synth-app used sqs 200 days ago.
    expect(lazy.gateA.violations.map((v) => v.permission)).toEqual(['sqs']);
    expect(lazy.gateB.passed).toBe(true);
    expect(lazy.driftC.drift?.newUnused).toEqual(['sqs']);
    expect(JSON.parse(out.policy_a as string)).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }] });
    expect(out.removed_a).toEqual(['sqs']);
    expect(lazy.tightA.proof.holds).toBe(true);
    expect(workerRuns(workerLog)).toHaveLength(1); // reading the results after synth fetches nothing more

    // Same decisions, same synthesized stack and annotations as the old eager evaluation (served from the cache now).
    const eager = build(true);
    const eagerOut = outputs(fullSynth(eager.stack));
    expect(workerRuns(workerLog)).toHaveLength(1);
    expect(eagerOut).toEqual(out);
    expect(eager.gateA.violations).toEqual(lazy.gateA.violations);
    expect(eager.gateB.unused).toEqual(lazy.gateB.unused);
    expect(eager.driftC.drift).toEqual(lazy.driftC.drift);
    expect(eager.tightA.result).toEqual(lazy.tightA.result);
    const messages = (stack: TerraformStack) => [...annotations(stack, 'warn'), ...annotations(stack, 'error')];
    expect(messages(eager.stack)).toEqual(messages(lazy.stack));
    expect(messages(lazy.stack).some((m) => m.includes('LeastPrivilegeGate interleaved/gate_a: 1 unused service(s)'))).toBe(true);
  } finally {
    delete process.env.ACCESS_ADVISOR_WORKER_LOG;
  }
});

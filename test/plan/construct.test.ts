/**
 * resolveAt: 'plan' through the public constructs: the ARN comes from a data source (the shape a plan-time gate
 * should use), the outputs are Terraform expressions, and the synthesized program answers them.
 */
import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput } from '../default-core';
import { OrganizationsAccessReport } from '../../src/constructs/organizations-access-report';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { startEmulator } from '../../src/emulator';
import type { RunningEmulator } from '../../src/emulator';
import { adminEnv, buildBundle, parseFlatStringMap, runLikeTerraform, synthesize } from './support';
import type { ExternalBlock, SynthesizedStack } from './support';
import { APP_ROLE, ORG_ROOT_PATH, planWorld } from './world';

let emulator: RunningEmulator;
let stack: SynthesizedStack;

beforeAll(async () => {
  buildBundle();
  emulator = await startEmulator({ world: planWorld(), port: 0, seed: 11, jobs: { durationMs: 50 } });
  stack = synthesize('constructs', (s) => {
    new AwsProvider(s, 'aws', { region: 'us-east-1' });
    const role = new DataAwsIamRole(s, 'app_role', { name: 'plan-app' });
    const report = new ServiceLastAccessedReport(s, 'app', {
      resolveAt: 'plan', planTimeSource: 'external',
      arn: role.arn,
      granularity: 'ACTION_LEVEL',
      endpoint: emulator.endpoint,
      timeout: '2m',
    });
    new TerraformOutput(s, 'unused_services', { value: report.unusedServices({ days: 30 }) });
    new TerraformOutput(s, 'job_id', { value: report.jobId });
    const org = new OrganizationsAccessReport(s, 'org', { resolveAt: 'plan', planTimeSource: 'external', entityPath: ORG_ROOT_PATH, endpoint: emulator.endpoint });
    new TerraformOutput(s, 'org_job', { value: org.jobId });
  });
});

afterAll(async () => {
  await emulator?.close();
});

function blocks(): [string, ExternalBlock][] {
  return Object.entries(stack.json.data?.external ?? {});
}

function blockOf(kind: string): [string, ExternalBlock] {
  const found = blocks().find(([, block]) => (block.query?.kind ?? '') === kind);
  if (!found) throw new Error(`no ${kind} block`);
  return found;
}

describe('plan-mode constructs', () => {
  it('emit one data "external" block each, with the request, the connection and the window in the query', () => {
    expect(blocks()).toHaveLength(2);
    const [, service] = blockOf('service-last-accessed');
    expect(service.query).toEqual({
      kind: 'service-last-accessed',
      arn: '${data.aws_iam_role.app_role.arn}',
      granularity: 'ACTION_LEVEL',
      with_entities: 'false',
      endpoint: emulator.endpoint,
      timeout_seconds: '120',
      unused_after_days: '30',
    });
    const [, org] = blockOf('organizations-access');
    expect(org.query).toMatchObject({ kind: 'organizations-access', entity_path: ORG_ROOT_PATH });
  });

  it('render their outputs as lookups of the block\'s result', () => {
    const [serviceId] = blockOf('service-last-accessed');
    const [orgId] = blockOf('organizations-access');
    expect(stack.json.output?.unused_services?.value).toBe(`\${jsondecode(data.external.${serviceId}.result["unused_services"])}`);
    expect(stack.json.output?.job_id?.value).toBe(`\${data.external.${serviceId}.result["job_id"]}`);
    expect(stack.json.output?.org_job?.value).toBe(`\${data.external.${orgId}.result["job_id"]}`);
    expect(JSON.stringify(stack.json)).not.toContain('[object Object]');
  });

  it('answer those outputs when Terraform runs the program with the data source\'s ARN', async () => {
    const [, service] = blockOf('service-last-accessed');
    const run = await runLikeTerraform(service, {
      cwd: stack.stackDir,
      known: { '${data.aws_iam_role.app_role.arn}': APP_ROLE },
      env: adminEnv(),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = parseFlatStringMap(run.stdout);
    expect(out.unused_after_days).toBe('30');
    expect(JSON.parse(out.unused_services!)).toEqual(['sqs']);
    expect(JSON.parse(out.report!).jobId).toBe(out.job_id);

    const [, org] = blockOf('organizations-access');
    const orgRun = await runLikeTerraform(org, { cwd: stack.stackDir, env: adminEnv() });
    expect(orgRun.code).toBe(0);
    expect(JSON.parse(parseFlatStringMap(orgRun.stdout).report!).entityPath).toBe(ORG_ROOT_PATH);
  });
});

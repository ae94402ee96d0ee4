import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessAdvisorProvider, DataAccessAdvisorServiceLastAccessed, DataAccessAdvisorUnusedPermissions } from '../../src';
import { App, TerraformStack } from '../default-core';
import { ExampleWorld } from '../examples/support';
import { tierRan } from '../tiers';
import { AWS_VERSION, describeProviderTier, emulatorOverride, initValidated, planFailedByPostcondition, ProviderSandbox, terraform, terraformOk, TIER } from './support';

// `cdktf synth --hcl` (and cdktn's) of the plan-mode examples, run by the real Terraform with this package's provider
// installed by `access-advisor provider install`: the native elements (provider block, data sources with lists of
// objects and multi-line templates, the gate's postcondition, the warning `check`, required_providers) must be HCL
// that Terraform accepts and that means what the JSON synth means. The test's copy adds an override file only
// (state path, the mirrored aws version, both providers at the emulator); the synthesized files stay as written.
const world = new ExampleWorld();
const sandbox = new ProviderSandbox();
const covered: string[] = [];

/** Terraform's override file: local state, the aws provider from the machine's mirror, both providers at the emulator. */
function override(endpoint: string): string {
  return `terraform {
  backend "local" {
    path = "terraform.tfstate"
  }
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "${AWS_VERSION}"
    }
  }
}

${emulatorOverride(endpoint)}`;
}

async function synthesized(example: 'plan-time-gate' | 'plan-time-gate-cdktn', context?: Record<string, unknown>): Promise<{ dir: string; files: Record<string, string> }> {
  const run = await world.synthHcl(example, context);
  if (!run.stackDir) throw new Error(`synth --hcl of examples/${example} wrote no stack (exit ${run.exitCode}):\n${run.stderr || run.stdout}`);
  const files = Object.fromEntries(
    readdirSync(run.stackDir)
      .filter((name) => name.endsWith('.tf'))
      .map((name) => [name, readFileSync(join(run.stackDir!, name), 'utf8')]),
  );
  const dir = sandbox.workdir({}, run.stackDir);
  writeFileSync(join(dir, 'emulator_override.tf'), override(world.emulator.endpoint));
  return { dir, files };
}

describeProviderTier('`synth --hcl` of the plan-mode examples, through the real Terraform and the installed provider', () => {
  beforeAll(async () => {
    await world.start();
    sandbox.install();
  }, 120_000);
  afterAll(async () => {
    await world.stop();
    sandbox.cleanup();
    tierRan(TIER, `synth --hcl: ${covered.join('; ')}`);
  });

  it('examples/plan-time-gate by `cdktf synth --hcl`: valid HCL; the postcondition fails `terraform plan` with the gate\'s table', async () => {
    const { dir, files } = await synthesized('plan-time-gate');
    const hcl = files['cdk.tf']!;
    expect(hcl).toMatch(/source\s*=\s*"local\.invalid\/cdktf-access-advisor\/accessadvisor"/);
    expect(hcl).toMatch(/provider "accessadvisor" \{\s*timeouts \{\s*read\s*=\s*"5m"\s*\}/);
    expect(hcl).toMatch(/lifecycle \{\s*postcondition \{\s*condition\s*=\s*"\$\{self\.passed\}"/);
    expect(hcl).toMatch(/exceptions\s*=\s*\[\{ "permission" = "ec2", "reason" = "AMI lookups/);
    const env = sandbox.env();
    await initValidated(dir, env);
    const planStderr = await planFailedByPostcondition(dir, env);
    expect(planStderr).toMatch(/LeastPrivilegeGate plan-time-gate\/app_deployer_gate:\s+arn:aws:iam::123456789012:role\/app-deployer: 2 unused\s+service\(s\)/);
    expect(planStderr).toMatch(/dynamodb\s+never\s+whole service/);
    expect(planStderr).toMatch(/sqs\s+never\s+whole service/);
    expect(planStderr).not.toMatch(/^\s*│?\s*ec2\s+\S+\s+whole service/m); // the exception reached the provider
    covered.push('examples/plan-time-gate (cdktf) init/validate, plan failing on the postcondition');
  }, 300_000);

  it('examples/plan-time-gate by `cdktf synth --hcl` with the tightened policy attached: the plan passes and drops dynamodb and sqs', async () => {
    const { dir } = await synthesized('plan-time-gate', { 'planTimeGate:attachTightenedPolicy': true });
    const env = sandbox.env();
    await terraformOk(['init', '-input=false'], dir, env);
    await terraformOk(['plan', '-input=false', '-out=plan.bin'], dir, env);
    const planned = JSON.parse(await terraformOk(['show', '-json', 'plan.bin'], dir, env)) as {
      resource_changes: { address: string; change: { after: Record<string, unknown> } }[];
      prior_state?: { values?: { root_module?: { resources?: { address: string; values: Record<string, unknown> }[] } } };
    };
    const policy = planned.resource_changes.find((c) => c.address === 'aws_iam_policy.app_deployer_tightened_policy')!.change.after.policy as string;
    expect(policy).not.toMatch(/dynamodb|sqs/);
    expect(policy).toMatch(/ec2/);
    const gate = (planned.prior_state?.values?.root_module?.resources ?? []).find((r) => r.address === 'data.accessadvisor_unused_permissions.app_deployer_gate');
    expect(gate?.values.passed).toBe(true);
    covered.push('examples/plan-time-gate (cdktf) with the tightened policy, plan passing');
  }, 300_000);

  it('an aliased provider with assume_role, provider and depends_on references, and values with quotes, backslashes and newlines: init and validate', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'aa-hcl-'));
    const previous = process.env.SYNTH_HCL_OUTPUT;
    process.env.SYNTH_HCL_OUTPUT = 'true';
    try {
      const app = new App({ outdir });
      const stack = new TerraformStack(app, 'routes');
      const west = new AccessAdvisorProvider(stack, 'west', { alias: 'west', assumeRole: { roleArn: 'arn:aws:iam::123456789012:role/reader', externalId: 'tenant=a,b@c' }, timeouts: { read: '5m' } });
      const report = new DataAccessAdvisorServiceLastAccessed(stack, 'report', { arn: 'arn:aws:iam::123456789012:role/app-deployer', provider: west });
      const gate = new DataAccessAdvisorUnusedPermissions(stack, 'gate', {
        arn: 'arn:aws:iam::123456789012:role/app-deployer',
        dependsOn: [report],
        exceptions: [{ permission: 'ec2', reason: 'say "hi"\nC:\\temp $${literal}' }],
        policies: ['{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'],
      });
      gate.addPostcondition('${self.passed}', 'failed: ${self.summary}\n"quoted"');
      app.synth();
    } finally {
      if (previous === undefined) delete process.env.SYNTH_HCL_OUTPUT;
      else process.env.SYNTH_HCL_OUTPUT = previous;
    }
    const hcl = readFileSync(join(outdir, 'stacks', 'routes', 'cdk.tf'), 'utf8');
    expect(hcl).toMatch(/provider\s*=\s*accessadvisor\.west\n/);
    expect(hcl).toMatch(/depends_on\s*=\s*\[data\.accessadvisor_service_last_accessed\.report\]/);
    expect(hcl).toContain('external_id = "tenant=a,b@c"');
    expect(hcl).toContain('"reason" = "say \\"hi\\"\\nC:\\\\temp $${literal}"');
    const dir = sandbox.workdir({ 'cdk.tf': hcl });
    const env = sandbox.env();
    await terraformOk(['init', '-input=false', '-backend=false'], dir, env);
    expect(await terraformOk(['validate'], dir, env)).toMatch(/The configuration is valid/);
    covered.push('aliased provider, references and escapes: init/validate');
  }, 300_000);

  it('examples/plan-time-gate-cdktn by `cdktn synth --hcl`: the warning gate\'s check block is written and Terraform reports it', async () => {
    const { dir, files } = await synthesized('plan-time-gate-cdktn');
    const checks = Object.keys(files).filter((name) => name.startsWith('check-'));
    expect(checks.length).toBe(1);
    expect(files[checks[0]!]).toMatch(/^check "[A-Za-z0-9_-]+" \{\n {2}assert \{\n {4}condition\s+= "\$\{data\.accessadvisor_unused_permissions\.\w+\.passed\}"/);
    const env = sandbox.env();
    await initValidated(dir, env);
    const plan = await terraform(['plan', '-input=false'], dir, env);
    const output = `${plan.stdout}\n${plan.stderr}`;
    expect(plan.code).toBe(0);
    expect(output).toMatch(/Warning: Check block assertion failed/);
    expect(output).toMatch(/LeastPrivilegeGate plan-time-gate-cdktn\/app_deployer_today \(warning\)/);
    expect(output).toMatch(/dynamodb\s+never\s+whole service/);
    covered.push('examples/plan-time-gate-cdktn (cdktn) init/validate, plan with the check warning');
  }, 300_000);
});

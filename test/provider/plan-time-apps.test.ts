import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SynthResult } from '../../scripts/example-harness';
import { ExampleWorld } from '../examples/support';
import { runnableCopy } from '../examples/terraform';
import { tierRan } from '../tiers';
import { rolePolicies, rolePolicyDocument } from './role-policies';
import { cliReport, describeProviderTier, initValidated, planFailedByPostcondition, ProviderSandbox, stateResources, terraform, terraformOk, TIER, type StateResource } from './support';

// Plan-mode apps as users write them, synthesized by the real CLIs (`cdktf synth` of examples/plan-time-gate,
// `cdktn synth` on Node 22 of examples/plan-time-gate-cdktn), then run by the real Terraform with this package's
// provider installed by `access-advisor provider install` and hashicorp/aws from the machine's mirror, both pointed at
// the emulator (the test's copy of the stack only; the example names no endpoint). From examples/world.json:
// app-deployer may use dynamodb, ec2, iam, lambda, logs, s3 and sqs; in the last 90 days it used iam, lambda, logs and
// s3; ec2 is excepted; dynamodb and sqs were never used. So the gate fails the plan until the stack attaches the
// tightened policy, which drops dynamodb and sqs.
const world = new ExampleWorld();
const sandbox = new ProviderSandbox();
const ROLE_ARN = 'arn:aws:iam::123456789012:role/app-deployer';
const covered: string[] = [];
let today: SynthResult;
let tightened: SynthResult;
let unpinned: SynthResult;
let cdktn: SynthResult;
const TIGHTENED_ARN = 'arn:aws:iam::123456789012:policy/app-deployer-policy-tightened';

/** The test's runnable copy of a synthesized stack in a fresh directory: aws and accessadvisor at the emulator. */
function workdir(result: SynthResult, endpoint = world.emulator.endpoint): string {
  return sandbox.workdir({ 'cdk.tf.json': runnableStack(result, endpoint) }, result.stackDir);
}

function runnableStack(result: SynthResult, endpoint: string): string {
  const stack = runnableCopy(result.stack, endpoint);
  stack.provider.accessadvisor = (stack.provider.accessadvisor as Record<string, unknown>[]).map((p) => ({ ...p, endpoint }));
  return JSON.stringify(stack, null, 2);
}

interface SavedPlan {
  resource_changes: { address: string; change: { actions: string[] } }[];
  planned_values: { outputs: Record<string, { value?: unknown }> };
}

/** Plans `result` in `dir` (whose state the earlier apply wrote) and reads the saved plan. */
async function replan(dir: string, result: SynthResult, endpoint: string, env: NodeJS.ProcessEnv): Promise<SavedPlan> {
  writeFileSync(join(dir, 'cdk.tf.json'), runnableStack(result, endpoint));
  await terraformOk(['plan', '-input=false', '-out=replan.bin'], dir, env);
  return JSON.parse(await terraformOk(['show', '-json', 'replan.bin'], dir, env)) as SavedPlan;
}

/** Keys in snake_case, recursively: the CLI's report as Terraform names it. */
/**
 * Applies the saved plan whole: every resource (the tightened policy, deploy-logs, both exclusive resources) and every
 * read, no -target. The role then holds exactly the pinned set, and the report in state equals the CLI's.
 */
async function applyPinnedPlan(dir: string, env: NodeJS.ProcessEnv, endpoint: string, cli: Record<string, unknown>): Promise<StateResource[]> {
  await terraformOk(['apply', '-input=false', '-auto-approve', 'plan.bin'], dir, env);
  expect(await rolePolicies(endpoint, 'app-deployer', env)).toEqual({ managed: [TIGHTENED_ARN], inline: ['deploy-logs'] });
  const state = await stateResources(dir, env);
  expectStateEqualsCli(resource(state, 'data.accessadvisor_service_last_accessed.app_deployer_usage'), cli);
  return state;
}

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(v)]));
  }
  return value;
}

/** Terraform state has every attribute, null when absent; the CLI's JSON leaves absent ones out. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, withoutNulls(v)]),
    );
  }
  return value;
}

function resource(resources: readonly StateResource[], address: string): Record<string, unknown> {
  const found = resources.find((r) => r.address === address);
  if (!found) throw new Error(`no ${address} in the state; there are ${resources.map((r) => r.address).join(', ')}`);
  return found.values;
}

/**
 * The state's report equals `access-advisor service-report --output json` for the same ARN and granularity, read
 * before the apply changed the role (Terraform read the report at plan).
 */
function expectStateEqualsCli(values: Record<string, unknown>, cli: Record<string, unknown>): void {
  expect(values.arn).toBe(ROLE_ARN);
  expect(values.job_status).toBe('COMPLETED');
  expect(values.granularity).toBe(cli.granularity);
  expect(withoutNulls(values.services)).toEqual(snakeKeys(cli.servicesLastAccessed));
  expect((values.services as unknown[]).length).toBe(7);
}

describeProviderTier('plan-mode apps synthesized by the real cdktf and cdktn CLIs, through the real Terraform and the installed provider', () => {
  beforeAll(async () => {
    await world.start();
    sandbox.install();
    today = await world.synth('plan-time-gate');
    tightened = await world.synth('plan-time-gate', {
      'planTimeGate:attachTightenedPolicy': true,
    });
    unpinned = await world.synth('plan-time-gate', {
      'planTimeGate:attachTightenedPolicy': true,
      'planTimeGate:pinPolicySet': false,
    });
    cdktn = await world.synth('plan-time-gate-cdktn');
  }, 900_000);
  afterAll(async () => {
    await world.stop();
    sandbox.cleanup();
    tierRan(TIER, `terraform ${covered.join('; ')} (real cdktf/cdktn synth, installed provider, AutoMTLS on, against the emulator)`);
  });

  it("examples/plan-time-gate by `cdktf synth`: the gate's postcondition fails `terraform plan` with the gate's table while dynamodb and sqs are unused", async () => {
    const dir = workdir(today);
    const env = sandbox.env();
    await initValidated(dir, env);
    const planStderr = await planFailedByPostcondition(dir, env);
    expect(planStderr).toMatch(/in data\.accessadvisor_unused_permissions\.app_deployer_gate\.lifecycle\.postcondition/);
    expect(planStderr).toMatch(/LeastPrivilegeGate plan-time-gate\/app_deployer_gate:\s+arn:aws:iam::123456789012:role\/app-deployer: 2 unused\s+service\(s\)/);
    expect(planStderr).toMatch(/SERVICE\s+LAST USED\s+UNUSED/);
    expect(planStderr).toMatch(/dynamodb\s+never\s+whole service/);
    expect(planStderr).toMatch(/sqs\s+never\s+whole service/);
    expect(planStderr).not.toMatch(/^\s*│?\s*ec2\s+\S+\s+whole service/m); // excepted
    expect(planStderr).toMatch(/judged:\s+what\s+IAM\s+grants\s+the\s+principal\s+today/);
    expect(world.emulator.metrics().calls.GetRole).toBeGreaterThanOrEqual(1);
    covered.push('examples/plan-time-gate init/validate, plan failing on the postcondition with the gate table');
  }, 300_000);

  it("examples/plan-time-gate with the tightened policy attached but the role's set not pinned: today's policies stay, so the gate judges them and fails the plan", async () => {
    const dir = workdir(unpinned);
    const env = sandbox.env();
    await terraformOk(['init', '-input=false'], dir, env);
    const planStderr = await planFailedByPostcondition(dir, env);
    expect(planStderr).toMatch(/dynamodb\s+never\s+whole service/);
    expect(planStderr).toMatch(/data\.aws_iam_role\.app_deployer\s+is\s+not\s+a\s+resource\s+of\s+this\s+stack/);
    expect(planStderr).toMatch(/aws_iam_role_policy_attachments_exclusive\s+\(role_name,\s+policy_arns/);
    covered.push("examples/plan-time-gate with the tightened policy added but the set not pinned: plan failing on today's grants");
  }, 300_000);

  it("examples/plan-time-gate with the tightened policies pinned as the role's whole set: plan passes; applied without -target, the role holds exactly them and the state equals `access-advisor service-report --output json`", async () => {
    const own = await world.freshEmulator();
    try {
      const dir = workdir(tightened, own.endpoint);
      const env = sandbox.env();
      await initValidated(dir, env);
      await terraformOk(['plan', '-input=false', '-out=plan.bin'], dir, env);
      const planned = JSON.parse(await terraformOk(['show', '-json', 'plan.bin'], dir, env)) as {
        resource_changes: {
          address: string;
          change: { actions: string[]; after: Record<string, unknown> };
        }[];
        prior_state?: {
          values?: { root_module?: { resources?: StateResource[] } };
        };
      };
      const policy = planned.resource_changes.find((c) => c.address === 'aws_iam_policy.app_deployer_tightened_policy')!.change.after.policy as string;
      expect(policy).not.toMatch(/dynamodb|sqs/);
      expect(policy).toMatch(/ec2/); // excepted, so kept
      const read = planned.prior_state?.values?.root_module?.resources ?? [];
      const gate = resource(read, 'data.accessadvisor_unused_permissions.app_deployer_gate');
      expect(gate.passed).toBe(true);
      expect(gate.violation_count).toBe(0);
      expect(gate.policies as string[]).toHaveLength(2);

      const cli = await cliReport(own.endpoint, ROLE_ARN, 'ACTION_LEVEL', env);
      expect(await rolePolicies(own.endpoint, 'app-deployer', env)).toEqual({
        managed: ['arn:aws:iam::123456789012:policy/app-deployer-policy'],
        inline: ['deploy-logs'],
      });
      const state = await applyPinnedPlan(dir, env, own.endpoint, cli);
      expect(resource(state, 'data.accessadvisor_unused_permissions.app_deployer_usage').unused_services).toEqual(['dynamodb', 'ec2', 'sqs']);
      expect(resource(state, 'data.accessadvisor_tightened_policy.app_deployer_tightened').removed_services).toEqual(['dynamodb', 'sqs']);
      expect(await rolePolicyDocument(own.endpoint, 'app-deployer', 'deploy-logs', env)).toEqual(
        JSON.parse(resource(state, 'data.accessadvisor_tightened_policy.app_deployer_deploy_logs_tightened').json as string),
      );
      const outputs = JSON.parse(await terraformOk(['output', '-json'], dir, env)) as Record<string, { value: unknown }>;
      expect(outputs.app_deployer_unused_services?.value).toEqual(['dynamodb', 'ec2', 'sqs']);
      expect(outputs.app_deployer_unreported_services?.value).toEqual([]);

      // The same stack planned again: the originals, tightened again, allow dynamodb and sqs, which the report no
      // longer lists; they are kept (no evidence) and named, and the plan would put them back.
      const again = await replan(dir, tightened, own.endpoint, env);
      expect(again.planned_values.outputs.app_deployer_unreported_services?.value).toEqual(['dynamodb', 'sqs']);
      expect(again.resource_changes.find((c) => c.address === 'aws_iam_policy.app_deployer_tightened_policy')?.change.actions).toEqual(['update']);
      // Tightening what the role holds converges: nothing to change.
      const applied = await world.synth('plan-time-gate', {
        'planTimeGate:attachTightenedPolicy': true,
        'planTimeGate:tightenAppliedPolicies': true,
        'planTimeGate:deployLogsPolicy': outputs.app_deployer_deploy_logs_policy?.value,
      });
      const steady = await replan(dir, applied, own.endpoint, env);
      expect(steady.planned_values.outputs.app_deployer_unreported_services?.value).toEqual([]);
      expect(steady.resource_changes.filter((c) => c.change.actions.join() !== 'no-op').map((c) => c.address)).toEqual([]);
      expect(steady.resource_changes.length).toBe(4);
      covered.push('examples/plan-time-gate with the tightened policies pinned: plan passing, apply without -target (role holds exactly the pinned set; state = service-report JSON), the next plan converging');
    } finally {
      await own.close();
    }
  }, 300_000);

  it('examples/plan-time-gate-cdktn by `cdktn synth`: the strict gate passes, the warning gate is a check Terraform reports, apply reads every value', async () => {
    expect(cdktn.stack['//']?.metadata?.version).toMatch(/^0\.2[3-9]\./); // cdktn's version, not cdktf's 0.21
    const own = await world.freshEmulator();
    try {
      const dir = workdir(cdktn, own.endpoint);
      const env = sandbox.env();
      await initValidated(dir, env);
      const plan = await terraform(['plan', '-input=false', '-out=plan.bin'], dir, env);
      const output = `${plan.stdout}\n${plan.stderr}`;
      expect(plan.code).toBe(0);
      expect(output).toMatch(/Warning: Check block assertion failed/);
      expect(output).toMatch(/LeastPrivilegeGate plan-time-gate-cdktn\/app_deployer_today \(warning\)/);
      expect(output).toMatch(/dynamodb\s+never\s+whole service/);

      const cli = await cliReport(own.endpoint, ROLE_ARN, 'ACTION_LEVEL', env);
      const state = await applyPinnedPlan(dir, env, own.endpoint, cli);
      expect(resource(state, 'data.accessadvisor_unused_permissions.app_deployer_gate').passed).toBe(true);
      const todayGate = resource(state, 'data.accessadvisor_unused_permissions.app_deployer_today');
      expect(todayGate.passed).toBe(false);
      // At the default granularity (ACTION_LEVEL) the unused tracked actions of used services are violations too.
      const violations = (todayGate.violations as { permission: string }[]).map((v) => v.permission);
      expect(violations.filter((p) => !p.includes(':'))).toEqual(['dynamodb', 'sqs']);
      expect(violations.filter((p) => p.startsWith('s3:')).length).toBeGreaterThan(5);
      const org = resource(state, 'data.accessadvisor_organizations_access_report.org_root');
      expect(org.job_status).toBe('COMPLETED');
      const outputs = JSON.parse(await terraformOk(['output', '-json'], dir, env)) as Record<string, { value: unknown }>;
      expect(outputs.app_deployer_service_namespaces?.value).toEqual(['dynamodb', 'ec2', 'iam', 'lambda', 'logs', 's3', 'sqs']);
      expect(outputs.app_deployer_removed_services?.value).toEqual(['dynamodb', 'sqs']);
      expect(outputs.app_deployer_unreported_services?.value).toEqual([]);
      expect(JSON.parse(outputs.app_deployer_deploy_logs_policy?.value as string)).toEqual(await rolePolicyDocument(own.endpoint, 'app-deployer', 'deploy-logs', env));
      expect(outputs.app_deployer_gate_passed?.value).toBe(true);
      expect(outputs.app_deployer_today_violations?.value).toBe(violations.length);
      const details = org.access_details as {
        service_namespace: string;
        last_authenticated_time: string | null;
      }[];
      const accessed = [...new Set(details.filter((d) => d.last_authenticated_time !== null).map((d) => d.service_namespace))].sort();
      expect(outputs.org_accessed_services?.value).toEqual(accessed);
      expect(outputs.org_not_accessed_services?.value).toEqual([...new Set(details.map((d) => d.service_namespace))].filter((s) => !accessed.includes(s)).sort());
      expect(accessed.length).toBeGreaterThan(0);
      covered.push('examples/plan-time-gate-cdktn init/validate, plan with the check warning, apply without -target (role holds exactly the pinned set; state = service-report JSON)');
    } finally {
      await own.close();
    }
  }, 300_000);
});

import { outputOf, type SynthResult } from '../../scripts/example-harness';
import { tierRan } from '../tiers';
import { ExampleWorld } from './support';

// examples/plan-time-gate through the real `cdktf synth`: what Terraform will run at plan. The report and the gate are
// data sources of this package's Terraform provider (the default plan-time source); nothing is judged at synth. The
// provider tier (test/provider/plan-time-apps.test.ts) runs these stacks through the real Terraform. The external
// fallback (planTimeSource 'external') is covered by test/plan and test/constructs.
const world = new ExampleWorld();
let today: SynthResult;
let tightened: SynthResult;
let unpinned: SynthResult;
const SOURCE = 'local.invalid/cdktf-access-advisor/accessadvisor';
const EXCEPTIONS = [{ permission: 'ec2', reason: 'AMI lookups for the twice-yearly base image rotation' }];

beforeAll(async () => {
  await world.start();
  today = await world.synth('plan-time-gate'); // the real `cdktf synth`
  tightened = await world.synth('plan-time-gate', { 'planTimeGate:attachTightenedPolicy': true });
  unpinned = await world.synth('plan-time-gate', { 'planTimeGate:attachTightenedPolicy': true, 'planTimeGate:pinPolicySet': false });
}, 600_000);
afterAll(async () => {
  await world.stop();
  tierRan('cdktf-cli', 'cdktf synth of examples/plan-time-gate');
});

describe('examples/plan-time-gate', () => {
  it('synthesizes without any lookup and without data "external": the role is looked up by name, its ARN (a token) feeds the report', () => {
    for (const result of [today, tightened]) {
      expect(result.exitCode).toBe(0);
      expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
      expect(result.stack.data.external).toBeUndefined();
      expect(result.stack.data.aws_iam_role.app_deployer.name).toBe('app-deployer');
      expect(result.stack.data.accessadvisor_service_last_accessed.app_deployer_usage.arn).toBe('${data.aws_iam_role.app_deployer.arn}');
      expect(result.stack.terraform.required_providers.accessadvisor).toEqual({ source: SOURCE });
      expect(result.stack.provider.accessadvisor).toEqual([{ timeouts: [{ read: '5m' }] }]);
    }
    expect(world.emulator.metrics().calls.GenerateServiceLastAccessedDetails ?? 0).toBe(0);
  });

  it('the gate is a postcondition on its own accessadvisor_unused_permissions, whose error message is the gate table', () => {
    const gate = today.stack.data.accessadvisor_unused_permissions.app_deployer_gate;
    expect(gate).toMatchObject({ arn: '${data.aws_iam_role.app_deployer.arn}', unused_after_days: 90, exceptions: EXCEPTIONS });
    expect(gate.policies).toBeUndefined(); // today: what IAM grants the role
    expect(gate.lifecycle.postcondition).toEqual([
      {
        condition: '${self.passed}',
        error_message:
          'LeastPrivilegeGate plan-time-gate/app_deployer_gate: ${self.summary}\n${self.table}\n' +
          'judged: what IAM grants the principal today (give policy/policies, or the principal as a construct of this stack, to judge the stack as it will be)\n' +
          'Remove them from the policy, or accept one with allow: [{ permission, reason }].',
      },
    ]);
    expect(outputOf(today, 'app_deployer_gate_summary')).toBe('${data.accessadvisor_unused_permissions.app_deployer_gate.summary}');
    expect(outputOf(today, 'app_deployer_unused_services')).toBe('${data.accessadvisor_unused_permissions.app_deployer_usage.unused_services}');
    expect(outputOf(today, 'app_deployer_report_job')).toBe('${data.accessadvisor_service_last_accessed.app_deployer_usage.job_id}');
  });

  it('with the tightened policies pinned as the role\'s whole set, the gate judges them: the data sources\' json go to the gate\'s policies', () => {
    const gate = tightened.stack.data.accessadvisor_unused_permissions.app_deployer_gate;
    expect(gate.policies).toEqual(['${data.accessadvisor_tightened_policy.app_deployer_tightened.json}', '${data.accessadvisor_tightened_policy.app_deployer_deploy_logs_tightened.json}']);
    expect(gate.lifecycle.postcondition[0].error_message).toContain(
      'judged: the stack as it will be: policy (a token) (data.accessadvisor_tightened_policy.app_deployer_tightened); policy (a token) (data.accessadvisor_tightened_policy.app_deployer_deploy_logs_tightened); ',
    );
    expect(gate.lifecycle.postcondition[0].error_message).toContain(
      'aws_iam_role_policy_attachments_exclusive.app_deployer_managed_policies.policy_arns -> aws_iam_policy.app_deployer_tightened_policy (data.accessadvisor_tightened_policy.app_deployer_tightened)',
    );
    expect(tightened.stack.data.accessadvisor_tightened_policy.app_deployer_tightened).toMatchObject({
      arn: '${data.aws_iam_role.app_deployer.arn}',
      policy: '${data.aws_iam_policy.app_deployer_policy.policy}',
      unused_after_days: 90,
      exceptions: EXCEPTIONS,
    });
    const resources = tightened.stack.resource;
    expect(resources.aws_iam_policy.app_deployer_tightened_policy.policy).toBe('${data.accessadvisor_tightened_policy.app_deployer_tightened.json}');
    expect(resources.aws_iam_role_policy_attachments_exclusive.app_deployer_managed_policies).toMatchObject({
      role_name: '${data.aws_iam_role.app_deployer.name}',
      policy_arns: ['${aws_iam_policy.app_deployer_tightened_policy.arn}'],
    });
    expect(resources.aws_iam_role_policies_exclusive.app_deployer_inline_policies).toMatchObject({ role_name: '${data.aws_iam_role.app_deployer.name}', policy_names: ['deploy-logs'] });
    expect(resources.aws_iam_role_policy.app_deployer_deploy_logs.policy).toBe('${data.accessadvisor_tightened_policy.app_deployer_deploy_logs_tightened.json}');
    expect(resources.aws_iam_role_policy_attachment).toBeUndefined();
  });

  it('the tightened policy attached but the set not pinned: today\'s policies stay, so the gate judges what IAM grants today and says how to pin', () => {
    expect(unpinned.exitCode).toBe(0);
    const gate = unpinned.stack.data.accessadvisor_unused_permissions.app_deployer_gate;
    expect(gate.policies).toBeUndefined();
    const message = gate.lifecycle.postcondition[0].error_message as string;
    expect(message).toContain('data.aws_iam_role.app_deployer is not a resource of this stack (a lookup): the policies attached to it outside this stack stay attached');
    expect(message).toContain('aws_iam_role_policy_attachments_exclusive (role_name, policy_arns = every managed policy it keeps) and aws_iam_role_policies_exclusive (role_name, policy_names');
  });
});

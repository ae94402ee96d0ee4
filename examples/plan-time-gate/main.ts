// A least-privilege gate that runs where the pipeline already stops: `terraform plan`.
//
//   npx access-advisor provider install       (once: this package's Terraform provider, where terraform init finds it)
//   cdktf synth && cd cdktf.out/stacks/plan-time-gate && terraform init && terraform plan
//
// The role is looked up by name with a data source, so its ARN is known only to Terraform. The report is therefore
// resolved at plan time by this package's Terraform provider (`data "accessadvisor_…"` blocks with typed values;
// credentials from Terraform's environment, as for the aws provider). The gate is a postcondition on its own
// `data "accessadvisor_unused_permissions"`: the plan fails, with the gate's table, while the role grants a service, or
// a tracked action of a used service (the report is ACTION_LEVEL by default), that it did not use within 90 days and
// no exception covers it.
//
// With the context `planTimeGate:attachTightenedPolicy` set to true (cdktf.json), the stack also plans the role's
// policies tightened at plan time (`data "accessadvisor_tightened_policy"`) and pins them as the role's whole set
// (`aws_iam_role_policy_attachments_exclusive`, `aws_iam_role_policies_exclusive`: today's policies go at apply);
// the gate then judges those policies, and the plan passes. A gate's policies are every policy the role will hold:
// the role is looked up, not owned, so without the two exclusive resources its policies of today stay attached,
// and the gate judges them too.
//
// After that apply, tighten what the role holds: set `planTimeGate:tightenAppliedPolicies` to true and
// `planTimeGate:deployLogsPolicy` to the applied deploy-logs (the output app_deployer_deploy_logs_policy). IAM's report
// lists only what the role's policies allow today, so it says nothing about what the apply removed: tightening the
// originals again keeps it for lack of evidence, and the next apply would grant it back (each tightened policy's
// `unreportedServices` names such services). Tightening the applied policies again changes nothing.
//
// Because the ARN comes from a data source (known at plan), Terraform reads the report during plan. Had it come from
// a role created in this same run, the read — and the gate — would be deferred to apply (docs/plan-time.md).
import { App, Fn, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicy } from '@cdktf/provider-aws/lib/data-aws-iam-policy';
import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamRolePoliciesExclusive } from '@cdktf/provider-aws/lib/iam-role-policies-exclusive';
import { IamRolePolicyAttachmentsExclusive } from '@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive';
import {
  AccessAdvisorProvider,
  DataAccessAdvisorTightenedPolicy,
  LeastPrivilegeGate,
  ServiceLastAccessedReport,
} from 'cdktf-access-advisor';

const EXCEPTIONS = [{ permission: 'ec2', reason: 'AMI lookups for the twice-yearly base image rotation' }];

/** app-deployer's inline policy deploy-logs, as it is today. */
const DEPLOY_LOGS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy'], Resource: '*' }],
});

class PlanTimeGate extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'us-east-1' });
    // Optional: without it the stack gets an empty `provider "accessadvisor"` (the AWS SDK's default chain).
    new AccessAdvisorProvider(this, 'accessadvisor', { timeouts: { read: '5m' } });

    const role = new DataAwsIamRole(this, 'app_deployer', { name: 'app-deployer' });
    const report = new ServiceLastAccessedReport(this, 'app_deployer_usage', { resolveAt: 'plan', arn: role.arn });

    // What the role will hold: today's policy (attached outside this stack), or its tightened version.
    const attachTightened = this.node.tryGetContext('planTimeGate:attachTightenedPolicy') === true;
    let tightened: DataAccessAdvisorTightenedPolicy | undefined;
    let logsTightened: DataAccessAdvisorTightenedPolicy | undefined;
    if (attachTightened) {
      const account = new DataAwsCallerIdentity(this, 'account');
      const applied = this.node.tryGetContext('planTimeGate:tightenAppliedPolicies') === true;
      const source = applied ? 'app-deployer-policy-tightened' : 'app-deployer-policy';
      const current = new DataAwsIamPolicy(this, 'app_deployer_policy', { arn: `arn:aws:iam::${account.accountId}:policy/${source}` });
      tightened = new DataAccessAdvisorTightenedPolicy(this, 'app_deployer_tightened', {
        arn: role.arn,
        policy: current.policy,
        unusedAfterDays: 90,
        exceptions: EXCEPTIONS,
      });
      const policy = new IamPolicy(this, 'app_deployer_tightened_policy', { name: 'app-deployer-policy-tightened', policy: tightened.json });
      // The role's inline deploy-logs, now written here (Terraform has no data source for an inline policy), tightened too.
      logsTightened = new DataAccessAdvisorTightenedPolicy(this, 'app_deployer_deploy_logs_tightened', {
        arn: role.arn,
        policy: (this.node.tryGetContext('planTimeGate:deployLogsPolicy') as string | undefined) ?? DEPLOY_LOGS,
        attachAs: 'inline',
        unusedAfterDays: 90,
        exceptions: EXCEPTIONS,
      });
      const logs = new IamRolePolicy(this, 'app_deployer_deploy_logs', { role: role.name, name: 'deploy-logs', policy: logsTightened.json });
      // app-deployer is not a resource of this stack, so what IAM attaches to it today stays attached unless the stack
      // pins its whole set: after apply the tightened policy is its only managed policy and deploy-logs its only
      // inline one (Terraform detaches app-deployer-policy and deletes any other inline policy). Without both
      // resources the gate judges what IAM grants today as well, and fails (context `planTimeGate:pinPolicySet` false
      // shows it: the tightened policy is then only added, by an attachment).
      if (this.node.tryGetContext('planTimeGate:pinPolicySet') === false) {
        new IamRolePolicyAttachment(this, 'app_deployer_tightened_attachment', { role: role.name, policyArn: policy.arn });
      } else {
        new IamRolePolicyAttachmentsExclusive(this, 'app_deployer_managed_policies', { roleName: role.name, policyArns: [policy.arn] });
        new IamRolePoliciesExclusive(this, 'app_deployer_inline_policies', { roleName: role.name, policyNames: ['deploy-logs'], dependsOn: [logs] });
      }
    }

    const gate = new LeastPrivilegeGate(this, 'app_deployer_gate', {
      report,
      unusedAfterDays: 90,
      allow: EXCEPTIONS,
      // Every policy the role will hold (the stack's attachments to it are judged too); none: what IAM grants today.
      ...(tightened && logsTightened ? { policies: [tightened.json, logsTightened.json] } : {}),
    });

    // Visible in `terraform plan` (and `cdktf output` after apply).
    new TerraformOutput(this, 'app_deployer_unused_services', { value: report.unusedServices({ days: 90 }) });
    new TerraformOutput(this, 'app_deployer_gate_summary', { value: gate.planSummary });
    new TerraformOutput(this, 'app_deployer_report_job', { value: report.jobId });
    new TerraformOutput(this, 'app_deployer_services', { value: Fn.jsonencode(report.services) });
    if (tightened) new TerraformOutput(this, 'app_deployer_removed_services', { value: tightened.removedServices });
    if (tightened && logsTightened) {
      new TerraformOutput(this, 'app_deployer_unreported_services', { value: Fn.concat([tightened.unreportedServices, logsTightened.unreportedServices]) });
      new TerraformOutput(this, 'app_deployer_deploy_logs_policy', { value: logsTightened.json });
    }
  }
}

const app = new App();
new PlanTimeGate(app, 'plan-time-gate');
app.synth();

// Plan-time reports and gates on CDK Terrain (cdktn) and @cdktn/provider-aws, read by this package's Terraform
// provider at `terraform plan`:
//
//   npx access-advisor provider install       (once)
//   cdktn synth && cd cdktf.out/stacks/plan-time-gate-cdktn && terraform init && terraform plan
//
// (cdktn-cli 0.24 needs Node >= 22.19.) The stack pins app-deployer's policies tightened at plan time as the role's
// whole set (the exclusive resources: today's go at apply), so its strict gate (a postcondition) passes; a second gate judges what IAM grants the role today and only
// warns (a `check` block: `terraform plan` goes on and prints the table). The organization's root is reviewed too.
//
// Once applied, tighten what the role holds (context `planTimeGate:tightenAppliedPolicies` true and
// `planTimeGate:deployLogsPolicy` the output app_deployer_deploy_logs_policy): the report no longer lists what the
// apply removed, so tightening the originals again would keep it and grant it back (examples/plan-time-gate says more).
import { App, Fn, TerraformOutput, TerraformStack } from 'cdktn';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { DataAwsCallerIdentity } from '@cdktn/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicy } from '@cdktn/provider-aws/lib/data-aws-iam-policy';
import { DataAwsIamRole } from '@cdktn/provider-aws/lib/data-aws-iam-role';
import { IamPolicy } from '@cdktn/provider-aws/lib/iam-policy';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { IamRolePoliciesExclusive } from '@cdktn/provider-aws/lib/iam-role-policies-exclusive';
import { IamRolePolicyAttachmentsExclusive } from '@cdktn/provider-aws/lib/iam-role-policy-attachments-exclusive';
import {
  DataAccessAdvisorTightenedPolicy,
  LeastPrivilegeGate,
  OrganizationsAccessReport,
  ServiceLastAccessedReport,
} from 'cdktf-access-advisor';

const EXCEPTIONS = [{ permission: 'ec2', reason: 'AMI lookups for the twice-yearly base image rotation' }];

/** app-deployer's inline policy deploy-logs, as it is today. */
const DEPLOY_LOGS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy'], Resource: '*' }],
});

class PlanTimeGates extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'us-east-1' });
    // No AccessAdvisorProvider: the stack gets an empty `provider "accessadvisor"` (the AWS SDK's default chain).

    const role = new DataAwsIamRole(this, 'app_deployer', { name: 'app-deployer' });
    const report = new ServiceLastAccessedReport(this, 'app_deployer_usage', { resolveAt: 'plan', arn: role.arn });

    const account = new DataAwsCallerIdentity(this, 'account');
    const source = this.node.tryGetContext('planTimeGate:tightenAppliedPolicies') === true ? 'app-deployer-policy-tightened' : 'app-deployer-policy';
    const current = new DataAwsIamPolicy(this, 'app_deployer_policy', { arn: `arn:aws:iam::${account.accountId}:policy/${source}` });
    const tightened = new DataAccessAdvisorTightenedPolicy(this, 'app_deployer_tightened', {
      arn: role.arn,
      policy: current.policy,
      unusedAfterDays: 90,
      exceptions: EXCEPTIONS,
    });
    const policy = new IamPolicy(this, 'app_deployer_tightened_policy', { name: 'app-deployer-policy-tightened', policy: tightened.json });
    // The role's inline deploy-logs, now written here (Terraform has no data source for an inline policy), tightened too.
    const logsTightened = new DataAccessAdvisorTightenedPolicy(this, 'app_deployer_deploy_logs_tightened', {
      arn: role.arn,
      policy: (this.node.tryGetContext('planTimeGate:deployLogsPolicy') as string | undefined) ?? DEPLOY_LOGS,
      attachAs: 'inline',
      unusedAfterDays: 90,
      exceptions: EXCEPTIONS,
    });
    const logs = new IamRolePolicy(this, 'app_deployer_deploy_logs', { role: role.name, name: 'deploy-logs', policy: logsTightened.json });
    // The role is looked up, not owned: what IAM attaches to it today stays unless the stack pins its whole set. After
    // apply the tightened policy is its only managed policy and deploy-logs its only inline one.
    new IamRolePolicyAttachmentsExclusive(this, 'app_deployer_managed_policies', { roleName: role.name, policyArns: [policy.arn] });
    new IamRolePoliciesExclusive(this, 'app_deployer_inline_policies', { roleName: role.name, policyNames: ['deploy-logs'], dependsOn: [logs] });

    // Fails the plan unless every policy the role will hold (the tightened ones, pinned) is all used.
    const gate = new LeastPrivilegeGate(this, 'app_deployer_gate', { report, unusedAfterDays: 90, allow: EXCEPTIONS, policies: [tightened.json, logsTightened.json] });
    // Warns about what IAM grants the role today, without failing the plan.
    const today = new LeastPrivilegeGate(this, 'app_deployer_today', { report, unusedAfterDays: 90, allow: EXCEPTIONS, failOn: 'warning' });

    const org = new OrganizationsAccessReport(this, 'org_root', { resolveAt: 'plan', entityPath: 'o-4fxmplt198/r-c3xb' });

    new TerraformOutput(this, 'app_deployer_service_namespaces', { value: report.serviceNamespaces });
    new TerraformOutput(this, 'app_deployer_services', { value: Fn.jsonencode(report.services) });
    new TerraformOutput(this, 'app_deployer_report_job', { value: report.jobId });
    new TerraformOutput(this, 'app_deployer_unreported_services', { value: Fn.concat([tightened.unreportedServices, logsTightened.unreportedServices]) });
    new TerraformOutput(this, 'app_deployer_deploy_logs_policy', { value: logsTightened.json });
    new TerraformOutput(this, 'app_deployer_removed_services', { value: tightened.removedServices });
    new TerraformOutput(this, 'app_deployer_gate_passed', { value: gate.planDecision!.passed });
    new TerraformOutput(this, 'app_deployer_today_violations', { value: today.planDecision!.violationCount });
    new TerraformOutput(this, 'org_accessed_services', { value: org.accessedServices });
    new TerraformOutput(this, 'org_not_accessed_services', { value: org.notAccessedServices });
  }
}

const app = new App();
new PlanTimeGates(app, 'plan-time-gate-cdktn');
app.synth();

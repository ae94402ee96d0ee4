// Plan-time reports and gates on CDK Terrain (cdktn) and @cdktn/provider-aws, read by this package's Terraform
// provider at `terraform plan`:
//
//   npx access-advisor provider install       (once)
//   cdktn synth && cd cdktf.out/stacks/plan-time-gate-cdktn && terraform init && terraform plan
//
// (cdktn-cli 0.24 needs Node >= 22.19.) The stack attaches app-deployer's policy tightened at plan time in place of
// today's, so its strict gate (a postcondition) passes; a second gate judges what IAM grants the role today and only
// warns (a `check` block: `terraform plan` goes on and prints the table). The organization's root is reviewed too.
import { App, Fn, TerraformOutput, TerraformStack } from 'cdktn';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { DataAwsCallerIdentity } from '@cdktn/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicy } from '@cdktn/provider-aws/lib/data-aws-iam-policy';
import { DataAwsIamRole } from '@cdktn/provider-aws/lib/data-aws-iam-role';
import { IamPolicy } from '@cdktn/provider-aws/lib/iam-policy';
import { IamRolePolicyAttachment } from '@cdktn/provider-aws/lib/iam-role-policy-attachment';
import {
  DataAccessAdvisorTightenedPolicy,
  LeastPrivilegeGate,
  OrganizationsAccessReport,
  ServiceLastAccessedReport,
} from 'cdktf-access-advisor';

const EXCEPTIONS = [{ permission: 'ec2', reason: 'AMI lookups for the twice-yearly base image rotation' }];

class PlanTimeGates extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'us-east-1' });
    // No AccessAdvisorProvider: the stack gets an empty `provider "accessadvisor"` (the AWS SDK's default chain).

    const role = new DataAwsIamRole(this, 'app_deployer', { name: 'app-deployer' });
    const report = new ServiceLastAccessedReport(this, 'app_deployer_usage', { resolveAt: 'plan', arn: role.arn });

    const account = new DataAwsCallerIdentity(this, 'account');
    const current = new DataAwsIamPolicy(this, 'app_deployer_policy', { arn: `arn:aws:iam::${account.accountId}:policy/app-deployer-policy` });
    const tightened = new DataAccessAdvisorTightenedPolicy(this, 'app_deployer_tightened', {
      arn: role.arn,
      policy: current.policy,
      unusedAfterDays: 90,
      exceptions: EXCEPTIONS,
    });
    const policy = new IamPolicy(this, 'app_deployer_tightened_policy', { name: 'app-deployer-policy-tightened', policy: tightened.json });
    new IamRolePolicyAttachment(this, 'app_deployer_tightened_attachment', { role: role.name, policyArn: policy.arn });

    // Fails the plan unless what the role will hold (the tightened policy) is all used.
    const gate = new LeastPrivilegeGate(this, 'app_deployer_gate', { report, unusedAfterDays: 90, allow: EXCEPTIONS, policy: tightened.json });
    // Warns about what IAM grants the role today, without failing the plan.
    const today = new LeastPrivilegeGate(this, 'app_deployer_today', { report, unusedAfterDays: 90, allow: EXCEPTIONS, failOn: 'warning' });

    const org = new OrganizationsAccessReport(this, 'org_root', { resolveAt: 'plan', entityPath: 'o-4fxmplt198/r-c3xb' });

    new TerraformOutput(this, 'app_deployer_service_namespaces', { value: report.serviceNamespaces });
    new TerraformOutput(this, 'app_deployer_services', { value: Fn.jsonencode(report.services) });
    new TerraformOutput(this, 'app_deployer_report_job', { value: report.jobId });
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

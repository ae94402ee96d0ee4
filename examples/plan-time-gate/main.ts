// A least-privilege gate that runs where the pipeline already stops: `terraform plan`.
//
//   cdktf synth && cd cdktf.out/stacks/plan-time-gate && terraform init && terraform plan
//
// The role is looked up by name with a data source, so its ARN is known only to Terraform. The report is therefore
// resolved at plan time by a `data "external"` block that runs this package's bundled program (node >= 20 on the
// PATH where Terraform runs; credentials from Terraform's environment). The gate is a postcondition on that data
// source: the plan fails when the role grants a service it did not use within 90 days and no exception covers it.
//
// Because the ARN comes from a data source (known at plan), Terraform reads the report during plan. Had it come from
// a role created in this same run, the read — and the gate — would be deferred to apply (docs/plan-time.md).
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import { LeastPrivilegeGate, ServiceLastAccessedReport } from 'cdktf-access-advisor';

class PlanTimeGate extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'us-east-1' });

    const role = new DataAwsIamRole(this, 'app_deployer', { name: 'app-deployer' });
    const report = new ServiceLastAccessedReport(this, 'app_deployer_usage', {
      resolveAt: 'plan',
      arn: role.arn,
      timeout: '5m',
    });
    const gate = new LeastPrivilegeGate(this, 'app_deployer_gate', {
      report,
      unusedAfterDays: 90,
      allow: [{ permission: 'ec2', reason: 'AMI lookups for the twice-yearly base image rotation' }],
    });

    // Visible in `terraform plan` (and `cdktf output` after apply).
    new TerraformOutput(this, 'app_deployer_unused_services', { value: report.unusedServices({ days: 90 }) });
    new TerraformOutput(this, 'app_deployer_gate_summary', { value: gate.planSummary });
    new TerraformOutput(this, 'app_deployer_report_job', { value: report.jobId });
  }
}

const app = new App();
new PlanTimeGate(app, 'plan-time-gate');
app.synth();

// Least privilege for roles that already have a history: read IAM access advisor at synth time, write tightened
// policies as literal JSON into the plan, and gate what the roles grant but do not use.
//
//   cdktf synth    (needs credentials allowed to run access-advisor reports; see the README, "IAM permissions")
//
// The reports are resolved during synth and cached in access-advisor.context.json (commit it: the next synth is
// offline and gives the same output). Against the local emulator: `npm run demo` in the repository root.
//
// The deployer gate judges the stack as it will be: the tightened policy this stack attaches to app-deployer. It
// passes with it; with the app context `leastPrivilegeRole:deployerPolicy` = "current" the stack attaches today's
// policy instead, and the same gate fails (the demo shows both).
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LeastPrivilegeGate, ServiceLastAccessedReport, TightenedPolicyDocument } from 'cdktf-access-advisor';

const ACCOUNT_ID = '123456789012';

/** The trust policy of a role that an AWS service assumes. */
function assumedBy(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
}

/** AWS's AdministratorAccess, which ops-admin holds today. */
const ADMINISTRATOR_ACCESS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

class LeastPrivilegeRoles extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'us-east-1' });

    // The roles this stack owns. They exist already and have a year of access history.
    const deployer = new IamRole(this, 'app_deployer', {
      name: 'app-deployer',
      description: 'Deploys the application from CI',
      assumeRolePolicy: assumedBy('codebuild.amazonaws.com'),
    });
    const opsAdmin = new IamRole(this, 'ops_admin', {
      name: 'ops-admin',
      description: 'Operations break-glass role',
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: 'sts:AssumeRole' }],
      }),
      maxSessionDuration: 7200,
    });
    const analytics = new IamRole(this, 'young_analytics', {
      name: 'young-analytics',
      description: 'New analytics workload',
      assumeRolePolicy: assumedBy('glue.amazonaws.com'),
    });

    // 1. The evidence, one report per role. The default granularity, ACTION_LEVEL (IAM's own default is
    //    SERVICE_LEVEL; the constructs always ask explicitly), lists the services and the tracked actions: the
    //    tightenings remove, and the gates judge, the unused actions of used services too. All lookups of one synth
    //    run as one batch, so three reports cost about one job's latency; decisions are evaluated at synth, after
    //    that batch, so reports and decisions may be declared in any order.
    const deployerUsage = new ServiceLastAccessedReport(this, 'deployer_usage', { principal: deployer, accountId: ACCOUNT_ID });
    const opsAdminUsage = new ServiceLastAccessedReport(this, 'ops_admin_usage', { principal: opsAdmin, accountId: ACCOUNT_ID });
    const analyticsUsage = new ServiceLastAccessedReport(this, 'analytics_usage', { principal: analytics, accountId: ACCOUNT_ID });

    // One decision for app-deployer, passed once to its tightening and its gate: the same window and the same
    // exceptions, so the tightening never removes what the gate accepts.
    const deployerDecision = {
      unusedAfterDays: 90,
      allow: [{ permission: 'ec2', reason: 'AMI lookups for the twice-yearly base image rotation' }],
    };
    const attachTightened = this.node.tryGetContext('leastPrivilegeRole:deployerPolicy') !== 'current';

    // 2. Tightened policies: what the evidence proves unused is removed; used, untracked, excepted and iam:PassRole stay.
    //    Wildcards stay as written (s3:*, *) and Deny statements list the unused tracked actions they still allow.
    const deployerDocument = new DataAwsIamPolicyDocument(this, 'deployer_policy_document', {
      statement: [
        {
          sid: 'Deploy',
          effect: 'Allow',
          actions: ['s3:*', 'ec2:*', 'lambda:*', 'dynamodb:*', 'sqs:*', 'iam:PassRole', 'iam:GetRole', 'iam:CreateRole', 'iam:AttachRolePolicy'],
          resources: ['*'],
        },
      ],
    });
    const deployerTightened = new TightenedPolicyDocument(this, 'deployer_tightened', {
      report: deployerUsage,
      policy: deployerDocument,
      ...deployerDecision,
    });
    const deployerPolicy = new IamPolicy(this, 'deployer_policy', {
      name: 'app-deployer-policy',
      description: 'Deployment permissions of the application pipeline (tightened on access advisor evidence)',
      policy: attachTightened ? deployerTightened.json : deployerDocument.json,
    });
    new IamRolePolicyAttachment(this, 'deployer_policy_attachment', { role: deployer.name, policyArn: deployerPolicy.arn });

    // AdministratorAccess stays "Allow *", and Deny statements list what ops-admin has not used: hundreds of services
    // and actions, more than IAM's 6,144 characters per managed policy, so the result is several documents. Attach
    // each (forEachDocument reads the result now: every report above is declared, so this is still one batch).
    const opsAdminTightened = new TightenedPolicyDocument(this, 'ops_admin_tightened', { report: opsAdminUsage, policy: ADMINISTRATOR_ACCESS });
    opsAdminTightened.forEachDocument((policy, i, count) => {
      const id = i === 0 ? 'ops_admin_policy' : `ops_admin_policy_${i + 1}`;
      const document = new IamPolicy(this, id, {
        name: i === 0 ? 'ops-admin-least-privilege' : `ops-admin-least-privilege-${i + 1}`,
        description: `What ops-admin used of AdministratorAccess in the last 90 days (document ${i + 1} of ${count})`,
        policy,
      });
      new IamRolePolicyAttachment(this, `${id}_attachment`, { role: opsAdmin.name, policyArn: document.arn });
    });

    // 3. Gates: synth fails while the stack grants a role a service or a tracked action it has not used for 90 days,
    //    unless an exception with a reason covers it. A gate judges the stack as it will be: for app-deployer, the policies
    //    this stack attaches to it (here the tightened one, so the pull request that tightens passes), judged on
    //    the evidence. young-analytics is too new to judge (insufficient history) and passes, saying so.
    const deployerGate = new LeastPrivilegeGate(this, 'deployer_gate', { report: deployerUsage, ...deployerDecision });
    const analyticsGate = new LeastPrivilegeGate(this, 'analytics_gate', { report: analyticsUsage });

    // What a reviewer (and `cdktf output`) sees. `proof`, `passed` and `violations` are values read now: reading one
    // resolves the lookups declared so far (here: all of them, in one batch). The lists and counts are lazy.
    for (const [name, report, tightened] of [
      ['app_deployer', deployerUsage, deployerTightened],
      ['ops_admin', opsAdminUsage, opsAdminTightened],
    ] as const) {
      new TerraformOutput(this, `${name}_services_allowed`, { value: report.serviceNamespaces });
      new TerraformOutput(this, `${name}_services_used`, { value: report.usedServices({ days: 90 }) });
      new TerraformOutput(this, `${name}_services_unused`, { value: report.unusedServices({ days: 90 }) });
      new TerraformOutput(this, `${name}_actions_used`, { value: report.usedActions({ days: 90 }) });
      new TerraformOutput(this, `${name}_removed_services`, { value: tightened.removedServices });
      new TerraformOutput(this, `${name}_removed_action_count`, { value: tightened.removedActionCount });
      new TerraformOutput(this, `${name}_tightening_proof_holds`, { value: tightened.proof.holds });
    }
    new TerraformOutput(this, 'young_analytics_services_allowed', { value: analyticsUsage.serviceNamespaces });
    new TerraformOutput(this, 'young_analytics_services_used', { value: analyticsUsage.usedServices({ days: 90 }) });
    new TerraformOutput(this, 'app_deployer_gate_passed', { value: deployerGate.passed });
    new TerraformOutput(this, 'app_deployer_gate_violations', { value: deployerGate.violations.map((v) => v.permission) });
    new TerraformOutput(this, 'young_analytics_gate_passed', { value: analyticsGate.passed });
  }
}

const app = new App();
new LeastPrivilegeRoles(app, 'least-privilege-role');
app.synth();

// A drift ratchet for CI: fail only when a principal gains a permission it does not use, not for the unused ones
// the team has already accepted into the committed baseline (access-baseline.json).
//
//   cdktf synth    (in CI: see .github/workflows/least-privilege.yml, which also posts the verdict to the job summary)
//
// When the check fails, its message names the new unused permissions and the command that accepts the current state:
//   access-advisor gate --arn <principal> --granularity SERVICE_LEVEL --unused-after-days 90 --baseline access-baseline.json --accept
// Remove the permission, or accept it and commit the baseline. When the check says an entry is no longer unused,
// re-accept to shrink the baseline.
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { IamGroup } from '@cdktf/provider-aws/lib/iam-group';
import { IamGroupPolicyAttachment } from '@cdktf/provider-aws/lib/iam-group-policy-attachment';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamUser } from '@cdktf/provider-aws/lib/iam-user';
import { IamUserPolicy } from '@cdktf/provider-aws/lib/iam-user-policy';
import { PolicyDriftCheck, ServiceLastAccessedReport } from 'cdktf-access-advisor';

const ACCOUNT_ID = '123456789012';

const allow = (actions: string[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

class CiDriftRatchet extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'us-east-1' });
    // The committed baseline; the context key lets a pipeline point at another file.
    const baseline = String(this.node.tryGetContext('baselineFile') ?? 'access-baseline.json');

    const carol = new IamUser(this, 'carol', { name: 'carol', path: '/engineering/' });
    const carolPolicy = new IamUserPolicy(this, 'carol_lambda_developer', {
      name: 'lambda-developer',
      user: carol.name,
      policy: allow(['lambda:*', 'logs:*', 'xray:*', 'cloudwatch:GetMetricData']),
    });

    const interns = new IamGroup(this, 'interns', { name: 'interns' });
    const internBoundary = new IamPolicy(this, 'intern_boundary', {
      name: 'intern-boundary',
      description: 'What interns may do: read S3, CloudWatch, logs and DynamoDB metadata',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['s3:Get*', 's3:List*', 'cloudwatch:Get*', 'cloudwatch:List*', 'cloudwatch:Describe*', 'logs:Describe*', 'logs:Get*', 'dynamodb:Describe*', 'dynamodb:List*'],
            Resource: '*',
          },
          { Effect: 'Deny', Action: ['s3:PutBucketPolicy', 's3:DeleteBucket'], Resource: '*' },
        ],
      }),
    });
    new IamGroupPolicyAttachment(this, 'interns_boundary', { group: interns.name, policyArn: internBoundary.arn });

    // A service-level ratchet, asked for explicitly (the package's default is ACTION_LEVEL): the baseline accepts
    // whole services, so it changes only when a service is used again or newly granted, not with every tracked
    // action. The CI step below asks the CLI gate for the same level. Each check judges only what the stack's own policy grants. The checks run at synth, after every report of the
    // app resolved in one batch; reading `passed` / `drift` below asks for the result now (after both reports).
    const carolUsage = new ServiceLastAccessedReport(this, 'carol_usage', { principal: carol, accountId: ACCOUNT_ID, granularity: 'SERVICE_LEVEL' });
    const internsUsage = new ServiceLastAccessedReport(this, 'interns_usage', { principal: interns, accountId: ACCOUNT_ID, granularity: 'SERVICE_LEVEL' });
    const checks = {
      carol: new PolicyDriftCheck(this, 'carol_drift', { report: carolUsage, policy: carolPolicy, baseline, unusedAfterDays: 90 }),
      interns: new PolicyDriftCheck(this, 'interns_drift', { report: internsUsage, policy: internBoundary, baseline, unusedAfterDays: 90 }),
    };
    for (const [name, check] of Object.entries(checks)) {
      new TerraformOutput(this, `${name}_drift_passed`, { value: check.passed });
      new TerraformOutput(this, `${name}_unused_accepted`, { value: [...(check.drift?.acceptedUnused ?? [])] });
      new TerraformOutput(this, `${name}_unused_new`, { value: [...(check.drift?.newUnused ?? [])] });
    }
  }
}

const app = new App();
new CiDriftRatchet(app, 'ci-drift-ratchet');
app.synth();

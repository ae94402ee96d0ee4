import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamPolicyAttachment } from '@cdktf/provider-aws/lib/iam-policy-attachment';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsIamPolicy } from '@cdktf/provider-aws/lib/data-aws-iam-policy';
import { Fn, TerraformHclModule, TerraformIterator, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { LeastPrivilegeGate } from '../../src/constructs/least-privilege-gate';
import { PolicyDriftCheck } from '../../src/constructs/policy-drift-check';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { Testing } from '../default-core';
import type { ServiceLastAccessedReport as ReportModel } from '../../src/model/report';
import { annotationsOf, stackWithCachedReports } from '../analysis/construct-fixtures';
import { DEMO_ACCOUNT, demoDeployerReport } from './demo-world-report';

// Issue 22: in the demo world app-deployer used s3, lambda, iam and logs recently, ec2 210 days ago, and never
// dynamodb or sqs. The stack gives it what it used through a route the gate reads, and dynamodb:* / sqs:* through
// another. Whatever that other route is, the gate must not call dynamodb and sqs "no longer granted".
let evidence: ReportModel;
beforeAll(async () => {
  evidence = await demoDeployerReport();
}, 60_000);

const doc = (actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
const USED = doc(['s3:*', 'lambda:*', 'iam:GetRole', 'iam:PassRole', 'logs:*']);
const UNUSED = doc(['dynamodb:*', 'sqs:*']);

interface World {
  readonly stack: TerraformStack;
  readonly role: IamRole;
  readonly app: ReturnType<typeof stackWithCachedReports>['app'];
}

/** app-deployer as a resource of the stack, given what it used through a policy + attachment the gate reads. */
function deployerStack(): World {
  const { app, stack } = stackWithCachedReports([evidence]);
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const role = new IamRole(stack, 'app_deployer', { name: 'app-deployer', assumeRolePolicy: '{}' });
  const used = new IamPolicy(stack, 'deployer_policy', { name: 'app-deployer-policy', policy: USED });
  new IamRolePolicyAttachment(stack, 'deployer_policy_attachment', { role: role.name, policyArn: used.arn });
  return { app, stack, role };
}

function gateOf(world: World): { gate: LeastPrivilegeGate; check: PolicyDriftCheck } {
  // The routes are about services: a service-level report (the evidence above), asked for explicitly.
  const report = new ServiceLastAccessedReport(world.stack, 'usage', { principal: world.role, accountId: DEMO_ACCOUNT, granularity: 'SERVICE_LEVEL' });
  const gate = new LeastPrivilegeGate(world.stack, 'gate', { report, failOn: 'warning' });
  const check = new PolicyDriftCheck(world.stack, 'drift', { report, baseline: 'no-baseline.json', failOn: 'warning' });
  Testing.synth(world.stack);
  return { gate, check };
}

const message = (gate: LeastPrivilegeGate) => annotationsOf(gate).map((a) => a.message).join('\n');

/** Each route grants dynamodb:* and sqs:* to app-deployer in a way the discovery did not (or does not fully) read. */
const ROUTES: Record<string, { build: (w: World) => void; names: RegExp }> = {
  'a DataAwsIamPolicyDocument built from sourceJson': {
    build: ({ stack, role }) => {
      const d = new DataAwsIamPolicyDocument(stack, 'extra', { sourceJson: UNUSED, statement: [{ actions: ['logs:PutLogEvents'], resources: ['*'] }] });
      new IamRolePolicy(stack, 'extra_policy', { role: role.name, policy: d.json });
    },
    names: /aws_iam_role_policy\.extra_policy \(data\.aws_iam_policy_document\.extra\): not read \(.*source_json/,
  },
  'a DataAwsIamPolicyDocument built from overrideJson': {
    build: ({ stack, role }) => {
      const d = new DataAwsIamPolicyDocument(stack, 'extra', { overrideJson: UNUSED });
      new IamRolePolicy(stack, 'extra_policy', { role: role.name, policy: d.json });
    },
    names: /override_json/,
  },
  'override_policy_documents': {
    build: ({ stack, role }) => {
      const d = new DataAwsIamPolicyDocument(stack, 'extra', { overridePolicyDocuments: [UNUSED] });
      new IamRolePolicy(stack, 'extra_policy', { role: role.name, policy: d.json });
    },
    names: /override_policy_documents/,
  },
  "the role's name through Fn.trimspace": {
    build: ({ stack, role }) => new IamRolePolicy(stack, 'extra_policy', { role: Fn.trimspace(role.name), policy: UNUSED }),
    names: /aws_iam_role_policy\.extra_policy: role = \$\{trimspace\(aws_iam_role\.app_deployer\.name\)\} is neither a direct reference/,
  },
  "the role's name through a TerraformLocal": {
    build: ({ stack, role }) => {
      const local = new TerraformLocal(stack, 'deployer_name', role.name);
      new IamRolePolicy(stack, 'extra_policy', { role: local.asString, policy: UNUSED });
    },
    names: /local\.deployer_name: names aws_iam_role\.app_deployer in \(value\)/,
  },
  'a variable that may hold the name': {
    build: ({ stack }) => {
      const v = new TerraformVariable(stack, 'role_name', { type: 'string' });
      new IamRolePolicy(stack, 'extra_policy', { role: v.stringValue, policy: UNUSED });
    },
    names: /aws_iam_role_policy\.extra_policy: role = \$\{var\.role_name\}/,
  },
  'an aws_iam_policy_attachment whose roles list is computed': {
    build: ({ stack, role }) => {
      const p = new IamPolicy(stack, 'extra', { name: 'extra', policy: UNUSED });
      new IamPolicyAttachment(stack, 'extra_attachment', { name: 'x', roles: Fn.concat([[role.name], []]) as never, policyArn: p.arn });
    },
    names: /aws_iam_policy_attachment\.extra_attachment: roles = .* is not a literal list/,
  },
  'an escape hatch that points a policy at the role': {
    build: ({ stack, role }) => {
      const p = new IamRolePolicy(stack, 'extra_policy', { role: 'someone-else', policy: doc(['logs:GetLogEvents']) });
      p.addOverride('role', role.name);
      p.addOverride('policy', UNUSED);
    },
    names: /judged: the stack as it will be: .*aws_iam_role_policy\.extra_policy/,
  },
  'lifecycle.ignore_changes on the policy': {
    build: ({ stack, role }) => {
      const p = new IamRolePolicy(stack, 'extra_policy', { role: role.name, policy: doc(['logs:GetLogEvents']), lifecycle: { ignoreChanges: ['policy'] } });
      void p;
    },
    names: /aws_iam_role_policy\.extra_policy: lifecycle\.ignore_changes = \["policy"\] keeps whatever policy is deployed/,
  },
  'another stack of the same app, by literal name': {
    build: ({ app }) => {
      const other = new TerraformStack(app, 'other');
      new AwsProvider(other, 'aws', { region: 'us-east-1' });
      new IamRolePolicy(other, 'extra_policy', { role: 'app-deployer', policy: UNUSED });
    },
    names: /aws_iam_role_policy\.extra_policy: attaches to aws_iam_role\.app_deployer from another stack/,
  },
  'another stack of the same app, by reference': {
    build: ({ app, role }) => {
      const other = new TerraformStack(app, 'other');
      new AwsProvider(other, 'aws', { region: 'us-east-1' });
      new IamRolePolicy(other, 'extra_policy', { role: role.name, policy: UNUSED });
    },
    names: /aws_iam_role_policy\.extra_policy: .*another stack/,
  },
  'a role lookup (DataAwsIamRole) by a computed name, then a policy on the looked-up role': {
    build: ({ stack, role }) => {
      const lookup = new DataAwsIamRole(stack, 'lookup', { name: Fn.trimspace(role.name) });
      new IamRolePolicy(stack, 'extra_policy', { role: lookup.name, policy: UNUSED });
    },
    names: /aws_iam_role_policy\.extra_policy: role = \$\{data\.aws_iam_role\.lookup\.name\}/,
  },
  'a module given the role': {
    build: ({ stack, role }) => new TerraformHclModule(stack, 'grants', { source: 'example/grants/aws', variables: { role_arn: role.arn } }),
    names: /module\.grants: names aws_iam_role\.app_deployer in role_arn/,
  },
  'a bucket policy naming the role': {
    build: ({ stack }) =>
      new S3BucketPolicy(stack, 'bucket_policy', {
        bucket: 'b',
        policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEMO_ACCOUNT}:role/app-deployer` }, Action: 'sqs:*', Resource: '*' }] }),
      }),
    names: /aws_s3_bucket_policy\.bucket_policy: names aws_iam_role\.app_deployer in policy/,
  },
  "the role's managed_policy_arns through a function": {
    build: ({ stack, role }) => {
      const p = new IamPolicy(stack, 'extra', { name: 'extra', policy: UNUSED });
      role.addOverride('managed_policy_arns', Fn.compact([p.arn]));
    },
    names: /aws_iam_role\.app_deployer: managed_policy_arns = .* is not a literal list/,
  },
  // Routes the audit tried beyond issue 22's list.
  'an attachment of a managed policy created elsewhere (looked up by name)': {
    build: ({ stack, role }) => {
      const elsewhere = new DataAwsIamPolicy(stack, 'elsewhere', { name: 'team-data-access' });
      new IamRolePolicyAttachment(stack, 'elsewhere_attachment', { role: role.name, policyArn: elsewhere.arn });
    },
    names: /\$\{data\.aws_iam_policy\.elsewhere\.arn\} \(aws_iam_role_policy_attachment\.elsewhere_attachment\): a policy this stack does not define/,
  },
  'an attachment of an AWS-managed policy by literal ARN': {
    build: ({ stack, role }) => new IamRolePolicyAttachment(stack, 'managed_attachment', { role: role.name, policyArn: 'arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess' }),
    names: /arn:aws:iam::aws:policy\/AmazonDynamoDBFullAccess \(aws_iam_role_policy_attachment\.managed_attachment\): a policy this stack does not define/,
  },
  'an attachment whose policy ARN is computed with a function': {
    build: ({ stack, role }) =>
      new IamRolePolicyAttachment(stack, 'computed_attachment', { role: role.name, policyArn: Fn.join('', ['arn:aws:iam::', DEMO_ACCOUNT, ':policy/team']) }),
    names: /\(aws_iam_role_policy_attachment\.computed_attachment\): a policy this stack does not define/,
  },
  'a policy created per element of a for_each': {
    build: ({ stack, role }) => {
      const each = TerraformIterator.fromMap({ data: UNUSED });
      new IamRolePolicy(stack, 'each_policy', { forEach: each, role: role.name, policy: each.value });
    },
    names: /aws_iam_role_policy\.each_policy: its policy is not known at synth \(\$\{each\.value\}\)/,
  },
  'a policy JSON text that names a key twice': {
    build: ({ stack, role }) =>
      new IamRolePolicy(stack, 'twice_policy', {
        role: role.name,
        policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Action":"logs:GetLogEvents","Resource":"*"},{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}',
      }),
    names: /aws_iam_role_policy\.twice_policy: not a valid policy document \(.*Statement\[0\]\.Action: "Action \(named twice\)"/,
  },
  "an inline_policy block added to the role by an escape hatch, from a computed document": {
    build: ({ stack, role }) => {
      const p = new IamPolicy(stack, 'extra', { name: 'extra', policy: UNUSED });
      role.addOverride('inline_policy', [{ name: 'extra', policy: p.policy }]);
    },
    names: /aws_iam_role\.app_deployer\.inline_policy: its policy is not known at synth/,
  },
};

describe('issue 22: an untraceable grant route may grant anything', () => {
  it('control: with only the traced policy and references that grant nothing, dynamodb and sqs are no longer granted', () => {
    const world = deployerStack();
    new LambdaFunction(world.stack, 'fn', { functionName: 'f', role: world.role.arn, runtime: 'nodejs20.x', handler: 'i.h', filename: 'f.zip' });
    new IamInstanceProfile(world.stack, 'profile', { role: world.role.name });
    new TerraformOutput(world.stack, 'deployer_arn', { value: world.role.arn });
    const { gate, check } = gateOf(world);
    expect(gate.violations).toEqual([]);
    expect(gate.unused!.findings.filter((f) => f.kind === 'no-longer-granted').map((f) => f.permission)).toEqual(['dynamodb', 'ec2', 'sqs']);
    expect(check.drift?.newUnused).toEqual([]);
  });

  for (const [route, { build, names }] of Object.entries(ROUTES)) {
    it(`${route}: dynamodb and sqs stay violations, and the message names the route`, () => {
      const world = deployerStack();
      build(world);
      const { gate, check } = gateOf(world);
      const violations = gate.violations.map((v) => v.permission);
      expect(violations).toEqual(expect.arrayContaining(['dynamodb', 'sqs']));
      expect(gate.passed).toBe(false);
      expect(check.drift?.newUnused).toEqual(expect.arrayContaining(['dynamodb', 'sqs']));
      expect(message(gate)).toMatch(names);
    });
  }

  it('a role lookup by name grants nothing; a policy on the looked-up role is read as granted', () => {
    const world = deployerStack();
    const lookup = new DataAwsIamRole(world.stack, 'lookup', { name: world.role.name });
    new IamRolePolicy(world.stack, 'extra_policy', { role: lookup.name, policy: UNUSED });
    const { gate } = gateOf(world);
    expect(gate.violations.map((v) => v.permission)).toEqual(expect.arrayContaining(['dynamodb', 'sqs']));
    expect(message(gate)).not.toContain('may grant anything');
    expect(message(gate)).toContain('aws_iam_role_policy.extra_policy');
  });

  it('a role lookup by name alone leaves the verdict to the traced policies', () => {
    const world = deployerStack();
    new DataAwsIamRole(world.stack, 'lookup', { name: world.role.name });
    const { gate } = gateOf(world);
    expect(gate.violations).toEqual([]);
  });

  it('per-environment stacks with the same construct ids: the other stack\'s own role is not this principal', () => {
    const world = deployerStack();
    const prod = new TerraformStack(world.app, 'prod');
    new AwsProvider(prod, 'aws', { region: 'us-east-1' });
    const prodRole = new IamRole(prod, 'app_deployer', { name: 'app-deployer-prod', assumeRolePolicy: '{}' });
    new IamRolePolicy(prod, 'extra_policy', { role: prodRole.name, policy: UNUSED });
    const { gate } = gateOf(world);
    expect(gate.violations).toEqual([]);
    expect(message(gate)).toContain('judged: the stack as it will be: aws_iam_role_policy_attachment.deployer_policy_attachment');
  });

  it('the message says how to make a route traceable', () => {
    const world = deployerStack();
    ROUTES["the role's name through Fn.trimspace"]!.build(world);
    const { gate } = gateOf(world);
    expect(message(gate)).toContain('may grant anything, so every unused permission still counts');
    expect(message(gate)).toContain('to make a route traceable, give the principal policies only through');
  });
});

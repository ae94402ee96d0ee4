import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamRolePoliciesExclusive } from '@cdktf/provider-aws/lib/iam-role-policies-exclusive';
import { IamRolePolicyAttachmentsExclusive } from '@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive';
import { IamUser } from '@cdktf/provider-aws/lib/iam-user';
import { IamGroup } from '@cdktf/provider-aws/lib/iam-group';
import { IamGroupPolicy } from '@cdktf/provider-aws/lib/iam-group-policy';
import { IamUserGroupMembership } from '@cdktf/provider-aws/lib/iam-user-group-membership';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LeastPrivilegeGate } from '../../src/constructs/least-privilege-gate';
import { PolicyDriftCheck } from '../../src/constructs/policy-drift-check';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { TightenedPolicyDocument } from '../../src/constructs/tightened-policy-document';
import { Testing, type TerraformStack } from '../default-core';
import { annotationsOf, cachedReport, stackWithCachedReports } from '../analysis/construct-fixtures';
import { allow, doc, OLD, RECENT, report, service } from '../analysis/fixtures';
import { documentedTrackedNames } from '../analysis/documented-tracking';

// Issue 12, items 8–10: the gate judges the permissions the stack WILL grant, shares the tightening's exceptions,
// and reads services first. Role "app" used s3 (CreateBucket recently, DeleteBucket never), never ec2, sqs long ago.
const ACCOUNT = '123456789012';
const evidence = report([service('s3', RECENT, { CreateBucket: RECENT, DeleteBucket: undefined }), service('ec2'), service('sqs', OLD)]);
const userEvidence = report([service('s3', RECENT), service('ec2'), service('sqs', OLD)], { arn: `arn:aws:iam::${ACCOUNT}:user/dev` });
const CURRENT = doc(allow(['s3:CreateBucket', 's3:DeleteBucket', 's3:GetObject', 'ec2:*', 'sqs:*']));
const role = (stack: TerraformStack) => {
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  return new IamRole(stack, 'app_role', { name: 'app', assumeRolePolicy: '{}' });
};
const reportOf = (stack: TerraformStack, principal: IamRole | IamUser, id = 'usage') =>
  new ServiceLastAccessedReport(stack, id, { principal, accountId: ACCOUNT, granularity: principal instanceof IamUser ? 'SERVICE_LEVEL' : 'ACTION_LEVEL' });
const errors = (gate: LeastPrivilegeGate | PolicyDriftCheck) => annotationsOf(gate).filter((a) => a.level === 'error');

/** app's policy, attached as an IamPolicy + IamRolePolicyAttachment of the stack. */
function attach(stack: TerraformStack, principal: IamRole, policy: string): IamPolicy {
  const managed = new IamPolicy(stack, 'app_policy', { name: 'app-policy', policy });
  new IamRolePolicyAttachment(stack, 'app_policy_attachment', { role: principal.name, policyArn: managed.arn });
  return managed;
}

describe('item 8: a gate judges the stack as it will be', () => {
  it('passes when the stack attaches the tightened policy, and says so', () => {
    const { stack } = stackWithCachedReports([evidence]);
    const principal = role(stack);
    const usage = reportOf(stack, principal);
    const tightened = new TightenedPolicyDocument(stack, 'tightened', { report: usage, policy: CURRENT });
    attach(stack, principal, tightened.json);
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: usage });
    Testing.synth(stack);
    expect(gate.violations).toEqual([]);
    expect(gate.passed).toBe(true);
    const [info] = annotationsOf(gate);
    expect(info!.level).toBe('info');
    expect(info!.message).toMatch(/no longer granted, so not violations \(3\): ec2, s3:DeleteBucket, sqs/);
    expect(info!.message).toContain('judged: the stack as it will be: aws_iam_role_policy_attachment.app_policy_attachment -> aws_iam_policy.app_policy (TightenedPolicyDocument stack/tightened)');
    expect(() => Testing.fullSynth(stack)).not.toThrow();
  });

  it('the same gate fails while the stack still attaches the current policy', () => {
    const { stack } = stackWithCachedReports([evidence]);
    const principal = role(stack);
    attach(stack, principal, JSON.stringify(CURRENT));
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: reportOf(stack, principal) });
    expect(gate.violations.map((v) => v.permission)).toEqual(['ec2', 's3:DeleteBucket', 'sqs']);
    expect(() => Testing.fullSynth(stack)).toThrow(/ec2/);
  });

  it('a permission still granted by an inline policy, the role\'s inline_policy or managed_policy_arns of the stack stays a violation', () => {
    const { stack } = stackWithCachedReports([evidence]);
    const principal = new IamRole(stack, 'app_role', {
      name: 'app',
      assumeRolePolicy: '{}',
      inlinePolicy: [{ name: 'legacy', policy: JSON.stringify(doc(allow('ec2:DescribeImages'))) }],
    });
    const usage = reportOf(stack, principal);
    const tightened = new TightenedPolicyDocument(stack, 'tightened', { report: usage, policy: CURRENT });
    attach(stack, principal, tightened.json);
    new IamRolePolicy(stack, 'queue_access', { role: principal.id, policy: JSON.stringify(doc(allow('sqs:SendMessage', 'arn:aws:sqs:*:*:jobs'))) });
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: usage, failOn: 'warning' });
    expect(gate.violations.map((v) => v.permission)).toEqual(['ec2', 'sqs']);
  });

  it('an attachment the stack does not define (an AWS-managed policy) may grant anything: every unused permission counts', () => {
    const { stack } = stackWithCachedReports([evidence]);
    const principal = role(stack);
    const usage = reportOf(stack, principal);
    const tightened = new TightenedPolicyDocument(stack, 'tightened', { report: usage, policy: CURRENT });
    attach(stack, principal, tightened.json);
    new IamRolePolicyAttachment(stack, 'read_only', { role: principal.name, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: usage, failOn: 'warning' });
    expect(gate.violations.map((v) => v.permission)).toEqual(['ec2', 's3:DeleteBucket', 'sqs']);
    expect(annotationsOf(gate)[0]!.message).toContain('arn:aws:iam::aws:policy/ReadOnlyAccess (aws_iam_role_policy_attachment.read_only): a policy this stack does not define');
  });

  it('judges the policies given as policy/policies (any form TightenedPolicyDocument accepts) for a principal given by ARN whose whole set the stack pins', () => {
    const { stack } = stackWithCachedReports([evidence]);
    // app is not a resource of the stack: only its exclusive resources say that what IAM attaches today goes away.
    new AwsProvider(stack, 'aws', { region: 'us-east-1', allowedAccountIds: [ACCOUNT] });
    new IamRolePolicyAttachmentsExclusive(stack, 'managed_set', { roleName: 'app', policyArns: [] });
    new IamRolePoliciesExclusive(stack, 'inline_set', { roleName: 'app', policyNames: [] });
    const usage = cachedReport(stack, 'usage', evidence);
    const tightened = new TightenedPolicyDocument(stack, 'tightened', { report: usage, policy: CURRENT });
    const byConstruct = new LeastPrivilegeGate(stack, 'by_construct', { report: usage, policy: tightened });
    const byToken = new LeastPrivilegeGate(stack, 'by_token', { report: usage, policies: [tightened.json] });
    const byJson = new LeastPrivilegeGate(stack, 'by_json', { report: usage, failOn: 'warning', policy: JSON.stringify(doc(allow(['sqs:ListQueues', 's3:CreateBucket']))) });
    const byElement = new LeastPrivilegeGate(stack, 'by_element', {
      report: usage,
      failOn: 'warning',
      policies: [new IamPolicy(stack, 'ec2_policy', { name: 'ec2', policy: JSON.stringify(doc(allow('ec2:Describe*'))) })],
    });
    const today = new LeastPrivilegeGate(stack, 'today', { report: usage, failOn: 'warning' });
    expect(byConstruct.passed).toBe(true);
    expect(byToken.passed).toBe(true);
    expect(byJson.violations.map((v) => v.permission)).toEqual(['sqs']);
    expect(byElement.violations.map((v) => v.permission)).toEqual(['ec2']);
    expect(today.violations.map((v) => v.permission)).toEqual(['ec2', 's3:DeleteBucket', 'sqs']);
    expect(annotationsOf(today)[0]!.message).toContain('judged: what IAM grants the principal today');
  });

  it('a user holds its groups\' policies: a group of the stack counts, a group outside it may grant anything', () => {
    const inStack = stackWithCachedReports([userEvidence]);
    const user = new IamUser(inStack.stack, 'dev', { name: 'dev' });
    const group = new IamGroup(inStack.stack, 'devs', { name: 'devs' });
    new IamGroupPolicy(inStack.stack, 'devs_policy', { group: group.name, policy: JSON.stringify(doc(allow(['s3:*', 'sqs:ListQueues']))) });
    new IamUserGroupMembership(inStack.stack, 'membership', { user: user.name, groups: [group.name] });
    const gate = new LeastPrivilegeGate(inStack.stack, 'gate', { report: reportOf(inStack.stack, user), failOn: 'warning' });
    expect(gate.violations.map((v) => v.permission)).toEqual(['sqs']);

    const outside = stackWithCachedReports([userEvidence]);
    const user2 = new IamUser(outside.stack, 'dev', { name: 'dev' });
    new IamUserGroupMembership(outside.stack, 'membership', { user: user2.name, groups: ['admins'] });
    const gate2 = new LeastPrivilegeGate(outside.stack, 'gate', { report: reportOf(outside.stack, user2), failOn: 'warning' });
    expect(gate2.violations.map((v) => v.permission)).toEqual(['ec2', 'sqs']);
  });

  it('PolicyDriftCheck judges the stack the same way: no new unused permission once the tightened policy is attached', () => {
    const { stack } = stackWithCachedReports([evidence]);
    const principal = role(stack);
    const usage = reportOf(stack, principal);
    const tightened = new TightenedPolicyDocument(stack, 'tightened', { report: usage, policy: CURRENT });
    attach(stack, principal, tightened.json);
    const check = new PolicyDriftCheck(stack, 'drift', { report: usage, baseline: 'missing-baseline.json' });
    expect(check.drift?.newUnused).toEqual([]);
    expect(check.passed).toBe(true);

    const before = stackWithCachedReports([evidence]);
    const role2 = role(before.stack);
    attach(before.stack, role2, JSON.stringify(CURRENT));
    const failing = new PolicyDriftCheck(before.stack, 'drift', { report: reportOf(before.stack, role2), baseline: 'missing-baseline.json' });
    expect(failing.drift?.newUnused).toEqual(['ec2', 's3:DeleteBucket', 'sqs']);
    expect(errors(failing)[0]!.message).toContain('judged: the stack as it will be');
  });

  it('judgeStackPolicies: false judges what IAM grants today', () => {
    const { stack } = stackWithCachedReports([evidence]);
    const principal = role(stack);
    const usage = reportOf(stack, principal);
    attach(stack, principal, new TightenedPolicyDocument(stack, 'tightened', { report: usage, policy: CURRENT }).json);
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: usage, judgeStackPolicies: false, failOn: 'warning' });
    expect(gate.violations.map((v) => v.permission)).toEqual(['ec2', 's3:DeleteBucket', 'sqs']);
  });

  it('rejects a policy that is not a policy, naming the field', () => {
    const { stack } = stackWithCachedReports([evidence]);
    const usage = cachedReport(stack, 'usage', evidence);
    expect(() => new LeastPrivilegeGate(stack, 'gate', { report: usage, policy: '{"Statement": [{"Effect": "Maybe"}]}' })).toThrow(/Effect/);
  });
});

describe('item 9: one set of exceptions', () => {
  it('the gate honours the exceptions of the TightenedPolicyDocument it judges, which keeps what they accept', () => {
    const { stack } = stackWithCachedReports([evidence]);
    const principal = role(stack);
    const usage = reportOf(stack, principal);
    const tightened = new TightenedPolicyDocument(stack, 'tightened', {
      report: usage,
      policy: CURRENT,
      allow: [{ permission: 'ec2', reason: 'AMI lookups for the base image rotation' }],
    });
    attach(stack, principal, tightened.json);
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: usage });
    expect(JSON.parse(Testing.synth(stack)).resource.aws_iam_policy.app_policy.policy).toContain('ec2:*');
    expect(gate.passed).toBe(true);
    expect(gate.unused!.findings.find((f) => f.permission === 'ec2')).toMatchObject({
      kind: 'allowed-by-exception',
      reason: expect.stringContaining('AMI lookups for the base image rotation'),
    });
  });

  it('warns when the gate accepts what the tightening it judges removes', () => {
    const { stack } = stackWithCachedReports([evidence]);
    const principal = role(stack);
    const usage = reportOf(stack, principal);
    attach(stack, principal, new TightenedPolicyDocument(stack, 'tightened', { report: usage, policy: CURRENT }).json);
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: usage, allow: [{ permission: 'ec2', reason: 'AMI lookups' }] });
    Testing.synth(stack);
    const warnings = annotationsOf(gate).filter((a) => a.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('TightenedPolicyDocument stack/tightened removes ec2 although this gate accepts it');
  });
});

describe('item 10: readable by default', () => {
  it('judges services first: one row per service, its unused actions listed with "(+N more)"', () => {
    // 120 actions AWS documents as tracked for rds (so their silence is evidence), and one used.
    const [used, ...names] = documentedTrackedNames('rds').slice(0, 121);
    const wide = report([service('rds', RECENT, Object.fromEntries([[used!, RECENT], ...names.map((n) => [n, undefined])])), service('ec2')]);
    const first = [...names].sort().slice(0, 5).join(', ');
    const { stack } = stackWithCachedReports([wide]);
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: cachedReport(stack, 'usage', wide), failOn: 'warning' });
    Testing.synth(stack);
    expect(gate.violations).toHaveLength(121);
    const [warning] = annotationsOf(gate).filter((a) => a.level === 'warn');
    const lines = warning!.message.split('\n');
    expect(lines[0]).toBe('LeastPrivilegeGate stack/gate: 1 unused service(s) and 120 unused action(s) in 1 used service(s) of arn:aws:iam::123456789012:role/app');
    expect(lines).toContainEqual(expect.stringMatching(/^ec2\s+never\s+whole service\s/));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^rds\\s+never\\s+120 action\\(s\\): ${first} \\(\\+115 more\\)\\s`)));
    expect(lines.length).toBeLessThan(10);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(400);
  });
});

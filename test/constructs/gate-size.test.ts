import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamGroup } from '@cdktf/provider-aws/lib/iam-group';
import { IamGroupPolicy } from '@cdktf/provider-aws/lib/iam-group-policy';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamUser } from '@cdktf/provider-aws/lib/iam-user';
import { IamUserGroupMembership } from '@cdktf/provider-aws/lib/iam-user-group-membership';
import { IamUserPolicy } from '@cdktf/provider-aws/lib/iam-user-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing } from '../default-core';
import { LeastPrivilegeGate } from '../../src/constructs/least-privilege-gate';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { TightenedPolicyDocument } from '../../src/constructs/tightened-policy-document';
import { loadActionCatalog } from '../../src/model/action-catalog';
import { annotationsOf, stackWithCachedReports } from '../analysis/construct-fixtures';
import { allow, doc, RECENT, report, service } from '../analysis/fixtures';

/**
 * Issue 24: size limits in the gate's judgement of what the stack will attach. The documents of an
 * AdministratorAccess-sized tightening, each attached as a managed policy, fit and pass; a managed policy IAM would
 * refuse (over 6,144 characters) is an error naming the size and the limit.
 */
const catalog = loadActionCatalog();
const evidence = report(catalog.services().map((ns) => (['s3', 'ec2', 'iam'].includes(ns) ? service(ns, RECENT) : service(ns))));

function roleStack() {
  const { stack } = stackWithCachedReports([evidence]);
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const role = new IamRole(stack, 'app_role', { name: 'app', assumeRolePolicy: '{}' });
  const usage = new ServiceLastAccessedReport(stack, 'usage', { principal: role, accountId: '123456789012', granularity: 'SERVICE_LEVEL' });
  const attach = (id: string, policy: string) => {
    const managed = new IamPolicy(stack, id, { name: id, policy });
    new IamRolePolicyAttachment(stack, `${id}_attachment`, { role: role.name, policyArn: managed.arn });
  };
  return { stack, usage, attach };
}

it('a tightening attached as several managed policies (forEachDocument) passes the gate, each document judged within the limits', () => {
  const { stack, usage, attach } = roleStack();
  const tightened = new TightenedPolicyDocument(stack, 'tight', { report: usage, policy: doc(allow('*')) });
  tightened.forEachDocument((policy, i) => attach(`admin_${i}`, policy));
  const gate = new LeastPrivilegeGate(stack, 'gate', { report: usage });
  Testing.synth(stack);
  expect(tightened.documents.length).toBeGreaterThan(1);
  expect(annotationsOf(gate).filter((a) => a.level === 'error')).toEqual([]);
  expect(gate.passed).toBe(true);
  expect(annotationsOf(gate)[0]!.message).toContain('(TightenedPolicyDocument stack/tight document 1)');
});

it('a managed policy IAM would refuse is an error annotation naming the size and the limit', () => {
  const { stack, usage, attach } = roleStack();
  const actions = Array.from({ length: 300 }, (_, i) => `s3:GetSomethingNumber${i}`);
  attach('huge', JSON.stringify(doc(allow(actions))));
  const gate = new LeastPrivilegeGate(stack, 'gate', { report: usage });
  Testing.synth(stack);
  const errors = annotationsOf(gate).filter((a) => a.level === 'error');
  expect(errors.map((e) => e.message)).toEqual([
    expect.stringMatching(/^LeastPrivilegeGate stack\/gate: IAM would refuse what the stack attaches to arn:aws:iam::123456789012:role\/app: aws_iam_role_policy_attachment\.huge_attachment -> aws_iam_policy\.huge has \d+ characters without white space, over IAM's 6144-character limit for a managed policy$/),
  ]);
});

describe('inline policies: each holder within IAM\'s quota for its kind (user 2,048, group 5,120, role 10,240)', () => {
  const USER_ARN = 'arn:aws:iam::123456789012:user/dev';
  /** An inline policy of about `characters` characters without white space (s3, used in the evidence). */
  const sized = (characters: number) => {
    const base = JSON.stringify(doc(allow('s3:GetObject', 'arn:aws:s3:::'))).length;
    return JSON.stringify(doc(allow('s3:GetObject', `arn:aws:s3:::${'b'.repeat(characters - base)}`)));
  };
  const refusals = (gate: LeastPrivilegeGate) => annotationsOf(gate).filter((a) => a.level === 'error' && a.message.includes('IAM would refuse')).map((a) => a.message);

  function userStack(userInline: number, groupInline?: number) {
    const { stack } = stackWithCachedReports([report([service('s3', RECENT)], { arn: USER_ARN })]);
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const user = new IamUser(stack, 'dev', { name: 'dev' });
    new IamUserPolicy(stack, 'dev_inline', { name: 'dev-inline', user: user.name, policy: sized(userInline) });
    if (groupInline !== undefined) {
      const group = new IamGroup(stack, 'devs', { name: 'devs' });
      new IamGroupPolicy(stack, 'devs_inline', { name: 'devs-inline', group: group.name, policy: sized(groupInline) });
      new IamUserGroupMembership(stack, 'dev_groups', { user: user.name, groups: [group.name] });
    }
    const usage = new ServiceLastAccessedReport(stack, 'usage', { principal: user, accountId: '123456789012', granularity: 'SERVICE_LEVEL' });
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: usage });
    Testing.synth(stack);
    return gate;
  }

  it('a user: 2,048 fits, 2,049 is an error naming the size, the limit and the user', () => {
    expect(refusals(userStack(2048))).toEqual([]);
    expect(refusals(userStack(2049))).toEqual([
      `LeastPrivilegeGate stack/gate: IAM would refuse what the stack attaches to ${USER_ARN}: the inline policies of user aws_iam_user.dev have 2049 characters without white space together, over IAM's 2048-character limit for the inline policies of a user`,
    ]);
  });

  it('a group the user belongs to: its inline policies count against the group\'s 5,120, not the user\'s 2,048', () => {
    expect(refusals(userStack(1000, 5120))).toEqual([]);
    expect(refusals(userStack(1000, 5121))).toEqual([
      `LeastPrivilegeGate stack/gate: IAM would refuse what the stack attaches to ${USER_ARN}: the inline policies of group aws_iam_group.devs have 5121 characters without white space together, over IAM's 5120-character limit for the inline policies of a group`,
    ]);
  });

  it('a role: 10,240 over its IamRolePolicy resources together', () => {
    const stackOf = (sizes: number[]) => {
      const { stack, usage } = roleStack();
      const role = stack.node.findChild('app_role') as IamRole;
      sizes.forEach((n, i) => new IamRolePolicy(stack, `inline_${i}`, { name: `inline-${i}`, role: role.name, policy: sized(n) }));
      const gate = new LeastPrivilegeGate(stack, 'gate', { report: usage });
      Testing.synth(stack);
      return gate;
    };
    expect(refusals(stackOf([6000, 4240]))).toEqual([]);
    expect(refusals(stackOf([6000, 4241]))).toEqual([
      "LeastPrivilegeGate stack/gate: IAM would refuse what the stack attaches to arn:aws:iam::123456789012:role/app: the inline policies of role aws_iam_role.app_role have 10241 characters without white space together, over IAM's 10240-character limit for the inline policies of a role",
    ]);
  });

  it('an inline policy given to the gate is counted once, against the user it names', () => {
    const { stack } = stackWithCachedReports([report([service('s3', RECENT)], { arn: USER_ARN })]);
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const user = new IamUser(stack, 'dev', { name: 'dev' });
    const inline = new IamUserPolicy(stack, 'dev_inline', { name: 'dev-inline', user: user.name, policy: sized(1500) });
    const usage = new ServiceLastAccessedReport(stack, 'usage', { principal: user, accountId: '123456789012', granularity: 'SERVICE_LEVEL' });
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: usage, policy: inline });
    Testing.synth(stack);
    expect(refusals(gate)).toEqual([]);
  });
});

describe('TightenedPolicyDocument attachAs inline', () => {
  const USER_ARN = 'arn:aws:iam::123456789012:user/dev';
  const kept = doc(allow(Array.from({ length: 120 }, (_, i) => `s3:GetSomethingNumber${i}`))); // ~3,600 characters, all kept

  function tightened(attachAs: 'inline' | 'managed', arn: string, kind: 'user' | 'role') {
    const { stack } = stackWithCachedReports([report([service('s3', RECENT)], { arn })]);
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const principal = kind === 'user' ? new IamUser(stack, 'dev', { name: 'dev' }) : new IamRole(stack, 'app_role', { name: 'app', assumeRolePolicy: '{}' });
    const usage = new ServiceLastAccessedReport(stack, 'usage', { principal, accountId: '123456789012', granularity: 'SERVICE_LEVEL' });
    const tight = new TightenedPolicyDocument(stack, 'tight', { report: usage, policy: kept, attachAs });
    Testing.synth(stack);
    return tight;
  }

  it('over a user\'s 2,048 characters is an error annotation naming the size, the limit and the user; as managed it fits', () => {
    const inline = tightened('inline', USER_ARN, 'user');
    expect(annotationsOf(inline).filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      expect.stringMatching(/^TightenedPolicyDocument stack\/tight: the tightened policy has \d+ characters without white space, over IAM's 2048-character limit for the inline policies of user arn:aws:iam::123456789012:user\/dev together/),
    ]);
    expect(inline.documents).toEqual([]);
    expect(annotationsOf(tightened('managed', USER_ARN, 'user')).filter((a) => a.level === 'error')).toEqual([]);
  });

  it('a role\'s 10,240 takes the same document inline', () => {
    const role = tightened('inline', 'arn:aws:iam::123456789012:role/app', 'role');
    expect(annotationsOf(role).filter((a) => a.level === 'error')).toEqual([]);
    expect(role.documents).toHaveLength(1);
  });
});

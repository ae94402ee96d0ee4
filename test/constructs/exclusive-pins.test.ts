import { DataAwsIamGroup } from '@cdktf/provider-aws/lib/data-aws-iam-group';
import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import { DataAwsIamUser } from '@cdktf/provider-aws/lib/data-aws-iam-user';
import { IamGroupPoliciesExclusive } from '@cdktf/provider-aws/lib/iam-group-policies-exclusive';
import { IamGroupPolicyAttachmentsExclusive } from '@cdktf/provider-aws/lib/iam-group-policy-attachments-exclusive';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRolePoliciesExclusive } from '@cdktf/provider-aws/lib/iam-role-policies-exclusive';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachmentsExclusive } from '@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive';
import { IamUserPoliciesExclusive } from '@cdktf/provider-aws/lib/iam-user-policies-exclusive';
import { IamUserPolicyAttachmentsExclusive } from '@cdktf/provider-aws/lib/iam-user-policy-attachments-exclusive';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Fn, TerraformStack, TerraformVariable, Token } from 'cdktf';
import * as fc from 'fast-check';
import { LeastPrivilegeGate } from '../../src/constructs/least-privilege-gate';
import { PolicyDriftCheck } from '../../src/constructs/policy-drift-check';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { Testing } from '../default-core';
import type { ServiceLastAccessedReport as ReportModel } from '../../src/model/report';
import { annotationsOf, stackWithCachedReports } from '../analysis/construct-fixtures';
import { report, service } from '../analysis/fixtures';
import { DEMO_ACCOUNT, DEPLOYER_ARN, demoDeployerReport } from './demo-world-report';

// A gate's policies are every policy the principal will hold. For a principal the stack does not own (a lookup, an
// ARN), the policies IAM attaches to it today stay attached unless the stack pins its whole set with the exclusive
// resources of hashicorp/aws; until then the gate judges today's grants too. In the demo world app-deployer holds
// app-deployer-policy (s3, ec2, lambda, dynamodb, sqs, iam) and the inline deploy-logs, used s3, lambda, iam and logs
// recently, ec2 210 days ago, never dynamodb or sqs.
let evidence: ReportModel;
beforeAll(async () => {
  evidence = await demoDeployerReport();
}, 60_000);

const doc = (actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
const USED = doc(['s3:*', 'lambda:*', 'iam:GetRole', 'iam:PassRole']);
const LOGS = doc(['logs:CreateLogGroup', 'logs:PutRetentionPolicy']);
const TODAY_UNUSED = ['dynamodb', 'ec2', 'sqs'];

interface World {
  readonly stack: TerraformStack;
  readonly app: ReturnType<typeof stackWithCachedReports>['app'];
  readonly role: DataAwsIamRole;
  /** The policy the role will hold, attached by the exclusive list when pinned. */
  readonly used: IamPolicy;
}

/** app-deployer looked up by name; the stack defines the policy it should hold from now on. */
function lookedUp(providerProps: { allowedAccountIds?: string[] } = {}): World {
  const { app, stack } = stackWithCachedReports([evidence]);
  new AwsProvider(stack, 'aws', { region: 'us-east-1', ...providerProps });
  const role = new DataAwsIamRole(stack, 'app_deployer', { name: 'app-deployer' });
  const used = new IamPolicy(stack, 'used', { name: 'app-deployer-used', policy: USED });
  return { app, stack, role, used };
}

/** Both halves pinned: exactly `used` as managed policy, exactly deploy-logs (defined here) inline. */
function pinBoth(world: World, roleName: string = world.role.name): void {
  new IamRolePolicyAttachmentsExclusive(world.stack, 'managed_set', { roleName, policyArns: [world.used.arn] });
  new IamRolePolicy(world.stack, 'deploy_logs', { role: roleName, name: 'deploy-logs', policy: LOGS });
  new IamRolePoliciesExclusive(world.stack, 'inline_set', { roleName, policyNames: ['deploy-logs'] });
}

function gateOf(world: World, principal: { principal: DataAwsIamRole } | { arn: string } = { principal: world.role }, extra: object = {}): LeastPrivilegeGate {
  const report = new ServiceLastAccessedReport(world.stack, 'usage', { ...principal, accountId: DEMO_ACCOUNT, granularity: 'SERVICE_LEVEL' });
  const gate = new LeastPrivilegeGate(world.stack, 'gate', { report, failOn: 'warning', policies: [world.used], ...extra });
  Testing.synth(world.stack);
  return gate;
}

const message = (gate: LeastPrivilegeGate | PolicyDriftCheck) => annotationsOf(gate).map((a) => a.message).join('\n');
const violations = (gate: LeastPrivilegeGate) => gate.violations.map((v) => v.permission);

describe('a principal the stack does not own keeps what IAM attaches to it today', () => {
  it('pinned with both exclusive resources, the gate judges exactly the pinned set, and passes', () => {
    const world = lookedUp();
    pinBoth(world);
    const gate = gateOf(world);
    expect(violations(gate)).toEqual([]);
    expect(gate.passed).toBe(true);
    expect(message(gate)).toContain('judged: the stack as it will be: aws_iam_policy.used; aws_iam_role_policy.deploy_logs');
  });

  it('unpinned, the same gate judges what IAM grants today, fails on the demo world, and says how to pin', () => {
    const gate = gateOf(lookedUp());
    expect(violations(gate)).toEqual(TODAY_UNUSED);
    expect(gate.passed).toBe(false);
    const text = message(gate);
    expect(text).toContain(
      'data.aws_iam_role.app_deployer is not a resource of this stack (a lookup): the policies attached to it outside this stack stay attached, so what IAM grants it today still counts: pin its whole set in this stack with aws_iam_role_policy_attachments_exclusive (role_name, policy_arns = every managed policy it keeps) and aws_iam_role_policies_exclusive (role_name, policy_names = every inline policy it keeps, [] for none)',
    );
  });

  it('only the managed set pinned: the inline policies stay, still opaque (and names only the missing half)', () => {
    const world = lookedUp();
    new IamRolePolicyAttachmentsExclusive(world.stack, 'managed_set', { roleName: world.role.name, policyArns: [world.used.arn] });
    const gate = gateOf(world);
    expect(violations(gate)).toEqual(TODAY_UNUSED);
    expect(message(gate)).toMatch(/pin its whole set in this stack with aws_iam_role_policies_exclusive \(role_name, policy_names/);
    expect(message(gate)).not.toMatch(/pin its whole set in this stack with aws_iam_role_policy_attachments_exclusive/);
  });

  it('only the inline set pinned: still opaque', () => {
    const world = lookedUp();
    new IamRolePoliciesExclusive(world.stack, 'inline_set', { roleName: world.role.name, policyNames: [] });
    expect(violations(gateOf(world))).toEqual(TODAY_UNUSED);
  });

  it('a literal ARN the stack cannot read in policy_arns may grant anything', () => {
    const world = lookedUp();
    new IamRolePolicyAttachmentsExclusive(world.stack, 'managed_set', { roleName: world.role.name, policyArns: [world.used.arn, `arn:aws:iam::${DEMO_ACCOUNT}:policy/app-deployer-policy`] });
    new IamRolePoliciesExclusive(world.stack, 'inline_set', { roleName: world.role.name, policyNames: [] });
    const gate = gateOf(world);
    expect(violations(gate)).toEqual(TODAY_UNUSED);
    expect(message(gate)).toContain(`arn:aws:iam::${DEMO_ACCOUNT}:policy/app-deployer-policy (aws_iam_role_policy_attachments_exclusive.managed_set.policy_arns): a policy this stack does not define`);
  });

  it('a list that is not literal is untraced', () => {
    const world = lookedUp();
    const arns = new TerraformVariable(world.stack, 'arns', { type: 'list(string)' });
    new IamRolePolicyAttachmentsExclusive(world.stack, 'managed_set', { roleName: world.role.name, policyArns: Token.asList(arns.value) });
    new IamRolePoliciesExclusive(world.stack, 'inline_set', { roleName: world.role.name, policyNames: [] });
    const gate = gateOf(world);
    expect(violations(gate)).toEqual(TODAY_UNUSED);
    expect(message(gate)).toMatch(/aws_iam_role_policy_attachments_exclusive\.managed_set: policy_arns = \$\{var\.arns\} is not a literal list/);
  });

  it('an inline name that matches no inline policy of the stack may be any document', () => {
    const world = lookedUp();
    new IamRolePolicyAttachmentsExclusive(world.stack, 'managed_set', { roleName: world.role.name, policyArns: [world.used.arn] });
    new IamRolePoliciesExclusive(world.stack, 'inline_set', { roleName: world.role.name, policyNames: ['deploy-logs'] });
    const gate = gateOf(world);
    expect(violations(gate)).toEqual(TODAY_UNUSED);
    expect(message(gate)).toContain('aws_iam_role_policies_exclusive.inline_set: policy_names "deploy-logs" is not the literal name of an inline policy this stack gives data.aws_iam_role.app_deployer');
    // With that inline policy defined in the stack for the role, the same pin is read.
    const fixed = lookedUp();
    pinBoth(fixed);
    expect(violations(gateOf(fixed))).toEqual([]);
  });

  it('two exclusive resources for the same set: Terraform would fight, untraced', () => {
    const world = lookedUp();
    pinBoth(world);
    new IamRolePolicyAttachmentsExclusive(world.stack, 'managed_set_2', { roleName: 'app-deployer', policyArns: [] });
    const gate = gateOf(world);
    expect(violations(gate)).toEqual(TODAY_UNUSED);
    expect(message(gate)).toMatch(/one of 2 resources pinning the policy_arns of data\.aws_iam_role\.app_deployer .*Terraform would fight/);
  });

  it('an exclusive resource in another stack of the app is untraced', () => {
    const world = lookedUp();
    new IamRolePoliciesExclusive(world.stack, 'inline_set', { roleName: world.role.name, policyNames: [] });
    const other = new TerraformStack(world.app, 'other');
    new AwsProvider(other, 'aws', { region: 'us-east-1' });
    new IamRolePolicyAttachmentsExclusive(other, 'managed_set', { roleName: 'app-deployer', policyArns: [] });
    const gate = gateOf(world);
    expect(violations(gate)).toEqual(TODAY_UNUSED);
    expect(message(gate)).toMatch(/aws_iam_role_policy_attachments_exclusive\.managed_set: pins data\.aws_iam_role\.app_deployer from another stack of the app \(other\)/);
  });

  it('count, for_each (also set through addOverride), ignore_changes and another provider alias each leave the set unpinned', () => {
    const cases: Record<string, [(w: World, managed: IamRolePolicyAttachmentsExclusive) => void, RegExp]> = {
      count: [(_, m) => (m.count = 1), /count may make zero or several copies of it/],
      'count via addOverride': [(_, m) => m.addOverride('count', 0), /count may make zero or several copies/],
      for_each: [(_, m) => m.addOverride('for_each', '${toset(["a", "b"])}'), /for_each may make zero or several copies/],
      'ignore_changes on policy_arns': [(_, m) => (m.lifecycle = { ignoreChanges: ['policy_arns'] }), /lifecycle\.ignore_changes = \["policy_arns"\]/],
      'another account': [
        (w, m) => {
          m.provider = new AwsProvider(w.stack, 'other_account', { region: 'us-east-1', alias: 'other' });
        },
        /applies through provider aws\.other while data\.aws_iam_role\.app_deployer is read through aws, which may be another account/,
      ],
      'an unread argument': [(_, m) => m.addOverride('dynamic.policy_arns', {}), /argument dynamic is not read/],
    };
    for (const [name, [mutate, reason]] of Object.entries(cases)) {
      const world = lookedUp();
      const managed = new IamRolePolicyAttachmentsExclusive(world.stack, 'managed_set', { roleName: world.role.name, policyArns: [world.used.arn] });
      new IamRolePoliciesExclusive(world.stack, 'inline_set', { roleName: world.role.name, policyNames: [] });
      mutate(world, managed);
      const gate = gateOf(world);
      expect([name, violations(gate)]).toEqual([name, TODAY_UNUSED]);
      expect([name, message(gate)]).toEqual([name, expect.stringMatching(reason)]);
    }
  });

  it('a resource that only depends on the role pins nothing', () => {
    const world = lookedUp();
    new IamRolePolicyAttachmentsExclusive(world.stack, 'managed_set', { roleName: 'someone-else', policyArns: [world.used.arn], dependsOn: [world.role] });
    new IamRolePoliciesExclusive(world.stack, 'inline_set', { roleName: 'someone-else', policyNames: [], dependsOn: [world.role] });
    expect(violations(gateOf(world))).toEqual(TODAY_UNUSED);
  });

  it('a principal named by ARN is pinned only when its provider refuses every other account (allowed_account_ids)', () => {
    const loose = lookedUp();
    pinBoth(loose, 'app-deployer');
    const looseGate = gateOf(loose, { arn: DEPLOYER_ARN });
    expect(violations(looseGate)).toEqual(TODAY_UNUSED);
    expect(message(looseGate)).toContain(`whose account is not known at synth, so it may pin a role of the same name in another account: set allowed_account_ids = ["${DEMO_ACCOUNT}"] on that aws provider`);

    const strict = lookedUp({ allowedAccountIds: [DEMO_ACCOUNT] });
    pinBoth(strict, 'app-deployer');
    expect(violations(gateOf(strict, { arn: DEPLOYER_ARN }))).toEqual([]);

    const otherAccount = lookedUp({ allowedAccountIds: ['210987654321'] });
    pinBoth(otherAccount, 'app-deployer');
    expect(violations(gateOf(otherAccount, { arn: DEPLOYER_ARN }))).toEqual(TODAY_UNUSED);
  });

  it('an ARN-only principal with policies and nothing pinned is opaque too, and judgeStackPolicies: false does not skip it', () => {
    const gate = gateOf(lookedUp(), { arn: DEPLOYER_ARN }, { judgeStackPolicies: false });
    expect(violations(gate)).toEqual(TODAY_UNUSED);
    expect(message(gate)).toContain('role app-deployer is not a resource of this stack (named by ARN)');
  });

  it('PolicyDriftCheck fails closed the same way', () => {
    const unpinned = lookedUp();
    const usage = new ServiceLastAccessedReport(unpinned.stack, 'usage', { principal: unpinned.role, accountId: DEMO_ACCOUNT, granularity: 'SERVICE_LEVEL' });
    const check = new PolicyDriftCheck(unpinned.stack, 'drift', { report: usage, baseline: 'none.json', failOn: 'warning', policies: [unpinned.used] });
    Testing.synth(unpinned.stack);
    expect(check.drift!.newUnused).toEqual(TODAY_UNUSED);

    const pinned = lookedUp();
    pinBoth(pinned);
    const usage2 = new ServiceLastAccessedReport(pinned.stack, 'usage', { principal: pinned.role, accountId: DEMO_ACCOUNT, granularity: 'SERVICE_LEVEL' });
    const check2 = new PolicyDriftCheck(pinned.stack, 'drift', { report: usage2, baseline: 'none.json', failOn: 'warning', policies: [pinned.used] });
    Testing.synth(pinned.stack);
    expect(check2.drift!.newUnused).toEqual([]);
  });
});

describe('property: a looked-up role is judged on the given policies only when both halves are pinned and traced', () => {
  /** Ways to spoil one pin; each leaves that half unpinned (or untraced). */
  const SPOILERS: Record<string, (w: World, pin: IamRolePolicyAttachmentsExclusive | IamRolePoliciesExclusive) => void> = {
    count: (_, p) => p.addOverride('count', 1),
    forEach: (_, p) => p.addOverride('for_each', '${toset(["x"])}'),
    ignoreChanges: (_, p) => p.addOverride('lifecycle.ignore_changes', 'all'),
    otherAlias: (w, p) => {
      p.provider = new AwsProvider(w.stack, `alias_${p.node.id}`, { region: 'us-east-1', alias: `other_${p.node.id}` });
    },
    variableList: (w, p) => {
      const v = new TerraformVariable(w.stack, `list_${p.node.id}`, { type: 'list(string)' });
      p.addOverride(p instanceof IamRolePolicyAttachmentsExclusive ? 'policy_arns' : 'policy_names', v.value);
    },
    duplicate: (w, p) => {
      if (p instanceof IamRolePolicyAttachmentsExclusive) new IamRolePolicyAttachmentsExclusive(w.stack, 'managed_twice', { roleName: 'app-deployer', policyArns: [w.used.arn] });
      else new IamRolePoliciesExclusive(w.stack, 'inline_twice', { roleName: 'app-deployer', policyNames: [] });
    },
    unknownName: (w, p) => p.addOverride('role_name', Fn.lower(w.role.name)),
  };
  const half = fc.record({ present: fc.boolean(), spoiler: fc.option(fc.constantFrom(...Object.keys(SPOILERS)), { nil: undefined }) });

  it('never passes unless both exclusive resources are present and unspoiled', () => {
    fc.assert(
      fc.property(half, half, (managed, inline) => {
        const world = lookedUp();
        if (managed.present) {
          const pin = new IamRolePolicyAttachmentsExclusive(world.stack, 'managed_set', { roleName: world.role.name, policyArns: [world.used.arn] });
          if (managed.spoiler) SPOILERS[managed.spoiler]!(world, pin);
        }
        if (inline.present) {
          const pin = new IamRolePoliciesExclusive(world.stack, 'inline_set', { roleName: world.role.name, policyNames: [] });
          if (inline.spoiler) SPOILERS[inline.spoiler]!(world, pin);
        }
        const pinned = managed.present && inline.present && managed.spoiler === undefined && inline.spoiler === undefined;
        expect(violations(gateOf(world))).toEqual(pinned ? [] : TODAY_UNUSED);
      }),
      { numRuns: 60 },
    );
  });
});

describe('users and groups the stack does not own', () => {
  const GROUP_ARN = `arn:aws:iam::${DEMO_ACCOUNT}:group/devs`;
  const USER_ARN = `arn:aws:iam::${DEMO_ACCOUNT}:user/dev`;
  const RECENT = new Date(Date.now() - 5 * 86_400_000).toISOString();
  const groupEvidence = report([service('s3', RECENT), service('sqs')], { arn: GROUP_ARN });
  const userEvidence = report([service('s3', RECENT), service('sqs')], { arn: USER_ARN });

  it('a looked-up group pinned with both group exclusive resources is judged exactly; unpinned it is not', () => {
    for (const pin of [true, false]) {
      const { stack } = stackWithCachedReports([groupEvidence]);
      new AwsProvider(stack, 'aws', { region: 'us-east-1' });
      const group = new DataAwsIamGroup(stack, 'devs', { groupName: 'devs' });
      const s3 = new IamPolicy(stack, 's3', { name: 'devs-s3', policy: doc(['s3:*']) });
      if (pin) {
        new IamGroupPolicyAttachmentsExclusive(stack, 'managed_set', { groupName: group.groupName, policyArns: [s3.arn] });
        new IamGroupPoliciesExclusive(stack, 'inline_set', { groupName: group.groupName, policyNames: [] });
      }
      const usage = new ServiceLastAccessedReport(stack, 'usage', { principal: group, accountId: DEMO_ACCOUNT, granularity: 'SERVICE_LEVEL' });
      const gate = new LeastPrivilegeGate(stack, 'gate', { report: usage, failOn: 'warning', policies: [s3] });
      Testing.synth(stack);
      expect([pin, violations(gate)]).toEqual([pin, pin ? [] : ['sqs']]);
    }
  });

  it('a looked-up user stays opaque even with both sets pinned: its group memberships cannot be pinned', () => {
    const { stack } = stackWithCachedReports([userEvidence]);
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const user = new DataAwsIamUser(stack, 'dev', { userName: 'dev' });
    const s3 = new IamPolicy(stack, 's3', { name: 'dev-s3', policy: doc(['s3:*']) });
    new IamUserPolicyAttachmentsExclusive(stack, 'managed_set', { userName: user.userName, policyArns: [s3.arn] });
    new IamUserPoliciesExclusive(stack, 'inline_set', { userName: user.userName, policyNames: [] });
    const usage = new ServiceLastAccessedReport(stack, 'usage', { principal: user, accountId: DEMO_ACCOUNT, granularity: 'SERVICE_LEVEL' });
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: usage, failOn: 'warning', policies: [s3] });
    Testing.synth(stack);
    expect(violations(gate)).toEqual(['sqs']);
    expect(message(gate)).toContain('and so do its group memberships, which no resource of hashicorp/aws can pin');
  });
});

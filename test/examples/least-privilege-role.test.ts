import { annotationsOf, outputOf, type SynthResult, type SynthRun } from '../../scripts/example-harness';
import { evaluateIdentityPolicies } from '../../src/analysis';
import { tierRan } from '../tiers';
import { allowActions, ExampleWorld } from './support';
import { describeTerraform, plannedPolicy, synthesizedOutputs, terraformPlan, type TerraformPlan } from './terraform';

// Expected values are derived by hand from examples/world.json (the world's design), not from running the code:
// app-deployer (created 330 days ago) is allowed s3/ec2/lambda/dynamodb/sqs/iam by app-deployer-policy and logs by
// its inline policy; it used iam:GetRole (7 d), lambda (5–24 d), s3 management actions (4–54 d), logs (60 d), ec2
// only 210 days ago, never dynamodb or sqs. ops-admin holds AdministratorAccess and used cloudwatch, ec2, iam, s3
// within 90 days, rds 150 and kms 390 days ago, route53 420 days ago (outside the 400-day tracking window).
// young-analytics was created 20 days ago. Which actions are tracked is AWS's data (src/model/data/tracked-actions.json):
// logs and cloudwatch are tracked since 2023; s3:PutBucketTagging, ec2:DescribeInstances and iam:PassRole are not.
const world = new ExampleWorld();
let result: SynthResult;
/** The same app attaching today's policy instead of the tightened one (app context leastPrivilegeRole:deployerPolicy). */
let current: SynthResult;
/** `cdktf synth` of the `current` variant as a user runs it (no CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS). */
let asUser: SynthRun;
const CURRENT = { 'leastPrivilegeRole:deployerPolicy': 'current' };

// Synthesized by the real `cdktf synth` (cdktf-cli 0.21) in this repository, where cdktn is installed too.
beforeAll(async () => {
  await world.start();
  [result, current] = await Promise.all([world.synth('least-privilege-role'), world.synth('least-privilege-role', CURRENT)]);
  asUser = await world.synthAsUser('least-privilege-role', CURRENT);
}, 600_000);
afterAll(async () => {
  await world.stop();
  tierRan('cdktf-cli', 'cdktf synth of examples/least-privilege-role');
  tierRan('mixed-install', 'cdktf app with cdktn installed: its failing gate fails `cdktf synth`');
});

const policyOf = (id: string): string => result.stack.resource.aws_iam_policy[id].policy as string;
/** ops-admin's tightened policy: every managed policy document the stack attaches to it. */
const opsAdminIds = (): string[] => Object.keys(result.stack.resource.aws_iam_policy).filter((id) => /^ops_admin_policy(_\d+)?$/.test(id)).sort();
const denyActions = (...json: string[]): string[] =>
  json.flatMap((j) => ([JSON.parse(j).Statement].flat() as { Effect: string; Action?: string | string[] }[]).filter((st) => st.Effect === 'Deny').flatMap((st) => [st.Action ?? []].flat()));

describe('examples/least-privilege-role', () => {
  it('reads app-deployer\'s services and tracked actions from the synth-time report', () => {
    expect(outputOf(result, 'app_deployer_services_allowed')).toEqual(['dynamodb', 'ec2', 'iam', 'lambda', 'logs', 's3', 'sqs']);
    expect(outputOf(result, 'app_deployer_services_used')).toEqual(['iam', 'lambda', 'logs', 's3']);
    expect(outputOf(result, 'app_deployer_services_unused')).toEqual(['dynamodb', 'ec2', 'sqs']);
    expect(outputOf(result, 'app_deployer_actions_used')).toEqual([
      'iam:GetRole',
      'lambda:CreateFunction',
      'lambda:GetFunction',
      'lambda:UpdateFunctionCode',
      'lambda:UpdateFunctionConfiguration',
      'logs:CreateLogGroup',
      's3:CreateBucket',
      's3:GetBucketPolicy',
      's3:PutBucketPolicy',
    ]);
  });

  it('tightens app-deployer-policy: unused services and unused literal actions go; used, untracked, excepted, PassRole and used-service wildcards stay, their unused tracked actions denied', () => {
    const actions = allowActions(policyOf('deployer_policy'));
    // whole services without use in 90 days
    expect(actions.filter((a) => /^(dynamodb|sqs):/.test(a))).toEqual([]);
    expect(outputOf(result, 'app_deployer_removed_services')).toEqual(['dynamodb', 'sqs']);
    // ec2 (unused for 210 days) is accepted by the decision's exception: the tightening keeps it whole (item 9).
    // s3:* and lambda:* of used services stay whole by default: splitting them into the catalog's actions would also
    // drop actions newer than the catalog (the lossy split is the opt-in splitWildcards)
    expect(actions.filter((a) => a.includes('*')).sort()).toEqual(['ec2:*', 'lambda:*', 's3:*']);
    // used tracked actions kept
    for (const used of ['iam:GetRole', 'iam:PassRole', 'lambda:CreateFunction', 's3:CreateBucket', 's3:PutObject', 'lambda:InvokeFunction']) {
      expect(evaluateIdentityPolicies([policyOf('deployer_policy')], used)).toBe('Allowed');
    }
    // literal actions tracked but unused within the window: removed
    for (const unused of ['iam:CreateRole', 'iam:AttachRolePolicy']) expect(actions).not.toContain(unused);
    // s3:* kept as written, its unused tracked s3 actions denied by name (exact: untracked and newer s3 actions stay)
    const denied = denyActions(policyOf('deployer_policy'));
    expect(denied.filter((a) => a.startsWith('s3:')).length).toBeGreaterThan(5);
    expect(denied.every((a) => !a.includes('*') && /^(s3|lambda):/.test(a))).toBe(true);
    for (const used of outputOf<string[]>(result, 'app_deployer_actions_used')) expect(denied).not.toContain(used);
    for (const kept of ['s3:PutObject', 's3:GetObject', 's3:GetZzNewerThanCatalog']) expect([kept, evaluateIdentityPolicies([policyOf('deployer_policy')], kept)]).toEqual([kept, 'Allowed']);
    for (const gone of denied.slice(0, 20)) expect([gone, evaluateIdentityPolicies([policyOf('deployer_policy')], gone)]).toEqual([gone, 'ExplicitlyDenied']);
    expect(outputOf(result, 'app_deployer_tightening_proof_holds')).toBe(true);
    expect(outputOf<number>(result, 'app_deployer_removed_action_count')).toBeGreaterThan(0);
  });

  it('tightens AdministratorAccess for ops-admin exactly: Allow * as written, Deny lists of what is proven unused, within IAM\'s limits', () => {
    expect(outputOf(result, 'ops_admin_services_used')).toEqual(['cloudwatch', 'ec2', 'iam', 's3']);
    const documents = opsAdminIds().map(policyOf);
    // several managed policies, each within IAM's 6,144 characters (white space not counted), at most 10
    expect(documents.length).toBeGreaterThan(1);
    expect(documents.length).toBeLessThanOrEqual(10);
    for (const d of documents) expect(JSON.stringify(JSON.parse(d)).length).toBeLessThanOrEqual(6144);
    expect((JSON.parse(documents[0]!) as { Statement: object[] }).Statement[0]).toEqual({ Effect: 'Allow', Action: '*', Resource: '*' });
    const denied = denyActions(...documents);
    // services unused for 90 days are denied whole; services newer than the catalog stay allowed
    for (const old of ['kms:*', 'rds:*', 'route53:*']) expect(denied).toContain(old);
    for (const used of ['cloudwatch:*', 'ec2:*', 'iam:*', 's3:*']) expect(denied).not.toContain(used);
    // tracked actions of used services without use in the window go by name: s3:ListAllMyBuckets was last used 104 days ago
    expect(denied).toContain('s3:ListAllMyBuckets');
    for (const kept of ['cloudwatch:PutMetricData', 'ec2:RunInstances', 'ec2:DescribeInstances', 'iam:PassRole', 's3:GetBucketVersioning', 'brandnewservice:DoSomething']) {
      expect([kept, evaluateIdentityPolicies(documents, kept)]).toEqual([kept, 'Allowed']);
    }
    for (const gone of ['kms:Decrypt', 'rds:CreateDBInstance', 's3:ListAllMyBuckets']) expect([gone, evaluateIdentityPolicies(documents, gone)]).toEqual([gone, 'ExplicitlyDenied']);
    for (const old of ['kms', 'rds', 'route53']) expect(outputOf<string[]>(result, 'ops_admin_removed_services')).toContain(old);
    expect(outputOf(result, 'ops_admin_tightening_proof_holds')).toBe(true);
  });

  it('attaches the tightened policies to the roles the stack owns', () => {
    const attachments = Object.values(result.stack.resource.aws_iam_role_policy_attachment) as { role: string; policy_arn: string }[];
    expect(attachments.map((a) => a.policy_arn).sort()).toEqual(['${aws_iam_policy.deployer_policy.arn}', ...opsAdminIds().map((id) => `\${aws_iam_policy.${id}.arn}`)].sort());
    expect(Object.values(result.stack.resource.aws_iam_role).map((r) => (r as { name: string }).name).sort()).toEqual([
      'app-deployer',
      'ops-admin',
      'young-analytics',
    ]);
  });

  it('the deployer gate judges the tightened policy the stack attaches and passes, with the shared ec2 exception', () => {
    expect(outputOf(result, 'app_deployer_gate_passed')).toBe(true);
    expect(outputOf(result, 'app_deployer_gate_violations')).toEqual([]);
    const annotations = annotationsOf(result, 'deployer_gate');
    expect(annotations.map((a) => a.level)).toEqual(['info']);
    const message = annotations[0]!.message;
    // at the default granularity (ACTION_LEVEL) the tightening removed, and the gate no longer sees, the unused
    // services and the unused tracked actions of used services
    const notGranted = /^no longer granted, so not violations \((\d+)\): dynamodb, iam:AttachRolePolicy, iam:CreateRole, lambda:/m.exec(message);
    expect(notGranted).not.toBeNull();
    expect(Number(notGranted![1])).toBeGreaterThan(100);
    expect(message).toMatch(/^ec2\s.*AMI lookups for the twice-yearly base image rotation/m);
    expect(message).toContain('judged: the stack as it will be: aws_iam_role_policy_attachment.deployer_policy_attachment -> aws_iam_policy.deployer_policy (TightenedPolicyDocument least-privilege-role/deployer_tightened)');
  });

  it('the same gate fails while the stack attaches today\'s policy: on dynamodb and sqs, and on the unused tracked actions of used services (the default ACTION_LEVEL)', () => {
    expect(current.stack.resource.aws_iam_policy.deployer_policy.policy).toBe('${data.aws_iam_policy_document.deployer_policy_document.json}');
    expect(outputOf(current, 'app_deployer_gate_passed')).toBe(false);
    const violations = outputOf<string[]>(current, 'app_deployer_gate_violations');
    expect(violations.filter((v) => !v.includes(':'))).toEqual(['dynamodb', 'sqs']);
    // iam:CreateRole and iam:AttachRolePolicy are tracked and unused; s3 and lambda keep their wildcards in today's
    // policy, whose unused tracked actions are violations too; ec2 is excepted; nothing used is flagged
    expect(violations).toEqual(expect.arrayContaining(['iam:AttachRolePolicy', 'iam:CreateRole']));
    expect(violations.filter((v) => v.startsWith('s3:')).length).toBeGreaterThan(5);
    expect(violations.filter((v) => v.startsWith('lambda:')).length).toBeGreaterThan(5);
    expect(violations.filter((v) => v.startsWith('ec2'))).toEqual([]);
    for (const used of outputOf<string[]>(result, 'app_deployer_actions_used')) expect(violations).not.toContain(used);
    // exactly what the tightening denied or dropped of the tracked actions: tighten and gate agree
    const tightened = result.stack.resource.aws_iam_policy.deployer_policy.policy as string;
    for (const v of violations.filter((x) => x.includes(':'))) expect([v, evaluateIdentityPolicies([tightened], v)]).not.toEqual([v, 'Allowed']);
    const errors = annotationsOf(current, 'deployer_gate').filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/2 unused service\(s\) and \d+ unused action\(s\) in 3 used service\(s\) of arn:aws:iam::123456789012:role\/app-deployer/);
    expect(errors[0]!.message).toMatch(/^dynamodb\s+never\s+whole service\s/m);
    expect(errors[0]!.message).toMatch(/^sqs\s+never\s+whole service\s/m);
    expect(errors[0]!.message).toMatch(/^ec2\s.*AMI lookups for the twice-yearly base image rotation/m);
    expect(errors[0]!.message).toContain('(data.aws_iam_policy_document.deployer_policy_document)');
    expect(current.annotations.filter((a) => a.level === 'error').map((a) => a.constructPath)).toEqual(['least-privilege-role/deployer_gate']);
  });

  it('the young-analytics gate passes for insufficient history instead of flagging', () => {
    expect(outputOf(result, 'young_analytics_services_allowed')).toEqual(['athena', 'glue', 's3']);
    expect(outputOf(result, 'young_analytics_gate_passed')).toBe(true);
    const annotations = annotationsOf(result, 'analytics_gate');
    expect(annotations.map((a) => a.level)).toEqual(['info']);
    expect(annotations[0]!.message).toContain('insufficient history');
  });

  it('has no error annotation: with the tightened policy in the stack, synth passes', () => {
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
  });

  it('the failing gate fails the real `cdktf synth` (non-zero exit, the gate\'s message), also with cdktn installed', () => {
    const output = `${asUser.stdout}\n${asUser.stderr}`;
    expect(asUser.exitCode).not.toBe(0);
    expect(output).toMatch(/LeastPrivilegeGate least-privilege-role\/deployer_gate: 2 unused service\(s\) and \d+ unused action\(s\) in 3 used service\(s\) of arn:aws:iam::123456789012:role\/app-deployer/);
    expect(output).toMatch(/error annotations/);
    // let finish (CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS), the CLI still fails on the gate's error annotation
    expect(current.exitCode).not.toBe(0);
    expect(result.exitCode).toBe(0);
  });
});

describeTerraform('least-privilege-role', () => {
  let plan: TerraformPlan;
  beforeAll(async () => {
    plan = await terraformPlan(world, result);
  }, 600_000);

  it('validates, and plans every output as the literal the synth decided', () => {
    expect(plan.validate).toMatch(/configuration is valid/);
    expect(Object.keys(synthesizedOutputs(result)).length).toBeGreaterThan(10);
    expect(plan.outputs).toEqual(synthesizedOutputs(result));
    expect(plan.outputs.app_deployer_services_unused).toEqual(['dynamodb', 'ec2', 'sqs']);
    expect(plan.outputs.app_deployer_gate_violations).toEqual([]);
  });

  it('plans the tightened policies as Terraform will send them to IAM', () => {
    expect(JSON.parse(plannedPolicy(plan, 'aws_iam_policy.deployer_policy'))).toEqual(JSON.parse(policyOf('deployer_policy')));
    for (const id of opsAdminIds()) expect(JSON.parse(plannedPolicy(plan, `aws_iam_policy.${id}`))).toEqual(JSON.parse(policyOf(id)));
    const deployer = plannedPolicy(plan, 'aws_iam_policy.deployer_policy');
    for (const kept of ['iam:GetRole', 'lambda:CreateFunction', 's3:PutObject', 'iam:PassRole']) {
      expect([kept, evaluateIdentityPolicies([deployer], kept)]).toEqual([kept, 'Allowed']);
    }
    for (const gone of ['dynamodb:GetItem', 'sqs:SendMessage']) {
      expect([gone, evaluateIdentityPolicies([deployer], gone)]).toEqual([gone, 'ImplicitlyDenied']);
    }
    const opsAdmin = opsAdminIds().map((id) => plannedPolicy(plan, `aws_iam_policy.${id}`));
    expect(evaluateIdentityPolicies(opsAdmin, 'kms:Decrypt')).toBe('ExplicitlyDenied');
    expect(evaluateIdentityPolicies(opsAdmin, 'ec2:RunInstances')).toBe('Allowed');
  });
});

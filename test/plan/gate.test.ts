/**
 * A plan-mode LeastPrivilegeGate: the synthesized data source carries the gate's window and exceptions in its
 * query and the postcondition in its lifecycle; the program's real answer decides it.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import { IamRolePoliciesExclusive } from '@cdktf/provider-aws/lib/iam-role-policies-exclusive';
import { IamRolePolicyAttachmentsExclusive } from '@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive';
import { interpretQuery } from '../../src/resolve/external-protocol';
import { TerraformVariable } from '../default-core';
import { LeastPrivilegeGate } from '../../src/constructs/least-privilege-gate';
import { planGateCondition, planGateErrorMessage } from '../../src/constructs/plan-time-report';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { startEmulator } from '../../src/emulator';
import type { RunningEmulator } from '../../src/emulator';
import { adminEnv, buildBundle, evaluateCondition, parseFlatStringMap, runLikeTerraform, synthesize } from './support';
import type { ExternalBlock, SynthesizedStack } from './support';
import { APP_ROLE, planWorld } from './world';

let emulator: RunningEmulator;
let stack: SynthesizedStack;
const ROLE_VAR = '${var.gated_role}';
const OWNED_ARN = '${aws_iam_role.owned.arn}';
const FIXED_ARN = '${data.aws_iam_role.fixed_role.arn}';
const WITHOUT_SQS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:ListAllMyBuckets', 'dynamodb:GetItem'], Resource: '*' }] };
const WITH_SQS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:ListAllMyBuckets', 'sqs:SendMessage'], Resource: '*' }] };

beforeAll(async () => {
  buildBundle();
  emulator = await startEmulator({ world: planWorld(), port: 0, seed: 5, jobs: { durationMs: 50 } });
  stack = synthesize('gated', (s) => {
    new AwsProvider(s, 'aws', { region: 'us-east-1' });
    const role = new TerraformVariable(s, 'gated_role', { type: 'string' });
    const strict = new ServiceLastAccessedReport(s, 'strict', { resolveAt: 'plan', planTimeSource: 'external', arn: role.stringValue, endpoint: emulator.endpoint });
    new LeastPrivilegeGate(s, 'strict_gate', { report: strict, unusedAfterDays: 60 });
    const lenient = new ServiceLastAccessedReport(s, 'lenient', { resolveAt: 'plan', planTimeSource: 'external', arn: role.stringValue, endpoint: emulator.endpoint });
    new LeastPrivilegeGate(s, 'lenient_gate', { report: lenient, allow: [{ permission: 'sqs', reason: 'quarterly batch' }] });
    // Judging the stack as it will be (issue 12, item 8): the documents travel in the query as one JSON string.
    // The role is looked up, so the given policy is its whole set only with its managed and inline sets pinned.
    const fixedRole = new DataAwsIamRole(s, 'fixed_role', { name: 'plan-app' });
    new IamRolePolicyAttachmentsExclusive(s, 'fixed_managed_set', { roleName: fixedRole.name, policyArns: [] });
    new IamRolePoliciesExclusive(s, 'fixed_inline_set', { roleName: fixedRole.name, policyNames: [] });
    const fixed = new ServiceLastAccessedReport(s, 'fixed', { resolveAt: 'plan', planTimeSource: 'external', arn: fixedRole.arn, endpoint: emulator.endpoint });
    new LeastPrivilegeGate(s, 'fixed_gate', { report: fixed, policy: JSON.stringify(WITHOUT_SQS), judgeUnknownHistory: true });
    // An ARN in a variable names a principal nothing can pin: the same policy is not its whole set.
    const unpinned = new ServiceLastAccessedReport(s, 'unpinned', { resolveAt: 'plan', planTimeSource: 'external', arn: role.stringValue, endpoint: emulator.endpoint });
    new LeastPrivilegeGate(s, 'unpinned_gate', { report: unpinned, policy: JSON.stringify(WITHOUT_SQS) });
    // Named apart from the looked-up plan-app above (one name is one role: its inline policy would be plan-app's);
    // the test maps its ARN to the world's role when it runs the program.
    const owned = new IamRole(s, 'owned', { name: 'plan-app-owned', assumeRolePolicy: '{}' });
    new IamRolePolicy(s, 'owned_policy', { role: owned.name, policy: JSON.stringify(WITH_SQS) });
    const ownedReport = new ServiceLastAccessedReport(s, 'owned_usage', { resolveAt: 'plan', planTimeSource: 'external', arn: owned.arn, endpoint: emulator.endpoint });
    new LeastPrivilegeGate(s, 'owned_gate', { report: ownedReport });
  });
});

afterAll(async () => {
  await emulator?.close();
});

function block(prefix: string): ExternalBlock {
  const found = Object.entries(stack.json.data?.external ?? {}).find(([id]) => id.startsWith(`${prefix}_`));
  if (!found) throw new Error(`no data.external for ${prefix}`);
  return found[1];
}

describe('LeastPrivilegeGate on a plan-mode report', () => {
  it('synthesizes the postcondition with condition and error_message, and the gate options in the query', () => {
    for (const prefix of ['strict', 'lenient']) {
      expect(block(prefix).lifecycle?.postcondition).toEqual([{ condition: planGateCondition(), error_message: planGateErrorMessage() }]);
    }
    expect(block('strict').query?.unused_after_days).toBe('60');
    expect(JSON.parse(block('strict').query!.allow!)).toEqual([]);
    expect(JSON.parse(block('lenient').query!.allow!)).toEqual([{ permission: 'sqs', reason: 'quarterly batch' }]);
  });

  it('the program answers violation_count so that the strict gate fails and the excepted one passes', async () => {
    const answer = async (prefix: string) => {
      const run = await runLikeTerraform(block(prefix), { cwd: stack.stackDir, known: { [ROLE_VAR]: APP_ROLE }, env: adminEnv() });
      if (run.code !== 0) throw new Error(run.stderr);
      return parseFlatStringMap(run.stdout);
    };
    const strict = await answer('strict');
    const lenient = await answer('lenient');
    // The canonical condition is `violation_count == "0"`.
    expect(planGateCondition()).toContain('self.result["violation_count"] == "0"');
    expect(strict.violation_count).not.toBe('0');
    expect(JSON.parse(strict.violations!).map((v: { permission: string }) => v.permission)).toEqual(['sqs']);
    expect(lenient.violation_count).toBe('0');
    expect(strict.summary).toContain('sqs');
  });
});

describe('a plan-mode gate never passes on stale evidence', () => {
  it("IAM's clock 10 minutes ahead of the runner's: the report is from the future, nothing is flagged, and the condition says so", async () => {
    const ahead = await startEmulator({ world: planWorld(), port: 0, seed: 5, jobs: { durationMs: 50 }, now: () => new Date(Date.now() + 10 * 60_000) });
    try {
      const run = await runLikeTerraform(block('lenient'), { cwd: stack.stackDir, known: { [ROLE_VAR]: APP_ROLE }, env: adminEnv(), queryPatch: { endpoint: ahead.endpoint } });
      if (run.code !== 0) throw new Error(run.stderr);
      const answer = parseFlatStringMap(run.stdout);
      expect(answer.evidence_status).toBe('stale-evidence');
      // No violation, since stale evidence flags nothing: a condition on violation_count alone would pass.
      expect(answer.violation_count).toBe('0');
      expect([answer.passed, answer.all_used]).toEqual(['false', 'false']);
      expect(answer.summary).toContain('the gate cannot pass');
      // The synthesized postcondition fails on it, as Terraform would evaluate it.
      expect(evaluateCondition(block('lenient').lifecycle!.postcondition![0]!.condition, answer)).toBe(false);
      // The same gate on current evidence passes.
      const current = parseFlatStringMap((await runLikeTerraform(block('lenient'), { cwd: stack.stackDir, known: { [ROLE_VAR]: APP_ROLE }, env: adminEnv() })).stdout);
      expect([current.evidence_status, current.violation_count, current.passed]).toEqual(['sufficient', '0', 'true']);
      expect(evaluateCondition(block('lenient').lifecycle!.postcondition![0]!.condition, current)).toBe(true);
    } finally {
      await ahead.close();
    }
  }, 60_000);
});

describe('a plan-mode gate judges the documents in its query (the stack as it will be)', () => {
  const answer = async (prefix: string, known: Record<string, string>) => {
    const run = await runLikeTerraform(block(prefix), { cwd: stack.stackDir, known, env: adminEnv() });
    if (run.code !== 0) throw new Error(run.stderr);
    return parseFlatStringMap(run.stdout);
  };

  it('passes the given policy as JSON in the string-only query, and judge_unknown_history', () => {
    expect(JSON.parse(block('fixed').query!.policies!)).toEqual([WITHOUT_SQS]);
    expect(block('fixed').query!.judge_unknown_history).toBe('true');
    // No policy given and the principal not a construct of the stack: today's grants, no key set.
    expect(block('strict').query!.policies).toBeUndefined();
    expect(block('strict').query!.judge_unknown_history).toBeUndefined();
  });

  it('a policy that no longer grants the unused service passes; the stack\'s inline policy that still grants it fails', async () => {
    const fixed = await answer('fixed', { [FIXED_ARN]: APP_ROLE });
    expect(fixed.violation_count).toBe('0');
    expect(fixed.summary).toContain('not granted by the policies in the query, so not violations: sqs');
    expect(block('unpinned').query!.policies).toBeUndefined();
    const unpinned = await answer('unpinned', { [ROLE_VAR]: APP_ROLE });
    expect(JSON.parse(unpinned.violations!).map((v: { permission: string }) => v.permission)).toEqual(['sqs']);
    expect(JSON.parse(block('owned_usage').query!.policies!)).toEqual([WITH_SQS]);
    const owned = await answer('owned_usage', { [OWNED_ARN]: APP_ROLE });
    expect(JSON.parse(owned.violations!).map((v: { permission: string }) => v.permission)).toEqual(['sqs']);
  });

  it('a bad policies value is an input error naming the key', () => {
    expect(() => interpretQuery({ arn: APP_ROLE, policies: '{"Statement": []}' })).toThrow('query key "policies": expected a JSON array');
    expect(() => interpretQuery({ arn: APP_ROLE, policies: '[{"Statement": [{"Effect": "Maybe"}]}]' })).toThrow(/policies"\[0\].*Effect/);
    expect(() => interpretQuery({ arn: APP_ROLE, judge_unknown_history: 'yes' })).toThrow('expected "true" or "false"');
  });
});

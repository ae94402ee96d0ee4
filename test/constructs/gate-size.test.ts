import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
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

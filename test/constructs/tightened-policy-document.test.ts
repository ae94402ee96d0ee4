import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { TightenedPolicyDocument } from '../../src/constructs/tightened-policy-document';
import { TerraformOutput, Testing, type TerraformStack } from '../default-core';
import { loadActionCatalog } from '../../src/model/action-catalog';
import { annotationsOf, cachedReport, stackWithCachedReports } from '../analysis/construct-fixtures';
import { allow, doc, OLD, RECENT, report, service } from '../analysis/fixtures';
import { simulate } from '../analysis/oracle';

const appRole = report([service('s3', RECENT, { GetBucketPolicy: RECENT, PutBucketPolicy: OLD }), service('ec2'), service('iam')]);
const POLICY = doc(
  allow(['s3:GetObject', 's3:GetBucketPolicy', 's3:PutBucketPolicy', 'ec2:DescribeInstances', 'iam:PassRole', 'iam:CreateUser'], '*', { Sid: 'App' }),
  { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
);
const EXPECTED = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'App', Effect: 'Allow', Action: ['iam:PassRole', 's3:GetBucketPolicy', 's3:GetObject'], Resource: '*' },
    { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
  ],
};
const REMOVED = ['ec2:DescribeInstances', 'iam:CreateUser', 's3:PutBucketPolicy'];

/** What a (lazy) value renders as in the synthesized stack: the tightening runs at synth, like cdktf synth. */
let probes = 0;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a synthesized value of any shape
function rendered(stack: TerraformStack, value: unknown): any {
  const id = `probe${++probes}`;
  new TerraformOutput(stack, id, { value });
  return JSON.parse(Testing.synth(stack)).output[id].value;
}

async function oracleAgrees(original: object, tightened: object): Promise<void> {
  for (const action of REMOVED) {
    expect([action, await simulate([original], action, '*')]).toEqual([action, 'Allowed']);
    expect([action, await simulate([tightened], action, '*')]).toEqual([action, 'ImplicitlyDenied']);
  }
  for (const action of ['iam:PassRole', 's3:GetBucketPolicy', 's3:GetObject']) {
    expect([action, await simulate([tightened], action, '*')]).toEqual([action, 'Allowed']);
  }
}

describe('TightenedPolicyDocument', () => {
  it.each([
    ['JSON text', () => JSON.stringify(POLICY)],
    ['an object', () => POLICY],
  ])('tightens a policy given as %s into literal JSON usable as IamPolicy.policy', async (_, source) => {
    const { stack } = stackWithCachedReports([appRole]);
    const tightened = new TightenedPolicyDocument(stack, 'tight', { report: cachedReport(stack, 'report', appRole), policy: source() });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    new IamPolicy(stack, 'policy', { name: 'app', policy: tightened.json });
    // json / removedActions / removedServices are lazy (evaluated at synth): resolve them as synth does.
    expect(JSON.parse(rendered(stack, tightened.json))).toEqual(EXPECTED);
    expect(rendered(stack, tightened.removedActions)).toEqual(REMOVED);
    expect(rendered(stack, tightened.removedServices)).toEqual(['ec2']);
    expect(rendered(stack, tightened.removedActionCount)).toBe(3);
    expect(tightened.proof.holds).toBe(true);
    const synthesized = JSON.parse(Testing.synth(stack));
    expect(JSON.parse(synthesized.resource.aws_iam_policy.policy.policy)).toEqual(EXPECTED);
    const info = annotationsOf(tightened).filter((a) => a.level === 'info');
    expect(info).toHaveLength(1);
    expect(info[0]!.message).toContain('removed 3 action(s) and whole services ec2');
    expect(() => Testing.fullSynth(stack)).not.toThrow();
    await oracleAgrees(POLICY, tightened.policy);
  });

  it('warns when the policy allows services the report does not list (what an earlier apply removed would be granted back)', () => {
    const { stack } = stackWithCachedReports([appRole]);
    const original = doc(allow(['s3:GetObject', 'dynamodb:GetItem', 'sqs:SendMessage']));
    const tightened = new TightenedPolicyDocument(stack, 'tight', { report: cachedReport(stack, 'report', appRole), policy: original });
    expect(rendered(stack, tightened.removedServices)).toEqual([]);
    expect(JSON.parse(rendered(stack, tightened.json)).Statement[0].Action).toEqual(['dynamodb:GetItem', 's3:GetObject', 'sqs:SendMessage']);
    const warnings = annotationsOf(tightened).filter((a) => a.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/allows dynamodb, sqs, which the report of arn:\S+ does not list .*kept without evidence/);
  });

  it('reads the literal statements of a DataAwsIamPolicyDocument (with conditions)', async () => {
    const { stack } = stackWithCachedReports([appRole]);
    const source = new DataAwsIamPolicyDocument(stack, 'doc', {
      statement: [
        {
          sid: 'App',
          actions: ['s3:GetObject', 's3:PutBucketPolicy', 'ec2:DescribeInstances'],
          resources: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['true'] }],
        },
      ],
    });
    const tightened = new TightenedPolicyDocument(stack, 'tight', { report: cachedReport(stack, 'report', appRole), policy: source });
    expect(JSON.parse(rendered(stack, tightened.json))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'App',
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
          Condition: { Bool: { 'aws:SecureTransport': 'true' } },
        },
      ],
    });
    expect(rendered(stack, tightened.removedActions)).toEqual(['ec2:DescribeInstances', 's3:PutBucketPolicy']);
  });

  it('reads the literal policy string of an IamRolePolicy', () => {
    const { stack } = stackWithCachedReports([appRole]);
    const role = new IamRole(stack, 'role', { name: 'app', assumeRolePolicy: '{}' });
    const inline = new IamRolePolicy(stack, 'inline', { role: role.name, policy: JSON.stringify(POLICY) });
    const tightened = new TightenedPolicyDocument(stack, 'tight', { report: cachedReport(stack, 'report', appRole), policy: inline });
    expect(JSON.parse(rendered(stack, tightened.json))).toEqual(EXPECTED);
  });

  it('refuses a policy that is only known to Terraform, naming the element', () => {
    const { stack } = stackWithCachedReports([appRole]);
    const source = new DataAwsIamPolicyDocument(stack, 'doc', { statement: [{ actions: ['s3:GetObject'], resources: ['*'] }] });
    const fromToken = new IamPolicy(stack, 'policy', { name: 'p', policy: source.json });
    expect(() => new TightenedPolicyDocument(stack, 'tight', { report: cachedReport(stack, 'report', appRole), policy: fromToken })).toThrow(
      /stack\/policy\.policy.*a policy known at synth time/,
    );
  });

  it('an AdministratorAccess-sized removal: the annotation names 10 services and a count, the outputs have them all', () => {
    const namespaces = loadActionCatalog().services();
    const admin = report(namespaces.map((ns) => service(ns, ns === 's3' || ns === 'lambda' ? RECENT : undefined)));
    const { stack } = stackWithCachedReports([admin]);
    const tightened = new TightenedPolicyDocument(stack, 'tight', { report: cachedReport(stack, 'report', admin), policy: doc(allow(['*'], '*')) });
    const removed = rendered(stack, tightened.removedServices) as string[];
    // every service but the two used ones and iam (iam:PassRole is never removed)
    expect(removed).toHaveLength(namespaces.length - 3);
    expect(removed.filter((ns) => ['s3', 'lambda', 'iam'].includes(ns))).toEqual([]);
    const [info] = annotationsOf(tightened).filter((a) => a.level === 'info');
    expect(info!.message).toContain(`and whole services ${removed.slice(0, 10).join(', ')} … and ${removed.length - 10} more (all in removedServices)`);
    expect(info!.message).not.toContain(removed[10]!);
    expect(info!.message.length).toBeLessThan(1500);
  });

  it('refuses a plan-time report', () => {
    const { stack } = stackWithCachedReports([appRole]);
    const planReport = new ServiceLastAccessedReport(stack, 'report', { arn: appRole.arn, resolveAt: 'plan' });
    expect(() => new TightenedPolicyDocument(stack, 'tight', { report: planReport, policy: POLICY })).toThrow("a synth-time report (resolveAt 'synth')");
  });
});

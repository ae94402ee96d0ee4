import * as fc from 'fast-check';
import { findUnusedPermissions, grantChecker, restrictToGranted, type PolicyDocument } from '../../src/analysis';
import { allow, doc, NOW, OLD, RECENT, report, service } from './fixtures';
import { prng, randomPolicy, REQUESTS } from './generators';
import { simulate } from './oracle';

// "Which unused permissions do these documents still grant?" (issue 12, item 8). The answer may only err towards
// "still granted": a gate must never pass a permission the principal will hold.
const unused = findUnusedPermissions(report([service('s3', RECENT, { CreateBucket: RECENT, DeleteBucket: undefined }), service('ec2'), service('sqs', OLD)]), { now: NOW });

describe('restrictToGranted', () => {
  it('turns what the documents no longer grant into no-longer-granted findings and keeps the rest as violations', () => {
    const judged = restrictToGranted(unused, { documents: [doc(allow(['s3:CreateBucket', 'sqs:SendMessage']))], source: 'the stack' });
    expect(judged.unusedServices).toEqual(['sqs']);
    expect(judged.unusedActions).toEqual([]);
    const gone = judged.findings.filter((f) => f.kind === 'no-longer-granted');
    expect(gone.map((f) => f.permission)).toEqual(['ec2', 's3:DeleteBucket']);
    expect(gone[0]!.reason).toMatch(/^not granted any more by the stack; was: ec2 \(Service ec2\) has no authenticated use/);
  });

  it('an opaque attachment may grant anything: nothing changes', () => {
    expect(restrictToGranted(unused, { documents: [], opaque: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] })).toBe(unused);
  });

  it('no documents at all grant nothing', () => {
    expect(restrictToGranted(unused, { documents: [] }).unusedServices).toEqual([]);
  });
});

describe('grantChecker', () => {
  it('a wildcard, a NotAction or a pattern keeps a service granted; an unconditional Deny on every resource takes it away', () => {
    expect(grantChecker([doc(allow('ec2:Describe*'))]).grantsService('ec2')).toBe(true);
    expect(grantChecker([doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })]).grantsService('ec2')).toBe(true);
    expect(grantChecker([doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })]).grantsService('iam')).toBe(false);
    expect(grantChecker([doc(allow('EC2:describe*'))]).grantsService('ec2')).toBe(true);
    expect(grantChecker([doc(allow('ec2:*'), { Effect: 'Deny', Action: 'ec2:*', Resource: '*' })]).grantsService('ec2')).toBe(false);
    expect(grantChecker([doc(allow('*'), { Effect: 'Deny', NotAction: ['s3:*'], Resource: '*' })]).grantsService('ec2')).toBe(false);
    expect(grantChecker([doc(allow('*'), { Effect: 'Deny', NotAction: ['s3:*'], Resource: '*' })]).grantsService('s3')).toBe(true);
  });

  it('a Deny that applies only under a Condition takes nothing away', () => {
    const conditional = { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } };
    const checker = grantChecker([doc(allow('s3:DeleteBucket'), conditional)]);
    expect(checker.grantsAction('s3:DeleteBucket')).toBe(true);
    expect(checker.grantsService('s3')).toBe(true);
  });

  it('an action allowed on one resource and denied on another is still granted; denied on all it is not', () => {
    const some = grantChecker([doc(allow('s3:GetObject', 'arn:aws:s3:::b/*'), { Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/secret/*' })]);
    expect(some.grantsAction('s3:GetObject')).toBe(true);
    const all = grantChecker([doc(allow('s3:GetObject', 'arn:aws:s3:::b/x*'), { Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' })]);
    expect(all.grantsAction('s3:GetObject')).toBe(false);
    expect(all.grantsService('s3')).toBe(false);
  });

  it('a literal action outside the documents is not granted; a name IAM would refuse is an input error', () => {
    const checker = grantChecker([doc(allow(['s3:GetObject']))]);
    expect(checker.grantsAction('s3:DeleteBucket')).toBe(false);
    expect(checker.grantsService('sqs')).toBe(false);
    expect(() => grantChecker([doc(allow(['s3:GetObject', 'notAnAction']))])).toThrow(/Action\[1\]: "notAnAction" is not allowed/);
  });

  it('property: whatever the independent simulator allows, the checker still counts as granted (action and service)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.boolean(), async (seed, withCondition) => {
        const rand = prng(seed);
        const policy = randomPolicy(rand);
        if (withCondition) {
          // A conditional statement, and a Deny of everything that applies only to another team.
          const st = policy.Statement[0] as Record<string, unknown>;
          st.Condition = { StringEquals: { 'aws:PrincipalTag/team': 'core' } };
          (policy.Statement as object[]).push({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'other' } } });
        }
        const checker = grantChecker([policy as unknown as PolicyDocument]);
        for (const [action, resource] of REQUESTS) {
          for (const context of [{}, { 'aws:PrincipalTag/team': 'core' }] as Record<string, string>[]) {
            if ((await simulate([policy], action, resource, context)) !== 'Allowed') continue;
            expect([seed, action, checker.grantsAction(action)]).toEqual([seed, action, true]);
            expect([seed, action, checker.grantsService(action.split(':')[0]!)]).toEqual([seed, action, true]);
          }
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});

import { grantChecker, restrictToGranted } from '../../src/analysis/granted';
import { evaluateIdentityPolicies } from '../../src/analysis/evaluate';
import { findUnusedPermissions } from '../../src/analysis/unused';
import { allow, doc, NOW, report, service } from './fixtures';

// Issue 22: "is this still granted?" must treat a policy variable as a value it does not know — one that may match
// anything — while `${*}`, `${?}` and `${$}` stay the literal characters IAM makes of them.
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table';
const deny = (action: string | string[], resource: string | string[], extra: Record<string, unknown> = {}) => ({ Effect: 'Deny' as const, Action: action, Resource: resource, ...extra });

describe('grantChecker with policy variables', () => {
  it.each([
    `${TABLE}/\${aws:PrincipalTag/team}-*`,
    `${TABLE}/\${aws:PrincipalTag/team, 'core'}`,
    `${TABLE}/\${unknown:Key}`,
    `${TABLE}/\${aws:username}\${*}`,
    `\${aws:ResourceArn}`,
  ])('an Allow on %s may grant the action and its service', (resource) => {
    const checker = grantChecker([doc(allow('dynamodb:PutItem', resource))]);
    expect(checker.grantsAction('dynamodb:PutItem')).toBe(true);
    expect(checker.grantsService('dynamodb')).toBe(true);
    expect(checker.grantsAction('dynamodb:DeleteTable')).toBe(false);
  });

  it('${*}, ${?} and ${$} are literal characters: the grant exists (on the resource with those characters)', () => {
    for (const resource of [`${TABLE}/a\${*}b`, `${TABLE}/a\${?}`, `${TABLE}/\${$}x`]) {
      expect(grantChecker([doc(allow('dynamodb:GetItem', resource))]).grantsAction('dynamodb:GetItem')).toBe(true);
    }
  });

  it('a Deny naming a variable denies only sometimes: it takes no grant away', () => {
    const checker = grantChecker([doc(allow('dynamodb:*', '*'), deny('dynamodb:*', `${TABLE}/\${aws:PrincipalTag/team}*`))]);
    expect(checker.grantsAction('dynamodb:PutItem')).toBe(true);
    expect(checker.grantsService('dynamodb')).toBe(true);
    const everything = grantChecker([doc(allow('dynamodb:*', '*'), deny('dynamodb:*', '*'))]);
    expect(everything.grantsService('dynamodb')).toBe(false);
  });

  it("an Allow's NotResource with a variable excludes nothing", () => {
    const checker = grantChecker([doc({ Effect: 'Allow', Action: 'dynamodb:PutItem', NotResource: [`\${aws:ResourceArn}`, '*'] }, { Effect: 'Allow', Action: 'sqs:SendMessage', NotResource: `\${aws:ResourceArn}` })]);
    expect(checker.grantsAction('sqs:SendMessage')).toBe(true);
    expect(checker.grantsAction('dynamodb:PutItem')).toBe(false);
  });

  it('under 2008-10-17 `${…}` is literal text, and still a grant on that literal resource', () => {
    const checker = grantChecker([{ Version: '2008-10-17', Statement: [allow('dynamodb:PutItem', `${TABLE}/\${aws:username}`)] } as never]);
    expect(checker.grantsAction('dynamodb:PutItem')).toBe(true);
  });

  it('restrictToGranted keeps an unused service granted only through a variable as a violation', () => {
    const unused = findUnusedPermissions(report([service('dynamodb'), service('s3', '2026-05-20T10:00:00Z')]), { now: NOW });
    const restricted = restrictToGranted(unused, { documents: [doc(allow('s3:*'), allow('dynamodb:PutItem', `${TABLE}/\${aws:PrincipalTag/team}-*`))] });
    expect(restricted.unusedServices).toEqual(['dynamodb']);
    expect(restricted.findings.find((f) => f.permission === 'dynamodb')!.kind).toBe('unused-service');
  });
});

describe('evaluate with unknownVariables', () => {
  const policy = doc(allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*'));
  it("IAM's rule by default: a variable without a value matches nothing", () => {
    expect(evaluateIdentityPolicies([policy], 's3:GetObject', 'arn:aws:s3:::home/alice/photo')).toBe('ImplicitlyDenied');
  });
  it("'anything': it may hold any value", () => {
    expect(evaluateIdentityPolicies([policy], 's3:GetObject', 'arn:aws:s3:::home/alice/photo', { unknownVariables: 'anything' })).toBe('Allowed');
    expect(evaluateIdentityPolicies([policy], 's3:GetObject', 'arn:aws:s3:::other/alice/photo', { unknownVariables: 'anything' })).toBe('ImplicitlyDenied');
  });
  it('a known value is still used', () => {
    const context = { variables: { 'aws:username': 'bob' }, unknownVariables: 'anything' as const };
    expect(evaluateIdentityPolicies([policy], 's3:GetObject', 'arn:aws:s3:::home/alice/photo', context)).toBe('ImplicitlyDenied');
  });
});

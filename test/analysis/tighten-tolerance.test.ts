import { evaluateIdentityPolicies, tightenPolicy, verifyTightening, type PolicyDocument } from '../../src/analysis';
import { loadActionCatalog } from '../../src/model/action-catalog';
import { allow, doc, NOW, OLD, RECENT, report, service } from './fixtures';
import { documentedActions } from './documented-tracking';

/**
 * Issue 24, the tolerance around actions newer than the catalog. The rule: the exact form keeps every used,
 * untracked, excepted, iam:PassRole, unknown-to-the-catalog and future action a kept wildcard covers. A wildcard of a
 * service the report shows wholly unused gives way to what no evidence can judge (iam:PassRole) and what an
 * exception names: the rest of the service, newer actions included, is proven unused by the service's own timestamp.
 * Each case: nothing widens, what stays and goes is reported in the notes, and the proof holds.
 */

const catalog = loadActionCatalog();
const FUTURE = ['iam:ZzFutureAction', 's3:ZzFutureAction', 's3:GetZzFuture', 'zznew:Do', 'zznew:Other', 'ec2:ZzFuture'];

/** Nothing the result allows was not allowed before, over catalog actions of the services involved and stand-ins. */
function expectNoWidening(before: PolicyDocument, after: readonly PolicyDocument[], services: readonly string[]) {
  const samples = [...services.flatMap((ns) => catalog.actions(ns).map((a) => `${ns}:${a}`)), ...FUTURE, 'iam:PassRole'];
  const widened = samples.filter((a) => evaluateIdentityPolicies(after, a) === 'Allowed' && evaluateIdentityPolicies([before], a) !== 'Allowed');
  expect(widened).toEqual([]);
}

describe('a wildcard of a wholly unused service', () => {
  it('iam:* with iam unused keeps iam:PassRole only; newer iam actions go with the service, and the note says so', () => {
    const iamTracked = Object.fromEntries(documentedActions('iam', catalog.actions('iam')).slice(0, 40).map((a) => [a, undefined]));
    const before = doc(allow('iam:*'));
    const result = tightenPolicy(before, report([service('iam', undefined, iamTracked), service('s3', RECENT)]), { catalog, now: NOW });
    expect(result.documents).toEqual([{ Version: '2012-10-17', Statement: [allow('iam:PassRole')] }]);
    expect(evaluateIdentityPolicies(result.documents, 'iam:ZzFutureAction')).toBe('ImplicitlyDenied');
    expect(result.notes).toContainEqual(
      'Statement[0]: "iam:*" of unused service iam became iam:PassRole (iam:PassRole is never reported as used; exceptions stay): the rest of it, actions newer than the catalog included, is removed',
    );
    expectNoWidening(before, result.documents, ['iam']);
    expect(result.proof.holds).toBe(true);
  });

  it('an excepted action the catalog does not know stays allowed (it was removed before this fix), and the proof requires it', () => {
    const before = doc(allow(['s3:*', 'ec2:DescribeInstances']));
    const evidence = report([service('s3', OLD), service('ec2', RECENT)]);
    const allowList = [{ permission: 's3:ZzFutureAction', reason: 'the nightly export' }];
    const result = tightenPolicy(before, evidence, { catalog, now: NOW, allow: allowList });
    expect(result.documents).toEqual([{ Version: '2012-10-17', Statement: [allow(['ec2:DescribeInstances', 's3:ZzFutureAction'])] }]);
    expect(evaluateIdentityPolicies(result.documents, 's3:ZzFutureAction')).toBe('Allowed');
    expect(evaluateIdentityPolicies(result.documents, 's3:GetZzFuture')).toBe('ImplicitlyDenied');
    expect(result.notes.join('\n')).toContain('"s3:*" of unused service s3 became s3:ZzFutureAction');
    expectNoWidening(before, result.documents, ['s3', 'ec2']);
    // the rewrite without it fails the proof, naming it
    const dropped = verifyTightening(before, doc(allow('ec2:DescribeInstances')), evidence, { catalog, now: NOW, allow: allowList });
    expect(dropped.failures.join('\n')).toContain('s3:ZzFutureAction on * has no evidence of non-use but is no longer allowed');
  });

  it('a service the catalog does not know, excepted by one literal action: that action stays, the rest goes', () => {
    const before = doc(allow(['zznew:*', 'ec2:DescribeInstances']));
    const result = tightenPolicy(before, report([service('zznew', OLD), service('ec2', RECENT)]), { catalog, now: NOW, allow: [{ permission: 'zznew:Do', reason: 'x' }] });
    expect(evaluateIdentityPolicies(result.documents, 'zznew:Do')).toBe('Allowed');
    expect(evaluateIdentityPolicies(result.documents, 'zznew:Other')).toBe('ImplicitlyDenied');
    expectNoWidening(before, result.documents, ['ec2']);
  });

  it('an exception pattern keeps the newer actions it matches, and only those', () => {
    const before = doc(allow(['s3:*', 'ec2:DescribeInstances']));
    const result = tightenPolicy(before, report([service('s3', OLD), service('ec2', RECENT)]), { catalog, now: NOW, allow: [{ permission: 's3:Zz*', reason: 'x' }] });
    expect(evaluateIdentityPolicies(result.documents, 's3:ZzFutureAction')).toBe('Allowed');
    expect(evaluateIdentityPolicies(result.documents, 's3:GetZzFuture')).toBe('ImplicitlyDenied');
    expectNoWidening(before, result.documents, ['s3', 'ec2']);
  });
});

describe('a wildcard of a used service (the exact form)', () => {
  it('iam:* with iam used keeps the wildcard: newer iam actions and iam:PassRole stay allowed, the unused tracked ones are denied; reported', () => {
    const iamTracked = Object.fromEntries(documentedActions('iam', catalog.actions('iam')).slice(0, 40).map((a) => [a, undefined]));
    const before = doc(allow('iam:*'));
    const result = tightenPolicy(before, report([service('iam', RECENT, { ...iamTracked, GetRole: RECENT })]), { catalog, now: NOW });
    expect(evaluateIdentityPolicies(result.documents, 'iam:ZzFutureAction')).toBe('Allowed');
    expect(evaluateIdentityPolicies(result.documents, 'iam:PassRole')).toBe('Allowed');
    expect(evaluateIdentityPolicies(result.documents, `iam:${documentedActions('iam', catalog.actions('iam'))[0]}`)).toBe('ExplicitlyDenied');
    expect(result.notes.join('\n')).toMatch(/"iam:\*" kept as written; 40 unused tracked action\(s\) it allows are denied .*used, untracked, excepted and newer actions stay allowed/);
    expectNoWidening(before, result.documents, ['iam']);
  });
});

import { TerraformOutput, Testing } from '../default-core';
import { TightenedPolicyDocument } from '../../src/constructs/tightened-policy-document';
import { loadActionCatalog } from '../../src/model/action-catalog';
import { annotationsOf, cachedReport, stackWithCachedReports } from '../analysis/construct-fixtures';
import { allow, doc, OLD, RECENT, report, service } from '../analysis/fixtures';

/**
 * TightenedPolicyDocument keeps a used service's wildcard as written and denies its unused tracked actions (the
 * exact form, issue 24); the lossy split into the catalog's actions is the opt-in splitWildcards.
 */
const usage = report([service('s3', RECENT, { GetBucketPolicy: RECENT, PutBucketPolicy: OLD })]);
const DENY = { Sid: 'AccessAdvisorDenyUnusedTrackedActions', Effect: 'Deny', Action: 's3:PutBucketPolicy', Resource: '*' };

it.each([
  [undefined, [allow('s3:*'), DENY], 'kept as written; 1 unused tracked action(s) it allows are denied'],
  [true, undefined, 'splitWildcards'],
])('splitWildcards %p', (splitWildcards, statements, note) => {
  const { stack } = stackWithCachedReports([usage]);
  const tightened = new TightenedPolicyDocument(stack, 'tight', {
    report: cachedReport(stack, 'usage', usage),
    policy: doc(allow('s3:*')),
    ...(splitWildcards !== undefined ? { splitWildcards } : {}),
  });
  expect(tightened.result!.removedActions).toEqual(['s3:PutBucketPolicy']);
  if (statements) expect(tightened.policy.Statement).toEqual(statements);
  else expect(JSON.stringify(tightened.policy)).not.toContain('s3:*');
  expect(tightened.result!.notes.join('\n')).toContain(note);
  expect(tightened.proof.holds).toBe(true);
});

describe('an AdministratorAccess-sized tightening at synth', () => {
  const catalog = loadActionCatalog();
  const admin = report(catalog.services().map((ns) => (['s3', 'ec2'].includes(ns) ? service(ns, RECENT) : service(ns))));

  it('exposes its managed policy documents; forEachDocument creates one resource per document; json refuses to render several', () => {
    const { stack } = stackWithCachedReports([admin]);
    const tightened = new TightenedPolicyDocument(stack, 'tight', { report: cachedReport(stack, 'admin', admin), policy: doc(allow('*')) });
    const created = tightened.forEachDocument((policy, i, count) => new TerraformOutput(stack, `document_${i}`, { value: policy, description: `${i + 1} of ${count}` }));
    expect(created.length).toBe(tightened.documents.length);
    expect(created.length).toBeGreaterThan(1);
    const synthesized = JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: string }> };
    tightened.documents.forEach((json, i) => {
      expect(synthesized.output[`document_${i}`]!.value).toBe(json);
      expect(JSON.stringify(JSON.parse(json)).length).toBeLessThanOrEqual(6144);
    });
    const { stack: other } = stackWithCachedReports([admin]);
    const single = new TightenedPolicyDocument(other, 'tight', { report: cachedReport(other, 'admin', admin), policy: doc(allow('*')) });
    new TerraformOutput(other, 'json', { value: single.json });
    expect(() => Testing.synth(other)).toThrow(/the tightened policy is \d+ managed policy documents .* so `json` cannot be attached: use forEachDocument/);
  });

  it('what does not fit maxPolicies is an error annotation naming the size and the limit', () => {
    const { stack } = stackWithCachedReports([admin]);
    const tightened = new TightenedPolicyDocument(stack, 'tight', { report: cachedReport(stack, 'admin', admin), policy: doc(allow('*')), maxPolicies: 1 });
    expect(tightened.documents).toEqual([]);
    const errors = annotationsOf(tightened).filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/needs \d+ managed policies of at most 6144 characters \(\d+ characters without white space in all\), more than maxPolicies 1/);
  });
});

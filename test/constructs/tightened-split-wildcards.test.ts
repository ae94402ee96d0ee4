import { TightenedPolicyDocument } from '../../src/constructs/tightened-policy-document';
import { cachedReport, stackWithCachedReports } from '../analysis/construct-fixtures';
import { allow, doc, OLD, RECENT, report, service } from '../analysis/fixtures';

/** TightenedPolicyDocument keeps a used service's wildcard whole unless the lossy split is asked for (issue 12). */
const usage = report([service('s3', RECENT, { GetBucketPolicy: RECENT, PutBucketPolicy: OLD })]);

it.each([
  [undefined, ['s3:*'], []],
  [true, undefined, ['s3:PutBucketPolicy']],
])('splitWildcards %p', (splitWildcards, statementActions, removed) => {
  const { stack } = stackWithCachedReports([usage]);
  const tightened = new TightenedPolicyDocument(stack, 'tight', {
    report: cachedReport(stack, 'usage', usage),
    policy: doc(allow('s3:*')),
    ...(splitWildcards !== undefined ? { splitWildcards } : {}),
  });
  expect(tightened.result!.removedActions).toEqual(removed);
  if (statementActions) expect(tightened.policy.Statement).toEqual([allow(statementActions.length === 1 ? statementActions[0]! : statementActions)]);
  else expect(JSON.stringify(tightened.policy)).not.toContain('s3:*');
  expect(tightened.result!.notes.join('\n')).toContain(splitWildcards ? 'splitWildcards' : 'kept as written');
  expect(tightened.proof.holds).toBe(true);
});

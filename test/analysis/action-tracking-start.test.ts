import { findUnusedPermissions, tightenPolicy } from '../../src/analysis';
import { loadActionCatalog } from '../../src/model/action-catalog';
import { allow, doc, report, service } from './fixtures';

/**
 * A tracked action's silence means "not used since IAM began tracking it". AWS dates that per service (s3 2020-04-12;
 * ec2, iam, lambda 2021-04-07; every other listed service 2023-05-23) and lists the tracked actions as of a snapshot.
 * Silence proves an action unused over a window only when tracking began before the window: otherwise the action is
 * kept as unknown, with a finding that says why, by every decision.
 */

const catalog = loadActionCatalog();
const DYNAMO_POLICY = doc(allow(['dynamodb:CreateTable', 'dynamodb:DescribeTable']));

/** dynamodb used through DescribeTable on 2023-06-20; CreateTable tracked and never used. */
const dynamoReport = (completed: string) =>
  report([service('dynamodb', '2023-06-20T10:00:00Z', { DescribeTable: '2023-06-20T10:00:00Z', CreateTable: undefined })], {
    jobCreationDate: completed,
    jobCompletionDate: completed,
    principalCreateDate: '2020-01-01T00:00:00Z',
  });

describe('the tracking start of an action bounds what its silence proves', () => {
  it('a window that starts before IAM began tracking the service (2023-05-23 for dynamodb): the silent action is kept, and the finding says why', () => {
    const r = dynamoReport('2023-06-30T00:00:00Z');
    const unused = findUnusedPermissions(r, { now: '2023-07-01T00:00:00Z' });
    expect(unused.status).toBe('sufficient');
    expect(unused.unusedActions).toEqual([]);
    const finding = unused.findings.find((f) => f.permission === 'dynamodb:CreateTable');
    expect(finding?.kind).toBe('unknown-action');
    expect(finding?.reason).toMatch(/IAM began tracking dynamodb actions on 2023-05-23, after the window starts \(2023-04-02T00:00:00\.000Z\)/);
    const tightened = tightenPolicy(DYNAMO_POLICY, r, { catalog, now: '2023-07-01T00:00:00Z' });
    expect(tightened.removedActions).toEqual([]);
  });

  it('the same silence once the window starts after the tracking start: CreateTable is proven unused and removed', () => {
    const r = dynamoReport('2023-08-30T00:00:00Z');
    const unused = findUnusedPermissions(r, { now: '2023-08-31T00:00:00Z' });
    expect(unused.unusedActions).toEqual(['dynamodb:CreateTable']);
    expect(tightenPolicy(DYNAMO_POLICY, r, { catalog, now: '2023-08-31T00:00:00Z' }).removedActions).toEqual(['dynamodb:CreateTable']);
  });

  it('an action AWS does not list as tracked (s3:GetBucketTagging), silent or last used before the window: kept; a listed one (s3:GetBucketAcl): removed', () => {
    const r = report([service('s3', '2026-05-20T10:00:00Z', { GetBucketPolicy: '2026-05-20T10:00:00Z', GetBucketAcl: undefined, GetBucketTagging: '2026-01-01T00:00:00Z', PutBucketTagging: undefined })]);
    const unused = findUnusedPermissions(r, { now: '2026-06-01T00:00:00Z' });
    expect(unused.unusedActions).toEqual(['s3:GetBucketAcl']);
    for (const kept of ['s3:GetBucketTagging', 's3:PutBucketTagging']) {
      const finding = unused.findings.find((f) => f.permission === kept);
      expect([kept, finding?.kind, finding?.reason]).toEqual([kept, 'unknown-action', expect.stringMatching(/AWS's tracked actions of 2026-02-13 do not list it, so IAM may have begun tracking it inside the window/)]);
    }
    const tightened = tightenPolicy(doc(allow(['s3:GetBucketPolicy', 's3:GetBucketAcl', 's3:GetBucketTagging', 's3:PutBucketTagging'])), r, { catalog, now: '2026-06-01T00:00:00Z' });
    expect(tightened.removedActions).toEqual(['s3:GetBucketAcl']);
  });

  it('a service AWS does not list among those with action data: its silent tracked actions are kept', () => {
    const r = report([service('zznewsvc', '2026-05-20T10:00:00Z', { DoThing: '2026-05-20T10:00:00Z', DropThing: undefined })]);
    const unused = findUnusedPermissions(r, { now: '2026-06-01T00:00:00Z' });
    expect(unused.unusedActions).toEqual([]);
    expect(unused.findings.find((f) => f.permission === 'zznewsvc:DropThing')?.reason).toMatch(/does not name zznewsvc, so when IAM began tracking it is unknown/);
  });

  it('use is use whatever the tracking start: an unlisted action used inside the window makes its service used', () => {
    const r = report([service('s3', '2025-01-01T00:00:00Z', { GetBucketTagging: '2026-05-20T10:00:00Z', GetBucketAcl: undefined })]);
    const unused = findUnusedPermissions(r, { now: '2026-06-01T00:00:00Z' });
    expect(unused.unusedServices).toEqual([]);
    expect(unused.usedActions).toEqual(['s3:GetBucketTagging']);
    expect(unused.unusedActions).toEqual(['s3:GetBucketAcl']);
  });
});

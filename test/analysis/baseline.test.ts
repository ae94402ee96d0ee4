import {
  acceptIntoBaseline,
  checkDrift,
  findUnusedPermissions,
  formatBaseline,
  formatViolationsTable,
  parseBaseline,
  type Baseline,
} from '../../src/analysis';
import { NOW, OLD, RECENT, report, ROLE_ARN, service } from './fixtures';

const ACCEPTED_AT = new Date('2026-05-01T00:00:00Z');
const unusedOf = (services: Parameters<typeof report>[0], overrides = {}) => findUnusedPermissions(report(services, overrides), { now: NOW });

describe('baseline ratchet', () => {
  const day1 = unusedOf([service('ec2'), service('s3', RECENT, { PutBucketPolicy: undefined, GetBucketPolicy: RECENT })]);
  const baseline = acceptIntoBaseline(undefined, ROLE_ARN, day1, ACCEPTED_AT);

  it('accepting writes the current unused permissions, sorted, with the time', () => {
    expect(baseline).toEqual({ schemaVersion: 1, principals: { [ROLE_ARN]: { unused: ['ec2', 's3:PutBucketPolicy'], acceptedAt: '2026-05-01T00:00:00.000Z' } } });
  });

  it('passes when nothing new is unused, and fails only on the new permission', () => {
    expect(checkDrift(ROLE_ARN, day1, baseline)).toEqual({ principalArn: ROLE_ARN, newUnused: [], acceptedUnused: ['ec2', 's3:PutBucketPolicy'], resolved: [], passed: true });
    const day2 = unusedOf([service('ec2'), service('sqs', OLD), service('s3', RECENT, { PutBucketPolicy: undefined, GetBucketPolicy: RECENT })]);
    expect(checkDrift(ROLE_ARN, day2, baseline)).toEqual({ principalArn: ROLE_ARN, newUnused: ['sqs'], acceptedUnused: ['ec2', 's3:PutBucketPolicy'], resolved: [], passed: false });
  });

  it('reports baseline entries that are no longer unused as resolved', () => {
    const day3 = unusedOf([service('ec2', RECENT), service('s3', RECENT, { PutBucketPolicy: undefined })]);
    expect(checkDrift(ROLE_ARN, day3, baseline)).toMatchObject({ newUnused: [], resolved: ['ec2'], passed: true });
  });

  it('a baselined service covers its actions when it becomes partly used', () => {
    const partly = unusedOf([service('ec2', RECENT, { RunInstances: undefined, DescribeInstances: RECENT }), service('s3', RECENT, { PutBucketPolicy: undefined })]);
    expect(checkDrift(ROLE_ARN, partly, baseline)).toMatchObject({ newUnused: [], acceptedUnused: ['ec2:RunInstances', 's3:PutBucketPolicy'], resolved: [], passed: true });
  });

  it('without a baseline every unused permission is new; other principals are untouched', () => {
    expect(checkDrift(ROLE_ARN, day1, undefined)).toMatchObject({ newUnused: ['ec2', 's3:PutBucketPolicy'], passed: false });
    const other = 'arn:aws:iam::123456789012:role/other';
    const both = acceptIntoBaseline(baseline, other, unusedOf([service('sns')]), ACCEPTED_AT);
    expect(Object.keys(both.principals)).toEqual([ROLE_ARN, other]);
    expect(both.principals[ROLE_ARN]).toEqual(baseline.principals[ROLE_ARN]);
  });

  it('with insufficient evidence nothing is new, nothing resolved, and accepting keeps the old entry', () => {
    const stale = unusedOf([service('ec2', RECENT)], { jobCompletionDate: '2026-01-01T00:00:00Z' });
    expect(checkDrift(ROLE_ARN, stale, baseline)).toMatchObject({ newUnused: [], resolved: [], passed: true });
    expect(acceptIntoBaseline(baseline, ROLE_ARN, stale, new Date(NOW))).toEqual(baseline);
  });

  it('round-trips through the file format', () => {
    const text = formatBaseline(baseline);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseBaseline(text, 'access-advisor-baseline.json')).toEqual(baseline);
  });

  it.each([
    ['{', '(file)'],
    ['[]', '(file): []'],
    ['{"schemaVersion":2,"principals":{}}', 'schemaVersion: 2'],
    ['{"schemaVersion":1}', 'principals: undefined'],
    ['{"schemaVersion":1,"principals":{"role/x":{"unused":[],"acceptedAt":"2026-01-01T00:00:00Z"}}}', 'principals["role/x"]: "role/x"'],
    [`{"schemaVersion":1,"principals":{"${ROLE_ARN}":{"unused":"s3","acceptedAt":"2026-01-01T00:00:00Z"}}}`, `principals["${ROLE_ARN}"].unused: "s3"`],
    [`{"schemaVersion":1,"principals":{"${ROLE_ARN}":{"unused":["s3 x"],"acceptedAt":"2026-01-01T00:00:00Z"}}}`, `principals["${ROLE_ARN}"].unused[0]: "s3 x"`],
    [`{"schemaVersion":1,"principals":{"${ROLE_ARN}":{"unused":[],"acceptedAt":"soon"}}}`, `principals["${ROLE_ARN}"].acceptedAt: "soon"`],
  ])('parseBaseline rejects %s naming file and field', (text, message) => {
    expect(() => parseBaseline(text, 'ci/baseline.json')).toThrow(`ci/baseline.json: ${message}`);
  });
});

describe('formatViolationsTable', () => {
  it('lists violations with last use and why, then exceptions with reasons', () => {
    const unused = findUnusedPermissions(report([service('ec2'), service('sqs', OLD), service('sns')]), {
      now: NOW,
      allow: [{ permission: 'sns', reason: 'paging fallback' }],
    });
    const lines = formatViolationsTable(unused).split('\n');
    expect(lines[0]).toContain(`${ROLE_ARN} (window 90 days`);
    expect(lines[0]).toContain('2 unused service(s)');
    expect(lines[1]).toMatch(/^SERVICE\s+LAST USED\s+UNUSED\s+WHY$/);
    expect(lines[2]).toMatch(/^ec2\s+never\s+whole service\s+ec2 \(Service ec2\) has no authenticated use/);
    expect(lines[3]).toMatch(new RegExp(`^sqs\\s+${OLD}\\s+whole service\\s+sqs \\(Service sqs\\) last used`));
    expect(lines[4]).toBe('accepted exceptions (1):');
    expect(lines[6]).toMatch(/^sns\s+never\s+allowed by exception sns: paging fallback/);
    expect(lines).toHaveLength(7);
  });

  it('says when there is nothing to flag, and why', () => {
    expect(formatViolationsTable(findUnusedPermissions(report([service('s3', RECENT)]), { now: NOW }))).toContain('no unused permissions');
    const young = findUnusedPermissions(report([service('ec2')], { principalCreateDate: '2026-05-30T00:00:00Z' }), { now: NOW });
    expect(formatViolationsTable(young)).toContain('nothing flagged — insufficient history');
  });
});

export type { Baseline };

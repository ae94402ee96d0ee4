import { findUnusedPermissions, tightenPolicy } from '../../src';
import { judgeReport } from '../../src/analysis/gate';
import { NOW, OLD, RECENT, report, service } from './fixtures';

// Reports handed to the library (a stored report, another tool's output) that do not add up. Each one, read as it
// stood, made a used service look unused or kept an old report fresh. None of them may flag anything.
const at = { now: NOW };

describe('a report that does not add up is no evidence', () => {
  it('a service listed twice in different case: the unused "S3" row would hide the used "s3" row', () => {
    const twice = report([service('s3', RECENT), service('ec2'), { ...service('S3'), serviceNamespace: 'S3' }]);
    expect(() => findUnusedPermissions(twice, at)).toThrow(/servicesLastAccessed\[2\]\.serviceNamespace: "S3" is not allowed; expected each service once \(case-insensitively\); servicesLastAccessed\[0\] lists it already/);
    expect(() => judgeReport(twice, at)).toThrow(/each service once/);
  });

  it('a tracked action listed twice in different case: the unused row would hide the used one', () => {
    const s3 = service('s3', RECENT, { GetObject: RECENT, DeleteBucket: undefined });
    const twice = report([{ ...s3, trackedActionsLastAccessed: [...s3.trackedActionsLastAccessed!, { actionName: 'getobject' }] }]);
    expect(() => findUnusedPermissions(twice, at)).toThrow(/trackedActionsLastAccessed\[2\]\.actionName: "getobject" is not allowed; expected each tracked action once/);
  });

  it('a job that completed before it was created', () => {
    const backwards = report([service('ec2')], { jobCreationDate: '2026-05-31T00:00:00Z', jobCompletionDate: '2026-05-30T00:00:00Z' });
    expect(() => findUnusedPermissions(backwards, at)).toThrow(/jobCompletionDate: "2026-05-30T00:00:00Z" is not allowed; expected a date not before jobCreationDate/);
  });

  it('a report completed in the future never ages: stale, nothing flagged, the gate does not pass', () => {
    const future = report([service('ec2'), service('sqs', OLD)], { jobCreationDate: '2099-01-01T00:00:00Z', jobCompletionDate: '2099-01-01T00:01:00Z' });
    const verdict = judgeReport(future, at);
    expect(verdict.status).toBe('stale-evidence');
    expect(verdict.statusReason).toMatch(/from the future/);
    expect(verdict.unused.unusedServices).toEqual([]);
    expect(verdict.passed).toBe(false);
    // Within the clock-skew tolerance it is current evidence.
    const skewed = report([service('ec2')], { jobCompletionDate: new Date(Date.parse(NOW) + 60_000).toISOString() });
    expect(judgeReport(skewed, at).status).toBe('sufficient');
  });

  it('a report completed before the principal was created describes an earlier principal of that name', () => {
    // Window 1 day, age limit 30: the creation date alone does not make the history too short.
    const earlier = report([service('ec2'), service('sqs', OLD)], { jobCompletionDate: '2026-05-20T00:00:00Z', principalCreateDate: '2026-05-25T00:00:00Z' });
    const verdict = judgeReport(earlier, { ...at, unusedAfterDays: 1, maxReportAgeDays: 30 });
    expect(verdict.status).toBe('stale-evidence');
    expect(verdict.statusReason).toMatch(/before .* was created/);
    expect(verdict.violations).toEqual([]);
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: ['ec2:*', 'sqs:*'], Resource: '*' }] };
    expect(tightenPolicy(policy, earlier, { ...at, unusedAfterDays: 1, maxReportAgeDays: 30 }).removedServices).toEqual([]);
  });
});

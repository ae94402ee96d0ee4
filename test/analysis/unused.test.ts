import { findUnusedPermissions, type FindingKind, type UnusedPermissionsOptions } from '../../src/analysis';
import type { ServiceLastAccessedReport } from '../../src/model/report';
import { NOW, OLD, RECENT, report, service } from './fixtures';

interface Case {
  name: string;
  report: ServiceLastAccessedReport;
  options?: UnusedPermissionsOptions;
  status: string;
  unusedServices: string[];
  unusedActions: string[];
  usedServices: string[];
  usedActions: string[];
  /** Findings expected among the result: [kind, permission, text the reason must contain]. */
  findings?: [FindingKind, string, string][];
}

const cases: Case[] = [
  {
    name: 'a service without lastAuthenticated is unused',
    report: report([service('s3', RECENT), service('ec2')]),
    status: 'sufficient',
    unusedServices: ['ec2'],
    unusedActions: [],
    usedServices: ['s3'],
    usedActions: [],
    findings: [
      ['unused-service', 'ec2', 'no authenticated use'],
      ['used-service', 's3', RECENT],
    ],
  },
  {
    name: 'a service last used before the window is unused, with its date',
    report: report([service('s3', OLD)]),
    status: 'sufficient',
    unusedServices: ['s3'],
    unusedActions: [],
    usedServices: [],
    usedActions: [],
    findings: [['unused-service', 's3', `last used ${OLD}, before the 90-day window starting 2026-03-03T00:00:00.000Z`]],
  },
  {
    name: 'a wider window keeps the same service',
    report: report([service('s3', OLD)]),
    options: { unusedAfterDays: 200 },
    status: 'sufficient',
    unusedServices: [],
    unusedActions: [],
    usedServices: ['s3'],
    usedActions: [],
  },
  {
    name: 'ACTION_LEVEL: unused tracked actions of a used service',
    report: report([service('s3', RECENT, { GetBucketPolicy: RECENT, PutBucketPolicy: undefined, DeleteBucket: OLD })]),
    status: 'sufficient',
    unusedServices: [],
    unusedActions: ['s3:DeleteBucket', 's3:PutBucketPolicy'],
    usedServices: ['s3'],
    usedActions: ['s3:GetBucketPolicy'],
    findings: [
      ['unused-action', 's3:PutBucketPolicy', 'never used'],
      ['unused-action', 's3:DeleteBucket', `last used ${OLD}`],
      ['used-action', 's3:GetBucketPolicy', RECENT],
      ['unknown-action', 's3:*', 'does not track'],
    ],
  },
  {
    name: 'iam:PassRole is never flagged, even when listed as tracked and unused',
    report: report([service('iam', RECENT, { CreateUser: RECENT, PassRole: undefined })]),
    status: 'sufficient',
    unusedServices: [],
    unusedActions: [],
    usedServices: ['iam'],
    usedActions: ['iam:CreateUser'],
    findings: [['never-reported', 'iam:PassRole', 'never reported']],
  },
  {
    name: 'an unused iam service is flagged but says PassRole is kept',
    report: report([service('iam')]),
    status: 'sufficient',
    unusedServices: ['iam'],
    unusedActions: [],
    usedServices: [],
    usedActions: [],
    findings: [
      ['unused-service', 'iam', 'iam:PassRole is kept'],
      ['never-reported', 'iam:PassRole', 'always kept'],
    ],
  },
  {
    name: 'a principal younger than the window has insufficient history',
    report: report([service('s3', RECENT), service('ec2')], { principalCreateDate: '2026-04-01T00:00:00Z' }),
    status: 'insufficient-history',
    unusedServices: [],
    unusedActions: [],
    usedServices: ['s3'],
    usedActions: [],
  },
  {
    name: 'a report older than maxReportAgeDays is stale evidence',
    report: report([service('ec2')], { jobCompletionDate: '2026-05-20T00:00:00Z' }),
    status: 'stale-evidence',
    unusedServices: [],
    unusedActions: [],
    usedServices: [],
    usedActions: [],
  },
  {
    name: 'a longer freshness limit accepts the same report',
    report: report([service('ec2')], { jobCompletionDate: '2026-05-20T00:00:00Z' }),
    options: { maxReportAgeDays: 30 },
    status: 'sufficient',
    unusedServices: ['ec2'],
    unusedActions: [],
    usedServices: [],
    usedActions: [],
  },
  {
    name: 'exceptions: a whole service and a tracked action, each with its reason',
    report: report([service('ec2'), service('lambda'), service('s3', RECENT, { PutBucketPolicy: undefined, DeleteBucket: undefined })]),
    options: { allow: [{ permission: 'ec2', reason: 'disaster recovery runbook' }, { permission: 's3:Put*', reason: 'quarterly rotation' }] },
    status: 'sufficient',
    unusedServices: ['lambda'],
    unusedActions: ['s3:DeleteBucket'],
    usedServices: ['s3'],
    usedActions: [],
    findings: [
      ['allowed-by-exception', 'ec2', 'disaster recovery runbook'],
      ['allowed-by-exception', 's3:PutBucketPolicy', 'quarterly rotation'],
    ],
  },
  {
    name: 'an action-pattern exception does not exempt a whole unused service',
    report: report([service('s3')]),
    options: { allow: [{ permission: 's3:GetObject', reason: 'read by a batch job yearly' }] },
    status: 'sufficient',
    unusedServices: ['s3'],
    unusedActions: [],
    usedServices: [],
    usedActions: [],
    findings: [['unused-service', 's3', 'actions named by an exception are kept']],
  },
  {
    name: 'reports of managed policies work the same (entity = the policy ARN)',
    report: report([service('sqs', RECENT), service('sns')], { arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', principalCreateDate: '2015-02-06T18:39:48Z' }),
    status: 'sufficient',
    unusedServices: ['sns'],
    unusedActions: [],
    usedServices: ['sqs'],
    usedActions: [],
  },
];

describe('findUnusedPermissions', () => {
  it.each(cases)('$name', (c) => {
    const result = findUnusedPermissions(c.report, { now: NOW, ...c.options });
    expect(result.status).toBe(c.status);
    expect(result.unusedServices).toEqual(c.unusedServices);
    expect(result.unusedActions).toEqual(c.unusedActions);
    expect(result.usedServices).toEqual(c.usedServices);
    expect(result.usedActions).toEqual(c.usedActions);
    expect(result.principalArn).toBe(c.report.arn);
    for (const [kind, permission, text] of c.findings ?? []) {
      const finding = result.findings.find((f) => f.kind === kind && f.permission === permission);
      expect(finding).toBeDefined();
      expect(finding!.reason).toContain(text);
    }
    // Every finding says why.
    for (const f of result.findings) expect(f.reason.length).toBeGreaterThan(20);
    if (c.status !== 'sufficient') {
      expect(result.statusReason).toContain(c.status === 'stale-evidence' ? 'stale evidence' : 'insufficient history');
      expect(result.findings.filter((f) => f.kind === 'unused-service' || f.kind === 'unused-action')).toEqual([]);
    }
  });

  it('defaults to a 90-day window and the current time', () => {
    const fresh = report([service('s3', new Date(Date.now() - 89 * 86_400_000).toISOString()), service('ec2', new Date(Date.now() - 91 * 86_400_000).toISOString())], {
      jobCompletionDate: new Date().toISOString(),
    });
    const result = findUnusedPermissions(fresh);
    expect(result.unusedAfterDays).toBe(90);
    expect(result.unusedServices).toEqual(['ec2']);
  });

  it.each([
    [{ unusedAfterDays: 0 }, 'unusedAfterDays: 0'],
    [{ now: 'yesterday' }, 'now: "yesterday"'],
    [{ allow: [{ permission: 's3', reason: ' ' }] }, 'allow[0].reason'],
    [{ allow: [{ permission: 's3::x', reason: 'r' }] }, 'allow[0].permission: "s3::x"'],
  ] as [UnusedPermissionsOptions, string][])('rejects bad options %j naming the field', (options, message) => {
    expect(() => findUnusedPermissions(report([service('s3')]), { now: NOW, ...options })).toThrow(message);
  });

  it('rejects a malformed date in the report naming the field', () => {
    expect(() => findUnusedPermissions(report([service('s3', 'not a date')]), { now: NOW })).toThrow('servicesLastAccessed[s3].lastAuthenticated');
  });
});

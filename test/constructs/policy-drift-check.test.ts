import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acceptIntoBaseline, findUnusedPermissions, formatBaseline } from '../../src/analysis';
import { IamRolePoliciesExclusive } from '@cdktf/provider-aws/lib/iam-role-policies-exclusive';
import { IamRolePolicyAttachmentsExclusive } from '@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { PolicyDriftCheck } from '../../src/constructs/policy-drift-check';
import { Testing } from '../default-core';
import { annotationsOf, cachedReport, stackWithCachedReports } from '../analysis/construct-fixtures';
import { allow, doc, OLD, RECENT, report, ROLE_ARN, service } from '../analysis/fixtures';

const yesterday = report([service('s3', RECENT), service('ec2')]);
const today = report([service('s3', RECENT), service('ec2'), service('sqs', OLD), service('sns')]);
/** The baseline accepted yesterday: ec2 was already unused. */
const acceptedYesterday = acceptIntoBaseline(undefined, ROLE_ARN, findUnusedPermissions(yesterday, { now: yesterday.jobCompletionDate }), new Date('2026-05-31T00:00:00Z'));

describe('PolicyDriftCheck', () => {
  it('fails only on new unused permissions and gives the accept command', () => {
    const { stack, dir } = stackWithCachedReports([today]);
    writeFileSync(join(dir, 'access-baseline.json'), formatBaseline(acceptedYesterday));
    const check = new PolicyDriftCheck(stack, 'drift', { report: cachedReport(stack, 'report', today), baseline: 'access-baseline.json' });
    expect(check.drift).toEqual({ principalArn: ROLE_ARN, newUnused: ['sns', 'sqs'], acceptedUnused: ['ec2'], resolved: [], passed: false });
    expect(check.baselineFile).toBe(join(dir, 'access-baseline.json'));
    const errors = annotationsOf(check).filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('2 new unused permission(s) of arn:aws:iam::123456789012:role/app');
    // The fixture is moved to today (its dates keep their distances): 151 days before the report's "now".
    expect(errors[0]!.message).toMatch(/^ {2}sqs: sqs \(Service sqs\) last used \S+, before the 90-day window/m);
    expect(errors[0]!.message).toContain(
      `access-advisor gate --arn ${ROLE_ARN} --granularity SERVICE_LEVEL --unused-after-days 90 --baseline ${join(dir, 'access-baseline.json')} --accept`,
    );
    expect(() => Testing.fullSynth(stack)).toThrow();
  });

  it('passes once the current state is accepted, and reports entries that can leave the baseline', () => {
    const { stack, dir } = stackWithCachedReports([today]);
    const accepted = acceptIntoBaseline(
      { schemaVersion: 1, principals: { [ROLE_ARN]: { unused: ['ec2', 'lambda', 'sns', 'sqs'], acceptedAt: '2026-05-01T00:00:00Z' } } },
      'arn:aws:iam::123456789012:role/other',
      findUnusedPermissions(report([service('kms')], { arn: 'arn:aws:iam::123456789012:role/other' }), { now: today.jobCompletionDate }),
    );
    writeFileSync(join(dir, 'access-baseline.json'), formatBaseline(accepted));
    const check = new PolicyDriftCheck(stack, 'drift', { report: cachedReport(stack, 'report', today), baseline: 'access-baseline.json' });
    expect(check.passed).toBe(true);
    expect(check.drift!.resolved).toEqual(['lambda']);
    expect(annotationsOf(check).map((a) => a.level)).toEqual(['info']);
    expect(annotationsOf(check)[0]!.message).toContain('the baseline can shrink: lambda');
    expect(() => Testing.fullSynth(stack)).not.toThrow();
  });

  it('a missing baseline file makes every unused permission new', () => {
    const { stack } = stackWithCachedReports([today]);
    const check = new PolicyDriftCheck(stack, 'drift', { report: cachedReport(stack, 'report', today), baseline: 'not-there.json' });
    expect(check.drift!.newUnused).toEqual(['ec2', 'sns', 'sqs']);
  });

  it('with a policy, judges only the permissions that policy grants (the role, named by ARN, pinned to it)', () => {
    const { stack } = stackWithCachedReports([today]);
    new AwsProvider(stack, 'aws', { region: 'us-east-1', allowedAccountIds: ['123456789012'] });
    new IamRolePolicyAttachmentsExclusive(stack, 'managed_set', { roleName: 'app', policyArns: [] });
    new IamRolePoliciesExclusive(stack, 'inline_set', { roleName: 'app', policyNames: [] });
    const check = new PolicyDriftCheck(stack, 'drift', {
      report: cachedReport(stack, 'report', today),
      baseline: acceptedYesterday,
      policy: doc(allow(['s3:GetObject', 'ec2:DescribeInstances', 'sqs:SendMessage'], 'arn:aws:sqs:us-east-1:123456789012:jobs')),
    });
    expect(check.drift).toMatchObject({ newUnused: ['sqs'], acceptedUnused: ['ec2'] });
  });

  it('is evaluated at synth and lists at most 25 new unused permissions, with a count of the rest', () => {
    const wide = report(Array.from({ length: 40 }, (_, i) => service(`svc${String(i).padStart(2, '0')}`)));
    const { stack } = stackWithCachedReports([wide]);
    const check = new PolicyDriftCheck(stack, 'drift', { report: cachedReport(stack, 'report', wide), baseline: 'not-there.json' });
    expect(annotationsOf(check)).toEqual([]);
    expect(() => Testing.fullSynth(stack)).toThrow(/40 new unused permission/);
    const [error] = annotationsOf(check).filter((a) => a.level === 'error');
    expect(error!.message).toContain('  svc24: ');
    expect(error!.message).not.toContain('  svc25: ');
    expect(error!.message).toContain('… and 15 more (the full list is in drift.newUnused)');
    expect(check.drift!.newUnused).toHaveLength(40);
  });

  it('a corrupt baseline fails with the file and field', () => {
    const { stack, dir } = stackWithCachedReports([today]);
    writeFileSync(join(dir, 'access-baseline.json'), JSON.stringify({ schemaVersion: 7, principals: {} }));
    expect(() => new PolicyDriftCheck(stack, 'drift', { report: cachedReport(stack, 'report', today), baseline: 'access-baseline.json' })).toThrow(
      `${join(dir, 'access-baseline.json')}: schemaVersion: 7 is not allowed`,
    );
    expect(readFileSync(join(dir, 'access-baseline.json'), 'utf8')).toContain('"schemaVersion":7');
  });
});

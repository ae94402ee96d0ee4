import { LeastPrivilegeGate } from '../../src/constructs/least-privilege-gate';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { Testing, TerraformStack } from '../../src/constructs/cdk-core';
import { annotationsOf, cachedReport, stackWithCachedReports } from '../analysis/construct-fixtures';
import { OLD, RECENT, report, service } from '../analysis/fixtures';

const appRole = report([service('s3', RECENT), service('ec2'), service('sqs', OLD)]);

describe('LeastPrivilegeGate (synth-time report)', () => {
  it('fails synth with a table of violations and lists accepted exceptions with reasons', () => {
    const { stack } = stackWithCachedReports([appRole]);
    const gate = new LeastPrivilegeGate(stack, 'gate', {
      report: cachedReport(stack, 'report', appRole),
      allow: [{ permission: 'sqs', reason: 'dead-letter redrive, quarterly' }],
    });
    expect(gate.passed).toBe(false);
    expect(gate.violations.map((v) => v.permission)).toEqual(['ec2']);
    const errors = annotationsOf(gate).filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/1 unused permission\(s\) of arn:aws:iam::123456789012:role\/app/);
    expect(errors[0]!.message).toMatch(/^ec2\s+never\s+ec2 \(Service ec2\) has no authenticated use/m);
    expect(errors[0]!.message).toContain('accepted exceptions (1)');
    expect(errors[0]!.message).toContain('dead-letter redrive, quarterly');
    expect(() => Testing.fullSynth(stack)).toThrow(/error annotations|ec2/);
  });

  it('passes (and full synth succeeds) when every unused permission is excepted', () => {
    const { stack } = stackWithCachedReports([appRole]);
    const gate = new LeastPrivilegeGate(stack, 'gate', {
      report: cachedReport(stack, 'report', appRole),
      allow: [
        { permission: 'sqs', reason: 'redrive' },
        { permission: 'ec2', reason: 'break-glass' },
      ],
    });
    expect(gate.passed).toBe(true);
    expect(gate.violations).toEqual([]);
    expect(annotationsOf(gate).filter((a) => a.level === 'error')).toEqual([]);
    expect(() => Testing.fullSynth(stack)).not.toThrow();
  });

  it("failOn 'warning' warns instead of failing", () => {
    const { stack } = stackWithCachedReports([appRole]);
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: cachedReport(stack, 'report', appRole), failOn: 'warning' });
    expect(gate.violations.map((v) => v.permission)).toEqual(['ec2', 'sqs']);
    expect(annotationsOf(gate).map((a) => a.level)).toEqual(['warn']);
    expect(() => Testing.fullSynth(stack)).not.toThrow();
  });

  it('a wider window turns an old use into a pass', () => {
    const { stack } = stackWithCachedReports([appRole]);
    const gate = new LeastPrivilegeGate(stack, 'gate', {
      report: cachedReport(stack, 'report', appRole),
      unusedAfterDays: 400,
      allow: [{ permission: 'ec2', reason: 'break-glass' }],
    });
    expect(gate.passed).toBe(true);
  });

  it('insufficient history passes and says why', () => {
    const young = report([service('ec2')], { principalCreateDate: '2026-05-01T00:00:00Z' });
    const { stack } = stackWithCachedReports([young]);
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: cachedReport(stack, 'report', young) });
    expect(gate.passed).toBe(true);
    expect(annotationsOf(gate)[0]!.message).toContain('insufficient history');
  });

  it('rejects a bad failOn naming the value', () => {
    const { stack } = stackWithCachedReports([appRole]);
    expect(() => new LeastPrivilegeGate(stack, 'gate', { report: cachedReport(stack, 'report', appRole), failOn: 'fatal' as never })).toThrow(
      `failOn: "fatal" is not allowed`,
    );
  });
});

describe('LeastPrivilegeGate (plan-time report)', () => {
  it('sets the window and exceptions on the external query and adds the postcondition', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'stack');
    const planReport = new ServiceLastAccessedReport(stack, 'report', { arn: 'arn:aws:iam::123456789012:role/app', resolveAt: 'plan', granularity: 'ACTION_LEVEL' });
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: planReport, unusedAfterDays: 30, allow: [{ permission: 's3:GetObject', reason: 'nightly export' }] });
    const synthesized = JSON.parse(Testing.synth(stack));
    const blocks = Object.values(synthesized.data.external) as { query: Record<string, string>; lifecycle?: { postcondition: { condition: string; error_message: string }[] } }[];
    expect(blocks).toHaveLength(1);
    const block = blocks[0]!;
    expect(block.query.unused_after_days).toBe('30');
    expect(JSON.parse(block.query.allow!)).toEqual([{ permission: 's3:GetObject', reason: 'nightly export' }]);
    expect(block.lifecycle!.postcondition).toHaveLength(1);
    expect(block.lifecycle!.postcondition[0]!.condition).toBe('${self.result["violation_count"] == "0"}');
    expect(block.lifecycle!.postcondition[0]!.error_message).toContain('${self.result["summary"]}');
    expect(gate.planViolationCount).toMatch(/TfToken|\$\{/);
    expect(() => gate.violations).toThrow('plan-time violations are known only to Terraform');
  });
});

import { LeastPrivilegeGate } from '../../src/constructs/least-privilege-gate';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { Testing, TerraformStack } from '../default-core';
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
    expect(errors[0]!.message).toMatch(/: 1 unused service\(s\) of arn:aws:iam::123456789012:role\/app/);
    expect(errors[0]!.message).toMatch(/^ec2\s+never\s+whole service\s+ec2 \(Service ec2\) has no authenticated use/m);
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

  it('is evaluated at synth, not in its constructor: Testing.synth leaves the error annotation in the metadata', () => {
    const { stack } = stackWithCachedReports([appRole]);
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: cachedReport(stack, 'report', appRole) });
    expect(annotationsOf(gate)).toEqual([]);
    Testing.synth(stack);
    const errors = annotationsOf(gate).filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('2 unused service(s) of arn:aws:iam::123456789012:role/app');
    Testing.synth(stack); // evaluated once: a second synth adds nothing
    expect(annotationsOf(gate).filter((a) => a.level === 'error')).toHaveLength(1);
  });

  it('an error added at synth fails Testing.fullSynth and app.synth() without any read of the gate', () => {
    const first = stackWithCachedReports([appRole]);
    new LeastPrivilegeGate(first.stack, 'gate', { report: cachedReport(first.stack, 'report', appRole) });
    expect(() => Testing.fullSynth(first.stack)).toThrow(/ec2/);

    const second = stackWithCachedReports([appRole]);
    new LeastPrivilegeGate(second.stack, 'gate', { report: cachedReport(second.stack, 'report', appRole) });
    expect(() => second.app.synth()).toThrow(/LeastPrivilegeGate stack\/gate: 2 unused service\(s\)/);
  });

  it('caps the table of a role with hundreds of unused services and points to the violations output', () => {
    const admin = report(Array.from({ length: 450 }, (_, i) => service(`svc${String(i).padStart(3, '0')}`)));
    const { stack } = stackWithCachedReports([admin]);
    const gate = new LeastPrivilegeGate(stack, 'gate', {
      report: cachedReport(stack, 'report', admin),
      failOn: 'warning',
      allow: Array.from({ length: 30 }, (_, i) => ({ permission: `svc${400 + i}`, reason: `kept ${i}` })),
    });
    Testing.synth(stack);
    const [warning] = annotationsOf(gate).filter((a) => a.level === 'warn');
    expect(gate.violations).toHaveLength(420);
    expect(warning!.message).toContain('420 unused service(s)');
    expect(warning!.message).toContain('svc024 ');
    expect(warning!.message).not.toContain('svc025 ');
    expect(warning!.message).toContain("… and 395 more (the full list is in the gate's violations and unused outputs)");
    expect(warning!.message).toContain('accepted exceptions (30)');
    expect(warning!.message).toContain('kept 24');
    expect(warning!.message).not.toContain('kept 25');
    expect(warning!.message).toContain('… and 5 more');
    expect(warning!.message.split('\n').length).toBeLessThan(70);
  });

  it('rejects a bad failOn naming the value', () => {
    const { stack } = stackWithCachedReports([appRole]);
    expect(() => new LeastPrivilegeGate(stack, 'gate', { report: cachedReport(stack, 'report', appRole), failOn: 'fatal' as never })).toThrow(
      `failOn: "fatal" is not allowed`,
    );
  });
});

describe('LeastPrivilegeGate (plan-time report on the external fallback)', () => {
  it('sets the window and exceptions on the external query and adds the postcondition', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'stack');
    const planReport = new ServiceLastAccessedReport(stack, 'report', { arn: 'arn:aws:iam::123456789012:role/app', resolveAt: 'plan', planTimeSource: 'external', granularity: 'ACTION_LEVEL' });
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: planReport, unusedAfterDays: 30, allow: [{ permission: 's3:GetObject', reason: 'nightly export' }] });
    const synthesized = JSON.parse(Testing.synth(stack));
    const blocks = Object.values(synthesized.data.external) as { query: Record<string, string>; lifecycle?: { postcondition: { condition: string; error_message: string }[] } }[];
    expect(blocks).toHaveLength(1);
    const block = blocks[0]!;
    expect(block.query.unused_after_days).toBe('30');
    expect(JSON.parse(block.query.allow!)).toEqual([{ permission: 's3:GetObject', reason: 'nightly export' }]);
    expect(block.lifecycle!.postcondition).toHaveLength(1);
    expect(block.lifecycle!.postcondition[0]!.condition).toBe('${self.result["violation_count"] == "0" && self.result["passed"] == "true"}');
    expect(block.lifecycle!.postcondition[0]!.error_message).toContain('${self.result["summary"]}');
    expect(gate.planViolationCount).toMatch(/TfToken|\$\{/);
    expect(() => gate.violations).toThrow('plan-time violations are known only to Terraform');
  });
});

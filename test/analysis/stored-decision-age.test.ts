import { decisionAgedAt, evidenceCanPass, gateVerdict, verdictOf } from '../../src/analysis/gate';
import { findUnusedPermissions } from '../../src/analysis';
import type { UnusedPermissions } from '../../src/analysis/types';
import { NOW, OLD, RECENT, report, service } from './fixtures';

/**
 * A decision taken earlier and read back later (a sweep's stored result, joined by `sweep merge`) is judged at the
 * time it is read: its report ages like any report, and a status the gate does not know is no evidence.
 */
const DAY = 86_400_000;
const at = (days: number) => new Date(Date.parse(NOW) + days * DAY);
// Completed 2026-05-31 (one day before NOW): s3 used, ec2 unused, an exception for sns.
const taken = findUnusedPermissions(report([service('s3', RECENT), service('ec2', OLD), service('sns', OLD)]), { now: NOW, allow: [{ permission: 'sns', reason: 'alarms' }] });

describe('decisionAgedAt: a stored decision as it stands when it is judged again', () => {
  it('fresh: unchanged (the same object), and its violation still fails', () => {
    expect(taken.status).toBe('sufficient');
    expect(decisionAgedAt(taken, at(3))).toBe(taken);
    expect(verdictOf(decisionAgedAt(taken, at(3))).violations.map((f) => f.permission)).toEqual(['ec2']);
  });

  it('its report older than the limit: stale evidence, nothing flagged or accepted, and the verdict fails', () => {
    const aged = decisionAgedAt(taken, at(30));
    expect(aged.status).toBe('stale-evidence');
    expect(aged.statusReason).toMatch(/completed 2026-05-31T00:00:00\.000Z, 31\.0 days before 2026-07-01T00:00:00\.000Z \(limit 5 days\)/);
    expect(aged.unusedServices).toEqual([]);
    expect(aged.findings.map((f) => f.kind)).not.toContain('unused-service');
    expect(aged.findings.map((f) => f.kind)).not.toContain('allowed-by-exception');
    expect(aged.findings.find((f) => f.kind === 'used-service')?.permission).toBe('s3');
    const verdict = verdictOf(aged);
    expect([verdict.passed, verdict.judged, verdict.violations.length]).toEqual([false, false, 0]);
    // The ratchet cannot pass it either, nor can a gate over several principals.
    expect(verdictOf(aged, { baseline: { schemaVersion: 1, principals: {} } }).passed).toBe(false);
    expect(gateVerdict([verdictOf(decisionAgedAt(taken, at(1))), verdict]).passed).toBe(false);
  });

  it('a decision with no unused permission, grown old, no longer passes', () => {
    const clean = findUnusedPermissions(report([service('s3', RECENT)]), { now: NOW });
    expect(verdictOf(clean).passed).toBe(true);
    expect(verdictOf(decisionAgedAt(clean, at(6))).passed).toBe(false);
    expect(verdictOf(decisionAgedAt(clean, at(6), 10)).passed).toBe(true);
  });

  it('a report that says it completed after the time of judging, or at no readable date: stale', () => {
    expect(decisionAgedAt(taken, at(-2)).status).toBe('stale-evidence');
    expect(decisionAgedAt(taken, at(-2)).statusReason).toContain('after 2026-05-30T00:00:00.000Z');
    for (const date of ['', 'yesterday', undefined]) {
      const edited = { ...taken, reportJobCompletionDate: date } as unknown as UnusedPermissions;
      expect(decisionAgedAt(edited, at(1)).status).toBe('stale-evidence');
    }
  });

  it('a decision already not sufficient is left as it was', () => {
    const young = findUnusedPermissions(report([service('ec2', OLD)], { principalCreateDate: '2026-05-01T00:00:00Z' }), { now: NOW });
    expect(young.status).toBe('insufficient-history');
    expect(decisionAgedAt(young, at(30))).toBe(young);
  });
});

describe('evidenceCanPass: only statuses of current evidence can pass', () => {
  it.each([
    ['sufficient', true],
    ['insufficient-history', true],
    ['unknown-history', true],
    ['stale-evidence', false],
    // A stored decision edited by hand or written by another version: no evidence of anything.
    ['SUFFICIENT', false],
    ['ok', false],
    ['', false],
  ])('%j → %s', (status, can) => {
    expect(evidenceCanPass({ status } as Pick<UnusedPermissions, 'status'>)).toBe(can);
    const clean = { ...findUnusedPermissions(report([service('s3', RECENT)]), { now: NOW }), status } as UnusedPermissions;
    expect(verdictOf(clean).passed).toBe(can);
  });
});

import { DEFAULT_UNUSED_AFTER_DAYS } from '../../src/analysis/defaults';
import {
  evidenceSupportsRemoval,
  gateVerdict,
  isAcceptedByException,
  isKeptWithoutEvidence,
  isNoLongerGranted,
  isViolation,
  judgeReport,
  newSinceBaseline,
  verdictOf,
} from '../../src/analysis/gate';
import type { Baseline, FindingKind } from '../../src/analysis/types';
import { allow, doc, NOW, OLD, RECENT, report, ROLE_ARN, service } from './fixtures';

// The one gate (src/analysis/gate.ts): each rule on its own, then the verdict they make together.
const appRole = report([service('s3', RECENT), service('ec2'), service('sqs', OLD), service('iam', RECENT)]);
const actionLevel = report([service('s3', RECENT, { GetObject: RECENT, DeleteBucket: undefined }), service('ec2')]);
const KINDS: FindingKind[] = [
  'unused-service',
  'unused-action',
  'used-service',
  'used-action',
  'unknown-action',
  'never-reported',
  'allowed-by-exception',
  'no-longer-granted',
];

describe('the rules', () => {
  it('isViolation: only unused services and unused tracked actions fail a gate', () => {
    expect(KINDS.filter((kind) => isViolation({ kind }))).toEqual(['unused-service', 'unused-action']);
  });

  it('isKeptWithoutEvidence, isAcceptedByException, isNoLongerGranted: one kind set each, none a violation', () => {
    expect(KINDS.filter((kind) => isKeptWithoutEvidence({ kind }))).toEqual(['unknown-action', 'never-reported']);
    expect(KINDS.filter((kind) => isAcceptedByException({ kind }))).toEqual(['allowed-by-exception']);
    expect(KINDS.filter((kind) => isNoLongerGranted({ kind }))).toEqual(['no-longer-granted']);
  });

  it('evidenceSupportsRemoval: only sufficient evidence', () => {
    expect(evidenceSupportsRemoval({ status: 'sufficient' })).toBe(true);
    for (const status of ['insufficient-history', 'unknown-history', 'stale-evidence'] as const) expect(evidenceSupportsRemoval({ status })).toBe(false);
  });

  it('newSinceBaseline: a baseline entry for a service covers its actions; what the baseline has no longer is resolved', () => {
    const unused = judgeReport(actionLevel, { now: NOW }).unused;
    const baseline: Baseline = { schemaVersion: 1, principals: { [ROLE_ARN]: { unused: ['s3', 'lambda'], acceptedAt: NOW } } };
    const { violations, drift } = newSinceBaseline(unused, unused.findings.filter(isViolation), { baseline });
    expect(violations.map((f) => f.permission)).toEqual(['ec2']);
    expect(drift).toMatchObject({ newUnused: ['ec2'], acceptedUnused: ['s3:DeleteBucket'], resolved: ['lambda'], passed: false });
  });
});

describe('judgeReport: evidence → verdict', () => {
  it('without policies or baseline: every unused service fails, with the default window', () => {
    const verdict = judgeReport(appRole, { now: NOW });
    expect(verdict.unused.unusedAfterDays).toBe(DEFAULT_UNUSED_AFTER_DAYS);
    expect(verdict.judged).toBe(true);
    expect(verdict.violations.map((f) => f.permission)).toEqual(['ec2', 'sqs']);
    expect(verdict.passed).toBe(false);
    expect(verdict.keptWithoutEvidence.map((f) => f.permission)).toEqual(['iam:PassRole']);
    expect(verdict.drift).toBeUndefined();
  });

  it('the window and the exceptions come from the decision', () => {
    const verdict = judgeReport(appRole, { now: NOW, unusedAfterDays: 200, allow: [{ permission: 'ec2', reason: 'break-glass' }] });
    expect(verdict.violations).toEqual([]);
    expect(verdict.accepted.map((f) => [f.permission, f.reason])).toEqual([['ec2', expect.stringContaining('break-glass')]]);
    expect(verdict.passed).toBe(true);
  });

  it('granted policies: what they no longer grant is reported, not failed', () => {
    const verdict = judgeReport(appRole, { now: NOW }, { documents: [doc(allow(['s3:*', 'sqs:SendMessage']))] });
    expect(verdict.violations.map((f) => f.permission)).toEqual(['sqs']);
    expect(verdict.noLongerGranted).toEqual(['ec2']);
  });

  it('an opaque granted policy may grant anything: every unused permission still fails', () => {
    const verdict = judgeReport(appRole, { now: NOW }, { documents: [doc(allow('s3:*'))], opaque: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] });
    expect(verdict.violations.map((f) => f.permission)).toEqual(['ec2', 'sqs']);
    expect(verdict.noLongerGranted).toEqual([]);
  });

  it('with a ratchet only what the baseline has not accepted fails; a missing baseline accepts nothing', () => {
    const baseline: Baseline = { schemaVersion: 1, principals: { [ROLE_ARN]: { unused: ['sqs'], acceptedAt: NOW } } };
    const ratcheted = judgeReport(appRole, { now: NOW, ratchet: { baseline } });
    expect(ratcheted.violations.map((f) => f.permission)).toEqual(['ec2']);
    expect(ratcheted.drift).toMatchObject({ newUnused: ['ec2'], acceptedUnused: ['sqs'] });
    expect(ratcheted.passed).toBe(false);
    const accepted: Baseline = { schemaVersion: 1, principals: { [ROLE_ARN]: { unused: ['ec2', 'sqs'], acceptedAt: NOW } } };
    expect(judgeReport(appRole, { now: NOW, ratchet: { baseline: accepted } }).passed).toBe(true);
    expect(judgeReport(appRole, { now: NOW, ratchet: { baseline: undefined } }).violations.map((f) => f.permission)).toEqual(['ec2', 'sqs']);
  });

  it('a principal younger than the window: insufficient history, nothing fails, not even with a ratchet', () => {
    const young = report([service('ec2')], { principalCreateDate: '2026-05-01T00:00:00Z' });
    for (const decision of [{ now: NOW }, { now: NOW, ratchet: { baseline: undefined } }]) {
      const verdict = judgeReport(young, decision);
      expect(verdict.status).toBe('insufficient-history');
      expect(verdict.judged).toBe(false);
      expect(verdict.violations).toEqual([]);
      expect(verdict.passed).toBe(true);
    }
  });

  it('stale evidence and unknown history flag nothing; stale evidence never passes', () => {
    expect(judgeReport(appRole, { now: '2026-09-01T00:00:00Z' })).toMatchObject({ status: 'stale-evidence', violations: [], passed: false });
    // The age is measured at ageReferenceTime (the real clock in synth), not at the window's reference time.
    expect(judgeReport(appRole, { now: NOW, ageReferenceTime: '2026-09-01T00:00:00Z' })).toMatchObject({ status: 'stale-evidence', passed: false });
    expect(judgeReport(appRole, { now: NOW, ageReferenceTime: NOW }).status).toBe('sufficient');
    const { principalCreateDate: _omitted, ...withoutDate } = appRole;
    expect(judgeReport(withoutDate, { now: NOW })).toMatchObject({ status: 'unknown-history', violations: [], passed: true });
    expect(judgeReport(withoutDate, { now: NOW, judgeUnknownHistory: true }).violations.map((f) => f.permission)).toEqual(['ec2', 'sqs']);
  });

  it('at ACTION_LEVEL an unused tracked action of a used service fails; untracked actions are kept', () => {
    const verdict = judgeReport(actionLevel, { now: NOW });
    expect(verdict.violations.map((f) => [f.kind, f.permission])).toEqual([
      ['unused-service', 'ec2'],
      ['unused-action', 's3:DeleteBucket'],
    ]);
    expect(verdict.keptWithoutEvidence.map((f) => f.permission)).toEqual(['s3:*']);
  });
});

describe('verdictOf and gateVerdict', () => {
  it('verdictOf over a stored decision gives what judgeReport gave', () => {
    const direct = judgeReport(appRole, { now: NOW });
    expect(verdictOf(direct.unused)).toEqual(direct);
  });

  it('verdictOf never fails a principal on findings its evidence cannot support', () => {
    const judged = judgeReport(appRole, { now: NOW }).unused;
    // A stored decision whose status says the evidence is stale, although unused findings remain in it.
    expect(verdictOf({ ...judged, status: 'stale-evidence' })).toMatchObject({ judged: false, violations: [], passed: false });
    expect(verdictOf({ ...judged, status: 'insufficient-history' })).toMatchObject({ judged: false, violations: [], passed: true });
  });

  it('gateVerdict passes only when every principal passed, and counts them', () => {
    const failing = judgeReport(appRole, { now: NOW });
    const passing = judgeReport(report([service('s3', RECENT)]), { now: NOW });
    const young = judgeReport(report([service('ec2')], { principalCreateDate: '2026-05-01T00:00:00Z' }), { now: NOW });
    expect(gateVerdict([passing, young]).passed).toBe(true);
    const verdict = gateVerdict([failing, passing, young]);
    expect(verdict.passed).toBe(false);
    expect(verdict.counts).toEqual({ principals: 3, passed: 2, failed: 1, notJudged: 1, violations: 2 });
    expect(gateVerdict([]).passed).toBe(true);
  });
});

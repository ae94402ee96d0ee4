import fc from 'fast-check';
import { compileIdentityPolicies } from '../../src/analysis/evaluate';
import { DEFAULT_PROTECTED_SERVICES } from '../../src/analysis/scp-protected';
import { SCP_MAX_CHARACTERS } from '../../src/analysis/scp-documents';
import { proposeServiceControlPolicy } from '../../src/analysis/scp-proposal';
import type { AccessDetail, OrganizationsAccessReport } from '../../src/model/report';

// Random organizations reports (several rows per service, missing and contradictory fields, accounts inside and
// outside the entity, times before, inside and after the window) and random options.
const DAY = 86_400_000;
const ENTITY = 'o-propertytest1/r-pt01/ou-pt01-target01';
const POOL = ['s3', 'sqs', 'sns', 'ec2', 'kms', 'lambda', 'dynamodb', 'logs', 'glue', 'athena', 'sts', 'iam', 'organizations', 'support', 'signin', 'sso', 'cloudtrail'];
const PROTECTED = new Set(DEFAULT_PROTECTED_SERVICES.map((p) => p.service));
const COMPLETED = Date.parse('2026-11-20T12:00:00.000Z');

const row = fc.record({
  service: fc.constantFrom(...POOL),
  daysAgo: fc.option(fc.integer({ min: -2, max: 500 }), { nil: undefined }),
  total: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
  where: fc.constantFrom('inside', 'outside', 'none'),
});
const scenario = fc.record({
  rows: fc.array(row, { maxLength: 40 }),
  window: fc.integer({ min: 1, max: 400 }),
  nowAfterDays: fc.double({ min: 0, max: 10, noNaN: true }),
  maxAge: fc.constantFrom(1, 5, 30),
  style: fc.constantFrom('deny-list' as const, 'allow-list' as const),
  allow: fc.subarray(['glue', 'athena:Get*', 'lambda:InvokeFunction']),
  neverDeny: fc.subarray(['ec2', 'kms']),
});

type Row = { service: string; daysAgo?: number; total?: number; where: string };

function reportOf(rows: readonly Row[]): OrganizationsAccessReport {
  const accessDetails: AccessDetail[] = rows.map((r) => ({
    serviceName: r.service.toUpperCase(),
    serviceNamespace: r.service,
    ...(r.daysAgo !== undefined ? { lastAuthenticatedTime: new Date(COMPLETED - r.daysAgo * DAY).toISOString() } : {}),
    ...(r.total !== undefined ? { totalAuthenticatedEntities: r.total } : {}),
    ...(r.where === 'inside' ? { entityPath: `${ENTITY}/111122223333` } : r.where === 'outside' ? { entityPath: 'o-propertytest1/r-pt01/444455556666' } : {}),
  }));
  return {
    schemaVersion: 1,
    kind: 'organizations-access',
    entityPath: ENTITY,
    jobId: 'job-property',
    jobStatus: 'COMPLETED',
    jobCreationDate: new Date(COMPLETED - 1000).toISOString(),
    jobCompletionDate: new Date(COMPLETED).toISOString(),
    // The counts IAM sends beside the rows (an allow-list needs them to know the listing whole).
    numberOfServicesAccessible: new Set(rows.map((r) => r.service)).size,
    numberOfServicesNotAccessed: new Set(rows.filter((r) => rows.every((o) => o.service !== r.service || o.daysAgo === undefined)).map((r) => r.service)).size,
    accessDetails,
  };
}

test('no service used within the window, protected, excepted or with doubtful rows is ever denied', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const report = reportOf(s.rows);
      const now = new Date(COMPLETED + s.nowAfterDays * DAY);
      const cutoff = now.getTime() - s.window * DAY;
      const result = proposeServiceControlPolicy(report, {
        now,
        unusedAfterDays: s.window,
        maxReportAgeDays: s.maxAge,
        style: s.style,
        remainingSlots: 5,
        allow: s.allow.map((permission) => ({ permission, reason: 'property test' })),
        neverDeny: s.neverDeny.map((service) => ({ service, reason: 'property test' })),
      });
      if (s.style === 'allow-list' && result.documents.length === 0 && result.deniedServices.length > 0) {
        // Nothing listed stays: an allow-list cannot be written, and the proof says so.
        expect(result.proof.holds).toBe(false);
        expect(result.proof.failures.join(' ')).toMatch(/would name no service/);
        return;
      }
      const evaluator = compileIdentityPolicies(result.documents.map((d) => d.document));
      const blocked = (service: string) => {
        if (result.documents.length === 0) return false;
        const decision = evaluator.decide(`${service}:SomeAction`);
        return s.style === 'deny-list' ? decision === 'ExplicitlyDenied' : decision !== 'Allowed';
      };
      const denied = new Set(result.deniedServices.map((d) => d.service));
      const mustKeep = new Set<string>([...PROTECTED, ...s.neverDeny, ...s.allow.map((a) => a.split(':')[0]!)]);
      for (const r of s.rows) {
        const usedInWindow = r.daysAgo !== undefined && COMPLETED - r.daysAgo * DAY >= cutoff;
        const doubtful =
          (r.daysAgo === undefined && ((r.total ?? 0) > 0 || r.where !== 'none')) ||
          (r.daysAgo !== undefined && (r.total === 0 || r.where === 'outside'));
        if (usedInWindow || doubtful) mustKeep.add(r.service);
      }
      const listed = new Set(s.rows.map((r) => r.service));
      for (const service of mustKeep) {
        expect(denied.has(service)).toBe(false);
        // A service today's SCPs deny (the report does not list it) stays denied under an allow-list.
        if (s.style === 'allow-list' && !listed.has(service)) continue;
        expect(blocked(service)).toBe(false);
      }
      for (const service of denied) expect(blocked(service)).toBe(true);
      if (now.getTime() - COMPLETED > s.maxAge * DAY) {
        expect(result.status).toBe('stale-evidence');
        expect(denied.size).toBe(0);
        expect(result.documents).toEqual([]);
      }
      // every listed service is either denied or kept, once
      expect([...denied, ...result.keptServices.map((k) => k.service)].sort()).toEqual([...new Set(s.rows.map((r) => r.service))].sort());
      for (const d of result.documents) expect(d.json.length).toBeLessThanOrEqual(SCP_MAX_CHARACTERS);
      expect(result.proof.holds).toBe(true);
    }),
    { numRuns: 300, seed: 20261128 },
  );
});

test('allowed(after) ⊆ allowed(before): the documents never allow a service the current SCPs do not (the report does not list)', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const report = reportOf(s.rows);
      const result = proposeServiceControlPolicy(report, {
        now: new Date(COMPLETED + s.nowAfterDays * DAY),
        unusedAfterDays: s.window,
        maxReportAgeDays: s.maxAge,
        style: s.style,
        remainingSlots: 5,
        allow: s.allow.map((permission) => ({ permission, reason: 'property test' })),
        neverDeny: s.neverDeny.map((service) => ({ service, reason: 'property test' })),
      });
      if (result.documents.length === 0) return;
      expect(result.proof.holds).toBe(true);
      const before = new Set(s.rows.map((r) => r.service));
      const evaluator = compileIdentityPolicies(result.documents.map((d) => d.document));
      for (const service of new Set([...POOL, ...PROTECTED, 'glue', 'athena', 'bedrock'])) {
        if (!before.has(service)) expect({ service, decision: evaluator.decide(`${service}:SomeAction`) }).not.toEqual({ service, decision: 'Allowed' });
      }
      expect(result.proof.holds).toBe(true);
    }),
    { numRuns: 300, seed: 20261206 },
  );
});

test('a fractional window gives a valid IAM Sid ([A-Za-z0-9]*) in both styles', () => {
  for (const style of ['deny-list', 'allow-list'] as const) {
    const report = reportOf([
      { service: 's3', daysAgo: 1, total: 1, where: 'inside' },
      { service: 'sqs', where: 'none', total: 0 },
      { service: 'iam', where: 'none', total: 0 },
    ]);
    const result = proposeServiceControlPolicy(report, { now: new Date(COMPLETED), unusedAfterDays: 45.5, style });
    expect(result.documents.length).toBeGreaterThan(0);
    for (const d of result.documents) expect(d.sid).toMatch(/^[A-Za-z0-9]+$/);
    expect(result.documents[0]!.sid).toContain('45p5');
  }
});

test('a listing short of its own count (15 said, 14 carried) is refused, never proposed from', () => {
  const report = reportOf([
    { service: 's3', daysAgo: 1, total: 1, where: 'inside' },
    { service: 'sqs', where: 'none', total: 0 },
  ]);
  const options = { now: new Date(COMPLETED), style: 'allow-list' as const };
  expect(() => proposeServiceControlPolicy({ ...report, numberOfServicesAccessible: 3, numberOfServicesNotAccessed: 1 }, options)).toThrow(
    /numberOfServicesAccessible: 3 .*listing is incomplete/,
  );
  expect(() => proposeServiceControlPolicy({ ...report, numberOfServicesAccessible: 2, numberOfServicesNotAccessed: 2 }, options)).toThrow(/numberOfServicesNotAccessed: 2/);
  expect(proposeServiceControlPolicy({ ...report, numberOfServicesAccessible: 2, numberOfServicesNotAccessed: 1 }, options).proof.holds).toBe(true);
});

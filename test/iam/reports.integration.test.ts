import {
  listPoliciesGrantingServiceAccess,
  runOrganizationsAccessReport,
  runServiceLastAccessedReport,
  SORT_KEYS,
  type AccessDetail,
  type Granularity,
} from '../../src';
import type { RunningEmulator } from '../../src/emulator/types';
import { options, ProgressLog, startTestEmulator } from './harness';
import { ARNS, MEMBER, PATHS, SCP_FULL, SCP_NO_EC2 } from './world';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({}, 1100);
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.resetMetrics();
  emu.setJobs({ durationMs: 30 });
});

describe('service last accessed reports', () => {
  const principals: Array<[string, string, string]> = [
    ['user', ARNS.alice, 'GetUser'],
    ['group', ARNS.devs, 'GetGroup'],
    ['role', ARNS.deployer, 'GetRole'],
    ['customer managed policy', ARNS.readS3, 'GetPolicy'],
    ['AWS-managed policy', ARNS.readOnly, 'GetPolicy'],
  ];
  const granularities: Granularity[] = ['SERVICE_LEVEL', 'ACTION_LEVEL'];

  for (const [label, arn, createDateCall] of principals) {
    for (const granularity of granularities) {
      it(`${label} at ${granularity}: one generate, polls and pages, normalized`, async () => {
        const log = new ProgressLog();
        const report = await runServiceLastAccessedReport({ arn, granularity }, options(emu, { onProgress: log.listener }));
        expect(report).toMatchObject({ schemaVersion: 1, kind: 'service-last-accessed', arn, granularity, withEntities: false, jobStatus: 'COMPLETED' });
        expect(report.jobId).toHaveLength(36);
        expect(new Date(report.jobCompletionDate).getTime()).toBeGreaterThanOrEqual(new Date(report.jobCreationDate).getTime());
        expect(report.principalCreateDate).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(report.servicesLastAccessed.length).toBeGreaterThan(0);
        for (const s of report.servicesLastAccessed) {
          expect(typeof s.serviceNamespace).toBe('string');
          if (granularity === 'SERVICE_LEVEL') expect(s.trackedActionsLastAccessed).toBeUndefined();
          if (s.lastAuthenticated) expect(s.lastAuthenticated).toBe(new Date(s.lastAuthenticated).toISOString());
          expect(s.entities).toBeUndefined();
        }
        if (granularity === 'ACTION_LEVEL') {
          expect(report.servicesLastAccessed.some((s) => (s.trackedActionsLastAccessed?.length ?? 0) > 0)).toBe(true);
        }
        expect(JSON.parse(JSON.stringify(report))).toEqual(report);
        const m = emu.metrics();
        expect(m.calls.GenerateServiceLastAccessedDetails).toBe(1);
        expect(m.calls.GetServiceLastAccessedDetails).toBe(log.polls() + log.pages() - 1);
        expect(m.calls[createDateCall]).toBe(1);
        expect(m.totalCalls).toBe(1 + log.polls() + log.pages() - 1 + 1);
        expect(log.phases()[0]).toBe('queued');
        expect(log.phases()).toContain('generating');
        expect(log.phases().at(-1)).toBe('done');
      });
    }
  }

  it('user report names the used services with time, entity and region', async () => {
    const report = await runServiceLastAccessedReport({ arn: ARNS.alice }, options(emu));
    const s3 = report.servicesLastAccessed.find((s) => s.serviceNamespace === 's3');
    expect(s3?.lastAuthenticatedEntity).toBe(ARNS.alice);
    expect(s3?.lastAuthenticatedRegion).toBe('us-east-1');
    const never = report.servicesLastAccessed.filter((s) => !s.lastAuthenticated);
    expect(never.length).toBeGreaterThan(0);
  });

  it('withEntities: one WithEntities series per namespace, entities on each service', async () => {
    const report = await runServiceLastAccessedReport({ arn: ARNS.devs, withEntities: true }, options(emu));
    expect(report.withEntities).toBe(true);
    const m = emu.metrics();
    expect(m.calls.GetServiceLastAccessedDetailsWithEntities).toBe(report.servicesLastAccessed.length);
    for (const s of report.servicesLastAccessed) expect(Array.isArray(s.entities)).toBe(true);
    const s3 = report.servicesLastAccessed.find((s) => s.serviceNamespace === 's3')!;
    expect(s3.entities!.map((e) => e.entityInfo.arn)).toEqual([ARNS.alice]);
    expect(s3.entities![0]!.entityInfo).toMatchObject({ name: 'alice', type: 'USER', path: '/engineering/' });
  });

  it('more than 1000 entities: follows Marker across pages and merges them', async () => {
    const log = new ProgressLog();
    const report = await runServiceLastAccessedReport({ arn: ARNS.big, withEntities: true }, options(emu, { onProgress: log.listener }));
    const s3 = report.servicesLastAccessed.find((s) => s.serviceNamespace === 's3')!;
    expect(s3.entities).toHaveLength(1100);
    expect(new Set(s3.entities!.map((e) => e.entityInfo.arn)).size).toBe(1100);
    const m = emu.metrics();
    // two pages (1000 + 100) for each of the policy's namespaces
    expect(m.calls.GetServiceLastAccessedDetailsWithEntities).toBe(2 * report.servicesLastAccessed.length);
  });

  it('small pages: every page of services is read and merged in order', async () => {
    emu.setJobs({ pageSize: 3 });
    try {
      const log = new ProgressLog();
      const paged = await runServiceLastAccessedReport({ arn: ARNS.admin }, options(emu, { onProgress: log.listener }));
      const n = paged.servicesLastAccessed.length;
      expect(n).toBeGreaterThan(100);
      expect(log.pages()).toBe(Math.ceil(n / 3));
      expect(emu.metrics().calls.GetServiceLastAccessedDetails).toBe(log.polls() + log.pages() - 1);
      const namespaces = paged.servicesLastAccessed.map((s) => s.serviceNamespace);
      expect(new Set(namespaces).size).toBe(n);
      emu.setJobs({ pageSize: 1000 });
      const whole = await runServiceLastAccessedReport({ arn: ARNS.admin }, options(emu));
      expect(whole.servicesLastAccessed.map((s) => s.serviceNamespace)).toEqual(namespaces);
    } finally {
      emu.setJobs({ pageSize: undefined });
    }
  });
});

describe('organizations access reports', () => {
  const targets: Array<[string, string]> = [
    ['root', PATHS.root],
    ['OU', PATHS.ou],
    ['member account', PATHS.member],
    ['management account', PATHS.management],
  ];
  for (const [label, entityPath] of targets) {
    for (const organizationsPolicyId of [undefined, SCP_FULL]) {
      it(`${label}${organizationsPolicyId ? ' with SCP id' : ''}`, async () => {
        const log = new ProgressLog();
        const report = await runOrganizationsAccessReport(
          { entityPath, ...(organizationsPolicyId ? { organizationsPolicyId } : {}) },
          options(emu, { onProgress: log.listener }),
        );
        expect(report).toMatchObject({ schemaVersion: 1, kind: 'organizations-access', entityPath, jobStatus: 'COMPLETED' });
        expect(report.organizationsPolicyId).toBe(organizationsPolicyId);
        expect(report.accessDetails.length).toBeGreaterThan(0);
        expect(report.numberOfServicesAccessible).toBe(report.accessDetails.length);
        const m = emu.metrics();
        expect(m.calls.GenerateOrganizationsAccessReport).toBe(1);
        expect(m.calls.GetOrganizationsAccessReport).toBe(log.polls() + log.pages() - 1);
        expect(m.totalCalls).toBe(1 + log.polls() + log.pages() - 1);
      });
    }
  }

  it('the SCP id narrows the services to what that SCP allows', async () => {
    const all = await runOrganizationsAccessReport({ entityPath: PATHS.root, organizationsPolicyId: SCP_FULL }, options(emu));
    const narrowed = await runOrganizationsAccessReport({ entityPath: PATHS.ou, organizationsPolicyId: SCP_NO_EC2 }, options(emu));
    expect(narrowed.accessDetails.map((d) => d.serviceNamespace).sort()).toEqual(['iam', 'lambda', 's3']);
    expect(all.accessDetails.length).toBeGreaterThan(narrowed.accessDetails.length);
    const s3 = narrowed.accessDetails.find((d) => d.serviceNamespace === 's3')!;
    expect(s3.entityPath).toBe(`${PATHS.ou}/${MEMBER}`);
  });

  const time = (d: AccessDetail) => (d.lastAuthenticatedTime ? Date.parse(d.lastAuthenticatedTime) : -Infinity);
  for (const sortKey of SORT_KEYS) {
    it(`sort key ${sortKey} is sent on every page and honoured`, async () => {
      emu.setJobs({ pageSize: 7 });
      try {
        const report = await runOrganizationsAccessReport({ entityPath: PATHS.root, sortKey }, options(emu));
        expect(report.sortKey).toBe(sortKey);
        const d = report.accessDetails;
        expect(d.length).toBeGreaterThan(14);
        for (let i = 1; i < d.length; i++) {
          const [a, b] = [d[i - 1]!, d[i]!];
          if (sortKey === 'SERVICE_NAMESPACE_ASCENDING') expect(a.serviceNamespace.localeCompare(b.serviceNamespace)).toBeLessThanOrEqual(0);
          if (sortKey === 'SERVICE_NAMESPACE_DESCENDING') expect(a.serviceNamespace.localeCompare(b.serviceNamespace)).toBeGreaterThanOrEqual(0);
          if (sortKey === 'LAST_AUTHENTICATED_TIME_ASCENDING') expect(time(a)).toBeLessThanOrEqual(time(b));
          if (sortKey === 'LAST_AUTHENTICATED_TIME_DESCENDING') expect(time(a)).toBeGreaterThanOrEqual(time(b));
        }
      } finally {
        emu.setJobs({ pageSize: undefined });
      }
    });
  }
});

describe('listPoliciesGrantingServiceAccess', () => {
  it('lists managed and inline policies per namespace', async () => {
    const result = await listPoliciesGrantingServiceAccess({ arn: ARNS.alice, serviceNamespaces: ['s3', 'ec2', 'sqs'] }, options(emu));
    expect(result).toMatchObject({ schemaVersion: 1, kind: 'policies-granting-service-access', arn: ARNS.alice });
    const byNs = new Map(result.policiesGrantingServiceAccess.map((e) => [e.serviceNamespace, e.policies]));
    expect(new Set(byNs.get('s3')!.map((p) => p.policyArn))).toEqual(new Set([ARNS.readS3, ARNS.readOnly]));
    expect(byNs.get('ec2')!.some((p) => p.policyType === 'INLINE' && p.entityType === 'USER' && p.entityName === 'alice')).toBe(true);
    expect(byNs.get('sqs') ?? []).toEqual([]);
    expect(emu.metrics().calls.ListPoliciesGrantingServiceAccess).toBe(1);
  });
});

import {
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsWithEntitiesCommand,
  ListPoliciesGrantingServiceAccessCommand,
  type GetServiceLastAccessedDetailsCommandOutput,
  type ServiceLastAccessed,
  type TrackedActionLastAccessed,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { loadActionCatalog } from '../../src/model/action-catalog';
import { MGMT, arn, client, testWorld, untilDone } from './helpers';
import TRACKED_DATA from '../../src/model/data/tracked-actions.json';

let emulator: RunningEmulator;
let iam: IAMClient;
const HOUR = 3_600_000;

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld(), jobs: { durationMs: 60 } });
  iam = client(emulator.endpoint);
});
afterAll(async () => {
  iam.destroy();
  await emulator.close();
});

async function report(target: string, granularity?: 'SERVICE_LEVEL' | 'ACTION_LEVEL') {
  const { JobId } = await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: target, Granularity: granularity }));
  const { result } = await untilDone(() => iam.send(new GetServiceLastAccessedDetailsCommand({ JobId })));
  return { jobId: JobId!, result };
}
const byNamespace = (r: GetServiceLastAccessedDetailsCommandOutput): Record<string, ServiceLastAccessed> =>
  Object.fromEntries((r.ServicesLastAccessed ?? []).map((s) => [s.ServiceNamespace, s]));
const ageHours = (d: Date | undefined) => Math.round((Date.now() - d!.getTime()) / HOUR);

describe('service last accessed reports computed from the world', () => {
  test('a role: services its policies allow, last access inside the 400-day window, iam:PassRole ignored', async () => {
    // (IN_PROGRESS before completion is checked with 60 s jobs in protocol.test.ts: a 60 ms job may finish before a
    // first poll on a busy machine.)
    const { result } = await report(arn(MGMT, 'role', 'app-deployer'));
    expect(result.JobStatus).toBe('COMPLETED');
    expect(result.JobType).toBe('SERVICE_LEVEL');
    expect(result.JobCompletionDate!.getTime()).toBeGreaterThanOrEqual(result.JobCreationDate!.getTime());
    expect(result.ServicesLastAccessed!.map((s) => s.ServiceNamespace)).toEqual(['ec2', 'iam', 'lambda', 'logs', 's3']);
    const s = byNamespace(result);
    expect(s.s3).toMatchObject({ LastAuthenticatedEntity: arn(MGMT, 'role', 'app-deployer'), LastAuthenticatedRegion: 'us-east-1', TotalAuthenticatedEntities: 1 });
    expect(ageHours(s.s3!.LastAuthenticated)).toBe(24);
    expect(s.s3!.ServiceName).toBe(loadActionCatalog().serviceName('s3'));
    // PassRole (1d ago) is not access: the last IAM access is GetRole, 3 days ago, in eu-west-1.
    expect(s.iam).toMatchObject({ LastAuthenticatedRegion: 'eu-west-1', TotalAuthenticatedEntities: 1 });
    expect(ageHours(s.iam!.LastAuthenticated)).toBe(72);
    // ec2 was used 450 days ago: outside the window, listed without LastAuthenticated.
    expect(s.ec2).toEqual({ ServiceName: expect.any(String), ServiceNamespace: 'ec2', TotalAuthenticatedEntities: 0 });
    expect(s.logs!.TotalAuthenticatedEntities).toBe(0);
    expect(s.s3!.TrackedActionsLastAccessed).toBeUndefined();
    // Minute-truncated like IAM.
    expect(s.s3!.LastAuthenticated!.getUTCSeconds()).toBe(0);
  });

  test('ACTION_LEVEL: tracked management actions of tracked services only, never iam:PassRole or data events', async () => {
    const { result } = await report(arn(MGMT, 'role', 'app-deployer'), 'ACTION_LEVEL');
    expect(result.JobType).toBe('ACTION_LEVEL');
    const s = byNamespace(result);
    const actions = (ns: string): Record<string, TrackedActionLastAccessed> => Object.fromEntries((s[ns]!.TrackedActionsLastAccessed ?? []).map((a: TrackedActionLastAccessed) => [a.ActionName, a]));
    const s3 = actions('s3');
    expect(s3.CreateBucket).toMatchObject({ LastAccessedEntity: arn(MGMT, 'role', 'app-deployer'), LastAccessedRegion: 'us-east-1' });
    expect(ageHours(s3.CreateBucket!.LastAccessedTime)).toBe(48);
    expect(s3.GetObject).toBeUndefined(); // data event: not tracked
    expect(s3.DeleteBucket).toEqual({ ActionName: 'DeleteBucket' }); // allowed, tracked, never used
    const iamActions = actions('iam');
    expect(Object.keys(iamActions).sort()).toEqual(['GetRole']);
    expect(iamActions.GetRole!.LastAccessedRegion).toBe('eu-west-1');
    expect(actions('lambda').CreateFunction!.LastAccessedRegion).toBe('us-west-2');
    expect(actions('lambda').InvokeFunction).toBeUndefined();
    // ec2 is tracked: every allowed *tracked* ec2 action is listed (the data's list, e.g. RunInstances; not
    // DescribeInstances, which IAM does not track), none with a time (the only use is out of the window).
    const ec2 = actions('ec2');
    const trackedEc2 = loadActionCatalog().actions('ec2').filter((a) => TRACKED_DATA.services.ec2!.includes(a));
    expect(Object.keys(ec2).sort()).toEqual(trackedEc2);
    expect(Object.keys(ec2).length).toBeLessThan(loadActionCatalog().actions('ec2').length);
    expect(ec2.RunInstances).toEqual({ ActionName: 'RunInstances' });
    expect(ec2.DescribeInstances).toBeUndefined();
    expect(Object.values(ec2).every((a) => a.LastAccessedTime === undefined)).toBe(true);
    // logs is tracked since 2023 too: its two allowed actions, never used.
    expect(s.logs!.TrackedActionsLastAccessed).toEqual(expect.arrayContaining([{ ActionName: expect.any(String) }]));
  });

  test('a group: its own policies (Deny does not remove s3), activity of its member users', async () => {
    const { result, jobId } = await report(arn(MGMT, 'group', 'interns'));
    expect(result.ServicesLastAccessed!.map((s) => s.ServiceNamespace)).toEqual(['cloudwatch', 's3']);
    const s3 = byNamespace(result).s3!;
    // bob's denied attempt 3 days ago is the most recent access: denied attempts count.
    expect(s3).toMatchObject({ LastAuthenticatedEntity: arn(MGMT, 'user', 'bob'), LastAuthenticatedRegion: 'eu-central-1', TotalAuthenticatedEntities: 2 });
    const entities = await iam.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: jobId, ServiceNamespace: 's3' }));
    expect(entities.JobStatus).toBe('COMPLETED');
    expect(entities.EntityDetailsList!.map((e) => e.EntityInfo!.Name)).toEqual(['bob', 'alice']); // most recent first
    expect(entities.EntityDetailsList![0]!.EntityInfo).toMatchObject({ Type: 'USER', Path: '/', Arn: arn(MGMT, 'user', 'bob') });
    expect(entities.EntityDetailsList![0]!.EntityInfo!.Id).toMatch(/^AIDA[A-Z0-9]{17}$/);
    const cw = await iam.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: jobId, ServiceNamespace: 'cloudwatch' }));
    expect(cw.EntityDetailsList!.map((e) => [e.EntityInfo!.Name, e.LastAuthenticated])).toEqual([['alice', undefined], ['bob', undefined]]);
    const none = await iam.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: jobId, ServiceNamespace: 'ec2' }));
    expect(none.EntityDetailsList).toEqual([]);
  });

  test('a user: own policies plus its groups\' policies, only its own activity', async () => {
    const { result } = await report(arn(MGMT, 'user', 'alice'));
    expect(result.ServicesLastAccessed!.map((s) => s.ServiceNamespace)).toEqual(['cloudwatch', 's3', 'sqs']);
    expect(byNamespace(result).s3).toMatchObject({ LastAuthenticatedEntity: arn(MGMT, 'user', 'alice'), TotalAuthenticatedEntities: 1 });
  });

  test('customer and AWS-managed policies: entities the policy is attached to (directly or via a group)', async () => {
    const boundary = await report(arn(MGMT, 'policy', 'intern-boundary'));
    expect(boundary.result.ServicesLastAccessed!.map((s) => s.ServiceNamespace)).toEqual(['s3']);
    const entities = await iam.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: boundary.jobId, ServiceNamespace: 's3' }));
    expect(entities.EntityDetailsList!.map((e) => e.EntityInfo!.Arn)).toEqual([arn(MGMT, 'user', 'bob'), arn(MGMT, 'user', 'alice')]);

    const admin = await report('arn:aws:iam::aws:policy/AdministratorAccess');
    expect(admin.result.ServicesLastAccessed!.length).toBe(100); // default MaxItems
    expect(admin.result.IsTruncated).toBe(true);
    const all = [...admin.result.ServicesLastAccessed!];
    for (let marker = admin.result.Marker; marker; ) {
      const page = await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: admin.jobId, Marker: marker, MaxItems: 1000 }));
      all.push(...page.ServicesLastAccessed!);
      marker = page.IsTruncated ? page.Marker : undefined;
    }
    expect(all.map((s) => s.ServiceNamespace)).toEqual([...loadActionCatalog().services()]);
    const used = all.filter((s) => s.LastAuthenticated);
    expect(used.map((s) => [s.ServiceNamespace, s.LastAuthenticatedEntity])).toEqual([['organizations', arn(MGMT, 'user', 'admin')]]);
    expect(all.every((s) => typeof s.TotalAuthenticatedEntities === 'number')).toBe(true);
  });

  test('ListPoliciesGrantingServiceAccess: a user\'s managed, inline and group policies per namespace, in request order', async () => {
    const out = await iam.send(
      new ListPoliciesGrantingServiceAccessCommand({ Arn: arn(MGMT, 'user', 'alice'), ServiceNamespaces: ['s3', 'sqs', 'cloudwatch', 'ec2'] }),
    );
    expect(out.IsTruncated).toBe(false);
    expect(out.PoliciesGrantingServiceAccess).toEqual([
      { ServiceNamespace: 's3', Policies: [{ PolicyName: 'intern-boundary', PolicyType: 'MANAGED', PolicyArn: arn(MGMT, 'policy', 'intern-boundary') }] },
      { ServiceNamespace: 'sqs', Policies: [{ PolicyName: 'own', PolicyType: 'INLINE', EntityType: 'USER', EntityName: 'alice' }] },
      { ServiceNamespace: 'cloudwatch', Policies: [{ PolicyName: 'group-extra', PolicyType: 'INLINE', EntityType: 'GROUP', EntityName: 'interns' }] },
      { ServiceNamespace: 'ec2', Policies: [] },
    ]);
    const group = await iam.send(new ListPoliciesGrantingServiceAccessCommand({ Arn: arn(MGMT, 'group', 'interns'), ServiceNamespaces: ['sqs'] }));
    expect(group.PoliciesGrantingServiceAccess).toEqual([{ ServiceNamespace: 'sqs', Policies: [] }]); // group: own only
  });

  test('reports are snapshots: a job keeps the data of its generate time', async () => {
    const clockStart = Date.now();
    let offset = 0;
    const moving = await startEmulator({ world: testWorld(), jobs: { durationMs: 0 }, now: () => new Date(clockStart + offset) });
    const c = client(moving.endpoint);
    try {
      const { JobId } = await c.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn(MGMT, 'role', 'app-deployer') }));
      offset = 400 * 86_400_000; // the clock jumps 400 days: a new report would see nothing in the window
      const again = await c.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn(MGMT, 'role', 'app-deployer') }));
      const first = await c.send(new GetServiceLastAccessedDetailsCommand({ JobId }));
      const second = await c.send(new GetServiceLastAccessedDetailsCommand({ JobId: again.JobId }));
      expect(first.ServicesLastAccessed!.filter((s) => s.LastAuthenticated).length).toBe(3);
      expect(second.ServicesLastAccessed!.filter((s) => s.LastAuthenticated).length).toBe(0);
    } finally {
      c.destroy();
      await moving.close();
    }
  });
});

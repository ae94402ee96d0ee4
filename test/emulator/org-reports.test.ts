import {
  GenerateOrganizationsAccessReportCommand,
  GetOrganizationsAccessReportCommand,
  type AccessDetail,
  type IAMClient,
  type SortKeyType,
} from '@aws-sdk/client-iam';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { loadActionCatalog } from '../../src/model/action-catalog';
import { MEMBER, MEMBER_KEY, MGMT, OTHER, client, expectAwsError, testWorld, untilDone } from './helpers';

let emulator: RunningEmulator;
let iam: IAMClient;
const ORG = 'o-4fxmplt198/r-c3xb';
const OU = `${ORG}/ou-c3xb-lmu7j2yg`;
const catalogServices = () => [...loadActionCatalog().services()];

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld(), jobs: { durationMs: 40, maxConcurrentOrgJobs: 100 } });
  iam = client(emulator.endpoint);
});
afterAll(async () => {
  iam.destroy();
  await emulator.close();
});

async function orgReport(entityPath: string, policyId?: string, sortKey?: SortKeyType) {
  const { JobId } = await iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: entityPath, OrganizationsPolicyId: policyId }));
  const { result } = await untilDone(() => iam.send(new GetOrganizationsAccessReportCommand({ JobId, SortKey: sortKey, MaxItems: 7 })));
  const details: AccessDetail[] = [...(result.AccessDetails ?? [])];
  let pages = 1;
  for (let marker = result.IsTruncated ? result.Marker : undefined; marker; pages++) {
    const page = await iam.send(new GetOrganizationsAccessReportCommand({ JobId, SortKey: sortKey, MaxItems: 7, Marker: marker }));
    details.push(...page.AccessDetails!);
    marker = page.IsTruncated ? page.Marker : undefined;
  }
  return { result, details, pages, jobId: JobId! };
}
const used = (details: AccessDetail[]) =>
  Object.fromEntries(details.filter((d) => d.LastAuthenticatedTime).map((d) => [d.ServiceNamespace, [d.EntityPath, d.Region, d.TotalAuthenticatedEntities]]));

describe('organizations access reports (reference §6)', () => {
  test('root: services the root SCPs allow, activity of every account except the management account', async () => {
    const { result, details, pages } = await orgReport(`${ORG}/`); // a trailing slash is allowed
    expect(pages).toBeGreaterThan(1);
    expect(details.map((d) => d.ServiceNamespace)).toEqual(catalogServices());
    expect(result.NumberOfServicesAccessible).toBe(catalogServices().length);
    expect(result.NumberOfServicesNotAccessed).toBe(catalogServices().length - 3);
    expect(used(details)).toEqual({
      dynamodb: [`${OU}/${MEMBER}`, 'eu-west-1', 1],
      ec2: [`${OU}/ou-c3xb-sandbox1/${OTHER}`, 'ap-south-1', 1],
      s3: [`${OU}/ou-c3xb-sandbox1/${OTHER}`, 'ap-south-1', 2], // TotalAuthenticatedEntities counts accounts
    });
    expect(details.find((d) => d.ServiceNamespace === 'organizations')).toEqual({
      ServiceName: loadActionCatalog().serviceName('organizations'),
      ServiceNamespace: 'organizations',
      TotalAuthenticatedEntities: 0,
    });
  });

  test('OU: SCPs on the OU and its parents (intersection), accounts of the subtree', async () => {
    const { result, details } = await orgReport(OU);
    expect(details.map((d) => d.ServiceNamespace)).toEqual(['dynamodb', 's3']);
    expect([result.NumberOfServicesAccessible, result.NumberOfServicesNotAccessed]).toEqual([2, 0]);
    expect(used(details).s3).toEqual([`${OU}/ou-c3xb-sandbox1/${OTHER}`, 'ap-south-1', 2]);
  });

  test('account: SCPs on the account and its parents; a parent Deny removes a service; that account only', async () => {
    const member = await orgReport(`${OU}/${MEMBER}`);
    expect(member.details.map((d) => d.ServiceNamespace)).toEqual(['dynamodb', 's3']);
    expect(used(member.details)).toEqual({ dynamodb: [`${OU}/${MEMBER}`, 'eu-west-1', 1], s3: [`${OU}/${MEMBER}`, 'eu-west-1', 1] });
    const sandbox = await orgReport(`${OU}/ou-c3xb-sandbox1/${OTHER}`);
    expect(sandbox.details.map((d) => d.ServiceNamespace)).toEqual(['s3']);
  });

  test('management account: every service, only its own activity, policy id ignored', async () => {
    for (const policyId of [undefined, 'p-OnlyS3AndDynamo']) {
      const { details, result } = await orgReport(`${ORG}/${MGMT}`, policyId);
      expect(details.length).toBe(catalogServices().length);
      // Activity of the management account's own principals (admin, alice, bob, app-deployer), nobody else's.
      expect(result.NumberOfServicesNotAccessed).toBe(catalogServices().length - 4);
      expect(Object.keys(used(details)).sort()).toEqual(['iam', 'lambda', 'organizations', 's3']);
      expect(used(details).organizations).toEqual([`${ORG}/${MGMT}`, 'us-east-1', 1]);
      expect(used(details).s3).toEqual([`${ORG}/${MGMT}`, 'us-east-1', 1]); // one account, though three principals
    }
  });

  test('with an SCP id: services that SCP allows, data of the accounts it applies to; unattached → no data', async () => {
    const scoped = await orgReport(ORG, 'p-OnlyS3AndDynamo');
    expect(scoped.details.map((d) => d.ServiceNamespace)).toEqual(['dynamodb', 's3']);
    expect(used(scoped.details).s3![2]).toBe(2);
    const unattached = await orgReport(ORG, 'p-Unattached01');
    expect(unattached.details).toEqual([{ ServiceName: loadActionCatalog().serviceName('sqs'), ServiceNamespace: 'sqs', TotalAuthenticatedEntities: 0 }]);
    expect(unattached.result.NumberOfServicesNotAccessed).toBe(1);
    const sandboxOnly = await orgReport(OU, 'p-FullAWSAccess');
    // FullAWSAccess is not attached to the OU itself, but to the member accounts below it and the root above it.
    expect(Object.keys(used(sandboxOnly.details)).sort()).toEqual(['dynamodb', 'ec2', 's3']);
  });

  test.each<SortKeyType>(['SERVICE_NAMESPACE_ASCENDING', 'SERVICE_NAMESPACE_DESCENDING', 'LAST_AUTHENTICATED_TIME_ASCENDING', 'LAST_AUTHENTICATED_TIME_DESCENDING'])(
    'SortKey %s orders every page consistently',
    async (sortKey) => {
      const { details } = await orgReport(ORG, undefined, sortKey);
      expect(details.length).toBe(catalogServices().length);
      const names = details.map((d) => d.ServiceNamespace!);
      const times = details.map((d) => d.LastAuthenticatedTime?.getTime() ?? -Infinity);
      if (sortKey === 'SERVICE_NAMESPACE_ASCENDING') expect(names).toEqual(catalogServices());
      if (sortKey === 'SERVICE_NAMESPACE_DESCENDING') expect(names).toEqual(catalogServices().reverse());
      if (sortKey === 'LAST_AUTHENTICATED_TIME_DESCENDING') {
        expect(names.slice(0, 3)).toEqual(['s3', 'dynamodb', 'ec2'].sort((a, b) => times[names.indexOf(b)]! - times[names.indexOf(a)]!));
        expect(times).toEqual([...times].sort((a, b) => b - a));
      }
      if (sortKey === 'LAST_AUTHENTICATED_TIME_ASCENDING') {
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(names.slice(-3)).toEqual(['ec2', 'dynamodb', 's3']);
      }
    },
  );

  test('a marker from another sort order is refused', async () => {
    const { JobId } = await iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: ORG }));
    await untilDone(() => iam.send(new GetOrganizationsAccessReportCommand({ JobId })));
    const first = await iam.send(new GetOrganizationsAccessReportCommand({ JobId, MaxItems: 5, SortKey: 'SERVICE_NAMESPACE_ASCENDING' }));
    await expectAwsError(iam.send(new GetOrganizationsAccessReportCommand({ JobId, Marker: first.Marker, SortKey: 'SERVICE_NAMESPACE_DESCENDING' })), 'InvalidInput', 400);
  });

  test('entity paths that do not exist, bad syntax, unknown SCP and non-management callers are refused', async () => {
    await expectAwsError(iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: 'o-4fxmplt198/r-c3xb/ou-c3xb-nothere1' })), 'NoSuchEntity', 404);
    await expectAwsError(iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: `${ORG}/${MEMBER}` })), 'NoSuchEntity', 404); // not a child of the root
    await expectAwsError(iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: 'o-0000000000/r-c3xb' })), 'NoSuchEntity', 404);
    await expectAwsError(iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: 'not-a-path/at-all' })), 'InvalidInput', 400);
    await expectAwsError(iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: ORG, OrganizationsPolicyId: 'p-x' })), 'InvalidInput', 400);
    await expectAwsError(iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: ORG, OrganizationsPolicyId: 'p-DoesNotExist' })), 'NoSuchEntity', 404);
    const member = client(emulator.endpoint, MEMBER_KEY);
    try {
      await expectAwsError(member.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: ORG })), 'AccessDenied', 403);
    } finally {
      member.destroy();
    }
  });
});

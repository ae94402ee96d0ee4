import {
  GenerateOrganizationsAccessReportCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetOrganizationsAccessReportCommand,
  GetServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsWithEntitiesCommand,
  IAMClient,
  type ServiceLastAccessed,
  type TrackedActionLastAccessed,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { loadActionCatalog } from '../../src/model/action-catalog';
import { DEFAULT_TRACKED_ACTION_SERVICES, startEmulator, trackedActionsSources, type RunningEmulator, type World } from '../../src/emulator';
import TRACKED_DATA from '../../src/model/data/tracked-actions.json';
import { iamServiceName, sharedServiceNamespaces } from '../../src/emulator/tracked-actions';
import { ADMIN_KEY, MGMT, arn, client, expectAwsError, testWorld, untilDone } from './helpers';

/**
 * Action-level reports follow the tracked-actions facts (AWS's documentation): every tracked service, its
 * management actions only, events before its tracking start counted for the service only; names as IAM shows them;
 * a job of an STS session is readable in that session only. Everything through the real SDK.
 */
const NOW = new Date('2023-09-01T12:00:00Z');
const ROLE = arn(MGMT, 'role', 'orders');
const DAY = 86_400_000;

function ordersWorld(settings: World['settings'] = {}): World {
  const world = testWorld();
  world.roles!.push({
    account: MGMT,
    name: 'orders',
    createDate: '2022-01-01T00:00:00Z',
    inlinePolicies: {
      all: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:*', 's3:*', 'cloudformation:*', 'sqs:*'], Resource: '*' }] },
    },
  });
  world.events!.push(
    // dynamodb's actions are tracked from 2023-05-23: CreateTable before it counts for the service only.
    { principal: ROLE, action: 'dynamodb:CreateTable', region: 'eu-west-1', time: '2023-05-22T23:59:00Z' },
    { principal: ROLE, action: 'dynamodb:DescribeTable', region: 'eu-west-1', time: '2023-05-23T00:00:00Z' },
    // s3's from 2020-04-12: within the 400-day window both count.
    { principal: ROLE, action: 's3:CreateBucket', region: 'us-east-1', time: '2023-02-01T00:00:00Z' },
    // Data-plane calls: the service's last access, never an action's.
    { principal: ROLE, action: 'dynamodb:GetItem', region: 'us-west-2', time: '2023-08-31T12:00:00Z' },
    { principal: ROLE, action: 's3:GetObject', region: 'us-west-2', time: '2023-08-30T12:00:00Z' },
    { principal: ROLE, action: 'sqs:SendMessage', region: 'us-west-2', time: '2023-08-29T12:00:00Z' },
  );
  world.settings = { ...world.settings, ...settings };
  return world;
}

async function actionReport(world: World, target = ROLE) {
  const emulator = await startEmulator({ world, now: () => new Date(NOW), jobs: { durationMs: 20 } });
  const iam = client(emulator.endpoint);
  try {
    const { JobId } = await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: target, Granularity: 'ACTION_LEVEL' }));
    const { result } = await untilDone(() => iam.send(new GetServiceLastAccessedDetailsCommand({ JobId })));
    const services = Object.fromEntries((result.ServicesLastAccessed ?? []).map((s) => [s.ServiceNamespace!, s])) as Record<string, ServiceLastAccessed>;
    const actions = (ns: string) =>
      Object.fromEntries((services[ns]?.TrackedActionsLastAccessed ?? []).map((a) => [a.ActionName!, a])) as Record<string, TrackedActionLastAccessed>;
    return { services, actions };
  } finally {
    iam.destroy();
    await emulator.close();
  }
}

describe('the tracked-actions data', () => {
  test('records where it came from and when it was read', () => {
    const TRACKED_ACTIONS_SOURCES = trackedActionsSources();
    expect(TRACKED_ACTIONS_SOURCES.services).toMatchObject({
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed-action-last-accessed.html',
      read: '2026-11-28',
    });
    expect(TRACKED_ACTIONS_SOURCES.trackingStart!.url).toBe('https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html');
    expect(TRACKED_ACTIONS_SOURCES.actions).toMatchObject({ snapshot: '2026-02-13', read: '2026-11-28' });
  });

  test('lists well over a hundred services with their start dates, the User Guide table’s first ones first', () => {
    expect(DEFAULT_TRACKED_ACTION_SERVICES.length).toBeGreaterThan(150);
    expect(DEFAULT_TRACKED_ACTION_SERVICES.slice(0, 3)).toEqual(['access-analyzer', 'account', 'acm']);
    // The small eager list (what the package index exports) is the data's own list.
    expect(DEFAULT_TRACKED_ACTION_SERVICES).toEqual(Object.keys(TRACKED_DATA.services).sort());
    for (const ns of ['ec2', 'iam', 'lambda', 's3', 'dynamodb', 'sqs', 'kms', 'cloudformation']) expect(DEFAULT_TRACKED_ACTION_SERVICES).toContain(ns);
    expect(TRACKED_DATA.trackingStart).toEqual({ s3: '2020-04-12', ec2: '2021-04-07', iam: '2021-04-07', lambda: '2021-04-07' });
    expect(TRACKED_DATA.defaultTrackingStart).toBe('2023-05-23');
  });

  test('tracks management actions, not data-plane ones, nor iam:PassRole', () => {
    const tracked = TRACKED_DATA.services as Record<string, string[]>;
    expect(tracked.dynamodb).toEqual(expect.arrayContaining(['CreateTable', 'DeleteTable', 'DescribeTable', 'UpdateTable']));
    expect(tracked.dynamodb).not.toEqual(expect.arrayContaining(['GetItem']));
    for (const [ns, action] of [['dynamodb', 'PutItem'], ['dynamodb', 'Query'], ['s3', 'GetObject'], ['s3', 'PutObject'], ['lambda', 'InvokeFunction'], ['sqs', 'SendMessage'], ['sqs', 'ReceiveMessage'], ['iam', 'PassRole']] as const) {
      expect(tracked[ns]).not.toContain(action);
    }
    expect(tracked.sqs).toEqual(expect.arrayContaining(['CreateQueue', 'DeleteQueue', 'SetQueueAttributes']));
  });

  test('every tracked service and nearly every tracked action is one the action catalog knows', () => {
    const catalog = loadActionCatalog();
    const unknownServices = DEFAULT_TRACKED_ACTION_SERVICES.filter((ns) => !catalog.hasService(ns));
    expect(unknownServices).toEqual([]);
    const all = Object.entries(TRACKED_DATA.services as Record<string, string[]>).flatMap(([ns, actions]) => actions.map((a) => [ns, a] as const));
    const unknown = all.filter(([ns, a]) => catalog.canonicalAction(ns, a) === undefined);
    // The service reference and the catalog are read months apart: a few renamed or retired actions at most.
    expect(unknown.length).toBeLessThan(all.length / 100);
  });
});

describe('service names as IAM shows them', () => {
  test('a namespace shared by several Service Authorization Reference pages is named after its service', () => {
    const catalog = loadActionCatalog();
    expect(catalog.serviceName('cloudformation')).toBe('AWS Cloud Control API'); // the catalog's first match…
    expect(iamServiceName(catalog, 'cloudformation')).toBe('AWS CloudFormation'); // …is not what IAM shows
    for (const [ns, { name, pages }] of Object.entries(sharedServiceNamespaces())) {
      expect(catalog.hasService(ns)).toBe(true);
      expect(pages.length).toBeGreaterThan(1);
      expect(iamServiceName(catalog, ns)).toBe(name);
    }
    // Every other namespace has one page: the catalog's name is that page's title.
    const others = catalog.services().filter((ns) => !(ns in sharedServiceNamespaces()));
    expect(others.every((ns) => iamServiceName(catalog, ns) === catalog.serviceName(ns) && catalog.serviceName(ns) !== ns)).toBe(true);
  });

  test('reports name cloudformation "AWS CloudFormation" (service and organizations reports)', async () => {
    const { services } = await actionReport(ordersWorld());
    expect(services.cloudformation!.ServiceName).toBe('AWS CloudFormation');
    expect(services.dynamodb!.ServiceName).toBe('Amazon DynamoDB');
    const emulator = await startEmulator({ world: ordersWorld(), jobs: { durationMs: 20 } });
    const iam = client(emulator.endpoint);
    try {
      const { JobId } = await iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: `o-4fxmplt198/r-c3xb/${MGMT}` }));
      const all = [];
      let marker: string | undefined;
      do {
        const { result } = await untilDone(() => iam.send(new GetOrganizationsAccessReportCommand({ JobId, Marker: marker })));
        all.push(...(result.AccessDetails ?? []));
        marker = result.IsTruncated ? result.Marker : undefined;
      } while (marker);
      expect(all.find((d) => d.ServiceNamespace === 'cloudformation')!.ServiceName).toBe('AWS CloudFormation');
    } finally {
      iam.destroy();
      await emulator.close();
    }
  });
});

describe('ACTION_LEVEL reports follow the data', () => {
  test('every tracked service the role may use gets TrackedActionsLastAccessed', async () => {
    const { services, actions } = await actionReport(ordersWorld());
    expect(Object.keys(services).sort()).toEqual(['cloudformation', 'dynamodb', 's3', 'sqs']);
    for (const ns of Object.keys(services)) expect(Object.keys(actions(ns)).length).toBeGreaterThan(5);
    expect(Object.keys(actions('sqs')).sort()).toEqual([...(TRACKED_DATA.services as Record<string, string[]>).sqs!].sort());
  });

  test('an event before the service’s tracking start counts for the service only (dynamodb: 2023-05-23)', async () => {
    const { services, actions } = await actionReport(ordersWorld());
    const dynamodb = actions('dynamodb');
    expect(dynamodb.CreateTable).toEqual({ ActionName: 'CreateTable' }); // 2023-05-22T23:59Z: before tracking began
    expect(dynamodb.DescribeTable).toMatchObject({ LastAccessedTime: new Date('2023-05-23T00:00:00Z'), LastAccessedEntity: ROLE, LastAccessedRegion: 'eu-west-1' });
    // The service still saw both, and yesterday's GetItem is its last access.
    expect(services.dynamodb).toMatchObject({ LastAuthenticated: new Date(NOW.getTime() - DAY), LastAuthenticatedRegion: 'us-west-2', TotalAuthenticatedEntities: 1 });
    // s3 is tracked since 2020: its February 2023 CreateBucket counts.
    expect(actions('s3').CreateBucket).toMatchObject({ LastAccessedTime: new Date('2023-02-01T00:00:00Z') });
  });

  test('data-plane events count for the service, never as an action', async () => {
    const { services, actions } = await actionReport(ordersWorld());
    expect(actions('dynamodb').GetItem).toBeUndefined();
    expect(actions('s3').GetObject).toBeUndefined();
    expect(actions('sqs').SendMessage).toBeUndefined();
    // sqs was used only through SendMessage: the service is used, none of its tracked actions is.
    expect(services.sqs!.LastAuthenticated).toEqual(new Date(NOW.getTime() - 3 * DAY));
    expect(Object.values(actions('sqs')).every((a) => a.LastAccessedTime === undefined)).toBe(true);
  });

  test('the world overrides the data: services, actions and start dates', async () => {
    const { services, actions } = await actionReport(
      ordersWorld({
        trackedActionServices: ['dynamodb', 'sqs'],
        trackedActions: ['dynamodb:GetItem'],
        untrackedActions: ['dynamodb:Describe*', 'sqs:*'],
        actionTrackingStart: { dynamodb: '2023-01-01' },
      }),
    );
    expect(services.s3!.TrackedActionsLastAccessed).toBeUndefined(); // not in the world's list
    expect(services.sqs!.TrackedActionsLastAccessed).toBeUndefined(); // every action untracked: no list, as IAM omits it
    const dynamodb = actions('dynamodb');
    expect(dynamodb.GetItem).toMatchObject({ LastAccessedTime: new Date(NOW.getTime() - DAY) });
    expect(dynamodb.DescribeTable).toBeUndefined();
    expect(dynamodb.CreateTable).toMatchObject({ LastAccessedTime: new Date('2023-05-22T23:59:00Z') }); // earlier start
  });
});

describe('a job generated with temporary credentials is read in that session only', () => {
  let emulator: RunningEmulator;
  const clients: { destroy(): void }[] = [];
  beforeAll(async () => {
    emulator = await startEmulator({ world: ordersWorld(), jobs: { durationMs: 20 } });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await emulator.close();
  });

  async function session(name: string) {
    const sts = new STSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: ADMIN_KEY, maxAttempts: 1 });
    clients.push(sts);
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: name }));
    const iam = new IAMClient({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! },
    });
    clients.push(iam);
    return iam;
  }

  test('two AssumeRole sessions of one role: each reads its own job; the other session gets NoSuchEntity', async () => {
    const first = await session('first');
    const second = await session('second');
    const { JobId: firstJob } = await first.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: ROLE, Granularity: 'ACTION_LEVEL' }));
    const { JobId: secondJob } = await second.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: ROLE }));
    const { result } = await untilDone(() => first.send(new GetServiceLastAccessedDetailsCommand({ JobId: firstJob })));
    expect(result.JobStatus).toBe('COMPLETED');
    expect((await untilDone(() => second.send(new GetServiceLastAccessedDetailsCommand({ JobId: secondJob })))).result.JobStatus).toBe('COMPLETED');

    // The same error as another principal's job, for every read of the job.
    const other = await expectAwsError(second.send(new GetServiceLastAccessedDetailsCommand({ JobId: firstJob })), 'NoSuchEntity', 404);
    expect(other.message).toBe(`The job with ID ${firstJob} cannot be found.`);
    await expectAwsError(second.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: firstJob, ServiceNamespace: 'dynamodb' })), 'NoSuchEntity', 404);
    await expectAwsError(first.send(new GetServiceLastAccessedDetailsCommand({ JobId: secondJob })), 'NoSuchEntity', 404);
    // A third session of the role is still not the first.
    const third = await session('first');
    await expectAwsError(third.send(new GetServiceLastAccessedDetailsCommand({ JobId: firstJob })), 'NoSuchEntity', 404);
    // Another principal (the admin user) meets the identical answer.
    const admin = client(emulator.endpoint);
    clients.push(admin);
    const byAdmin = await expectAwsError(admin.send(new GetServiceLastAccessedDetailsCommand({ JobId: firstJob })), 'NoSuchEntity', 404);
    expect(byAdmin.message).toBe(other.message);
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  GenerateServiceLastAccessedDetailsCommand,
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsWithEntitiesCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { WorldValidationError, loadWorld, startEmulator, type World } from '../../src/emulator';
import { MGMT, arn, client, expectAwsError, testWorld, untilDone } from './helpers';

const DAY = 86_400_000;

describe('world file validation', () => {
  const refused = (world: unknown) => {
    try {
      loadWorld(world);
    } catch (error) {
      expect(error).toBeInstanceOf(WorldValidationError);
      return error as WorldValidationError;
    }
    throw new Error('the world was accepted');
  };

  test('the example world and the test world are valid', () => {
    expect(loadWorld(path.join(__dirname, '..', '..', 'examples', 'world.json')).accessKeys[0]!.id).toBe('AKIAIOSFODNN7EXAMPLE');
    expect(loadWorld(testWorld()).accounts).toHaveLength(3);
  });

  test('a malformed file is refused with the JSON pointer, the value and what is allowed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'world-'));
    const file = path.join(dir, 'world.json');
    const world = testWorld() as unknown as { users: { name: string }[] };
    world.users[1]!.name = 'not a valid name!';
    fs.writeFileSync(file, JSON.stringify(world));
    const e = refused(file);
    expect(e.pointer).toBe('/users/1/name');
    expect(e.value).toBe('not a valid name!');
    expect(e.message).toContain(file);
    expect(e.message).toContain('/users/1/name: "not a valid name!" is not allowed; must match');
    fs.writeFileSync(file, '{ not json');
    expect(refused(file).message).toContain('must be JSON');
    fs.rmSync(dir, { recursive: true });
  });

  test.each([
    ['unknown property', '/accounts/0/colour', (w: World) => Object.assign(w.accounts[0]!, { colour: 'red' })],
    ['missing required field', '/accessKeys/0/secret', (w: World) => delete (w.accessKeys[0] as Partial<World['accessKeys'][0]>).secret],
    ['bad relative time', '/events/0/time', (w: World) => (w.events![0]!.time = 'yesterday')],
    ['bad Effect', '/policies/0/document/Statement/0/Effect', (w: World) => ((w.policies![0]!.document.Statement as { Effect: string }[])[0]!.Effect = 'Permit')],
    ['undeclared policy attached', '/users/0/attachedPolicies/1', (w: World) => w.users![0]!.attachedPolicies!.push(arn(MGMT, 'policy', 'ghost'))],
    ['group member of another account', '/groups/0/members/2', (w: World) => w.groups![0]!.members!.push('member-user')],
    ['access key of an unknown principal', '/accessKeys/0/owner', (w: World) => (w.accessKeys[0]!.owner = arn(MGMT, 'user', 'ghost'))],
    ['event of an unknown principal', '/events/3/principal', (w: World) => (w.events![3]!.principal = arn(MGMT, 'role', 'ghost'))],
    ['SCP attached to an unknown OU', '/organization/policies/0/targets/5', (w: World) => w.organization!.policies![0]!.targets.push('ou-c3xb-zzzzzzzz')],
    ['management account outside the tree', '/organization/managementAccountId', (w: World) => (w.organization!.root.accounts = [])],
    ['SCP id pattern', '/organization/policies/1/id', (w: World) => (w.organization!.policies![1]!.id = 'p-short')],
  ] as [string, string, (w: World) => unknown][])('%s → %s', (_name, pointer, mutate) => {
    const world = testWorld();
    mutate(world);
    expect(refused(world).pointer).toBe(pointer);
  });
});

describe('IAM reads: a principal\'s age and current policies', () => {
  test('GetUser/GetRole/GetGroup/GetPolicy/GetPolicyVersion and the policy listings', async () => {
    const now = Date.now();
    const emulator = await startEmulator({ world: testWorld(), now: () => new Date(now) });
    const iam = client(emulator.endpoint);
    const world = testWorld();
    try {
      const me = await iam.send(new GetUserCommand({}));
      expect(me.User).toMatchObject({ UserName: 'admin', Arn: arn(MGMT, 'user', 'admin'), Path: '/' });
      expect(me.User!.CreateDate!.getTime()).toBe(now - 700 * DAY);

      const role = (await iam.send(new GetRoleCommand({ RoleName: 'app-deployer' }))).Role!;
      expect(role.CreateDate!.getTime()).toBe(now - 30 * DAY);
      expect(role.RoleId).toMatch(/^AROA/);
      expect(role.RoleLastUsed!.LastUsedDate!.getTime()).toBe(now - DAY); // s3:GetObject (PassRole is not a use)
      await expectAwsError(iam.send(new GetRoleCommand({ RoleName: 'ghost' })), 'NoSuchEntity', 404);

      const group = await iam.send(new GetGroupCommand({ GroupName: 'interns' }));
      expect(group.Users!.map((u) => u.UserName)).toEqual(['alice', 'bob']);
      expect(group.IsTruncated).toBe(false);

      const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }))).Policy!;
      expect(policy).toMatchObject({ PolicyName: 'AdministratorAccess', Path: '/', DefaultVersionId: 'v1', AttachmentCount: 1, IsAttachable: true });
      const version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn(MGMT, 'policy', 'deployer'), VersionId: 'v1' }))).PolicyVersion!;
      expect(version.Document).toMatch(/^%7B%22/); // URL-encoded, as IAM returns it
      expect(JSON.parse(decodeURIComponent(version.Document!))).toEqual(world.policies![2]!.document);
      await expectAwsError(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn(MGMT, 'policy', 'deployer'), VersionId: 'v2' })), 'NoSuchEntity', 404);

      expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'app-deployer' }))).AttachedPolicies).toEqual([
        { PolicyName: 'deployer', PolicyArn: arn(MGMT, 'policy', 'deployer') },
      ]);
      expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'alice' }))).AttachedPolicies).toEqual([]);
      expect((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: 'interns' }))).AttachedPolicies![0]!.PolicyName).toBe('intern-boundary');
      expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'app-deployer' }))).PolicyNames).toEqual(['logs']);
      expect((await iam.send(new ListUserPoliciesCommand({ UserName: 'admin' }))).PolicyNames).toEqual([]);
      expect((await iam.send(new ListGroupPoliciesCommand({ GroupName: 'interns' }))).PolicyNames).toEqual(['group-extra']);
      const inline = await iam.send(new GetRolePolicyCommand({ RoleName: 'app-deployer', PolicyName: 'logs' }));
      expect([inline.RoleName, JSON.parse(decodeURIComponent(inline.PolicyDocument!))]).toEqual(['app-deployer', world.roles![0]!.inlinePolicies!.logs]);
      const userInline = await iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'own' }));
      expect(JSON.parse(decodeURIComponent(userInline.PolicyDocument!))).toEqual(world.users![1]!.inlinePolicies!.own);
      expect((await iam.send(new GetGroupPolicyCommand({ GroupName: 'interns', PolicyName: 'group-extra' }))).GroupName).toBe('interns');
      await expectAwsError(iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'nope' })), 'NoSuchEntity', 404);
    } finally {
      iam.destroy();
      await emulator.close();
    }
  });
});

describe('big worlds', () => {
  test('a policy attached to 1,500 roles: entities across pages of up to 1,000, every one exactly once', async () => {
    const world = testWorld();
    const count = 1500;
    for (let i = 0; i < count; i++) {
      const name = `worker-${String(i).padStart(4, '0')}`;
      world.roles!.push({ account: MGMT, name, attachedPolicies: [arn(MGMT, 'policy', 'deployer')] });
      if (i % 3 === 0) world.events!.push({ principal: arn(MGMT, 'role', name), action: 's3:ListBucket', time: `${(i % 300) + 1}h ago` });
    }
    const emulator = await startEmulator({ world, jobs: { durationMs: 10 } });
    const iam = client(emulator.endpoint);
    try {
      const { JobId } = await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn(MGMT, 'policy', 'deployer') }));
      const { result } = await untilDone(() => iam.send(new GetServiceLastAccessedDetailsCommand({ JobId })));
      expect(result.ServicesLastAccessed!.find((s) => s.ServiceNamespace === 's3')!.TotalAuthenticatedEntities).toBe(count / 3 + 1);
      const seen: string[] = [];
      let pages = 0;
      let marker: string | undefined;
      do {
        const page = await iam.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId, ServiceNamespace: 's3', MaxItems: 1000, Marker: marker }));
        pages++;
        seen.push(...page.EntityDetailsList!.map((e) => e.EntityInfo!.Arn!));
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      expect(pages).toBe(2);
      expect(seen).toHaveLength(count + 1); // the 1,500 workers and app-deployer
      expect(new Set(seen).size).toBe(count + 1);
      emulator.setJobs({ pageSize: 250 }); // "IAM might return fewer results": pages shrink, nothing is lost
      const small = await iam.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId, ServiceNamespace: 's3', MaxItems: 1000 }));
      expect([small.EntityDetailsList!.length, small.IsTruncated]).toEqual([250, true]);
    } finally {
      iam.destroy();
      await emulator.close();
    }
  });
});

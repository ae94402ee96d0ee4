import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetServiceLastAccessedDetailsCommand,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesForRoleCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateRoleCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { ADMIN_KEY, MGMT, arn, client, expectAwsError, rawQuery, testWorld, untilDone } from './helpers';

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const S3_READ = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }] });
const CI_KEY = { accessKeyId: 'AKIACIROLEEXAMPLE001', secretAccessKey: 'ci/role/secret/EXAMPLEKEY' };
const NOW = new Date('2026-06-01T12:00:00.400Z');
/** IAM keeps creation dates to the second. */
const NOW_SECOND = new Date('2026-06-01T12:00:00Z');

let emulator: RunningEmulator;
let iam: IAMClient;
let nowMs = NOW.getTime();

beforeAll(async () => {
  const world = testWorld();
  world.roles!.push({ account: MGMT, name: 'ci', createDate: '400d ago' });
  world.accessKeys.push({ id: CI_KEY.accessKeyId, secret: CI_KEY.secretAccessKey, owner: arn(MGMT, 'role', 'ci') });
  emulator = await startEmulator({ world, now: () => new Date(nowMs) });
  iam = client(emulator.endpoint);
});
afterAll(() => emulator.close());

async function serviceReport(roleArn: string) {
  const { JobId } = await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: roleArn }));
  return (await untilDone(() => iam.send(new GetServiceLastAccessedDetailsCommand({ JobId })))).result;
}

describe('roles created, changed and deleted through the API (what hashicorp/aws calls for aws_iam_role)', () => {
  test('a created role exists from now, with its trust policy and tags, and no history; its policies shape its report', async () => {
    const created = await iam.send(
      new CreateRoleCommand({ RoleName: 'fresh', Path: '/apps/', AssumeRolePolicyDocument: TRUST, Description: 'new', Tags: [{ Key: 'team', Value: 'a' }] }),
    );
    expect(created.Role).toMatchObject({ RoleName: 'fresh', Path: '/apps/', Arn: arn(MGMT, 'role', 'apps/fresh'), Description: 'new', MaxSessionDuration: 3600 });
    expect(created.Role!.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(created.Role!.CreateDate!.getTime()).toBe(NOW_SECOND.getTime());
    const read = (await iam.send(new GetRoleCommand({ RoleName: 'FRESH' }))).Role!;
    expect(JSON.parse(decodeURIComponent(read.AssumeRolePolicyDocument!))).toEqual(JSON.parse(TRUST));
    expect(read.Tags).toEqual([{ Key: 'team', Value: 'a' }]);
    expect(read.RoleLastUsed).toEqual({});
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'fresh' }))).PolicyNames).toEqual([]);
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'fresh' }))).AttachedPolicies).toEqual([]);
    expect((await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'fresh' }))).InstanceProfiles).toEqual([]);

    // No policy: the report lists no service. With an inline and an attached policy: their services, never used.
    expect((await serviceReport(created.Role!.Arn!)).ServicesLastAccessed).toEqual([]);
    await iam.send(new PutRolePolicyCommand({ RoleName: 'fresh', PolicyName: 'logs', PolicyDocument: S3_READ.replace('s3:GetObject', 'logs:CreateLogGroup') }));
    const policy = (await iam.send(new CreatePolicyCommand({ PolicyName: 'fresh-s3', PolicyDocument: S3_READ, Tags: [{ Key: 'k', Value: 'v' }] }))).Policy!;
    expect(policy).toMatchObject({ Arn: arn(MGMT, 'policy', 'fresh-s3'), DefaultVersionId: 'v1', AttachmentCount: 0, Tags: [{ Key: 'k', Value: 'v' }] });
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'fresh', PolicyArn: policy.Arn }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'fresh', PolicyArn: policy.Arn })); // attaching twice is one attachment
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: policy.Arn }))).Policy!.AttachmentCount).toBe(1);
    expect((await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policy.Arn }))).Versions).toEqual([
      { VersionId: 'v1', IsDefaultVersion: true, CreateDate: NOW_SECOND },
    ]);
    const report = await serviceReport(created.Role!.Arn!);
    expect(report.ServicesLastAccessed!.map((s) => [s.ServiceNamespace, s.LastAuthenticated, s.TotalAuthenticatedEntities])).toEqual([
      ['logs', undefined, 0],
      ['s3', undefined, 0],
    ]);

    // Deletion in IAM's order: policies first, then the role.
    await expectAwsError(iam.send(new DeleteRoleCommand({ RoleName: 'fresh' })), 'DeleteConflict', 409);
    await expectAwsError(iam.send(new DeletePolicyCommand({ PolicyArn: policy.Arn })), 'DeleteConflict', 409);
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'fresh', PolicyArn: policy.Arn }));
    await expectAwsError(iam.send(new DetachRolePolicyCommand({ RoleName: 'fresh', PolicyArn: policy.Arn })), 'NoSuchEntity', 404);
    await expectAwsError(iam.send(new DeleteRoleCommand({ RoleName: 'fresh' })), 'DeleteConflict', 409);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'fresh', PolicyName: 'logs' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'fresh' }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: policy.Arn }));
    await expectAwsError(iam.send(new GetRoleCommand({ RoleName: 'fresh' })), 'NoSuchEntity', 404);
    await expectAwsError(iam.send(new GetPolicyCommand({ PolicyArn: policy.Arn })), 'NoSuchEntity', 404);
    await expectAwsError(iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: created.Role!.Arn })), 'NoSuchEntity', 404);
  });

  test('a role deleted and created again under its name is a new principal without the old one’s history', async () => {
    const deployer = arn(MGMT, 'role', 'app-deployer');
    const before = await serviceReport(deployer);
    expect(before.ServicesLastAccessed!.find((s) => s.ServiceNamespace === 's3')!.LastAuthenticated).toBeDefined();
    const oldId = (await iam.send(new GetRoleCommand({ RoleName: 'app-deployer' }))).Role!.RoleId;
    await expectAwsError(iam.send(new CreateRoleCommand({ RoleName: 'App-Deployer', AssumeRolePolicyDocument: TRUST })), 'EntityAlreadyExists', 409);
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'app-deployer', PolicyArn: arn(MGMT, 'policy', 'deployer') }));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'app-deployer', PolicyName: 'logs' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'app-deployer' }));
    nowMs += 60_000;
    const again = (await iam.send(new CreateRoleCommand({ RoleName: 'app-deployer', AssumeRolePolicyDocument: TRUST }))).Role!;
    expect(again.RoleId).not.toBe(oldId);
    expect(again.CreateDate!.getTime()).toBe(NOW_SECOND.getTime() + 60_000);
    expect(again.RoleLastUsed).toEqual({});
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'app-deployer', PolicyArn: arn(MGMT, 'policy', 'deployer') }));
    const after = await serviceReport(deployer);
    expect(after.ServicesLastAccessed!.length).toBeGreaterThan(0);
    expect(after.ServicesLastAccessed!.every((s) => s.LastAuthenticated === undefined && s.TotalAuthenticatedEntities === 0)).toBe(true);
  });

  test('a report is the world as it was when its job was generated, whatever is written while the job runs', async () => {
    // An administrator's ACTION_LEVEL report is hundreds of services, prepared a slice at a time while the job runs:
    // the writes below reach the emulator while it is still being prepared.
    const SQS_ONLY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:CreateQueue', Resource: '*' }] });
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'admin-for-a-while', AssumeRolePolicyDocument: TRUST }))).Role!;
    const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'admin-for-a-while', PolicyArn: admin }));
    const generate = async () =>
      (await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: role.Arn, Granularity: 'ACTION_LEVEL' }))).JobId!;
    const read = async (JobId: string) => (await untilDone(() => iam.send(new GetServiceLastAccessedDetailsCommand({ JobId, MaxItems: 1000 })))).result;
    const before = await generate();
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'admin-for-a-while', PolicyArn: admin }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'admin-for-a-while', PolicyName: 'sqs', PolicyDocument: SQS_ONLY }));
    const after = await generate();

    const whileAdmin = (await read(before)).ServicesLastAccessed!;
    expect(whileAdmin.length).toBeGreaterThan(300);
    expect(whileAdmin.find((s) => s.ServiceNamespace === 'ec2')!.TrackedActionsLastAccessed!.length).toBeGreaterThan(100);
    const sqs = whileAdmin.find((s) => s.ServiceNamespace === 'sqs')!.TrackedActionsLastAccessed!.map((a) => a.ActionName);
    expect(sqs).toEqual(expect.arrayContaining(['CreateQueue', 'DeleteQueue']));
    const sinceWrite = (await read(after)).ServicesLastAccessed!;
    expect(sinceWrite.map((s) => [s.ServiceNamespace, s.TrackedActionsLastAccessed?.map((a) => a.ActionName)])).toEqual([['sqs', ['CreateQueue']]]);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'admin-for-a-while', PolicyName: 'sqs' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'admin-for-a-while' }));
  });

  test('tags: added over (keys case-insensitive), removed, listed; 50 at most', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'tagged', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'team', Value: 'a' }] }));
    await iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'TEAM', Value: 'b' }, { Key: 'env', Value: 'x' }] }));
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: 'tagged' }))).Tags).toEqual([
      { Key: 'TEAM', Value: 'b' },
      { Key: 'env', Value: 'x' },
    ]);
    await iam.send(new UntagRoleCommand({ RoleName: 'tagged', TagKeys: ['team'] }));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'tagged' }))).Role!.Tags).toEqual([{ Key: 'env', Value: 'x' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: '' }));
    await expectAwsError(iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: many })), 'LimitExceeded', 409);
    await expectAwsError(
      iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] })),
      'InvalidInput',
      400,
    );
    await iam.send(new UpdateRoleCommand({ RoleName: 'tagged', Description: 'changed', MaxSessionDuration: 7200 }));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'tagged' }))).Role).toMatchObject({ Description: 'changed', MaxSessionDuration: 7200 });
    await expectAwsError(iam.send(new UpdateRoleCommand({ RoleName: 'tagged', MaxSessionDuration: 60 })), 'ValidationError', 400);
  });

  test.each([
    ['a name outside [\\w+=,.@-]', { RoleName: 'bad name', AssumeRolePolicyDocument: TRUST }, 'ValidationError', /at 'roleName'/],
    ['a path without its slashes', { RoleName: 'p', Path: 'apps', AssumeRolePolicyDocument: TRUST }, 'ValidationError', /at 'path'/],
    ['a trust policy that is not JSON', { RoleName: 'p', AssumeRolePolicyDocument: '{"Version":' }, 'MalformedPolicyDocument', /Syntax errors/],
    [
      'a trust policy without Principal',
      { RoleName: 'p', AssumeRolePolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }) },
      'MalformedPolicyDocument',
      /Missing required field Principal/,
    ],
    [
      'a statement the emulator cannot judge (Effect "Maybe")',
      { RoleName: 'p', AssumeRolePolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Maybe', Principal: '*', Action: 'sts:AssumeRole' }] }) },
      'MalformedPolicyDocument',
      /Effect/,
    ],
    ['a permissions boundary (not modelled)', { RoleName: 'p', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: arn(MGMT, 'policy', 'deployer') }, 'InvalidInput', /PermissionsBoundary/],
  ])('CreateRole refuses %s', async (_, input, code, message) => {
    const error = await expectAwsError(iam.send(new CreateRoleCommand(input)), code, 400);
    expect(error.message).toMatch(message);
    await expectAwsError(iam.send(new GetRoleCommand({ RoleName: 'p' })), 'NoSuchEntity', 404);
  });

  test('identity policies name resources and no principal', async () => {
    const withPrincipal = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] });
    await expectAwsError(iam.send(new CreatePolicyCommand({ PolicyName: 'x', PolicyDocument: withPrincipal })), 'MalformedPolicyDocument', 400);
    const noResource = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:*' }] });
    await expectAwsError(iam.send(new PutRolePolicyCommand({ RoleName: 'ci', PolicyName: 'x', PolicyDocument: noResource })), 'MalformedPolicyDocument', 400);
    await expectAwsError(iam.send(new DeletePolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })), 'AccessDenied', 403);
    await iam.send(new CreatePolicyCommand({ PolicyName: 'once', PolicyDocument: S3_READ }));
    await expectAwsError(iam.send(new CreatePolicyCommand({ PolicyName: 'ONCE', Path: '/other/', PolicyDocument: S3_READ })), 'EntityAlreadyExists', 409);
  });

  test('a deleted role takes its credentials with it', async () => {
    const asCi = client(emulator.endpoint, CI_KEY);
    expect((await asCi.send(new GetRoleCommand({ RoleName: 'ci' }))).Role!.RoleName).toBe('ci');
    await iam.send(new DeleteRoleCommand({ RoleName: 'ci' }));
    await expectAwsError(asCi.send(new GetRoleCommand({ RoleName: 'ci' })), 'InvalidClientTokenId', 403);
  });

  test('on the wire: Tags.member.N without a field is refused; an empty result still answers the request id', async () => {
    const bad = await rawQuery(emulator.endpoint, `Action=TagRole&Version=2010-05-08&RoleName=tagged&Tags.member.1=x`, { credentials: ADMIN_KEY });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/<Code>InvalidInput<\/Code>/);
    const ok = await rawQuery(emulator.endpoint, `Action=TagRole&Version=2010-05-08&RoleName=tagged&Tags.member.1.Key=k&Tags.member.1.Value=v`);
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/<TagRoleResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/">/);
    expect(ok.text).toContain(`<RequestId>${ok.requestId}</RequestId>`);
  });
});

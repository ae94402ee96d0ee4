import { GetAccountAuthorizationDetailsCommand, type GetAccountAuthorizationDetailsResponse } from '@aws-sdk/client-iam';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { MEMBER, MEMBER_KEY, MGMT, arn, client, expectAwsError, testWorld } from './helpers';

const DAY = 86_400_000;

describe('GetAccountAuthorizationDetails through the AWS SDK', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ world: testWorld(), port: 0, seed: 3 });
  });
  afterAll(() => emulator.close());

  const all = async (filter?: string[], maxItems?: number, credentials?: typeof MEMBER_KEY) => {
    const iam = client(emulator.endpoint, credentials);
    const pages: GetAccountAuthorizationDetailsResponse[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(
        new GetAccountAuthorizationDetailsCommand({
          ...(filter ? { Filter: filter as never } : {}),
          ...(maxItems ? { MaxItems: maxItems } : {}),
          ...(marker ? { Marker: marker } : {}),
        }),
      );
      pages.push(page);
      marker = page.IsTruncated ? page.Marker : undefined;
      if (page.IsTruncated) expect(page.Marker).toBeTruthy();
    } while (marker);
    iam.destroy();
    return pages;
  };

  test('without a filter: every user, group, role and managed policy of the caller account, with creation dates', async () => {
    const [page, ...rest] = await all();
    expect(rest).toHaveLength(0);
    expect(page!.IsTruncated).toBe(false);
    expect(page!.UserDetailList!.map((u) => u.UserName).sort()).toEqual(['admin', 'alice', 'bob']);
    expect(page!.GroupDetailList!.map((g) => g.GroupName)).toEqual(['interns']);
    expect(page!.RoleDetailList!.map((r) => r.RoleName)).toEqual(['app-deployer']); // member/other accounts excluded
    // Customer policies of this account, and the AWS-managed policy attached here (AdministratorAccess on admin).
    expect(page!.Policies!.map((p) => p.Arn).sort()).toEqual(
      [arn(MGMT, 'policy', 'deployer'), arn(MGMT, 'policy', 'intern-boundary'), 'arn:aws:iam::aws:policy/AdministratorAccess'].sort(),
    );
    const alice = page!.UserDetailList!.find((u) => u.UserName === 'alice')!;
    expect(alice.Arn).toBe(arn(MGMT, 'user', 'alice'));
    expect(alice.CreateDate).toBeInstanceOf(Date);
    expect(Math.round((Date.now() - alice.CreateDate!.getTime()) / DAY)).toBe(100);
    expect(alice.GroupList).toEqual(['interns']);
    expect(alice.UserPolicyList!.map((p) => p.PolicyName)).toEqual(['own']);
    expect(JSON.parse(decodeURIComponent(alice.UserPolicyList![0]!.PolicyDocument!)).Statement[0].Action).toBe('sqs:SendMessage');
    const deployer = page!.RoleDetailList![0]!;
    expect(Math.round((Date.now() - deployer.CreateDate!.getTime()) / DAY)).toBe(30);
    expect(deployer.AttachedManagedPolicies).toEqual([{ PolicyName: 'deployer', PolicyArn: arn(MGMT, 'policy', 'deployer') }]);
    expect(deployer.RolePolicyList!.map((p) => p.PolicyName)).toEqual(['logs']);
    const boundary = page!.Policies!.find((p) => p.PolicyName === 'intern-boundary')!;
    expect(boundary).toMatchObject({ Path: '/', DefaultVersionId: 'v1', AttachmentCount: 1, IsAttachable: true });
    expect(boundary.CreateDate).toBeInstanceOf(Date);
    expect(boundary.PolicyVersionList).toHaveLength(1);
    expect(boundary.PolicyVersionList![0]!.IsDefaultVersion).toBe(true);
  });

  test('Filter.member.N selects entity kinds', async () => {
    const [roles] = await all(['Role']);
    expect(roles!.RoleDetailList!.map((r) => r.RoleName)).toEqual(['app-deployer']);
    expect(roles!.UserDetailList ?? []).toEqual([]);
    expect(roles!.Policies ?? []).toEqual([]);
    const [mixed] = await all(['User', 'AWSManagedPolicy']);
    expect(mixed!.UserDetailList!).toHaveLength(3);
    expect(mixed!.GroupDetailList ?? []).toEqual([]);
    expect(mixed!.Policies!.map((p) => p.Arn)).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
    const [local] = await all(['LocalManagedPolicy']);
    expect(local!.Policies!.map((p) => p.PolicyName).sort()).toEqual(['deployer', 'intern-boundary']);
  });

  test('MaxItems pages with Marker; the pages add up to the whole list', async () => {
    const whole = (await all())[0]!;
    const total = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'] as const;
    const count = (p: GetAccountAuthorizationDetailsResponse) => total.reduce((n, k) => n + (p[k]?.length ?? 0), 0);
    const pages = await all(undefined, 2);
    expect(pages.length).toBe(Math.ceil(count(whole) / 2));
    expect(pages.slice(0, -1).every((p) => p.IsTruncated && count(p) === 2)).toBe(true);
    const arns = pages.flatMap((p) => total.flatMap((k) => (p[k] ?? []).map((e) => e.Arn!)));
    expect(new Set(arns).size).toBe(count(whole));
  });

  test('another account sees only its own entities', async () => {
    const [page] = await all(['User', 'Role'], undefined, MEMBER_KEY);
    expect(page!.UserDetailList!.map((u) => u.Arn)).toEqual([arn(MEMBER, 'user', 'member-user')]);
    expect(page!.RoleDetailList!.map((r) => r.Arn)).toEqual([arn(MEMBER, 'role', 'member-app')]);
  });

  test('bad Filter, MaxItems and Marker are refused; denied actions answer AccessDenied', async () => {
    const iam = client(emulator.endpoint);
    try {
      await expectAwsError(iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Robot' as never] })), 'ValidationError', 400);
      await expectAwsError(iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1001 })), 'InvalidInput', 400);
      await expectAwsError(iam.send(new GetAccountAuthorizationDetailsCommand({ Marker: 'bm90LWEtbWFya2Vy' })), 'InvalidInput', 400);
      emulator.setDeniedActions(['GetAccountAuthorizationDetails']);
      await expectAwsError(iam.send(new GetAccountAuthorizationDetailsCommand({})), 'AccessDenied', 403);
    } finally {
      emulator.setDeniedActions([]);
      iam.destroy();
    }
  });
});

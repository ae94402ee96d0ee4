import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { ADMIN_KEY, MEMBER, MEMBER_KEY, MGMT, OTHER, arn, testWorld } from './helpers';

/**
 * The Organizations operations a sweep needs, over Organizations' JSON 1.1 protocol with SigV4 (service
 * `organizations`) as the real @aws-sdk/client-organizations speaks it; and AssumeRole across accounts, decided by
 * the member role's trust policy.
 */
const trustManagement = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MGMT}:root` }, Action: 'sts:AssumeRole' }],
};
const trustOnlySelf = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'sts:AssumeRole' }],
};
const trustButDeny = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
    { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${MGMT}:user/admin` }, Action: 'sts:*' },
  ],
};

let emulator: RunningEmulator;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  const base = testWorld();
  emulator = await startEmulator({
    world: testWorld({
      accounts: [{ id: MGMT, name: 'management' }, { id: MEMBER, name: 'member', email: 'm@example.com' }, { id: OTHER, name: 'closing', status: 'SUSPENDED' }],
      roles: [
        ...base.roles!,
        { account: MEMBER, name: 'OrganizationAccountAccessRole', assumeRolePolicyDocument: trustManagement },
        { account: OTHER, name: 'OrganizationAccountAccessRole', assumeRolePolicyDocument: trustOnlySelf },
        { account: MEMBER, name: 'denies-admin', assumeRolePolicyDocument: trustButDeny },
      ],
    }),
    port: 0,
  });
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await emulator.close();
});

function organizations(credentials = ADMIN_KEY): OrganizationsClient {
  const c = new OrganizationsClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  clients.push(c);
  return c;
}

async function rejection(promise: Promise<unknown>): Promise<{ name?: string; message?: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error('expected a rejection');
}

describe('Organizations (JSON 1.1)', () => {
  it('ListAccounts answers the management account with every account, Status and State as the SDK parses them', async () => {
    const out = await organizations().send(new ListAccountsCommand({}));
    expect(out.Accounts!.map((a) => [a.Id, a.Name, a.State, a.Status])).toEqual([
      [MGMT, 'management', 'ACTIVE', 'ACTIVE'],
      [MEMBER, 'member', 'ACTIVE', 'ACTIVE'],
      [OTHER, 'closing', 'SUSPENDED', 'SUSPENDED'],
    ]);
    expect(out.Accounts![1]!.Arn).toBe(`arn:aws:organizations::${MGMT}:account/o-4fxmplt198/${MEMBER}`);
    expect(out.Accounts![1]!.Email).toBe('m@example.com');
    expect(out.Accounts![1]!.JoinedTimestamp).toBeInstanceOf(Date);
    expect(out.NextToken).toBeUndefined();
  });

  it('pages with MaxResults and NextToken (the SDK paginator walks them), and rejects a forged token', async () => {
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListAccounts({ client: organizations(), pageSize: 1 }, {})) {
      pages++;
      seen.push(...page.Accounts!.map((a) => a.Id!));
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([MGMT, MEMBER, OTHER]);
    const forged = await rejection(organizations().send(new ListAccountsCommand({ NextToken: 'bm90LWEtdG9rZW4=' })));
    expect(forged.name).toBe('InvalidInputException');
    const tooMany = await rejection(organizations().send(new ListAccountsCommand({ MaxResults: 21 })));
    expect(tooMany.name).toBe('InvalidInputException');
  });

  it('ListAccountsForParent and ListOrganizationalUnitsForParent answer the direct children only', async () => {
    const root = await organizations().send(new ListAccountsForParentCommand({ ParentId: 'r-c3xb' }));
    expect(root.Accounts!.map((a) => a.Id)).toEqual([MGMT]);
    const ous = await organizations().send(new ListOrganizationalUnitsForParentCommand({ ParentId: 'r-c3xb' }));
    expect(ous.OrganizationalUnits!.map((o) => o.Id)).toEqual(['ou-c3xb-lmu7j2yg']);
    const workloads = await organizations().send(new ListAccountsForParentCommand({ ParentId: 'ou-c3xb-lmu7j2yg' }));
    expect(workloads.Accounts!.map((a) => a.Id)).toEqual([MEMBER]);
    const missing = await rejection(organizations().send(new ListAccountsForParentCommand({ ParentId: 'ou-c3xb-zzzzzzzz' })));
    expect(missing.name).toBe('ParentNotFoundException');
  });

  it('a member account is refused (AccessDeniedException); a bad signature is refused before anything', async () => {
    const member = await rejection(organizations(MEMBER_KEY).send(new ListAccountsCommand({})));
    expect(member.name).toBe('AccessDeniedException');
    const forged = await rejection(organizations({ ...ADMIN_KEY, secretAccessKey: 'wrong' }).send(new ListAccountsCommand({})));
    expect(forged.name).toBe('SignatureDoesNotMatchException');
    expect(forged.$metadata?.httpStatusCode).toBe(403);
  });
});

describe('AssumeRole across accounts', () => {
  const sts = (credentials = ADMIN_KEY) => {
    const c = new STSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    clients.push(c);
    return c;
  };

  it('the management account assumes a member role whose trust policy names it; the session acts in the member account', async () => {
    const out = await sts().send(new AssumeRoleCommand({ RoleArn: arn(MEMBER, 'role', 'OrganizationAccountAccessRole'), RoleSessionName: 'sweep' }));
    expect(out.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/OrganizationAccountAccessRole/sweep`);
    const iam = new IAMClient({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      credentials: {
        accessKeyId: out.Credentials!.AccessKeyId!,
        secretAccessKey: out.Credentials!.SecretAccessKey!,
        sessionToken: out.Credentials!.SessionToken!,
      },
    });
    clients.push(iam);
    // GetRole looks names up in the caller's account: the member's member-app, which the management account lacks.
    const role = await iam.send(new GetRoleCommand({ RoleName: 'member-app' }));
    expect(role.Role!.Arn).toBe(arn(MEMBER, 'role', 'member-app'));
  });

  it('a member whose trust policy does not name the caller, or denies it, refuses (AccessDenied)', async () => {
    const notNamed = await rejection(sts().send(new AssumeRoleCommand({ RoleArn: arn(OTHER, 'role', 'OrganizationAccountAccessRole'), RoleSessionName: 'sweep' })));
    expect(notNamed.name).toBe('AccessDenied');
    const denied = await rejection(sts().send(new AssumeRoleCommand({ RoleArn: arn(MEMBER, 'role', 'denies-admin'), RoleSessionName: 'sweep' })));
    expect(denied.name).toBe('AccessDenied');
    // The member's own users may still use it (Principal * allowed, the Deny names only the management admin).
    const own = await sts(MEMBER_KEY).send(new AssumeRoleCommand({ RoleArn: arn(MEMBER, 'role', 'denies-admin'), RoleSessionName: 'own' }));
    expect(own.Credentials!.AccessKeyId).toMatch(/^ASIA/);
  });
});

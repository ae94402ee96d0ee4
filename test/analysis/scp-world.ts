import type { World } from '../../src/emulator/types';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { runOrganizationsAccessReport } from '../../src/iam';
import type { OrganizationsAccessReport } from '../../src/model/report';

/**
 * The SCP proposal tests' organization, whose truth the tests state:
 *   root r-sc01: FullAWSAccess; management 999999999999 and member 333333333333 directly under it
 *   OU ou-sc01-workload1 (only p-Guardrails01, allowing GUARDRAILS): accounts 111111111111, 222222222222
 * Activity (days before the emulator's now):
 *   111111111111  s3 2d, dynamodb 120d
 *   222222222222  sqs 30d, lambda 300d, kms 450d (outside access advisor's 400-day tracking period)
 *   333333333333  ec2 10d
 *   999999999999  organizations 1d, kms 1d  (the management account: never in root/OU reports)
 */
export const ORG = 'o-scptest00001';
export const ROOT = `${ORG}/r-sc01`;
export const OU = `${ROOT}/ou-sc01-workload1`;
export const ACCOUNT_A = '111111111111';
export const ACCOUNT_B = '222222222222';
export const ACCOUNT_C = '333333333333';
export const MGMT = '999999999999';
export const GUARDRAILS = ['cloudtrail', 'dynamodb', 'ec2', 'iam', 'kms', 'lambda', 'logs', 's3', 'sns', 'sqs', 'sts'];
export const ADMIN_KEY = { accessKeyId: 'AKIASCPADMINEXAMPLE1', secretAccessKey: 'scp/admin/secret/EXAMPLEKEY' };

const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement }) as never;
const role = (account: string) => `arn:aws:iam::${account}:role/worker`;

export function scpWorld(): World {
  return {
    accounts: [{ id: MGMT }, { id: ACCOUNT_A }, { id: ACCOUNT_B }, { id: ACCOUNT_C }],
    organization: {
      id: ORG,
      managementAccountId: MGMT,
      root: {
        id: 'r-sc01',
        accounts: [MGMT, ACCOUNT_C],
        organizationalUnits: [{ id: 'ou-sc01-workload1', accounts: [ACCOUNT_A, ACCOUNT_B] }],
      },
      policies: [
        { id: 'p-FullAWSAccess', document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }), targets: ['r-sc01', MGMT, ACCOUNT_A, ACCOUNT_B, ACCOUNT_C] },
        { id: 'p-Guardrails01', document: doc({ Effect: 'Allow', Action: GUARDRAILS.map((s) => `${s}:*`), Resource: '*' }), targets: ['ou-sc01-workload1'] },
      ],
    },
    users: [{ account: MGMT, name: 'admin', createDate: '900d ago', attachedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] }],
    roles: [MGMT, ACCOUNT_A, ACCOUNT_B, ACCOUNT_C].map((account) => ({ account, name: 'worker', createDate: '900d ago', inlinePolicies: { all: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) } })),
    policies: [{ arn: 'arn:aws:iam::aws:policy/AdministratorAccess', document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }],
    accessKeys: [{ id: ADMIN_KEY.accessKeyId, secret: ADMIN_KEY.secretAccessKey, owner: `arn:aws:iam::${MGMT}:user/admin` }],
    events: [
      { principal: role(ACCOUNT_A), action: 's3:GetObject', region: 'us-east-1', time: '2d ago' },
      { principal: role(ACCOUNT_A), action: 'dynamodb:GetItem', region: 'eu-west-1', time: '120d ago' },
      { principal: role(ACCOUNT_B), action: 'sqs:SendMessage', region: 'us-east-1', time: '30d ago' },
      { principal: role(ACCOUNT_B), action: 'lambda:InvokeFunction', region: 'us-east-1', time: '300d ago' },
      { principal: role(ACCOUNT_B), action: 'kms:Decrypt', region: 'us-east-1', time: '450d ago' },
      { principal: role(ACCOUNT_C), action: 'ec2:DescribeInstances', region: 'us-west-2', time: '10d ago' },
      { principal: role(MGMT), action: 'organizations:ListAccounts', region: 'us-east-1', time: '1d ago' },
      { principal: role(MGMT), action: 'kms:Decrypt', region: 'us-east-1', time: '1d ago' },
    ],
    settings: { jobs: { durationMs: 20 } },
  };
}

export async function startScpEmulator(): Promise<RunningEmulator> {
  return startEmulator({ world: scpWorld(), jobs: { durationMs: 20, maxConcurrentOrgJobs: 100 } });
}

export function orgReport(emulator: RunningEmulator, entityPath: string, organizationsPolicyId?: string): Promise<OrganizationsAccessReport> {
  return runOrganizationsAccessReport(
    { entityPath, ...(organizationsPolicyId ? { organizationsPolicyId } : {}) },
    { endpoint: emulator.endpoint, region: 'us-east-1', credentials: ADMIN_KEY, timeoutMs: 30_000 },
  );
}

import type { World } from '../../src/emulator/types';

/**
 * The synth tests' world, whose truth the tests state: `synth-app` may use s3, sqs and dynamodb and used s3 and
 * dynamodb recently and sqs 200 days ago; `synth-doomed` is a fail target; `batch-00`…`batch-59` exist for the
 * batching tests; one organization with a member account that used ec2.
 */
export const ACCOUNT = '123456789012';
export const MEMBER = '210987654321';
export const ADMIN_KEY = { id: 'AKIAIOSFODNN7EXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
export const roleArn = (name: string, path = '/'): string => `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
export const APP_ROLE = roleArn('synth-app', '/svc/');
export const DOOMED_ROLE = roleArn('synth-doomed');
export const ORG_ID = 'o-synthorg001';
export const ROOT_ID = 'r-sy01';
export const MEMBERS_OU = 'ou-sy01-members1';
export const BATCH_ROLES = 60;
export const batchRole = (i: number): string => `batch-${String(i).padStart(2, '0')}`;

const allow = (actions: string[]) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: actions, Resource: '*' }] });

export function synthWorld(): World {
  return {
    description: 'synth-time construct tests',
    accounts: [{ id: ACCOUNT, name: 'management' }, { id: MEMBER, name: 'member' }],
    organization: {
      id: ORG_ID,
      managementAccountId: ACCOUNT,
      root: { id: ROOT_ID, accounts: [ACCOUNT], organizationalUnits: [{ id: MEMBERS_OU, accounts: [MEMBER] }] },
      policies: [
        {
          id: 'p-FullAWSAccess',
          name: 'FullAWSAccess',
          document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
          targets: [ROOT_ID],
        },
      ],
    },
    users: [{ account: ACCOUNT, name: 'admin', createDate: '900d ago', inlinePolicies: { admin: allow(['*']) } }],
    roles: [
      {
        account: ACCOUNT,
        name: 'synth-app',
        path: '/svc/',
        createDate: '500d ago',
        inlinePolicies: { app: allow(['s3:ListAllMyBuckets', 's3:GetBucketLocation', 'sqs:SendMessage', 'dynamodb:GetItem']) },
      },
      { account: ACCOUNT, name: 'synth-doomed', createDate: '500d ago', inlinePolicies: { d: allow(['s3:ListAllMyBuckets']) } },
      ...Array.from({ length: BATCH_ROLES }, (_, i) => ({
        account: ACCOUNT,
        name: batchRole(i),
        createDate: '500d ago',
        inlinePolicies: { b: allow(['s3:ListAllMyBuckets', 'sqs:SendMessage']) },
      })),
      { account: MEMBER, name: 'worker', createDate: '500d ago', inlinePolicies: { w: allow(['ec2:Describe*']) } },
    ],
    accessKeys: [{ id: ADMIN_KEY.id, secret: ADMIN_KEY.secret, owner: `arn:aws:iam::${ACCOUNT}:user/admin` }],
    events: [
      { principal: APP_ROLE, action: 's3:ListAllMyBuckets', time: '3d ago', region: 'us-east-1' },
      { principal: APP_ROLE, action: 'dynamodb:GetItem', time: '10d ago', region: 'eu-west-1' },
      { principal: APP_ROLE, action: 'sqs:SendMessage', time: '200d ago', region: 'us-east-1' },
      ...Array.from({ length: BATCH_ROLES }, (_, i) => ({ principal: roleArn(batchRole(i)), action: 's3:ListAllMyBuckets', time: '2d ago' })),
      { principal: `arn:aws:iam::${MEMBER}:role/worker`, action: 'ec2:DescribeInstances', time: '2d ago' },
    ],
    settings: { jobs: { durationMs: 50, failTargets: [DOOMED_ROLE] } },
  };
}

import type { World } from '../../src/emulator/types';
import { ADMIN_KEY } from './support';

/**
 * A small world whose truth the tests can state: `plan-app` may use s3, sqs and dynamodb but used only s3 and
 * dynamodb recently; `plan-tidy` used everything it may use; `plan-doomed` is a fail target; the organization has
 * one OU with the management account and one member account.
 */
export const ACCOUNT = '123456789012';
export const MEMBER = '210987654321';
export const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/plan-app`;
export const TIDY_ROLE = `arn:aws:iam::${ACCOUNT}:role/plan-tidy`;
export const DOOMED_ROLE = `arn:aws:iam::${ACCOUNT}:role/plan-doomed`;
export const MISSING_ROLE = `arn:aws:iam::${ACCOUNT}:role/plan-nobody`;
export const ORG_ID = 'o-planorg0001';
export const ROOT_ID = 'r-pl01';
export const ORG_ROOT_PATH = `${ORG_ID}/${ROOT_ID}`;

/** Services plan-app may use, and those it used within the last 90 days. */
export const APP_ALLOWED_SERVICES = ['dynamodb', 's3', 'sqs'];
export const APP_USED_SERVICES = ['dynamodb', 's3'];

export function planWorld(): World {
  return {
    description: 'plan-time tests',
    accounts: [{ id: ACCOUNT, name: 'management' }, { id: MEMBER, name: 'member' }],
    organization: {
      id: ORG_ID,
      managementAccountId: ACCOUNT,
      root: { id: ROOT_ID, accounts: [ACCOUNT], organizationalUnits: [{ id: 'ou-pl01-members1', accounts: [MEMBER] }] },
      policies: [
        {
          id: 'p-FullAWSAccess',
          name: 'FullAWSAccess',
          document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
          targets: [ROOT_ID],
        },
      ],
    },
    users: [
      {
        account: ACCOUNT,
        name: 'admin',
        createDate: '900d ago',
        inlinePolicies: { admin: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
      },
    ],
    roles: [
      {
        account: ACCOUNT,
        name: 'plan-app',
        createDate: '500d ago',
        inlinePolicies: {
          app: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: ['s3:ListAllMyBuckets', 's3:GetBucketLocation'], Resource: '*' },
              { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: '*' },
              { Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: '*' },
            ],
          },
        },
      },
      {
        account: ACCOUNT,
        name: 'plan-tidy',
        createDate: '500d ago',
        inlinePolicies: {
          tidy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }] },
        },
      },
      {
        account: ACCOUNT,
        name: 'plan-doomed',
        createDate: '500d ago',
        inlinePolicies: {
          doomed: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }] },
        },
      },
      {
        account: MEMBER,
        name: 'worker',
        createDate: '500d ago',
        inlinePolicies: {
          worker: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }] },
        },
      },
    ],
    accessKeys: [{ id: ADMIN_KEY.id, secret: ADMIN_KEY.secret, owner: `arn:aws:iam::${ACCOUNT}:user/admin` }],
    events: [
      { principal: APP_ROLE, action: 's3:ListAllMyBuckets', time: '3d ago', region: 'us-east-1' },
      { principal: APP_ROLE, action: 's3:GetBucketLocation', time: '5d ago', region: 'us-east-1' },
      { principal: APP_ROLE, action: 'dynamodb:GetItem', time: '10d ago', region: 'eu-west-1' },
      // sqs was used, but long ago: unused for a 90-day window, used for a 365-day one.
      { principal: APP_ROLE, action: 'sqs:SendMessage', time: '200d ago', region: 'us-east-1' },
      { principal: TIDY_ROLE, action: 's3:ListAllMyBuckets', time: '1d ago', region: 'us-east-1' },
      { principal: `arn:aws:iam::${MEMBER}:role/worker`, action: 'ec2:DescribeInstances', time: '2d ago' },
    ],
    settings: { jobs: { durationMs: 50, failTargets: [DOOMED_ROLE] } },
  };
}

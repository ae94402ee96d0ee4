import type { World } from '../../src/emulator/types';

/** A small organization and IAM account for the engine's integration tests. */
export const MGMT = '123456789012';
export const MEMBER = '111111111111';
export const OTHER = '222222222222';
export const ORG = 'o-a1b2c3d4e5';
export const ROOT = 'r-ab12';
export const OU = 'ou-ab12-11111111';
export const SUB_OU = 'ou-ab12-22222222';
export const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
export const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const CREDENTIALS = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };

export const ARNS = {
  admin: `arn:aws:iam::${MGMT}:user/admin`,
  alice: `arn:aws:iam::${MGMT}:user/engineering/alice`,
  devs: `arn:aws:iam::${MGMT}:group/devs`,
  deployer: `arn:aws:iam::${MGMT}:role/service-role/deployer`,
  broken: `arn:aws:iam::${MGMT}:role/broken`,
  readS3: `arn:aws:iam::${MGMT}:policy/app/ReadS3`,
  big: `arn:aws:iam::${MGMT}:policy/Big`,
  readOnly: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
};

export const PATHS = {
  root: `${ORG}/${ROOT}`,
  ou: `${ORG}/${ROOT}/${OU}`,
  member: `${ORG}/${ROOT}/${OU}/${MEMBER}`,
  management: `${ORG}/${ROOT}/${MGMT}`,
};
export const SCP_FULL = 'p-FullAWSAccess';
export const SCP_NO_EC2 = 'p-noec2xxxx';

const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: '*', Resource: '*' }] };

export function testWorld(opts: { bigPolicyUsers?: number } = {}): World {
  const bigUsers = Array.from({ length: opts.bigPolicyUsers ?? 0 }, (_, i) => ({
    account: MGMT,
    name: `bulk-${String(i).padStart(4, '0')}`,
    attachedPolicies: [ARNS.big],
  }));
  return {
    accounts: [{ id: MGMT, name: 'management' }, { id: MEMBER, name: 'member' }, { id: OTHER, name: 'other' }],
    organization: {
      id: ORG,
      managementAccountId: MGMT,
      root: {
        id: ROOT,
        accounts: [MGMT],
        organizationalUnits: [{ id: OU, accounts: [MEMBER], organizationalUnits: [{ id: SUB_OU, accounts: [OTHER] }] }],
      },
      policies: [
        // As in AWS, FullAWSAccess sits on every node: a node without any SCP allows nothing.
        { id: SCP_FULL, document: allowAll, targets: [ROOT, OU, SUB_OU, MGMT, MEMBER, OTHER] },
        {
          id: SCP_NO_EC2,
          document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'iam:*', 'lambda:*'], Resource: '*' }] },
          targets: [OU],
        },
      ],
    },
    users: [
      { account: MGMT, name: 'admin', createDate: '400d ago', inlinePolicies: { all: allowAll } },
      {
        account: MGMT,
        name: 'alice',
        path: '/engineering/',
        createDate: '200d ago',
        attachedPolicies: [ARNS.readS3, ARNS.readOnly],
        inlinePolicies: {
          ec2: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ec2:Describe*', 'ec2:RunInstances'], Resource: '*' }] },
        },
      },
      ...bigUsers,
    ],
    groups: [{ account: MGMT, name: 'devs', members: ['alice'], createDate: '300d ago', attachedPolicies: [ARNS.readS3] }],
    roles: [
      {
        account: MGMT,
        name: 'deployer',
        path: '/service-role/',
        createDate: '100d ago',
        inlinePolicies: {
          deploy: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['lambda:*', 's3:PutObject', 'iam:PassRole', 'iam:GetRole'], Resource: '*' }],
          },
        },
      },
      { account: MGMT, name: 'broken', inlinePolicies: { p: allowAll } },
      { account: MEMBER, name: 'app', inlinePolicies: { p: allowAll } },
      { account: OTHER, name: 'app', inlinePolicies: { p: allowAll } },
    ],
    policies: [
      {
        arn: ARNS.readS3,
        createDate: '500d ago',
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: '*' }] },
      },
      {
        arn: ARNS.big,
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 'sqs:SendMessage'], Resource: '*' }] },
      },
      {
        arn: ARNS.readOnly,
        createDate: '2000d ago',
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 'ec2:Describe*', 'iam:Get*', 'iam:List*'], Resource: '*' }] },
      },
    ],
    accessKeys: [{ id: ACCESS_KEY, secret: SECRET_KEY, owner: ARNS.admin }],
    events: [
      { principal: ARNS.alice, action: 's3:GetObject', region: 'us-east-1', time: '2d ago' },
      { principal: ARNS.alice, action: 's3:ListBucket', region: 'eu-west-1', time: '10d ago' },
      { principal: ARNS.alice, action: 'ec2:DescribeInstances', region: 'us-east-1', time: '30d ago' },
      { principal: ARNS.deployer, action: 'lambda:UpdateFunctionCode', region: 'us-east-1', time: '1d ago' },
      { principal: ARNS.deployer, action: 's3:PutObject', region: 'us-east-1', time: '5d ago' },
      { principal: `arn:aws:iam::${MEMBER}:role/app`, action: 's3:GetObject', region: 'us-east-1', time: '3d ago' },
      { principal: `arn:aws:iam::${MEMBER}:role/app`, action: 'dynamodb:GetItem', region: 'us-east-1', time: '20d ago' },
      { principal: `arn:aws:iam::${OTHER}:role/app`, action: 'ec2:RunInstances', region: 'us-west-2', time: '7d ago' },
      ...bigUsers.slice(0, 3).map((u, i) => ({ principal: `arn:aws:iam::${MGMT}:user/${u.name}`, action: 's3:GetObject', time: `${i + 1}h ago` })),
    ],
    settings: { seed: 7, jobs: { durationMs: 30 } },
  };
}

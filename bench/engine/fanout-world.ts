import type { World } from '../../src/emulator/types';

export const BENCH_ACCOUNT = '123456789012';
export const BENCH_ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
export const BENCH_SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

const SERVICES = ['s3', 'ec2', 'lambda', 'dynamodb', 'sqs', 'sns', 'iam', 'kms', 'logs', 'cloudwatch'];

/** One account with `roles` roles, each allowed a few services and with some recorded use. */
export function fanoutWorld(roles: number): World {
  const roleNames = Array.from({ length: roles }, (_, i) => benchRoleName(i));
  return {
    accounts: [{ id: BENCH_ACCOUNT }],
    ...benchAdmin(),
    roles: roleNames.map((name, i) => ({
      account: BENCH_ACCOUNT,
      name,
      createDate: '300d ago',
      inlinePolicies: {
        work: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: SERVICES.slice(0, 3 + (i % 7)).map((s) => `${s}:*`), Resource: '*' }],
        },
      },
    })),
    events: roleNames.flatMap((name, i) => [
      { principal: `arn:aws:iam::${BENCH_ACCOUNT}:role/${name}`, action: 's3:GetObject', region: 'us-east-1', time: `${1 + (i % 30)}d ago` },
      { principal: `arn:aws:iam::${BENCH_ACCOUNT}:role/${name}`, action: 'ec2:DescribeInstances', time: `${100 + i}d ago` },
    ]),
  };
}

export function benchRoleName(i: number): string {
  return `bench-role-${String(i).padStart(4, '0')}`;
}

export function benchRoleArn(i: number): string {
  return `arn:aws:iam::${BENCH_ACCOUNT}:role/${benchRoleName(i)}`;
}

/** The admin user whose key signs every bench request, and that key: the part every bench world shares. */
export function benchAdmin(): Pick<World, 'users' | 'accessKeys'> {
  return {
    users: [
      {
        account: BENCH_ACCOUNT,
        name: 'bench-admin',
        inlinePolicies: { all: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
      },
    ],
    accessKeys: [{ id: BENCH_ACCESS_KEY, secret: BENCH_SECRET_KEY, owner: `arn:aws:iam::${BENCH_ACCOUNT}:user/bench-admin` }],
  };
}

// Seeded generators of policies and requests shared by the differential tests.

/** mulberry32: a small seeded PRNG so every run generates the same policies. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Requests: concrete actions on concrete resources of a matching type (iam-simulate checks resource types).
export const REQUESTS: readonly [string, string][] = [
  ['s3:GetObject', 'arn:aws:s3:::alpha/key1'],
  ['s3:GetObject', 'arn:aws:s3:::beta/key2'],
  ['s3:PutObject', 'arn:aws:s3:::alpha/key1'],
  ['s3:DeleteObject', 'arn:aws:s3:::beta/key2'],
  ['s3:GetBucketPolicy', 'arn:aws:s3:::alpha'],
  ['dynamodb:GetItem', 'arn:aws:dynamodb:us-east-1:123456789012:table/t1'],
  ['dynamodb:PutItem', 'arn:aws:dynamodb:us-east-1:123456789012:table/t2'],
  ['iam:PassRole', 'arn:aws:iam::123456789012:role/worker'],
  ['iam:CreateUser', 'arn:aws:iam::123456789012:user/bob'],
  ['lambda:InvokeFunction', 'arn:aws:lambda:us-east-1:123456789012:function:f1'],
  ['ec2:TerminateInstances', 'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc'],
];

export const ACTION_PATTERNS = [
  '*', 's3:*', 's3:Get*', 's3:GetObject', 'S3:getobject', 's3:*Object', 's3:Get?bject', 's3:Put*', 's3:GetBucket*',
  'dynamodb:*', 'dynamodb:GetItem', 'dynamodb:*Item', 'iam:*', 'iam:PassRole', 'iam:Pass*', 'iam:Create*',
  'lambda:Invoke*', 'ec2:*', 'ec2:Terminate?nstances', 'ec2:Describe*',
];

export const RESOURCE_PATTERNS = [
  '*', 'arn:aws:s3:::alpha/*', 'arn:aws:s3:::*', 'arn:aws:s3:::alpha/key?', 'arn:aws:s3:::ALPHA/*', 'arn:aws:s3:::beta/key2',
  'arn:aws:dynamodb:*:123456789012:table/*', 'arn:aws:dynamodb:us-east-1:123456789012:table/t1', 'arn:aws:iam::123456789012:role/*',
  'arn:aws:iam::*:user/bob', 'arn:aws:lambda:us-east-1:123456789012:function:*', 'arn:aws:ec2:*:*:instance/*', 'arn:aws:s3:::alpha',
];

export function pick<T>(rand: () => number, list: readonly T[], min: number, max: number): T[] {
  const n = min + Math.floor(rand() * (max - min + 1));
  return Array.from({ length: n }, () => list[Math.floor(rand() * list.length)]!);
}

export function randomPolicy(rand: () => number) {
  const statements = pick(rand, [0], 1, 3).map(() => {
    const actions = pick(rand, ACTION_PATTERNS, 1, 3);
    const resources = pick(rand, RESOURCE_PATTERNS, 1, 2);
    return {
      Effect: rand() < 0.3 ? 'Deny' : 'Allow',
      [rand() < 0.2 ? 'NotAction' : 'Action']: actions.length === 1 ? actions[0] : actions,
      [rand() < 0.15 ? 'NotResource' : 'Resource']: resources.length === 1 ? resources[0] : resources,
    };
  });
  return { Version: '2012-10-17', Statement: statements };
}


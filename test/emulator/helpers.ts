import { IAMClient } from '@aws-sdk/client-iam';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../src/emulator/sigv4';
import type { World } from '../../src/emulator';

export const MGMT = '123456789012';
export const MEMBER = '234567890123';
export const OTHER = '345678901234';
export const ADMIN_KEY = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
export const ALICE_KEY = { accessKeyId: 'AKIAALICEEXAMPLE0001', secretAccessKey: 'alice/secret/EXAMPLEKEY' };
export const MEMBER_KEY = { accessKeyId: 'AKIAMEMBEREXAMPLE001', secretAccessKey: 'member/secret/EXAMPLEKEY' };

export const arn = (account: string, kind: string, name: string) => `arn:aws:iam::${account}:${kind}/${name}`;
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement }) as never;
const allow = (Action: string | string[]) => ({ Effect: 'Allow', Action, Resource: '*' });

/** A small world with known answers: every expectation in the tests is derived from what is written here. */
export function testWorld(overrides: Partial<World> = {}): World {
  return {
    accounts: [{ id: MGMT }, { id: MEMBER }, { id: OTHER }],
    organization: {
      id: 'o-4fxmplt198',
      managementAccountId: MGMT,
      root: {
        id: 'r-c3xb',
        accounts: [MGMT],
        organizationalUnits: [{ id: 'ou-c3xb-lmu7j2yg', accounts: [MEMBER], organizationalUnits: [{ id: 'ou-c3xb-sandbox1', accounts: [OTHER] }] }],
      },
      policies: [
        { id: 'p-FullAWSAccess', document: doc(allow('*')), targets: ['r-c3xb', 'ou-c3xb-sandbox1', MGMT, MEMBER, OTHER] },
        { id: 'p-OnlyS3AndDynamo', document: doc(allow(['s3:*', 'dynamodb:*'])), targets: ['ou-c3xb-lmu7j2yg'] },
        { id: 'p-NoDynamoSandbox', document: doc({ Effect: 'Deny', Action: 'dynamodb:*', Resource: '*' }), targets: ['ou-c3xb-sandbox1'] },
        { id: 'p-Unattached01', document: doc(allow('sqs:*')), targets: [] },
      ],
    },
    users: [
      { account: MGMT, name: 'admin', createDate: '700d ago', attachedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
      { account: MGMT, name: 'alice', createDate: '100d ago', inlinePolicies: { own: doc(allow('sqs:SendMessage')) } },
      { account: MGMT, name: 'bob', createDate: '50d ago' },
      { account: MEMBER, name: 'member-user' },
    ],
    groups: [{ account: MGMT, name: 'interns', members: ['alice', 'bob'], attachedPolicies: [arn(MGMT, 'policy', 'intern-boundary')], inlinePolicies: { 'group-extra': doc(allow('cloudwatch:GetMetricData')) } }],
    roles: [
      { account: MGMT, name: 'app-deployer', createDate: '30d ago', attachedPolicies: [arn(MGMT, 'policy', 'deployer')], inlinePolicies: { logs: doc(allow('logs:CreateLogGroup')) } },
      { account: MEMBER, name: 'member-app', inlinePolicies: { data: doc(allow(['dynamodb:GetItem', 's3:GetObject'])) } },
      { account: OTHER, name: 'sandbox-app', inlinePolicies: { all: doc(allow('*')) } },
    ],
    policies: [
      { arn: 'arn:aws:iam::aws:policy/AdministratorAccess', document: doc(allow('*')) },
      { arn: arn(MGMT, 'policy', 'intern-boundary'), document: doc(allow(['s3:Get*', 's3:List*']), { Effect: 'Deny', Action: 's3:*', Resource: '*' }) },
      { arn: arn(MGMT, 'policy', 'deployer'), document: doc(allow(['s3:*', 'ec2:*', 'lambda:*', 'iam:PassRole', 'iam:GetRole'])) },
    ],
    accessKeys: [
      { id: ADMIN_KEY.accessKeyId, secret: ADMIN_KEY.secretAccessKey, owner: arn(MGMT, 'user', 'admin') },
      { id: ALICE_KEY.accessKeyId, secret: ALICE_KEY.secretAccessKey, owner: arn(MGMT, 'user', 'alice') },
      { id: MEMBER_KEY.accessKeyId, secret: MEMBER_KEY.secretAccessKey, owner: arn(MEMBER, 'user', 'member-user') },
    ],
    events: [
      { principal: arn(MGMT, 'role', 'app-deployer'), action: 's3:CreateBucket', region: 'us-east-1', time: '2d ago' },
      { principal: arn(MGMT, 'role', 'app-deployer'), action: 's3:GetObject', region: 'us-east-1', time: '1d ago' },
      { principal: arn(MGMT, 'role', 'app-deployer'), action: 'iam:PassRole', region: 'us-east-1', time: '1d ago' },
      { principal: arn(MGMT, 'role', 'app-deployer'), action: 'iam:GetRole', region: 'eu-west-1', time: '3d ago' },
      { principal: arn(MGMT, 'role', 'app-deployer'), action: 'lambda:CreateFunction', region: 'us-west-2', time: '10d ago' },
      { principal: arn(MGMT, 'role', 'app-deployer'), action: 'ec2:RunInstances', region: 'us-east-1', time: '450d ago' },
      { principal: arn(MGMT, 'user', 'alice'), action: 's3:ListAllMyBuckets', region: 'us-east-1', time: '5d ago' },
      { principal: arn(MGMT, 'user', 'bob'), action: 's3:GetBucketPolicy', region: 'eu-central-1', time: '4d ago' },
      { principal: arn(MGMT, 'user', 'bob'), action: 's3:PutBucketPolicy', region: 'eu-central-1', time: '3d ago', denied: true },
      { principal: arn(MGMT, 'user', 'admin'), action: 'organizations:ListAccounts', region: 'us-east-1', time: '6h ago' },
      { principal: arn(MEMBER, 'role', 'member-app'), action: 'dynamodb:GetItem', region: 'eu-west-1', time: '7d ago' },
      { principal: arn(MEMBER, 'role', 'member-app'), action: 's3:GetObject', region: 'eu-west-1', time: '20d ago' },
      { principal: arn(OTHER, 'role', 'sandbox-app'), action: 's3:PutObject', region: 'ap-south-1', time: '1d ago' },
      { principal: arn(OTHER, 'role', 'sandbox-app'), action: 'ec2:DescribeInstances', region: 'ap-south-1', time: '12d ago' },
    ],
    settings: { jobs: { durationMs: 50 } },
    ...overrides,
  };
}

export function client(endpoint: string, credentials = ADMIN_KEY, maxAttempts = 1): IAMClient {
  return new IAMClient({ endpoint, region: 'us-east-1', credentials, maxAttempts });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls a Get* call until the job leaves IN_PROGRESS; returns the final answer and the number of polls. */
export async function untilDone<T extends { JobStatus?: string }>(get: () => Promise<T>): Promise<{ result: T; polls: number }> {
  for (let polls = 1; polls <= 200; polls++) {
    const result = await get();
    if (result.JobStatus !== 'IN_PROGRESS') return { result, polls };
    await sleep(20);
  }
  throw new Error('job did not finish after 200 polls');
}

/** Asserts a rejected SDK call carries this wire error. */
export async function expectAwsError(promise: Promise<unknown>, code: string, status: number): Promise<Error & { message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; Code?: string; $metadata?: { httpStatusCode?: number } };
    expect({ code: e.Code ?? e.name, status: e.$metadata?.httpStatusCode }).toEqual({ code, status });
    return error as Error;
  }
  throw new Error(`expected ${code} (${status}) but the call succeeded`);
}

export interface RawQueryOptions {
  /** The SigV4 service name the request is signed for (default iam). */
  readonly service?: 'iam' | 'sts';
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Signed at this date instead of now. */
  readonly signingDate?: Date;
  /** false: send it unsigned. */
  readonly sign?: boolean;
  /** false: no x-amz-content-sha256 header (the signature still covers the body). */
  readonly checksumHeader?: boolean;
  /** Headers added after signing (not covered by the signature). */
  readonly extraHeaders?: Record<string, string>;
  /** A body sent instead of the signed one (a tampered request). */
  readonly sentBody?: string;
}

/** A raw AWS Query request to the emulator, signed as the SDK would sign it (or not), to look at the wire. */
export async function rawQuery(endpoint: string, body: string, options: RawQueryOptions = {}) {
  const url = new URL(endpoint);
  let headers: Record<string, string> = { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  if (options.sign !== false) {
    const signer = new SignatureV4({
      service: options.service ?? 'iam',
      region: 'us-east-1',
      credentials: options.credentials ?? ADMIN_KEY,
      sha256: NodeSha256,
      applyChecksum: options.checksumHeader ?? true,
    });
    const request = { method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers, body };
    const signed = await signer.sign(request, options.signingDate ? { signingDate: options.signingDate } : {});
    headers = signed.headers as Record<string, string>;
  }
  const response = await fetch(`${endpoint}/`, { method: 'POST', headers: { ...headers, ...options.extraHeaders }, body: options.sentBody ?? body });
  return { status: response.status, requestId: response.headers.get('x-amzn-requestid'), text: await response.text() };
}

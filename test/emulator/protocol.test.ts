import {
  GenerateOrganizationsAccessReportCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetOrganizationsAccessReportCommand,
  GetServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsWithEntitiesCommand,
  ListPoliciesGrantingServiceAccessCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { ADMIN_KEY, ALICE_KEY, MEMBER, MGMT, arn, client, expectAwsError, rawQuery, testWorld, untilDone } from './helpers';

let emulator: RunningEmulator;
let iam: IAMClient;

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld(), jobs: { durationMs: 60_000 } }); // jobs stay IN_PROGRESS unless a test shortens them
  iam = client(emulator.endpoint);
});
afterAll(async () => {
  iam.destroy();
  await emulator.close();
});

/** A raw Query request, signed like the SDK would sign it (or not at all); `tamper` sends another body than the signed one. */
function raw(body: string, options: { sign?: boolean; tamper?: boolean; checksumHeader?: boolean } = {}) {
  const { tamper, ...rest } = options;
  return rawQuery(emulator.endpoint, body, { ...rest, ...(tamper ? { sentBody: `${body}&x=1` } : {}) });
}

describe('AWS Query protocol on the wire', () => {
  test('an IN_PROGRESS job: <ServicesLastAccessed/>, no JobCompletionDate, x-amzn-RequestId header and body', async () => {
    const { JobId } = await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn(MGMT, 'user', 'admin') }));
    const r = await raw(`Action=GetServiceLastAccessedDetails&Version=2010-05-08&JobId=${JobId}`);
    expect(r.status).toBe(200);
    expect(r.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.text).toContain('<GetServiceLastAccessedDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetServiceLastAccessedDetailsResult>');
    expect(r.text).toContain('<JobStatus>IN_PROGRESS</JobStatus>');
    expect(r.text).toContain('<ServicesLastAccessed/>');
    expect(r.text).not.toContain('JobCompletionDate');
    expect(r.text).toContain(`<ResponseMetadata><RequestId>${r.requestId}</RequestId></ResponseMetadata>`);
  });

  test('errors are ErrorResponse bodies with Type, Code, Message and the request id', async () => {
    const r = await raw('Action=GetServiceLastAccessedDetails&Version=2010-05-08&JobId=00000000-0000-4000-8000-000000000000');
    expect(r.status).toBe(404);
    expect(r.text).toMatch(/<ErrorResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>NoSuchEntity<\/Code><Message>[^<]+<\/Message><\/Error><RequestId>/);
    expect(r.text).toContain(`<RequestId>${r.requestId}</RequestId>`);
  });

  test('unknown Action → 400 InvalidAction; unsigned → 403 MissingAuthenticationToken; tampered body → 403 SignatureDoesNotMatch', async () => {
    const unknown = await raw('Action=CreateUser&Version=2010-05-08&UserName=x');
    expect([unknown.status, /<Code>InvalidAction<\/Code>/.test(unknown.text)]).toEqual([400, true]);
    const unsigned = await raw('Action=GetUser&Version=2010-05-08', { sign: false });
    expect([unsigned.status, /<Code>MissingAuthenticationToken<\/Code>/.test(unsigned.text)]).toEqual([403, true]);
    const tampered = await raw('Action=GetUser&Version=2010-05-08', { tamper: true });
    expect([tampered.status, /<Code>SignatureDoesNotMatch<\/Code>/.test(tampered.text)]).toEqual([403, true]);
    const tamperedNoHashHeader = await raw('Action=GetUser&Version=2010-05-08', { tamper: true, checksumHeader: false });
    expect([tamperedNoHashHeader.status, /<Code>SignatureDoesNotMatch<\/Code>/.test(tamperedNoHashHeader.text)]).toEqual([403, true]);
    const fine = await raw('Action=GetUser&Version=2010-05-08');
    expect(fine.status).toBe(200);
  });

  test('the SDK is refused with a wrong secret (403 SignatureDoesNotMatch) and an unknown key (403 InvalidClientTokenId)', async () => {
    const wrongSecret = client(emulator.endpoint, { accessKeyId: ADMIN_KEY.accessKeyId, secretAccessKey: 'not-the-secret' });
    const unknownKey = client(emulator.endpoint, { accessKeyId: 'AKIANOTINTHEWORLD000', secretAccessKey: 'x' });
    try {
      const e = await expectAwsError(wrongSecret.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn(MGMT, 'user', 'admin') })), 'SignatureDoesNotMatch', 403);
      expect(e.message).not.toContain(ADMIN_KEY.secretAccessKey);
      await expectAwsError(unknownKey.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn(MGMT, 'user', 'admin') })), 'InvalidClientTokenId', 403);
    } finally {
      wrongSecret.destroy();
      unknownKey.destroy();
    }
  });
});

describe('jobs belong to their principal and can vanish', () => {
  test('another principal asking for the JobId gets 404 NoSuchEntity; the owner reads it', async () => {
    const { JobId } = await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn(MGMT, 'group', 'interns') }));
    const alice = client(emulator.endpoint, ALICE_KEY);
    try {
      await expectAwsError(alice.send(new GetServiceLastAccessedDetailsCommand({ JobId })), 'NoSuchEntity', 404);
      await expectAwsError(alice.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId, ServiceNamespace: 's3' })), 'NoSuchEntity', 404);
    } finally {
      alice.destroy();
    }
    expect((await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId }))).JobStatus).toBe('IN_PROGRESS');
  });

  test('a forgotten job answers 404 NoSuchEntity; a service JobId is not an organizations JobId', async () => {
    const { JobId } = await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn(MGMT, 'user', 'admin') }));
    await expectAwsError(iam.send(new GetOrganizationsAccessReportCommand({ JobId })), 'NoSuchEntity', 404);
    emulator.forgetJob(JobId!);
    await expectAwsError(iam.send(new GetServiceLastAccessedDetailsCommand({ JobId })), 'NoSuchEntity', 404);
    const org = await iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: 'o-4fxmplt198/r-c3xb' }));
    await expectAwsError(iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: org.JobId })), 'NoSuchEntity', 404);
    emulator.forgetJob(org.JobId!);
  });
});

describe('input validation as IAM documents it (reference §2)', () => {
  const invalid = (p: Promise<unknown>) => expectAwsError(p, 'InvalidInput', 400);
  let jobId: string;
  beforeAll(async () => {
    emulator.setJobs({ durationMs: 0 });
    jobId = (await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }))).JobId!;
    await untilDone(() => iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId })));
  });
  afterAll(() => emulator.setJobs({ durationMs: 60_000 }));

  test('JobId must be 36 characters; MaxItems 1..1000; Marker 1..320 of \\u0020-\\u00FF and one we issued', async () => {
    await invalid(iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId.slice(1) })));
    await invalid(iam.send(new GetOrganizationsAccessReportCommand({ JobId: 'x' })).catch((e: { Code?: string; name: string; $metadata: unknown }) => {
      // GetOAR documents only NoSuchEntity, but a malformed JobId is still refused as input.
      throw e;
    }));
    await invalid(iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, MaxItems: 0 })));
    await invalid(iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, MaxItems: 1001 })));
    expect((await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, MaxItems: 1000 }))).IsTruncated).toBe(false);
    await invalid(iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, Marker: 'garbage' })));
    await invalid(iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, Marker: 'a'.repeat(321) })));
    await invalid(iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, Marker: 'snow\u2603man' })));
    const page = await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, MaxItems: 2 }));
    // A marker of this job is not a marker of the WithEntities list.
    await invalid(iam.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: jobId, ServiceNamespace: 's3', Marker: page.Marker })));
    await invalid(iam.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: jobId, ServiceNamespace: 'bad namespace!' })));
  });

  test('ARNs: length, kind and account; Granularity enum; unknown principals are NoSuchEntity', async () => {
    const generate = (Arn: string, Granularity?: string) =>
      iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn, Granularity: Granularity as never }));
    await invalid(generate('arn:aws:iam::1:u/x'));
    await invalid(generate('arn:aws:s3:::my-bucket-name-here'));
    await invalid(generate(arn(MGMT, 'user', 'admin'), 'EVERYTHING'));
    await expectAwsError(generate(arn(MGMT, 'role', 'nobody')), 'NoSuchEntity', 404);
    await expectAwsError(generate(arn(MEMBER, 'role', 'member-app')), 'NoSuchEntity', 404); // another account's role
    await expectAwsError(generate(arn(MGMT, 'policy', 'not-declared')), 'NoSuchEntity', 404);
  });

  test('ListPoliciesGrantingServiceAccess: 1 to 200 namespaces, users/groups/roles only', async () => {
    const list = (Arn: string, ServiceNamespaces: string[]) => iam.send(new ListPoliciesGrantingServiceAccessCommand({ Arn, ServiceNamespaces }));
    await invalid(list(arn(MGMT, 'user', 'alice'), [])); // the SDK sends `ServiceNamespaces=`
    await invalid(list(arn(MGMT, 'user', 'alice'), Array.from({ length: 201 }, (_, i) => `svc${i}`)));
    expect((await list(arn(MGMT, 'user', 'alice'), Array.from({ length: 200 }, (_, i) => `svc${i}`))).PoliciesGrantingServiceAccess).toHaveLength(200);
    await invalid(list('arn:aws:iam::aws:policy/AdministratorAccess', ['s3']));
    await expectAwsError(list(arn(MGMT, 'user', 'nobody'), ['s3']), 'NoSuchEntity', 404);
  });
});

import { SignatureV4 } from '@smithy/signature-v4';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { NodeSha256 } from '../../src/emulator/sigv4';
import { ADMIN_KEY, MGMT, arn, rawQuery, testWorld } from './helpers';

/**
 * Requests signed by hand (@smithy/signature-v4 with a fixed signing date) against an emulator whose request clock
 * is pinned: IAM accepts a signature up to 15 minutes either side of its clock and refuses the rest with
 * 403 SignatureDoesNotMatch; a session token must be one the emulator issued or the world declares.
 */
const NOW = new Date('2026-03-01T12:00:00Z');
const MINUTE = 60_000;
const DAY = 86_400_000;
const TEMP_KEY = { accessKeyId: 'ASIAWORLDTEMPKEY0001', secretAccessKey: 'temporary/secret/of/the/world', sessionToken: 'WorldDeclaredToken/abc+123=' };

let emulator: RunningEmulator;

beforeAll(async () => {
  const world = testWorld();
  world.accessKeys.push({ id: TEMP_KEY.accessKeyId, secret: TEMP_KEY.secretAccessKey, owner: arn(MGMT, 'user', 'alice'), sessionToken: TEMP_KEY.sessionToken });
  emulator = await startEmulator({ world, requestClock: () => new Date(NOW) });
});
afterAll(async () => {
  await emulator.close();
});

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

async function signedGetUser(signingDate: Date, credentials: Credentials = ADMIN_KEY, extraHeaders: Record<string, string> = {}) {
  const { status, text } = await rawQuery(emulator.endpoint, 'Action=GetUser&Version=2010-05-08', { signingDate, credentials, extraHeaders });
  return { status, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1], message: /<Message>([^<]+)<\/Message>/.exec(text)?.[1], text };
}

describe('SigV4 signing date: 15 minutes either side of the server clock', () => {
  test.each([
    ['16 minutes ago', -16 * MINUTE, 'Signature expired: 20260301T114400Z is now earlier than 20260301T114500Z (20260301T120000Z - 15 min.)'],
    ['1 hour ago', -60 * MINUTE, 'Signature expired: 20260301T110000Z is now earlier than 20260301T114500Z (20260301T120000Z - 15 min.)'],
    ['1 day ago', -DAY, 'Signature expired: 20260228T120000Z is now earlier than 20260301T114500Z (20260301T120000Z - 15 min.)'],
    ['5 years ago', -(5 * 365 + 1) * DAY, 'Signature expired: 20210301T120000Z is now earlier than 20260301T114500Z (20260301T120000Z - 15 min.)'],
    ['16 minutes ahead', 16 * MINUTE, 'Signature not yet current: 20260301T121600Z is still later than 20260301T121500Z (20260301T120000Z + 15 min.)'],
    ['1 day ahead', DAY, 'Signature not yet current: 20260302T120000Z is still later than 20260301T121500Z (20260301T120000Z + 15 min.)'],
  ])('signed %s → 403 SignatureDoesNotMatch naming both times', async (_label, offset, message) => {
    const r = await signedGetUser(new Date(NOW.getTime() + offset));
    expect({ status: r.status, code: r.code, message: r.message }).toEqual({ status: 403, code: 'SignatureDoesNotMatch', message });
  });

  test.each([
    ['now', 0],
    ['14 minutes ago', -14 * MINUTE],
    ['14 minutes ahead', 14 * MINUTE],
    ['exactly 15 minutes ago', -15 * MINUTE],
  ])('signed %s → answered', async (_label, offset) => {
    const r = await signedGetUser(new Date(NOW.getTime() + offset));
    expect({ status: r.status, code: r.code }).toEqual({ status: 200, code: undefined });
    expect(r.text).toContain('<UserName>admin</UserName>');
  });

  test('a credential scope dated another day than X-Amz-Date → 403 SignatureDoesNotMatch', async () => {
    const url = new URL(emulator.endpoint);
    const body = 'Action=GetUser&Version=2010-05-08';
    const signer = new SignatureV4({ service: 'iam', region: 'us-east-1', credentials: ADMIN_KEY, sha256: NodeSha256 });
    const signed = await signer.sign(
      { method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers: { host: url.host }, body },
      { signingDate: NOW },
    );
    const headers = signed.headers as Record<string, string>;
    headers['authorization'] = headers['authorization']!.replace('/20260301/', '/20260228/');
    const response = await fetch(`${emulator.endpoint}/`, { method: 'POST', headers, body });
    const text = await response.text();
    expect(response.status).toBe(403);
    expect(text).toContain("<Code>SignatureDoesNotMatch</Code><Message>Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: &apos;20260228&apos; != &apos;20260301&apos;, from &apos;20260301T120000Z&apos;.</Message>");
  });

  test('without an injected request clock the real time is the reference', async () => {
    const real = await startEmulator({ world: testWorld(), now: () => new Date('2020-01-01T00:00:00Z') });
    try {
      const sign = async (date: Date) => (await rawQuery(real.endpoint, 'Action=GetUser&Version=2010-05-08', { signingDate: date })).status;
      // The report clock says 2020; signatures are still judged against the wall clock clients sign with.
      expect(await sign(new Date())).toBe(200);
      expect(await sign(new Date(Date.now() - 16 * MINUTE))).toBe(403);
    } finally {
      await real.close();
    }
  });
});

describe('session tokens: issued by the emulator or declared in the world, nothing else', () => {
  test('a permanent world key with a made-up token → 403 InvalidClientTokenId', async () => {
    const r = await signedGetUser(NOW, { ...ADMIN_KEY, sessionToken: 'FwoGZXIvYXdzEMadeUpToken' });
    expect({ status: r.status, code: r.code, message: r.message }).toEqual({
      status: 403,
      code: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
    });
  });

  test('a world temporary key: its declared token works; another token or none → 403 InvalidClientTokenId', async () => {
    const ok = await signedGetUser(NOW, TEMP_KEY);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('<UserName>alice</UserName>');
    const wrong = await signedGetUser(NOW, { ...TEMP_KEY, sessionToken: `${TEMP_KEY.sessionToken}x` });
    expect([wrong.status, wrong.code]).toEqual([403, 'InvalidClientTokenId']);
    const { sessionToken: _dropped, ...withoutToken } = TEMP_KEY;
    const none = await signedGetUser(NOW, withoutToken);
    expect([none.status, none.code]).toEqual([403, 'InvalidClientTokenId']);
  });

  test('a token header added after signing is refused too (the token is checked, not only the signature)', async () => {
    const r = await signedGetUser(NOW, ADMIN_KEY, { 'x-amz-security-token': 'unsigned-made-up-token' });
    expect([r.status, r.code]).toEqual([403, 'InvalidClientTokenId']);
  });
});

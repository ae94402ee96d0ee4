import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { ApiError } from './api-error';

/**
 * SigV4 verification: the signature is recomputed with `@smithy/signature-v4` from the secret the world declares
 * for the access key, over exactly the headers the client says it signed, and compared in constant time.
 */
/** The signing names of the services the emulator answers. */
export type SigningService = 'iam' | 'sts' | 'organizations';

export interface SigningKey {
  readonly id: string;
  readonly secret: string;
}

export interface IncomingSignedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string | string[]>;
  readonly headers: Record<string, string>;
  readonly body: string;
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const toBytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** node:crypto behind the Hash interface the signer expects (HMAC when given a secret). */
export class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})\s*$/;

export interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

export function parseAuthorization(headers: Record<string, string>): ParsedAuthorization {
  const header = headers['authorization'];
  if (header === undefined || header === '') {
    throw new ApiError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
  }
  const m = AUTHORIZATION.exec(header);
  if (!m) {
    throw new ApiError(
      400,
      'IncompleteSignature',
      'Authorization header requires AWS4-HMAC-SHA256 Credential, SignedHeaders and Signature parameters.',
    );
  }
  const [, accessKeyId, date, region, service, signedHeaders, signature] = m as unknown as string[];
  return {
    accessKeyId: accessKeyId!,
    date: date!,
    region: region!,
    service: service!,
    signedHeaders: signedHeaders!.split(';'),
    signature: signature!,
  };
}

function parseAmzDate(value: string | undefined): Date | undefined {
  const m = value && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** How far a signature's X-Amz-Date may be from the server's clock, as IAM allows. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** `20250131T120000Z`, the X-Amz-Date form IAM quotes in its messages. */
const amzDate = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');

/**
 * A signature is valid for 15 minutes either side of the server's clock. IAM answers outside that window with
 * 403 SignatureDoesNotMatch and these messages (the SDK reads the code as clock skew and retries with a corrected
 * clock from the response's Date header).
 */
export function checkSigningTime(signingDate: Date, now: Date): void {
  const earliest = new Date(now.getTime() - MAX_CLOCK_SKEW_MS);
  const latest = new Date(now.getTime() + MAX_CLOCK_SKEW_MS);
  if (signingDate.getTime() < earliest.getTime()) {
    throw new ApiError(
      403,
      'SignatureDoesNotMatch',
      `Signature expired: ${amzDate(signingDate)} is now earlier than ${amzDate(earliest)} (${amzDate(now)} - 15 min.)`,
    );
  }
  if (signingDate.getTime() > latest.getTime()) {
    throw new ApiError(
      403,
      'SignatureDoesNotMatch',
      `Signature not yet current: ${amzDate(signingDate)} is still later than ${amzDate(latest)} (${amzDate(now)} + 15 min.)`,
    );
  }
}

/**
 * Throws the ApiError IAM (or STS) would answer; returns normally when the signature matches. `service` is the
 * signing name the Action belongs to: `iam`, or `sts` for AssumeRole.
 */
export async function verifySignature(
  request: IncomingSignedRequest,
  auth: ParsedAuthorization,
  key: SigningKey,
  service: SigningService = 'iam',
  now: Date = new Date(),
): Promise<void> {
  if (auth.service !== service) {
    throw new ApiError(403, 'SignatureDoesNotMatch', `Credential should be scoped to correct service: '${service}'.`);
  }
  const signingDate = parseAmzDate(request.headers['x-amz-date']);
  if (!signingDate) {
    throw new ApiError(400, 'IncompleteSignature', 'Authorization header requires existence of either a X-Amz-Date or a Date header.');
  }
  const headerDay = request.headers['x-amz-date']!.slice(0, 8);
  if (auth.date !== headerDay) {
    throw new ApiError(
      403,
      'SignatureDoesNotMatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${headerDay}', from '${request.headers['x-amz-date']!}'.`,
    );
  }
  checkSigningTime(signingDate, now);
  if (!auth.signedHeaders.includes('host')) {
    throw new ApiError(403, 'SignatureDoesNotMatch', 'The host header must be signed.');
  }
  // The signer trusts a declared payload hash: make sure it is the hash of the body we actually received.
  const declaredHash = request.headers['x-amz-content-sha256'];
  if (declaredHash !== undefined && declaredHash !== createHash('sha256').update(request.body, 'utf8').digest('hex')) {
    throw new ApiError(403, 'SignatureDoesNotMatch', 'The provided x-amz-content-sha256 header does not match what was computed.');
  }
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) {
      throw new ApiError(403, 'SignatureDoesNotMatch', `Signed header ${name} is missing from the request.`);
    }
    headers[name] = value;
  }
  const signer = new SignatureV4({
    service,
    region: auth.region,
    // A session token, when sent, is one of the signed headers already copied above.
    credentials: { accessKeyId: key.id, secretAccessKey: key.secret },
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: request.path,
      query: request.query,
      headers,
      body: request.body,
    },
    { signingDate, signingRegion: auth.region, signingService: service, signableHeaders: new Set(auth.signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers['authorization'] ?? ''))?.[1] ?? '';
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(auth.signature, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new ApiError(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
}

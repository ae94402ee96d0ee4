import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
export interface ServerCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  /** The certificate as DER, base64 without padding: the last field of the handshake line. */
  readonly handshakeField: string;
}

const VALIDITY_MS = 30 * 86_400_000;
/** Back-dated a little so that a client whose clock runs slightly behind still accepts it. */
const BACKDATE_MS = 30_000;
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';
const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
const EXT_KEY_USAGE = '2.5.29.37';
const SUBJECT_ALT_NAME = '2.5.29.17';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/**
 * A fresh self-signed certificate for one provider process (go-plugin's automatic mutual TLS): Terraform trusts
 * exactly the certificate named in the handshake line and connects with the server name "localhost". Go checks the
 * subject alternative name and takes the certificate as its own root, so it is a CA for that one name.
 *
 * Terraform starts the provider three times per plan and waits for each start, so this is the short path: node's
 * crypto makes the ECDSA P-256 key (a millisecond, where RSA takes hundreds) and signs, and the certificate's DER is
 * written by the few lines of der.ts below. Every field is fixed but the serial, the dates and the key, so an ASN.1
 * library (whose loading cost the provider tens of milliseconds per start) buys nothing here. The tests parse the
 * result with an independent ASN.1 library and with node's X509Certificate.
 */
export async function createServerCertificate(now: Date = new Date()): Promise<ServerCertificate> {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const name = sequence(set(sequence(oid(COMMON_NAME), tlv(0x13, Buffer.from('localhost', 'ascii')))));
  const signatureAlgorithm = sequence(oid(ECDSA_WITH_SHA256));
  const extension = (id: string, critical: boolean, value: Buffer) =>
    sequence(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // [0] version: v3
    integer(positiveSerial()),
    signatureAlgorithm,
    name, // issuer
    sequence(time(new Date(now.getTime() - BACKDATE_MS)), time(new Date(now.getTime() + VALIDITY_MS))),
    name, // subject
    keys.publicKey.export({ type: 'spki', format: 'der' }), // SubjectPublicKeyInfo, as node encodes it
    tlv(
      0xa3, // [3] extensions
      sequence(
        extension(BASIC_CONSTRAINTS, true, sequence(tlv(0x01, Buffer.from([0xff])))), // cA TRUE
        // digitalSignature (bit 0) and keyCertSign (bit 5): 1000 0100, its last two bits unused.
        extension(KEY_USAGE, true, tlv(0x03, Buffer.from([2, 0x84]))),
        extension(EXT_KEY_USAGE, false, sequence(oid(SERVER_AUTH), oid(CLIENT_AUTH))),
        // dNSName [2] "localhost", iPAddress [7] 127.0.0.1
        extension(SUBJECT_ALT_NAME, false, sequence(tlv(0x82, Buffer.from('localhost', 'ascii')), tlv(0x87, Buffer.from([127, 0, 0, 1])))),
      ),
    ),
  );
  // ECDSA signatures in X.509 are the DER SEQUENCE { r, s }: node's default encoding for EC keys.
  const signatureValue = sign('sha256', tbs, keys.privateKey);
  const der = sequence(tbs, signatureAlgorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signatureValue])));
  const base64 = der.toString('base64');
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${base64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`,
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    handshakeField: base64.replace(/=+$/, ''),
  };
}

/** 128 random bits with the sign bit clear and a non-zero first byte: positive and minimally encoded. */
function positiveSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  return serial;
}

// DER (X.690): tag, definite length, contents.
function tlv(tag: number, contents: Buffer): Buffer {
  const n = contents.length;
  let length: Buffer;
  if (n < 0x80) length = Buffer.from([n]);
  else if (n < 0x100) length = Buffer.from([0x81, n]);
  else if (n < 0x10000) length = Buffer.from([0x82, n >> 8, n & 0xff]);
  else throw new Error(`DER value of ${n} bytes: longer than a certificate needs`);
  return Buffer.concat([Buffer.from([tag]), length, contents]);
}

function sequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function set(...items: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

/** A non-negative INTEGER whose bytes are already minimal (first byte below 0x80, not a redundant zero). */
function integer(bytes: Buffer): Buffer {
  return tlv(0x02, bytes);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first! * 40 + second!];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime (years 1950–2049) or GeneralizedTime, in whole seconds, as RFC 5280 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

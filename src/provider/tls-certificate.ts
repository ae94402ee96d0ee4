import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_kp_clientAuth,
  id_kp_serverAuth,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';

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

/**
 * A fresh self-signed certificate for one provider process (go-plugin's automatic mutual TLS): Terraform trusts
 * exactly the certificate named in the handshake line and connects with the server name "localhost". Go checks the
 * subject alternative name and takes the certificate as its own root, so it is a CA for that one name.
 *
 * Terraform waits for the provider's start on every run, so this is the short path: node's crypto makes the ECDSA
 * P-256 key (a millisecond, where RSA takes hundreds) and signs; @peculiar/asn1-x509's X.509 structures are encoded
 * by its ASN.1 schema library. The full certificate toolkit (@peculiar/x509, with its dependency injection and
 * reflection) cost the provider more start-up time than everything else it loads before the handshake.
 */
export async function createServerCertificate(now: Date = new Date()): Promise<ServerCertificate> {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const subject = new Name([
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type: COMMON_NAME, value: new AttributeValue({ printableString: 'localhost' }) })]),
  ]);
  const signatureAlgorithm = new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
  const extension = (extnID: string, critical: boolean, value: object) =>
    new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
  const tbsCertificate = new TBSCertificate({
    version: Version.v3,
    serialNumber: toArrayBuffer(positiveSerial()),
    signature: signatureAlgorithm,
    issuer: subject,
    subject,
    validity: new Validity({ notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + VALIDITY_MS) }),
    // The key as node encodes it (SubjectPublicKeyInfo DER), read into the structure rather than re-encoded by hand.
    subjectPublicKeyInfo: AsnConvert.parse(keys.publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo),
    extensions: new Extensions([
      extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: true })),
      extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyCertSign)),
      extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth, id_kp_clientAuth])),
      extension(id_ce_subjectAltName, false, new SubjectAlternativeName([new GeneralName({ dNSName: 'localhost' }), new GeneralName({ iPAddress: '127.0.0.1' })])),
    ]),
  });
  const tbs = Buffer.from(AsnConvert.serialize(tbsCertificate));
  // ECDSA signatures in X.509 are the DER SEQUENCE { r, s }: node's default encoding for EC keys.
  const signatureValue = sign('sha256', tbs, keys.privateKey);
  const der = Buffer.from(AsnConvert.serialize(new Certificate({ tbsCertificate, signatureAlgorithm, signatureValue: toArrayBuffer(signatureValue) })));
  const base64 = der.toString('base64');
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${base64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`,
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    handshakeField: base64.replace(/=+$/, ''),
  };
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** 128 random bits with the sign bit clear and a non-zero first byte: positive and minimally encoded. */
function positiveSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  return serial;
}

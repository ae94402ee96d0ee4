import { KeyObject, randomBytes, webcrypto } from 'node:crypto';

export interface ServerCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  /** The certificate as DER, base64 without padding: the last field of the handshake line. */
  readonly handshakeField: string;
}

const VALIDITY_MS = 30 * 86_400_000;
/** Back-dated a little so that a client whose clock runs slightly behind still accepts it. */
const BACKDATE_MS = 30_000;

/**
 * A fresh self-signed certificate for one provider process (go-plugin's automatic mutual TLS): Terraform trusts
 * exactly the certificate named in the handshake line and connects with the server name "localhost". Go checks the
 * subject alternative name and takes the certificate as its own root, so it is a CA for that one name.
 *
 * ECDSA P-256 through node's WebCrypto: the key takes a millisecond where RSA takes hundreds, and Terraform waits
 * for the provider's start on every run. The certificate itself is built by @peculiar/x509, loaded here and only
 * here (it and its ASN.1 modules cost start-up time), so a provider started without TLS never loads it.
 */
export async function createServerCertificate(now: Date = new Date()): Promise<ServerCertificate> {
  // The library resolves its services through tsyringe, which needs the Reflect metadata API installed first.
  require('reflect-metadata');
  const x509 = require('@peculiar/x509') as typeof import('@peculiar/x509');
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  // The library is typed against the DOM's WebCrypto interfaces; node's are the same API under other names.
  type SelfSignedParams = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: positiveSerial().toString('hex'),
      name: 'CN=localhost',
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + VALIDITY_MS),
      signingAlgorithm: algorithm,
      keys: keys as unknown as SelfSignedParams[0]['keys'],
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth], false),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }], false),
      ],
    },
    webcrypto as unknown as SelfSignedParams[1],
  );
  const der = Buffer.from(certificate.rawData);
  return {
    certPem: certificate.toString('pem').replace(/\r\n/g, '\n').replace(/\n?$/, '\n'),
    keyPem: KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string,
    handshakeField: der.toString('base64').replace(/=+$/, ''),
  };
}

/** 128 random bits with the sign bit clear and a non-zero first byte: positive and minimally encoded. */
function positiveSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  return serial;
}

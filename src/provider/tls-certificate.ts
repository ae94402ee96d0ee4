import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface ServerCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  /** The certificate as DER, base64 without padding: the last field of the handshake line. */
  readonly handshakeField: string;
}

/**
 * A fresh self-signed certificate for one provider process (go-plugin's automatic mutual TLS): Terraform trusts
 * exactly the certificate named in the handshake line, connecting with the server name "localhost". Go checks the
 * subject alternative name, and takes the certificate as its own root, so it is a CA for that one name. The key
 * pair comes from node's native generator; node-forge only assembles and signs the certificate.
 */
export function createServerCertificate(now: Date = new Date()): ServerCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // A positive serial: the top bit cleared.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - 30_000);
  cert.validity.notAfter = new Date(now.getTime() + 30 * 86_400_000);
  const subject = [{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'cdktf-access-advisor provider' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes();
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: privateKey,
    handshakeField: Buffer.from(der, 'binary').toString('base64').replace(/=+$/, ''),
  };
}

import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicConstraints, Certificate, id_ce_basicConstraints, id_ce_keyUsage, KeyUsage, KeyUsageFlags } from '@peculiar/asn1-x509';
import { createServerCertificate } from '../../src/provider/tls-certificate';

describe('provider TLS certificate (go-plugin AutoMTLS)', () => {
  it('is a self-signed ECDSA P-256 CA for localhost and 127.0.0.1, for server and client auth, valid 30 days from 30 s ago', async () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const server = await createServerCertificate(now);
    const certificate = new X509Certificate(server.certPem);

    expect(certificate.subject).toBe('CN=localhost');
    expect(certificate.issuer).toBe('CN=localhost');
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.publicKey.asymmetricKeyType).toBe('ec');
    expect(certificate.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    // The private key in keyPem belongs to the certificate.
    expect(createPublicKey(createPrivateKey(server.keyPem)).export({ type: 'spki', format: 'der' })).toEqual(certificate.publicKey.export({ type: 'spki', format: 'der' }));
    expect(certificate.ca).toBe(true);
    expect(certificate.checkHost('localhost')).toBe('localhost');
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(certificate.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']); // extended key usage: serverAuth, clientAuth
    expect(new Date(certificate.validFrom).getTime()).toBe(now.getTime() - 30_000);
    expect(new Date(certificate.validTo).getTime()).toBe(now.getTime() + 30 * 86_400_000);
    // Positive: the first byte of the serial has the sign bit clear, and it is not padded with a zero byte.
    expect(certificate.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
    expect(certificate.serialNumber.startsWith('00')).toBe(false);

    // What node's X509Certificate does not expose: which extensions are critical, and the key usage bits.
    const parsed = AsnConvert.parse(certificate.raw, Certificate);
    const extension = (id: string) => parsed.tbsCertificate.extensions!.find((e) => e.extnID === id)!;
    expect(extension(id_ce_basicConstraints).critical).toBe(true);
    expect(AsnConvert.parse(extension(id_ce_basicConstraints).extnValue, BasicConstraints).cA).toBe(true);
    expect(extension(id_ce_keyUsage).critical).toBe(true);
    expect(AsnConvert.parse(extension(id_ce_keyUsage).extnValue, KeyUsage).toNumber()).toBe(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyCertSign);
    // The signature is ECDSA with SHA-256, its algorithm identifier without parameters (RFC 5758).
    expect(parsed.signatureAlgorithm.algorithm).toBe('1.2.840.10045.4.3.2');
    expect(parsed.signatureAlgorithm.parameters).toBeUndefined();
  });

  it('names the same certificate in the handshake field (DER, base64 without padding) and differs per process', async () => {
    const [a, b] = await Promise.all([createServerCertificate(), createServerCertificate()]);
    expect(a.handshakeField).toMatch(/^[A-Za-z0-9+/]+$/);
    expect(new X509Certificate(Buffer.from(a.handshakeField, 'base64')).raw).toEqual(new X509Certificate(a.certPem).raw);
    expect(a.certPem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    expect(a.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(b.handshakeField).not.toBe(a.handshakeField);
    expect(new X509Certificate(b.certPem).serialNumber).not.toBe(new X509Certificate(a.certPem).serialNumber);
  });
});

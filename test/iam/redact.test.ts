import { containsSecret, redact, registerSecret, safeMessage } from '../../src/model/redact';

const ENV = { AWS_SECRET_ACCESS_KEY: 'Zm9vYmFyU2VjcmV0S2V5MDEyMzQ1Njc4OWFiY2RlZg', AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLE/token+with=chars' };

describe('redact: what never leaves the process', () => {
  it.each([
    ['the secret from the environment', `secret ${ENV.AWS_SECRET_ACCESS_KEY} here`, ENV.AWS_SECRET_ACCESS_KEY],
    ['the session token, URL-encoded as in an echoed body', `X-Amz-Security-Token=${encodeURIComponent(ENV.AWS_SESSION_TOKEN)}`, encodeURIComponent(ENV.AWS_SESSION_TOKEN)],
    ['an x-amz-security-token header line', 'x-amz-security-token: IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ', 'IQoJb3JpZ2luX2VjEJr'],
    ['an Authorization header', 'authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261128/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0123456789abcdef', 'Signature=0123'],
    ['a SigV4 signature alone', 'Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024', 'fe5f80f77d5f'],
    ['an access key id', 'key AKIAIOSFODNN7EXAMPLE used', 'AKIAIOSFODNN7EXAMPLE'],
    ['a temporary access key id', 'key ASIAIOSFODNN7EXAMPLE used', 'ASIAIOSFODNN7EXAMPLE'],
    ['URL userinfo', 'connect http://user:hunter2pass@proxy.example:8080/ failed', 'hunter2pass'],
    ['a secret-shaped 40-character key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY leaked', 'wJalrXUtnFEMI'],
    ['a long base64 token', `token ${'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk'.repeat(3)}`, 'QUJDREVGR0hJSktMTU5PUFFS'],
    ['a credentials-file line', 'aws_secret_access_key = abcdEFGH1234/xyz', 'abcdEFGH1234'],
  ])('%s', (_name, text, secret) => {
    const out = redact(text, ENV);
    expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
    expect(containsSecret(text, ENV)).toBe(true);
    expect(redact(out, ENV)).toBe(out);
  });

  it('a registered secret (static credentials handed to the engine) is cut too', () => {
    registerSecret('registered-secret-value-123');
    expect(redact('x registered-secret-value-123 y', {})).toBe('x [redacted] y');
  });

  it.each([
    'GetServiceLastAccessedDetails of job a1b2c3d4-0000-4000-8000-00000000beef, page 2: duplicate service "s3"',
    'arn:aws:iam::123456789012:role/service-role/deployer: AccessDenied',
    'https://iam.amazonaws.com',
    'a report of 1f3870be274f6c49b3e31a0c6728957f (md5) and git 3f786850e387550fdab836ed7e6dc881de23001b',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(redact(text, ENV)).toBe(text);
    expect(containsSecret(text, ENV)).toBe(false);
  });

  it('safeMessage is one line', () => {
    expect(safeMessage('Deserialization error: to see the raw response\ninspect the hidden field {error}.$response')).not.toContain('\n');
  });
});

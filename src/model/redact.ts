/**
 * The one redaction step for every message that leaves the process — CLI stderr (with --debug too), synth
 * annotations and the manifest, the synth worker, the plan-time program — including text a server sent back, which
 * may echo our own request headers (a proxy's error page). Credentials never reach a log, a terminal or a commit.
 *
 * What goes: the values of the credential environment variables and of every secret registered by this process
 * (static keys handed to the engine), URL-encoded or not; anything shaped like a session token, a secret access key,
 * an access key id, a SigV4 signature or credential scope, an Authorization / X-Amz-Security-Token header, and the
 * userinfo of URLs (`https://user:password@host`).
 */

export const REDACTED = '[redacted]';

const SECRET_ENV = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_ACCESS_KEY_ID'] as const;

const registered = new Set<string>();

/** Secrets this process holds outside the environment (static credentials passed to the engine). */
export function registerSecret(value: string | undefined): void {
  if (typeof value === 'string' && value.length >= 8) registered.add(value);
}

function knownSecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set(registered);
  for (const name of SECRET_ENV) {
    const value = env[name];
    if (value && value.length >= 8) values.add(value);
  }
  const all: string[] = [];
  for (const value of values) {
    all.push(value);
    const encoded = encodeURIComponent(value);
    if (encoded !== value) all.push(encoded);
  }
  // Longest first, so a secret that contains another is cut whole.
  return all.sort((a, b) => b.length - a.length);
}

const PATTERNS: readonly [RegExp, string][] = [
  // Header lines and header-like pairs, whatever the separator.
  [/\b(authorization|x-amz-security-token|x-amz-signature|x-amz-credential|x-amz-session-token)(["']?\s*[:=]\s*["']?)[^\r\n"'&,]*/gi, `$1$2${REDACTED}`],
  [/\b(aws_secret_access_key|aws_session_token|aws_security_token|secretAccessKey|sessionToken)(["']?\s*[:=]\s*["']?)[^\s"',&}]+/gi, `$1$2${REDACTED}`],
  // SigV4 parts inside an Authorization value or a presigned query.
  [/\b(Signature|Credential)=[^,\s&"']+/g, `$1=${REDACTED}`],
  // userinfo of any URL.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, `$1${REDACTED}@`],
  // Access key ids (AKIA long-term, ASIA temporary).
  [/\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g, REDACTED],
  // Session tokens: long base64 runs.
  [/[A-Za-z0-9+/]{80,}={0,2}/g, REDACTED],
  // Secret access keys: 40 base64 characters with upper case, lower case and digits — but not an IAM action name
  // of that length (`logs:DisassociateSourceFromS3TableIntegration`): PascalCase words (`Batch`, `Ec2`, `S3`) are
  // what action names are made of, and what a random key practically never is (odds below 1 in 10^7).
  [
    /(?<![A-Za-z0-9+/])(?!(?:[A-Z][a-z]{2,}|[A-Z][a-z]?[0-9]+)+(?![A-Za-z0-9+/=]))(?=[A-Za-z0-9+/]{0,39}[A-Z])(?=[A-Za-z0-9+/]{0,39}[a-z])(?=[A-Za-z0-9+/]{0,39}[0-9])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])/g,
    REDACTED,
  ],
];

/** `text` without credentials. Idempotent; cheap enough for every line. */
export function redact(text: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  let out = String(text);
  for (const secret of knownSecrets(env)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Whether `text` holds anything `redact` would cut: such a text is never stored (cache, manifest). */
export function containsSecret(text: string, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return redact(text, env) !== text;
}

/** One line: messages go to single-line logs (Terraform diagnostics, CI annotations, stderr lines). */
export function oneLine(text: string): string {
  return String(text).replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** The message as it may leave the process: redacted and on one line. */
export function safeMessage(text: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return oneLine(redact(text, env));
}

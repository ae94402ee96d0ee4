import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AccessAdvisorError, type ErrorKind } from '../model/errors';

/**
 * How this machine is set up to reach AWS (credentials, endpoints) is wrong: nothing was asked of AWS yet, and
 * retrying cannot help. An input error: the message names the variable, flag or profile and the fix.
 */
export class AwsSetupError extends AccessAdvisorError {
  readonly kind: ErrorKind = 'input';
}

/** What decides where calls go and whose credentials sign them: the options of a connection. */
export interface SetupOptions {
  readonly endpoint?: string;
  readonly profile?: string;
  readonly roleArn?: string;
}

/**
 * The endpoints the SDK would use, checked before the first call: an endpoint without a scheme
 * (`AWS_ENDPOINT_URL=127.0.0.1:4566`) otherwise surfaces as a bare `TypeError: Invalid URL` deep in the SDK.
 * `services` are the SDK's service ids whose own variable applies (IAM; STS with a role to assume; Organizations).
 */
export function checkEndpointSetup(options: SetupOptions, services: readonly string[] = ['IAM'], env: NodeJS.ProcessEnv = process.env): void {
  if (options.endpoint !== undefined) checkUrl('endpoint (--endpoint-url)', options.endpoint);
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim().toLowerCase() === 'true') return;
  for (const name of [...services.map((service) => `AWS_ENDPOINT_URL_${service}`), 'AWS_ENDPOINT_URL']) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') checkUrl(name, value);
  }
}

function checkUrl(name: string, value: string): void {
  const trimmed = value.trim();
  let url: URL | undefined;
  try {
    url = new URL(trimmed);
  } catch {
    url = undefined;
  }
  // `127.0.0.1:4566` parses as a URL of scheme "127.0.0.1:"; `localhost:4566` as scheme "localhost:".
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    const suggestion = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? '' : `, e.g. http://${trimmed}`;
    throw new AwsSetupError(`${name}: ${JSON.stringify(value)} is not an http(s) URL; give the scheme too${suggestion}`);
  }
}

/** The shared files the SDK reads profiles from, as it locates them. */
function sharedFiles(env: NodeJS.ProcessEnv): { config: string; credentials: string } {
  const home = env.HOME || env.USERPROFILE || os.homedir();
  return {
    config: env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials'),
  };
}

/** Profile names of a shared file: `[name]` in the credentials file, `[profile name]` or `[default]` in config. */
function profilesIn(file: string, kind: 'config' | 'credentials'): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const [, raw] of text.matchAll(/^\s*\[([^\]\r\n]+)\]/gm)) {
    const section = raw!.trim();
    if (kind === 'credentials') names.push(section);
    else if (section === 'default') names.push('default');
    else if (/^profile\s+/.test(section)) names.push(section.replace(/^profile\s+/, '').trim());
  }
  return names;
}

const isCredentialsFailure = (err: unknown): boolean => {
  const e = err as { name?: unknown; message?: unknown } | undefined;
  return e?.name === 'CredentialsProviderError' || (typeof e?.message === 'string' && /could not load credentials/i.test(e.message));
};

const present = (value: string | undefined): boolean => value !== undefined && value.trim() !== '';

/**
 * When the SDK found no credentials ("Could not load credentials from any providers", the same words for every
 * cause), the cause in this machine's setup and the fix; undefined for any other error.
 */
export function explainCredentialsFailure(err: unknown, options: SetupOptions, env: NodeJS.ProcessEnv = process.env): AwsSetupError | undefined {
  if (!isCredentialsFailure(err)) return undefined;
  const cause = { cause: err };
  const keyId = present(env.AWS_ACCESS_KEY_ID);
  const secret = present(env.AWS_SECRET_ACCESS_KEY);
  if (keyId !== secret) {
    const [set, unset] = keyId ? ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] : ['AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID'];
    return new AwsSetupError(`no AWS credentials: ${set} is set but ${unset} is not; export both (an access key pair), or unset ${set} to use a profile`, cause);
  }
  const profile = options.profile ?? (present(env.AWS_PROFILE) ? env.AWS_PROFILE!.trim() : undefined);
  if (profile !== undefined) {
    const files = sharedFiles(env);
    const known = [...new Set([...profilesIn(files.config, 'config'), ...profilesIn(files.credentials, 'credentials')])];
    const source = options.profile !== undefined ? '--profile' : 'AWS_PROFILE';
    if (!known.includes(profile)) {
      return new AwsSetupError(
        `no AWS credentials: profile ${JSON.stringify(profile)} (${source}) is in neither ${files.config} nor ${files.credentials}; ` +
          (known.length ? `known profiles: ${known.join(', ')}` : `create it with "aws configure --profile ${profile}"`),
        cause,
      );
    }
    return new AwsSetupError(
      `no AWS credentials: profile ${JSON.stringify(profile)} (${source}) gives none (no keys, no role or SSO session that works); ` +
        `check it with "aws sts get-caller-identity --profile ${profile}"`,
      cause,
    );
  }
  return new AwsSetupError(
    'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with --profile (AWS_PROFILE); ' +
      'for the local emulator use the demo keys it prints when it starts',
    cause,
  );
}

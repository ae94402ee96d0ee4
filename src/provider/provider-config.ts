import type { AwsCredentialIdentityProvider, ConnectionOptions } from '../iam';
import { parseDuration } from '../resolve/duration';
import { isKnown, numberAt, objectAt, stringAt, type Path } from './config-values';
import { ConfigProblem } from './diagnostics';
import type { BlockSpec } from './schema';

/** The provider block: how the provider reaches IAM. Everything optional: the AWS SDK's default chain fills in. */
export const PROVIDER_SCHEMA: BlockSpec = {
  description: 'IAM access advisor reports as data sources. Credentials come from the AWS SDK default chain unless set here.',
  attributes: [
    { name: 'region', type: 'string', optional: true, description: 'AWS region for the IAM endpoint (IAM is global; default: the SDK chain, else us-east-1).' },
    { name: 'profile', type: 'string', optional: true, description: 'Named profile of the shared AWS config and credentials files.' },
    { name: 'endpoint', type: 'string', optional: true, description: 'IAM (and STS) endpoint URL, e.g. a local emulator: http:// or https://.' },
    {
      name: 'max_request_rate',
      type: 'number',
      optional: true,
      description: 'Ceiling of the adaptive request rate to IAM, per second, shared by every data source of a run (default 50).',
    },
  ],
  blocks: [
    {
      name: 'assume_role',
      block: {
        description: 'Assume this role (STS AssumeRole) and call IAM with its temporary credentials.',
        attributes: [
          { name: 'role_arn', type: 'string', required: true, description: 'ARN of the role to assume.' },
          { name: 'external_id', type: 'string', optional: true, description: 'External ID the role trust policy requires.' },
          { name: 'session_name', type: 'string', optional: true, description: 'Role session name (default access-advisor-<time>).' },
        ],
      },
    },
    {
      name: 'timeouts',
      block: {
        description: 'How long one report may take.',
        attributes: [{ name: 'read', type: 'string', optional: true, description: 'Per report, generate to last page: "30s", "10m", "1h" (default 10m).' }],
      },
    },
  ],
};

export interface ProviderSettings {
  readonly connection: ConnectionOptions;
  readonly requestsPerSecond?: number;
  readonly timeoutMs?: number;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const MAX_READ_MS = 86_400_000;

/**
 * Reads and checks the provider block. Returns undefined while a value is unknown (a provider configured from
 * a resource not created yet); throws ConfigProblem naming the attribute for a bad value.
 */
export function readProviderConfig(config: unknown, env: NodeJS.ProcessEnv = process.env): ProviderSettings | 'unknown' {
  const root = objectAt(config, []) ?? {};
  if (!isKnown(root)) return 'unknown';
  const region = stringAt(root, ['region']);
  const profile = stringAt(root, ['profile']);
  const endpoint = stringAt(root, ['endpoint']);
  const rate = numberAt(root, ['max_request_rate']);
  const assume = objectAt(root['assume_role'], ['assume_role']);
  const timeouts = objectAt(root['timeouts'], ['timeouts']);
  const values = [region, profile, endpoint, rate, assume, timeouts];
  if (values.some((v) => !isKnown(v))) return 'unknown';

  if (region !== undefined && !REGION.test(region as string)) {
    throw new ConfigProblem(['region'], 'Invalid region', `${JSON.stringify(region)} is not an AWS region name such as "us-east-1"`);
  }
  if (profile !== undefined && (profile as string).trim() === '') throw new ConfigProblem(['profile'], 'Invalid profile', 'the profile name is empty');
  if (endpoint !== undefined) checkEndpoint(endpoint as string, ['endpoint']);
  if (rate !== undefined && !((rate as number) > 0 && (rate as number) <= 10_000)) {
    throw new ConfigProblem(['max_request_rate'], 'Invalid max_request_rate', `${rate} is not allowed; expected a number of requests per second in (0, 10000]`);
  }
  const timeoutMs = timeouts ? readTimeout(timeouts as Record<string, unknown>) : undefined;
  if (timeoutMs === 'unknown') return 'unknown';

  const connection: { -readonly [K in keyof ConnectionOptions]: ConnectionOptions[K] } = {
    ...(region ? { region: region as string } : {}),
    ...(profile ? { profile: profile as string } : {}),
    ...(endpoint ? { endpoint: endpoint as string } : {}),
  };
  if (assume) {
    const role = readAssumeRole(assume as Record<string, unknown>);
    if (role === 'unknown') return 'unknown';
    connection.credentials = assumeRoleCredentials(role, connection, env);
  }
  return {
    connection,
    ...(rate !== undefined ? { requestsPerSecond: rate as number } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
}

function checkEndpoint(endpoint: string, path: Path): void {
  let ok = false;
  try {
    const url = new URL(endpoint);
    ok = url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    ok = false;
  }
  if (!ok) throw new ConfigProblem(path, 'Invalid endpoint', `${JSON.stringify(endpoint)} is not allowed; expected an http:// or https:// URL`);
}

function readTimeout(timeouts: Record<string, unknown>): number | undefined | 'unknown' {
  const read = stringAt(timeouts, ['timeouts', 'read']);
  if (!isKnown(read)) return 'unknown';
  if (read === undefined) return undefined;
  let ms: number;
  try {
    ms = parseDuration('timeouts.read', read);
  } catch {
    throw new ConfigProblem(['timeouts', 'read'], 'Invalid timeout', `${JSON.stringify(read)} is not allowed; expected a duration such as "30s", "10m" or "1h"`);
  }
  if (!(ms >= 1000 && ms <= MAX_READ_MS)) {
    throw new ConfigProblem(['timeouts', 'read'], 'Invalid timeout', `${JSON.stringify(read)} is not allowed; expected between 1s and 24h`);
  }
  return ms;
}

interface AssumeRole {
  roleArn: string;
  externalId?: string;
  sessionName?: string;
}

function readAssumeRole(block: Record<string, unknown>): AssumeRole | 'unknown' {
  const roleArn = stringAt(block, ['assume_role', 'role_arn']);
  const externalId = stringAt(block, ['assume_role', 'external_id']);
  const sessionName = stringAt(block, ['assume_role', 'session_name']);
  if (![roleArn, externalId, sessionName].every(isKnown)) return 'unknown';
  if (roleArn === undefined || !ROLE_ARN.test(roleArn as string)) {
    throw new ConfigProblem(['assume_role', 'role_arn'], 'Invalid role_arn', `${JSON.stringify(roleArn ?? null)} is not allowed; expected an IAM role ARN (arn:aws:iam::123456789012:role/name)`);
  }
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId as string)) {
    throw new ConfigProblem(['assume_role', 'external_id'], 'Invalid external_id', 'expected 2 to 1224 characters of letters, digits and +=,.@:/-');
  }
  if (sessionName !== undefined && !SESSION_NAME.test(sessionName as string)) {
    throw new ConfigProblem(['assume_role', 'session_name'], 'Invalid session_name', `${JSON.stringify(sessionName)} is not allowed; expected 2 to 64 characters of letters, digits and +=,.@-`);
  }
  return {
    roleArn: roleArn as string,
    ...(externalId !== undefined ? { externalId: externalId as string } : {}),
    ...(sessionName !== undefined ? { sessionName: sessionName as string } : {}),
  };
}

/**
 * STS AssumeRole with the external id and session name, from the profile's (or the default chain's) credentials.
 * STS goes where IAM goes when an endpoint is set (the emulator), as the engine does for its own role option.
 */
function assumeRoleCredentials(role: AssumeRole, connection: ConnectionOptions, env: NodeJS.ProcessEnv): AwsCredentialIdentityProvider {
  // The SDK loads on the first read, not while Terraform waits for the provider to start.
  let provider: AwsCredentialIdentityProvider | undefined;
  return (properties) => {
    if (!provider) {
      const { fromIni, fromTemporaryCredentials } = require('@aws-sdk/credential-providers') as typeof import('@aws-sdk/credential-providers');
      const { stsEndpoint } = require('../iam/client') as typeof import('../iam/client');
      const endpoint = stsEndpoint(connection, env);
      provider = fromTemporaryCredentials({
        params: {
          RoleArn: role.roleArn,
          RoleSessionName: role.sessionName ?? `access-advisor-${Date.now()}`,
          ...(role.externalId ? { ExternalId: role.externalId } : {}),
        },
        ...(connection.profile ? { masterCredentials: fromIni({ profile: connection.profile }) } : {}),
        clientConfig: { region: connection.region ?? 'us-east-1', ...(endpoint ? { endpoint } : {}) },
      }) as unknown as AwsCredentialIdentityProvider;
    }
    return provider(properties);
  };
}


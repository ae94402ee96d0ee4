import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ConfiguredRetryStrategy, fromIni, fromTemporaryCredentials } from './aws-sdk';
import { SDK_MAX_ATTEMPTS, sdkRetryDelay, stsEndpoint, toAwsRequestError, type AwsCredentialIdentityProvider, type ConnectionOptions } from './client';
import { IncompleteResponseError } from '../model/errors';

/**
 * Credentials for reaching many accounts from one caller: the caller's own (explicit, a profile, or a --role-arn
 * hop) and a role assumed in each account, one shared session per account.
 */
export type Credentials = AwsCredentialIdentityProvider | undefined;

/** What the credential helpers read: the connection plus the engine's retry policy. */
export interface CredentialOptions extends ConnectionOptions {
  maxAttempts?: number;
  timeScale?: number;
}

/** The caller's credentials (explicit, profile, or --role-arn hop), or undefined for the SDK's default chain. */
export function callerCredentials(options: CredentialOptions): Credentials {
  const base = (options.credentials ?? (options.profile ? fromIni({ profile: options.profile }) : undefined)) as Credentials | { accessKeyId: string };
  const provider: Credentials =
    base === undefined ? undefined : typeof base === 'function' ? base : async () => base as Awaited<ReturnType<AwsCredentialIdentityProvider>>;
  if (!options.roleArn) return provider;
  return assumeRoleCredentials(options, options.roleArn, provider);
}

export function assumeRoleCredentials(options: CredentialOptions, roleArn: string, master: Credentials): AwsCredentialIdentityProvider {
  const endpoint = stsEndpoint(options);
  return shareSession(
    fromTemporaryCredentials({
      params: { RoleArn: roleArn, RoleSessionName: 'access-advisor-sweep' },
      ...(master ? { masterCredentials: master as never } : {}),
      clientConfig: {
        region: options.region ?? 'us-east-1',
        ...(endpoint ? { endpoint } : {}),
        // The engine's retry policy (and its time scale) for AssumeRole too: STS throttles the caller's account.
        retryStrategy: new ConfiguredRetryStrategy(options.maxAttempts ?? SDK_MAX_ATTEMPTS, (attempt: number) => sdkRetryDelay(attempt) * (options.timeScale ?? 1)),
      },
    }) as unknown as AwsCredentialIdentityProvider,
  );
}

/** How long before expiry a shared session is renewed. */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * One AssumeRole per account, shared by every client of that account (the listing and the reports): the SDK
 * memoizes credentials per client only. Renewed when it nears expiry; a failed call is not cached.
 */
export function shareSession(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  let current: ReturnType<AwsCredentialIdentityProvider> | undefined;
  return async () => {
    if (current) {
      const creds = await current.catch(() => undefined);
      if (creds && (!creds.expiration || creds.expiration.getTime() - Date.now() > RENEW_BEFORE_MS)) return creds;
    }
    const next = provider();
    current = next;
    next.catch(() => {
      if (current === next) current = undefined;
    });
    return next;
  };
}

/**
 * The account the caller's credentials belong to (STS GetCallerIdentity, which needs no permission): a sweep reaches
 * that account with those credentials, as there is no role to assume into the account one is already in.
 */
export async function callerAccountId(options: CredentialOptions, caller: Credentials, signal?: AbortSignal): Promise<string> {
  const endpoint = stsEndpoint(options);
  const client = new STSClient({
    region: options.region ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    ...(caller ? { credentials: caller } : options.profile ? { profile: options.profile } : {}),
    retryStrategy: new ConfiguredRetryStrategy(options.maxAttempts ?? SDK_MAX_ATTEMPTS, (attempt: number) => sdkRetryDelay(attempt) * (options.timeScale ?? 1)),
  });
  try {
    let identity: { Account?: string };
    try {
      identity = await client.send(new GetCallerIdentityCommand({}), signal ? { abortSignal: signal } : {});
    } catch (err) {
      throw toAwsRequestError('GetCallerIdentity', err, undefined, [], signal);
    }
    if (!identity.Account || !/^\d{12}$/.test(identity.Account)) {
      throw new IncompleteResponseError('GetCallerIdentity', undefined, 1, `no 12-digit Account in the answer (${JSON.stringify(identity.Account ?? null)})`);
    }
    return identity.Account;
  } finally {
    client.destroy();
  }
}

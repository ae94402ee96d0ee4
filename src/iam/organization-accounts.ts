import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
  type Account,
} from '@aws-sdk/client-organizations';
import { checkEndpointSetup, explainCredentialsFailure } from './aws-setup';
import { IamRetryStrategy, sdkRetryDelay, toAwsRequestError, type ConnectionOptions } from './client';
import { IncompleteResponseError, InvalidRequestError } from '../model/errors';

/** An account of the organization, as Organizations (or the caller) names it. */
export interface ListedAccount {
  readonly id: string;
  readonly name?: string;
}

export interface OrganizationListing {
  readonly accounts: readonly ListedAccount[];
  /** From the accounts' ARNs (`arn:aws:organizations::MANAGEMENT:account/…`): the account reached directly. */
  readonly managementAccountId?: string;
}

const ACCOUNT_ID = /^\d{12}$/;
/** More pages than any organization fills (Organizations allows thousands of accounts, 20 a page). */
export const MAX_LISTING_PAGES = 10_000;

const PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

export function validateAccountIds(ids: readonly string[]): string[] {
  ids.forEach((id, i) => {
    if (typeof id !== 'string' || !ACCOUNT_ID.test(id)) throw new InvalidRequestError(`accounts[${i}]`, id, 'a 12-digit AWS account id');
  });
  return [...new Set(ids)];
}

export function validateParentId(id: string): string {
  if (!PARENT_ID.test(id)) throw new InvalidRequestError('organizationalUnit', id, 'an OU id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)');
  return id;
}

/**
 * Where Organizations calls go: `AWS_ENDPOINT_URL_ORGANIZATIONS` wins (the SDK reads it itself); otherwise an
 * explicit endpoint (the emulator) serves Organizations too, as it serves STS.
 */
export function organizationsEndpoint(options: ConnectionOptions): string | undefined {
  if (process.env['AWS_ENDPOINT_URL_ORGANIZATIONS']) return undefined;
  return options.endpoint;
}

/**
 * The ACTIVE accounts of the organization (ListAccounts), or of one OU and every OU below it (ListAccountsForParent
 * + ListOrganizationalUnitsForParent), every page. Suspended and closing accounts cannot be swept: they are left out.
 */
export async function listOrganizationAccounts(
  options: ConnectionOptions & { credentials?: unknown; maxAttempts?: number; timeScale?: number },
  organizationalUnit: string | undefined,
  signal?: AbortSignal,
): Promise<OrganizationListing> {
  checkEndpointSetup(options, ['ORGANIZATIONS']);
  const endpoint = organizationsEndpoint(options);
  const timeScale = options.timeScale ?? 1;
  const client = new OrganizationsClient({
    // Organizations is a global service homed in us-east-1.
    region: 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    ...(options.profile && !options.credentials ? { profile: options.profile } : {}),
    ...(options.credentials ? { credentials: options.credentials as never } : {}),
    retryStrategy: new IamRetryStrategy(options.maxAttempts ?? 6, (attempt: number) => sdkRetryDelay(attempt) * timeScale),
  });
  const send = async <O>(operation: string, command: unknown): Promise<O> => {
    try {
      return (await client.send(command as never, signal ? { abortSignal: signal } : {})) as O;
    } catch (err) {
      throw explainCredentialsFailure(err, options) ?? toAwsRequestError(operation, err, undefined, [], signal);
    }
  };
  const pages = async <T>(operation: string, make: (token?: string) => unknown, pick: (page: never) => T[] | undefined): Promise<T[]> => {
    const out: T[] = [];
    const seenTokens = new Set<string>();
    let token: string | undefined;
    for (let pageNumber = 1; ; pageNumber++) {
      if (pageNumber > MAX_LISTING_PAGES) throw new IncompleteResponseError(operation, undefined, pageNumber, `more than ${MAX_LISTING_PAGES} pages`);
      const page = await send<{ NextToken?: string }>(operation, make(token));
      out.push(...(pick(page as never) ?? []));
      if (!page.NextToken) return out;
      if (seenTokens.has(page.NextToken)) {
        throw new IncompleteResponseError(operation, undefined, pageNumber, 'a NextToken repeated from an earlier page (the listing would never end)');
      }
      seenTokens.add(page.NextToken);
      token = page.NextToken;
    }
  };
  try {
    let listed: Account[];
    if (organizationalUnit === undefined) {
      listed = await pages('ListAccounts', (t) => new ListAccountsCommand(t ? { NextToken: t } : {}), (p: { Accounts?: Account[] }) => p.Accounts);
    } else {
      listed = [];
      const visited = new Set<string>();
      const walk = async (parent: string): Promise<void> => {
        // An OU reached twice is a cycle in the tree, or the same subtree counted twice: neither is an organization.
        if (visited.has(parent)) throw new IncompleteResponseError('ListOrganizationalUnitsForParent', undefined, 1, `the OU ${parent} appears twice in the tree`);
        visited.add(parent);
        listed.push(
          ...(await pages(
            'ListAccountsForParent',
            (t) => new ListAccountsForParentCommand({ ParentId: parent, ...(t ? { NextToken: t } : {}) }),
            (p: { Accounts?: Account[] }) => p.Accounts,
          )),
        );
        const ous = await pages(
          'ListOrganizationalUnitsForParent',
          (t) => new ListOrganizationalUnitsForParentCommand({ ParentId: parent, ...(t ? { NextToken: t } : {}) }),
          (p: { OrganizationalUnits?: { Id?: string }[] }) => p.OrganizationalUnits,
        );
        for (const ou of ous) {
          if (!ou.Id || !PARENT_ID.test(ou.Id)) throw new IncompleteResponseError('ListOrganizationalUnitsForParent', undefined, 1, `an OU of ${parent} without a valid Id (${JSON.stringify(ou.Id ?? null)})`);
          await walk(ou.Id);
        }
      };
      await walk(organizationalUnit);
    }
    const operation = organizationalUnit === undefined ? 'ListAccounts' : 'ListAccountsForParent';
    const seen = new Set<string>();
    for (const a of listed) {
      // An account without a valid id cannot be swept, and leaving it out would shrink the organization silently.
      if (!a.Id || !ACCOUNT_ID.test(a.Id)) throw new IncompleteResponseError(operation, undefined, 1, `an account without a valid Id (${JSON.stringify(a.Id ?? null)}${a.Name ? `, named ${JSON.stringify(a.Name)}` : ''})`);
      if (seen.has(a.Id)) throw new IncompleteResponseError(operation, undefined, 1, `the account ${a.Id} is listed twice`);
      seen.add(a.Id);
    }
    const managementAccountId = listed.map((a) => /^arn:[^:]+:organizations::(\d{12}):/.exec(a.Arn ?? '')?.[1]).find((id) => id);
    // Suspended and closing accounts cannot be swept. An account whose state is not given counts as ACTIVE: swept
    // (and failed if unreachable), never silently left out.
    const accounts = listed
      .filter((a) => (a.State ?? a.Status ?? 'ACTIVE') === 'ACTIVE')
      .map((a) => ({ id: a.Id!, ...(a.Name ? { name: a.Name } : {}) }));
    return { accounts, ...(managementAccountId ? { managementAccountId } : {}) };
  } finally {
    client.destroy();
  }
}

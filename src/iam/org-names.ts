import { ListAccountsCommand, ListOrganizationalUnitsForParentCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { checkEndpointSetup, explainCredentialsFailure } from './aws-setup';
import { IamRetryStrategy, sdkRetryDelay, toAwsRequestError, type ConnectionOptions } from './client';
import { organizationsEndpoint } from './organization-accounts';

/** OUs walked at most: a report page names a few entities, never thousands. */
const MAX_OUS = 1000;

/**
 * The names of the accounts of the organization and of the OUs under the last root or OU of `entityPath`
 * (ListAccounts, ListOrganizationalUnitsForParent; the management account's credentials), by id. For display only:
 * an id without a name is shown as the id.
 */
export async function listEntityNames(options: ConnectionOptions, entityPath: string, signal?: AbortSignal): Promise<Map<string, string>> {
  checkEndpointSetup(options, ['ORGANIZATIONS']);
  const endpoint = organizationsEndpoint(options);
  const client = new OrganizationsClient({
    region: 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    ...(options.profile && !options.credentials ? { profile: options.profile } : {}),
    ...(options.credentials ? { credentials: options.credentials as never } : {}),
    retryStrategy: new IamRetryStrategy(3, (attempt: number) => sdkRetryDelay(attempt)),
  });
  const send = async <O>(operation: string, command: unknown): Promise<O> => {
    try {
      return (await client.send(command as never, signal ? { abortSignal: signal } : {})) as O;
    } catch (err) {
      throw explainCredentialsFailure(err, options) ?? toAwsRequestError(operation, err, undefined, [], signal);
    }
  };
  const names = new Map<string, string>();
  try {
    let token: string | undefined;
    do {
      const page = await send<{ Accounts?: { Id?: string; Name?: string }[]; NextToken?: string }>('ListAccounts', new ListAccountsCommand(token ? { NextToken: token } : {}));
      for (const account of page.Accounts ?? []) if (account.Id && account.Name) names.set(account.Id, account.Name);
      token = page.NextToken;
    } while (token);
    const start = entityPath.split('/').filter((segment) => /^(r|ou)-/.test(segment)).pop();
    const queue = start ? [start] : [];
    let walked = 0;
    while (queue.length && walked < MAX_OUS) {
      const parent = queue.shift()!;
      let next: string | undefined;
      do {
        const page = await send<{ OrganizationalUnits?: { Id?: string; Name?: string }[]; NextToken?: string }>(
          'ListOrganizationalUnitsForParent',
          new ListOrganizationalUnitsForParentCommand({ ParentId: parent, ...(next ? { NextToken: next } : {}) }),
        );
        for (const ou of page.OrganizationalUnits ?? []) {
          if (!ou.Id) continue;
          walked++;
          if (ou.Name) names.set(ou.Id, ou.Name);
          queue.push(ou.Id);
        }
        next = page.NextToken;
      } while (next);
    }
    return names;
  } finally {
    client.destroy();
  }
}

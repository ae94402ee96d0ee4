import type { EntityType, GetAccountAuthorizationDetailsResponse } from '@aws-sdk/client-iam';
import { GetAccountAuthorizationDetailsCommand } from './aws-sdk';
import type { IamSession } from './client';
import { MAX_ITEMS } from '../model/constraints';
import { IncompleteResponseError } from '../model/errors';
import { isoDate } from './normalize';
import { globToRegExp, matchesFilter, type ListedPrincipal, type PrincipalFilter, type PrincipalKind } from './principal-filter';

const ENTITY_OF_KIND: Record<PrincipalKind, EntityType> = { role: 'Role', user: 'User', group: 'Group', policy: 'LocalManagedPolicy' };

/** More pages than any account can fill (IAM's quotas allow about 15,000 principals, up to 1,000 a page). */
export const MAX_PRINCIPAL_LISTING_PAGES = 1_000;

const RESOURCE_TYPE: Record<PrincipalKind, string> = { role: 'role', user: 'user', group: 'group', policy: 'policy' };

/**
 * Lists and filters the principals of account `accountId`. The listing is evidence of what the account holds, so an
 * answer that does not add up is an IncompleteResponseError, never a shorter or longer list: IsTruncated without a
 * Marker, a Marker seen before (a cycle would never end), more than MAX_PRINCIPAL_LISTING_PAGES pages, an entry
 * without an ARN or name (it cannot be reported on, and dropping it would hide a principal), the same ARN twice (it
 * would be counted twice), or an ARN of another account or that does not name the entry (the credentials reached
 * another account than the one swept).
 */
export async function listAccountPrincipals(
  session: IamSession,
  accountId: string,
  filter: PrincipalFilter,
  signal?: AbortSignal,
): Promise<ListedPrincipal[]> {
  const operation = 'GetAccountAuthorizationDetails';
  const globs = (filter.names ?? []).map(globToRegExp);
  const entityFilter = [...new Set(filter.kinds.map((k) => ENTITY_OF_KIND[k]))];
  const out: ListedPrincipal[] = [];
  const seenArns = new Set<string>();
  const seenMarkers = new Set<string>();
  let marker: string | undefined;
  for (let pageNumber = 1; ; pageNumber++) {
    if (pageNumber > MAX_PRINCIPAL_LISTING_PAGES) {
      throw new IncompleteResponseError(operation, undefined, pageNumber, `more than ${MAX_PRINCIPAL_LISTING_PAGES} pages for account ${accountId}`);
    }
    const page = await session.send<GetAccountAuthorizationDetailsResponse>(
      operation,
      new GetAccountAuthorizationDetailsCommand({ Filter: entityFilter, MaxItems: MAX_ITEMS.max, ...(marker ? { Marker: marker } : {}) }),
      signal,
    );
    const bad = (detail: string) => new IncompleteResponseError(operation, undefined, pageNumber, `${detail} (listing account ${accountId})`);
    const add = (kind: PrincipalKind, arn: string | undefined, name: string | undefined, path: string | undefined, created: Date | undefined) => {
      if (!arn || !name) throw bad(`a ${kind} entry without ${!arn ? 'an Arn' : 'a name'}${arn ? ` (${arn})` : name ? ` (${name})` : ''}`);
      const resourcePath = principalPathOf(arn, accountId, kind, name);
      if (resourcePath === undefined) throw bad(`the ${kind} entry ${JSON.stringify(name)} has the ARN ${JSON.stringify(arn)}, not a ${kind} of account ${accountId} of that name`);
      if (path !== undefined && path !== resourcePath) throw bad(`the ${kind} ${arn} has the path ${JSON.stringify(path)}, its ARN says ${JSON.stringify(resourcePath)}`);
      if (seenArns.has(arn)) throw bad(`${arn} is listed twice`);
      seenArns.add(arn);
      out.push({ arn, kind, name, path: resourcePath, ...(isoDate(created) ? { createDate: isoDate(created)! } : {}) });
    };
    for (const r of page.RoleDetailList ?? []) add('role', r.Arn, r.RoleName, r.Path, r.CreateDate);
    for (const u of page.UserDetailList ?? []) add('user', u.Arn, u.UserName, u.Path, u.CreateDate);
    for (const g of page.GroupDetailList ?? []) add('group', g.Arn, g.GroupName, g.Path, g.CreateDate);
    // LocalManagedPolicy only: AWS managed policies are the same everywhere and not the account's to tighten.
    for (const p of page.Policies ?? []) if (!p.Arn?.includes(':iam::aws:')) add('policy', p.Arn, p.PolicyName, p.Path, p.CreateDate);
    if (!page.IsTruncated) break;
    if (!page.Marker) throw bad('IsTruncated without a Marker');
    if (seenMarkers.has(page.Marker)) throw bad('a Marker repeated from an earlier page (the listing would never end)');
    seenMarkers.add(page.Marker);
    marker = page.Marker;
  }
  return out.filter((p) => matchesFilter(p, filter, globs));
}

/** The IAM path an ARN gives a principal of `accountId` named `name` (`arn:aws:iam::ID:role/path/name`), or undefined. */
function principalPathOf(arn: string, accountId: string, kind: PrincipalKind, name: string): string | undefined {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):([a-z]+)(\/(?:.*\/)?)([^/]+)$/.exec(arn);
  if (!m || m[1] !== accountId || m[2] !== RESOURCE_TYPE[kind] || m[4] !== name) return undefined;
  return m[3];
}

import { GetAccountAuthorizationDetailsCommand, type EntityType, type GetAccountAuthorizationDetailsResponse } from '@aws-sdk/client-iam';
import type { IamSession } from './client';
import { MAX_ITEMS } from '../model/constraints';
import { AwsRequestError } from '../model/errors';
import { isoDate } from './normalize';
import { globToRegExp, matchesFilter, type ListedPrincipal, type PrincipalFilter, type PrincipalKind } from './principal-filter';

const ENTITY_OF_KIND: Record<PrincipalKind, EntityType> = { role: 'Role', user: 'User', group: 'Group', policy: 'LocalManagedPolicy' };

/** Lists and filters; every page must be complete (IsTruncated with a Marker), or the listing is an error. */
export async function listAccountPrincipals(session: IamSession, filter: PrincipalFilter, signal?: AbortSignal): Promise<ListedPrincipal[]> {
  const globs = (filter.names ?? []).map(globToRegExp);
  const entityFilter = [...new Set(filter.kinds.map((k) => ENTITY_OF_KIND[k]))];
  const out: ListedPrincipal[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await session.send<GetAccountAuthorizationDetailsResponse>(
      'GetAccountAuthorizationDetails',
      new GetAccountAuthorizationDetailsCommand({ Filter: entityFilter, MaxItems: MAX_ITEMS.max, ...(marker ? { Marker: marker } : {}) }),
      signal,
    );
    const add = (kind: PrincipalKind, arn: string | undefined, name: string | undefined, path: string | undefined, created: Date | undefined) => {
      if (!arn || !name) return;
      out.push({ arn, kind, name, path: path ?? '/', ...(isoDate(created) ? { createDate: isoDate(created)! } : {}) });
    };
    for (const r of page.RoleDetailList ?? []) add('role', r.Arn, r.RoleName, r.Path, r.CreateDate);
    for (const u of page.UserDetailList ?? []) add('user', u.Arn, u.UserName, u.Path, u.CreateDate);
    for (const g of page.GroupDetailList ?? []) add('group', g.Arn, g.GroupName, g.Path, g.CreateDate);
    // LocalManagedPolicy only: AWS managed policies are the same everywhere and not the account's to tighten.
    for (const p of page.Policies ?? []) if (p.Arn && !p.Arn.includes(':iam::aws:')) add('policy', p.Arn, p.PolicyName, p.Path, p.CreateDate);
    if (!page.IsTruncated) break;
    if (!page.Marker) throw new AwsRequestError('GetAccountAuthorizationDetails', 'IncompleteResponse', 'IsTruncated without a Marker');
    marker = page.Marker;
  }
  return out.filter((p) => matchesFilter(p, filter, globs));
}

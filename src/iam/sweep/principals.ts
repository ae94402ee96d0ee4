import { GetAccountAuthorizationDetailsCommand, type EntityType, type GetAccountAuthorizationDetailsResponse } from '@aws-sdk/client-iam';
import type { IamSession } from '../client';
import { MAX_ITEMS } from '../../model/constraints';
import { AwsRequestError, InvalidRequestError } from '../../model/errors';
import { isoDate } from '../normalize';
import type { SweepPrincipalKind } from './types';

/**
 * Every principal of one account that a sweep reports on, from one GetAccountAuthorizationDetails series (the same
 * listing principal-dates uses for creation dates): roles, users, groups and customer managed policies, with their
 * creation dates, so no per-principal Get is needed. AWS service-linked roles (path /aws-service-role/) are
 * AWS's to manage, not the account's: left out unless asked for.
 */
export interface ListedPrincipal {
  readonly arn: string;
  readonly kind: SweepPrincipalKind;
  readonly name: string;
  readonly path: string;
  readonly createDate?: string;
}

export interface PrincipalFilter {
  readonly kinds: readonly SweepPrincipalKind[];
  readonly pathPrefix?: string;
  /** Name globs (`*` any run of characters, `?` one); a principal matching any is kept. */
  readonly names?: readonly string[];
  readonly includeServiceLinkedRoles: boolean;
}

const ENTITY_OF_KIND: Record<SweepPrincipalKind, EntityType> = { role: 'Role', user: 'User', group: 'Group', policy: 'LocalManagedPolicy' };
export const SERVICE_LINKED_ROLE_PATH = '/aws-service-role/';

/** A name glob as an anchored, case-sensitive regular expression (IAM names are case-sensitive to read). */
export function globToRegExp(glob: string): RegExp {
  if (typeof glob !== 'string' || glob.length === 0 || glob.length > 128) {
    throw new InvalidRequestError('names', glob, 'a non-empty name glob of at most 128 characters (* and ? as wildcards)');
  }
  const body = [...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`);
}

export function validatePathPrefix(prefix: string): string {
  if (!/^\/([\x21-\x7e]*\/)?$/.test(prefix) || prefix.length > 512) {
    throw new InvalidRequestError('pathPrefix', prefix, 'an IAM path that starts and ends with "/", e.g. /app/');
  }
  return prefix;
}

export function matchesFilter(p: ListedPrincipal, filter: PrincipalFilter, globs: readonly RegExp[]): boolean {
  if (!filter.kinds.includes(p.kind)) return false;
  if (p.kind === 'role' && p.path.startsWith(SERVICE_LINKED_ROLE_PATH) && !filter.includeServiceLinkedRoles) return false;
  if (filter.pathPrefix !== undefined && !p.path.startsWith(filter.pathPrefix)) return false;
  if (globs.length > 0 && !globs.some((g) => g.test(p.name))) return false;
  return true;
}

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
    const add = (kind: SweepPrincipalKind, arn: string | undefined, name: string | undefined, path: string | undefined, created: Date | undefined) => {
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

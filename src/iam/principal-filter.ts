import { InvalidRequestError } from '../model/errors';

/** The kinds of principal an account listing returns: customer managed policies count, as they hold permissions. */
export type PrincipalKind = 'role' | 'user' | 'group' | 'policy';

/**
 * Every principal of one account that a sweep reports on, from one GetAccountAuthorizationDetails series (the same
 * listing principal-dates uses for creation dates): roles, users, groups and customer managed policies, with their
 * creation dates, so no per-principal Get is needed. AWS service-linked roles (path /aws-service-role/) are
 * AWS's to manage, not the account's: left out unless asked for.
 */
export interface ListedPrincipal {
  readonly arn: string;
  readonly kind: PrincipalKind;
  readonly name: string;
  readonly path: string;
  readonly createDate?: string;
}

export interface PrincipalFilter {
  readonly kinds: readonly PrincipalKind[];
  readonly pathPrefix?: string;
  /** Name globs (`*` any run of characters, `?` one); a principal matching any is kept. */
  readonly names?: readonly string[];
  readonly includeServiceLinkedRoles: boolean;
}

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

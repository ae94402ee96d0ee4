import { AnalysisInputError } from './errors';
import type { PermissionException } from './types';
import { hasWildcard, matchesWildcard, splitAction } from './wildcard';

/**
 * Explicit exceptions (like cdk-nag suppressions). A permission is
 * - a service (`s3`, wildcards allowed: `s3*`): every action of the matching services;
 * - `service:*` or `*`: the same, written as an action pattern;
 * - an action or action pattern (`s3:GetObject`, `s3:Get*`): those actions only.
 * Only the first two forms exempt a whole unused service; an action pattern exempts the actions it matches
 * (an unused service stays flagged, since its other actions are unused too).
 */
export class ExceptionMatcher {
  readonly exceptions: readonly PermissionException[];

  constructor(allow: readonly PermissionException[] | undefined, source = 'allow') {
    if (allow !== undefined && !Array.isArray(allow)) throw new AnalysisInputError(source, source, allow, 'a list of {permission, reason}');
    (allow ?? []).forEach((e, i) => {
      if (typeof e !== 'object' || e === null) throw new AnalysisInputError(source, `${source}[${i}]`, e, 'an object {permission, reason}');
      if (typeof e.permission !== 'string' || !/^[\w*?-]+(:[\w*?-]+)?$|^\*$/.test(e.permission.trim())) {
        throw new AnalysisInputError(source, `${source}[${i}].permission`, e.permission, 'a service (s3), an action (s3:GetObject) or a pattern (s3:Get*, *)');
      }
      if (typeof e.reason !== 'string' || e.reason.trim() === '') {
        throw new AnalysisInputError(source, `${source}[${i}].reason`, e.reason, 'a non-empty reason: every exception says why');
      }
    });
    this.exceptions = (allow ?? []).map((e) => ({ permission: e.permission.trim(), reason: e.reason.trim() }));
  }

  /** The exception covering every action of the service, if any. */
  forService(service: string): PermissionException | undefined {
    return this.exceptions.find((e) => {
      if (e.permission === '*') return true;
      const parts = splitAction(e.permission);
      if (!parts) return matchesWildcard(e.permission, service, true);
      return parts.action === '*' && matchesWildcard(parts.service, service, true);
    });
  }

  /** The exception covering this action (`svc:Action`), if any. */
  forAction(action: string): PermissionException | undefined {
    const parts = splitAction(action);
    if (!parts) return undefined;
    return (
      this.forService(parts.service) ??
      this.exceptions.find((e) => e.permission.includes(':') && matchesWildcard(e.permission, action, true))
    );
  }

  /** Whether any exception names some actions of the service (used to explain partial exceptions). */
  touchesService(service: string): boolean {
    return this.exceptions.some((e) => {
      const parts = splitAction(e.permission);
      const servicePattern = parts ? parts.service : e.permission;
      return hasWildcard(servicePattern) ? matchesWildcard(servicePattern, service, true) : servicePattern.toLowerCase() === service;
    });
  }
}

import type { ServiceLastAccessedReport } from '../model/report';
import { assessEvidence, isNeverReported, NEVER_REPORTED_ACTIONS, iso, serviceUnusedReason, trackedUnusedReason, type Evidence } from './evidence';
import type { Finding, UnusedPermissions, UnusedPermissionsOptions } from './types';

/**
 * Unused permissions of the report's entity (a user, role, group or managed policy), with a reason for every
 * finding. Needs no action catalog: the plan-time program bundles this without it.
 */
export function findUnusedPermissions(report: ServiceLastAccessedReport, options: UnusedPermissionsOptions = {}): UnusedPermissions {
  return unusedFromEvidence(assessEvidence(report, options));
}

export function unusedFromEvidence(evidence: Evidence): UnusedPermissions {
  const findings: Finding[] = [];
  const usedServices: string[] = [];
  const usedActions: string[] = [];
  const unusedActions: string[] = [];
  const sufficient = evidence.status === 'sufficient';
  const window = `${evidence.unusedAfterDays}-day window starting ${iso(evidence.cutoff)}`;

  for (const s of evidence.services.values()) {
    if (s.namespace === 'iam') {
      for (const action of NEVER_REPORTED_ACTIONS) {
        findings.push({ kind: 'never-reported', permission: action, reason: `${action} is never reported as used by access advisor, so it is always kept` });
      }
    }
    if (s.used) {
      usedServices.push(s.namespace);
      findings.push({
        kind: 'used-service',
        permission: s.namespace,
        lastUsed: s.lastAuthenticated,
        reason: `${s.namespace} (${s.name}) ${s.usedByAction ? `used within the ${window}: its tracked action ${s.usedByAction} was used, although the service's own timestamp (${s.lastAuthenticated ?? 'none'}) is older; contradicting evidence counts as use` : `last used ${s.lastAuthenticated}, within the ${window}`}${s.tracked ? '' : evidence.granularity === 'ACTION_LEVEL' ? '; no action-level data for this service, so all its allowed actions are kept' : ''}`,
      });
      if (!s.tracked) continue;
      for (const a of s.tracked.values()) {
        const permission = `${s.namespace}:${a.name}`;
        if (isNeverReported(permission)) continue;
        if (a.used) {
          usedActions.push(permission);
          findings.push({ kind: 'used-action', permission, lastUsed: a.lastAccessedTime, reason: `${permission} last used ${a.lastAccessedTime}, within the ${window}` });
        } else if (sufficient) {
          const exception = evidence.exceptions.forAction(permission);
          const why = trackedUnusedReason(evidence, s.namespace, a);
          if (exception) {
            findings.push({ kind: 'allowed-by-exception', permission, ...(a.lastAccessedTime ? { lastUsed: a.lastAccessedTime } : {}), reason: `allowed by exception ${exception.permission}: ${exception.reason} (${why})` });
          } else {
            unusedActions.push(permission);
            findings.push({ kind: 'unused-action', permission, ...(a.lastAccessedTime ? { lastUsed: a.lastAccessedTime } : {}), reason: why });
          }
        }
      }
      for (const a of s.silenceNotEvidence ?? []) findings.push({ kind: 'unknown-action', permission: a.permission, reason: a.reason });
      findings.push({
        kind: 'unknown-action',
        permission: `${s.namespace}:*`,
        reason: `allowed ${s.namespace} actions that access advisor does not track (such as data-plane actions) have no evidence either way and are kept`,
      });
      continue;
    }
    if (!sufficient) continue;
    const why = serviceUnusedReason(evidence, s);
    const exception = evidence.exceptions.forService(s.namespace);
    if (exception) {
      findings.push({ kind: 'allowed-by-exception', permission: s.namespace, ...(s.lastAuthenticated ? { lastUsed: s.lastAuthenticated } : {}), reason: `allowed by exception ${exception.permission}: ${exception.reason} (${why})` });
      continue;
    }
    const partial = evidence.exceptions.touchesService(s.namespace) ? '; actions named by an exception are kept' : '';
    const passRole = s.namespace === 'iam' ? '; iam:PassRole is kept' : '';
    findings.push({ kind: 'unused-service', permission: s.namespace, ...(s.lastAuthenticated ? { lastUsed: s.lastAuthenticated } : {}), reason: `${why}${passRole}${partial}` });
  }

  findings.sort((a, b) => compare(a.permission, b.permission) || compare(a.kind, b.kind));
  return {
    status: evidence.status,
    statusReason: evidence.statusReason,
    principalArn: evidence.principalArn,
    unusedAfterDays: evidence.unusedAfterDays,
    evaluatedAt: iso(evidence.now),
    reportJobCompletionDate: evidence.reportJobCompletionDate,
    ...(evidence.principalCreateDate !== undefined ? { principalCreateDate: evidence.principalCreateDate } : {}),
    principalCreateDateKnown: evidence.principalCreateDateKnown,
    usedServices: usedServices.sort(compare),
    unusedServices: [...evidence.unusedServices].sort(compare),
    usedActions: usedActions.sort(compare),
    unusedActions: unusedActions.sort(compare),
    findings,
  };
}

/** Byte-order comparison: stable across locales. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

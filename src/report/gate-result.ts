import type { PrincipalVerdict } from '../analysis/gate';
import type { DriftResult, EvidenceStatus, Finding } from '../analysis/types';
import type { ServiceLastAccessedReport } from '../model/report';

/** The `gate` command's result: one entry per principal, in the order given. */
export interface GateResult {
  readonly kind: 'least-privilege-gate';
  readonly passed: boolean;
  readonly unusedAfterDays: number;
  /** The reference time of the decisions (ISO). */
  readonly evaluatedAt?: string;
  /** The baseline file compared against, when --baseline was given. */
  readonly baseline?: string;
  /** True when --accept wrote the current state into the baseline. */
  readonly accepted?: boolean;
  /** The --policy files judged (the policies the principal will hold), when given. */
  readonly policies?: readonly string[];
  readonly principals: readonly GatePrincipal[];
}

export interface GatePrincipal {
  readonly arn: string;
  readonly passed: boolean;
  /** Absent when the report could not be obtained (see `error`). */
  readonly status?: EvidenceStatus;
  readonly statusReason?: string;
  readonly jobId?: string;
  readonly unusedServices: readonly string[];
  readonly unusedActions: readonly string[];
  /** Unused permissions that fail the gate (without a baseline: all of them; with one: the new ones). */
  readonly violations: readonly Finding[];
  readonly allowedByException: readonly Finding[];
  /** Kept because no evidence can vouch for them either way (untracked actions, iam:PassRole), with the reason. */
  readonly keptWithoutEvidence?: readonly Finding[];
  /** Unused permissions the judged --policy documents no longer grant (not violations). */
  readonly notGranted?: readonly string[];
  readonly drift?: Pick<DriftResult, 'newUnused' | 'acceptedUnused' | 'resolved'>;
  readonly error?: { readonly message: string; readonly exitCode: number };
  /** What the report said per service: the evidence behind the decision (the HTML heat map draws it). */
  readonly services?: readonly PrincipalService[];
}

/** One service of a principal's report, as the gate and the sweep results carry it. */
export interface PrincipalService {
  readonly serviceNamespace: string;
  readonly serviceName: string;
  readonly lastAuthenticated?: string;
  /** ACTION_LEVEL only, for services IAM tracks at action level. */
  readonly trackedActions?: readonly { readonly actionName: string; readonly lastAccessedTime?: string }[];
}

/** The per-service evidence of a report, without the fields no decision reads (entities, regions). */
export function principalServices(services: readonly {
  serviceNamespace: string;
  serviceName: string;
  lastAuthenticated?: string;
  trackedActionsLastAccessed?: readonly { actionName: string; lastAccessedTime?: string }[];
}[]): PrincipalService[] {
  return services.map((s) => ({
    serviceNamespace: s.serviceNamespace,
    serviceName: s.serviceName,
    ...(s.lastAuthenticated ? { lastAuthenticated: s.lastAuthenticated } : {}),
    ...(s.trackedActionsLastAccessed
      ? { trackedActions: s.trackedActionsLastAccessed.map((a) => ({ actionName: a.actionName, ...(a.lastAccessedTime ? { lastAccessedTime: a.lastAccessedTime } : {}) })) }
      : {}),
  }));
}

/**
 * One principal of the gate result, from the gate's verdict on its report. The drift is shown only for a judged
 * principal: without evidence nothing is new or resolved.
 */
export function gatePrincipal(arn: string, verdict: PrincipalVerdict, report?: ServiceLastAccessedReport): GatePrincipal {
  const u = verdict.unused;
  return {
    arn,
    status: u.status,
    statusReason: u.statusReason,
    ...(report ? { jobId: report.jobId } : {}),
    unusedServices: u.unusedServices,
    unusedActions: u.unusedActions,
    allowedByException: verdict.accepted,
    keptWithoutEvidence: verdict.keptWithoutEvidence,
    ...(report ? { services: principalServices(report.servicesLastAccessed) } : {}),
    ...(verdict.noLongerGranted.length > 0 ? { notGranted: verdict.noLongerGranted } : {}),
    passed: verdict.passed,
    violations: verdict.violations,
    ...(verdict.drift && verdict.judged
      ? { drift: { newUnused: verdict.drift.newUnused, acceptedUnused: verdict.drift.acceptedUnused, resolved: verdict.drift.resolved } }
      : {}),
  };
}

import type { ServiceLastAccessedReport } from '../model/report';
import { DEFAULT_MAX_REPORT_AGE_DAYS, DEFAULT_UNUSED_AFTER_DAYS, MAX_UNUSED_AFTER_DAYS } from './defaults';
import { actionSilenceCovers } from '../model/action-tracking';
import { AnalysisInputError } from './errors';
import { ExceptionMatcher } from './exceptions';
import { runService, serviceRuns, type ServiceRuns } from './service-runs';
import type { EvidenceStatus, Finding, PermissionException, UnusedPermissionsOptions } from './types';

/** access advisor never reports iam:PassRole as used, so its evidence can never remove it. */
export const NEVER_REPORTED_ACTIONS: readonly string[] = ['iam:PassRole'];
const DAY_MS = 86_400_000;
/** Clock skew allowed between IAM's completion date and the reference time (as for the cache's resolvedAt). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * Whether a report says it completed after the time it is judged at (beyond clock skew). Its age is then below zero
 * and can never exceed a limit: a report "from the future" would stay fresh for ever, so it is no evidence.
 */
export function completedInTheFuture(completed: Date, ageAt: Date): boolean {
  return completed.getTime() - ageAt.getTime() > FUTURE_TOLERANCE_MS;
}

/** How many days before `ageAt` the report completed (negative when after it). */
export function reportAgeDays(completed: Date, ageAt: Date): number {
  return (ageAt.getTime() - completed.getTime()) / DAY_MS;
}

export function futureReportReason(jobId: string, completed: Date, ageAt: Date): string {
  return `stale evidence: report job ${jobId} says it completed ${iso(completed)}, after ${iso(ageAt)} (the time it is judged at); a report from the future is no evidence of its age. Check the clock, or refresh the report`;
}

/** A job that completed before it was created does not add up: refused, naming both dates. */
export function checkJobDates(report: { readonly jobCreationDate?: unknown; readonly jobCompletionDate: unknown }): void {
  if (report.jobCreationDate === undefined) return;
  const created = toDate(report.jobCreationDate as string, 'report', 'jobCreationDate');
  if (toDate(report.jobCompletionDate as string, 'report', 'jobCompletionDate').getTime() < created.getTime()) {
    throw new AnalysisInputError('report', 'jobCompletionDate', report.jobCompletionDate, `a date not before jobCreationDate (${String(report.jobCreationDate)})`);
  }
}

function createdAfterReport(report: ServiceLastAccessedReport, completed: Date): boolean {
  if (report.principalCreateDate === undefined) return false;
  return toDate(report.principalCreateDate, 'report', 'principalCreateDate').getTime() > completed.getTime();
}

export interface ServiceEvidence {
  readonly namespace: string;
  readonly name: string;
  readonly lastAuthenticated?: string;
  readonly used: boolean;
  /** Set when only a tracked action shows use inside the window (the service timestamp is older): that action. */
  readonly usedByAction?: string;
  /**
   * ACTION_LEVEL services IAM tracks at action level: lower-case action name → its last use (or undefined). Only
   * actions whose silence is evidence: a used action, or one IAM has tracked for the whole window.
   */
  readonly tracked?: ReadonlyMap<string, { readonly name: string; readonly lastAccessedTime?: string; readonly used: boolean }>;
  /** Tracked actions without use in the window whose tracking may have begun inside it: kept as unknown, with why. */
  readonly silenceNotEvidence?: readonly { readonly permission: string; readonly reason: string }[];
}

/**
 * Everything a decision needs from one report, computed once: which services and tracked actions the evidence
 * proves unused, under the window, the reference time and the exceptions. Pure; no catalog.
 */
export interface Evidence {
  readonly status: EvidenceStatus;
  readonly statusReason: string;
  readonly principalArn: string;
  readonly granularity: ServiceLastAccessedReport['granularity'];
  readonly unusedAfterDays: number;
  readonly maxReportAgeDays: number;
  readonly now: Date;
  readonly cutoff: Date;
  readonly reportJobCompletionDate: string;
  readonly services: ReadonlyMap<string, ServiceEvidence>;
  readonly exceptions: ExceptionMatcher;
  /** Services proven unused and not exempted as a whole (empty unless status is 'sufficient'). */
  readonly unusedServices: ReadonlySet<string>;
  /** Lower-case `svc:action` of tracked actions proven unused in used services, not exempted. */
  readonly unusedActions: ReadonlySet<string>;
  readonly principalCreateDate?: string;
  /** False when the report carries no creation date (unknown history). */
  readonly principalCreateDateKnown: boolean;
}

export function assessEvidence(report: ServiceLastAccessedReport, options: UnusedPermissionsOptions = {}): Evidence {
  validateReport(report);
  if (typeof options !== 'object' || options === null) throw new AnalysisInputError('options', '(options)', options, 'an options object');
  const unusedAfterDays = windowDays(options.unusedAfterDays);
  const maxReportAgeDays = positiveNumber(options.maxReportAgeDays, DEFAULT_MAX_REPORT_AGE_DAYS, 'maxReportAgeDays');
  if (options.judgeUnknownHistory !== undefined && typeof options.judgeUnknownHistory !== 'boolean') {
    throw new AnalysisInputError('options', 'judgeUnknownHistory', options.judgeUnknownHistory, 'true or false');
  }
  const now = toDate(options.now ?? new Date(), 'options', 'now');
  const ageAt = toDate(options.ageReferenceTime ?? options.now ?? new Date(), 'options', 'ageReferenceTime');
  const staleReason = staleReasonOf(options.staleReason);
  const cutoff = new Date(now.getTime() - unusedAfterDays * DAY_MS);
  const exceptions = new ExceptionMatcher(options.allow as readonly PermissionException[] | undefined);
  const completed = toDate(report.jobCompletionDate, 'report', 'jobCompletionDate');

  let status: EvidenceStatus = 'sufficient';
  let statusReason = `report job ${report.jobId} completed ${iso(completed)}; window ${unusedAfterDays} days (since ${iso(cutoff)})`;
  const ageDays = reportAgeDays(completed, ageAt);
  const dateKnown = report.principalCreateDate !== undefined;
  if (staleReason !== undefined) {
    status = 'stale-evidence';
    statusReason = `stale evidence: ${staleReason}; nothing is flagged until the report is refreshed`;
  } else if (completedInTheFuture(completed, ageAt)) {
    status = 'stale-evidence';
    statusReason = futureReportReason(report.jobId, completed, ageAt);
  } else if (createdAfterReport(report, completed)) {
    status = 'stale-evidence';
    statusReason = `stale evidence: report job ${report.jobId} completed ${iso(completed)}, before ${report.arn} was created (${report.principalCreateDate}): it describes an earlier principal of that name; nothing is flagged until the report is refreshed`;
  } else if (ageDays > maxReportAgeDays) {
    status = 'stale-evidence';
    statusReason = `stale evidence: report job ${report.jobId} completed ${iso(completed)}, ${ageDays.toFixed(1)} days before ${iso(ageAt)} (limit ${maxReportAgeDays} days); nothing is flagged until the report is refreshed`;
  } else if (report.principalCreateDate !== undefined) {
    const created = toDate(report.principalCreateDate, 'report', 'principalCreateDate');
    if (created.getTime() > cutoff.getTime()) {
      status = 'insufficient-history';
      statusReason = `insufficient history: ${report.arn} was created ${iso(created)}, less than ${unusedAfterDays} days before ${iso(now)}; nothing is flagged`;
    }
  } else if (options.judgeUnknownHistory === true) {
    statusReason = `${statusReason}; the creation date of ${report.arn} could not be read (unknown history), judged anyway because judgeUnknownHistory is set: it may be younger than the window`;
  } else {
    status = 'unknown-history';
    statusReason =
      `unknown history: the creation date of ${report.arn} could not be read (the caller may not call ` +
      `iam:GetRole/GetUser/GetGroup/GetPolicy or iam:GetAccountAuthorizationDetails), so it may be younger than the ` +
      `${unusedAfterDays}-day window; nothing is flagged. Grant that read, or opt in with judgeUnknownHistory: true ` +
      `(CLI --judge-unknown-history, plan-time query key judge_unknown_history) to judge it anyway`;
  }

  const services = new Map<string, ServiceEvidence>();
  const unusedServices = new Set<string>();
  const unusedActions = new Set<string>();
  const cutoffTime = cutoff.getTime();
  for (const s of report.servicesLastAccessed) {
    const namespace = s.serviceNamespace.toLowerCase();
    const serviceUsed = s.lastAuthenticated !== undefined && timeOf(s.lastAuthenticated, 'report', () => `servicesLastAccessed[${namespace}].lastAuthenticated`) >= cutoffTime;
    let tracked: Map<string, { name: string; lastAccessedTime?: string; used: boolean }> | undefined;
    let silenceNotEvidence: { permission: string; reason: string }[] | undefined;
    if (report.granularity === 'ACTION_LEVEL' && s.trackedActionsLastAccessed !== undefined) {
      tracked = new Map();
      for (const a of s.trackedActionsLastAccessed) {
        const time = a.lastAccessedTime;
        const actionUsed =
          time !== undefined && timeOf(time, 'report', () => `servicesLastAccessed[${namespace}].trackedActionsLastAccessed[${a.actionName}].lastAccessedTime`) >= cutoffTime;
        if (!actionUsed) {
          // Silence means "not used since IAM began tracking it": no evidence for a window that began earlier.
          const coverage = actionSilenceCovers(namespace, a.actionName, cutoff);
          if (!coverage.covered) {
            (silenceNotEvidence ??= []).push({ permission: `${namespace}:${a.actionName}`, reason: coverage.reason });
            continue;
          }
        }
        tracked.set(a.actionName.toLowerCase(), time ? { name: a.actionName, lastAccessedTime: time, used: actionUsed } : { name: a.actionName, used: actionUsed });
      }
    }
    // Contradicting evidence: an action used inside the window proves the service used, whatever its own timestamp.
    const usedByAction = serviceUsed || !tracked ? undefined : [...tracked.values()].find((a) => a.used);
    const used = serviceUsed || usedByAction !== undefined;
    services.set(namespace, { namespace, name: s.serviceName, ...(usedByAction ? { usedByAction: `${namespace}:${usedByAction.name} (${usedByAction.lastAccessedTime})` } : {}), ...(s.lastAuthenticated ? { lastAuthenticated: s.lastAuthenticated } : {}), used, ...(tracked ? { tracked } : {}), ...(silenceNotEvidence ? { silenceNotEvidence } : {}) });
    if (status !== 'sufficient') continue;
    if (!used) {
      if (!exceptions.forService(namespace)) unusedServices.add(namespace);
    } else if (tracked) {
      for (const a of tracked.values()) {
        const full = `${namespace}:${a.name}`;
        if (!a.used && !isNeverReported(full) && !exceptions.forAction(full)) unusedActions.add(full.toLowerCase());
      }
    }
  }
  return {
    status,
    statusReason,
    principalArn: report.arn,
    granularity: report.granularity,
    unusedAfterDays,
    maxReportAgeDays,
    now,
    cutoff,
    reportJobCompletionDate: report.jobCompletionDate,
    services,
    exceptions,
    unusedServices,
    unusedActions,
    principalCreateDate: report.principalCreateDate,
    principalCreateDateKnown: dateKnown,
  };
}

const NEVER_REPORTED_LOWER = new Set(NEVER_REPORTED_ACTIONS.map((a) => a.toLowerCase()));

const NEVER_REPORTED_LENGTHS = new Set(NEVER_REPORTED_ACTIONS.map((a) => a.length));

export function isNeverReported(action: string): boolean {
  return NEVER_REPORTED_LENGTHS.has(action.length) && NEVER_REPORTED_LOWER.has(action.toLowerCase());
}

/**
 * The decision rule for one concrete action `svc:Action`: removable only when the evidence is sufficient, the
 * action is not iam:PassRole, no exception covers it, and either its whole service is proven unused or the
 * report tracks this very action and saw no use in the window. Anything else (untracked, unlisted, unknown) stays.
 */
export function isRemovable(evidence: Evidence, action: string): boolean {
  if (evidence.status !== 'sufficient') return false;
  const colon = action.indexOf(':');
  if (colon < 0) return false;
  let service = action.slice(0, colon);
  if (!evidence.unusedServices.has(service)) {
    service = service.toLowerCase();
    if (!evidence.unusedServices.has(service) && (evidence.unusedActions.size === 0 || !evidence.unusedActions.has(action.toLowerCase()))) {
      return false;
    }
  }
  if (isNeverReported(action)) return false;
  return evidence.exceptions.exceptions.length === 0 || evidence.exceptions.forAction(action) === undefined;
}

/**
 * `isRemovable` for many actions at once (1 removable, 0 not), the same rule, decided per run of actions of one
 * service (catalog order; see service-runs.ts): whether the whole service is proven unused, or has any tracked action
 * proven unused, is looked up once per run instead of once per action.
 */
export function removableActions(evidence: Evidence, actions: readonly string[], runs: ServiceRuns = serviceRuns(actions)): Uint8Array {
  const out = new Uint8Array(actions.length);
  if (evidence.status !== 'sufficient') return out;
  const noExceptions = evidence.exceptions.exceptions.length === 0;
  const withUnusedActions = servicesWithUnusedActions(evidence);
  for (let k = 0; k < runs.count; k++) {
    const service = runService(actions, runs, k);
    if (service === undefined) continue;
    const lower = service.toLowerCase();
    const serviceUnused = evidence.unusedServices.has(service) || evidence.unusedServices.has(lower);
    // Neither the whole service nor any tracked action of it is proven unused: nothing in the run is removable.
    if (!serviceUnused && !withUnusedActions.has(lower)) continue;
    for (let i = runs.starts[k]!, end = runs.starts[k + 1]!; i < end; i++) {
      const action = actions[i]!;
      if (!serviceUnused && !evidence.unusedActions.has(action.toLowerCase())) continue;
      if (isNeverReported(action)) continue;
      if (noExceptions || evidence.exceptions.forAction(action) === undefined) out[i] = 1;
    }
  }
  return out;
}

const unusedActionServices = new WeakMap<Evidence, ReadonlySet<string>>();

/** The lower-case services of the evidence's unused tracked actions (computed once per evidence). */
function servicesWithUnusedActions(evidence: Evidence): ReadonlySet<string> {
  let services = unusedActionServices.get(evidence);
  if (!services) {
    const set = new Set<string>();
    for (const action of evidence.unusedActions) set.add(action.slice(0, action.indexOf(':')));
    unusedActionServices.set(evidence, (services = set));
  }
  return services;
}

/** Why an action is kept or removed, for notes and proofs. */
export function explainAction(evidence: Evidence, action: string): string {
  const colon = action.indexOf(':');
  const service = action.slice(0, colon).toLowerCase();
  const svc = evidence.services.get(service);
  if (isNeverReported(action)) return `${action} is never reported by access advisor`;
  const exception = evidence.exceptions.forAction(action);
  if (exception) return `${action} is allowed by exception ${exception.permission}: ${exception.reason}`;
  if (!svc) return `the report does not list ${service}`;
  if (evidence.unusedServices.has(service)) return serviceUnusedReason(evidence, svc);
  const tracked = svc.tracked?.get(action.slice(colon + 1).toLowerCase());
  const silent = tracked ? undefined : svc.silenceNotEvidence?.find((a) => a.permission.toLowerCase() === action.toLowerCase());
  if (silent) return silent.reason;
  if (!tracked) return svc.tracked ? `${action} is not tracked by access advisor (unknown)` : `${service} was used and has no action-level data`;
  return tracked.used ? `${action} last used ${tracked.lastAccessedTime}` : trackedUnusedReason(evidence, service, tracked);
}

export function serviceUnusedReason(evidence: Evidence, s: ServiceEvidence): string {
  return s.lastAuthenticated === undefined
    ? `${s.namespace} (${s.name}) has no authenticated use in access advisor's tracking window (at least 400 days before ${evidence.reportJobCompletionDate})`
    : `${s.namespace} (${s.name}) last used ${s.lastAuthenticated}, before the ${evidence.unusedAfterDays}-day window starting ${iso(evidence.cutoff)}`;
}

export function trackedUnusedReason(evidence: Evidence, service: string, a: { name: string; lastAccessedTime?: string }): string {
  return a.lastAccessedTime === undefined
    ? `${service}:${a.name} is tracked at action level and was never used in the tracking window`
    : `${service}:${a.name} is tracked at action level and was last used ${a.lastAccessedTime}, before the ${evidence.unusedAfterDays}-day window starting ${iso(evidence.cutoff)}`;
}

/**
 * `d.toISOString()`, from the UTC fields. Node's toISOString sets up the local time zone on its first call (it reads
 * /etc/localtime and ICU's zone data: about a millisecond of CPU), although its result is UTC; a synth served from the
 * cache formats a date here for its reason text and needs the zone nowhere else.
 */
export function iso(d: Date): string {
  const year = d.getUTCFullYear();
  // An invalid date (NaN) throws toISOString's RangeError; a year outside 0-9999 takes its expanded ±YYYYYY form.
  if (!(year >= 0 && year <= 9999)) return d.toISOString();
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
  return `${String(year).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${time}Z`;
}

/** `toDate(value).getTime()` without the Date, the field named only when the value is refused (the hot loop reads thousands). */
function timeOf(value: Date | string, source: string, field: () => string): number {
  const time = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) throw new AnalysisInputError(source, field(), value, 'an ISO-8601 date');
  return time;
}

function toDate(value: Date | string, source: string, field: string): Date {
  const d = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new AnalysisInputError(source, field, value, 'an ISO-8601 date');
  return d;
}

function windowDays(value: number | undefined): number {
  if (value === undefined) return DEFAULT_UNUSED_AFTER_DAYS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > MAX_UNUSED_AFTER_DAYS) {
    throw new AnalysisInputError(
      'options',
      'unusedAfterDays',
      value,
      `a number of days from 1 to ${MAX_UNUSED_AFTER_DAYS} (access advisor tracks about 400 days, so a longer window cannot show that a permission is unused)`,
    );
  }
  return value;
}

export function staleReasonOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new AnalysisInputError('options', 'staleReason', value, 'a non-empty reason');
  return value;
}

function positiveNumber(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new AnalysisInputError('options', field, value, 'a positive number of days');
  }
  return value;
}

function validateReport(report: ServiceLastAccessedReport): void {
  if (typeof report !== 'object' || report === null) throw new AnalysisInputError('report', '(report)', report, 'a service-last-accessed report');
  if (report.kind !== 'service-last-accessed') throw new AnalysisInputError('report', 'kind', report.kind, '"service-last-accessed"');
  if (!Array.isArray(report.servicesLastAccessed)) {
    throw new AnalysisInputError('report', 'servicesLastAccessed', report.servicesLastAccessed, 'a list of services');
  }
  if (report.granularity !== 'SERVICE_LEVEL' && report.granularity !== 'ACTION_LEVEL') {
    throw new AnalysisInputError('report', 'granularity', report.granularity, 'SERVICE_LEVEL or ACTION_LEVEL');
  }
  if (typeof report.arn !== 'string') throw new AnalysisInputError('report', 'arn', report.arn, 'the principal ARN');
  // A service (or tracked action) listed twice, in any case, is a report that does not add up: the later row would
  // replace the earlier one, and an unused "S3" row would hide a used "s3".
  const namespaces = new Map<string, number>();
  report.servicesLastAccessed.forEach((s, i) => {
    const field = `servicesLastAccessed[${i}]`;
    if (typeof s !== 'object' || s === null) throw new AnalysisInputError('report', field, s, 'a service entry');
    if (typeof s.serviceNamespace !== 'string' || s.serviceNamespace === '') {
      throw new AnalysisInputError('report', `${field}.serviceNamespace`, s.serviceNamespace, 'a service namespace such as "s3"');
    }
    const earlier = namespaces.get(s.serviceNamespace.toLowerCase());
    if (earlier !== undefined) {
      throw new AnalysisInputError('report', `${field}.serviceNamespace`, s.serviceNamespace, `each service once (case-insensitively); servicesLastAccessed[${earlier}] lists it already`);
    }
    namespaces.set(s.serviceNamespace.toLowerCase(), i);
    if (s.lastAuthenticated !== undefined && typeof s.lastAuthenticated !== 'string') {
      throw new AnalysisInputError('report', `${field}.lastAuthenticated`, s.lastAuthenticated, 'an ISO-8601 date or nothing');
    }
    const tracked = s.trackedActionsLastAccessed;
    if (tracked === undefined) return;
    if (!Array.isArray(tracked)) throw new AnalysisInputError('report', `${field}.trackedActionsLastAccessed`, tracked, 'a list of tracked actions');
    const actions = new Set<string>();
    tracked.forEach((a, j) => {
      if (typeof a !== 'object' || a === null || typeof a.actionName !== 'string' || a.actionName === '') {
        throw new AnalysisInputError('report', `${field}.trackedActionsLastAccessed[${j}]`, a, 'an object with actionName');
      }
      if (actions.has(a.actionName.toLowerCase())) {
        throw new AnalysisInputError('report', `${field}.trackedActionsLastAccessed[${j}].actionName`, a.actionName, 'each tracked action once (case-insensitively)');
      }
      actions.add(a.actionName.toLowerCase());
      if (a.lastAccessedTime !== undefined && typeof a.lastAccessedTime !== 'string') {
        throw new AnalysisInputError('report', `${field}.trackedActionsLastAccessed[${j}].lastAccessedTime`, a.lastAccessedTime, 'an ISO-8601 date or nothing');
      }
    });
  });
  checkJobDates(report);
  if (report.principalCreateDate !== undefined && typeof report.principalCreateDate !== 'string') {
    throw new AnalysisInputError('report', 'principalCreateDate', report.principalCreateDate, 'an ISO-8601 date or nothing');
  }
}

export type { Finding };

import { AccessAdvisorError, type ErrorKind } from '../model/errors';
import type { AccessDetail, OrganizationsAccessReport } from '../model/report';
import { AnalysisInputError } from './errors';
import { compileIdentityPolicies } from './evaluate';
import { DEFAULT_MAX_REPORT_AGE_DAYS, DEFAULT_UNUSED_AFTER_DAYS } from './defaults';
import { checkJobDates, completedInTheFuture, futureReportReason, staleReasonOf } from './evidence';
import { ExceptionMatcher } from './exceptions';
import { packScpDocuments, SCP_MAX_CHARACTERS, SCP_MAX_PER_TARGET } from './scp-documents';
import { DEFAULT_PROTECTED_SERVICES, type ProtectedService } from './scp-protected';
import type {
  DeniedService,
  KeptService,
  ProposedScpDocument,
  ScpProof,
  ScpProposalStatus,
  ScpStyle,
  ServiceControlPolicyProposalOptions,
  ServiceControlPolicyProposalResult,
} from './scp-types';

const DAY_MS = 86_400_000;
/** IAM's tracking period for access advisor data: a window longer than this has no evidence behind it. */
export const MAX_SCP_WINDOW_DAYS = 400;
/** SCPs a target can usually still take: IAM allows 5, and FullAWSAccess takes one. */
export const DEFAULT_REMAINING_SCP_SLOTS = SCP_MAX_PER_TARGET - 1;
const NAMESPACE = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** The proposal needs more SCPs than the target can take (an input error: change --remaining-slots, the style or the entity). */
export class ScpSlotLimitError extends AccessAdvisorError {
  readonly kind: ErrorKind = 'input';
  constructor(
    readonly needed: number,
    readonly remaining: number,
    readonly entityPath: string,
  ) {
    super(
      `the SCP proposal for ${entityPath} needs ${needed} documents of at most ${SCP_MAX_CHARACTERS} characters, ` +
        `but the target has only ${remaining} SCP slot(s) left (IAM allows ${SCP_MAX_PER_TARGET} per target); ` +
        'raise remainingSlots if more are free, use the other style, or propose for a narrower entity',
    );
  }
}

interface ServiceRows {
  readonly namespace: string;
  readonly name: string;
  readonly rows: AccessDetail[];
}

/**
 * Proposes the service control policy that denies, under an organizations entity, the services no account there
 * used within the window — and nothing the evidence cannot vouch for (docs/decisions.md):
 * - a service used anywhere under the entity within the window is never denied;
 * - protected services (DEFAULT_PROTECTED_SERVICES + `neverDeny`) and services covered by `allow` are never denied;
 * - rows that are missing, contradictory or name an account outside the entity keep their service (unknown);
 * - a stale report (older than `maxReportAgeDays`) denies nothing;
 * - services the report does not list are already denied by the current SCPs: not re-denied.
 * The documents are minified JSON split at SCP_MAX_CHARACTERS; more documents than `remainingSlots` throw
 * ScpSlotLimitError. The proof checks the documents with our evaluator. Pure; no I/O.
 */
export function proposeServiceControlPolicy(
  report: OrganizationsAccessReport,
  options: ServiceControlPolicyProposalOptions = {},
): ServiceControlPolicyProposalResult {
  validateReport(report);
  const unusedAfterDays = windowDays(options.unusedAfterDays);
  const maxReportAgeDays = positive(options.maxReportAgeDays, DEFAULT_MAX_REPORT_AGE_DAYS, 'maxReportAgeDays');
  const style = styleOf(options.style);
  const remainingSlots = slotsOf(options.remainingSlots);
  const now = toDate(options.now ?? new Date(), 'options', 'now');
  const ageAt = toDate(options.ageReferenceTime ?? options.now ?? new Date(), 'options', 'ageReferenceTime');
  const staleReason = staleReasonOf(options.staleReason);
  const completed = toDate(report.jobCompletionDate, 'report', 'jobCompletionDate');
  const cutoff = new Date(now.getTime() - unusedAfterDays * DAY_MS);
  const exceptions = new ExceptionMatcher(options.allow);
  const protectedServices = protectedList(options.neverDeny);
  const entity = report.entityPath.replace(/\/+$/, '');

  const services = groupRows(report);
  listingProblem(report, services);
  const ageDays = (ageAt.getTime() - completed.getTime()) / DAY_MS;
  if (options.policyCoversEntity !== undefined && typeof options.policyCoversEntity !== 'boolean') {
    throw new AnalysisInputError('options', 'policyCoversEntity', options.policyCoversEntity, 'true or false');
  }
  const fromTheFuture = staleReason === undefined && completedInTheFuture(completed, ageAt);
  const status: ScpProposalStatus =
    staleReason !== undefined || fromTheFuture || ageDays > maxReportAgeDays
      ? 'stale-evidence'
      : report.organizationsPolicyId !== undefined && options.policyCoversEntity !== true
        ? 'partial-evidence'
        : 'sufficient';
  const stale = status !== 'sufficient';
  const statusReason =
    status === 'stale-evidence'
      ? staleReason !== undefined
        ? `stale evidence: ${staleReason}; nothing is denied until the report is refreshed`
        : fromTheFuture
          ? `${futureReportReason(report.jobId, completed, ageAt)}; nothing is denied until the report is refreshed`
          : `stale evidence: report job ${report.jobId} completed ${completed.toISOString()}, ${ageDays.toFixed(1)} days before ${ageAt.toISOString()} (limit ${maxReportAgeDays} days); nothing is denied until the report is refreshed`
      : status === 'partial-evidence'
        ? `partial evidence: report job ${report.jobId} was generated for SCP ${report.organizationsPolicyId}, so its activity covers only the accounts under ${report.entityPath} that the policy applies to; nothing is denied unless the policy applies to the whole entity (policyCoversEntity)`
        : `report job ${report.jobId} completed ${completed.toISOString()}; window ${unusedAfterDays} days (since ${cutoff.toISOString()})`;

  const listed = new Set(services.map((s) => s.namespace));
  const denied: DeniedService[] = [];
  const kept: KeptService[] = [];
  const usedInWindow: string[] = [];
  for (const s of services) {
    const judged = judge(s, { entity, cutoff, unusedAfterDays, jobCompletionDate: report.jobCompletionDate });
    if (judged.used) usedInWindow.push(s.namespace);
    const keep = keepReason(s, judged, protectedServices, exceptions);
    if (keep) kept.push(keep);
    else if (status !== 'sufficient') kept.push({ service: s.namespace, serviceName: s.name, kind: status, reason: statusReason, ...evidenceOf(judged) });
    else denied.push({ service: s.namespace, serviceName: s.name, ...(judged.last ? { lastAuthenticated: judged.last } : {}), reason: judged.reason });
  }

  const alreadyDenied = (options.catalogServices ?? []).map((s) => s.toLowerCase()).filter((s) => !listed.has(s));
  const alreadyDeniedServices = [...new Set(alreadyDenied)].sort();

  const notes: string[] = [];
  let documents: ProposedScpDocument[] = [];
  if (!stale) {
    const sidBase = `${style === 'deny-list' ? 'DenyServicesUnusedFor' : 'AllowServicesUsedWithin'}${sidNumber(unusedAfterDays)}Days`;
    if (style === 'deny-list') {
      documents = packScpDocuments(denied.map((d) => d.service), style, sidBase);
    } else if (denied.length > 0) {
      allowListNeedsCount(report);
      // Kept services plus every protected and excepted one: an allow-list names what stays, so a service it does
      // not name is denied even when the report does not list it. But only services the report lists: the report
      // lists exactly what today's SCPs allow at the entity, and an allow-list attached beside a narrower SCP widens
      // what that level allows — a proposal never allows what the current SCPs do not.
      const allowListed = [...kept.map((k) => k.service), ...protectedServices.map((p) => p.service), ...exceptedServiceNames(exceptions)];
      documents = packScpDocuments(allowListed.filter((service) => listed.has(service)), style, sidBase);
    }
  }
  if (documents.length > remainingSlots) throw new ScpSlotLimitError(documents.length, remainingSlots, report.entityPath);

  notes.push(...notesFor(report, { status, style, denied, documents, alreadyDeniedServices, catalogGiven: options.catalogServices !== undefined }));
  const proof = prove(documents, style, usedInWindow, kept, denied, protectedServices, exceptions, listed);
  return {
    schemaVersion: 1,
    kind: 'scp-proposal',
    style,
    status,
    statusReason,
    entityPath: report.entityPath,
    ...(report.organizationsPolicyId !== undefined ? { organizationsPolicyId: report.organizationsPolicyId } : {}),
    reportJobId: report.jobId,
    reportJobCompletionDate: report.jobCompletionDate,
    evaluatedAt: now.toISOString(),
    unusedAfterDays,
    windowStart: cutoff.toISOString(),
    maxReportAgeDays,
    deniedServices: denied.sort(byService),
    keptServices: kept.sort(byService),
    alreadyDeniedServices,
    documents,
    json: documents.map((d) => d.json),
    slots: { needed: documents.length, remaining: remainingSlots, maxPerTarget: SCP_MAX_PER_TARGET },
    notes,
    proof,
  };
}

interface Judged {
  readonly used: boolean;
  /** Some row is missing, contradictory or outside the entity, and no row proves use. */
  readonly unknown?: string;
  readonly last?: string;
  readonly entityPath?: string;
  readonly totalAuthenticatedEntities?: number;
  readonly reason: string;
}

/** One service's rows (a service can have one per Region) against the window. */
function judge(s: ServiceRows, ctx: { entity: string; cutoff: Date; unusedAfterDays: number; jobCompletionDate: string }): Judged {
  let latest: AccessDetail | undefined;
  let latestTime = -Infinity;
  let unknown: string | undefined;
  for (const row of s.rows) {
    if (row.lastAuthenticatedTime !== undefined) {
      const t = Date.parse(row.lastAuthenticatedTime);
      if (t > latestTime) {
        latestTime = t;
        latest = row;
      }
      if (row.totalAuthenticatedEntities === 0) unknown ??= `a row says ${s.namespace} was used ${row.lastAuthenticatedTime} by 0 accounts (contradictory)`;
      if (row.entityPath !== undefined && !isUnder(row.entityPath, ctx.entity)) {
        unknown ??= `a row names ${row.entityPath}, which is not under ${ctx.entity} (contradictory)`;
      }
    } else if ((row.totalAuthenticatedEntities ?? 0) > 0) {
      unknown ??= `a row says ${row.totalAuthenticatedEntities} account(s) used ${s.namespace} but gives no time (partial)`;
    } else if (row.entityPath !== undefined) {
      unknown ??= `a row names the account ${row.entityPath} but gives no time of use (partial)`;
    }
  }
  const evidence = latest
    ? {
        last: latest.lastAuthenticatedTime!,
        ...(latest.entityPath !== undefined ? { entityPath: latest.entityPath } : {}),
        ...(latest.totalAuthenticatedEntities !== undefined ? { totalAuthenticatedEntities: latest.totalAuthenticatedEntities } : {}),
      }
    : {};
  if (latest && latestTime >= ctx.cutoff.getTime()) {
    const where = latest.entityPath ? ` in ${latest.entityPath}` : '';
    const accounts = latest.totalAuthenticatedEntities !== undefined ? ` (${latest.totalAuthenticatedEntities} account(s) in the tracking period)` : '';
    return { used: true, ...evidence, reason: `${s.namespace} (${s.name}) last used ${latest.lastAuthenticatedTime}${where}, within the ${ctx.unusedAfterDays}-day window${accounts}` };
  }
  if (unknown) return { used: false, unknown, ...evidence, reason: `${s.namespace}: ${unknown}; no evidence either way, so it is kept` };
  const reason = latest
    ? `no account under ${ctx.entity} used ${s.namespace} (${s.name}) since ${ctx.cutoff.toISOString()}: last used ${latest.lastAuthenticatedTime}, before the ${ctx.unusedAfterDays}-day window`
    : `no account under ${ctx.entity} used ${s.namespace} (${s.name}) in access advisor's tracking period (about 400 days before ${ctx.jobCompletionDate})`;
  return { used: false, ...evidence, reason };
}

function keepReason(s: ServiceRows, judged: Judged, protectedServices: readonly ProtectedService[], exceptions: ExceptionMatcher): KeptService | undefined {
  const base = { service: s.namespace, serviceName: s.name, ...evidenceOf(judged) };
  if (judged.used) return { ...base, kind: 'used', reason: judged.reason };
  const guarded = protectedServices.find((p) => p.service === s.namespace);
  if (guarded) return { ...base, kind: 'protected', reason: `${s.namespace} is protected: ${guarded.reason}` };
  const exception = exceptions.forService(s.namespace);
  if (exception) return { ...base, kind: 'allowed-by-exception', reason: `${s.namespace} is allowed by exception ${exception.permission}: ${exception.reason}` };
  if (exceptions.touchesService(s.namespace)) {
    const partial = exceptions.exceptions.filter((e) => new ExceptionMatcher([e]).touchesService(s.namespace));
    return {
      ...base,
      kind: 'allowed-by-exception',
      reason: `${s.namespace} has excepted actions (${partial.map((e) => `${e.permission}: ${e.reason}`).join('; ')}); a whole-service SCP statement would deny them, so the service is kept`,
    };
  }
  if (judged.unknown) return { ...base, kind: 'unknown', reason: judged.reason };
  return undefined;
}

/** The literal service names the exceptions mention (`glue`, `athena:Get*` → glue, athena); patterns like `s3*` cannot be listed. */
function exceptedServiceNames(exceptions: ExceptionMatcher): string[] {
  return exceptions.exceptions
    .map((e) => e.permission.split(':')[0]!.toLowerCase())
    .filter((service) => NAMESPACE.test(service));
}

function evidenceOf(judged: Judged): Pick<KeptService, 'lastAuthenticated' | 'entityPath' | 'totalAuthenticatedEntities'> {
  return {
    ...(judged.last !== undefined ? { lastAuthenticated: judged.last } : {}),
    ...(judged.entityPath !== undefined ? { entityPath: judged.entityPath } : {}),
    ...(judged.totalAuthenticatedEntities !== undefined ? { totalAuthenticatedEntities: judged.totalAuthenticatedEntities } : {}),
  };
}

/**
 * The proof, with our own evaluator over the proposed documents alone: a deny-list must not explicitly deny any
 * service used within the window, kept or protected, and must deny every denied service; an allow-list (replacing
 * FullAWSAccess) must allow every used, kept and protected service and no denied one.
 */
function prove(
  documents: readonly ProposedScpDocument[],
  style: ScpStyle,
  used: readonly string[],
  kept: readonly KeptService[],
  denied: readonly DeniedService[],
  protectedServices: readonly ProtectedService[],
  exceptions: ExceptionMatcher,
  listed: ReadonlySet<string>,
): ScpProof {
  const failures: string[] = [];
  const evaluator = documents.length > 0 ? compileIdentityPolicies(documents.map((d) => d.document)) : undefined;
  const probe = (service: string) => `${service}:AccessAdvisorProofProbe`;
  const stillAllowed = (service: string) =>
    style === 'deny-list' ? evaluator?.decide(probe(service)) !== 'ExplicitlyDenied' : !evaluator || evaluator.allows(probe(service));
  for (const service of used) if (!stillAllowed(service)) failures.push(`${service} was used within the window but the proposal denies it`);
  // An allow-list keeps a protected or excepted service only where today's SCPs allow it (the report lists it).
  const keptNames = [...new Set([...kept.map((k) => k.service), ...protectedServices.map((p) => p.service), ...exceptedServiceNames(exceptions)])].filter(
    (service) => style === 'deny-list' || listed.has(service),
  );
  for (const service of keptNames) if (!stillAllowed(service)) failures.push(`${service} is kept but the proposal denies it`);
  if (style === 'allow-list' && documents.length === 0 && denied.length > 0) {
    failures.push('the allow-list would name no service that the current SCPs allow, and an SCP cannot allow nothing; use the deny-list style');
  }
  if (style === 'allow-list') {
    for (const service of documents.flatMap((d) => d.services)) {
      if (!listed.has(service)) failures.push(`${service} is not allowed by the current SCPs (the report does not list it) but the allow-list allows it`);
    }
  }
  if (evaluator) {
    for (const d of denied) {
      const decision = evaluator.decide(probe(d.service));
      const ok = style === 'deny-list' ? decision === 'ExplicitlyDenied' : decision !== 'Allowed';
      if (!ok) failures.push(`${d.service} is proposed for denial but the documents ${style === 'deny-list' ? 'do not deny' : 'allow'} it`);
    }
  }
  return {
    holds: failures.length === 0,
    usedServicesChecked: used.length,
    keptServicesChecked: keptNames.length,
    deniedServicesChecked: evaluator ? denied.length : 0,
    failures,
  };
}

function notesFor(
  report: OrganizationsAccessReport,
  ctx: {
    status: ScpProposalStatus;
    style: ScpStyle;
    denied: readonly DeniedService[];
    documents: readonly ProposedScpDocument[];
    alreadyDeniedServices: readonly string[];
    catalogGiven: boolean;
  },
): string[] {
  const notes: string[] = [];
  if (ctx.status === 'stale-evidence') notes.push('nothing is denied: the report is stale evidence; refresh it and propose again');
  else if (ctx.status === 'partial-evidence') {
    notes.push(`nothing is denied: the report covers only the accounts SCP ${report.organizationsPolicyId} applies to; if it applies to the whole entity, say so (policyCoversEntity / --policy-covers-entity), or generate the report without an SCP id`);
  }
  else if (ctx.denied.length === 0) notes.push('nothing to deny: every service the report lists was used within the window or is kept');
  if (ctx.documents.length > 1) {
    notes.push(`split into ${ctx.documents.length} documents of at most ${SCP_MAX_CHARACTERS} characters each (minified); attach all of them to the same target`);
  }
  if (report.organizationsPolicyId !== undefined) {
    if (ctx.catalogGiven) {
      notes.push(`${ctx.alreadyDeniedServices.length} service(s) are not allowed by ${report.organizationsPolicyId} (already denied by the current SCPs): not re-denied`);
    }
  } else if (ctx.catalogGiven && ctx.alreadyDeniedServices.length > 0) {
    notes.push(`${ctx.alreadyDeniedServices.length} service(s) are not allowed by the SCPs that apply to ${report.entityPath} (already denied): not re-denied`);
  }
  if (ctx.style === 'allow-list' && ctx.documents.length > 0) {
    notes.push(
      'an allow-list replaces FullAWSAccess at the target (attach it, then detach FullAWSAccess, freeing its slot); it also denies every service it does not name, including services AWS launches later and services access advisor does not track',
    );
  }
  if (/^o-[^/]+\/r-[^/]+\/\d{12}\/?$/.test(report.entityPath)) {
    notes.push('SCPs never restrict the management account: if this account is the management account, the proposal has no effect');
  }
  return notes;
}

function groupRows(report: OrganizationsAccessReport): ServiceRows[] {
  const byNamespace = new Map<string, ServiceRows>();
  report.accessDetails.forEach((row, i) => {
    const field = `accessDetails[${i}]`;
    if (typeof row !== 'object' || row === null) throw new AnalysisInputError('report', field, row, 'an access detail object');
    if (typeof row.serviceNamespace !== 'string' || !NAMESPACE.test(row.serviceNamespace.toLowerCase())) {
      throw new AnalysisInputError('report', `${field}.serviceNamespace`, row.serviceNamespace, 'a service namespace such as s3 or dynamodb');
    }
    if (row.lastAuthenticatedTime !== undefined) toDate(row.lastAuthenticatedTime, 'report', `${field}.lastAuthenticatedTime`);
    const total = row.totalAuthenticatedEntities;
    if (total !== undefined && (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0)) {
      throw new AnalysisInputError('report', `${field}.totalAuthenticatedEntities`, total, 'a whole number of accounts ≥ 0');
    }
    if (row.entityPath !== undefined && typeof row.entityPath !== 'string') {
      throw new AnalysisInputError('report', `${field}.entityPath`, row.entityPath, 'an organizations entity path');
    }
    const namespace = row.serviceNamespace.toLowerCase();
    const entry = byNamespace.get(namespace) ?? { namespace, name: typeof row.serviceName === 'string' ? row.serviceName : namespace, rows: [] };
    entry.rows.push(row);
    byNamespace.set(namespace, entry);
  });
  return [...byNamespace.values()];
}

/** `o-x/r-y/ou-z/123` is under `o-x/r-y/ou-z` and under itself; segment-wise, so `ou-z1` is not under `ou-z`. */
function isUnder(path: string, entity: string): boolean {
  const p = path.replace(/\/+$/, '');
  return p === entity || p.startsWith(`${entity}/`);
}

/**
 * A listing short of its own count is not evidence: the missing row may be a used service, which a deny-list would
 * then not know and an allow-list would leave out. (The engine refuses such answers; this guards reports from files.)
 */
function listingProblem(report: OrganizationsAccessReport, services: readonly ServiceRows[]): void {
  const accessible = report.numberOfServicesAccessible;
  if (accessible !== undefined && accessible !== services.length) {
    throw new AnalysisInputError('report', 'numberOfServicesAccessible', accessible, `the number of services the report lists (${services.length}): the listing is incomplete`);
  }
  const notAccessed = report.numberOfServicesNotAccessed;
  const rowsNotAccessed = services.filter((s) => s.rows.every((r) => r.lastAuthenticatedTime === undefined)).length;
  if (notAccessed !== undefined && notAccessed !== rowsNotAccessed) {
    throw new AnalysisInputError('report', 'numberOfServicesNotAccessed', notAccessed, `the number of listed services with no time of last use (${rowsNotAccessed})`);
  }
}

/**
 * An allow-list denies every service it does not name, so it rests on the listing being whole: a service row missing
 * from the report (a page that left it out, a reader that kept one of two lists) is a used service denied. Only the
 * count IAM sends beside the rows (checked against them in listingProblem) proves the listing whole; without it, no
 * allow-list. A deny-list denies only services it names, so a missing row costs it nothing.
 */
function allowListNeedsCount(report: OrganizationsAccessReport): void {
  if (report.numberOfServicesAccessible !== undefined) return;
  throw new AnalysisInputError(
    'report',
    'numberOfServicesAccessible',
    undefined,
    `the number of services the SCPs allow, which proves the listing of report job ${report.jobId} whole: an allow-list denies every service it does not name, so a listing cut short would deny a used service (use the deny-list style, or refresh the report)`,
  );
}

function protectedList(extra: readonly ProtectedService[] | undefined): ProtectedService[] {
  if (extra !== undefined && !Array.isArray(extra)) throw new AnalysisInputError('options', 'neverDeny', extra, 'a list of {service, reason}');
  const list = [...DEFAULT_PROTECTED_SERVICES];
  (extra ?? []).forEach((p, i) => {
    if (typeof p !== 'object' || p === null || typeof p.service !== 'string' || !NAMESPACE.test(p.service.trim().toLowerCase())) {
      throw new AnalysisInputError('options', `neverDeny[${i}].service`, (p as { service?: unknown } | null)?.service, 'a service namespace such as s3');
    }
    if (typeof p.reason !== 'string' || p.reason.trim() === '') {
      throw new AnalysisInputError('options', `neverDeny[${i}].reason`, p.reason, 'a non-empty reason: every protected service says why');
    }
    list.push({ service: p.service.trim().toLowerCase(), reason: p.reason.trim() });
  });
  return list;
}

function validateReport(report: OrganizationsAccessReport): void {
  if (typeof report !== 'object' || report === null) throw new AnalysisInputError('report', '(report)', report, 'an organizations access report');
  if (report.kind !== 'organizations-access') throw new AnalysisInputError('report', 'kind', report.kind, '"organizations-access"');
  if (!Array.isArray(report.accessDetails)) throw new AnalysisInputError('report', 'accessDetails', report.accessDetails, 'a list of access details');
  if (typeof report.entityPath !== 'string' || !/^o-[0-9a-z]{10,32}\/r-[0-9a-z]{4,32}/.test(report.entityPath)) {
    throw new AnalysisInputError('report', 'entityPath', report.entityPath, 'an organizations entity path o-…/r-…[/ou-…]*[/account]');
  }
  checkJobDates(report);
}

function windowDays(value: number | undefined): number {
  if (value === undefined) return DEFAULT_UNUSED_AFTER_DAYS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > MAX_SCP_WINDOW_DAYS) {
    throw new AnalysisInputError('options', 'unusedAfterDays', value, `a number of days from 1 to ${MAX_SCP_WINDOW_DAYS} (IAM tracks about 400 days)`);
  }
  return value;
}

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new AnalysisInputError('options', field, value, 'a positive number of days');
  return value;
}

function styleOf(value: unknown): ScpStyle {
  if (value === undefined) return 'deny-list';
  if (value === 'deny-list' || value === 'allow-list') return value;
  throw new AnalysisInputError('options', 'style', value, "'deny-list' or 'allow-list'");
}

function slotsOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_REMAINING_SCP_SLOTS;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > SCP_MAX_PER_TARGET) {
    throw new AnalysisInputError('options', 'remainingSlots', value, `a whole number of SCP slots from 0 to ${SCP_MAX_PER_TARGET}`);
  }
  return value;
}

function toDate(value: Date | string, source: string, field: string): Date {
  const d = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new AnalysisInputError(source, field, value, 'an ISO-8601 date');
  return d;
}

/** An IAM Sid is [A-Za-z0-9]*: a fractional window (45.5 days) is written 45p5. */
export function sidNumber(days: number): string {
  return String(days).replace(/[^0-9]/g, (c) => (c === '.' ? 'p' : ''));
}

function byService<T extends { service: string }>(a: T, b: T): number {
  return a.service < b.service ? -1 : a.service > b.service ? 1 : 0;
}

import type {
  AccessDetail as SdkAccessDetail,
  EntityDetails as SdkEntityDetails,
  ListPoliciesGrantingServiceAccessEntry as SdkPoliciesEntry,
  ServiceLastAccessed as SdkServiceLastAccessed,
} from '@aws-sdk/client-iam';
import { SERVICE_NAMESPACE_PATTERN, parsePrincipalArn } from '../model/constraints';
import { IncompleteResponseError, JobMismatchError } from '../model/errors';
import { DEFAULT_GRANULARITY, describeRequest, type ReportRequest } from '../model/report';
import { lowerCased } from './interned-strings';

/**
 * Completeness is proven, never assumed (the Aardvark #149 failure: a pagination bug stored 200 of 369 services and
 * Repokid removed the rest). A report is complete only when every page is a valid COMPLETED page of the same job
 * carrying its list, the Markers never repeat, no item appears twice, and the last page says it is the last. Anything
 * else is an IncompleteResponseError naming the job, the page and what was wrong — never a shorter report.
 */

/** Far beyond any real report (IAM has ~400 services; an account at most a few 10 000 principals per service). */
export const MAX_PAGES = 1_000;
export const MAX_ITEMS_PER_SERIES = 100_000;

interface PageHeader {
  readonly JobStatus?: string;
  readonly JobType?: string;
  readonly JobCreationDate?: Date;
  readonly JobCompletionDate?: Date;
  readonly IsTruncated?: boolean;
  readonly Marker?: string;
}

/** One kind of list: its wire name, how to read it from a page and how to identify and check one item. */
export interface ListSpec<P, I> {
  readonly listName: string;
  readonly itemsOf: (page: P) => readonly I[] | undefined;
  /** The item's identity for duplicate detection, or a complaint about the item. */
  readonly check: (item: I, index: number) => { key: string } | { problem: string };
  /** Counts of the whole report that every page repeats: a page that says otherwise is not a page of the same report. */
  readonly totals?: readonly string[];
}

type ServiceRequest = Extract<ReportRequest, { kind: 'service-last-accessed' }>;

function validDate(value: unknown): boolean {
  return value instanceof Date ? !Number.isNaN(value.getTime()) : typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

function show(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid date' : value.toISOString();
  return value === undefined ? 'absent' : JSON.stringify(value);
}

function timeOf(value: Date | undefined): number | undefined {
  return value instanceof Date ? value.getTime() : value === undefined ? undefined : Date.parse(String(value));
}

/** Collects the pages of one series (one report list, or one namespace's entities) and refuses anything incomplete. */
export class PageCollector<P extends PageHeader, I> {
  readonly items: I[] = [];
  private pages = 0;
  private first?: PageHeader;
  private readonly markers = new Map<string, number>();
  private readonly keys = new Map<string, number>();

  constructor(
    private readonly operation: string,
    private readonly jobId: string,
    private readonly request: ReportRequest,
    private readonly spec: ListSpec<P, I>,
    private readonly describeItem = 'item',
  ) {}

  get pageCount(): number {
    return this.pages;
  }

  private fail(detail: string): never {
    throw new IncompleteResponseError(this.operation, this.jobId, this.pages, detail, this.request);
  }

  private checkTotals(page: P): void {
    for (const field of this.spec.totals ?? []) {
      const a = (this.first as Record<string, unknown>)[field];
      const b = (page as unknown as Record<string, unknown>)[field];
      if (a !== undefined && b !== undefined && a !== b) this.fail(`${field} ${show(b)} differs from page 1's ${show(a)}: the totals do not add up`);
    }
  }

  /** Validates and keeps one page; returns the Marker of the next page, or undefined when this was the last. */
  accept(page: P | undefined): string | undefined {
    this.pages++;
    if (this.pages > MAX_PAGES) this.fail(`more than ${MAX_PAGES} pages`);
    if (page === null || typeof page !== 'object') this.fail('the answer is not an IAM response');
    const status = page.JobStatus;
    if (status !== 'COMPLETED') {
      this.fail(
        status === undefined
          ? 'no JobStatus (not an IAM answer: an empty body, an HTML page or an empty Result)'
          : `JobStatus ${JSON.stringify(status)} where every page of a report must be COMPLETED`,
      );
    }
    if (!validDate(page.JobCreationDate)) this.fail('no valid JobCreationDate');
    if (!validDate(page.JobCompletionDate)) this.fail('no valid JobCompletionDate');
    if (timeOf(page.JobCompletionDate)! < timeOf(page.JobCreationDate)!) this.fail('JobCompletionDate is before JobCreationDate');
    if (this.first) {
      for (const field of ['JobCreationDate', 'JobCompletionDate', 'JobType'] as const) {
        const a = this.first[field];
        const b = page[field];
        const same = field === 'JobType' ? a === b : timeOf(a as Date | undefined) === timeOf(b as Date | undefined);
        if (!same) this.fail(`${field} ${show(b)} differs from page 1's ${show(a)}: not a page of the same job`);
      }
      this.checkTotals(page);
    } else {
      this.first = page;
    }
    const items = this.spec.itemsOf(page);
    if (!Array.isArray(items)) {
      this.fail(`no ${this.spec.listName} (a COMPLETED page always carries the list, if need be empty)`);
    }
    if (this.items.length + items.length > MAX_ITEMS_PER_SERIES) this.fail(`more than ${MAX_ITEMS_PER_SERIES} items`);
    items.forEach((item, i) => {
      const checked = item && typeof item === 'object' ? this.spec.check(item, i) : { problem: 'is not an object' };
      if ('problem' in checked) this.fail(`${this.describeItem} ${i + 1} of ${this.spec.listName} ${checked.problem}`);
      const seenOn = this.keys.get(checked.key);
      if (seenOn !== undefined) {
        this.fail(`duplicate ${this.describeItem} ${JSON.stringify(checked.key)} (already on page ${seenOn})`);
      }
      this.keys.set(checked.key, this.pages);
    });
    this.items.push(...items);
    if (page.IsTruncated === true) {
      const marker = page.Marker;
      if (typeof marker !== 'string' || marker === '') this.fail('IsTruncated without a Marker');
      const seenOn = this.markers.get(marker);
      if (seenOn !== undefined) this.fail(`Marker ${JSON.stringify(marker)} repeats the Marker of page ${seenOn}: the pages cycle`);
      this.markers.set(marker, this.pages);
      return marker;
    }
    if (page.IsTruncated !== undefined && page.IsTruncated !== false) this.fail(`IsTruncated is ${JSON.stringify(page.IsTruncated)}`);
    if (page.Marker !== undefined && page.Marker !== '') this.fail('a Marker on a page that says it is the last');
    return undefined;
  }
}

function namespaceProblem(ns: unknown): string | undefined {
  if (typeof ns !== 'string' || ns === '') return 'has no ServiceNamespace';
  if (!SERVICE_NAMESPACE_PATTERN.test(ns)) return `has an invalid ServiceNamespace ${JSON.stringify(ns)}`;
  return undefined;
}

function datesProblem(item: object, fields: readonly string[]): string | undefined {
  for (const field of fields) {
    const value = (item as Record<string, unknown>)[field];
    if (value !== undefined && value !== null && !validDate(value)) return `has an invalid ${field}`;
  }
  return undefined;
}

/**
 * A count, if sent, is a whole number of 0 or more. The SDK's reader turns `NaN` into NaN and `-1` into -1, which no
 * comparison with a count of entities or rows would ever catch.
 */
function countProblem(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : `has an invalid ${field} ${String(value)} (a count is a whole number, 0 or more)`;
}

/** A service item of either report family: a namespace, a name, a readable date of last use if any, a count if any. */
function serviceProblem(item: { ServiceNamespace?: string; ServiceName?: string; TotalAuthenticatedEntities?: number }, dateField: string): string | undefined {
  return (
    namespaceProblem(item.ServiceNamespace) ??
    (typeof item.ServiceName !== 'string' || item.ServiceName === '' ? 'has no ServiceName' : undefined) ??
    datesProblem(item, [dateField]) ??
    countProblem(item.TotalAuthenticatedEntities, 'TotalAuthenticatedEntities')
  );
}

export const SERVICES: ListSpec<{ ServicesLastAccessed?: SdkServiceLastAccessed[] }, SdkServiceLastAccessed> = {
  listName: 'ServicesLastAccessed',
  itemsOf: (page) => page.ServicesLastAccessed,
  check: (s) => {
    const problem = serviceProblem(s, 'LastAuthenticated');
    if (problem) return { problem };
    const actions = new Set<string>();
    for (const a of s.TrackedActionsLastAccessed ?? []) {
      if (!a || typeof a.ActionName !== 'string' || a.ActionName === '') {
        return { problem: `(${s.ServiceNamespace}) has a tracked action without ActionName` };
      }
      const time = a.LastAccessedTime;
      if (time !== undefined && time !== null && !validDate(time)) return { problem: `(${s.ServiceNamespace}:${a.ActionName}) has an invalid LastAccessedTime` };
      const lower = lowerCased(a.ActionName);
      if (actions.has(lower)) return { problem: `(${s.ServiceNamespace}) lists the tracked action ${a.ActionName} twice` };
      actions.add(lower);
    }
    return { key: s.ServiceNamespace!.toLowerCase() };
  },
};

export const ACCESS_DETAILS: ListSpec<{ AccessDetails?: SdkAccessDetail[] }, SdkAccessDetail> = {
  listName: 'AccessDetails',
  itemsOf: (page) => page.AccessDetails,
  totals: ['NumberOfServicesAccessible', 'NumberOfServicesNotAccessed'],
  check: (d) => {
    const problem = serviceProblem(d, 'LastAuthenticatedTime');
    return problem ? { problem } : { key: d.ServiceNamespace!.toLowerCase() };
  },
};

export const ENTITIES: ListSpec<{ EntityDetailsList?: SdkEntityDetails[] }, SdkEntityDetails> = {
  listName: 'EntityDetailsList',
  itemsOf: (page) => page.EntityDetailsList,
  check: (e) => {
    const info = e.EntityInfo;
    if (!info || typeof info !== 'object') return { problem: 'has no EntityInfo' };
    for (const field of ['Arn', 'Name', 'Type', 'Id'] as const) {
      if (typeof info[field] !== 'string' || info[field] === '') return { problem: `has no EntityInfo.${field}` };
    }
    if (!['USER', 'ROLE', 'GROUP'].includes(info.Type!)) return { problem: `has an unknown EntityInfo.Type ${JSON.stringify(info.Type)}` };
    const dates = datesProblem(e, ['LastAuthenticated']);
    return dates ? { problem: dates } : { key: info.Arn!.toLowerCase() };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Does the job belong to the request?

/**
 * IAM's answer never names the principal a job was generated for, but it does name who used what. For a user or role
 * report every named entity is that principal; for a group or policy report they are users (and roles) of the same
 * account. An entity that breaks this proves the job is another principal's. Returns the contradiction, if any.
 */
export function foreignEntity(request: ServiceRequest, entityArns: readonly (string | undefined)[]): string | undefined {
  const target = parsePrincipalArn(request.arn);
  if ('error' in target) return undefined;
  // An ACTION_LEVEL page names the same principal on every tracked action it used: each ARN is judged once.
  const fits = new Set<string>();
  for (const arn of entityArns) {
    if (arn === undefined || arn === '' || fits.has(arn)) continue;
    fits.add(arn);
    const entity = parsePrincipalArn(arn);
    if ('error' in entity) return `names ${JSON.stringify(arn)}, which is not a user or role ARN`;
    const sameAccount = target.awsManaged || entity.account === target.account;
    if (!sameAccount) return `names ${arn} of another account`;
    if (target.kind === 'user' || target.kind === 'role') {
      if (entity.kind !== target.kind || entity.name.toLowerCase() !== target.name.toLowerCase()) return `names ${arn}`;
    } else if (target.kind === 'group' && entity.kind !== 'user') {
      return `names ${arn}, not a member user`;
    } else if (entity.kind !== 'user' && entity.kind !== 'role') {
      return `names ${arn}, not a user or role`;
    }
  }
  return undefined;
}

/**
 * Whose job a resumed id is, proven from the answer. Only a user or role report can prove it: IAM names that principal
 * as the one who used what. A group or policy report names member users or users and roles holding the policy, which
 * would fit another group or policy of the same account just as well; a report that names nobody fits anyone.
 */
function resumedServiceJobProblem(request: ServiceRequest, named: readonly (string | undefined)[]): string | undefined {
  const target = parsePrincipalArn(request.arn);
  if ('error' in target) return `its principal ${request.arn} cannot be parsed`;
  if (target.kind === 'group' || target.kind === 'policy') {
    return (
      `IAM's answer for a ${target.kind} report names only the users and roles that used it, which cannot prove the job ` +
      `was generated for ${request.arn} and not for another ${target.kind}; run without a job id to generate a new job`
    );
  }
  const self = named.some((arn) => arn !== undefined && arn !== '' && foreignEntity(request, [arn]) === undefined);
  if (!self) {
    return (
      `the job's report names no principal (nothing used in the tracking period), so it cannot prove it is ` +
      `${request.arn}'s job; run without a job id to generate a new job`
    );
  }
  return undefined;
}

/**
 * Every entity a report names, each once, in the order they first appear: an ACTION_LEVEL page names the same
 * principal on every tracked action it used, among thousands of actions that name nobody.
 */
function namedEntities(services: readonly SdkServiceLastAccessed[]): string[] {
  const named = new Set<string>();
  const add = (arn: string | undefined) => {
    if (arn !== undefined && arn !== '') named.add(arn);
  };
  for (const s of services) {
    add(s.LastAuthenticatedEntity);
    const actions = s.TrackedActionsLastAccessed;
    if (actions) for (const a of actions) add(a.LastAccessedEntity);
  }
  return [...named];
}

/** The report's job must be one of this request: its granularity (JobType) and the entities it names. */
export function checkServiceJob(
  request: ServiceRequest,
  jobId: string,
  jobType: string | undefined,
  services: readonly SdkServiceLastAccessed[],
  resumed: boolean,
): void {
  const granularity = request.granularity ?? DEFAULT_GRANULARITY;
  let problem: string | undefined;
  if (jobType !== undefined && jobType !== granularity) problem = `it is a ${jobType} job, the request is ${granularity}`;
  else if (jobType === undefined && resumed && granularity === 'ACTION_LEVEL') {
    problem = 'IAM did not say the job is ACTION_LEVEL (no JobType), so its action data cannot be trusted';
  }
  const named = namedEntities(services);
  if (!problem) {
    const foreign = foreignEntity(request, named);
    if (foreign) problem = `its report ${foreign}: it is another principal's job`;
  }
  if (!problem && resumed) problem = resumedServiceJobProblem(request, named);
  if (!problem) return;
  if (resumed) throw new JobMismatchError(jobId, `a job of ${describeRequest(request)}; ${problem}`);
  throw new IncompleteResponseError('GetServiceLastAccessedDetails', jobId, 1, `the job does not match the request: ${problem}`, request);
}

/** Every entity of a WithEntities page must fit the request too. */
export function checkEntities(request: ServiceRequest, jobId: string, entities: readonly SdkEntityDetails[], resumed: boolean): void {
  const foreign = foreignEntity(request, entities.map((e) => e.EntityInfo?.Arn));
  if (!foreign) return;
  const problem = `its entity list ${foreign}: it is another principal's job`;
  if (resumed) throw new JobMismatchError(jobId, `a job of ${describeRequest(request)}; ${problem}`);
  throw new IncompleteResponseError('GetServiceLastAccessedDetailsWithEntities', jobId, 1, `the job does not match the request: ${problem}`, request);
}

type OrgRequest = Extract<ReportRequest, { kind: 'organizations-access' }>;

/**
 * A resumed Organizations job is never trusted. IAM's answer names neither the entity nor the SCP it was generated
 * for: a job for one account looks like a job for its OU in which only that account was active, a job with an SCP id
 * like one without. Refused before the first call.
 */
export function refuseResumedOrganizationsJob(request: OrgRequest, jobId: string): never {
  throw new JobMismatchError(
    jobId,
    `a job of ${describeRequest(request)} that can be proven to be one: IAM's answer to GetOrganizationsAccessReport does not ` +
      'name the entity path or SCP id a job was generated for, so a resumed Organizations job is refused; run without a job id ' +
      '(a new Organizations report takes seconds)',
  );
}

/** `o-x/r-y/ou-z/123` is under `o-x/r-y/ou-z` and under itself; segment-wise, so `ou-z1` is not under `ou-z`. */
export function isUnderEntityPath(path: string, entity: string): boolean {
  const p = path.replace(/\/+$/, '');
  const e = entity.replace(/\/+$/, '');
  return p === e || p.startsWith(`${e}/`);
}

const ACCOUNT_PATH = /\/\d{12}$/;

/**
 * What an Organizations answer shows about its entity: every row's EntityPath lies under the requested entity (for
 * an account, is that account), and an account's report counts at most one account per service.
 */
export function organizationsRowProblem(entityPath: string, details: readonly SdkAccessDetail[]): string | undefined {
  const entity = entityPath.replace(/\/+$/, '');
  const account = ACCOUNT_PATH.test(entity);
  for (const d of details) {
    if (d.EntityPath !== undefined && d.EntityPath !== null && !isUnderEntityPath(String(d.EntityPath), entity)) {
      return `its report names ${d.EntityPath} (${d.ServiceNamespace}), which is not ${account ? '' : 'under '}${entity}: it is another entity's job`;
    }
    if (account && typeof d.TotalAuthenticatedEntities === 'number' && d.TotalAuthenticatedEntities > 1) {
      return `its report says ${d.TotalAuthenticatedEntities} accounts used ${d.ServiceNamespace}, but ${entity} is one account: it is another entity's job`;
    }
  }
  return undefined;
}

/** Organizations details name the account path that used a service: it must lie under the requested entity. */
export function checkOrganizationsJob(request: OrgRequest, jobId: string, details: readonly SdkAccessDetail[], resumed: boolean): void {
  if (resumed) refuseResumedOrganizationsJob(request, jobId);
  const problem = organizationsRowProblem(request.entityPath, details);
  if (!problem) return;
  throw new IncompleteResponseError('GetOrganizationsAccessReport', jobId, 1, `the job does not match the request: ${problem}`, request);
}

/** The counts an Organizations page carries beside its rows. */
interface OrganizationsTotals {
  readonly NumberOfServicesAccessible?: number;
  readonly NumberOfServicesNotAccessed?: number;
}

/**
 * A row's count of entities against its time of last use (`field`, as IAM names it): entities counted without a time
 * would make a used service look unused (a proposal would deny it, a gate flag it); a time with none counted does not
 * add up either. A row without a count is judged elsewhere.
 */
function countAgainstTime(namespace: string | undefined, total: number | undefined, lastUsed: unknown, field: string): string | undefined {
  if (typeof total !== 'number') return undefined;
  const used = lastUsed !== undefined && lastUsed !== null;
  if (total > 0 && !used) return `${namespace} counts ${total} authenticated entit${total === 1 ? 'y' : 'ies'} but has no ${field}`;
  if (total === 0 && used) return `${namespace} has ${field} ${show(lastUsed)} but counts 0 authenticated entities`;
  return undefined;
}

/**
 * The totals IAM sends must add up with the rows of all pages: one row per service the SCPs allow, and the services
 * with no time of last use are the ones not accessed. A listing that is short of its own count is incomplete (a row
 * missing from it may be a used service that an allow-list would then leave out).
 */
export function organizationsTotalsProblem(totals: OrganizationsTotals, details: readonly SdkAccessDetail[]): string | undefined {
  // Each row's own count against its time of last use: entities counted without a time would make a service the
  // accounts used look unused (an SCP proposal would deny it); a time with no entity counted does not add up either.
  for (const d of details) {
    const problem = countAgainstTime(d.ServiceNamespace, d.TotalAuthenticatedEntities, d.LastAuthenticatedTime, 'LastAuthenticatedTime');
    if (problem) return problem;
  }
  const accessible = totals.NumberOfServicesAccessible;
  const notAccessed = totals.NumberOfServicesNotAccessed;
  const rows = details.length;
  const rowsNotAccessed = details.filter((d) => d.LastAuthenticatedTime === undefined || d.LastAuthenticatedTime === null).length;
  if (accessible !== undefined && accessible !== null && accessible !== rows) {
    return `NumberOfServicesAccessible is ${accessible} but the pages carry ${rows} service row(s)`;
  }
  if (notAccessed !== undefined && notAccessed !== null && notAccessed !== rowsNotAccessed) {
    return `NumberOfServicesNotAccessed is ${notAccessed} but ${rowsNotAccessed} service row(s) have no LastAuthenticatedTime`;
  }
  return undefined;
}

export function checkOrganizationsTotals(request: OrgRequest, jobId: string, first: OrganizationsTotals, details: readonly SdkAccessDetail[]): void {
  const problem = organizationsTotalsProblem(first, details);
  if (problem) throw new IncompleteResponseError('GetOrganizationsAccessReport', jobId, 1, `the totals do not add up: ${problem}`, request);
}

/**
 * A service's own count against its timestamp: entities counted without a time of use would make a used service look
 * unused; a time of use with no entity counted, or more than one entity in a user or role report, does not add up.
 */
export function serviceTotalsProblem(request: ServiceRequest, services: readonly SdkServiceLastAccessed[]): string | undefined {
  const target = parsePrincipalArn(request.arn);
  const single = !('error' in target) && (target.kind === 'user' || target.kind === 'role');
  for (const s of services) {
    const total = s.TotalAuthenticatedEntities;
    const problem = countAgainstTime(s.ServiceNamespace, total, s.LastAuthenticated, 'LastAuthenticated');
    if (problem) return problem;
    if (single && typeof total === 'number' && total > 1) return `${s.ServiceNamespace} counts ${total} authenticated entities in the report of one ${target.kind}`;
  }
  return undefined;
}

export function checkServiceTotals(request: ServiceRequest, jobId: string, services: readonly SdkServiceLastAccessed[]): void {
  const problem = serviceTotalsProblem(request, services);
  if (problem) throw new IncompleteResponseError('GetServiceLastAccessedDetails', jobId, 1, `the totals do not add up: ${problem}`, request);
}

/**
 * The entities of a WithEntities series against their service: those that used it cannot outnumber the service's own
 * count, and none can have used it when the service says it was never used, or later than the service's own time of
 * last use (that time is the latest of its entities'). Otherwise the service's row, which the decisions read, would
 * call a service unused that its own entity list shows in use.
 */
export function entitiesTotalProblem(service: SdkServiceLastAccessed, entities: readonly SdkEntityDetails[]): string | undefined {
  const serviceLast = timeOf(service.LastAuthenticated ?? undefined);
  let usedBy = 0;
  for (const e of entities) {
    if (e.LastAuthenticated === undefined || e.LastAuthenticated === null) continue;
    usedBy++;
    const arn = e.EntityInfo?.Arn;
    if (serviceLast === undefined) return `${arn} used ${service.ServiceNamespace} at ${show(e.LastAuthenticated)}, but the service has no LastAuthenticated`;
    if (timeOf(e.LastAuthenticated)! > serviceLast) {
      return `${arn} used ${service.ServiceNamespace} at ${show(e.LastAuthenticated)}, after the service's LastAuthenticated ${show(service.LastAuthenticated)}`;
    }
  }
  const total = service.TotalAuthenticatedEntities;
  if (typeof total !== 'number') return undefined;
  return usedBy > total ? `${usedBy} listed entities used ${service.ServiceNamespace}, but the service counts ${total}` : undefined;
}

const POLICY_TYPES: ReadonlySet<string> = new Set(['INLINE', 'MANAGED']);

/**
 * The entries of ListPoliciesGrantingServiceAccess (all pages): each names a namespace that was asked for, and only
 * once (a second entry would be a second, different answer to the same question), with its list of policies, each
 * named and typed. Otherwise the answer is not about the request, and a policy without its type must not be shown as a
 * managed policy. Returns what is wrong, if anything.
 */
export function policiesEntriesProblem(requested: readonly string[], entries: readonly SdkPoliciesEntry[]): string | undefined {
  const asked = new Set(requested.map((ns) => ns.toLowerCase()));
  const seen = new Set<string>();
  for (const [i, entry] of entries.entries()) {
    const ns = entry?.ServiceNamespace;
    if (typeof ns !== 'string' || ns === '') return `entry ${i + 1} has no ServiceNamespace`;
    const lower = ns.toLowerCase();
    if (!asked.has(lower)) return `entry ${i + 1} answers for ${JSON.stringify(ns)}, which was not asked for (asked: ${requested.join(', ')})`;
    if (seen.has(lower)) return `${ns} is answered twice`;
    seen.add(lower);
    if (!Array.isArray(entry.Policies)) return `${ns} has no Policies list`;
    for (const [j, policy] of entry.Policies.entries()) {
      if (typeof policy?.PolicyName !== 'string' || policy.PolicyName === '') return `policy ${j + 1} of ${ns} has no PolicyName`;
      if (!POLICY_TYPES.has(String(policy.PolicyType))) return `policy ${policy.PolicyName} of ${ns} has PolicyType ${show(policy.PolicyType)}; expected INLINE or MANAGED`;
    }
  }
  return undefined;
}

import type {
  AccessDetail as SdkAccessDetail,
  EntityDetails as SdkEntityDetails,
  ServiceLastAccessed as SdkServiceLastAccessed,
} from '@aws-sdk/client-iam';
import { SERVICE_NAMESPACE_PATTERN, parsePrincipalArn } from '../model/constraints';
import { IncompleteResponseError, JobMismatchError } from '../model/errors';
import { describeRequest, type ReportRequest } from '../model/report';

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

/** A service item of either report family: a namespace, a name, and a readable date of last use if any. */
function serviceProblem(item: { ServiceNamespace?: string; ServiceName?: string }, dateField: string): string | undefined {
  return (
    namespaceProblem(item.ServiceNamespace) ??
    (typeof item.ServiceName !== 'string' || item.ServiceName === '' ? 'has no ServiceName' : undefined) ??
    datesProblem(item, [dateField])
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
      const dates = datesProblem(a, ['LastAccessedTime']);
      if (dates) return { problem: `(${s.ServiceNamespace}:${a.ActionName}) ${dates}` };
      if (actions.has(a.ActionName.toLowerCase())) {
        return { problem: `(${s.ServiceNamespace}) lists the tracked action ${a.ActionName} twice` };
      }
      actions.add(a.ActionName.toLowerCase());
    }
    return { key: s.ServiceNamespace!.toLowerCase() };
  },
};

export const ACCESS_DETAILS: ListSpec<{ AccessDetails?: SdkAccessDetail[] }, SdkAccessDetail> = {
  listName: 'AccessDetails',
  itemsOf: (page) => page.AccessDetails,
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
  for (const arn of entityArns) {
    if (arn === undefined || arn === '') continue;
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

/** The report's job must be one of this request: its granularity (JobType) and the entities it names. */
export function checkServiceJob(
  request: ServiceRequest,
  jobId: string,
  jobType: string | undefined,
  services: readonly SdkServiceLastAccessed[],
  resumed: boolean,
): void {
  const granularity = request.granularity ?? 'SERVICE_LEVEL';
  let problem: string | undefined;
  if (jobType !== undefined && jobType !== granularity) problem = `it is a ${jobType} job, the request is ${granularity}`;
  else if (jobType === undefined && resumed && granularity === 'ACTION_LEVEL') {
    problem = 'IAM did not say the job is ACTION_LEVEL (no JobType), so its action data cannot be trusted';
  }
  if (!problem) {
    const named = services.flatMap((s) => [s.LastAuthenticatedEntity, ...(s.TrackedActionsLastAccessed ?? []).map((a) => a.LastAccessedEntity)]);
    const foreign = foreignEntity(request, named);
    if (foreign) problem = `its report ${foreign}: it is another principal's job`;
  }
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

/** Organizations details name the account path that used a service: it must lie in the requested organization. */
export function checkOrganizationsJob(
  request: Extract<ReportRequest, { kind: 'organizations-access' }>,
  jobId: string,
  details: readonly SdkAccessDetail[],
  resumed: boolean,
): void {
  const org = request.entityPath.split('/')[0]!;
  const foreign = details.find((d) => d.EntityPath !== undefined && d.EntityPath.split('/')[0] !== org);
  if (!foreign) return;
  const problem = `its report names ${foreign.EntityPath}, outside ${org}: it is another organization's job`;
  if (resumed) throw new JobMismatchError(jobId, `a job of ${describeRequest(request)}; ${problem}`);
  throw new IncompleteResponseError('GetOrganizationsAccessReport', jobId, 1, `the job does not match the request: ${problem}`, request);
}

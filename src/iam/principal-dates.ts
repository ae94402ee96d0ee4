import type { EntityType, GetAccountAuthorizationDetailsResponse } from '@aws-sdk/client-iam';
import { GetAccountAuthorizationDetailsCommand, GetGroupCommand, GetPolicyCommand, GetRoleCommand, GetUserCommand } from './aws-sdk';
import { raceAbort } from './backoff';
import type { IamSession } from './client';
import { MAX_ITEMS, parsePrincipalArn } from '../model/constraints';
import type { ReportRequest } from '../model/report';
import { isoDate } from './normalize';

/**
 * When a principal was created decides "insufficient history" downstream, so every service report carries
 * `principalCreateDate` — best effort: a caller allowed to generate reports may not be allowed to read principals,
 * and that must never cost the report.
 *
 * One principal costs one Get{User,Role,Group,Policy}. A run with many principals of one kind reads them in bulk
 * instead: one GetAccountAuthorizationDetails series (Filter = the kinds that reached the threshold), shared by every
 * report of the run. The series stops as soon as every wanted ARN was seen, and also once it has cost as many pages
 * as ARNs are still missing — so in a huge account it never costs more than twice the per-principal Gets. Anything
 * the listing did not answer (AccessDenied, another account's principal, an early stop) falls back to the Get.
 */

export type ServiceRequest = Extract<ReportRequest, { kind: 'service-last-accessed' }>;

/** Where a report gets its principal's creation date: never rejects; undefined when IAM would not say. */
export interface CreateDateReader {
  read(request: ServiceRequest, signal: AbortSignal): Promise<string | undefined>;
}

/** Default number of service-report principals of one kind from which a run lists them in bulk. */
export const DEFAULT_CREATE_DATE_LISTING_THRESHOLD = 3;

export interface CreateDateListingPlan {
  readonly filter: readonly EntityType[];
  /** The ARNs the run wants from the listing. */
  readonly wanted: ReadonlySet<string>;
}

function entityType(arn: string): EntityType | undefined {
  const parsed = parsePrincipalArn(arn);
  if ('error' in parsed) return undefined;
  switch (parsed.kind) {
    case 'user':
      return 'User';
    case 'role':
      return 'Role';
    case 'group':
      return 'Group';
    case 'policy':
      return parsed.awsManaged ? 'AWSManagedPolicy' : 'LocalManagedPolicy';
  }
}

/** Which kinds a run lists in bulk: those with at least `threshold` distinct principals among its service reports. */
export function planCreateDateListing(requests: readonly ReportRequest[], threshold: number): CreateDateListingPlan | undefined {
  const byType = new Map<EntityType, Set<string>>();
  for (const r of requests) {
    if (r.kind !== 'service-last-accessed') continue;
    const type = entityType(r.arn);
    if (!type) continue;
    const set = byType.get(type) ?? new Set<string>();
    set.add(r.arn);
    byType.set(type, set);
  }
  const filter = [...byType].filter(([, arns]) => arns.size >= threshold).map(([type]) => type);
  if (filter.length === 0) return undefined;
  return { filter, wanted: new Set(filter.flatMap((t) => [...byType.get(t)!])) };
}

export class PrincipalCreateDates implements CreateDateReader {
  private listing?: Promise<ReadonlyMap<string, Date | undefined> | undefined>;

  /** `runSignal` aborts the shared listing (the whole run was aborted); each reader still races its own signal. */
  constructor(
    private readonly session: IamSession,
    private readonly plan: CreateDateListingPlan | undefined,
    private readonly runSignal?: AbortSignal,
  ) {}

  /**
   * The principal's creation date as ISO-8601, or undefined when IAM would not say. Never rejects (the report may
   * already have failed and stopped listening): an abort also ends in undefined, the report decides what it means.
   */
  async read(request: ServiceRequest, signal: AbortSignal): Promise<string | undefined> {
    try {
      if (this.plan?.wanted.has(request.arn)) {
        const listed = await raceAbort(this.listOnce(), signal);
        if (listed?.has(request.arn)) return isoDate(listed.get(request.arn));
      }
      return await readOne(this.session, request, signal);
    } catch {
      return undefined;
    }
  }

  /** Single flight: the first reader starts the series, everyone shares it. */
  private listOnce(): Promise<ReadonlyMap<string, Date | undefined> | undefined> {
    this.listing ??= this.list().catch(() => undefined);
    return this.listing;
  }

  private async list(): Promise<ReadonlyMap<string, Date | undefined>> {
    const plan = this.plan!;
    const found = new Map<string, Date | undefined>();
    let marker: string | undefined;
    for (let pages = 1; ; pages++) {
      const page = await this.session.send<GetAccountAuthorizationDetailsResponse>(
        'GetAccountAuthorizationDetails',
        new GetAccountAuthorizationDetailsCommand({
          Filter: [...plan.filter],
          MaxItems: MAX_ITEMS.max,
          ...(marker ? { Marker: marker } : {}),
        }),
        this.runSignal,
      );
      const entries = [
        ...(page.UserDetailList ?? []),
        ...(page.GroupDetailList ?? []),
        ...(page.RoleDetailList ?? []),
        ...(page.Policies ?? []),
      ];
      for (const e of entries) if (e.Arn && plan.wanted.has(e.Arn)) found.set(e.Arn, e.CreateDate);
      const missing = plan.wanted.size - found.size;
      // Another page costs one call and can save at most `missing` Gets; past `pages >= missing` it no longer pays.
      if (!page.IsTruncated || !page.Marker || missing === 0 || pages >= missing) return found;
      marker = page.Marker;
    }
  }
}

async function readOne(session: IamSession, request: ServiceRequest, signal: AbortSignal): Promise<string | undefined> {
  const parsed = parsePrincipalArn(request.arn);
  if ('error' in parsed) return undefined;
  try {
    let arn: string | undefined;
    let created: Date | undefined;
    switch (parsed.kind) {
      case 'user': {
        const out = await session.send<{ User?: { Arn?: string; CreateDate?: Date } }>(
          'GetUser', new GetUserCommand({ UserName: parsed.name }), signal, request);
        ({ Arn: arn, CreateDate: created } = out.User ?? {});
        break;
      }
      case 'role': {
        const out = await session.send<{ Role?: { Arn?: string; CreateDate?: Date } }>(
          'GetRole', new GetRoleCommand({ RoleName: parsed.name }), signal, request);
        ({ Arn: arn, CreateDate: created } = out.Role ?? {});
        break;
      }
      case 'group': {
        const out = await session.send<{ Group?: { Arn?: string; CreateDate?: Date } }>(
          'GetGroup', new GetGroupCommand({ GroupName: parsed.name, MaxItems: 1 }), signal, request);
        ({ Arn: arn, CreateDate: created } = out.Group ?? {});
        break;
      }
      case 'policy': {
        const out = await session.send<{ Policy?: { Arn?: string; CreateDate?: Date } }>(
          'GetPolicy', new GetPolicyCommand({ PolicyArn: request.arn }), signal, request);
        ({ Arn: arn, CreateDate: created } = out.Policy ?? {});
        break;
      }
    }
    // Get{User,Role,Group} look names up in the caller's account: a same-named principal elsewhere is not ours.
    if (arn !== undefined && arn !== request.arn) return undefined;
    return isoDate(created);
  } catch {
    return undefined;
  }
}


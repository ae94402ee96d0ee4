import type { ActionCatalog } from '../model/action-catalog';
import { allowMatcher, allowedActionsOf, servicesAllowedBy } from './policy-scope';
import { eventsOf, type AccessEvent, type ManagedPolicy, type Principal, type WorldModel } from './world-model';
import type { PolicyDocument } from './types';
import { truncateToMinute } from './time';
import { iamServiceName } from './tracked-actions';

/**
 * Service last accessed data computed from the world at generate time (the job's snapshot): the services the
 * target's identity policies allow, and who used each of them inside the tracking window.
 */
export interface TrackedActionRow {
  readonly actionName: string;
  readonly lastAccessedEntity?: string;
  readonly lastAccessedTime?: Date;
  readonly lastAccessedRegion?: string;
}

export interface ServiceRow {
  readonly serviceName: string;
  readonly serviceNamespace: string;
  readonly lastAuthenticated?: Date;
  readonly lastAuthenticatedEntity?: string;
  readonly lastAuthenticatedRegion?: string;
  readonly totalAuthenticatedEntities: number;
  readonly trackedActions?: readonly TrackedActionRow[];
}

export interface EntityRow {
  readonly arn: string;
  readonly name: string;
  readonly type: 'USER' | 'ROLE';
  readonly id: string;
  readonly path: string;
  readonly lastAuthenticated?: Date;
}

export interface ServiceReportSnapshot {
  readonly services: readonly ServiceRow[];
  /** Per namespace, the entities in scope, most recent first. */
  readonly entities: ReadonlyMap<string, readonly EntityRow[]>;
}

export type ReportTarget = { kind: 'principal'; principal: Principal } | { kind: 'policy'; policy: ManagedPolicy };

/** Identity policy documents of a target: a user's include its groups' policies. */
export function identityDocuments(model: WorldModel, target: ReportTarget): PolicyDocument[] {
  if (target.kind === 'policy') return [target.policy.document];
  const own = (p: Principal) => [
    ...p.attachedPolicies.map((arn) => model.policies.get(arn)!.document),
    ...p.inlinePolicies.values(),
  ];
  const p = target.principal;
  if (p.kind !== 'user') return own(p);
  return [...own(p), ...p.related.flatMap((groupArn) => own(model.principals.get(groupArn)!))];
}

/** The users and roles whose activity counts for the target. */
export function entitiesInScope(model: WorldModel, target: ReportTarget, callerAccount: string): Principal[] {
  if (target.kind === 'principal') {
    const p = target.principal;
    return p.kind === 'group' ? p.related.map((arn) => model.principals.get(arn)!) : [p];
  }
  const policyArn = target.policy.arn;
  const account = target.policy.awsManaged ? callerAccount : target.policy.account;
  const found = new Map<string, Principal>();
  for (const p of model.principals.values()) {
    if (p.account !== account || !p.attachedPolicies.includes(policyArn)) continue;
    if (p.kind === 'group') for (const member of p.related) found.set(member, model.principals.get(member)!);
    else found.set(p.arn, p);
  }
  return [...found.values()].sort((a, b) => a.arn.localeCompare(b.arn));
}

/**
 * The matcher of a target's identity policies and the services they allow, worked out once per distinct content of
 * those documents (and catalog): Generate answers only after working them out (a millisecond or more against a whole
 * catalog), and the principals of a world mostly carry the same policies. Both are a function of the documents'
 * content alone, and the matcher is only ever read. Bounded: a long-running emulator sees ever new documents.
 */
function allowedBy(documents: readonly PolicyDocument[], catalog: ActionCatalog): AllowedServices {
  let seen = allowedServicesSeen.get(catalog);
  if (!seen) allowedServicesSeen.set(catalog, (seen = new Map()));
  const key = JSON.stringify(documents);
  let allowed = seen.get(key);
  if (!allowed) {
    const matcher = allowMatcher(documents);
    allowed = { matcher, namespaces: servicesAllowedBy(matcher, catalog) };
    if (seen.size >= ALLOWED_SERVICES_KEPT) seen.clear();
    seen.set(key, allowed);
  }
  return allowed;
}
interface AllowedServices {
  readonly matcher: ReturnType<typeof allowMatcher>;
  readonly namespaces: readonly string[];
}
const allowedServicesSeen = new WeakMap<ActionCatalog, Map<string, AllowedServices>>();
const ALLOWED_SERVICES_KEPT = 200;

/**
 * One job's report, computed a service at a time so that it can be done in slices while the job runs
 * (service-report-preparation.ts). What it reads of the world is taken when it is made, at generate time: the
 * target's policy documents, the principals in scope and their events. Everything `step` reads after that is
 * immutable (those objects, the action catalog, the world's action tracking), and the world's writes replace the
 * principals and policies they change rather than changing them, so the report is the world as it was when the job
 * was generated, however late it is computed and whatever is written to the world meanwhile.
 */
export class ServiceReportComputation {
  private readonly matcher: ReturnType<typeof allowMatcher>;
  private readonly namespaces: readonly string[];
  private readonly scope: readonly Principal[];
  private readonly eventsByService = new Map<string, AccessEvent[]>();
  private readonly services: ServiceRow[] = [];
  private readonly entities = new Map<string, EntityRow[]>();
  private next = 0;

  constructor(
    private readonly model: WorldModel,
    private readonly catalog: ActionCatalog,
    target: ReportTarget,
    callerAccount: string,
    private readonly actionLevel: boolean,
    now: Date,
  ) {
    ({ matcher: this.matcher, namespaces: this.namespaces } = allowedBy(identityDocuments(model, target), catalog));
    this.scope = entitiesInScope(model, target, callerAccount);
    const windowStart = now.getTime() - model.trackingPeriodDays * 86_400_000;
    const inWindow = (e: AccessEvent) => e.time.getTime() > windowStart && e.time.getTime() <= now.getTime();
    // Newest first across every entity in scope, grouped by namespace.
    for (const entity of this.scope) {
      for (const e of eventsOf(model, entity)) {
        if (!inWindow(e)) continue;
        const list = this.eventsByService.get(e.service) ?? [];
        list.push(e);
        this.eventsByService.set(e.service, list);
      }
    }
    for (const list of this.eventsByService.values()) list.sort((a, b) => b.time.getTime() - a.time.getTime());
  }

  get done(): boolean {
    return this.next === this.namespaces.length;
  }

  /** Computes up to `count` more services; true when every service is. */
  step(count: number): boolean {
    const end = Math.min(this.namespaces.length, this.next + count);
    // A service that throws is not counted done: it is met again (and the error with it) by the next step.
    for (; this.next < end; this.next++) this.computeService(this.namespaces[this.next]!);
    return this.done;
  }

  /** The whole report (computing what is left of it first). */
  finish(): ServiceReportSnapshot {
    this.step(Infinity);
    return { services: this.services, entities: this.entities };
  }

  private computeService(namespace: string): void {
    const { model, catalog, matcher, scope } = this;
    const events = this.eventsByService.get(namespace) ?? [];
    const latest = events[0];
    const users = new Set(events.map((e) => e.principal));
    let trackedActions: TrackedActionRow[] | undefined;
    if (this.actionLevel && model.tracking.hasActionData(namespace)) {
      // Before the service's tracking start an event counts for the service (above), never for its action.
      const trackedSince = model.tracking.trackingStart(namespace).getTime();
      trackedActions = allowedActionsOf(matcher, namespace, catalog)
        .filter((action) => model.tracking.isTracked(namespace, action))
        .map((action) => {
          const hit = events.find((e) => e.action.toLowerCase() === action.toLowerCase() && e.time.getTime() >= trackedSince);
          return hit
            ? {
                actionName: action,
                lastAccessedEntity: hit.principal,
                lastAccessedTime: truncateToMinute(hit.time),
                lastAccessedRegion: hit.region,
              }
            : { actionName: action };
        });
    }
    const row: ServiceRow = {
      serviceName: iamServiceName(catalog, namespace),
      serviceNamespace: namespace,
      ...(latest
        ? {
            lastAuthenticated: truncateToMinute(latest.time),
            lastAuthenticatedEntity: latest.principal,
            lastAuthenticatedRegion: latest.region,
          }
        : {}),
      totalAuthenticatedEntities: users.size,
      ...(trackedActions ? { trackedActions } : {}),
    };
    const entityRows = scope
      .map((p): EntityRow => {
        const last = events.find((e) => e.principal === p.arn);
        return {
          arn: p.arn,
          name: p.name,
          type: p.kind === 'role' ? 'ROLE' : 'USER',
          id: p.id,
          path: p.path,
          ...(last ? { lastAuthenticated: truncateToMinute(last.time) } : {}),
        };
      })
      .sort(
        (a, b) =>
          (b.lastAuthenticated?.getTime() ?? -Infinity) - (a.lastAuthenticated?.getTime() ?? -Infinity) || a.arn.localeCompare(b.arn),
      );
    this.services.push(row);
    this.entities.set(namespace, entityRows);
  }
}

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

export function computeServiceReport(
  model: WorldModel,
  catalog: ActionCatalog,
  target: ReportTarget,
  callerAccount: string,
  actionLevel: boolean,
  now: Date,
): ServiceReportSnapshot {
  const matcher = allowMatcher(identityDocuments(model, target));
  const namespaces = servicesAllowedBy(matcher, catalog);
  const scope = entitiesInScope(model, target, callerAccount);
  const windowStart = now.getTime() - model.trackingPeriodDays * 86_400_000;
  const inWindow = (e: AccessEvent) => e.time.getTime() > windowStart && e.time.getTime() <= now.getTime();

  // Newest first across every entity in scope, grouped by namespace.
  const eventsByService = new Map<string, AccessEvent[]>();
  for (const entity of scope) {
    for (const e of eventsOf(model, entity)) {
      if (!inWindow(e)) continue;
      const list = eventsByService.get(e.service) ?? [];
      list.push(e);
      eventsByService.set(e.service, list);
    }
  }
  for (const list of eventsByService.values()) list.sort((a, b) => b.time.getTime() - a.time.getTime());

  const services: ServiceRow[] = [];
  const entities = new Map<string, EntityRow[]>();
  for (const namespace of namespaces) {
    const events = eventsByService.get(namespace) ?? [];
    const latest = events[0];
    const users = new Set(events.map((e) => e.principal));
    let trackedActions: TrackedActionRow[] | undefined;
    if (actionLevel && model.tracking.hasActionData(namespace)) {
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
    services.push({
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
    });
    entities.set(
      namespace,
      scope
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
            (b.lastAuthenticated?.getTime() ?? -Infinity) - (a.lastAuthenticated?.getTime() ?? -Infinity) ||
            a.arn.localeCompare(b.arn),
        ),
    );
  }
  return { services, entities };
}

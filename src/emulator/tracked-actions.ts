import type { ActionCatalog } from '../model/action-catalog';
import { patternToRegExp } from '../model/action-catalog';
import { TRACKED_SERVICES } from '../model/data/tracked-services';
import { resolveWorldTime } from './time';
import type { TrackedActionsSource } from '../model/tracked-actions-data';
import { documentedActionTrackingStart, documentedTrackedActions, trackedActionsData } from '../model/action-tracking';
import type { WorldSettings } from './types';

export type { TrackedActionsSource } from '../model/tracked-actions-data';

// Which services have action last accessed information, since when, and which of their actions IAM tracks: facts
// from AWS's documentation (src/model/data/tracked-actions.json, with its sources and the dates they were read; the
// analysis reads the same facts), with the world's overrides applied on top.
const data = trackedActionsData;

/** Where the tracked-action facts come from and when they were read. */
export function trackedActionsSources(): Readonly<Record<string, TrackedActionsSource>> {
  return data().sources;
}

/**
 * Every service IAM reports action last accessed information for (namespaces, sorted): the services of the
 * tracked-actions data, kept in a small module of its own so that importing it costs nothing.
 */
export const DEFAULT_TRACKED_ACTION_SERVICES: readonly string[] = TRACKED_SERVICES;

/** The date (UTC) from which IAM records a service's actions: 2020-04-12 for s3, 2021-04-07 for ec2/iam/lambda, else 2023-05-23. */
export function defaultActionTrackingStart(namespace: string): string {
  return documentedActionTrackingStart(namespace);
}

/**
 * The service name IAM shows. The catalog takes the first Service Authorization Reference page of a prefix; where
 * several pages share one (cloudformation: AWS CloudFormation and AWS Cloud Control API), the data names the
 * service itself.
 */
export function iamServiceName(catalog: ActionCatalog, namespace: string): string {
  return data().serviceNames[namespace.toLowerCase()]?.name ?? catalog.serviceName(namespace);
}

/** Namespaces shared by several Service Authorization Reference pages, with those pages. */
export function sharedServiceNamespaces(): Readonly<Record<string, { name: string; pages: readonly string[] }>> {
  return data().serviceNames;
}

export interface ActionTracking {
  /** Whether ACTION_LEVEL reports list tracked actions for this service. */
  hasActionData(namespace: string): boolean;
  /** Whether IAM records this action (management action of a tracked service); never `iam:PassRole`. */
  isTracked(namespace: string, action: string): boolean;
  /** Events before this instant count for the service only, not for the action. */
  trackingStart(namespace: string): Date;
}

type Pattern = { service: RegExp; action: RegExp };
const compile = (patterns: readonly string[]): Pattern[] =>
  patterns.map((p) => {
    const colon = p.indexOf(':');
    return { service: patternToRegExp(p.slice(0, colon)), action: patternToRegExp(p.slice(colon + 1)) };
  });
const matches = (patterns: readonly Pattern[], namespace: string, action: string) =>
  patterns.some((p) => p.service.test(namespace) && p.action.test(action));

/**
 * The data with the world's overrides: `trackedActionServices` replaces the list of services (a service the data
 * does not know tracks every action), `trackedActions` / `untrackedActions` add or remove actions (patterns),
 * `actionTrackingStart` moves a service's start date.
 */
export function actionTracking(settings: WorldSettings, now: Date): ActionTracking {
  const services = new Set((settings.trackedActionServices ?? DEFAULT_TRACKED_ACTION_SERVICES).map((s) => s.toLowerCase()));
  const added = compile(settings.trackedActions ?? []);
  const removed = compile(settings.untrackedActions ?? []);
  const starts = new Map<string, Date>();
  for (const [namespace, time] of Object.entries(settings.actionTrackingStart ?? {})) {
    const date = resolveWorldTime(time, now);
    if (date) starts.set(namespace.toLowerCase(), date);
  }
  return {
    hasActionData: (namespace) => services.has(namespace.toLowerCase()),
    isTracked: (namespace, action) => {
      const ns = namespace.toLowerCase();
      // Passing a role is a permission check, not a call: IAM never tracks it, whatever a world says.
      if (ns === 'iam' && action.toLowerCase() === 'passrole') return false;
      if (!services.has(ns) || matches(removed, ns, action)) return false;
      if (matches(added, ns, action)) return true;
      const known = documentedTrackedActions(ns);
      return known ? known.has(action.toLowerCase()) : true;
    },
    trackingStart: (namespace) => starts.get(namespace.toLowerCase()) ?? new Date(`${defaultActionTrackingStart(namespace)}T00:00:00Z`),
  };
}

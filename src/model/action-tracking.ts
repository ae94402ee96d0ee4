import type { TrackedActionsData } from './tracked-actions-data';

// The facts are a 250 kB JSON file: read on first use, not when a module that imports this one loads (a synth served
// from the cache, or a service-level decision, never needs them).
let loaded: TrackedActionsData | undefined;

/** AWS's documentation of action last accessed information: services, tracking starts, tracked actions, sources. */
export function trackedActionsData(): TrackedActionsData {
  loaded ??= (require('./tracked-actions-data') as typeof import('./tracked-actions-data')).TRACKED_ACTIONS_DATA;
  return loaded;
}

const actionsByService = new Map<string, ReadonlySet<string> | null>();

/** The lower-case actions the documentation lists as tracked for a service, or undefined when it does not list the service. */
export function documentedTrackedActions(namespace: string): ReadonlySet<string> | undefined {
  const ns = namespace.toLowerCase();
  let set = actionsByService.get(ns);
  if (set === undefined) {
    const list = trackedActionsData().services[ns];
    set = list ? new Set(list.map((a) => a.toLowerCase())) : null;
    actionsByService.set(ns, set);
  }
  return set ?? undefined;
}

/** The documented day (UTC, YYYY-MM-DD) from which IAM records a listed service's actions. */
export function documentedActionTrackingStart(namespace: string): string {
  const data = trackedActionsData();
  return data.trackingStart[namespace.toLowerCase()] ?? data.defaultTrackingStart;
}

const startTimes = new Map<string, number>();
function startMs(day: string): number {
  let ms = startTimes.get(day);
  if (ms === undefined) startTimes.set(day, (ms = Date.parse(`${day}T00:00:00Z`)));
  return ms;
}

export type SilenceCoverage = { readonly covered: true } | { readonly covered: false; readonly reason: string };

/**
 * Whether IAM's silence about a tracked action (no use, or a last use before the window) proves it unused over a
 * window. The report says only "not used since IAM began tracking this action", and the API never says when that
 * was. AWS documents it per service and lists the tracked actions as of a snapshot, so silence covers the window only
 * when the documentation lists the service, lists the action, and dates the service's tracking before the window:
 * a service it does not list, or an action tracked only since after the snapshot, may have been tracked for days.
 * (An action the snapshot lists is taken to be tracked since its service's start; AWS publishes nothing finer.)
 */
export function actionSilenceCovers(namespace: string, action: string, windowStart: Date): SilenceCoverage {
  const permission = `${namespace}:${action}`;
  const actions = documentedTrackedActions(namespace);
  const data = trackedActionsData();
  if (!actions) {
    return {
      covered: false,
      reason: `${permission} is tracked at action level, but AWS's list of services with action last accessed information (read ${data.sources.services.read}) does not name ${namespace}, so when IAM began tracking it is unknown and its silence is not evidence; kept`,
    };
  }
  if (!actions.has(action.toLowerCase())) {
    return {
      covered: false,
      reason: `${permission} is tracked at action level, but AWS's tracked actions of ${data.sources.actions.snapshot ?? data.sources.actions.read} do not list it, so IAM may have begun tracking it inside the window and its silence is not evidence; kept`,
    };
  }
  const start = documentedActionTrackingStart(namespace);
  if (startMs(start) > windowStart.getTime()) {
    return {
      covered: false,
      reason: `${permission}: IAM began tracking ${namespace} actions on ${start}, after the window starts (${windowStart.toISOString()}), so its silence does not cover the window; kept`,
    };
  }
  return { covered: true };
}

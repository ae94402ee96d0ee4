import DATA from '../../src/model/data/tracked-actions.json';

const DAY_MS = 86_400_000;

/** The window start of a test judged at `now` with the default 90-day window. */
export function windowStart(now: string, days = 90): Date {
  return new Date(Date.parse(now) - days * DAY_MS);
}

/**
 * The documented rule, read from AWS's facts directly (not through src): a tracked action's silence is evidence for a
 * window only when AWS lists the service and the action as tracked and dates the service's tracking before the window.
 */
export function silenceIsEvidence(namespace: string, action: string, start: Date): boolean {
  const ns = namespace.toLowerCase();
  const listed = (DATA.services as Record<string, string[]>)[ns];
  if (!listed || !listed.some((a) => a.toLowerCase() === action.toLowerCase())) return false;
  const since = (DATA.trackingStart as Record<string, string>)[ns] ?? DATA.defaultTrackingStart;
  return Date.parse(`${since}T00:00:00Z`) <= start.getTime();
}

/** The actions of `actions` that AWS documents as tracked for the service (what a real ACTION_LEVEL report can list). */
export function documentedActions(namespace: string, actions: readonly string[]): string[] {
  const listed = new Set(((DATA.services as Record<string, string[]>)[namespace.toLowerCase()] ?? []).map((a) => a.toLowerCase()));
  return actions.filter((a) => listed.has(a.toLowerCase()));
}

/** Every action AWS documents as tracked for the service, as the service reference spells them. */
export function documentedTrackedNames(namespace: string): string[] {
  return [...((DATA.services as Record<string, string[]>)[namespace.toLowerCase()] ?? [])];
}

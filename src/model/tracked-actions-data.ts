import data from './data/tracked-actions.json';

/** The shape of data/tracked-actions.json (see tracked-actions.ts; loaded on first use only). */
export interface TrackedActionsSource {
  readonly title: string;
  readonly url: string;
  readonly read: string;
  readonly snapshot?: string;
}

export interface TrackedActionsData {
  readonly sources: Record<'services' | 'trackingStart' | 'actions' | 'serviceNames', TrackedActionsSource>;
  /** Tracking start of every service without its own date (YYYY-MM-DD, UTC). */
  readonly defaultTrackingStart: string;
  readonly trackingStart: Record<string, string>;
  /** Namespaces shared by several Service Authorization Reference pages: the name IAM shows, and the pages. */
  readonly serviceNames: Record<string, { name: string; pages: string[] }>;
  /** Tracked actions by namespace (lower case), as the service reference spells them. */
  readonly services: Record<string, string[]>;
}

export const TRACKED_ACTIONS_DATA = data as unknown as TrackedActionsData;

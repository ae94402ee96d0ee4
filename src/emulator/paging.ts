import { createHash } from 'node:crypto';
import { invalidInput } from './api-error';

/**
 * Opaque page markers: base64url of `{scope, offset}` plus a short digest, so a marker from another job, another
 * operation or another sort order is refused with InvalidInput instead of silently paging the wrong list.
 */
const digest = (scope: string, offset: number) => createHash('sha256').update(`${scope}#${offset}`).digest('base64url').slice(0, 10);

export function encodeMarker(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset, d: digest(scope, offset) }), 'utf8').toString('base64url');
}

export function decodeMarker(marker: string, scope: string, total: number): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
  } catch {
    throw invalidInput(`Marker "${marker}" is not a marker this operation returned.`);
  }
  const { o, d } = (parsed ?? {}) as { o?: unknown; d?: unknown };
  if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || o > total || d !== digest(scope, o)) {
    throw invalidInput(`Marker "${marker}" is not a marker this operation returned for this request.`);
  }
  return o;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly isTruncated: boolean;
  readonly marker?: string;
}

/** Which items [start, end) of a list of `total` a request's page holds, and the marker of the next page. */
export function pageRange(total: number, scope: string, marker: string | undefined, pageSize: number) {
  const start = marker === undefined ? 0 : decodeMarker(marker, scope, total);
  const end = Math.min(total, start + pageSize);
  const isTruncated = end < total;
  return { start, end, isTruncated, ...(isTruncated ? { marker: encodeMarker(scope, end) } : {}) };
}

export function paginate<T>(items: readonly T[], scope: string, marker: string | undefined, pageSize: number): Page<T> {
  const { start, end, ...rest } = pageRange(items.length, scope, marker, pageSize);
  return { items: items.slice(start, end), ...rest };
}

import { InvalidRequestError } from '../model/errors';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const ALLOWED = 'milliseconds (a finite number >= 0) or a duration string such as "30m", "12h", "1d", "500ms"';

/** A duration prop (`maxAge`, `timeout`): milliseconds as a number, or `<n><ms|s|m|h|d>`. Strict: no spaces, no words. */
export function parseDuration(field: string, value: number | string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new InvalidRequestError(field, value, ALLOWED);
  }
  if (typeof value === 'string') {
    const match = DURATION.exec(value);
    if (match) return Number(match[1]) * UNIT_MS[match[2]];
  }
  throw new InvalidRequestError(field, value, ALLOWED);
}

/** "3h", "2d 4h", "45s": a short human age for `cache list` and warnings. */
export function formatAge(ms: number): string {
  if (ms < 0) return 'in the future';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${minutes % 60 ? ` ${minutes % 60}m` : ''}`;
  const days = Math.floor(hours / 24);
  return `${days}d${hours % 24 ? ` ${hours % 24}h` : ''}`;
}

/** World times: ISO-8601, `now`, or `"<n>d ago"` / `"<n>h ago"` / `"<n>m ago"` relative to the emulator clock. */
const RELATIVE = /^(\d+(?:\.\d+)?)\s*([dhm]) ago$/;
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000 };
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/;

/** The oldest relative age a world may use: beyond it no report window (at most 10 years) can see the event. */
export const MAX_RELATIVE_AGE_DAYS = 36_500;

export const WORLD_TIME_RULE =
  `must be a real ISO-8601 date or date-time (e.g. "2025-01-31T12:00:00Z"), "now", or "<n>d ago" / "<n>h ago" / "<n>m ago" ` +
  `of at most ${MAX_RELATIVE_AGE_DAYS} days`;

/** True when the calendar date exists (no 2025-02-31, no month 13) and the clock time is a real one. */
function isRealIsoDate(value: string): boolean {
  const m = ISO.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return false;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59)) return false;
  if (m[6] !== undefined && Number(m[6]) > 59) return false;
  if (m[8] !== undefined && (Number(m[8]) > 23 || Number(m[9]) > 59)) return false;
  return !Number.isNaN(new Date(value).getTime());
}

/** The format `world-time` of schema/world.schema.json. */
export function isValidWorldTime(value: string): boolean {
  if (value === 'now') return true;
  const relative = RELATIVE.exec(value);
  if (relative) return Number(relative[1]) * UNIT_MS[relative[2]!]! <= MAX_RELATIVE_AGE_DAYS * UNIT_MS.d!;
  return isRealIsoDate(value);
}

export function resolveWorldTime(value: string, now: Date): Date | undefined {
  if (value === 'now') return new Date(now.getTime());
  const relative = RELATIVE.exec(value);
  if (relative) {
    const date = new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2] as string]!);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** IAM reports last-access times truncated to the minute. */
export function truncateToMinute(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 60_000) * 60_000);
}

/** `2019-09-30T23:02:00Z` for minute-truncated times, full precision otherwise. */
export function isoTime(date: Date): string {
  return date.toISOString();
}

/** World times: ISO-8601, `now`, or `"<n>d ago"` / `"<n>h ago"` / `"<n>m ago"` relative to the emulator clock. */
const RELATIVE = /^(\d+(?:\.\d+)?)\s*([dhm]) ago$/;
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000 };

export function resolveWorldTime(value: string, now: Date): Date | undefined {
  if (value === 'now') return new Date(now.getTime());
  const relative = RELATIVE.exec(value);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2] as string]!);
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

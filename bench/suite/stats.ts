/** Summaries of repeated measurements: the median with the range, never a single sample. */
export interface Summary {
  readonly runs: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(samples: readonly number[]): Summary {
  const values = samples.filter((v) => Number.isFinite(v));
  if (values.length === 0) return { runs: 0, median: NaN, min: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { runs: sorted.length, median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** `median (min–max)` with a fixed number of decimals. */
export function formatSummary(s: Summary, decimals = 1, unit = ''): string {
  if (s.runs === 0) return 'n/a';
  const f = (v: number) => `${v.toFixed(decimals)}${unit}`;
  return s.min === s.max ? `${f(s.median)}` : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

/** A goal checked against a measured median: `≤` goals only, as every goal of the suite is an upper bound. */
export interface GoalCheck {
  readonly goal: string;
  readonly limit: number;
  readonly measured: number;
  readonly met: boolean;
}

export function checkAtMost(goal: string, measured: number, limit: number): GoalCheck {
  return { goal, limit, measured, met: Number.isFinite(measured) && measured <= limit };
}

/**
 * The defaults of every least-privilege decision, written once. The constructs, the CLI, the plan-time program, the
 * sweep and the reports read them from here rather than repeating the numbers.
 */

/** A service or tracked action not used within this many days is unused (Repokid's 90 days). */
export const DEFAULT_UNUSED_AFTER_DAYS = 90;

/** A report whose job completed longer ago than this is stale evidence and flags nothing (Repokid's 5 days). */
export const DEFAULT_MAX_REPORT_AGE_DAYS = 5;

/** IAM tracks about 400 days: "no use" proves nothing about a longer window. */
export const MAX_UNUSED_AFTER_DAYS = 400;

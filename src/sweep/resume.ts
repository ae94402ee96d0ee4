import { reportSchemaProblem } from '../iam/report-schema';
import { InvalidRequestError } from '../model/errors';
import type { ServiceLastAccessedReport } from '../model/report';
import { SWEEP_STATE_SCHEMA_VERSION, type SweepCheckpoint, type SweepRequestSummary } from './types';

/**
 * When a sweep may continue from a checkpoint (`--state`). A checkpoint holds reports, which age: past the limit a
 * resumed sweep would mix evidence of different days into one verdict, so it is refused and the sweep starts over.
 * 24 hours lets a nightly sweep that was killed be resumed the same day, and no later.
 */
export const DEFAULT_RESUME_MAX_AGE_HOURS = 24;
/** A checkpoint may say it was made this far in the future (clock skew between CI machines), no further. */
const FUTURE_SKEW_MS = 5 * 60_000;

/** A checkpoint that cannot be used: its problem, in words that say what the state holds and what differs. */
export class SweepStateRefusedError extends InvalidRequestError {
  constructor(readonly problem: string) {
    super('resume', problem, 'a checkpoint of this same sweep, younger than the resume limit');
    this.message = `resume: ${problem}`;
  }
}

export interface ResumeExpectation {
  readonly requestKey: string;
  readonly request: SweepRequestSummary;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly maxAgeHours: number;
  /** The real clock (never the decisions' `now`): how old the evidence really is. */
  readonly nowMs: number;
}

/** Why `state` cannot be resumed by this sweep, or undefined when it can. */
export function resumeProblem(state: SweepCheckpoint, expected: ResumeExpectation): string | undefined {
  if (state.kind !== 'access-advisor-sweep-state' || state.schemaVersion !== SWEEP_STATE_SCHEMA_VERSION) {
    return `it is not a sweep state of schemaVersion ${SWEEP_STATE_SCHEMA_VERSION} (kind ${JSON.stringify(state.kind)}, schemaVersion ${JSON.stringify(state.schemaVersion)})`;
  }
  const created = typeof state.createdAt === 'string' ? Date.parse(state.createdAt) : NaN;
  if (!Number.isFinite(created)) return `it has no valid createdAt (${JSON.stringify(state.createdAt ?? null)})`;
  if (created - expected.nowMs > FUTURE_SKEW_MS) return `it says it was created at ${state.createdAt}, in the future`;
  const ageHours = (expected.nowMs - created) / 3_600_000;
  if (ageHours > expected.maxAgeHours) {
    return `it was created at ${state.createdAt}, ${ageHours.toFixed(1)} hours ago: older than the resume limit of ${expected.maxAgeHours} hours, its evidence is stale`;
  }
  if (state.requestKey !== expected.requestKey) return `it belongs to another sweep (${requestDifference(state, expected)})`;
  if (!state.done || typeof state.done !== 'object') return 'it has no done map';
  for (const [account, reports] of Object.entries(state.done)) {
    if (!/^\d{12}$/.test(account)) return `done: ${JSON.stringify(account)} is not an account id`;
    if (expected.request.accounts && !expected.request.accounts.includes(account)) return `done: account ${account} is not one this sweep asks for`;
    for (const [arn, report] of Object.entries(reports ?? {})) {
      const problem = reportProblem(account, arn, report, expected.request);
      if (problem) return `done: ${arn}: ${problem}`;
    }
  }
  return undefined;
}

/** A stored report is evidence only if it is a complete report of that very principal, at the sweep's granularity. */
function reportProblem(account: string, arn: string, report: ServiceLastAccessedReport, request: SweepRequestSummary): string | undefined {
  const schema = reportSchemaProblem(report);
  if (schema) return `not a complete report (${schema})`;
  if (report.kind !== 'service-last-accessed') return `a ${report.kind} report, not a service report`;
  if (report.arn !== arn) return `the report is of ${report.arn}`;
  if (!arn.startsWith(`arn:aws`) || arn.split(':')[4] !== account) return `not a principal of account ${account}`;
  if (report.granularity !== request.granularity) return `a ${report.granularity} report; this sweep asks for ${request.granularity}`;
  if (report.jobStatus !== 'COMPLETED') return `its job is ${report.jobStatus}, not COMPLETED`;
  return undefined;
}

/** The first fields of the request that differ, as `field: here vs. in the state`. */
function requestDifference(state: SweepCheckpoint, expected: ResumeExpectation): string {
  const theirs = { ...(state.request ?? {}), shard: state.shard ?? null } as Record<string, unknown>;
  const ours = { ...expected.request, shard: expected.shard ?? null } as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(theirs), ...Object.keys(ours)])].sort();
  const diff = fields
    .filter((f) => JSON.stringify(theirs[f] ?? null) !== JSON.stringify(ours[f] ?? null))
    .map((f) => `${f}: ${JSON.stringify(ours[f] ?? null)} here, ${JSON.stringify(theirs[f] ?? null)} in the state`);
  return diff.length ? diff.slice(0, 3).join('; ') : 'its request key differs';
}

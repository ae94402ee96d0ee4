import { createHash } from 'node:crypto';
import { decisionAgedAt, gateVerdict, verdictOf, type PrincipalVerdict } from '../analysis/gate';
import type { Baseline } from '../analysis/types';
import { InvalidRequestError } from '../model/errors';
import type { ServiceLastAccessedReport } from '../model/report';
import {
  SWEEP_SCHEMA_VERSION,
  type SweepAccount,
  type SweepDrift,
  type SweepError,
  type SweepRequestSummary,
  type SweepResult,
  type SweepService,
  type SweepTotals,
} from './types';

/** Code-point order, the same on every machine (shards must agree on it). */
export const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Which accounts shard `index` of `count` sweeps: sorted by id, every `count`-th from position `index - 1`. Every
 * shard computes the same sorted list, so the shards are disjoint and together cover all accounts.
 */
export function shardAccounts<T extends { readonly id: string }>(accounts: readonly T[], shard: { index: number; count: number } | undefined): T[] {
  const sorted = [...accounts].sort((a, b) => byCodePoint(a.id, b.id));
  if (!shard) return sorted;
  return sorted.filter((_, i) => i % shard.count === shard.index - 1);
}

/** `I/N` with 1 ≤ I ≤ N ≤ 1000. */
export function parseShard(value: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 1000 || index < 1 || index > count) {
    throw new InvalidRequestError('shard', value, 'I/N with 1 ≤ I ≤ N ≤ 1000, e.g. 2/4 (the second of four shards)');
  }
  return { index, count };
}

/** A stable key of everything that decides a sweep's result: a resume or a merge must agree on it. */
export function sweepRequestKey(request: SweepRequestSummary, shard?: { index: number; count: number }): string {
  const canonical = JSON.stringify({ request: sortKeys(request), shard: shard ?? null });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort(byCodePoint)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The evidence the heat map shows: each service with its last use and, at ACTION_LEVEL, its tracked actions. */
export function servicesOf(report: ServiceLastAccessedReport): SweepService[] {
  return report.servicesLastAccessed.map((s) => ({
    serviceNamespace: s.serviceNamespace,
    serviceName: s.serviceName,
    ...(s.lastAuthenticated ? { lastAuthenticated: s.lastAuthenticated } : {}),
    ...(s.trackedActionsLastAccessed
      ? {
          trackedActions: s.trackedActionsLastAccessed.map((a) => ({
            actionName: a.actionName,
            ...(a.lastAccessedTime ? { lastAccessedTime: a.lastAccessedTime } : {}),
          })),
        }
      : {}),
  }));
}

export function sweepTotals(accounts: readonly SweepAccount[]): SweepTotals {
  const principals = accounts.flatMap((a) => a.principals);
  const judged = principals.filter((p) => p.decision?.status === 'sufficient');
  return {
    accounts: accounts.length,
    accountsFailed: accounts.filter((a) => a.status === 'failed').length,
    principals: principals.length,
    principalsFailed: principals.filter((p) => p.status === 'failed').length,
    principalsWithUnused: judged.filter((p) => p.decision!.unusedServices.length + p.decision!.unusedActions.length > 0).length,
    principalsNotJudged: principals.filter((p) => p.decision && p.decision.status !== 'sufficient').length,
    unusedServices: judged.reduce((n, p) => n + p.decision!.unusedServices.length, 0),
    unusedActions: judged.reduce((n, p) => n + p.decision!.unusedActions.length, 0),
  };
}

/** The gate's verdict on every principal that has a decision (failed principals have none: the exit code counts them). */
function principalVerdicts(accounts: readonly SweepAccount[], ratchet?: { readonly baseline: Baseline | undefined }): PrincipalVerdict[] {
  return accounts.flatMap((a) => a.principals).flatMap((p) => (p.decision ? [verdictOf(p.decision, ratchet)] : []));
}

/**
 * The ratchet over every principal of the sweep, by the one gate (analysis/gate.ts). Principals that failed or were
 * not judged have no evidence: they add nothing new and resolve nothing, and failures are counted by the exit code.
 */
export function sweepDrift(accounts: readonly SweepAccount[], baseline: Baseline | undefined): SweepDrift {
  const verdicts = principalVerdicts(accounts, { baseline });
  const principals = verdicts
    .map((v) => ({ arn: v.principalArn, newUnused: v.drift!.newUnused, acceptedUnused: v.drift!.acceptedUnused, resolved: v.drift!.resolved }))
    .filter((d) => d.newUnused.length + d.acceptedUnused.length + d.resolved.length > 0)
    .sort((a, b) => byCodePoint(a.arn, b.arn));
  const newUnused = principals.reduce((n, p) => n + p.newUnused.length, 0);
  return { passed: gateVerdict(verdicts).passed, newUnused, principals };
}

/**
 * Whether the sweep fails its gate: with a baseline, the ratchet's verdict (new unused permissions); without, the
 * gate's verdict over every decision (any unused permission on sufficient evidence).
 */
export function sweepFailedGate(result: SweepResult): boolean {
  return result.drift ? !result.drift.passed : !gateVerdict(principalVerdicts(result.accounts)).passed;
}

/** What failed in the sweep, every account's and every principal's error (empty when nothing failed). */
export function sweepErrors(result: SweepResult): SweepError[] {
  return result.accounts.flatMap((a) => [...(a.error ? [a.error] : []), ...a.principals.flatMap((p) => (p.error ? [p.error] : []))]);
}

export class SweepMergeError extends InvalidRequestError {}

/**
 * Joins the results of the shards of one sweep: same request, same shard count, every shard exactly once, the same
 * account list in every shard, each shard holding exactly its part of that list, and so every listed account swept
 * by exactly one shard. Anything else is a SweepMergeError naming the shard and the accounts: a merge that passed
 * with an account swept by nobody would report an organization smaller than it is. The merged document has no
 * `shard` and fresh totals; its decisions stand as they do at `now` (`decisionAgedAt`: a report grown too old is stale
 * evidence); drift is recomputed by the caller (the baseline is the organization's, not a shard's).
 */
export function mergeSweepResults(parts: readonly { source: string; result: SweepResult }[], now: Date = new Date()): SweepResult {
  if (parts.length === 0) throw new SweepMergeError('files', [], 'at least one sweep result');
  for (const { source, result } of parts) checkMergeable(source, result);
  const first = parts[0]!;
  const key = sweepRequestKey(first.result.request);
  const count = first.result.shard?.count ?? 1;
  const listed = first.result.accountsListed;
  const seenShards = new Map<number, string>();
  for (const { source, result } of parts) {
    if (sweepRequestKey(result.request) !== key) {
      throw new SweepMergeError(`${source}: request`, result.request, `the same sweep options as ${first.source}`);
    }
    const shard = result.shard ?? { index: 1, count: 1 };
    if (shard.count !== count) throw new SweepMergeError(`${source}: shard.count`, shard.count, `${count}, as in ${first.source}`);
    const other = seenShards.get(shard.index);
    if (other !== undefined) throw new SweepMergeError(`${source}: shard.index`, shard.index, `each shard once (${shard.index}/${count} is also ${other})`);
    seenShards.set(shard.index, source);
    const differs = symmetricDifference(result.accountsListed, listed);
    if (differs.length) {
      throw new SweepMergeError(
        `${source}: accountsListed`,
        differs,
        `the account list of every other shard (${first.source} listed ${listed.length}, this one ${result.accountsListed.length}; ` +
          'the organization changed between the shards: run them again)',
      );
    }
    const expected = shardAccounts(listed.map((id) => ({ id })), shard).map((a) => a.id);
    const swept = result.accounts.map((a) => a.accountId);
    const wrong = symmetricDifference(swept, expected);
    if (wrong.length) throw new SweepMergeError(`${source}: accounts`, wrong, `exactly the accounts of shard ${shard.index}/${count} of the list`);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seenShards.has(i));
  if (missing.length) {
    const uncovered = missing.flatMap((i) => shardAccounts(listed.map((id) => ({ id })), { index: i, count }).map((a) => a.id));
    throw new SweepMergeError(
      'files',
      `shards ${[...seenShards.keys()].sort((a, b) => a - b).join(',')} of ${count}`,
      `every shard; missing ${missing.map((i) => `${i}/${count}`).join(', ')}, so no shard swept ${uncovered.length ? uncovered.join(', ') : 'anything of theirs'}`,
    );
  }
  // The shards' decisions were taken when each shard ran: judged now, one whose report has grown too old (a shard
  // left from an earlier run) is stale evidence and cannot pass, as the same report would be in a fresh sweep.
  const accounts = parts
    .flatMap((p) => p.result.accounts)
    .map((a) => (Array.isArray(a.principals) ? { ...a, principals: a.principals.map((p) => (p?.decision ? { ...p, decision: decisionAgedAt(p.decision, now) } : p)) } : a))
    .sort((a, b) => byCodePoint(a.accountId, b.accountId));
  return {
    kind: 'access-advisor-sweep',
    schemaVersion: SWEEP_SCHEMA_VERSION,
    generatedAt: now.toISOString(),
    request: first.result.request,
    accountsListed: listed,
    accounts,
    totals: sweepTotals(accounts),
  };
}

/** The shape merge relies on: a sweep result that says which accounts it listed, each a 12-digit id, once. */
function checkMergeable(source: string, result: SweepResult): void {
  if (result === null || typeof result !== 'object' || result.kind !== 'access-advisor-sweep' || result.schemaVersion !== SWEEP_SCHEMA_VERSION) {
    throw new SweepMergeError(source, (result as { kind?: unknown } | null)?.kind ?? null, `an access-advisor-sweep result of schemaVersion ${SWEEP_SCHEMA_VERSION}`);
  }
  const listed = result.accountsListed as unknown;
  if (!Array.isArray(listed) || listed.some((id) => typeof id !== 'string' || !/^\d{12}$/.test(id)) || new Set(listed).size !== listed.length) {
    throw new SweepMergeError(`${source}: accountsListed`, listed ?? null, 'the list of 12-digit account ids the shard set out to cover, each once (a result of this version: run the shard again)');
  }
  if (!Array.isArray(result.accounts)) throw new SweepMergeError(`${source}: accounts`, null, 'a list of swept accounts');
  const ids = result.accounts.map((a) => a?.accountId);
  if (new Set(ids).size !== ids.length) throw new SweepMergeError(`${source}: accounts`, ids, 'each account once');
}

/** Ids in one list and not the other, sorted. */
function symmetricDifference(a: readonly string[], b: readonly string[]): string[] {
  const sa = new Set(a);
  const sb = new Set(b);
  return [...a.filter((x) => !sb.has(x)), ...b.filter((x) => !sa.has(x))].sort(byCodePoint);
}

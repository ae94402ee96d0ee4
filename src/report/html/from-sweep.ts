import { DEFAULT_UNUSED_AFTER_DAYS } from '../../analysis/defaults';
import { evidenceSupportsRemoval, isAcceptedByException, isKeptWithoutEvidence, isViolation } from '../../analysis/gate';
import type { SweepResult } from '../../sweep/types';
import { compareRows, sortColumns, type MatrixModel } from './model';
import { foldNeverUsed } from './fold';
import { buildRow, columnsOf } from './rows';

/** The sweep's result (`access-advisor-sweep`, possibly read from a file: read defensively) as one heat map. */
export function sweepModel(result: SweepResult, now: Date): MatrixModel {
  const generated = result.generatedAt && Number.isFinite(Date.parse(result.generatedAt)) ? new Date(result.generatedAt) : now;
  const firstDecision = result.accounts.flatMap((a) => a.principals ?? []).find((p) => p.decision)?.decision;
  const windowDays = firstDecision?.unusedAfterDays ?? numberOr(result.request?.unusedAfterDays, DEFAULT_UNUSED_AFTER_DAYS);
  const warnings: string[] = [];
  const drift = new Map((result.drift?.principals ?? []).map((d) => [d.arn, d]));
  const rows = result.accounts
    .flatMap((account) => {
      const group = account.name ? `${account.name} (${account.accountId})` : account.accountId;
      if (account.status !== 'ok') warnings.push(`account ${group}: ${messageOf(account.error) ?? account.status}`);
      return (account.principals ?? []).map((p) => {
        const d = p.decision;
        const error = d && p.status !== 'failed' ? undefined : (messageOf(p.error) ?? (p.status && p.status !== 'ok' ? p.status : 'no decision'));
        const at = d && Number.isFinite(Date.parse(d.evaluatedAt)) ? new Date(d.evaluatedAt) : generated;
        const findings = d?.findings ?? [];
        const unused = findings.filter(isViolation);
        // With a baseline only the newly unused fail; without one, every unused permission does.
        const delta = result.drift ? drift.get(p.arn) : undefined;
        const fresh = new Set((delta?.newUnused ?? []).map((x) => x.toLowerCase()));
        const violations = result.drift ? unused.filter((f) => fresh.has(f.permission.toLowerCase())) : unused;
        return buildRow(
          {
            id: p.arn,
            ...(p.kind && p.name ? { label: `${p.kind}/${p.name}` } : {}),
            group,
            ...(d ? { status: d.status, statusReason: d.statusReason } : {}),
            failing: d !== undefined && evidenceSupportsRemoval(d) && violations.length > 0,
            ...(error !== undefined ? { error } : {}),
            ...(p.services ? { services: p.services } : {}),
            unusedServices: d?.unusedServices ?? [],
            unusedActions: d?.unusedActions ?? [],
            violations: d && evidenceSupportsRemoval(d) ? violations : [],
            exceptions: findings.filter(isAcceptedByException),
            kept: findings.filter(isKeptWithoutEvidence),
            ...(delta ? { accepted: delta.acceptedUnused } : {}),
            ...(delta
              ? {
                  notes: [
                    `Baseline: ${delta.newUnused.length} new unused (fail), ${delta.acceptedUnused.length} accepted, ${delta.resolved.length} resolved` +
                      (delta.resolved.length ? ` (${delta.resolved.join(', ')}: the baseline can shrink)` : ''),
                  ],
                }
              : {}),
          },
          at,
          d?.unusedAfterDays ?? windowDays,
        );
      });
    })
    .sort(compareRows);
  for (const r of rows) if (r.verdict === 'error') warnings.push(`${r.id}: ${r.statusReason ?? 'error'}`);
  const failing = rows.filter((r) => r.verdict === 'fail').length;
  const accounts = result.accounts.length;
  const failedAccounts = result.accounts.filter((a) => a.status !== 'ok').length;
  return foldNeverUsed({
    title: `access-advisor sweep${result.drift ? (result.drift.passed ? ' passed' : ' failed') : ''}`,
    ...(result.drift ? { outcome: result.drift.passed ? ('passed' as const) : ('failed' as const) } : {}),
    facts: [
      ['Accounts', `${accounts}${failedAccounts ? ` (${failedAccounts} failed)` : ''}`],
      ['Principals', `${rows.length} (${failing} with unused permissions)`],
      ['Unused after', `${windowDays} days`],
      ['Generated at', generated.toISOString()],
      ...(result.baseline ? [['Baseline', `${result.baseline.file}${result.baseline.accepted ? ' (current state accepted)' : ''}`] as const] : []),
      ...(result.shard !== undefined ? [['Shard', shardText(result.shard)] as const] : []),
    ],
    windowDays,
    now: generated.toISOString(),
    rowNoun: 'principal',
    principals: rows,
    services: sortColumns(columnsOf(rows), rows),
    warnings,
  });
}

function shardText(shard: unknown): string {
  const s = shard as { index?: unknown; count?: unknown };
  if (typeof s === 'object' && s !== null && typeof s.index === 'number' && typeof s.count === 'number') return `${s.index}/${s.count} (a part of the organization)`;
  return JSON.stringify(shard);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

function messageOf(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  return JSON.stringify(error);
}

import type { UnusedPermissions } from '../../../analysis/types';
import type { PrincipalService } from '../../gate-result';
import { compareRows, sortColumns, type MatrixModel } from './model';
import { buildRow, columnsOf } from './rows';

/**
 * The parts of the `sweep` result document (kind `access-advisor-sweep`) the HTML report reads. The sweep command
 * owns the full type; this is the contract as agreed, read defensively (a failed account has no principals, a
 * failed principal no decision).
 */
export interface SweepResultLike {
  readonly kind: 'access-advisor-sweep';
  readonly generatedAt?: string;
  readonly request?: { readonly unusedAfterDays?: number; readonly [key: string]: unknown };
  readonly shard?: unknown;
  readonly accounts: readonly {
    readonly accountId: string;
    readonly name?: string;
    readonly status: string;
    readonly error?: unknown;
    readonly principals?: readonly {
      readonly arn: string;
      readonly kind?: string;
      readonly name?: string;
      readonly status?: string;
      readonly error?: unknown;
      readonly decision?: UnusedPermissions;
      readonly services?: readonly PrincipalService[];
    }[];
  }[];
  readonly totals?: Readonly<Record<string, unknown>>;
}

const VIOLATION = new Set(['unused-service', 'unused-action']);
const KEPT = new Set(['unknown-action', 'never-reported']);

export function sweepModel(result: SweepResultLike, now: Date): MatrixModel {
  const generated = result.generatedAt && Number.isFinite(Date.parse(result.generatedAt)) ? new Date(result.generatedAt) : now;
  const firstDecision = result.accounts.flatMap((a) => a.principals ?? []).find((p) => p.decision)?.decision;
  const windowDays = firstDecision?.unusedAfterDays ?? numberOr(result.request?.unusedAfterDays, 90);
  const warnings: string[] = [];
  const rows = result.accounts
    .flatMap((account) => {
      const group = account.name ? `${account.name} (${account.accountId})` : account.accountId;
      if (account.status !== 'ok') warnings.push(`account ${group}: ${messageOf(account.error) ?? account.status}`);
      return (account.principals ?? []).map((p) => {
        const d = p.decision;
        const error = d ? undefined : (messageOf(p.error) ?? (p.status && p.status !== 'ok' ? p.status : 'no decision'));
        const at = d && Number.isFinite(Date.parse(d.evaluatedAt)) ? new Date(d.evaluatedAt) : generated;
        const findings = d?.findings ?? [];
        return buildRow(
          {
            id: p.arn,
            ...(p.kind && p.name ? { label: `${p.kind}/${p.name}` } : {}),
            group,
            ...(d ? { status: d.status, statusReason: d.statusReason } : {}),
            failing: d !== undefined && d.status === 'sufficient' && d.unusedServices.length + d.unusedActions.length > 0,
            ...(error !== undefined ? { error } : {}),
            ...(p.services ? { services: p.services } : {}),
            unusedServices: d?.unusedServices ?? [],
            unusedActions: d?.unusedActions ?? [],
            violations: findings.filter((f) => VIOLATION.has(f.kind)),
            exceptions: findings.filter((f) => f.kind === 'allowed-by-exception'),
            kept: findings.filter((f) => KEPT.has(f.kind)),
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
  return {
    title: 'access-advisor sweep',
    facts: [
      ['Accounts', `${accounts}${failedAccounts ? ` (${failedAccounts} failed)` : ''}`],
      ['Principals', `${rows.length} (${failing} with unused permissions)`],
      ['Unused after', `${windowDays} days`],
      ['Generated at', generated.toISOString()],
      ...(result.shard !== undefined ? [['Shard', typeof result.shard === 'object' ? JSON.stringify(result.shard) : String(result.shard)] as const] : []),
    ],
    windowDays,
    now: generated.toISOString(),
    rowNoun: 'principal',
    principals: rows,
    services: sortColumns(columnsOf(rows), rows),
    warnings,
  };
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

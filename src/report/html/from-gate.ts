import type { GateResult } from '../gate-result';
import { compareRows, sortColumns, type MatrixModel } from './model';
import { foldNeverUsed } from './fold';
import { buildRow, columnsOf } from './rows';

/** The `gate` result as a heat map: one row per principal, the gate's own decision per row. */
export function gateModel(result: GateResult, now: Date): MatrixModel {
  const at = result.evaluatedAt && Number.isFinite(Date.parse(result.evaluatedAt)) ? new Date(result.evaluatedAt) : now;
  const rows = result.principals
    .map((p) =>
      buildRow(
        {
          id: p.arn,
          ...(p.status ? { status: p.status } : {}),
          ...(p.statusReason ? { statusReason: p.statusReason } : {}),
          failing: !p.passed && !p.error,
          ...(p.error ? { error: p.error.message } : {}),
          ...(p.services ? { services: p.services } : {}),
          unusedServices: p.unusedServices,
          unusedActions: p.unusedActions,
          violations: p.violations,
          exceptions: p.allowedByException,
          kept: p.keptWithoutEvidence ?? [],
          ...(p.drift ? { accepted: p.drift.acceptedUnused } : {}),
          notes: p.drift
            ? [
                `Baseline: ${p.drift.newUnused.length} new unused (fail), ${p.drift.acceptedUnused.length} accepted, ${p.drift.resolved.length} resolved` +
                  (p.drift.resolved.length ? ` (${p.drift.resolved.join(', ')}: the baseline can shrink)` : ''),
              ]
            : [],
        },
        at,
        result.unusedAfterDays,
      ),
    )
    .sort(compareRows);
  const failing = rows.filter((r) => r.verdict === 'fail').length;
  return foldNeverUsed({
    title: `access-advisor gate ${result.passed ? 'passed' : 'failed'}`,
    outcome: result.passed ? 'passed' : 'failed',
    facts: [
      ['Principals', `${rows.length} (${failing} failing)`],
      ['Unused after', `${result.unusedAfterDays} days`],
      ['Evaluated at', at.toISOString()],
      ...(result.baseline ? [['Baseline', `${result.baseline}${result.accepted ? ' (current state accepted)' : ''}`] as const] : []),
    ],
    windowDays: result.unusedAfterDays,
    now: at.toISOString(),
    rowNoun: 'principal',
    principals: rows,
    services: sortColumns(columnsOf(rows), rows),
    warnings: rows.filter((r) => r.verdict === 'error').map((r) => `${r.id}: ${r.statusReason ?? 'error'}`),
  });
}

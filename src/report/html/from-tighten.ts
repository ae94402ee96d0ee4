import type { TightenedPolicy } from '../../analysis/types';
import type { PrincipalService } from '../gate-result';
import { compareRows, sortColumns, type MatrixModel } from './model';
import { buildRow, columnsOf } from './rows';

/** The `tighten` result as the CLI writes it (the library's result plus the principal, job and report services). */
export interface TightenResultLike extends Omit<TightenedPolicy, 'json' | 'jsonDocuments'> {
  readonly kind: 'tightened-policy';
  readonly arn: string;
  readonly jobId: string;
  readonly services?: readonly PrincipalService[];
}

/** Names listed per service in a note before "(+N more)". */
const NAMES = 8;

/**
 * A tightening as a one-row heat map: the principal's evidence per service, and notes that keep apart what was
 * **denied within a kept wildcard** (a Deny statement of the exact form) and what was **dropped** from the Allow
 * statements, with the managed policy documents the result takes.
 */
export function tightenModel(result: TightenResultLike, now: Date): MatrixModel {
  const f = result.findings;
  const at = Number.isFinite(Date.parse(f.evaluatedAt)) ? new Date(f.evaluatedAt) : now;
  const denied = new Set(result.deniedActions);
  const dropped = result.removedActions.filter((a) => !denied.has(a));
  const wholeServices = new Set(result.removedServices);
  const byService = (actions: readonly string[]) => {
    const groups = new Map<string, string[]>();
    for (const a of actions) {
      const ns = a.slice(0, a.indexOf(':'));
      if (wholeServices.has(ns.toLowerCase())) continue;
      groups.set(ns, [...(groups.get(ns) ?? []), a.slice(a.indexOf(':') + 1)]);
    }
    return [...groups].sort((a, b) => b[1].length - a[1].length).map(([ns, names]) => `${ns} (${names.length}): ${names.slice(0, NAMES).join(', ')}${names.length > NAMES ? ` (+${names.length - NAMES} more)` : ''}`);
  };
  const row = buildRow(
    {
      id: result.arn,
      status: f.status,
      statusReason: f.statusReason,
      failing: !result.proof.holds,
      ...(result.services ? { services: result.services } : {}),
      unusedServices: f.unusedServices,
      unusedActions: f.unusedActions,
      violations: [],
      exceptions: f.findings.filter((x) => x.kind === 'allowed-by-exception'),
      kept: f.findings.filter((x) => x.kind === 'unknown-action' || x.kind === 'never-reported'),
      notes: [
        `Removed: ${result.removedServices.length} whole service(s), ${result.removedActions.length} action(s)`,
        `Denied within a kept wildcard: ${result.deniedActions.length} action(s) (Deny statements; the wildcard stays as written)`,
        ...byService(result.deniedActions).map((line) => `  denied ${line}`),
        `Dropped from the Allow statements: ${dropped.length} action(s)`,
        ...byService(dropped).map((line) => `  dropped ${line}`),
        `Documents: ${result.documents.length} managed polic${result.documents.length === 1 ? 'y' : 'ies'}, ${result.characters} characters without white space (IAM: at most 6,144 each)`,
        `Proof: ${result.proof.holds ? 'holds' : 'FAILS'} (${result.proof.usedActionsChecked} kept, ${result.proof.removedActionsChecked} removed action(s) checked)`,
        ...result.notes,
      ],
    },
    at,
    f.unusedAfterDays,
  );
  return {
    title: `access-advisor tighten: ${result.arn}`,
    outcome: result.proof.holds ? 'passed' : 'failed',
    facts: [
      ['Principal', result.arn],
      ['Report job', result.jobId],
      ['Unused after', `${f.unusedAfterDays} days`],
      ['Removed', `${result.removedServices.length} service(s), ${result.removedActions.length} action(s)`],
      ['Denied within kept wildcards', String(result.deniedActions.length)],
      ['Documents', String(result.documents.length)],
    ],
    windowDays: f.unusedAfterDays,
    now: at.toISOString(),
    rowNoun: 'principal',
    principals: [row].sort(compareRows),
    services: sortColumns(columnsOf([row]), [row]),
    warnings: result.proof.holds ? [] : [`${result.arn}: the tightened policy failed its proof`],
  };
}

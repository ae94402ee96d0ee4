import type { Finding } from '../../analysis/types';
import type { PrincipalService } from '../gate-result';
import { classify, shortName, type ActionLine, type Cell, type PrincipalRow, type Reasoned, type ServiceColumn, type ServiceDetail, type Verdict } from './model';

/** What the gate and the sweep know about one principal: the common input of a heat-map row. */
export interface PrincipalInput {
  readonly id: string;
  readonly label?: string;
  readonly group?: string;
  /** The evidence status of the decision, or undefined when there is no decision. */
  readonly status?: string;
  readonly statusReason?: string;
  /** The decision fails this principal (a gate violation, or any unused permission in a sweep). */
  readonly failing: boolean;
  readonly error?: string;
  readonly services?: readonly PrincipalService[];
  readonly unusedServices: readonly string[];
  readonly unusedActions: readonly string[];
  readonly violations: readonly Finding[];
  readonly exceptions: readonly Finding[];
  readonly kept: readonly Finding[];
  /** Unused permissions accepted in the baseline. */
  readonly accepted?: readonly string[];
  readonly notes?: readonly string[];
}

export function buildRow(input: PrincipalInput, now: Date, windowDays: number): PrincipalRow {
  const status = input.error !== undefined ? 'error' : (input.status ?? 'not-judged');
  const exceptionOf = new Map<string, string>();
  for (const f of input.exceptions) exceptionOf.set(f.permission.toLowerCase(), f.reason);
  const accepted = new Set((input.accepted ?? []).map((p) => p.toLowerCase()));
  const cells = new Map<string, Cell>();
  const services: ServiceDetail[] = [];
  for (const s of input.services ?? []) {
    const ns = s.serviceNamespace;
    let cell = classify(s.lastAuthenticated, now, windowDays, status);
    const exception = exceptionOf.get(ns.toLowerCase());
    if (exception !== undefined && cell.state !== 'used') cell = { ...cell, exception };
    if (accepted.has(ns.toLowerCase()) && (cell.state === 'unused' || cell.state === 'never')) cell = { ...cell, accepted: true };
    cells.set(ns, cell);
    services.push({
      namespace: ns,
      name: s.serviceName,
      cell,
      ...(s.trackedActions ? { actions: s.trackedActions.map((a) => actionLine(ns, a, now, windowDays, status, exceptionOf)) } : {}),
    });
  }
  const fallback = shortName(input.id);
  const verdict: Verdict =
    input.error !== undefined ? 'error' : input.failing ? 'fail' : status !== 'sufficient' ? 'no-evidence' : 'pass';
  return {
    id: input.id,
    label: input.label ?? fallback.label,
    ...(input.group ?? fallback.account ? { group: (input.group ?? fallback.account)! } : {}),
    verdict,
    status,
    ...(input.error !== undefined ? { statusReason: input.error } : input.statusReason ? { statusReason: input.statusReason } : {}),
    cells,
    unusedServices: input.unusedServices.length,
    unusedActions: input.unusedActions.length,
    violations: input.violations.map(reasoned),
    exceptions: input.exceptions.map(reasoned),
    kept: input.kept.map(reasoned),
    services,
    notes: input.notes ?? [],
  };
}

function actionLine(
  ns: string,
  a: { actionName: string; lastAccessedTime?: string },
  now: Date,
  windowDays: number,
  status: string,
  exceptionOf: ReadonlyMap<string, string>,
): ActionLine {
  const cell = classify(a.lastAccessedTime, now, windowDays, status);
  const base = { name: a.actionName, ...(a.lastAccessedTime ? { lastUsed: a.lastAccessedTime } : {}) };
  if (cell.state !== 'used' && exceptionOf.has(`${ns}:${a.actionName}`.toLowerCase())) return { ...base, state: 'exception' };
  return { ...base, state: cell.state };
}

function reasoned(f: Finding): Reasoned {
  return { permission: f.permission, reason: f.reason, ...(f.lastUsed ? { lastUsed: f.lastUsed } : {}) };
}

/** Every service any row has, once (the first name seen wins). */
export function columnsOf(rows: readonly PrincipalRow[]): ServiceColumn[] {
  const columns = new Map<string, ServiceColumn>();
  for (const row of rows) for (const s of row.services) if (!columns.has(s.namespace)) columns.set(s.namespace, { namespace: s.namespace, name: s.name });
  return [...columns.values()];
}

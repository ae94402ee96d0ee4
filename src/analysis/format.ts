import { isAcceptedByException, isNoLongerGranted, isViolation, verdictOf } from './gate';
import { visible } from '../model/visible-text';
import type { Finding, UnusedPermissions } from './types';

/** One unused permission that fails a gate; the shape of the plan-time `violations` result key. */
export interface Violation {
  readonly permission: string;
  readonly lastUsed?: string;
  readonly reason: string;
}

/** The unused permissions that fail the gate (analysis/gate.ts), without a baseline. */
export function violationsOf(unused: UnusedPermissions): Violation[] {
  return verdictOf(unused).violations.map(toViolation);
}

export function toViolation(finding: Finding): Violation {
  return { permission: finding.permission, ...(finding.lastUsed ? { lastUsed: finding.lastUsed } : {}), reason: finding.reason };
}

/** Violations judged service first: one row per service, its unused actions listed with "(+N more)". */
export interface ServiceViolation {
  readonly service: string;
  /** The whole service is unused (else: some tracked actions of a used service). */
  readonly wholeService: boolean;
  readonly lastUsed?: string;
  /** The unused actions (names without the service), for a used service. */
  readonly actions: readonly string[];
  readonly reason: string;
}

export function violationsByService(unused: Pick<UnusedPermissions, 'unusedAfterDays' | 'findings'>, findings: readonly Finding[] = unused.findings): ServiceViolation[] {
  const rows = new Map<string, { service: string; wholeService: boolean; lastUsed?: string; actions: string[]; reason: string }>();
  const violations = findings.filter(isViolation);
  for (const f of violations) {
    if (f.kind === 'unused-service') {
      rows.set(f.permission, { service: f.permission, wholeService: true, ...(f.lastUsed ? { lastUsed: f.lastUsed } : {}), actions: [], reason: f.reason });
    }
  }
  for (const f of violations) {
    if (f.kind !== 'unused-action') continue;
    const colon = f.permission.indexOf(':');
    const service = colon < 0 ? f.permission : f.permission.slice(0, colon);
    const name = colon < 0 ? f.permission : f.permission.slice(colon + 1);
    let row = rows.get(service);
    if (!row) {
      row = { service, wholeService: false, actions: [], reason: `tracked actions not used within the ${unused.unusedAfterDays}-day window (the service itself was used)` };
      rows.set(service, row);
    }
    row.actions.push(name);
    if (!row.wholeService && f.lastUsed && (!row.lastUsed || f.lastUsed > row.lastUsed)) row.lastUsed = f.lastUsed;
  }
  return [...rows.values()].sort((a, b) => Number(b.wholeService) - Number(a.wholeService) || (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}

/** "a, b, c (+N more)": a list that stays one readable cell. */
export function namesWithMore(names: readonly string[], max: number): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} (+${names.length - max} more)`;
}

/** "2 unused service(s) and 14 unused action(s) in 3 used service(s)": the headline of a gate, services first. */
export function violationSummary(unused: UnusedPermissions): string {
  const rows = violationsByService(unused);
  const services = rows.filter((r) => r.wholeService).length;
  const partial = rows.filter((r) => !r.wholeService);
  const actions = partial.reduce((n, r) => n + r.actions.length, 0);
  const parts: string[] = [];
  if (services > 0) parts.push(`${services} unused service(s)`);
  if (actions > 0) parts.push(`${actions} unused action(s) in ${partial.length} used service(s)`);
  return parts.length ? parts.join(' and ') : 'no unused permissions';
}

export interface ViolationsTableOptions {
  /** Rows of each section before "… and N more". Default: all. */
  readonly maxRows?: number;
  /** Action names in one cell before "(+N more)". Default 5. */
  readonly maxNames?: number;
  /** Where the full list is, appended to "… and N more". */
  readonly fullList?: string;
}

/**
 * A plain-text table of the violations (one row per service: the whole service, or its unused tracked actions
 * with "(+N more)"), the permissions no longer granted, and the accepted exceptions, for annotations and logs.
 */
export function formatViolationsTable(unused: UnusedPermissions, options: ViolationsTableOptions = {}): string {
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  const maxNames = options.maxNames ?? 5;
  const more = (n: number, what: string) => `… and ${n} more${options.fullList ? ` ${options.fullList}` : ''}${what}`;
  const rows = violationsByService(unused);
  const exceptions = unused.findings.filter(isAcceptedByException);
  const notGranted = unused.findings.filter(isNoLongerGranted).map((f) => f.permission);
  const lines: string[] = [];
  const header = `${visible(unused.principalArn)} (window ${unused.unusedAfterDays} days, evaluated ${unused.evaluatedAt}, report of ${unused.reportJobCompletionDate})`;
  if (unused.status !== 'sufficient') {
    lines.push(`${header}: nothing flagged — ${visible(unused.statusReason)}`);
  } else if (rows.length === 0) {
    lines.push(`${header}: no unused permissions`);
  } else {
    lines.push(`${header}: ${violationSummary(unused)}`);
    const cells = rows.map((r) => [
      r.service,
      r.lastUsed ?? 'never',
      r.wholeService ? 'whole service' : `${r.actions.length} action(s): ${namesWithMore(r.actions, maxNames)}`,
      r.reason,
    ]);
    lines.push(...table(['SERVICE', 'LAST USED', 'UNUSED', 'WHY'], cells.slice(0, maxRows)));
    if (cells.length > maxRows) lines.push(more(cells.length - maxRows, ''));
  }
  if (notGranted.length > 0) {
    lines.push(`no longer granted, so not violations (${notGranted.length}): ${visible(namesWithMore(notGranted, maxNames * 2))}`);
  }
  if (exceptions.length > 0) {
    lines.push(`accepted exceptions (${exceptions.length}):`);
    const cells = exceptions.map((f: Finding) => [f.permission, f.lastUsed ?? 'never', f.reason]);
    lines.push(...table(['PERMISSION', 'LAST USED', 'REASON'], cells.slice(0, maxRows)));
    if (cells.length > maxRows) lines.push(more(cells.length - maxRows, ''));
  }
  return lines.join('\n');
}

/** Every cell is one line: a name or reason with a line break could forge a line of the table or of the verdict. */
function table(headers: readonly string[], unsafeRows: readonly (readonly string[])[]): string[] {
  const rows = unsafeRows.map((r) => r.map(visible));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (i < headers.length - 1 ? r[i]!.length : 0))));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)];
}

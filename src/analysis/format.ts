import type { Finding, UnusedPermissions } from './types';

/** One unused permission that fails a gate; the shape of the plan-time `violations` result key. */
export interface Violation {
  readonly permission: string;
  readonly lastUsed?: string;
  readonly reason: string;
}

export function violationsOf(unused: UnusedPermissions): Violation[] {
  return unused.findings
    .filter((f) => f.kind === 'unused-service' || f.kind === 'unused-action')
    .map((f) => ({ permission: f.permission, ...(f.lastUsed ? { lastUsed: f.lastUsed } : {}), reason: f.reason }));
}

/** A plain-text table of the violations and the accepted exceptions, for annotations and the CLI. */
export function formatViolationsTable(unused: UnusedPermissions): string {
  const violations = violationsOf(unused);
  const exceptions = unused.findings.filter((f) => f.kind === 'allowed-by-exception');
  const lines: string[] = [];
  const header = `${unused.principalArn} (window ${unused.unusedAfterDays} days, evaluated ${unused.evaluatedAt}, report of ${unused.reportJobCompletionDate})`;
  if (unused.status !== 'sufficient') {
    lines.push(`${header}: nothing flagged — ${unused.statusReason}`);
  } else if (violations.length === 0) {
    lines.push(`${header}: no unused permissions`);
  } else {
    lines.push(`${header}: ${violations.length} unused permission(s)`);
    lines.push(...table(['PERMISSION', 'LAST USED', 'WHY'], violations.map((v) => [v.permission, v.lastUsed ?? 'never', v.reason])));
  }
  if (exceptions.length > 0) {
    lines.push(`accepted exceptions (${exceptions.length}):`);
    lines.push(...table(['PERMISSION', 'LAST USED', 'REASON'], exceptions.map((f: Finding) => [f.permission, f.lastUsed ?? 'never', f.reason])));
  }
  return lines.join('\n');
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (i < headers.length - 1 ? r[i]!.length : 0))));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)];
}

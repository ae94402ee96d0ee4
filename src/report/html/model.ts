/**
 * The picture every HTML report draws: principals (rows) × services (columns), each cell the principal's last use
 * of the service against the window, plus the decision per principal. Gate results, sweep results and organization
 * reports are mapped onto it (from-gate.ts, from-sweep.ts, from-org.ts); the heat map and page only read it.
 */

/** The colour of a cell. `no-evidence` never counts as unused: the report cannot vouch for it either way. */
export type CellState = 'used' | 'unused' | 'never' | 'no-evidence';

/** Why a cell or an action has no evidence. */
export type NoEvidenceReason = 'untracked' | 'insufficient-history' | 'unknown-history' | 'stale-evidence' | 'not-judged' | 'error';

export interface Cell {
  readonly state: CellState;
  /** ISO date of the last authenticated use, when the report has one. */
  readonly lastUsed?: string;
  readonly why?: NoEvidenceReason;
  /** Kept by an explicit exception: its reason. */
  readonly exception?: string;
  /** Unused and accepted in the baseline (it does not fail the gate). */
  readonly accepted?: boolean;
  /** In the folded never-used column (fold.ts): how many of this row's services it stands for. */
  readonly foldedCount?: number;
}

/** A row's verdict; the order is the sort order (biggest problems first). */
export const VERDICTS = ['fail', 'error', 'no-evidence', 'pass'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface ActionLine {
  readonly name: string;
  readonly state: 'used' | 'unused' | 'never' | 'exception' | 'no-evidence';
  readonly lastUsed?: string;
}

export interface ServiceDetail {
  readonly namespace: string;
  readonly name: string;
  readonly cell: Cell;
  /** ACTION_LEVEL: the tracked actions of this service. */
  readonly actions?: readonly ActionLine[];
}

export interface Reasoned {
  readonly permission: string;
  readonly reason: string;
  readonly lastUsed?: string;
}

export interface PrincipalRow {
  /** The ARN (or entity path): unique within a report. */
  readonly id: string;
  /** What a reader recognises: `role/app-deployer`. */
  readonly label: string;
  /** Account id, or an account name with its id. */
  readonly group?: string;
  readonly verdict: Verdict;
  /** Evidence status (`sufficient`, `insufficient-history` …) or `error`. */
  readonly status: string;
  readonly statusReason?: string;
  readonly cells: ReadonlyMap<string, Cell>;
  readonly unusedServices: number;
  readonly unusedActions: number;
  /** Unused permissions that fail (the gate's violations; without a gate: every unused one). */
  readonly violations: readonly Reasoned[];
  readonly exceptions: readonly Reasoned[];
  /** Permissions kept for lack of evidence (untracked actions, never-reported actions), with the reason. */
  readonly kept: readonly Reasoned[];
  readonly services: readonly ServiceDetail[];
  /** Extra lines: drift against the baseline, the error. */
  readonly notes: readonly string[];
  /** Indentation in a tree (organization entities). */
  readonly depth?: number;
}

export interface ServiceColumn {
  readonly namespace: string;
  readonly name: string;
  /** The folded never-used column (fold.ts): the services it stands for. */
  readonly folded?: readonly string[];
}

export interface OrgNode {
  readonly path: string;
  readonly label: string;
  /** Services whose most recent access in the report came from this entity (not from a child). */
  readonly accessed: readonly { readonly namespace: string; readonly name: string; readonly lastUsed: string; readonly region?: string }[];
  readonly children: readonly OrgNode[];
}

/** What the page shows of an SCP proposal. */
export interface ScpProposalView {
  readonly status: string;
  readonly statusReason: string;
  /** The policy documents, pretty-printed, in order. */
  readonly json: string;
  readonly denied: readonly Reasoned[];
  readonly kept: readonly Reasoned[];
  readonly notes: readonly string[];
}

export interface OrgSection {
  readonly entityPath: string;
  readonly tree: OrgNode;
  readonly notAccessed: readonly ServiceColumn[];
  readonly accessedCount: number;
  /** The SCP proposal, when src/analysis can make one (see from-org.ts). */
  readonly scp?: ScpProposalView;
  /** Why there is no proposal. */
  readonly scpUnavailable?: string;
}

export interface MatrixModel {
  readonly title: string;
  /** `passed` / `failed` for a gate; absent otherwise. */
  readonly outcome?: 'passed' | 'failed';
  readonly facts: readonly (readonly [string, string])[];
  readonly windowDays: number;
  /** The reference time of the decisions (ISO). */
  readonly now: string;
  readonly rowNoun: string;
  readonly principals: readonly PrincipalRow[];
  readonly services: readonly ServiceColumn[];
  /** Whole-report problems: failed accounts, principals that could not be read. */
  readonly warnings: readonly string[];
  readonly org?: OrgSection;
}

const DAY_MS = 86_400_000;

/** Days between an ISO date and `now` (whole days, never negative), or undefined when unparsable. */
export function ageDays(iso: string | undefined, now: Date): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return undefined;
  return Math.max(0, Math.floor((now.getTime() - t) / DAY_MS));
}

/**
 * The cell of one service of one principal. Used within the window is evidence whatever the principal's status;
 * anything else is evidence of non-use only when the decision's evidence is sufficient.
 */
export function classify(lastUsed: string | undefined, now: Date, windowDays: number, status: string): Cell {
  const age = ageDays(lastUsed, now);
  const base = lastUsed ? { lastUsed } : {};
  if (age !== undefined && age <= windowDays) return { state: 'used', ...base };
  if (status !== 'sufficient') return { state: 'no-evidence', why: noEvidenceReason(status), ...base };
  if (lastUsed && age === undefined) return { state: 'no-evidence', why: 'not-judged', ...base };
  return lastUsed ? { state: 'unused', ...base } : { state: 'never' };
}

export function noEvidenceReason(status: string): NoEvidenceReason {
  switch (status) {
    case 'insufficient-history':
    case 'unknown-history':
    case 'stale-evidence':
    case 'error':
    case 'untracked':
      return status;
    default:
      return 'not-judged';
  }
}

const SEVERITY: Readonly<Record<Verdict, number>> = { fail: 0, error: 1, 'no-evidence': 2, pass: 3 };

/** Biggest problems first: failing rows by violation count, then errors, rows without evidence, passing rows. */
export function compareRows(a: PrincipalRow, b: PrincipalRow): number {
  return (
    SEVERITY[a.verdict] - SEVERITY[b.verdict] ||
    b.violations.length - a.violations.length ||
    b.unusedServices + b.unusedActions - (a.unusedServices + a.unusedActions) ||
    byText(a.label, b.label) ||
    byText(a.id, b.id)
  );
}

/** Columns with the most unused or never-used cells first, then the most used, then by namespace. */
export function sortColumns(columns: Iterable<ServiceColumn>, rows: readonly PrincipalRow[]): ServiceColumn[] {
  const problems = new Map<string, number>();
  const used = new Map<string, number>();
  for (const row of rows) {
    for (const [ns, cell] of row.cells) {
      if (cell.state === 'unused' || cell.state === 'never') problems.set(ns, (problems.get(ns) ?? 0) + 1);
      else if (cell.state === 'used') used.set(ns, (used.get(ns) ?? 0) + 1);
    }
  }
  return [...columns].sort(
    (a, b) =>
      (problems.get(b.namespace) ?? 0) - (problems.get(a.namespace) ?? 0) ||
      (used.get(b.namespace) ?? 0) - (used.get(a.namespace) ?? 0) ||
      byText(a.namespace, b.namespace),
  );
}

/** Byte order: stable across locales. */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `role/app-deployer` from `arn:aws:iam::123456789012:role/app-deployer`; paths are kept in the id only. */
export function shortName(arn: string): { label: string; account?: string } {
  const m = /^arn:[^:]*:iam::(\d{12}|aws):(user|role|group|policy)\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!m) return { label: arn };
  return { label: `${m[2]}/${m[3]}`, ...(m[1] !== 'aws' ? { account: m[1] } : {}) };
}

/** Counts of cells by state over the whole model (the summary line and the legend). */
export function cellCounts(rows: readonly PrincipalRow[]): Record<CellState, number> {
  const counts: Record<CellState, number> = { used: 0, unused: 0, never: 0, 'no-evidence': 0 };
  for (const row of rows) for (const cell of row.cells.values()) counts[cell.state]++;
  return counts;
}

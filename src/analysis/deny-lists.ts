import type { ActionCatalog } from '../model/action-catalog';
import { expandPattern } from './catalog-cache';
import { isRemovable, NEVER_REPORTED_ACTIONS, type Evidence } from './evidence';
import type { PolicyEvaluator } from './evaluate';
import { hasWildcard, matchesWildcard, splitAction } from './wildcard';
import { compare } from './unused';

/**
 * What an exact tightening denies beside the Allow statements it keeps as written: the removable actions those
 * statements still allow. Built from the evidence and the catalog, never from guesses:
 * - a wholly unused service that keeps nothing: `svc:*` (service-level evidence covers every action of it, those
 *   newer than the catalog included);
 * - a wholly unused service that keeps some actions (iam:PassRole, an exception naming actions): its other actions,
 *   shortened to prefixes (`iam:Pu*`) that no kept action or exception pattern can match;
 * - a used service: its tracked actions without use in the window, by name.
 */
export interface DenyPlan {
  /** Unused services denied whole, `svc:*`, sorted. */
  readonly wholeServices: readonly string[];
  /** Unused services that keep some actions: patterns for everything else of them, sorted. */
  readonly partialServices: ReadonlyMap<string, readonly string[]>;
  /** Used services: their unused tracked actions still allowed, canonical `svc:Action`, sorted per service. */
  readonly usedServiceActions: ReadonlyMap<string, readonly string[]>;
}

/** The stand-in for an action newer than the catalog (no catalog spells an action like this). */
const NEWER_ACTION = 'ZzNewerThanCatalog';

export function planDenies(evidence: Evidence, catalog: ActionCatalog, allowedSomewhere: (action: string) => boolean, mayAllowService: (service: string) => boolean): DenyPlan {
  const wholeServices: string[] = [];
  const partialServices = new Map<string, readonly string[]>();
  const usedServiceActions = new Map<string, string[]>();
  if (evidence.status !== 'sufficient') return { wholeServices, partialServices, usedServiceActions };

  for (const ns of [...evidence.unusedServices].sort(compare)) {
    if (!mayAllowService(ns)) continue;
    // Only what the evidence removes counts: a kept iam:PassRole alone needs no Deny. The stand-in first: under `*`
    // it answers for the whole service without listing its actions.
    const removableAllowed = (action: string) => isRemovable(evidence, action) && allowedSomewhere(action);
    let names: string[] | undefined;
    const allowed = removableAllowed(`${ns}:${NEWER_ACTION}`) || (names = serviceNames(evidence, catalog, ns)).some((n) => removableAllowed(`${ns}:${n}`));
    if (!allowed) continue;
    const kept = keptPatterns(evidence, ns);
    if (kept.length === 0) {
      wholeServices.push(`${ns}:*`);
      continue;
    }
    const entries = (names ?? serviceNames(evidence, catalog, ns)).map((name) => ({ name, deny: isRemovable(evidence, `${ns}:${name}`) }));
    const patterns = coverWithPrefixes(entries, kept, false);
    if (patterns.length > 0) partialServices.set(ns, patterns.map((p) => `${ns}:${p}`));
  }

  for (const lower of evidence.unusedActions) {
    const parts = splitAction(lower)!;
    if (evidence.unusedServices.has(parts.service)) continue;
    const tracked = evidence.services.get(parts.service)?.tracked?.get(parts.action);
    const action = `${parts.service}:${catalog.canonicalAction(parts.service, parts.action) ?? tracked?.name ?? parts.action}`;
    if (!isRemovable(evidence, action) || !allowedSomewhere(action)) continue;
    let list = usedServiceActions.get(parts.service);
    if (!list) usedServiceActions.set(parts.service, (list = []));
    list.push(action);
  }
  for (const list of usedServiceActions.values()) list.sort((a, b) => compare(a.toLowerCase(), b.toLowerCase()));
  return { wholeServices, partialServices, usedServiceActions };
}

/**
 * The deny list of one used service shortened with prefixes, each ending at a word of the actions' CamelCase names
 * (`ec2:Describe*`, `ec2:CreateTransitGateway*`), where every action the catalog and the report know under that
 * prefix is proven unused and no exception pattern or never-reported action can match it. Actions newer than the
 * catalog that match such a prefix are denied too: narrower than exact, never wider.
 */
export function compressUsedService(evidence: Evidence, catalog: ActionCatalog, service: string): string[] {
  const names = serviceNames(evidence, catalog, service);
  const entries = names.map((name) => ({ name, deny: isRemovable(evidence, `${service}:${name}`) }));
  return coverWithPrefixes(entries, keptPatterns(evidence, service), true).map((p) => `${service}:${p}`);
}

/** Every action name of a service the catalog or the report knows, canonical case, unique case-insensitively. */
function serviceNames(evidence: Evidence, catalog: ActionCatalog, ns: string): string[] {
  const byLower = new Map<string, string>();
  for (const a of expandPattern(catalog, `${ns}:*`)) {
    const name = a.slice(a.indexOf(':') + 1);
    byLower.set(name.toLowerCase(), name);
  }
  for (const t of evidence.services.get(ns)?.tracked?.values() ?? []) if (!byLower.has(t.name.toLowerCase())) byLower.set(t.name.toLowerCase(), t.name);
  return [...byLower.values()];
}

/** Lower-case action patterns of the service that must stay allowed whatever the evidence: never-reported, excepted. */
function keptPatterns(evidence: Evidence, ns: string): string[] {
  const kept: string[] = [];
  for (const a of NEVER_REPORTED_ACTIONS) {
    const parts = splitAction(a)!;
    if (parts.service === ns) kept.push(parts.action.toLowerCase());
  }
  for (const e of evidence.exceptions.exceptions) {
    const parts = splitAction(e.permission);
    if (!parts) continue;
    if (hasWildcard(parts.service) ? matchesWildcard(parts.service, ns, true) : parts.service === ns) kept.push(parts.action.toLowerCase());
  }
  return kept;
}

/** Whether some action name starting with `prefix` (lower case) could match a kept pattern (sound: may say yes wrongly). */
function conflictsWithKept(prefix: string, kept: readonly string[]): boolean {
  return kept.some((k) => {
    const cut = Math.min(...['*', '?'].map((c) => (k.includes(c) ? k.indexOf(c) : k.length)));
    const fixed = k.slice(0, cut);
    if (cut === k.length) return k.startsWith(prefix);
    return fixed.startsWith(prefix) || prefix.startsWith(fixed);
  });
}

/**
 * The fewest prefix patterns (plus literals) that match every name to deny and no name to keep, found top-down on
 * the names' common prefixes. `wordBoundary`: a prefix must end where every name under it starts a new CamelCase
 * word (or ends), so that what it also matches among future actions is predictable; the empty prefix (`svc:*`) is
 * then never used. Without it the empty prefix is allowed when nothing is kept.
 */
function coverWithPrefixes(entries: readonly { name: string; deny: boolean }[], kept: readonly string[], wordBoundary: boolean): string[] {
  const sorted = [...entries].map((e) => ({ ...e, lower: e.name.toLowerCase() })).sort((a, b) => compare(a.lower, b.lower));
  const out: string[] = [];
  const visit = (prefix: string, group: typeof sorted) => {
    if (group.length === 0) return;
    if (group.length === 1) {
      // One name: itself is shorter than `Name*` and matches nothing newer.
      if (group[0]!.deny) out.push(group[0]!.name);
      return;
    }
    const allDeny = group.every((e) => e.deny);
    const boundary = !wordBoundary || (prefix.length > 0 && group.every((e) => e.name.length === prefix.length || /[A-Z0-9]/.test(e.name[prefix.length]!)));
    if (allDeny && boundary && !(wordBoundary && prefix.length === 0) && !conflictsWithKept(prefix, kept)) {
      out.push(`${group[0]!.name.slice(0, prefix.length)}*`);
      return;
    }
    const children = new Map<string, typeof sorted>();
    for (const e of group) {
      if (e.lower.length === prefix.length) {
        if (e.deny) out.push(e.name);
        continue;
      }
      const c = e.lower[prefix.length]!;
      let list = children.get(c);
      if (!list) children.set(c, (list = []));
      list.push(e);
    }
    for (const [c, list] of children) visit(prefix + c, list);
  };
  visit('', sorted);
  return out.sort((a, b) => compare(a.toLowerCase(), b.toLowerCase()));
}

export function evaluatorAllowsSomewhere(evaluator: PolicyEvaluator, samples: readonly string[]): (action: string) => boolean {
  return (action) => samples.some((r) => evaluator.allows(action, r));
}

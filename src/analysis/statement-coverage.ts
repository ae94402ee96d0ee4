import { hasPolicyVariables, orderStatement, type NormalizedPolicy, type NormalizedStatement } from './policy-document';
import { runService, serviceRuns, type ServiceRuns } from './service-runs';
import { ActionPatternSet, hasWildcard, matchesWildcard } from './wildcard';

/**
 * The part of a proof our evaluator cannot see (it reads every Condition as holding and evaluates one Version at
 * a time): a tightened document must keep the original's meaning statement by statement.
 * - Version semantics: if the Version changes whether `${...}` is a policy variable (2012-10-17) or literal text
 *   (2008-10-17, no Version), no Resource, NotResource or Condition may contain `${`.
 * - Every Deny statement of the original is kept exactly.
 * - Every action an Allow statement of the tightened document allows is allowed by an original Allow statement
 *   whose Resource covers the tightened statement's and whose Condition the tightened statement keeps (same
 *   operator, key and values; extra conditions only make it stricter).
 * Returns the failures, each naming the statement and the reason.
 */
export function coverageFailures(
  original: NormalizedPolicy,
  tightened: NormalizedPolicy,
  candidates: readonly string[],
  describe: (action: string) => string = (a) => a,
  runs: ServiceRuns = serviceRuns(candidates),
): string[] {
  const failures: string[] = [];
  const variables = hasPolicyVariables(original.document);
  if (variables !== hasPolicyVariables(tightened.document)) {
    const found = firstVariable(tightened) ?? firstVariable(original);
    if (found) {
      failures.push(
        `Version changes from ${versionText(original)} to ${versionText(tightened)}: "${found.text}" in ${found.where} ` +
          `${variables ? 'turns from a policy variable into literal text' : 'turns from literal text into a policy variable'}`,
      );
    }
  }

  const tightenedDenies = new Set(tightened.statements.filter((s) => s.effect === 'Deny').map((s) => canonical(s)));
  for (const s of original.statements) {
    if (s.effect === 'Deny' && !tightenedDenies.has(canonical(s))) failures.push(`Deny ${label(s)} of the original is missing or changed in the tightened policy`);
  }

  const originalAllows = original.statements.filter((s) => s.effect === 'Allow').map((s) => ({ s, actions: actionMatcher(s) }));
  for (const t of tightened.statements) {
    if (t.effect !== 'Allow') continue;
    const tMatches = actionMatcher(t);
    const coverers = originalAllows.filter((o) => resourceCovered(t, o.s, variables) && conditionCovered(t, o.s));
    let reported = 0;
    for (let k = 0; k < runs.count && reported < 3; k++) {
      // A run of one service that the tightened statement cannot allow, or that a coverer allows whole, holds no failure.
      const service = runService(candidates, runs, k);
      if (service !== undefined && (tMatches.coverage(service) === 'none' || coverers.some((o) => o.actions.coverage(service) === 'all'))) continue;
      for (let c = runs.starts[k]!, end = runs.starts[k + 1]!; c < end; c++) {
        const action = candidates[c]!;
        if (!tMatches(action) || coverers.some((o) => o.actions(action))) continue;
        const sameAction = originalAllows.filter((o) => o.actions(action));
        const weakerCondition = sameAction.find((o) => resourceCovered(t, o.s, variables));
        let why: string;
        if (weakerCondition) why = `without the Condition of the original ${label(weakerCondition.s)} (dropped or weakened)`;
        else if (sameAction.length > 0) why = `on a Resource wider than the original ${label(sameAction[0]!.s)} allows (widened)`;
        else why = 'which no statement of the original allows (widened)';
        failures.push(`tightened ${label(t)} allows ${describe(action)} ${why}`);
        if (++reported >= 3) break;
      }
    }
  }
  return failures;
}

/** Whether the statement's Action (or NotAction) list matches an action, and what it says of a whole service. */
interface ActionMatcher {
  (action: string): boolean;
  coverage(service: string): 'all' | 'none' | 'some';
}

function actionMatcher(s: NormalizedStatement): ActionMatcher {
  const set = new ActionPatternSet(s.action ?? s.notAction ?? []);
  const negate = s.action === undefined;
  const matches = (action: string) => set.matches(action) !== negate;
  return Object.assign(matches, {
    coverage: (service: string) => {
      const coverage = set.serviceCoverage(service);
      return !negate || coverage === 'some' ? coverage : coverage === 'all' ? 'none' : 'all';
    },
  });
}

/** Whether every resource the tightened statement `t` can match, the original statement `o` matches too. */
function resourceCovered(t: NormalizedStatement, o: NormalizedStatement, variables: boolean): boolean {
  if (t.resource && o.resource) return t.resource.every((tr) => o.resource!.some((or) => patternCovers(or, tr, variables)));
  if (t.notResource && o.notResource) return o.notResource.every((n) => t.notResource!.includes(n));
  if (t.notResource && o.resource) return o.resource.includes('*');
  // t.resource and o.notResource: only literal resources that no excluded pattern matches.
  return t.resource!.every((tr) => !hasWildcard(tr) && !(variables && tr.includes('${')) && !o.notResource!.some((n) => (variables && n.includes('${')) || matchesWildcard(n, tr, false)));
}

/** `outer` matches every string `inner` can match (sound, not complete). */
function patternCovers(outer: string, inner: string, variables: boolean): boolean {
  if (outer === inner || outer === '*') return true;
  if (variables && outer.includes('${')) return false;
  const innerIsLiteral = !hasWildcard(inner) && !(variables && inner.includes('${'));
  if (innerIsLiteral) return matchesWildcard(outer, inner, false);
  // `prefix*` covers any pattern whose fixed beginning starts with prefix.
  const prefix = outer.slice(0, -1);
  if (!outer.endsWith('*') || hasWildcard(prefix)) return false;
  const cut = Math.min(...['*', '?', ...(variables ? ['${'] : [])].map((c) => (inner.includes(c) ? inner.indexOf(c) : inner.length)));
  return inner.slice(0, cut).startsWith(prefix);
}

/** The tightened statement keeps every operator/key/values of the original's Condition (it may add more). */
function conditionCovered(t: NormalizedStatement, o: NormalizedStatement): boolean {
  const oc = o.raw.Condition ?? {};
  const tc = t.raw.Condition ?? {};
  for (const [op, block] of Object.entries(oc)) {
    const tBlock = tc[op];
    if (!tBlock) return false;
    for (const [key, value] of Object.entries(block)) {
      const tKey = Object.keys(tBlock).find((k) => k.toLowerCase() === key.toLowerCase());
      if (tKey === undefined || valuesOf(tBlock[tKey]) !== valuesOf(value)) return false;
    }
  }
  return true;
}

function valuesOf(value: unknown): string {
  const list = Array.isArray(value) ? value : [value];
  return JSON.stringify(list.map((v) => JSON.stringify(v)).sort());
}

function firstVariable(policy: NormalizedPolicy): { text: string; where: string } | undefined {
  for (const s of policy.statements) {
    for (const key of ['Resource', 'NotResource'] as const) {
      const list = key === 'Resource' ? s.resource : s.notResource;
      const hit = list?.find((r) => r.includes('${'));
      if (hit) return { text: /\$\{[^}]*\}?/.exec(hit)![0], where: `${label(s)}.${key} ${JSON.stringify(hit)}` };
    }
    const condition = JSON.stringify(s.raw.Condition ?? {});
    const m = /\$\{[^}]*\}?/.exec(condition);
    if (m) return { text: m[0], where: `${label(s)}.Condition` };
  }
  return undefined;
}

function versionText(policy: NormalizedPolicy): string {
  return policy.document.Version === undefined ? 'no Version (2008-10-17 semantics)' : `"${policy.document.Version}"`;
}

function label(s: NormalizedStatement): string {
  return s.raw.Sid !== undefined ? `Statement ${s.raw.Sid}` : `Statement[${s.index}]`;
}

function canonical(s: NormalizedStatement): string {
  return JSON.stringify(orderStatement(s.raw));
}

import type { ActionCatalog } from '../iam/action-catalog';
import type { ServiceLastAccessedReport } from '../iam/model';
import { compileIdentityPolicies } from './evaluate';
import { assessEvidence, isRemovable, type Evidence } from './evidence';
import { canonicalDocument, parsePolicyDocument, type NormalizedStatement } from './policy-document';
import { candidateActions, proveTightening } from './verify';
import type { PolicyDocument, PolicyStatement, TightenedPolicy, UnusedPermissionsOptions } from './types';
import { unusedFromEvidence, compare } from './unused';
import { expandPattern } from './catalog-cache';
import { ActionPatternSet, hasWildcard, matchesWildcard, splitAction } from './wildcard';

export interface TightenOptions extends UnusedPermissionsOptions {
  readonly catalog: ActionCatalog;
  /** Named in errors and notes (a file name, a construct path). Default `policy`. */
  readonly sourceName?: string;
}

/** IAM's quota for a managed policy document, white space not counted. */
const MANAGED_POLICY_MAX_CHARS = 6144;

/**
 * Tightens an identity policy against a service-last-accessed report. Only Allow statements with `Action` and
 * `Resource` are rewritten, and only their action lists; Deny statements, Resource, Condition and Sid stay as
 * written, NotAction/NotResource Allow statements are kept and noted. An action is removed only when
 * `isRemovable` says the evidence proves it unused (see docs/decisions.md). The result carries a proof; a
 * failing proof is a bug in this module and throws.
 */
export function tightenPolicy(policy: PolicyDocument | string, report: ServiceLastAccessedReport, options: TightenOptions): TightenedPolicy {
  const source = options.sourceName ?? 'policy';
  const original = parsePolicyDocument(policy, source);
  const evidence = assessEvidence(report, options);
  const { catalog } = options;
  const notes: string[] = [];
  if (evidence.status !== 'sufficient') notes.push(`nothing removed: ${evidence.statusReason}`);

  const statements: PolicyStatement[] = [];
  const untouched: PolicyStatement[] = [];
  for (const s of original.statements) {
    const label = s.raw.Sid !== undefined ? `Statement ${s.raw.Sid}` : `Statement[${s.index}]`;
    if (s.effect === 'Deny') {
      statements.push(s.raw);
      continue;
    }
    if (!s.action || !s.resource) {
      statements.push(s.raw);
      untouched.push(s.raw);
      notes.push(`${label} uses ${s.notAction ? 'NotAction' : 'NotResource'}: kept as written, it could not be tightened without risk of widening`);
      continue;
    }
    const actions = tightenActions(s, evidence, catalog, label, notes);
    if (actions.length === 0) {
      notes.push(`${label} removed: every action it allowed is proven unused`);
      continue;
    }
    statements.push({ ...s.raw, Action: actions.length === 1 ? actions[0]! : actions });
  }

  const document = canonicalDocument(statements, original.document.Id);
  const tightened = parsePolicyDocument(document, `tightened ${source}`);

  // The claim, computed from the evidence independently of the rewrite: every action the original allows that
  // the evidence proves unused, minus what the untouched statements still grant. The proof checks it.
  // Untouched Allow statements keep granting what they grant, except where a Deny of the policy applies.
  const denies = original.statements.filter((st) => st.effect === 'Deny').map((st) => st.raw);
  const keptByUntouched = untouched.length > 0 ? compileIdentityPolicies([canonicalDocument([...untouched, ...denies])]) : undefined;
  const candidates = candidateActions([original, tightened], evidence, catalog);
  const claim = (action: string, allowedBefore: boolean) =>
    allowedBefore && isRemovable(evidence, action) && !(keptByUntouched && anyResourceAllows(original.statements, keptByUntouched, action));
  const outcome = proveTightening(original, tightened, evidence, catalog, claim, candidates);
  if (!outcome.proof.holds) {
    throw new Error(`internal error: the tightened ${source} failed its proof (please report this bug): ${outcome.proof.failures.slice(0, 5).join('; ')}`);
  }
  if (outcome.removableButKept.length > 0) {
    const list = outcome.removableButKept;
    notes.push(`${list.length} action(s) proven unused stay allowed by statements that could not be tightened: ${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''}`);
  }
  const removedServices = [...new Set(outcome.removed.map(serviceOf))].filter((svc) => !outcome.allowedAfterServices.has(svc)).sort(compare);

  const compactLength = JSON.stringify(document).length;
  if (compactLength > MANAGED_POLICY_MAX_CHARS) {
    notes.push(`the tightened document has ${compactLength} characters without white space, over IAM's ${MANAGED_POLICY_MAX_CHARS}-character managed policy limit: split it or attach it inline (10,240 per role)`);
  }
  return {
    policy: document,
    json: stableJson(document),
    removedActions: outcome.removed,
    removedServices,
    notes,
    findings: unusedFromEvidence(evidence),
    proof: outcome.proof,
  };
}

/** Rewrites one Allow statement's action list; returns sorted, deduplicated, minimal patterns. */
function tightenActions(s: NormalizedStatement, evidence: Evidence, catalog: ActionCatalog, label: string, notes: string[]): string[] {
  const out: string[] = [];
  for (const raw of s.action ?? []) {
    const pattern = raw.trim();
    const parts = splitAction(pattern);
    if (pattern !== '*' && !parts) {
      notes.push(`${label}: "${pattern}" is not a service:action pattern; kept as written`);
      out.push(pattern);
      continue;
    }
    if (!hasWildcard(pattern)) {
      const canonical = `${parts!.service}:${catalog.canonicalAction(parts!.service, parts!.action) ?? parts!.action}`;
      if (!isRemovable(evidence, canonical)) out.push(canonical);
      continue;
    }
    const servicePart = pattern === '*' ? '*' : parts!.service;
    const actionPart = pattern === '*' ? '*' : parts!.action;
    const expansion = expandPattern(catalog, pattern);
    if (!expansion.some((a) => isRemovable(evidence, a))) {
      out.push(pattern);
      continue;
    }
    const services = hasWildcard(servicePart) ? catalog.services().filter((svc) => matchesWildcard(servicePart, svc, true)) : [servicePart];
    if (hasWildcard(servicePart)) {
      notes.push(`${label}: "${pattern}" was expanded per service against the action catalog ${catalog.version}; services newer than the catalog are no longer covered`);
    }
    for (const svc of services) {
      const actions = expandPattern(catalog, `${svc}:${actionPart}`);
      if (actions.length === 0) continue;
      const kept = actions.filter((a) => !isRemovable(evidence, a));
      if (kept.length === actions.length) out.push(`${svc}:${actionPart}`);
      else out.push(...kept);
    }
  }
  return minimalActionList(out);
}

/** Deduplicates case-insensitively, drops literals covered by a wildcard in the same list, sorts. */
export function minimalActionList(actions: readonly string[]): string[] {
  if (actions.some((a) => a === '*')) return ['*'];
  const byLower = new Map<string, string>();
  for (const a of actions) if (!byLower.has(a.toLowerCase())) byLower.set(a.toLowerCase(), a);
  const unique = [...byLower.values()];
  const wildcards = unique.filter(hasWildcard);
  const covering = new ActionPatternSet(wildcards);
  const minimal = unique.filter((a) => hasWildcard(a) || !covering.matches(a));
  // Also drop a wildcard entry made redundant by a broader one of the same service (`s3:Get*` under `s3:*`).
  const services = new Set(wildcards.filter((w) => w.endsWith(':*')).map((w) => w.slice(0, -2).toLowerCase()));
  return minimal
    .filter((a) => !(hasWildcard(a) && !a.endsWith(':*') && services.has(serviceOf(a))))
    .sort((a, b) => compare(a.toLowerCase(), b.toLowerCase()) || compare(a, b));
}

function serviceOf(pattern: string): string {
  return pattern.slice(0, Math.max(0, pattern.indexOf(':'))).toLowerCase();
}

function anyResourceAllows(statements: readonly NormalizedStatement[], evaluator: { allows(a: string, r?: string): boolean }, action: string): boolean {
  if (evaluator.allows(action, '*')) return true;
  return statements.some((s) => (s.resource ?? s.notResource ?? []).some((r) => evaluator.allows(action, r)));
}

/** JSON with the document's (already canonical) key order, two-space indented, trailing newline-free. */
export function stableJson(document: PolicyDocument): string {
  return JSON.stringify(document, null, 2);
}

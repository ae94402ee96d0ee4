import type { ActionCatalog } from '../model/action-catalog';
import type { ServiceLastAccessedReport } from '../model/report';
import { AnalysisInputError } from './errors';
import { assessEvidence, isRemovable, NEVER_REPORTED_ACTIONS, type Evidence } from './evidence';
import { canonicalDocument, parsePolicyDocument, type NormalizedStatement } from './policy-document';
import { candidateActions, catalogOf, compileForProof, proveTightening, resourceSamples } from './verify';
import type { PolicyDocument, PolicyStatement, TightenedPolicy, UnusedPermissionsOptions } from './types';
import { unusedFromEvidence, compare } from './unused';
import { expandPattern } from './catalog-cache';
import { ActionPatternSet, hasWildcard, matchesWildcard, splitAction } from './wildcard';

export interface TightenOptions extends UnusedPermissionsOptions {
  /** The IAM action catalog; default `loadActionCatalog()` (loaded on first use). */
  readonly catalog?: ActionCatalog;
  /** Named in errors and notes (a file name, a construct path). Default `policy`. */
  readonly sourceName?: string;
  /**
   * Split a wildcard (`s3:*`, `s3:Get*`, `s3*:*`) into the catalog's actions when some of them are proven unused
   * while its service is used. Lossy: actions and services newer than the catalog are no longer allowed (except
   * those the report lists), so it is an explicit opt-in and every split is noted. Default false: such a wildcard
   * is kept as written. `*` never needs it: it becomes an exact NotAction statement.
   */
  readonly splitWildcards?: boolean;
}

/** IAM's quota for a managed policy document, white space not counted. */
const MANAGED_POLICY_MAX_CHARS = 6144;

/**
 * Tightens an identity policy against a service-last-accessed report. Only Allow statements with `Action` and
 * `Resource` are rewritten, and only their action lists; Version, Deny statements, Resource, Condition and Sid stay
 * as written, NotAction/NotResource Allow statements are kept and noted. An action is removed only when
 * `isRemovable` says the evidence proves it unused (see docs/decisions.md), and nothing the catalog does not know
 * is lost: `*` minus whole services becomes `NotAction`, a wildcard of a used service is kept unless
 * `splitWildcards`. The result carries a proof; a failing proof is a bug in this module and throws.
 */
export function tightenPolicy(policy: PolicyDocument | string, report: ServiceLastAccessedReport, options: TightenOptions = {}): TightenedPolicy {
  if (typeof options !== 'object' || options === null) throw new AnalysisInputError('options', '(options)', options, 'an options object');
  if (options.sourceName !== undefined && typeof options.sourceName !== 'string') throw new AnalysisInputError('options', 'sourceName', options.sourceName, 'a string');
  if (options.splitWildcards !== undefined && typeof options.splitWildcards !== 'boolean') {
    throw new AnalysisInputError('options', 'splitWildcards', options.splitWildcards, 'true or false');
  }
  const source = options.sourceName ?? 'policy';
  const original = parsePolicyDocument(policy, source);
  const evidence = assessEvidence(report, options);
  const catalog = catalogOf(options);
  const split = options.splitWildcards === true;
  const notes: string[] = [];
  if (evidence.status !== 'sufficient') notes.push(`nothing removed: ${evidence.statusReason}`);
  const version = original.document.Version;

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
    if (s.action.some((a) => a.trim() === '*')) {
      statements.push(...tightenEverything(s, evidence, catalog, label, notes));
      continue;
    }
    const keptWildcards: string[] = [];
    const actions = tightenActions(s, evidence, catalog, label, notes, split, keptWildcards);
    // Wildcards kept as written on purpose still grant their unused actions: the claim must not count them.
    if (keptWildcards.length > 0) untouched.push({ ...s.raw, Action: keptWildcards });
    if (actions.length === 0) {
      notes.push(`${label} removed: every action it allowed is proven unused`);
      continue;
    }
    statements.push({ ...s.raw, Action: actions.length === 1 ? actions[0]! : actions });
  }

  const document = canonicalDocument(statements, original.document.Id, version);
  const tightened = parsePolicyDocument(document, `tightened ${source}`);

  // The claim, computed from the evidence independently of the rewrite: every action the original allows that
  // the evidence proves unused, minus what the untouched statements still grant. The proof checks it.
  // Untouched Allow statements keep granting what they grant, except where a Deny of the policy applies.
  const denies = original.statements.filter((st) => st.effect === 'Deny').map((st) => st.raw);
  const keptByUntouched = untouched.length > 0 ? compileForProof([canonicalDocument([...untouched, ...denies], undefined, version)]) : undefined;
  const samples = keptByUntouched ? resourceSamples([original]) : [];
  const candidates = candidateActions([original, tightened], evidence, catalog);
  const claim = (action: string, allowedBefore: boolean) =>
    allowedBefore && isRemovable(evidence, action) && !(keptByUntouched && samples.some((r) => keptByUntouched.allows(action, r)));
  const outcome = proveTightening(original, tightened, evidence, catalog, claim, candidates, { splitWildcards: split });
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

/**
 * `*` (with whatever else the list names) minus what the evidence proves unused, written exactly: an Allow with
 * `NotAction` (whole unused services as `svc:*`, unused tracked actions by name) on the same Resource and
 * Condition. Everything else stays allowed, services and actions newer than the catalog included. An unused
 * service that keeps some actions (iam:PassRole, an exception naming actions) gets a sibling Allow for them.
 */
function tightenEverything(s: NormalizedStatement, evidence: Evidence, catalog: ActionCatalog, label: string, notes: string[]): PolicyStatement[] {
  const { Action: _action, ...rest } = s.raw;
  const notAction = new Map<string, string>();
  const keptPatterns: string[] = [];
  const add = (pattern: string) => notAction.set(pattern.toLowerCase(), pattern);
  for (const ns of evidence.unusedServices) {
    add(`${ns}:*`);
    for (const action of NEVER_REPORTED_ACTIONS) if (serviceOf(action) === ns) keptPatterns.push(action);
    for (const e of evidence.exceptions.exceptions) {
      if (!evidence.exceptions.touchesService(ns)) break;
      const parts = splitAction(e.permission);
      if (parts && (hasWildcard(parts.service) ? matchesWildcard(parts.service, ns, true) : parts.service === ns)) keptPatterns.push(e.permission);
    }
  }
  for (const action of evidence.unusedActions) {
    const parts = splitAction(action)!;
    if (evidence.unusedServices.has(parts.service)) continue;
    const tracked = evidence.services.get(parts.service)?.tracked?.get(parts.action.toLowerCase());
    add(`${parts.service}:${catalog.canonicalAction(parts.service, parts.action) ?? tracked?.name ?? parts.action}`);
  }
  if (notAction.size === 0) return [{ ...s.raw, Action: '*' }];
  const list = [...notAction.values()].sort((a, b) => compare(a.toLowerCase(), b.toLowerCase()));
  notes.push(
    `${label}: "*" became NotAction ${JSON.stringify(list.length > 8 ? [...list.slice(0, 8), '…'] : list)} on the same Resource and Condition: ` +
      `exact, everything else stays allowed, including services and actions newer than the catalog ${catalog.version}`,
  );
  const out: PolicyStatement[] = [{ ...rest, NotAction: list.length === 1 ? list[0]! : list } as PolicyStatement];
  const kept = minimalActionList(keptPatterns);
  if (kept.length > 0) {
    const { Sid: _sid, ...sibling } = rest;
    out.push({ ...sibling, Action: kept.length === 1 ? kept[0]! : kept } as PolicyStatement);
    notes.push(`${label}: ${kept.join(', ')} kept in a separate statement with the same Resource and Condition (never reported or excepted)`);
  }
  return out;
}

/** Rewrites one Allow statement's action list; returns sorted, deduplicated, minimal patterns. */
function tightenActions(
  s: NormalizedStatement,
  evidence: Evidence,
  catalog: ActionCatalog,
  label: string,
  notes: string[],
  split: boolean,
  keptWildcards: string[],
): string[] {
  const out: string[] = [];
  for (const raw of s.action ?? []) {
    const pattern = raw.trim();
    const parts = splitAction(pattern);
    if (!parts) {
      notes.push(`${label}: "${pattern}" is not a service:action pattern; kept as written`);
      out.push(pattern);
      continue;
    }
    if (!hasWildcard(pattern)) {
      const canonical = `${parts.service}:${catalog.canonicalAction(parts.service, parts.action) ?? parts.action}`;
      if (!isRemovable(evidence, canonical)) out.push(canonical);
      continue;
    }
    const expansion = expandPattern(catalog, pattern);
    const removable = [...expansion, ...reportActionsMatching(evidence, catalog, pattern)].filter((a) => isRemovable(evidence, a));
    const wholeServiceUnused = !hasWildcard(parts.service) && evidence.unusedServices.has(parts.service);
    if (removable.length === 0 && !wholeServiceUnused) {
      out.push(pattern);
      continue;
    }
    if (hasWildcard(parts.service)) {
      if (!split) {
        keepWildcard(pattern, removable, label, notes, 'services newer than the catalog', catalog);
        out.push(pattern);
        keptWildcards.push(pattern);
        continue;
      }
      notes.push(`${label}: "${pattern}" was split per service against the action catalog ${catalog.version} (splitWildcards): services and actions newer than the catalog are no longer allowed, except those the report lists`);
      for (const svc of catalog.services().filter((ns) => matchesWildcard(parts.service, ns, true))) {
        out.push(...splitService(svc, parts.action, evidence, catalog));
      }
      // Services the report lists but the catalog does not know keep the pattern for them.
      for (const ns of evidence.services.keys()) {
        if (!catalog.hasService(ns) && matchesWildcard(parts.service, ns, true) && !evidence.unusedServices.has(ns)) out.push(`${ns}:${parts.action}`);
      }
      continue;
    }
    if (wholeServiceUnused) {
      // The whole service is unused: every action of it, newer ones included, is proven unused. What stays is
      // what the evidence cannot judge (iam:PassRole) and what an exception names.
      const excepted = evidence.exceptions.exceptions.map((e) => e.permission).filter((p) => {
        const e = splitAction(p);
        return e !== undefined && hasWildcard(e.action) && matchesWildcard(e.service, parts.service, true);
      });
      const expressible = excepted.every((p) => serviceOf(p) === parts.service && !hasWildcard(serviceOf(p)) && (parts.action === '*' || p.toLowerCase() === pattern.toLowerCase()));
      if (!expressible) {
        notes.push(`${label}: "${pattern}" kept as written: an exception pattern (${excepted.join(', ')}) names some of its actions and cannot be intersected with it exactly`);
        out.push(pattern);
        keptWildcards.push(pattern);
        continue;
      }
      out.push(...expansion.filter((a) => !isRemovable(evidence, a)), ...excepted);
      continue;
    }
    // A used service with tracked actions proven unused.
    if (!split) {
      keepWildcard(pattern, removable, label, notes, `actions of ${parts.service} newer than the catalog`, catalog);
      out.push(pattern);
      keptWildcards.push(pattern);
      continue;
    }
    notes.push(`${label}: "${pattern}" was split into the actions of the catalog ${catalog.version} (splitWildcards): ${parts.service} actions newer than the catalog are no longer allowed, except those the report lists`);
    out.push(...splitService(parts.service, parts.action, evidence, catalog));
  }
  return minimalActionList(out);
}

/** Tracked actions of the report that the catalog does not know and that the pattern matches. */
function reportActionsMatching(evidence: Evidence, catalog: ActionCatalog, pattern: string): string[] {
  const parts = splitAction(pattern)!;
  const out: string[] = [];
  for (const s of evidence.services.values()) {
    if (!s.tracked || !matchesWildcard(parts.service, s.namespace, true)) continue;
    for (const a of s.tracked.values()) {
      if (catalog.canonicalAction(s.namespace, a.name) === undefined && matchesWildcard(parts.action, a.name, true)) out.push(`${s.namespace}:${a.name}`);
    }
  }
  return out;
}

function keepWildcard(pattern: string, removable: readonly string[], label: string, notes: string[], lost: string, catalog: ActionCatalog): void {
  notes.push(
    `${label}: "${pattern}" kept as written: it allows ${removable.length} action(s) proven unused (${removable.slice(0, 5).join(', ')}${removable.length > 5 ? ', …' : ''}), ` +
      `but splitting it into the actions of the catalog ${catalog.version} would also drop ${lost}; pass splitWildcards: true to split it anyway (lossy)`,
  );
}

/** `svc:actionPart` as catalog actions minus the removable ones, plus the report's actions of svc the catalog lacks. */
function splitService(svc: string, actionPart: string, evidence: Evidence, catalog: ActionCatalog): string[] {
  const actions = [...expandPattern(catalog, `${svc}:${actionPart}`), ...reportActionsMatching(evidence, catalog, `${svc}:${actionPart}`)];
  const kept = actions.filter((a) => !isRemovable(evidence, a));
  const out = kept.length === actions.length && actions.length > 0 ? [`${svc}:${actionPart}`] : kept;
  for (const action of NEVER_REPORTED_ACTIONS) {
    if (serviceOf(action) === svc && matchesWildcard(`${svc}:${actionPart}`, action, true) && !out.includes(action)) out.push(action);
  }
  return out;
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

/** JSON with the document's (already canonical) key order, two-space indented, trailing newline-free. */
export function stableJson(document: PolicyDocument): string {
  return JSON.stringify(document, null, 2);
}

import type { ActionCatalog } from '../iam/action-catalog';
import type { ServiceLastAccessedReport } from '../iam/model';
import { compileIdentityPolicies, type PolicyEvaluator } from './evaluate';
import { assessEvidence, isRemovable, NEVER_REPORTED_ACTIONS, type Evidence } from './evidence';
import { parsePolicyDocument, type NormalizedPolicy } from './policy-document';
import type { PolicyDocument, TighteningProof, UnusedPermissionsOptions } from './types';
import { expandPattern } from './catalog-cache';
import { hasWildcard, splitAction } from './wildcard';

export interface VerifyOptions extends UnusedPermissionsOptions {
  readonly catalog: ActionCatalog;
  /** The actions the tightening claims to have removed; each must be proven no longer allowed. Default: computed. */
  readonly removedActions?: readonly string[];
}

/**
 * Proves a tightening against the report, with our own evaluator (conditions ignored on both sides, which is
 * sound because a tightening keeps every Condition, Resource and Effect as written). Obligations, checked for
 * every concrete action either policy can allow (wildcards expanded against the catalog) at every resource the
 * policies name (plus `*`):
 * 1. kept: an action the original allowed that the evidence does not prove unused (used, untracked, unknown,
 *    unlisted, excepted, iam:PassRole) is still allowed wherever the original allowed it;
 * 2. removed: every removed action was proven unused, and is no longer allowed anywhere;
 * 3. never wider: the tightened policy allows nothing the original did not.
 */
export function verifyTightening(
  original: PolicyDocument | string,
  tightened: PolicyDocument | string,
  report: ServiceLastAccessedReport,
  options: VerifyOptions,
): TighteningProof {
  const evidence = assessEvidence(report, options);
  return proveTightening(parsePolicyDocument(original, 'original policy'), parsePolicyDocument(tightened, 'tightened policy'), evidence, options.catalog, options.removedActions).proof;
}

export interface ProofOutcome {
  readonly proof: TighteningProof;
  /** Concrete actions the original allowed somewhere and the tightened policy allows nowhere, sorted. */
  readonly removed: readonly string[];
  /** Removable on the evidence but still allowed (kept by statements that could not be tightened), sorted. */
  readonly removableButKept: readonly string[];
  /** Lower-case services with at least one candidate action the tightened policy still allows. */
  readonly allowedAfterServices: ReadonlySet<string>;
}

export function proveTightening(
  original: NormalizedPolicy,
  tightened: NormalizedPolicy,
  evidence: Evidence,
  catalog: ActionCatalog,
  claimedRemoved?: readonly string[] | ((action: string, allowedBefore: boolean) => boolean),
  candidates: readonly string[] = candidateActions([original, tightened], evidence, catalog),
): ProofOutcome {
  const before = compileIdentityPolicies([original.document]);
  const after = compileIdentityPolicies([tightened.document]);
  const samples = resourceSamples([original, tightened]);
  const failures: string[] = [];
  const removed: string[] = [];
  const removableButKept: string[] = [];
  const allowedAfterServices = new Set<string>();
  let keptChecked = 0;

  // Every decision once, in two flat tables (candidate x sample): the proof asks tens of thousands.
  const width = samples.length;
  const allowedBefore = new Uint8Array(candidates.length * width);
  const allowedAfter = new Uint8Array(candidates.length * width);
  for (let c = 0; c < candidates.length; c++) {
    const action = candidates[c]!;
    for (let r = 0; r < width; r++) {
      allowedBefore[c * width + r] = before.allows(action, samples[r]) ? 1 : 0;
      allowedAfter[c * width + r] = after.allows(action, samples[r]) ? 1 : 0;
    }
  }
  const anyIn = (table: Uint8Array, c: number) => {
    for (let r = 0; r < width; r++) if (table[c * width + r]) return true;
    return false;
  };

  for (let c = 0; c < candidates.length; c++) {
    const action = candidates[c]!;
    const anyBefore = anyIn(allowedBefore, c);
    const anyAfter = anyIn(allowedAfter, c);
    if (anyAfter) {
      for (let r = 0; r < width; r++) {
        if (allowedAfter[c * width + r] && !allowedBefore[c * width + r]) {
          failures.push(`${action} on ${samples[r]} is allowed by the tightened policy but not by the original (widened)`);
        }
      }
      allowedAfterServices.add(action.slice(0, action.indexOf(':')).toLowerCase());
    }
    if (!anyBefore) continue;
    if (!isRemovable(evidence, action)) {
      keptChecked++;
      for (let r = 0; r < width; r++) {
        if (allowedBefore[c * width + r] && !allowedAfter[c * width + r]) {
          failures.push(`${action} on ${samples[r]} has no evidence of non-use but is no longer allowed`);
        }
      }
    } else if (!anyAfter) {
      removed.push(action);
    } else {
      removableButKept.push(action);
    }
  }

  // The claim: a list (checked against the tables, or evaluated when not a candidate), or a predicate over the
  // candidates (what tightenPolicy passes: it needs "allowed before", which the tables already hold).
  let claims: readonly string[];
  if (typeof claimedRemoved === 'function') {
    claims = candidates.filter((action, c) => claimedRemoved(action, anyIn(allowedBefore, c)));
  } else {
    claims = claimedRemoved ?? removed;
  }
  const indexOf = new Map<string, number>();
  if (claimedRemoved !== undefined && typeof claimedRemoved !== 'function') candidates.forEach((a, c) => indexOf.set(a, c));
  for (const action of claims) {
    const c = typeof claimedRemoved === 'function' || claimedRemoved === undefined ? -1 : (indexOf.get(action) ?? -1);
    const wasAllowed = c >= 0 ? anyIn(allowedBefore, c) : samples.some((r) => before.allows(action, r));
    const still = samples.filter((r, i) => (c >= 0 ? allowedAfter[c * width + i] === 1 : after.allows(action, r)));
    if (!isRemovable(evidence, action)) failures.push(`${action} was removed without evidence that it is unused`);
    if (!wasAllowed) failures.push(`${action} is claimed removed but the original did not allow it`);
    if (still.length > 0) failures.push(`${action} is claimed removed but is still allowed on ${still.join(', ')}`);
  }
  if (claimedRemoved !== undefined) {
    const claimedSet = new Set(claims);
    for (const action of removed) if (!claimedSet.has(action)) failures.push(`${action} is no longer allowed but not reported as removed`);
  }

  return {
    proof: {
      holds: failures.length === 0,
      catalogVersion: catalog.version,
      usedActionsChecked: keptChecked,
      removedActionsChecked: claims.length,
      failures: failures.slice(0, 200),
    },
    removed: removed.sort(),
    removableButKept: removableButKept.sort(),
    allowedAfterServices,
  };
}

/** The literal request resources the proof evaluates at: `*` and every Resource pattern the policies name. */
function resourceSamples(policies: readonly NormalizedPolicy[]): string[] {
  const samples = new Set<string>(['*']);
  for (const p of policies) for (const s of p.statements) for (const r of s.resource ?? s.notResource ?? []) samples.add(r);
  return [...samples].sort();
}

/** Every concrete action either policy may allow, canonical case, plus the actions the report saw and PassRole. */
export function candidateActions(policies: readonly NormalizedPolicy[], evidence: Evidence, catalog: ActionCatalog): string[] {
  // Catalog expansions are canonical and unique by content; only literals written by people need case folding.
  const set = new Set<string>();
  const literals = new Map<string, string>();
  const addLiteralAction = (action: string) => {
    const key = action.toLowerCase();
    if (!literals.has(key)) literals.set(key, action);
  };
  let everything = false;
  const patterns = new Set<string>();
  for (const p of policies) {
    for (const s of p.statements) {
      if (s.effect !== 'Allow') continue;
      if (s.notAction) {
        everything = true;
        s.notAction.forEach((a) => addLiteral(a, catalog, addLiteralAction));
        continue;
      }
      for (const pattern of s.action ?? []) {
        if (pattern.trim() === '*') everything = true;
        else if (hasWildcard(pattern)) patterns.add(pattern);
        else addLiteral(pattern, catalog, addLiteralAction);
      }
    }
  }
  for (const s of evidence.services.values()) {
    for (const a of s.tracked?.values() ?? []) addLiteralAction(`${s.namespace}:${catalog.canonicalAction(s.namespace, a.name) ?? a.name}`);
  }
  NEVER_REPORTED_ACTIONS.forEach(addLiteralAction);
  if (everything) {
    // Every catalog action already; add only the literals the catalog does not know.
    const all = [...expandPattern(catalog, '*')];
    for (const a of literals.values()) {
      const colon = a.indexOf(':');
      if (catalog.canonicalAction(a.slice(0, colon), a.slice(colon + 1)) === undefined) all.push(a);
    }
    return all;
  }
  for (const pattern of patterns) for (const a of expandPattern(catalog, pattern)) set.add(a);
  for (const a of literals.values()) set.add(a);
  return [...set];
}

function addLiteral(action: string, catalog: ActionCatalog, add: (a: string) => void): void {
  const parts = splitAction(action.trim());
  if (!parts || hasWildcard(action)) return;
  add(`${parts.service}:${catalog.canonicalAction(parts.service, parts.action) ?? parts.action}`);
}

export type { PolicyEvaluator };

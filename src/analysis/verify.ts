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
  claimedRemoved?: readonly string[],
  candidates: readonly string[] = candidateActions([original, tightened], evidence, catalog),
): ProofOutcome {
  const before = compileIdentityPolicies([original.document]);
  const after = compileIdentityPolicies([tightened.document]);
  const samples = resourceSamples([original, tightened]);
  const failures: string[] = [];
  const removed: string[] = [];
  const removableButKept: string[] = [];
  const allowedAfterServices = new Set<string>();
  // Per action, which samples each policy allows (bit i = samples[i]), kept for the claim check below.
  const outcomes = new Map<string, { before: Bits; after: Bits }>();
  let keptChecked = 0;

  const evaluate = (action: string) => {
    let o = outcomes.get(action);
    if (!o) {
      o = { before: bitsOf(samples, (r) => before.allows(action, r)), after: bitsOf(samples, (r) => after.allows(action, r)) };
      outcomes.set(action, o);
    }
    return o;
  };

  for (const action of candidates) {
    const o = evaluate(action);
    const anyBefore = o.before.some();
    const anyAfter = o.after.some();
    if (anyAfter) {
      for (let i = 0; i < samples.length; i++) {
        if (o.after.has(i) && !o.before.has(i)) failures.push(`${action} on ${samples[i]} is allowed by the tightened policy but not by the original (widened)`);
      }
      allowedAfterServices.add(action.slice(0, action.indexOf(':')).toLowerCase());
    }
    if (!anyBefore) continue;
    if (!isRemovable(evidence, action)) {
      keptChecked++;
      for (let i = 0; i < samples.length; i++) {
        if (o.before.has(i) && !o.after.has(i)) failures.push(`${action} on ${samples[i]} has no evidence of non-use but is no longer allowed`);
      }
    } else if (!anyAfter) {
      removed.push(action);
    } else {
      removableButKept.push(action);
    }
  }

  const claims = claimedRemoved ?? removed;
  for (const action of claims) {
    const o = evaluate(action);
    if (!isRemovable(evidence, action)) failures.push(`${action} was removed without evidence that it is unused`);
    if (!o.before.some()) failures.push(`${action} is claimed removed but the original did not allow it`);
    const still = samples.filter((_, i) => o.after.has(i));
    if (still.length > 0) failures.push(`${action} is claimed removed but is still allowed on ${still.join(', ')}`);
  }
  if (claimedRemoved) {
    const claimedSet = new Set(claimedRemoved.map((a) => a.toLowerCase()));
    for (const action of removed) if (!claimedSet.has(action.toLowerCase())) failures.push(`${action} is no longer allowed but not reported as removed`);
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

/** A small bit set over the resource samples (a number when they fit, else a boolean list). */
interface Bits {
  has(i: number): boolean;
  some(): boolean;
}

function bitsOf(samples: readonly string[], test: (r: string) => boolean): Bits {
  if (samples.length <= 30) {
    let mask = 0;
    for (let i = 0; i < samples.length; i++) if (test(samples[i]!)) mask |= 1 << i;
    return mask === 0 ? NO_BITS : { has: (i) => (mask & (1 << i)) !== 0, some: () => true };
  }
  const flags = samples.map(test);
  return { has: (i) => flags[i] === true, some: () => flags.includes(true) };
}

const NO_BITS: Bits = { has: () => false, some: () => false };

/** The literal request resources the proof evaluates at: `*` and every Resource pattern the policies name. */
function resourceSamples(policies: readonly NormalizedPolicy[]): string[] {
  const samples = new Set<string>(['*']);
  for (const p of policies) for (const s of p.statements) for (const r of s.resource ?? s.notResource ?? []) samples.add(r);
  return [...samples].sort();
}

/** Every concrete action either policy may allow, canonical case, plus the actions the report saw and PassRole. */
export function candidateActions(policies: readonly NormalizedPolicy[], evidence: Evidence, catalog: ActionCatalog): string[] {
  const byLower = new Map<string, string>();
  const add = (action: string) => {
    const key = action.toLowerCase();
    if (!byLower.has(key)) byLower.set(key, action);
  };
  let everything = false;
  for (const p of policies) {
    for (const s of p.statements) {
      if (s.effect !== 'Allow') continue;
      if (s.notAction) {
        everything = true;
        s.notAction.forEach((a) => addLiteral(a, catalog, add));
        continue;
      }
      for (const pattern of s.action ?? []) {
        if (hasWildcard(pattern)) expandPattern(catalog, pattern).forEach(add);
        else addLiteral(pattern, catalog, add);
      }
    }
  }
  if (everything) expandPattern(catalog, '*').forEach(add);
  for (const s of evidence.services.values()) {
    for (const a of s.tracked?.values() ?? []) add(`${s.namespace}:${catalog.canonicalAction(s.namespace, a.name) ?? a.name}`);
  }
  NEVER_REPORTED_ACTIONS.forEach(add);
  return [...byLower.values()].sort();
}

function addLiteral(action: string, catalog: ActionCatalog, add: (a: string) => void): void {
  const parts = splitAction(action.trim());
  if (!parts || hasWildcard(action)) return;
  add(`${parts.service}:${catalog.canonicalAction(parts.service, parts.action) ?? parts.action}`);
}

export type { PolicyEvaluator };

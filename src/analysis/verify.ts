import type { ActionCatalog } from '../iam/action-catalog';
import type { ServiceLastAccessedReport } from '../iam/model';
import { compileIdentityPolicies, type PolicyEvaluator } from './evaluate';
import { assessEvidence, isRemovable, NEVER_REPORTED_ACTIONS, type Evidence } from './evidence';
import { parsePolicyDocument, type NormalizedPolicy } from './policy-document';
import type { PolicyDocument, TighteningProof, UnusedPermissionsOptions } from './types';
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
): ProofOutcome {
  const before = compileIdentityPolicies([original.document]);
  const after = compileIdentityPolicies([tightened.document]);
  const samples = resourceSamples([original, tightened]);
  const candidates = candidateActions([original, tightened], evidence, catalog);
  const failures: string[] = [];
  const removed: string[] = [];
  const removableButKept: string[] = [];
  let keptChecked = 0;
  const allowedAfterServices = new Set<string>();

  for (const action of candidates) {
    const allowedBefore = samples.filter((r) => before.allows(action, r));
    const allowedAfter = samples.filter((r) => after.allows(action, r));
    if (allowedAfter.length > 0) allowedAfterServices.add(action.slice(0, action.indexOf(':')).toLowerCase());
    for (const r of allowedAfter) {
      if (!allowedBefore.includes(r)) failures.push(`${action} on ${r} is allowed by the tightened policy but not by the original (widened)`);
    }
    if (allowedBefore.length === 0) continue;
    const removable = isRemovable(evidence, action);
    if (!removable) {
      keptChecked++;
      for (const r of allowedBefore) {
        if (!allowedAfter.includes(r)) failures.push(`${action} on ${r} has no evidence of non-use but is no longer allowed`);
      }
    } else if (allowedAfter.length === 0) {
      removed.push(action);
    } else {
      removableButKept.push(action);
    }
  }

  const claims = claimedRemoved ?? removed;
  for (const action of claims) {
    if (!isRemovable(evidence, action)) failures.push(`${action} was removed without evidence that it is unused`);
    if (!samples.some((r) => before.allows(action, r))) failures.push(`${action} is claimed removed but the original did not allow it`);
    const still = samples.filter((r) => after.allows(action, r));
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
        if (hasWildcard(pattern)) catalog.expand(pattern).forEach(add);
        else addLiteral(pattern, catalog, add);
      }
    }
  }
  if (everything) catalog.expand('*').forEach(add);
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

import type { ActionCatalog } from '../model/action-catalog';
import type { ServiceLastAccessedReport } from '../model/report';
import { compileEvaluator, type PolicyEvaluator, type RunAwareEvaluator } from './evaluate';
import { assessEvidence, isRemovable, NEVER_REPORTED_ACTIONS, removableActions, type Evidence } from './evidence';
import { canonicalDocument, parsePolicyDocument, type NormalizedPolicy } from './policy-document';
import type { PolicyDocument, TighteningProof, UnusedPermissionsOptions } from './types';
import { expandPattern } from './catalog-cache';
import { ActionPatternSet, hasWildcard, splitAction } from './wildcard';
import { AnalysisInputError } from './errors';
import { loadActionCatalog } from '../model/action-catalog';
import { substitutedText } from './evaluate';
import { coverageFailures } from './statement-coverage';
import { appendRuns, runService, serviceRuns, serviceRunsOfFrozen, sortedRunOrder, type ServiceRuns } from './service-runs';

/** The value the proof gives every policy variable: the same on both sides, so only the Version decides. */
const PROOF_VARIABLE_VALUE = 'aa-proof-variable';
const proofVariables = { variables: () => PROOF_VARIABLE_VALUE };
/** Stand-ins for actions and services newer than the catalog: no catalog spells an action or a service like this. */
const NEWER_ACTION = 'ZzNewerThanCatalog';
const NEWER_SERVICE = 'zz-newer-than-catalog';

export interface VerifyOptions extends UnusedPermissionsOptions {
  /** The IAM action catalog; default `loadActionCatalog()` (loaded on first use). */
  readonly catalog?: ActionCatalog;
  /** The actions the tightening claims to have removed; each must be proven no longer allowed. Default: computed. */
  readonly removedActions?: readonly string[];
  /**
   * Accept a tightening that split wildcards into the catalog's actions (tightenPolicy's `splitWildcards`): actions
   * and services newer than the catalog may then be lost, except those the report lists. Default false.
   */
  readonly splitWildcards?: boolean;
}

/**
 * Proves a tightening against the report, with our own evaluator and IAM's semantics (see evaluate.ts and
 * statement-coverage.ts). Obligations, checked for every concrete action either policy can allow (wildcards
 * expanded against the catalog, plus a stand-in for actions and services newer than the catalog) at every
 * resource the policies name (plus `*`, and each one with its policy variables filled in):
 * 1. kept: an action the original allowed that the evidence does not prove unused (used, untracked, unknown,
 *    unlisted, newer than the catalog, excepted, iam:PassRole) is still allowed wherever the original allowed it;
 * 2. removed: every removed action was proven unused, and is no longer allowed anywhere;
 * 3. never wider: the tightened policy allows nothing the original did not: no action, no Resource, no weaker
 *    Condition, no Deny dropped, no change of Version that turns `${...}` into a policy variable or back.
 */
export function verifyTightening(
  original: PolicyDocument | string,
  tightened: PolicyDocument | string | readonly (PolicyDocument | string)[],
  report: ServiceLastAccessedReport,
  options: VerifyOptions = {},
): TighteningProof {
  if (typeof options !== 'object' || options === null) throw new AnalysisInputError('options', '(options)', options, 'an options object');
  const catalog = catalogOf(options);
  const evidence = assessEvidence(report, options);
  const before = parsePolicyDocument(original, 'original policy');
  const after = Array.isArray(tightened) ? mergeDocuments(tightened as readonly (PolicyDocument | string)[]) : parsePolicyDocument(tightened, 'tightened policy');
  return proveTightening(before, after, evidence, catalog, options.removedActions, undefined, { splitWildcards: options.splitWildcards === true }).proof;
}

/**
 * Several documents attached together, as one: identity policies compose statement by statement (an explicit Deny
 * in any of them wins), so their statements in one document decide the same, provided they share one Version (it
 * decides what `${...}` means). Different Versions are refused rather than guessed.
 */
export function mergeDocuments(documents: readonly (PolicyDocument | string)[], source = 'tightened policy'): NormalizedPolicy {
  if (documents.length === 0) throw new AnalysisInputError(source, '(documents)', documents, 'at least one policy document');
  const parsed = documents.map((d, i) => parsePolicyDocument(d, `${source} [${i}]`));
  const version = parsed[0]!.document.Version;
  parsed.forEach((p, i) => {
    if (p.document.Version !== version) {
      throw new AnalysisInputError(`${source} [${i}]`, 'Version', p.document.Version, `the Version of the first document (${version ?? 'none'}): documents proven together share one Version`);
    }
  });
  return parsePolicyDocument(
    canonicalDocument(parsed.flatMap((p) => p.statements.map((st) => st.raw)), parsed[0]!.document.Id, version),
    source,
  );
}

/** The caller's catalog, validated, or the bundled one (loaded on first use, never at import). */
export function catalogOf(options: { readonly catalog?: unknown }): ActionCatalog {
  const given = options.catalog;
  if (given === undefined) return loadActionCatalog();
  const c = given as Partial<ActionCatalog>;
  if (typeof c !== 'object' || c === null || typeof c.expand !== 'function' || typeof c.canonicalAction !== 'function' || typeof c.services !== 'function' || typeof c.hasService !== 'function') {
    throw new AnalysisInputError('options', 'catalog', given, 'an ActionCatalog from loadActionCatalog() (or leave it out: the bundled catalog is used)');
  }
  return c as ActionCatalog;
}

export interface ProofOutcome {
  readonly proof: TighteningProof;
  /** Concrete actions the original allowed somewhere and the tightened policy allows nowhere, sorted. */
  readonly removed: readonly string[];
  /** Removable on the evidence but still allowed (kept by statements that could not be tightened), sorted. */
  readonly removableButKept: readonly string[];
  /** Lower-case services with at least one candidate action the tightened policy still allows. */
  readonly allowedAfterServices: ReadonlySet<string>;
  /** Lower-case services of the removed actions. */
  readonly removedServices: ReadonlySet<string>;
}

export function proveTightening(
  original: NormalizedPolicy,
  tightened: NormalizedPolicy,
  evidence: Evidence,
  catalog: ActionCatalog,
  claimedRemoved?: readonly string[] | ClaimPredicate | RemovalRule,
  candidateList?: Candidates,
  proofOptions: { readonly splitWildcards?: boolean; readonly narrowedFuture?: readonly string[] } = {},
): ProofOutcome {
  const candidates = candidateList ?? candidateActions([original, tightened], evidence, catalog);
  const runs = candidates.runs ?? serviceRuns(candidates.actions);
  const before = compileEvaluator([original.document], proofVariables);
  const after = compileEvaluator([tightened.document], proofVariables);
  const samples = resourceSamples([original, tightened]);
  const tables = decideEveryCandidate(candidates.actions, runs, samples, before, after, evidence);
  const describe = (action: string) =>
    candidates.newer.has(action) ? `an action newer than the catalog ${catalog.version} (${action})` : action;
  // A claim by rule (what tightenPolicy makes) or predicate is checked in the same pass over the candidates.
  const rule = claimedRemoved instanceof RemovalRule || typeof claimedRemoved === 'function' ? claimedRemoved : undefined;
  const sorted = sortCandidates(candidates, runs, tables, futureObligation(evidence, catalog, proofOptions), describe, rule);
  let claimCount: number;
  let claimProblems: readonly string[];
  if (sorted.claims) {
    claimCount = sorted.claims.count;
    claimProblems = [...sorted.claims.failures, ...sorted.claims.unclaimed];
  } else {
    const claims = claimsOf(claimedRemoved as readonly string[] | undefined, candidates, sorted);
    claimCount = claims.actions.length;
    claimProblems = [
      ...claimFailures(claims, tables, evidence, before, after),
      ...(claimedRemoved !== undefined ? unclaimedRemovals(sorted, claims, candidates.actions.length) : []),
    ];
  }
  const failures = [
    ...sorted.failures,
    ...claimProblems,
    // What the evaluator cannot see: Conditions, Resource coverage statement by statement, Version semantics.
    ...(sorted.widened.size === 0
      ? coverageFailures(original, tightened, candidates.actions, describe, runs)
      : coverageFailures(original, tightened, candidates.actions.filter((a) => !sorted.widened.has(a)), describe)),
  ];
  return {
    proof: {
      holds: failures.length === 0,
      catalogVersion: catalog.version,
      usedActionsChecked: sorted.keptChecked,
      removedActionsChecked: claimCount,
      failures: failures.slice(0, 200),
    },
    removed: sorted.removedSorted ? sorted.removed : sorted.removed.sort(),
    removableButKept: sorted.removableButKept.sort(),
    allowedAfterServices: sorted.allowedAfterServices,
    removedServices: sorted.removedServices,
  };
}

/**
 * Every decision of both policies once, in two flat tables (candidate × resource sample), and the evidence's verdict
 * on each candidate: the proof asks tens of thousands, and the obligations and the claim checks read them alike.
 */
interface DecisionTables {
  readonly samples: readonly string[];
  readonly allowedBefore: Uint8Array;
  readonly allowedAfter: Uint8Array;
  /** 1 where the evidence proves the candidate unused (isRemovable). */
  readonly removable: Uint8Array;
}

function decideEveryCandidate(
  candidates: readonly string[],
  runs: ServiceRuns,
  samples: readonly string[],
  before: RunAwareEvaluator,
  after: RunAwareEvaluator,
  evidence: Evidence,
): DecisionTables {
  return {
    samples,
    allowedBefore: before.allowsTableByRuns(candidates, runs, samples),
    allowedAfter: after.allowsTableByRuns(candidates, runs, samples),
    removable: removableActions(evidence, candidates, runs),
  };
}

/** Whether candidate `c` is allowed at any sample in `table`. */
function allowedAnywhere(tables: DecisionTables, table: Uint8Array, c: number): boolean {
  const width = tables.samples.length;
  for (let r = 0; r < width; r++) if (table[c * width + r]) return true;
  return false;
}

/**
 * Which actions newer than the catalog the tightening must keep. With splitWildcards the caller accepted losing what
 * the catalog does not know, except services the report lists; Deny prefixes a tightening chose to fit IAM's size
 * limits also deny actions newer than the catalog (noted).
 */
function futureObligation(
  evidence: Evidence,
  catalog: ActionCatalog,
  proofOptions: { readonly splitWildcards?: boolean; readonly narrowedFuture?: readonly string[] },
): (action: string) => boolean {
  const narrowed = new ActionPatternSet(proofOptions.narrowedFuture ?? []);
  return (action) => {
    if (narrowed.matches(action)) return false;
    if (!proofOptions.splitWildcards) return true;
    const service = action.slice(0, action.indexOf(':')).toLowerCase();
    return evidence.services.has(service) && !catalog.hasService(service);
  };
}

interface SortedCandidates {
  readonly failures: string[];
  /** Candidate order (sorted by the caller once every check has read them), unless `removedSorted`. */
  readonly removed: string[];
  /** `removed` is sorted already (read from the catalog's sorted runs). */
  readonly removedSorted: boolean;
  /** The candidate index of each removed action. */
  readonly removedIndex: number[];
  readonly removableButKept: string[];
  readonly allowedAfterServices: Set<string>;
  /** Lower-case services of the removed actions. */
  readonly removedServices: Set<string>;
  readonly widened: Set<string>;
  readonly keptChecked: number;
  /** The checks of a claim by rule (obligation 2). */
  readonly claims?: { readonly count: number; readonly failures: string[]; readonly unclaimed: string[] };
}

/** A claim as a predicate over each candidate (not a stand-in), given whether the original allowed it and the evidence's verdict. */
type ClaimPredicate = (action: string, allowedBefore: boolean, removable: boolean) => boolean;

/**
 * The claim tightenPolicy makes, computed from the evidence independently of the rewrite: every candidate the
 * original allowed somewhere that the evidence proves unused, except those `keptBy` says are still granted. (The
 * predicate it stands for, without a call per candidate.)
 */
export class RemovalRule {
  constructor(readonly keptBy?: (action: string) => boolean) {}
}

/**
 * Obligations 1 and 3 over the tables: every candidate the tightened policy allows where the original did not is a
 * widening; every one the evidence does not prove unused must still be allowed wherever it was. The rest is removed
 * (allowed nowhere now) or removable but kept. With a claim by rule, obligation 2 too, in the same pass and in the
 * same order as claimFailures and unclaimedRemovals report it: its failures in candidate order, then the removals
 * it does not name.
 */
function sortCandidates(
  candidates: Candidates,
  runs: ServiceRuns,
  tables: DecisionTables,
  obligedNewer: (action: string) => boolean,
  describe: (action: string) => string,
  rule?: RemovalRule | ClaimPredicate,
): SortedCandidates {
  const { samples, allowedBefore, allowedAfter, removable } = tables;
  const actions = candidates.actions;
  const width = samples.length;
  const newer = candidates.newerFlags ?? newerFlagsOf(actions, candidates.newer);
  const out = {
    failures: [] as string[],
    removed: [] as string[],
    removedIndex: [] as number[],
    removableButKept: [] as string[],
    allowedAfterServices: new Set<string>(),
    removedServices: new Set<string>(),
    widened: new Set<string>(),
    keptChecked: 0,
    removedSorted: false,
    ...(rule ? { claims: { count: 0, failures: [] as string[], unclaimed: [] as string[] } } : {}),
  };
  const claims = out.claims;
  // With the claim checked here nothing else reads the removed actions in candidate order: when the candidates
  // begin with the catalog's sorted runs they are marked, and read in sorted order at the end (no sort).
  const head = claims ? candidates.sortedHead : undefined;
  const removedFlags = head ? new Uint8Array(actions.length) : undefined;
  let removedAfterHead = false;
  const predicate = typeof rule === 'function' ? rule : undefined;
  const keptBy = rule instanceof RemovalRule ? rule.keptBy : undefined;
  const anywhere = (table: Uint8Array, c: number) => {
    if (width === 1) return table[c] === 1;
    for (let r = 0; r < width; r++) if (table[c * width + r]) return true;
    return false;
  };
  for (let k = 0; k < runs.count; k++) {
    const end = runs.starts[k + 1]!;
    const service = runService(actions, runs, k);
    // The lower-case service of the run's actions, as the callers name services (`` for an action without colon).
    const lower = service === undefined ? '' : service.toLowerCase();
    let serviceAllowedAfter = false;
    let serviceRemoved = false;
    for (let c = runs.starts[k]!; c < end; c++) {
      const action = actions[c]!;
      const anyBefore = anywhere(allowedBefore, c);
      const anyAfter = anywhere(allowedAfter, c);
      const isRemovable = removable[c] === 1;
      const isNewer = newer[c] === 1;
      if (anyAfter) {
        for (let r = 0; r < width; r++) {
          if (allowedAfter[c * width + r] && !allowedBefore[c * width + r]) {
            out.failures.push(`${describe(action)} on ${samples[r]} is allowed by the tightened policy but not by the original (widened)`);
            out.widened.add(action);
          }
        }
        if (service === undefined) out.allowedAfterServices.add(action.slice(0, action.indexOf(':')).toLowerCase());
        else serviceAllowedAfter = true;
      }
      let removedHere = false;
      if (anyBefore) {
        if (!isRemovable) {
          if (!isNewer || obligedNewer(action)) {
            out.keptChecked++;
            for (let r = 0; r < width; r++) {
              if (allowedBefore[c * width + r] && !allowedAfter[c * width + r]) {
                out.failures.push(`${describe(action)} on ${samples[r]} has no evidence of non-use but is no longer allowed`);
              }
            }
          }
        } else if (!isNewer) {
          if (!anyAfter) {
            if (removedFlags) {
              removedFlags[c] = 1;
              if (c >= head!.length) removedAfterHead = true;
            } else out.removed.push(action);
            if (!claims) out.removedIndex.push(c);
            removedHere = true;
            serviceRemoved = true;
          } else out.removableButKept.push(action);
        }
      }
      if (!claims || isNewer) continue;
      if (predicate ? predicate(action, anyBefore, isRemovable) : anyBefore && isRemovable && !(keptBy && keptBy(action))) {
        claims.count++;
        if (!isRemovable) claims.failures.push(`${action} was removed without evidence that it is unused`);
        if (!anyBefore) claims.failures.push(`${action} is claimed removed but the original did not allow it`);
        if (anyAfter) {
          const still = samples.filter((_, i) => allowedAfter[c * width + i] === 1);
          claims.failures.push(`${action} is claimed removed but is still allowed on ${still.join(', ')}`);
        }
      } else if (removedHere) {
        claims.unclaimed.push(`${action} is no longer allowed but not reported as removed`);
      }
    }
    if (serviceAllowedAfter) out.allowedAfterServices.add(lower);
    if (serviceRemoved) out.removedServices.add(lower);
  }
  if (head && removedFlags) {
    if (!removedAfterHead) {
      for (const k of head.runOrder) for (let c = runs.starts[k]!, end = runs.starts[k + 1]!; c < end; c++) if (removedFlags[c]) out.removed.push(actions[c]!);
      out.removedSorted = true;
    } else {
      for (let c = 0; c < actions.length; c++) if (removedFlags[c]) out.removed.push(actions[c]!);
    }
  }
  return out;
}

/** 1 where the candidate is one of the stand-ins for actions newer than the catalog. */
function newerFlagsOf(actions: readonly string[], newer: ReadonlySet<string>): Uint8Array {
  const flags = new Uint8Array(actions.length);
  if (newer.size > 0) for (let c = 0; c < actions.length; c++) if (newer.has(actions[c]!)) flags[c] = 1;
  return flags;
}

/** The actions claimed removed, each with its candidate index (-1: not a candidate), so its checks read the tables. */
interface Claims {
  readonly actions: readonly string[];
  readonly indices: readonly number[];
}

/**
 * The actions claimed removed: a list as given, or by default what the tables found removed. (A claim by rule is
 * checked by sortCandidates.)
 */
function claimsOf(claimedRemoved: readonly string[] | undefined, candidates: Candidates, sorted: SortedCandidates): Claims {
  if (claimedRemoved === undefined) return { actions: sorted.removed, indices: sorted.removedIndex };
  const actions: string[] = [];
  const indices: number[] = [];
  const indexOf = new Map<string, number>();
  candidates.actions.forEach((a, c) => indexOf.set(a, c));
  for (const action of claimedRemoved) {
    actions.push(action);
    indices.push(indexOf.get(action) ?? -1);
  }
  return { actions, indices };
}

/**
 * Obligation 2: each claimed removal was proven unused, was allowed before and is allowed nowhere now. A claim is
 * read from the tables when it is a candidate, and evaluated otherwise.
 */
function claimFailures(claims: Claims, tables: DecisionTables, evidence: Evidence, before: PolicyEvaluator, after: PolicyEvaluator): string[] {
  const { samples, allowedAfter } = tables;
  const failures: string[] = [];
  claims.actions.forEach((action, k) => {
    const c = claims.indices[k]!;
    const wasAllowed = c >= 0 ? allowedAnywhere(tables, tables.allowedBefore, c) : samples.some((r) => before.allows(action, r));
    const stillAnywhere = c >= 0 ? allowedAnywhere(tables, allowedAfter, c) : samples.some((r) => after.allows(action, r));
    if (!(c >= 0 ? tables.removable[c] === 1 : isRemovable(evidence, action))) failures.push(`${action} was removed without evidence that it is unused`);
    if (!wasAllowed) failures.push(`${action} is claimed removed but the original did not allow it`);
    if (stillAnywhere) {
      const still = samples.filter((r, i) => (c >= 0 ? allowedAfter[c * samples.length + i] === 1 : after.allows(action, r)));
      failures.push(`${action} is claimed removed but is still allowed on ${still.join(', ')}`);
    }
  });
  return failures;
}

/**
 * A removal the claim does not name: the tightening must report everything it took away. By candidate index: a
 * claim that is no candidate cannot be one of the removed, which all are.
 */
function unclaimedRemovals(sorted: SortedCandidates, claims: Claims, candidateCount: number): string[] {
  const claimed = new Uint8Array(candidateCount);
  for (const c of claims.indices) if (c >= 0) claimed[c] = 1;
  return sorted.removed.filter((_, k) => !claimed[sorted.removedIndex[k]!]).map((action) => `${action} is no longer allowed but not reported as removed`);
}

/**
 * The literal request resources the proof evaluates at: `*`, every Resource pattern the policies name as text, and
 * each pattern with its policy variables filled in (what a `2012-10-17` statement matches).
 */
export function compileForProof(documents: readonly PolicyDocument[]): RunAwareEvaluator {
  return compileEvaluator(documents, proofVariables);
}

export function resourceSamples(policies: readonly NormalizedPolicy[]): string[] {
  const samples = new Set<string>(['*']);
  for (const p of policies) {
    for (const s of p.statements) {
      for (const r of s.resource ?? s.notResource ?? []) {
        samples.add(r);
        if (r.includes('${')) {
          const filled = substitutedText(r, () => PROOF_VARIABLE_VALUE);
          if (filled !== undefined) samples.add(filled);
        }
      }
    }
  }
  return [...samples].sort();
}

export interface Candidates {
  /** Concrete actions, canonical case where the catalog knows them. */
  readonly actions: readonly string[];
  /** The stand-ins among them for actions and services newer than the catalog. */
  readonly newer: ReadonlySet<string>;
  /** The actions' runs of one service (computed from the actions when absent). */
  readonly runs?: ServiceRuns;
  /** 1 where the action is one of `newer` (computed when absent). */
  readonly newerFlags?: Uint8Array;
  /**
   * When the candidates begin with the catalog's every action: how many, and the order of their runs (the first
   * runs of `runs`) in which they read sorted (service-runs.ts sortedRunOrder).
   */
  readonly sortedHead?: { readonly length: number; readonly runOrder: Int32Array };
}

/**
 * Every concrete action either policy may allow, canonical case, plus the actions the report saw, PassRole, and
 * stand-ins for what the catalog does not know yet: per wildcard pattern an action matching it that no catalog
 * spells, per service of the report one action, and one whole unknown service when a statement allows every
 * service (`*`, NotAction, a service wildcard).
 */
export function candidateActions(policies: readonly NormalizedPolicy[], evidence: Evidence, catalog: ActionCatalog): Candidates {
  // Catalog expansions are canonical and unique by content; only literals written by people need case folding.
  const set = new Set<string>();
  // Each literal with whether the catalog knows it (case-insensitively, so the first spelling kept decides alike).
  const literals = new Map<string, { readonly action: string; readonly known: boolean }>();
  const newer = new Set<string>();
  const addLiteralAction = (action: string, known: boolean) => {
    const key = action.toLowerCase();
    if (!literals.has(key)) literals.set(key, { action, known });
  };
  const addNewer = (action: string) => {
    const colon = action.indexOf(':');
    if (catalog.canonicalAction(action.slice(0, colon), action.slice(colon + 1)) !== undefined) return;
    newer.add(action);
  };
  let everything = false;
  const patterns = new Set<string>();
  for (const p of policies) {
    for (const s of p.statements) {
      if (s.effect !== 'Allow') {
        // What a Deny pattern would also match among actions newer than the catalog: the kept obligation sees it.
        for (const pattern of s.action ?? []) if (hasWildcard(pattern) && splitAction(pattern.trim())) addNewer(newerStandIn(pattern.trim()));
        continue;
      }
      if (s.notAction) {
        everything = true;
        s.notAction.forEach((a) => {
          addLiteral(a, catalog, addLiteralAction);
          if (hasWildcard(a) && splitAction(a.trim())) addNewer(newerStandIn(a.trim()));
        });
        continue;
      }
      for (const pattern of s.action ?? []) {
        const trimmed = pattern.trim();
        if (trimmed === '*') everything = true;
        else if (hasWildcard(trimmed)) {
          patterns.add(trimmed);
          if (splitAction(trimmed)) addNewer(newerStandIn(trimmed));
        } else addLiteral(pattern, catalog, addLiteralAction);
      }
    }
  }
  for (const s of evidence.services.values()) {
    for (const a of s.tracked?.values() ?? []) {
      const canonical = catalog.canonicalAction(s.namespace, a.name);
      // Under `*` every catalog action is a candidate already.
      if (!(everything && canonical !== undefined)) addLiteralAction(`${s.namespace}:${canonical ?? a.name}`, canonical !== undefined);
    }
    addNewer(`${s.namespace}:${NEWER_ACTION}`);
  }
  NEVER_REPORTED_ACTIONS.forEach((a) => addLiteral(a, catalog, addLiteralAction));
  // What an exception names must stay allowed, also where the catalog does not know it (a literal or a pattern's
  // stand-in): without these candidates a rewrite that dropped them would pass the proof.
  for (const e of evidence.exceptions.exceptions) {
    const permission = e.permission.trim();
    if (!hasWildcard(permission)) addLiteral(permission, catalog, addLiteralAction);
    else if (splitAction(permission)) addNewer(newerStandIn(permission));
  }
  if (everything) addNewer(`${NEWER_SERVICE}:${NEWER_ACTION}`);
  for (const a of newer) literals.delete(a.toLowerCase());
  if (everything) {
    // Every catalog action already; add only the literals the catalog does not know.
    const unknown: string[] = [];
    for (const { action, known } of literals.values()) if (!known) unknown.push(action);
    const everyAction = expandPattern(catalog, '*');
    const actions = everyAction.concat(unknown, [...newer]);
    // The stand-ins come last; no catalog action or unknown literal spells one (both were left out above).
    const newerFlags = new Uint8Array(actions.length).fill(1, actions.length - newer.size);
    const runOrder = sortedRunOrder(everyAction);
    return {
      actions,
      newer,
      runs: appendRuns(serviceRunsOfFrozen(everyAction), actions),
      newerFlags,
      ...(runOrder ? { sortedHead: { length: everyAction.length, runOrder } } : {}),
    };
  }
  for (const pattern of patterns) for (const a of expandPattern(catalog, pattern)) set.add(a);
  for (const { action } of literals.values()) set.add(action);
  for (const a of newer) set.add(a);
  const actions = [...set];
  return { actions, newer, runs: serviceRuns(actions) };
}

/** An action matching the pattern that no catalog spells: `s3:Get*` → `s3:GetZzNewerThanCatalog`. */
function newerStandIn(pattern: string): string {
  const colon = pattern.indexOf(':');
  const service = pattern.slice(0, colon).toLowerCase().replace(/\*/g, NEWER_SERVICE).replace(/\?/g, 'z');
  const action = pattern.slice(colon + 1).replace(/\*/g, NEWER_ACTION).replace(/\?/g, 'Z');
  return `${service}:${action}`;
}

function addLiteral(action: string, catalog: ActionCatalog, add: (a: string, known: boolean) => void): void {
  const parts = splitAction(action.trim());
  if (!parts || hasWildcard(action)) return;
  const canonical = catalog.canonicalAction(parts.service, parts.action);
  add(`${parts.service}:${canonical ?? parts.action}`, canonical !== undefined);
}

export type { PolicyEvaluator };

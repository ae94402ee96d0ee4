import { hasPolicyVariables, parsePolicyDocument, type NormalizedStatement } from './policy-document';
import type { Decision, PolicyDocument } from './types';
import { runService, serviceRuns, type ServiceRuns } from './service-runs';
import { ActionPatternSet, wildcardMatcher } from './wildcard';

/**
 * Our own evaluator of identity policies, used to prove tightenings. The order is IAM's: an explicit Deny wins,
 * then an Allow, else the implicit deny.
 *
 * - Actions match case-insensitively with `*` and `?`; resources match case-sensitively, and the requested
 *   resource is a literal string: the default `*` is matched only by statements whose Resource patterns match the
 *   literal `*` (i.e. `Resource: "*"`), and by NotResource statements that do not exclude it.
 * - Policy variables follow the document's Version, as IAM does: under `2012-10-17` `${aws:username}` in a
 *   Resource is replaced by the context's value (`${key, 'default'}` falls back to the default; `${*}`, `${?}`,
 *   `${$}` are the literal characters) and a pattern whose variable has no value matches nothing; under
 *   `2008-10-17` or without a Version it is literal text.
 * - Conditions are ignored: a statement applies as if its Condition held. The proof checks Conditions
 *   separately (statement-coverage.ts): a tightened statement keeps or strengthens the Condition of the original.
 */
export function evaluateIdentityPolicies(
  policies: readonly (PolicyDocument | string)[],
  action: string,
  resource = '*',
  context: EvaluationContext = {},
): Decision {
  return compileIdentityPolicies(policies, context).decide(action, resource);
}

export interface EvaluationContext {
  /** Values of policy variables (`aws:username` → `alice`), or a function giving them; keys match case-insensitively. */
  readonly variables?: Readonly<Record<string, string>> | ((key: string) => string | undefined);
  /**
   * What a variable without a value in `variables` stands for. `nothing` (default, IAM's rule for a missing key):
   * its pattern matches no resource. `anything`: it may hold any value (its default included), so it matches any
   * run of characters — the question "may this still be granted?" asks it this way.
   */
  readonly unknownVariables?: 'nothing' | 'anything';
}

export interface PolicyEvaluator {
  decide(action: string, resource?: string): Decision;
  allows(action: string, resource?: string): boolean;
  /**
   * `allows(actions[a], resources[r])` for every pair, at `a * resources.length + r` (1 allowed, 0 not): the same
   * decisions, made per service where a statement answers for a whole service (`*`, `svc:*`, or no pattern of it),
   * and with each statement's Resource decided once per resource. Proofs ask this for tens of thousands of actions,
   * in catalog order (grouped by service).
   */
  allowsTable(actions: readonly string[], resources: readonly string[]): Uint8Array;
}

interface CompiledStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: ActionPatternSet;
  readonly negateActions: boolean;
  readonly resources: readonly ResourceMatcher[];
  readonly negateResources: boolean;
}

type ResourceMatcher = (resource: string) => boolean;

/** Compiles the documents once for many decisions (the proof asks thousands). */
export function compileIdentityPolicies(policies: readonly (PolicyDocument | string)[], context: EvaluationContext = {}): PolicyEvaluator {
  return compileEvaluator(policies, context);
}

/** A PolicyEvaluator that also takes the candidates' service runs, for proofs that know them already. */
export interface RunAwareEvaluator extends PolicyEvaluator {
  /** `allowsTable` over actions whose runs of one service are given (see service-runs.ts). */
  allowsTableByRuns(actions: readonly string[], runs: ServiceRuns, resources: readonly string[]): Uint8Array;
}

export function compileEvaluator(policies: readonly (PolicyDocument | string)[], context: EvaluationContext = {}): RunAwareEvaluator {
  const lookup = variableLookup(context);
  const unknown = context.unknownVariables ?? 'nothing';
  const statements = policies.flatMap((p, i) => {
    const parsed = parsePolicyDocument(p, `policy[${i}]`);
    const variables = hasPolicyVariables(parsed.document);
    return parsed.statements.map((s) => compileStatement(s, variables, lookup, unknown));
  });
  const denies = statements.filter((s) => s.effect === 'Deny');
  const allows = statements.filter((s) => s.effect === 'Allow');
  const decide = (action: string, resource = '*'): Decision => {
    if (denies.some((s) => applies(s, action, resource))) return 'ExplicitlyDenied';
    if (allows.some((s) => applies(s, action, resource))) return 'Allowed';
    return 'ImplicitlyDenied';
  };
  const allows_ = (action: string, resource?: string) => decide(action, resource) === 'Allowed';
  return {
    decide,
    allows: allows_,
    allowsTable: (actions, resources) => decisionTable(denies, allows, actions, serviceRuns(actions), resources, allows_),
    allowsTableByRuns: (actions, runs, resources) => decisionTable(denies, allows, actions, runs, resources, allows_),
  };
}

/** How one statement's action list applies to every action of a service: always, never, or per action. */
type Coverage = 'all' | 'none' | 'some';

function statementCoverage(s: CompiledStatement, service: string): Coverage {
  const coverage = s.actions.serviceCoverage(service);
  if (!s.negateActions || coverage === 'some') return coverage;
  return coverage === 'all' ? 'none' : 'all';
}

function decisionTable(
  denies: readonly CompiledStatement[],
  allows: readonly CompiledStatement[],
  actions: readonly string[],
  runs: ServiceRuns,
  resources: readonly string[],
  allowsOne: (action: string, resource: string) => boolean,
): Uint8Array {
  const width = resources.length;
  const table = new Uint8Array(actions.length * width);
  // Whether a statement's Resource (or NotResource) applies does not depend on the action.
  const resourceApplies = (s: CompiledStatement) => resources.map((r) => s.resources.some((matches) => matches(r)) !== s.negateResources);
  const denyAt = denies.map(resourceApplies);
  const allowAt = allows.map(resourceApplies);
  let denyCoverage: Coverage[] = [];
  let allowCoverage: Coverage[] = [];
  const applies = (s: CompiledStatement, coverage: Coverage, action: string) =>
    coverage === 'all' || (coverage === 'some' && s.actions.matches(action) !== s.negateActions);
  /** The action's decisions at every resource, into `out` from `offset` (IAM's order: a Deny wins, then an Allow). */
  const decideInto = (action: string, out: Uint8Array, offset: number): void => {
    for (let r = 0; r < width; r++) {
      let denied = false;
      for (let i = 0; i < denies.length && !denied; i++) denied = denyAt[i]![r]! && applies(denies[i]!, denyCoverage[i]!, action);
      let allowed = false;
      for (let i = 0; i < allows.length && !denied && !allowed; i++) allowed = allowAt[i]![r]! && applies(allows[i]!, allowCoverage[i]!, action);
      out[offset + r] = allowed ? 1 : 0;
    }
  };
  const uniformRow = new Uint8Array(width);
  for (let k = 0; k < runs.count; k++) {
    const start = runs.starts[k]!;
    const end = runs.starts[k + 1]!;
    const service = runService(actions, runs, k);
    if (service === undefined) {
      for (let a = start; a < end; a++) for (let r = 0; r < width; r++) table[a * width + r] = allowsOne(actions[a]!, resources[r]!) ? 1 : 0;
      continue;
    }
    denyCoverage = denies.map((s) => statementCoverage(s, service));
    allowCoverage = allows.map((s) => statementCoverage(s, service));
    // When every statement answers for the whole service, so does every row of the run: computed once.
    if (!denyCoverage.includes('some') && !allowCoverage.includes('some')) {
      decideInto(actions[start]!, uniformRow, 0);
      if (width === 1) table.fill(uniformRow[0]!, start, end);
      else for (let a = start; a < end; a++) table.set(uniformRow, a * width);
    } else {
      for (let a = start; a < end; a++) decideInto(actions[a]!, table, a * width);
    }
  }
  return table;
}

export function compileStatement(
  s: NormalizedStatement,
  variables = false,
  lookup: (key: string) => string | undefined = () => undefined,
  unknown: 'nothing' | 'anything' = 'nothing',
): CompiledStatement {
  return {
    effect: s.effect,
    actions: new ActionPatternSet(s.action ?? s.notAction ?? []),
    negateActions: s.action === undefined,
    resources: (s.resource ?? s.notResource ?? []).map((pattern) => resourceMatcher(pattern, variables, lookup, unknown)),
    negateResources: s.resource === undefined,
  };
}

function applies(s: CompiledStatement, action: string, resource: string): boolean {
  if (s.actions.matches(action) === s.negateActions) return false;
  const resourceMatch = s.resources.some((matches) => matches(resource));
  return resourceMatch !== s.negateResources;
}

function variableLookup(context: EvaluationContext): (key: string) => string | undefined {
  const v = context.variables;
  if (typeof v === 'function') return v;
  if (!v) return () => undefined;
  const byLower = new Map(Object.entries(v).map(([k, value]) => [k.toLowerCase(), value]));
  return (key) => byLower.get(key.toLowerCase());
}

function resourceMatcher(pattern: string, variables: boolean, lookup: (key: string) => string | undefined, unknown: 'nothing' | 'anything'): ResourceMatcher {
  if (!variables || !pattern.includes('${')) return wildcardMatcher(pattern, false);
  const re = substitutedRegExp(pattern, lookup, unknown);
  return re ? (resource) => re.test(resource) : () => false;
}

/**
 * The pattern with its policy variables replaced by literal values; undefined when a variable has no value. With
 * `unknown: 'anything'` a variable without a value (its default is only one of its values) matches any text.
 * `${*}`, `${?}` and `${$}` are always the literal characters.
 */
export function substitutedRegExp(pattern: string, lookup: (key: string) => string | undefined, unknown: 'nothing' | 'anything' = 'nothing'): RegExp | undefined {
  let source = '';
  for (const piece of variablePieces(pattern)) {
    if (piece.kind === 'text') {
      for (const c of piece.text) source += c === '*' ? '.*' : c === '?' ? '.' : escapeRegExp(c);
    } else {
      const value = piece.special ?? lookup(piece.key) ?? (unknown === 'anything' ? undefined : piece.fallback);
      if (value !== undefined) source += escapeRegExp(value);
      else if (unknown === 'anything') source += '.*';
      else return undefined;
    }
  }
  return new RegExp(`^${source}$`, 's');
}

/** Whether the pattern holds a policy variable other than the literal escapes `${*}`, `${?}`, `${$}`. */
export function hasVariable(pattern: string): boolean {
  return variablePieces(pattern).some((p) => p.kind === 'variable' && p.special === undefined);
}

/** The pattern's text with every variable replaced by a value (its literal text, wildcards kept): a request resource. */
export function substitutedText(pattern: string, lookup: (key: string) => string | undefined): string | undefined {
  let text = '';
  for (const piece of variablePieces(pattern)) {
    if (piece.kind === 'text') text += piece.text;
    else {
      const value = piece.special ?? lookup(piece.key) ?? piece.fallback;
      if (value === undefined) return undefined;
      text += value;
    }
  }
  return text;
}

type Piece = { kind: 'text'; text: string } | { kind: 'variable'; key: string; fallback?: string; special?: string };

function variablePieces(pattern: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < pattern.length) {
    const start = pattern.indexOf('${', i);
    const end = start < 0 ? -1 : pattern.indexOf('}', start + 2);
    if (start < 0 || end < 0) {
      pieces.push({ kind: 'text', text: pattern.slice(i) });
      break;
    }
    if (start > i) pieces.push({ kind: 'text', text: pattern.slice(i, start) });
    const inner = pattern.slice(start + 2, end);
    if (inner === '*' || inner === '?' || inner === '$') pieces.push({ kind: 'variable', key: inner, special: inner });
    else {
      const m = /^\s*([^,]*?)\s*(?:,\s*'([^']*)'\s*)?$/.exec(inner);
      pieces.push({ kind: 'variable', key: m ? m[1]! : inner, ...(m?.[2] !== undefined ? { fallback: m[2] } : {}) });
    }
    i = end + 1;
  }
  return pieces;
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

import { parsePolicyDocument, type NormalizedStatement } from './policy-document';
import type { Decision, PolicyDocument } from './types';
import { ActionPatternSet, matchesWildcard } from './wildcard';

/**
 * Our own evaluator of identity policies, used to prove tightenings. The order is IAM's: an explicit Deny wins,
 * then an Allow, else the implicit deny.
 *
 * - Actions match case-insensitively with `*` and `?`; resources match case-sensitively, and the requested
 *   resource is a literal string: the default `*` is matched only by statements whose Resource patterns match the
 *   literal `*` (i.e. `Resource: "*"`), and by NotResource statements that do not exclude it.
 * - Conditions are ignored: a statement applies as if its Condition held. A tightening never changes a
 *   statement's Condition, Resource or Effect, so comparing the original with the tightened policy this way is
 *   sound for "still allowed" and "no longer allowed"; it is not a full answer for a real request context.
 */
export function evaluateIdentityPolicies(policies: readonly (PolicyDocument | string)[], action: string, resource = '*'): Decision {
  return compileIdentityPolicies(policies).decide(action, resource);
}

export interface PolicyEvaluator {
  decide(action: string, resource?: string): Decision;
  allows(action: string, resource?: string): boolean;
}

interface CompiledStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: ActionPatternSet;
  readonly negateActions: boolean;
  readonly resources: readonly string[];
  readonly negateResources: boolean;
}

/** Compiles the documents once for many decisions (the proof asks thousands). */
export function compileIdentityPolicies(policies: readonly (PolicyDocument | string)[]): PolicyEvaluator {
  const statements = policies.flatMap((p, i) => parsePolicyDocument(p, `policy[${i}]`).statements.map(compileStatement));
  const denies = statements.filter((s) => s.effect === 'Deny');
  const allows = statements.filter((s) => s.effect === 'Allow');
  const decide = (action: string, resource = '*'): Decision => {
    if (denies.some((s) => applies(s, action, resource))) return 'ExplicitlyDenied';
    if (allows.some((s) => applies(s, action, resource))) return 'Allowed';
    return 'ImplicitlyDenied';
  };
  return { decide, allows: (action, resource) => decide(action, resource) === 'Allowed' };
}

export function compileStatement(s: NormalizedStatement): CompiledStatement {
  return {
    effect: s.effect,
    actions: new ActionPatternSet(s.action ?? s.notAction ?? []),
    negateActions: s.action === undefined,
    resources: s.resource ?? s.notResource ?? [],
    negateResources: s.resource === undefined,
  };
}

function applies(s: CompiledStatement, action: string, resource: string): boolean {
  if (s.actions.matches(action) === s.negateActions) return false;
  const resourceMatch = s.resources.some((pattern) => matchesWildcard(pattern, resource, false));
  return resourceMatch !== s.negateResources;
}

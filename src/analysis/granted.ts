import { hasVariable, substitutedText } from './evaluate';
import { hasPolicyVariables, parsePolicyDocument, type NormalizedStatement } from './policy-document';
import type { Finding, PolicyDocument, PolicyStatement, UnusedPermissions } from './types';
import { ActionPatternSet, hasWildcard, matchesWildcard, patternCovers, patternsMayOverlap, splitAction } from './wildcard';

/**
 * What a principal will be granted, as far as the caller can tell: the literal documents it will hold, and the
 * attachments whose documents cannot be read (an AWS-managed policy, a policy computed by Terraform). An opaque
 * attachment may grant anything.
 */
export interface GrantedPolicies {
  readonly documents: readonly (PolicyDocument | string)[];
  /** One description per attachment whose grants are unknown, e.g. `arn:aws:iam::aws:policy/ReadOnlyAccess`. */
  readonly opaque?: readonly string[];
  /** Who grants them, for the reasons: default "the judged policies". */
  readonly source?: string;
}

/** Answers "do these documents still grant this?" for services and actions, erring towards "yes". */
export interface GrantChecker {
  /** Whether some action of the service is allowed on some resource. */
  grantsService(service: string): boolean;
  /** Whether the action (`s3:DeleteBucket`) is allowed on some resource. */
  grantsAction(action: string): boolean;
}

/**
 * A grant checker over literal identity policies, without the action catalog (the plan-time program has none).
 *
 * It over-approximates on purpose: a gate must never pass a permission the principal still holds. Conditions
 * of Allow statements are taken as holding; Deny statements with a Condition are ignored (they deny only
 * sometimes); a service counts as granted when an Allow names it with a wildcard or a NotAction, unless an
 * unconditional Deny on every resource covers the whole service. A concrete action is granted when an Allow names
 * it on a resource pattern that no Deny naming it covers as a pattern (see `denyCovers`).
 *
 * A policy variable (`${aws:PrincipalTag/team}`) has no value known here, so it may hold any: in an Allow's
 * Resource it matches anything, in an Allow's NotResource it excludes nothing, and a Deny that names one denies
 * only sometimes (ignored, like a conditional Deny). `${*}`, `${?}` and `${$}` stay the literal characters.
 */
export function grantChecker(documents: readonly (PolicyDocument | string)[]): GrantChecker {
  const statements = documents.flatMap((d, i) => {
    const parsed = parsePolicyDocument(d, `policies[${i}]`);
    const variables = hasPolicyVariables(parsed.document);
    return parsed.statements.flatMap((s) => mayApplyAs(s, variables).map((raw) => ({ ...s, ...reparsed(raw), raw, variables })));
  });
  // Deny statements that apply only under a Condition cannot take a grant away: drop them before judging. Nor can a
  // Deny that names a Principal or NotPrincipal (IAM refuses both in an identity policy; read as written it would
  // deny only some principals).
  const effective = statements.filter((s) => !(s.effect === 'Deny' && (s.hasCondition || namesPrincipal(s.raw))));
  const allows = effective.filter((s) => s.effect === 'Allow');
  const denies = effective.filter((s) => s.effect === 'Deny');
  const allowGrants = allows.map(grantStatement);
  const denyGrants = denies.map(grantStatement);
  // An action is still granted when some Allow names it on some resource pattern that no applicable Deny provably
  // covers. Patterns are compared as patterns, never probed as text: `arn:…:b?` matches the text `arn:…:b*`, but
  // `arn:…:b*` also grants `arn:…:bucket`, which the Deny leaves alone.
  const grantsAction = (action: string): boolean => {
    const applicable = denyGrants.filter((d) => appliesToAction(d, action));
    return allowGrants.some((a) => appliesToAction(a, action) && grantsSomeResource(a, applicable));
  };
  const wholeServiceDenied = (service: string): boolean => denies.some((d) => deniesWholeService(d, service));

  const grantsService = (service: string): boolean => {
    const svc = service.toLowerCase();
    for (const st of allows) {
      if (st.action) {
        for (const pattern of st.action) {
          const trimmed = pattern.trim();
          if (trimmed === '*') {
            if (!wholeServiceDenied(svc)) return true;
            continue;
          }
          const parts = splitAction(trimmed);
          // Not service:action: IAM matches it literally only; it can grant nothing of this service.
          if (!parts || !matchesWildcard(parts.service, svc, true)) continue;
          if (!hasWildcard(parts.action)) {
            if (grantsAction(`${svc}:${parts.action}`)) return true;
          } else if (!wholeServiceDenied(svc)) return true;
        }
      } else if (!notActionExcludesService(st.notAction ?? [], svc) && !wholeServiceDenied(svc)) {
        return true;
      }
    }
    return false;
  };
  return { grantsService, grantsAction };
}

/**
 * The statement as it may apply when its variables can hold any value: a Deny naming a variable in Resource or
 * NotResource denies only sometimes (none), an Allow's NotResource pattern with a variable excludes nothing.
 */
function mayApplyAs(s: NormalizedStatement, variables: boolean): PolicyStatement[] {
  if (!variables) return [s.raw];
  const withVariable = (list: readonly string[] | undefined) => (list ?? []).some(hasVariable);
  if (s.effect === 'Deny') return withVariable(s.resource) || withVariable(s.notResource) ? [] : [s.raw];
  if (!withVariable(s.notResource)) return [s.raw];
  const excluded = s.notResource!.filter((r) => !hasVariable(r));
  const { NotResource: _dropped, ...rest } = s.raw as PolicyStatement & { NotResource?: unknown };
  return [excluded.length > 0 ? { ...rest, NotResource: excluded } : { ...rest, Resource: '*' }] as PolicyStatement[];
}

function reparsed(raw: PolicyStatement): Pick<NormalizedStatement, 'resource' | 'notResource'> {
  const list = (v: unknown) => (v === undefined ? undefined : Array.isArray(v) ? (v as string[]) : [v as string]);
  const r = raw as unknown as { Resource?: unknown; NotResource?: unknown };
  return { resource: list(r.Resource), notResource: list(r.NotResource) } as Pick<NormalizedStatement, 'resource' | 'notResource'>;
}

/**
 * A statement as the "still granted?" question reads it: its action patterns, and its resource patterns with every
 * unknown policy variable (an Allow's) written as `*`. A Deny's pattern that still holds `${` (only the literal
 * escapes `${*}`, `${?}`, `${$}` are left in a Deny here) is dropped: read as a wildcard it would deny too much.
 */
interface GrantStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: ActionPatternSet;
  readonly negateActions: boolean;
  readonly resources: readonly string[];
  readonly negateResources: boolean;
}

function grantStatement(s: NormalizedStatement & { variables: boolean }): GrantStatement {
  const patterns = s.resource ?? s.notResource ?? [];
  const resources = !s.variables
    ? patterns
    : s.effect === 'Allow'
      ? patterns.map((r) => substitutedText(r, () => '*') ?? '*')
      : patterns.filter((r) => !r.includes('${'));
  return { effect: s.effect, actions: new ActionPatternSet(s.action ?? s.notAction ?? []), negateActions: s.action === undefined, resources, negateResources: s.resource === undefined };
}

function namesPrincipal(raw: PolicyStatement): boolean {
  const r = raw as unknown as Record<string, unknown>;
  return r.Principal !== undefined || r.NotPrincipal !== undefined;
}

function appliesToAction(s: GrantStatement, action: string): boolean {
  return s.actions.matches(action) !== s.negateActions;
}

const EVERY_RESOURCE = /^\*+$/;

/** Whether an Allow (that names the action) grants it on some resource none of the Deny statements covers. */
function grantsSomeResource(allow: GrantStatement, denies: readonly GrantStatement[]): boolean {
  if (allow.negateResources) {
    // Everything but the listed patterns: nothing when one of them is `*`; otherwise only a Deny on `*` covers the rest.
    if (allow.resources.some((r) => EVERY_RESOURCE.test(r))) return false;
    return !denies.some((d) => !d.negateResources && d.resources.some((r) => EVERY_RESOURCE.test(r)));
  }
  return allow.resources.some((pattern) => !denies.some((d) => denyCovers(d, pattern)));
}

/** Whether the Deny denies every resource the pattern can match (erring towards "no"). */
function denyCovers(deny: GrantStatement, pattern: string): boolean {
  if (!deny.negateResources) return deny.resources.some((d) => patternCovers(d, pattern, false));
  // Deny NotResource [...]: covers the pattern only when no excluded pattern can match what it matches.
  return deny.resources.every((excluded) => !patternsMayOverlap(excluded, pattern));
}

/** Whether a NotAction list leaves out every action of the service (`*`, `svc:*`, `sv?:*` …). */
function notActionExcludesService(patterns: readonly string[], service: string): boolean {
  return patterns.some((p) => {
    const t = p.trim();
    if (t === '*') return true;
    const parts = splitAction(t);
    return parts !== undefined && parts.action === '*' && matchesWildcard(parts.service, service, true);
  });
}

/** An unconditional Deny on every resource (`Resource: "*"`) of every action of the service. */
function deniesWholeService(d: NormalizedStatement, service: string): boolean {
  if (d.hasCondition || !(d.resource ?? []).some((r) => r === '*')) return false;
  if (d.action) return notActionExcludesService(d.action, service);
  // Deny NotAction [...]: denies the whole service unless some excluded pattern reaches into it.
  return !(d.notAction ?? []).some((p) => {
    const t = p.trim();
    if (t === '*') return true;
    const parts = splitAction(t);
    return parts === undefined || matchesWildcard(parts.service, service, true);
  });
}

/**
 * The decision restricted to what the principal will still be granted: an unused service or action that the
 * documents no longer grant is not a violation any more (finding kind `no-longer-granted`). With an opaque
 * attachment nothing is known not to be granted, so the decision is returned as it is.
 */
export function restrictToGranted(unused: UnusedPermissions, granted: GrantedPolicies): UnusedPermissions {
  if ((granted.opaque ?? []).length > 0) return unused;
  const checker = grantChecker(granted.documents);
  const source = granted.source ?? 'the judged policies';
  const unusedServices = unused.unusedServices.filter((s) => checker.grantsService(s));
  const unusedActions = unused.unusedActions.filter((a) => checker.grantsAction(a));
  const kept = new Set([...unusedServices, ...unusedActions]);
  const findings = unused.findings.map((f): Finding => {
    if ((f.kind !== 'unused-service' && f.kind !== 'unused-action') || kept.has(f.permission)) return f;
    return { ...f, kind: 'no-longer-granted', reason: `not granted any more by ${source}; was: ${f.reason}` };
  });
  return { ...unused, unusedServices, unusedActions, findings };
}

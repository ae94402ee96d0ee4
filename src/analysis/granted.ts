import { compileIdentityPolicies, hasVariable, substitutedText, type PolicyEvaluator } from './evaluate';
import { hasPolicyVariables, parsePolicyDocument, type NormalizedStatement } from './policy-document';
import type { Finding, PolicyDocument, PolicyStatement, UnusedPermissions } from './types';
import { hasWildcard, matchesWildcard, splitAction } from './wildcard';

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
 * unconditional Deny on every resource covers the whole service. Concrete actions are asked of the evaluator on
 * `*` and on every resource pattern the documents name (as literal strings).
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
  // Deny statements that apply only under a Condition cannot take a grant away: drop them before evaluating.
  const effective = statements.filter((s) => !(s.effect === 'Deny' && s.hasCondition));
  const evaluator: PolicyEvaluator = compileIdentityPolicies(
    [
      { Version: '2012-10-17', Statement: effective.filter((s) => s.variables).map((s) => s.raw) },
      { Statement: effective.filter((s) => !s.variables).map((s) => s.raw) },
    ].filter((d) => d.Statement.length > 0) as PolicyDocument[],
    { unknownVariables: 'anything' },
  );
  const allows = effective.filter((s) => s.effect === 'Allow');
  const denies = effective.filter((s) => s.effect === 'Deny');
  // A request names a resource, never a variable: each pattern with its variables given some value.
  const probes = ['*', ...new Set(statements.flatMap((s) => (s.resource ?? s.notResource ?? []).map((r) => (s.variables ? (substitutedText(r, () => 'x') ?? r) : r))))];
  const grantsAction = (action: string): boolean => probes.some((r) => evaluator.allows(action, r));
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
  if (d.hasCondition || !(d.resource ?? []).some((r) => r.trim() === '*')) return false;
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

import { patternToRegExp, type ActionCatalog } from '../model/action-catalog';
import type { PolicyDocument, PolicyStatement } from './types';

/**
 * What a set of policy documents allows, at the granularity access advisor needs: which services, and for a
 * service, which actions. Deny statements never remove a service: access advisor lists what policies allow.
 */
export function statementsOf(document: PolicyDocument): PolicyStatement[] {
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

interface CompiledPattern {
  readonly service: RegExp | string; // a literal namespace or a wildcard pattern
  readonly action: RegExp;
  readonly all: boolean;
  /** The action part has no wildcard. */
  readonly literal: boolean;
}

function compile(pattern: string): CompiledPattern {
  const trimmed = pattern.trim();
  if (trimmed === '*') return { service: /^.*$/, action: /^.*$/, all: true, literal: false };
  const colon = trimmed.indexOf(':');
  const servicePart = trimmed.slice(0, colon).toLowerCase();
  const actionPart = trimmed.slice(colon + 1);
  return {
    service: /[*?]/.test(servicePart) ? patternToRegExp(servicePart) : servicePart,
    action: patternToRegExp(actionPart),
    all: false,
    literal: !/[*?]/.test(actionPart),
  };
}

function serviceMatches(p: CompiledPattern, namespace: string): boolean {
  return typeof p.service === 'string' ? p.service === namespace : p.service.test(namespace);
}

/** A matcher over `service:Action` built from the statements of one effect. */
export class ActionMatcher {
  private readonly patterns: CompiledPattern[];
  private readonly notPatterns: CompiledPattern[][];
  /** The patterns by literal namespace, and those whose namespace is a wildcard: a policy of 400 `svc:*` is asked per action. */
  private readonly byNamespace = new Map<string, CompiledPattern[]>();
  private readonly anyNamespace: CompiledPattern[] = [];

  constructor(statements: readonly PolicyStatement[]) {
    this.patterns = statements.flatMap((s) => asList(s.Action).map(compile));
    this.notPatterns = statements.filter((s) => s.NotAction !== undefined).map((s) => asList(s.NotAction).map(compile));
    for (const p of this.patterns) {
      if (typeof p.service !== 'string') this.anyNamespace.push(p);
      else {
        const list = this.byNamespace.get(p.service);
        if (list) list.push(p);
        else this.byNamespace.set(p.service, [p]);
      }
    }
  }

  get isEmpty(): boolean {
    return this.patterns.length === 0 && this.notPatterns.length === 0;
  }

  matches(namespace: string, action: string): boolean {
    const hit = (p: CompiledPattern) => serviceMatches(p, namespace) && p.action.test(action);
    if (this.byNamespace.get(namespace)?.some(hit) || this.anyNamespace.some(hit)) return true;
    return this.notPatterns.some((excluded) => !excluded.some(hit));
  }

  /**
   * Namespaces worth checking: those a pattern can name, or every one when a NotAction statement is present.
   * Literal namespaces are kept even when the catalog does not know them (the catalog may lag AWS).
   */
  candidateServices(all: readonly string[]): string[] {
    if (this.notPatterns.length > 0 || this.patterns.some((p) => p.all)) return [...all];
    const found = new Set<string>();
    for (const p of this.patterns) {
      if (typeof p.service === 'string') found.add(p.service);
      else for (const namespace of all) if (p.service.test(namespace)) found.add(namespace);
    }
    return [...found];
  }

  /** A literal `service:Action` (no wildcard in the action) for this namespace: granted even if the catalog lacks it. */
  namesLiteralAction(namespace: string): boolean {
    return this.patterns.some((p) => p.service === namespace && p.literal);
  }

  /** True when some pattern grants every action of the namespace (`*`, `s3:*`). */
  grantsWholeService(namespace: string): boolean {
    return this.patterns.some((p) => serviceMatches(p, namespace) && p.action.source === '^.*$');
  }
}

export function allowMatcher(documents: readonly PolicyDocument[]): ActionMatcher {
  return new ActionMatcher(documents.flatMap(statementsOf).filter((s) => s.Effect === 'Allow'));
}

/** Unconditional denies (as SCPs use them to fence services off); conditional denies do not remove a service. */
export function hardDenyMatcher(documents: readonly PolicyDocument[]): ActionMatcher {
  return new ActionMatcher(
    documents
      .flatMap(statementsOf)
      .filter((s) => s.Effect === 'Deny' && s.Condition === undefined && s.NotResource === undefined)
      .filter((s) => asList(s.Resource as string | string[] | undefined).every((r) => r === '*')),
  );
}

/** Actions of a namespace the matcher allows; for a service the catalog does not know, the literal actions named. */
export function allowedActionsOf(matcher: ActionMatcher, namespace: string, catalog: ActionCatalog): string[] {
  const known = catalog.actions(namespace);
  if (known.length > 0) return known.filter((a) => matcher.matches(namespace, a));
  return [];
}

/** The services a set of identity policies allows (at least one action), sorted by namespace. */
export function allowedServices(documents: readonly PolicyDocument[], catalog: ActionCatalog): string[] {
  return servicesAllowedBy(allowMatcher(documents), catalog);
}

export function servicesAllowedBy(matcher: ActionMatcher, catalog: ActionCatalog, deny?: ActionMatcher): string[] {
  if (matcher.isEmpty) return [];
  const found: string[] = [];
  for (const namespace of matcher.candidateServices(catalog.services())) {
    const actions = catalog.actions(namespace);
    const allowed =
      actions.length === 0
        ? matcher.namesLiteralAction(namespace) && !deny?.grantsWholeService(namespace)
        : actions.some((a) => matcher.matches(namespace, a) && !(deny?.matches(namespace, a) ?? false));
    if (allowed) found.push(namespace);
  }
  return found.sort();
}

/** Whether the matcher allows at least one action of the namespace. */
export function grantsService(matcher: ActionMatcher, namespace: string, catalog: ActionCatalog): boolean {
  if (matcher.isEmpty || matcher.candidateServices([namespace]).length === 0) return false;
  if (matcher.grantsWholeService(namespace)) return true;
  const actions = catalog.actions(namespace);
  return actions.length === 0 ? matcher.namesLiteralAction(namespace) : actions.some((a) => matcher.matches(namespace, a));
}

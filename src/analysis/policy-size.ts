import { AnalysisInputError } from './errors';
import { canonicalDocument } from './policy-document';
import type { PolicyDocument, PolicyStatement } from './types';

/** IAM's quota for one managed policy document, white space not counted. */
export const MANAGED_POLICY_MAX_CHARACTERS = 6144;
/** IAM's quota for the inline policies of one principal, all of them together, white space not counted. */
export const INLINE_POLICIES_MAX_CHARACTERS = { role: 10240, user: 2048, group: 5120 } as const;
export type InlinePolicyHolder = keyof typeof INLINE_POLICIES_MAX_CHARACTERS;
/** IAM's quota for the inline policies of one role, together, white space not counted. */
export const ROLE_INLINE_POLICIES_MAX_CHARACTERS = INLINE_POLICIES_MAX_CHARACTERS.role;
/** Managed policies attached to one role or user by default (a quota increase allows up to 20). */
export const DEFAULT_MAX_ATTACHED_POLICIES = 10;
/** The most managed policies IAM lets anyone attach to one principal, with a quota increase. */
export const MAX_ATTACHED_POLICIES_LIMIT = 20;

/**
 * A tightened policy that IAM would refuse: it does not fit the managed policies the principal may hold. Never a
 * note, never truncated: the message names the size, the limit and the ways out. Exit code 2 like other input
 * that cannot be turned into a valid result.
 */
export class PolicySizeError extends AnalysisInputError {
  constructor(
    source: string,
    readonly characters: number,
    readonly documentsNeeded: number,
    readonly maxPolicies: number,
    detail: string,
  ) {
    super(source, 'size', `${characters} characters`, detail);
    this.message = `${source}: ${detail}`;
  }
}

/** The length IAM counts: the document without white space between tokens (strings kept as they are). */
export function policyCharacters(document: PolicyDocument | object): number {
  return JSON.stringify(document).length;
}

/**
 * Distributes statements over as few documents as possible, each within `maxCharacters`, keeping their order.
 * Allow statements compose by union and Deny statements deny wherever they are, so a statement with an `Action`
 * list may be cut into statements with the same Effect, Resource and Condition (the first keeps the Sid, the others
 * get `<Sid>Part<n>`, with n raised past any Sid already in the statements: IAM refuses a document whose Sids repeat).
 * A statement with `NotAction` (or a single action) is never cut: two `NotAction` halves allow almost everything
 * together. Returns undefined when one statement alone cannot fit.
 */
export function packStatements(
  statements: readonly PolicyStatement[],
  version: string | undefined,
  id: string | undefined,
  maxCharacters = MANAGED_POLICY_MAX_CHARACTERS,
): PolicyDocument[] | undefined {
  const documents: PolicyStatement[][] = [[]];
  const sids = new SidRegistry(statements);
  const sizeOf = (list: readonly PolicyStatement[], index: number) => policyCharacters(canonicalDocument(list, index === 0 ? id : undefined, version));
  const fits = (list: readonly PolicyStatement[], index: number) => sizeOf(list, index) <= maxCharacters;
  for (const statement of statements) {
    let current = documents[documents.length - 1]!;
    if (fits([...current, statement], documents.length - 1)) {
      current.push(statement);
      continue;
    }
    const actions = Array.isArray(statement.Action) ? (statement.Action as readonly string[]) : undefined;
    if (!actions || actions.length < 2) {
      if (current.length > 0) {
        documents.push([statement]);
        current = documents[documents.length - 1]!;
      } else current.push(statement);
      if (!fits(current, documents.length - 1)) return undefined;
      continue;
    }
    // Cut the action list: fill the current document, then new ones.
    let rest = [...actions];
    let part = 1;
    while (rest.length > 0) {
      current = documents[documents.length - 1]!;
      const sid = statement.Sid !== undefined && part > 1 ? sids.next(statement.Sid) : undefined;
      const withSid = (list: readonly string[]): PolicyStatement => ({
        ...statement,
        ...(sid !== undefined ? { Sid: sid } : {}),
        Action: list.length === 1 ? list[0]! : list,
      });
      const take = largestFittingPrefix(rest.length, (n) => fits([...current, withSid(rest.slice(0, n))], documents.length - 1));
      if (take === 0) {
        if (current.length === 0) return undefined;
        documents.push([]);
        continue;
      }
      current.push(withSid(rest.slice(0, take)));
      if (sid !== undefined) sids.take(sid);
      rest = rest.slice(take);
      part++;
      if (rest.length > 0) documents.push([]);
    }
  }
  return documents.filter((d) => d.length > 0).map((list, i) => canonicalDocument(list, i === 0 ? id : undefined, version));
}

/**
 * The Sids in use, compared without case (the safe reading of IAM's rule that Sids are unique in a document: a
 * name that differs only in case is never generated), and the next free `<base>Part<n>` for each base.
 */
class SidRegistry {
  private readonly used = new Set<string>();
  private readonly nextPart = new Map<string, number>();

  constructor(statements: readonly PolicyStatement[]) {
    for (const s of statements) if (typeof s.Sid === 'string') this.used.add(s.Sid.toLowerCase());
  }

  /** The first `<base>Part<n>` (n from 2, or past the last one taken for this base) that no statement uses. */
  next(base: string): string {
    let n = this.nextPart.get(base) ?? 2;
    while (this.used.has(`${base}Part${n}`.toLowerCase())) n++;
    return `${base}Part${n}`;
  }

  take(sid: string): void {
    this.used.add(sid.toLowerCase());
    const match = /^(.*)Part(\d+)$/.exec(sid);
    if (match) this.nextPart.set(match[1]!, Number(match[2]) + 1);
  }
}

/** The largest n in 0..max with fits(n), assuming fits is monotone (binary search: lists have hundreds of actions). */
function largestFittingPrefix(max: number, fits: (n: number) => boolean): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function validMaxPolicies(value: unknown, source = 'options'): number {
  if (value === undefined) return DEFAULT_MAX_ATTACHED_POLICIES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_ATTACHED_POLICIES_LIMIT) {
    throw new AnalysisInputError(
      source,
      'maxPolicies',
      value,
      `a whole number from 1 to ${MAX_ATTACHED_POLICIES_LIMIT} (managed policies the principal may still attach; IAM allows ${DEFAULT_MAX_ATTACHED_POLICIES} per role or user by default)`,
    );
  }
  return value;
}

/** One document's problem with IAM's managed-policy quota, or undefined. */
export function managedPolicySizeProblem(document: PolicyDocument | object, name: string): string | undefined {
  const size = policyCharacters(document);
  return size > MANAGED_POLICY_MAX_CHARACTERS
    ? `${name} has ${size} characters without white space, over IAM's ${MANAGED_POLICY_MAX_CHARACTERS}-character limit for a managed policy`
    : undefined;
}

/** Which inline quota a principal ARN falls under: a role, user or group; undefined for anything else (a managed policy). */
export function inlineHolderOf(arn: string): InlinePolicyHolder | undefined {
  return /^arn:[^:]+:iam::[^:]*:(role|user|group)\//.exec(arn)?.[1] as InlinePolicyHolder | undefined;
}

/**
 * The most characters (white space not counted) one identity policy can have and still be held by the principal of
 * `arn` in some form: a role's inline quota (10,240) is larger than a managed policy (6,144); a user's or group's
 * inline quota is smaller than that, and a managed policy's own report knows only the managed form. A document over it
 * is one IAM refuses however it is attached, so the principal never holds it.
 */
export function heldPolicyMaxCharacters(arn: string): number {
  const kind = inlineHolderOf(arn);
  return Math.max(MANAGED_POLICY_MAX_CHARACTERS, kind ? INLINE_POLICIES_MAX_CHARACTERS[kind] : 0);
}

/**
 * The inline policies one principal will hold, together, against IAM's quota for its kind (a role 10,240, a group
 * 5,120, a user 2,048 characters without white space); undefined when they fit. Names the size, the limit and the
 * principal.
 */
export function inlinePolicySizeProblem(kind: InlinePolicyHolder, principal: string, documents: readonly (PolicyDocument | object)[]): string | undefined {
  const limit = INLINE_POLICIES_MAX_CHARACTERS[kind];
  const size = documents.reduce<number>((n, d) => n + policyCharacters(d), 0);
  return size > limit
    ? `the inline policies of ${kind} ${principal} have ${size} characters without white space together, over IAM's ${limit}-character limit for the inline policies of a ${kind}`
    : undefined;
}

/**
 * What IAM would refuse among the documents a principal will hold as managed policies: each over 6,144 characters,
 * or more of them than may be attached (`maxPolicies`, default 10). Empty when they all fit.
 */
export function attachedPolicySizeProblems(documents: readonly { readonly name: string; readonly document: PolicyDocument | object }[], maxPolicies = DEFAULT_MAX_ATTACHED_POLICIES): string[] {
  const problems = documents.map((d) => managedPolicySizeProblem(d.document, d.name)).filter((p): p is string => p !== undefined);
  if (documents.length > maxPolicies) {
    problems.push(`${documents.length} managed policies, over IAM's quota of ${maxPolicies} attached to one role or user`);
  }
  return problems;
}

import { parsePolicyDocument } from '../analysis/index'; // lazy member: loads when a policy is parsed
import type { GrantedPolicies } from '../analysis/granted';
import type { PermissionException, PolicyDocument } from '../analysis/types';
import type { IConstruct } from 'constructs';
import { coreOf, isUnresolvedToken, type CdkCore, type TerraformStack } from './cdk-core';
import type { IamPrincipalElement } from './principal-arn';
import { type PolicySource, policyFromSource } from './policy-source';

/**
 * What the stack will grant a principal: the policies given to a gate and the policy elements of the same stack
 * attached to the principal (docs/decisions.md, "Judging the stack as it will be"). Pure discovery over the
 * construct tree; the judgement itself is `restrictToGranted` in src/analysis.
 */

/** Marks a TightenedPolicyDocument without importing it (it imports the gate's helpers). */
export const TIGHTENED_POLICY_DOCUMENT = Symbol.for('cdktf-access-advisor.TightenedPolicyDocument');

/** What a TightenedPolicyDocument offers a gate that judges it. */
export interface JudgeablePolicy extends IConstruct {
  readonly [TIGHTENED_POLICY_DOCUMENT]: true;
  /** The token that renders as the tightened JSON (how the stack uses it, e.g. `IamPolicy.policy`). */
  readonly json: string;
  /** Its exceptions: a gate judging this document honours them too (one set of exceptions). */
  readonly exceptions: readonly PermissionException[];
  /** The tightened JSON; undefined when it could not be computed (the report lookup failed). */
  tightenedJson(): string | undefined;
  /** What the tightening removed; undefined when it could not be computed. */
  removed(): { readonly services: readonly string[]; readonly actions: readonly string[] } | undefined;
}

export function isJudgeablePolicy(value: unknown): value is JudgeablePolicy {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TIGHTENED_POLICY_DOCUMENT] === true;
}

/** A policy a gate judges: any form TightenedPolicyDocument accepts, or a TightenedPolicyDocument itself. */
export type JudgedPolicySource = PolicySource | JudgeablePolicy;

export interface StackGrants extends GrantedPolicies {
  readonly documents: readonly (PolicyDocument | string)[];
  readonly opaque: readonly string[];
  /** Where each document comes from, in the order of `documents`. */
  readonly sources: readonly string[];
  /** The TightenedPolicyDocuments among them: their exceptions apply. */
  readonly tightened: readonly JudgeablePolicy[];
}

/** Checks the given sources at construction, so that input errors surface there (tokens wait for synth). */
export function checkGivenPolicies(given: readonly JudgedPolicySource[], path: string): void {
  for (const source of given) {
    if (isJudgeablePolicy(source) || (typeof source === 'string' && isUnresolvedToken(source))) continue;
    if (isElement(source) && INLINE_TYPES.has(elementType(source) ?? '')) continue;
    parsePolicyDocument(policyFromSource(source as PolicySource, path), `${path} policy`);
  }
}

/**
 * The grants the gate judges, or undefined when it should judge what IAM grants today: no policy given, and the
 * principal is not a resource of the stack (an ARN, a data source) or the stack attaches nothing to it.
 */
export function collectGrants(
  given: readonly JudgedPolicySource[],
  principal: IamPrincipalElement | undefined,
  scope: IConstruct,
  arn?: string,
): StackGrants | undefined {
  const acc = new Accumulator(scope);
  for (const source of given) acc.addGiven(source);
  const target = principal ?? (arn !== undefined && isUnresolvedToken(arn) ? acc.elementReferencedBy(arn) : undefined);
  if (target && !isDataSource(target)) acc.addAttachedTo(target);
  if (given.length === 0 && acc.empty) return undefined;
  return acc.result();
}

const INLINE_TYPES = new Set(['aws_iam_policy', 'aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy']);

type Config = Record<string, unknown>;

class Accumulator {
  private readonly documents: (PolicyDocument | string)[] = [];
  private readonly sources: string[] = [];
  private readonly opaque: string[] = [];
  private readonly tightened = new Set<JudgeablePolicy>();
  private readonly stack: TerraformStack;
  private readonly elements: IConstruct[];
  private readonly judgeable: JudgeablePolicy[];

  private readonly core: CdkCore;

  constructor(scope: IConstruct) {
    this.core = coreOf(scope);
    this.stack = this.core.TerraformStack.of(scope);
    const all = this.stack.node.findAll();
    this.elements = all.filter((c) => elementType(c) !== undefined);
    this.judgeable = scope.node.root.node.findAll().filter(isJudgeablePolicy);
  }

  /** The principal resource a token such as `${aws_iam_role.x.arn}` refers to (a plan-time report's arn). */
  elementReferencedBy(arn: string): IamPrincipalElement | undefined {
    let resolved: unknown;
    try {
      resolved = this.resolve(arn);
    } catch {
      return undefined;
    }
    const ref = /^\$\{(aws_iam_(?:role|user|group|policy))\.([^.}]+)\.(arn|id)\}$/.exec(String(resolved));
    if (!ref) return undefined;
    return this.elements.find((e) => elementType(e) === ref[1] && friendlyId(e) === ref[2] && !isDataSource(e)) as IamPrincipalElement | undefined;
  }

  get empty(): boolean {
    return this.documents.length === 0 && this.opaque.length === 0;
  }

  result(): StackGrants {
    return { documents: this.documents, opaque: this.opaque, sources: this.sources, tightened: [...this.tightened], source: 'the policies this stack attaches' };
  }

  addGiven(source: JudgedPolicySource): void {
    if (isJudgeablePolicy(source)) return this.addTightened(source, source.node.path);
    if (typeof source === 'string' && isUnresolvedToken(source)) return this.addPolicyValue(source, 'policy (a token)');
    if (isElement(source) && INLINE_TYPES.has(elementType(source) ?? '')) {
      return this.addPolicyValue(configOf(source)?.policy, `${elementType(source)}.${source.node.id}`);
    }
    this.addDocument(policyFromSource(source as PolicySource, 'policy'), 'policy');
  }

  /** The stack's policy elements attached to the principal (a resource of this stack). */
  addAttachedTo(principal: IamPrincipalElement): void {
    const type = principal.terraformResourceType;
    if (this.core.TerraformStack.of(principal) !== this.stack) return;
    const own = configOf(principal) ?? {};
    const where = `${type}.${principal.node.id}`;
    if (type === 'aws_iam_policy') return this.addPolicyValue(own.policy, where);
    const kinds: Record<string, 'role' | 'user' | 'group'> = { aws_iam_role: 'role', aws_iam_user: 'user', aws_iam_group: 'group' };
    const kind = kinds[type];
    if (!kind) return;
    const refs = this.refsTo(principal);
    if (kind === 'role') {
      for (const inline of asList(own.inline_policy)) this.addPolicyValue((inline as Config).policy, `${where}.inline_policy`);
      for (const arn of asList(this.resolve(own.managed_policy_arns))) this.addPolicyArn(arn, `${where}.managed_policy_arns`);
    }
    for (const element of this.elements) {
      const t = elementType(element)!;
      if (isDataSource(element)) continue;
      const c = configOf(element);
      if (!c) continue;
      const at = `${t}.${element.node.id}`;
      if (t === `aws_iam_${kind}_policy` && refs.has(String(this.resolve(c[kind])))) this.addPolicyValue(c.policy, at);
      if (t === `aws_iam_${kind}_policy_attachment` && refs.has(String(this.resolve(c[kind])))) this.addPolicyArn(this.resolve(c.policy_arn), at);
      if (t === 'aws_iam_policy_attachment' && asList(this.resolve(c[`${kind}s`])).some((r) => refs.has(String(r)))) {
        this.addPolicyArn(this.resolve(c.policy_arn), at);
      }
      if (kind === 'user') {
        // A user holds its groups' policies too.
        const groups =
          t === 'aws_iam_user_group_membership' && refs.has(String(this.resolve(c.user)))
            ? asList(this.resolve(c.groups))
            : t === 'aws_iam_group_membership' && asList(this.resolve(c.users)).some((u) => refs.has(String(u)))
              ? [this.resolve(c.group)]
              : [];
        for (const group of groups) this.addGroup(group, at);
      }
    }
  }

  private addGroup(ref: unknown, at: string): void {
    const group = this.elements.find((e) => elementType(e) === 'aws_iam_group' && !isDataSource(e) && this.refsTo(e as IamPrincipalElement).has(String(ref)));
    if (!group) {
      this.opaque.push(`group ${String(ref)} (${at}): not defined in this stack`);
      return;
    }
    this.addAttachedTo(group as IamPrincipalElement);
  }

  private addPolicyArn(arn: unknown, at: string): void {
    const text = String(arn);
    const ref = /^\$\{aws_iam_policy\.([^.}]+)\.(arn|id)\}$/.exec(text);
    const policy = ref
      ? this.elements.find((e) => elementType(e) === 'aws_iam_policy' && !isDataSource(e) && friendlyId(e) === ref[1])
      : this.elements.find((e) => elementType(e) === 'aws_iam_policy' && !isDataSource(e) && literalPolicyArnMatches(configOf(e), text));
    if (!policy) {
      this.opaque.push(`${text} (${at}): a policy this stack does not define`);
      return;
    }
    this.addPolicyValue(configOf(policy)?.policy, `${at} -> aws_iam_policy.${policy.node.id}`);
  }

  private addPolicyValue(value: unknown, at: string): void {
    const tightened = typeof value === 'string' ? this.judgeable.find((j) => j.json === value) : undefined;
    if (tightened) return this.addTightened(tightened, `${at} (TightenedPolicyDocument ${tightened.node.path})`);
    let resolved: unknown;
    try {
      resolved = this.resolve(value);
    } catch {
      resolved = undefined;
    }
    const dataDocument = typeof resolved === 'string' ? /^\$\{data\.aws_iam_policy_document\.([^.}]+)\.json\}$/.exec(resolved) : null;
    if (dataDocument) {
      // The idiom `IamPolicy({ policy: document.json })`: the data source's literal statements are the policy.
      const element = this.elements.find((e) => elementType(e) === 'aws_iam_policy_document' && friendlyId(e) === dataDocument[1]);
      if (element) {
        try {
          return this.addDocument(policyFromSource(element, at), `${at} (data.aws_iam_policy_document.${element.node.id})`);
        } catch {
          // not literal: opaque below
        }
      }
    }
    if (typeof resolved !== 'string' || resolved.includes('${')) {
      this.opaque.push(`${at}: its policy is not known at synth`);
      return;
    }
    this.addDocument(resolved, at);
  }

  private addTightened(t: JudgeablePolicy, at: string): void {
    const json = t.tightenedJson();
    this.tightened.add(t);
    if (json === undefined || json === '') {
      this.opaque.push(`${at}: the tightened policy could not be computed`);
      return;
    }
    this.addDocument(json, at);
  }

  private addDocument(document: PolicyDocument | string, at: string): void {
    try {
      parsePolicyDocument(document, at);
    } catch {
      this.opaque.push(`${at}: not a valid policy document`);
      return;
    }
    this.documents.push(document);
    this.sources.push(at);
  }

  /** The strings by which the stack's elements can name this principal: its literal name and references to it. */
  private refsTo(principal: IamPrincipalElement): Set<string> {
    const id = `${principal.terraformResourceType}.${friendlyId(principal)}`;
    const refs = new Set([`\${${id}.name}`, `\${${id}.id}`, `\${${id}.arn}`]);
    const name = this.resolve(configOf(principal)?.name);
    if (typeof name === 'string' && !name.includes('${')) refs.add(name);
    return refs;
  }

  private resolve(value: unknown): unknown {
    return value === undefined ? undefined : this.core.Tokenization.resolve(value, { scope: this.stack, resolver: new this.core.DefaultTokenResolver(new this.core.StringConcat()) });
  }
}

function literalPolicyArnMatches(config: Config | undefined, arn: string): boolean {
  const name = config?.name;
  if (typeof name !== 'string' || isUnresolvedToken(name)) return false;
  const path = typeof config?.path === 'string' ? config.path : '/';
  return new RegExp(`^arn:[\\w-]+:iam::\\d{12}:policy${escape(path)}${escape(name)}$`).test(arn);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

function isElement(value: unknown): value is IConstruct & { toTerraform(): unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { toTerraform?: unknown }).toTerraform === 'function';
}

function elementType(c: unknown): string | undefined {
  if (!isElement(c)) return undefined;
  const t = (c as { terraformResourceType?: unknown }).terraformResourceType;
  return typeof t === 'string' ? t : undefined;
}

function friendlyId(c: IConstruct): string {
  return String((c as unknown as { friendlyUniqueId: string }).friendlyUniqueId);
}

function isDataSource(c: IConstruct): boolean {
  return isElement(c) && (c.toTerraform() as { data?: unknown }).data !== undefined;
}

/** The element's own configuration block, snake_case, tokens unresolved. */
function configOf(c: IConstruct): Config | undefined {
  if (!isElement(c)) return undefined;
  const type = elementType(c);
  const rendered = c.toTerraform() as Record<string, Record<string, Record<string, Config>>>;
  const blocks = rendered.resource?.[type ?? ''] ?? rendered.data?.[type ?? ''];
  return blocks ? Object.values(blocks)[0] : undefined;
}

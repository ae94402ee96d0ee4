import { attachedPolicySizeProblems, inlinePolicySizeProblem, parsePolicyDocument } from '../analysis/index'; // lazy members: load when a policy is parsed or measured
import type { GrantedPolicies } from '../analysis/granted';
import type { InlinePolicyHolder } from '../analysis/policy-size';
import type { PermissionException, PolicyDocument } from '../analysis/types';
import type { IConstruct } from 'constructs';
import { coreOf, isUnresolvedToken, type CdkCore, type TerraformStack } from './cdk-core';
import type { IamPrincipalElement } from './principal-arn';
import type { PolicySource } from './policy-source';
import { renderApp, stringsOf, type RenderedBlock } from './stack-render';
import { EXCLUSIVE_ROUTES, ignoredChanges, type PrincipalKind, INERT_PATHS, NAME_LOOKUPS, NON_GRANTING, OWN_KEYS, pinResources, ROUTES, unreadArguments } from './grant-routes';
import { terraformLiteral } from './terraform-strings';
import { isAccessAdvisorElement } from './access-advisor-element';

/** Reads a policy argument; its module loads with the first policy, so a stack without one (a cache hit's usual synth) does not load it. */
function policyFromSource(source: PolicySource, path: string): ReturnType<typeof import('./policy-source').policyFromSource> {
  return (require('./policy-source') as typeof import('./policy-source')).policyFromSource(source, path);
}

export { HOW_TO_TRACE } from './grant-routes';

/**
 * What the stack will grant a principal: the policies given to a gate and the policy elements of the same stack
 * attached to the principal (docs/decisions.md, "Judging the stack as it will be"). Pure discovery over the app's
 * synthesized configuration (stack-render.ts), reading the routes of grant-routes.ts and failing closed on every
 * other; the judgement itself is `restrictToGranted` in src/analysis.
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
  /** Its managed policy documents' JSON (several when one would exceed IAM's size limit); undefined when not computed. */
  tightenedJsonDocuments?(): readonly string[] | undefined;
  /** The per-document tokens handed out (`documentJson(i)`), with each document's JSON. */
  tightenedDocuments?(): readonly { readonly token: string; readonly json: string | undefined }[];
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
  /** For each document held inline, the principal holding it (whose inline quota it counts against); undefined for a managed policy. */
  readonly inlineHolders?: readonly (InlineHolder | undefined)[];
  /** The TightenedPolicyDocuments among them: their exceptions apply. */
  readonly tightened: readonly JudgeablePolicy[];
  /**
   * Plan-time gates on the provider only: documents Terraform computes and the provider judges at plan, as
   * references (`${data.accessadvisor_tightened_policy.x.json}`). Never collected for a decision made at synth, where
   * such a document is opaque.
   */
  readonly planDocuments: readonly { readonly expression: string; readonly source: string }[];
  /** The exceptions of the plan-time tightenings among planDocuments: a gate judging one honours them too. */
  readonly planExceptions?: readonly PermissionException[];
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
 * principal is not a resource of the app (an ARN, a data source) or the app attaches nothing to it.
 *
 * Fail closed: the routes by which the app's configuration gives the principal a policy are read only where they
 * are fully understood (see `addAttachedTo`); every other appearance of the principal in the synthesized app counts
 * as "may grant anything" and is listed in `opaque` with the route and how to make it traceable.
 */
export function collectGrants(
  given: readonly JudgedPolicySource[],
  principal: IamPrincipalElement | undefined,
  scope: IConstruct,
  arn?: string,
  judgeStack = true,
  planTime = false,
): StackGrants | undefined {
  const acc = new Accumulator(scope, planTime);
  for (const source of given) acc.addGiven(source);
  const identity = judgeStack || given.length > 0 ? acc.identityOf(principal, arn) : undefined;
  const owned = identity?.block?.section === 'resource';
  // A principal that exists outside the app (a data source, an ARN) keeps what IAM grants it today: only when
  // policies are given does the app's own configuration matter (it may add to them, and only its exclusive resources
  // can take today's away). Even with judgeStackPolicies false: what such a principal keeps is part of the question.
  if (identity && ((judgeStack && owned) || (given.length > 0 && !owned))) acc.addAttachedTo(identity);
  if (given.length > 0 && !owned) acc.requirePinned(identity, arn);
  if (given.length === 0 && acc.empty) return undefined;
  return acc.result();
}

/** The principal an inline policy belongs to: its kind sets the quota, its label names it (and groups its policies). */
export interface InlineHolder {
  readonly kind: InlinePolicyHolder;
  readonly label: string;
}

/**
 * IAM's size limits over the documents a principal will hold (docs/decisions.md, *Size is part of correctness*): a
 * managed policy (an `IamPolicy` attached, a document given to the gate) over 6,144 characters, more than 10 of them,
 * or the inline policies of one holder (`IamRolePolicy`, `inline_policy`, `IamUserPolicy`, `IamGroupPolicy`) over
 * its kind's quota together: a role 10,240, a group 5,120, a user 2,048 characters. A user's groups are holders of
 * their own: their inline policies count against each group's quota, not the user's.
 */
export function grantSizeProblems(grants: StackGrants): string[] {
  // No document, no size to check: a stack without policies (a cache-hit synth's usual shape) need not load the measurer.
  if (grants.documents.length === 0) return [];
  const holders = grants.inlineHolders ?? [];
  const parsed = grants.documents.map((document) => (typeof document === 'string' ? safeParse(document) : document));
  const managed = parsed.map((document, i) => ({ name: grants.sources[i] ?? `policy ${i}`, document })).filter((_, i) => holders[i] === undefined);
  const problems = attachedPolicySizeProblems(managed);
  const byHolder = new Map<string, { holder: InlineHolder; documents: object[] }>();
  parsed.forEach((document, i) => {
    const holder = holders[i];
    if (!holder) return;
    const key = `${holder.kind} ${holder.label}`;
    if (!byHolder.has(key)) byHolder.set(key, { holder, documents: [] });
    byHolder.get(key)!.documents.push(document);
  });
  for (const { holder, documents } of byHolder.values()) {
    const problem = inlinePolicySizeProblem(holder.kind, holder.label, documents);
    if (problem) problems.push(problem);
  }
  return problems;
}

/**
 * Whose inline policy a given `IamRolePolicy` / `IamUserPolicy` / `IamGroupPolicy` is: a reference to a principal
 * of the stack names it as the routes do (its address), a literal names it by name. Undefined for `IamPolicy`.
 */
function inlineHolderOfBlock(block: RenderedBlock): InlineHolder | undefined {
  const kind = /^aws_iam_(role|user|group)_policy$/.exec(block.type ?? '')?.[1] as InlinePolicyHolder | undefined;
  if (!kind) return undefined;
  const target = (block.config as Config | undefined)?.[kind];
  const ref = typeof target === 'string' ? new RegExp(`^\\$\\{(aws_iam_${kind}\\.[\\w-]+)\\.(name|id|arn)\\}$`).exec(target) : null;
  const literal = typeof target === 'string' ? terraformLiteral(target) : undefined;
  return { kind, label: ref?.[1] ?? (literal !== undefined ? `${kind} ${literal}` : `the ${kind} of ${block.address}`) };
}

function safeParse(text: string): object {
  try {
    return JSON.parse(text) as object;
  } catch {
    return { text };
  }
}

const INLINE_TYPES = new Set(['aws_iam_policy', 'aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy']);

type Config = Record<string, unknown>;
type Kind = PrincipalKind;
const KIND_OF_TYPE: Readonly<Record<string, Kind>> = { aws_iam_role: 'role', aws_iam_user: 'user', aws_iam_group: 'group', aws_iam_policy: 'policy' };

/** Who the decision is about, as the configuration can name it. */
interface Identity {
  readonly kind: Kind;
  /** The principal's block (resource or data source), when the app defines or reads it. */
  readonly block?: RenderedBlock;
  /** Its name when literal (IAM names are case-insensitive). */
  readonly name?: string;
  /** How messages name it. */
  readonly label: string;
  /** The account of an ARN-only principal. */
  readonly account?: string;
}

/** Which halves of a principal's set the app pins with exclusive resources (both traced). */
interface Pins {
  managed: boolean;
  inline: boolean;
}

class Accumulator {
  private readonly documents: (PolicyDocument | string)[] = [];
  private readonly sources: string[] = [];
  private readonly inlineHolders: (InlineHolder | undefined)[] = [];
  /** While reading an inline policy: whose it is (every document added meanwhile counts against that quota). */
  private inlineHolder?: InlineHolder;
  private readonly opaque: string[] = [];
  private readonly tightened = new Set<JudgeablePolicy>();
  private readonly planDocuments: { expression: string; source: string }[] = [];
  private readonly planExceptions: PermissionException[] = [];
  private readonly judgeable: JudgeablePolicy[];
  private readonly core: CdkCore;
  private readonly scope: IConstruct;
  private blocksCache?: RenderedBlock[];
  /** Blocks read as the documents of traced routes: their text is judged, so naming the principal there is fine. */
  private readonly read = new Set<RenderedBlock>();
  private readonly visited = new Set<string>();
  /** For each principal read (by address or label): what its exclusive resources pin. */
  private readonly pins = new Map<string, Pins>();
  /** The managed policies already judged for a principal (key: principal, policy address): one attachment each. */
  private readonly managedSeen = new Set<string>();
  private principalKey?: string;
  /** Managed policies given to the decision: judged once, as given, however the stack attaches them. */
  private readonly givenPolicies = new Set<RenderedBlock>();

  constructor(
    scope: IConstruct,
    private readonly planTime: boolean,
  ) {
    this.scope = scope;
    this.core = coreOf(scope);
    this.judgeable = scope.node.root.node.findAll().filter(isJudgeablePolicy);
  }

  /** Every block of the app, rendered once (after every construct exists: at synth). */
  private get blocks(): RenderedBlock[] {
    this.blocksCache ??= renderApp(this.core, this.scope, readsOnly(this.scope));
    return this.blocksCache;
  }

  /** The principal as the configuration names it: its element, or the role/user/group an ARN names. */
  identityOf(principal: IamPrincipalElement | undefined, arn: string | undefined): Identity | undefined {
    const element = principal ?? (arn !== undefined && isUnresolvedToken(arn) ? this.elementReferencedBy(arn) : undefined);
    if (element) {
      const block = this.blocks.find((b) => b.element === element && (b.section === 'resource' || b.section === 'data'));
      const kind = KIND_OF_TYPE[principal?.terraformResourceType ?? block?.type ?? ''];
      if (!block || !kind) return undefined;
      const name = literalString((block.config as Config).name);
      return { kind, block, ...(name !== undefined ? { name } : {}), label: block.address };
    }
    const parsed = arn === undefined || isUnresolvedToken(arn) ? null : /^arn:[\w-]+:iam::\d{12}:(role|user|group|policy)(\/(?:[^/]*\/)*)?([^/]+)$/.exec(arn);
    if (!parsed) return undefined;
    const kind = parsed[1] as Kind;
    const name = parsed[3]!;
    const defined = this.blocks.find(
      (b) => b.section === 'resource' && b.type === `aws_iam_${kind}` && sameName(literalString((b.config as Config | undefined)?.name), name),
    );
    const account = /^arn:[\w-]+:iam::(\d{12}):/.exec(arn!)![1]!;
    return defined ? { kind, block: defined, name, label: defined.address } : { kind, name, label: `${kind} ${name}`, account };
  }

  /** The principal resource a token such as `${aws_iam_role.x.arn}` refers to (a plan-time report's arn). */
  private elementReferencedBy(arn: string): IamPrincipalElement | undefined {
    let resolved: unknown;
    try {
      resolved = this.resolve(arn, this.core.TerraformStack.of(this.scope));
    } catch {
      return undefined;
    }
    const ref = /^\$\{((?:data\.)?aws_iam_(?:role|user|group|policy)\.[^.}]+)\.(arn|id)\}$/.exec(String(resolved));
    if (!ref) return undefined;
    return this.blocks.find((b) => b.address === ref[1])?.element as IamPrincipalElement | undefined;
  }

  get empty(): boolean {
    return this.documents.length === 0 && this.opaque.length === 0 && this.planDocuments.length === 0;
  }

  result(): StackGrants {
    return {
      documents: this.documents,
      opaque: this.opaque,
      sources: this.sources,
      inlineHolders: this.inlineHolders,
      tightened: [...this.tightened],
      planDocuments: this.planDocuments,
      planExceptions: this.planExceptions,
      source: 'the policies this stack attaches',
    };
  }

  private asInlineOf<T>(holder: InlineHolder, read: () => T): T {
    const previous = this.inlineHolder;
    this.inlineHolder = holder;
    try {
      return read();
    } finally {
      this.inlineHolder = previous;
    }
  }

  addGiven(source: JudgedPolicySource): void {
    if (isJudgeablePolicy(source)) return this.addTightened(source, source.node.path);
    const stack = this.core.TerraformStack.of(this.scope);
    if (typeof source === 'string' && isUnresolvedToken(source)) return this.addPolicyValue(source, 'policy (a token)', stack);
    if (isElement(source) && INLINE_TYPES.has(elementType(source) ?? '')) {
      const block = this.blocks.find((b) => b.element === source && b.section === 'resource');
      if (block) this.read.add(block);
      if (block?.type === 'aws_iam_policy') this.givenPolicies.add(block);
      const read = () => this.addPolicyValue((block?.raw as Config | undefined)?.policy, `${elementType(source)}.${source.node.id}`, this.core.TerraformStack.of(source));
      const holder = block ? inlineHolderOfBlock(block) : undefined;
      return holder ? this.asInlineOf(holder, read) : read();
    }
    this.addDocument(policyFromSource(source as PolicySource, 'policy'), 'policy');
  }

  /**
   * What the app gives the principal, failing closed. Understood: the principal's own inline_policy and
   * managed_policy_arns, the ROUTES of its kind in its own stack naming it directly (a reference to it or its
   * literal name) with a literal policy, a policy ARN of a policy the stack defines, or a data document with literal
   * statements; a user's groups. Untraceable, so "may grant anything": a route whose principal argument is any other
   * expression (a local, a variable, a function, a module output), a route in another stack, a route or policy with
   * arguments not read (a dynamic block) or `lifecycle.ignore_changes` on what it grants, and any other block of the
   * app that names the principal (its address, its literal name, or an output of it another stack reads), except
   * the few NON_GRANTING references.
   */
  addAttachedTo(identity: Identity): void {
    const key = identity.block?.address ?? identity.label;
    if (this.visited.has(key)) return;
    this.visited.add(key);
    const previous = this.principalKey;
    this.principalKey = key;
    try {
      this.addAttachedToPrincipal(identity);
    } finally {
      this.principalKey = previous;
    }
  }

  private addAttachedToPrincipal(identity: Identity): void {
    const own = identity.block;
    if (own) this.addOwn(identity, own);
    if (identity.kind === 'policy') return;
    const handled = new Set<RenderedBlock>(own ? [own] : []);
    const routes = ROUTES[identity.kind];
    for (const block of this.blocks) {
      const route = block.section === 'resource' && block.type ? routes[block.type] : undefined;
      if (!route || handled.has(block)) continue;
      // An inline policy given to the gate is judged (and counted against its holder's quota) once, as given.
      if (route.carries === 'policy' && this.read.has(block)) continue;
      const config = block.config as Config;
      const value = config[route.target];
      if (value === undefined || value === null) continue;
      const targets = route.list ? (Array.isArray(value) ? value : [value]) : [value];
      const verdicts = targets.map((t) => this.targetOf(t, identity, block.stack));
      const untraced = (why: string) => {
        handled.add(block);
        this.untraced(block, why);
      };
      if (route.list && !Array.isArray(value)) {
        untraced(`${route.target} = ${show(value)} is not a literal list, so it may name ${identity.label}: list the principals literally or by direct reference`);
        continue;
      }
      const unknown = targets.find((_, i) => verdicts[i] === 'unknown');
      if (unknown !== undefined) {
        untraced(`${route.target} = ${show(unknown)} is neither a direct reference to a principal of the stack nor a literal name, so it may name ${identity.label}: reference the principal directly (e.g. role.name) or name it literally`);
        continue;
      }
      if (!verdicts.includes('ours')) continue;
      handled.add(block);
      if (own && block.stack !== own.stack) {
        this.untraced(block, `attaches to ${identity.label} from another stack of the app, which is not traced: define it in the principal's stack`);
        continue;
      }
      const problem = unreadArguments(block, route.keys) ?? ignoredChanges(block, [route.carries]);
      if (problem) {
        this.untraced(block, problem);
        continue;
      }
      if (route.carries === 'policy') {
        this.asInlineOf({ kind: identity.kind, label: identity.label }, () => this.addPolicyValue((block.raw as Config).policy, block.address, block.stack));
      } else if (route.carries === 'policy_arn') this.addPolicyArn(config.policy_arn, block.address, block.stack);
      else if (route.carries === 'groups') {
        if (!Array.isArray(config.groups)) this.untraced(block, `groups = ${show(config.groups)} is not a literal list: list the groups literally or by direct reference`);
        else for (const group of config.groups) this.addGroup(group, block);
      } else this.addGroup(config.group, block);
    }
    this.addExclusive(identity, handled);
    if (!own) {
      // Named by ARN only: a principal of the app whose name Terraform computes may be this one.
      for (const block of this.blocks) {
        if (block.section === 'resource' && block.type === `aws_iam_${identity.kind}` && literalString((block.config as Config).name) === undefined) {
          handled.add(block);
          this.untraced(block, `its name is not known at synth, so it may be ${identity.label}: give it a literal name`);
        }
      }
    }
    this.addMentions(identity, handled);
  }

  /**
   * The principal's exclusive resources (grant-routes.ts, EXCLUSIVE_ROUTES): the managed policies of a traced
   * `policy_arns` list are judged like any attachment, the names of a traced `policy_names` list must each be an inline
   * policy of the stack for this principal (read by ROUTES). Untraced, so "may grant anything": one that may name the
   * principal without telling, one in another stack or through another provider configuration (another account), one
   * with count/for_each (zero or several copies), arguments not read or ignore_changes, two for the same set (Terraform
   * would fight over it), a list that is not literal, a name that matches no inline policy of the stack.
   */
  private addExclusive(identity: Identity, handled: Set<RenderedBlock>): void {
    if (identity.kind === 'policy') return;
    const routes = EXCLUSIVE_ROUTES[identity.kind];
    const home = identity.block?.stack ?? this.core.TerraformStack.of(this.scope);
    const found: Record<'policy_arns' | 'policy_names', RenderedBlock[]> = { policy_arns: [], policy_names: [] };
    for (const block of this.blocks) {
      const route = block.section === 'resource' && block.type ? routes[block.type] : undefined;
      if (!route || handled.has(block)) continue;
      const verdict = this.targetOf((block.config as Config)[route.target], identity, block.stack);
      if (verdict === 'other') continue;
      handled.add(block);
      if (verdict === 'unknown') {
        this.untraced(block, `${route.target} = ${show((block.config as Config)[route.target])} may name ${identity.label}, so what it pins cannot be told: name the principal literally or by direct reference`);
        continue;
      }
      found[route.carries].push(block);
    }
    const pins: Pins = { managed: false, inline: false };
    for (const carries of ['policy_arns', 'policy_names'] as const) {
      const blocks = found[carries];
      if (blocks.length > 1) {
        const addresses = blocks.map((b) => `${b.address}${b.stack !== home ? ` (stack ${b.stack.node.path})` : ''}`).join(', ');
        for (const block of blocks) this.untraced(block, `one of ${blocks.length} resources pinning the ${carries} of ${identity.label} (${addresses}): Terraform would fight over the set, so it cannot be told: keep one`);
        continue;
      }
      const block = blocks[0];
      if (!block) continue;
      const route = routes[block.type!]!;
      const problem = this.exclusiveProblem(block, route.target, carries, identity, home);
      if (problem) {
        this.untraced(block, problem);
        continue;
      }
      const list = (block.config as Config)[carries];
      if (!Array.isArray(list)) {
        this.untraced(block, `${carries} = ${show(list)} is not a literal list, so the set it pins cannot be told: list every ${carries === 'policy_arns' ? 'policy ARN (literally or by reference to an IamPolicy of the stack)' : 'inline policy name literally'}`);
        continue;
      }
      if (carries === 'policy_arns') {
        for (const arn of list) this.addPolicyArn(arn, `${block.address}.policy_arns`, block.stack);
        pins.managed = true;
        continue;
      }
      const unmatched = list.filter((name) => !this.holdsInlineNamed(identity, name, block.stack));
      if (unmatched.length > 0) {
        this.untraced(
          block,
          `policy_names ${unmatched.map((n) => JSON.stringify(n)).join(', ')} ${unmatched.length === 1 ? 'is' : 'are'} not the literal name of an inline policy this stack gives ${identity.label} (aws_iam_${identity.kind}_policy with a literal name), so ${unmatched.length === 1 ? 'it' : 'they'} may be any document: define each kept inline policy in this stack`,
        );
        continue;
      }
      pins.inline = true;
    }
    this.pins.set(identity.block?.address ?? identity.label, pins);
  }

  /** Why an exclusive resource cannot be read as the principal's whole set; undefined when it can. */
  private exclusiveProblem(block: RenderedBlock, target: string, carries: string, identity: Identity, home: TerraformStack): string | undefined {
    const config = block.config as Config;
    if (block.stack !== home) return `pins ${identity.label} from another stack of the app (${block.stack.node.path}), which is not traced: define it in the stack of ${identity.label}`;
    const copies = ['count', 'for_each'].filter((k) => config[k] !== undefined && config[k] !== null);
    if (copies.length > 0) return `${copies.join('/')} may make zero or several copies of it, so the set may not be pinned (or pinned twice): write it once, without ${copies.join('/')}`;
    const problem = unreadArguments(block, [target, carries]) ?? ignoredChanges(block, [carries, target]);
    if (problem) return problem;
    const provider = providerOf(block);
    if (identity.block) {
      const principalProvider = providerOf(identity.block);
      return provider === principalProvider ? undefined : `applies through provider ${provider} while ${identity.label} is read through ${principalProvider}, which may be another account: use the same provider configuration`;
    }
    // Named by ARN only: the pin holds for that ARN's account only if Terraform refuses any other.
    const accounts = this.allowedAccounts(provider, block.stack);
    return accounts !== undefined && accounts.length > 0 && accounts.every((a) => a === identity.account)
      ? undefined
      : `applies through provider ${provider}, whose account is not known at synth, so it may pin a ${identity.kind} of the same name in another account: set allowed_account_ids = ["${identity.account}"] on that aws provider`;
  }

  /** The literal `allowed_account_ids` of the stack's aws provider configuration `aws` or `aws.ALIAS`; undefined when not literal. */
  private allowedAccounts(provider: string, stack: TerraformStack): string[] | undefined {
    const alias = provider === 'aws' ? undefined : provider.slice('aws.'.length);
    const configs = this.blocks
      .filter((b) => b.section === 'provider' && b.stack === stack)
      .flatMap((b) => asList((b.config as Config | undefined)?.aws) as Config[])
      .filter((c) => literalString(c?.alias) === alias || (alias === undefined && c?.alias === undefined));
    if (configs.length !== 1) return undefined;
    const ids = configs[0]!.allowed_account_ids;
    if (!Array.isArray(ids)) return undefined;
    const literal = ids.map((id) => literalString(id));
    return literal.every((id): id is string => id !== undefined) ? literal : undefined;
  }

  /** Whether the stack gives the principal an inline policy of exactly this literal name (a resource or the role's own block). */
  private holdsInlineNamed(identity: Identity, name: unknown, stack: TerraformStack): boolean {
    const wanted = literalString(name);
    if (wanted === undefined) return false;
    const type = `aws_iam_${identity.kind}_policy`;
    const resource = this.blocks.some(
      (b) =>
        b.section === 'resource' &&
        b.type === type &&
        b.stack === stack &&
        literalString((b.config as Config).name) === wanted &&
        this.targetOf((b.config as Config)[identity.kind], identity, stack) === 'ours',
    );
    const own = identity.block?.section === 'resource' && asList((identity.block.config as Config).inline_policy).some((p) => literalString((p as Config | undefined)?.name) === wanted);
    return resource || own;
  }

  /**
   * A principal the app does not own keeps what IAM grants it today unless the stack pins its whole set: otherwise
   * the given policies are not all it will hold, so the decision judges today's grants too (an opaque entry).
   */
  requirePinned(identity: Identity | undefined, arn: string | undefined): void {
    if (!identity) {
      this.opaque.push(`the principal (${show(arn)}) cannot be told at synth, so the policies it holds today may stay attached: give the principal as a resource of this stack, or its literal ARN`);
      return;
    }
    const what = identity.block ? `${identity.label} is not a resource of this stack (a lookup)` : `${identity.label} is not a resource of this stack (named by ARN)`;
    if (identity.kind === 'policy') {
      this.opaque.push(`${what}: its document stays the one IAM holds today: define the policy in this stack (aws_iam_policy) to judge the document it will have`);
      return;
    }
    if (identity.kind === 'user') {
      this.opaque.push(
        `${what}: the policies attached to it outside the stack stay, and so do its group memberships, which no resource of hashicorp/aws can pin: judge what IAM grants it today, or manage the user in this stack`,
      );
      return;
    }
    const pins = this.pins.get(identity.block?.address ?? identity.label) ?? { managed: false, inline: false };
    if (pins.managed && pins.inline) return;
    const { managed, inline, target } = pinResources(identity.kind);
    const missing = [
      ...(pins.managed ? [] : [`${managed} (${target}, policy_arns = every managed policy it keeps)`]),
      ...(pins.inline ? [] : [`${inline} (${target}, policy_names = every inline policy it keeps, [] for none)`]),
    ];
    this.opaque.push(
      `${what}: the policies attached to it outside this stack stay attached, so what IAM grants it today still counts: pin its whole set in this stack with ${missing.join(' and ')}`,
    );
  }

  /** The principal's own grants (a role's inline_policy / managed_policy_arns; a managed policy's document). */
  private addOwn(identity: Identity, own: RenderedBlock): void {
    if (own.section !== 'resource') return;
    const config = own.config as Config;
    const problem = unreadArguments(own, OWN_KEYS[identity.kind]) ?? ignoredChanges(own, identity.kind === 'policy' ? ['policy'] : ['inline_policy', 'managed_policy_arns']);
    if (problem) return this.untraced(own, problem);
    if (identity.kind === 'policy') return this.addPolicyValue((own.raw as Config).policy, own.address, own.stack);
    if (identity.kind !== 'role') return;
    const raw = own.raw as Config;
    asList(config.inline_policy).forEach((inline, i) => {
      const rawInline = asList(raw.inline_policy)[i] as Config | undefined;
      this.asInlineOf({ kind: 'role', label: identity.label }, () =>
        this.addPolicyValue(rawInline?.policy ?? (inline as Config).policy, `${own.address}.inline_policy`, own.stack),
      );
    });
    const arns = config.managed_policy_arns;
    if (arns !== undefined && arns !== null && !Array.isArray(arns)) {
      return this.untraced(own, `managed_policy_arns = ${show(arns)} is not a literal list: list the policy ARNs literally or by direct reference`);
    }
    for (const arn of asList(arns)) this.addPolicyArn(arn, `${own.address}.managed_policy_arns`, own.stack);
  }

  /** Every other block of the app that names the principal: untraceable unless it is known to grant nothing. */
  private addMentions(identity: Identity, handled: Set<RenderedBlock>): void {
    const own = identity.block;
    const outputs = new Set<string>();
    const addresses = new Map<TerraformStack, Set<string>>();
    for (const b of this.blocks) {
      if (!addresses.has(b.stack)) addresses.set(b.stack, new Set());
      addresses.get(b.stack)!.add(b.address);
    }
    const mentionsIn = (block: RenderedBlock) => mentions(block, identity, outputs, addresses.get(block.stack) ?? new Set());
    // Outputs of the principal's stack that carry it: another stack of the app reads them as remote state.
    for (const block of this.blocks) {
      if (block.section === 'output' && (!own || block.stack === own.stack) && mentionsIn(block).length > 0) outputs.add(block.address.slice('output.'.length));
    }
    for (const block of this.blocks) {
      if (handled.has(block) || this.read.has(block)) continue;
      if (block.error !== undefined) {
        this.untraced(block, `could not be resolved at synth (${block.error}), so it may name ${identity.label}`);
        continue;
      }
      const paths = mentionsIn(block);
      if (paths.length === 0) continue;
      const lookup = block.section === 'data' ? NAME_LOOKUPS[block.type ?? ''] : undefined;
      const inert = lookup ? [lookup] : NON_GRANTING[block.type ?? ''] ?? [];
      const granting = paths.filter((p) => !INERT_PATHS.test(p) && !inert.some((a) => p === a || p.startsWith(`${a}[`) || p.startsWith(`${a}.`)));
      if (granting.length === 0) continue;
      if (block.section === 'output' && (!own || block.stack === own.stack)) continue;
      const where = own && block.stack !== own.stack ? ` (stack ${block.stack.node.path})` : '';
      this.untraced(block, `${where ? `${where.trim()} ` : ''}names ${identity.label} in ${granting.slice(0, 3).join(', ')}${granting.length > 3 ? ` (+${granting.length - 3} more)` : ''}, a route grant discovery cannot trace`);
    }
  }

  /** Whether a principal argument names this principal, another one, or cannot be told. */
  private targetOf(value: unknown, identity: Identity, stack: TerraformStack, depth = 0): 'ours' | 'other' | 'unknown' {
    if (typeof value !== 'string') return 'unknown';
    const literal = terraformLiteral(value);
    if (literal !== undefined) {
      if (identity.name === undefined) return 'unknown';
      return sameName(literal, identity.name) || sameName(arnName(literal), identity.name) ? 'ours' : 'other';
    }
    const ref = /^\$\{((?:data\.)?aws_iam_(?:role|user|group)\.[\w-]+)\.(name|id|arn|unique_id|user_name|group_name)\}$/.exec(value);
    if (!ref) return 'unknown';
    // A reference names a block of its own stack; one of another stack is not yet a remote-state read before synth.
    const other = this.blocks.find((b) => b.address === ref[1] && b.stack === stack && (b.section === 'resource' || b.section === 'data'));
    if (other && other === identity.block) return 'ours';
    if (!other) return identity.block && ref[1] === identity.block.address ? 'ours' : 'unknown';
    const lookup = other.section === 'data' ? NAME_LOOKUPS[other.type ?? ''] : undefined;
    const nameValue = (other.config as Config | undefined)?.[lookup ?? 'name'];
    const otherName = literalString(nameValue);
    // A lookup by a computed name is whoever that name names: follow it back, or it cannot be told.
    if (otherName === undefined && lookup) return depth < 4 ? this.targetOf(nameValue, identity, other.stack, depth + 1) : 'unknown';
    if (otherName === undefined) return identity.block ? 'other' : 'unknown';
    return identity.name !== undefined && sameName(otherName, identity.name) ? 'ours' : 'other';
  }

  private untraced(block: RenderedBlock, why: string): void {
    this.opaque.push(`${block.address}: ${why}`);
  }

  private addGroup(ref: unknown, at: RenderedBlock): void {
    const text = typeof ref === 'string' ? ref : '';
    const byRef = /^\$\{(aws_iam_group\.[\w-]+)\.(name|id|arn)\}$/.exec(text);
    const literal = terraformLiteral(text);
    const group = this.blocks.find(
      (b) =>
        b.section === 'resource' &&
        b.type === 'aws_iam_group' &&
        b.stack === at.stack &&
        (byRef ? b.address === byRef[1] : literal !== undefined && sameName(literalString((b.config as Config | undefined)?.name), literal)),
    );
    if (!group) {
      this.opaque.push(`group ${show(ref)} (${at.address}): not defined in this stack`);
      return;
    }
    const name = literalString((group.config as Config).name);
    this.addAttachedTo({ kind: 'group', block: group, ...(name !== undefined ? { name } : {}), label: group.address });
  }

  private addPolicyArn(arn: unknown, at: string, stack: TerraformStack): void {
    const text = String(arn);
    const ref = /^\$\{(aws_iam_policy\.[^.}]+)\.(arn|id)\}$/.exec(text);
    const literal = terraformLiteral(text);
    const policy = this.blocks.find(
      (b) =>
        b.section === 'resource' &&
        b.type === 'aws_iam_policy' &&
        b.stack === stack &&
        (ref ? b.address === ref[1] : literal !== undefined && literalPolicyArnMatches(b.config as Config | undefined, literal)),
    );
    if (!policy) {
      this.opaque.push(`${text} (${at}): a policy this stack does not define`);
      return;
    }
    // The same policy attached twice (an attachment and the exclusive list naming it) is held once.
    const seen = this.principalKey !== undefined ? `${this.principalKey}\u0000${policy.address}` : undefined;
    if ((seen !== undefined && this.managedSeen.has(seen)) || this.givenPolicies.has(policy)) return;
    if (seen !== undefined) this.managedSeen.add(seen);
    this.read.add(policy);
    const problem = unreadArguments(policy, OWN_KEYS.policy) ?? ignoredChanges(policy, ['policy']);
    if (problem) return this.untraced(policy, problem);
    this.addPolicyValue((policy.raw as Config | undefined)?.policy, `${at} -> ${policy.address}`, stack);
  }

  private addPolicyValue(value: unknown, at: string, stack: TerraformStack): void {
    const tightened = typeof value === 'string' ? this.judgeable.find((j) => j.json === value) : undefined;
    if (tightened) return this.addTightened(tightened, `${at} (TightenedPolicyDocument ${tightened.node.path})`);
    // One of the managed policy documents of a tightening (documentJson(i)): judge exactly that document.
    for (const j of typeof value === 'string' ? this.judgeable : []) {
      const index = j.tightenedDocuments?.().findIndex((d) => d.token === value) ?? -1;
      if (index < 0) continue;
      const json = j.tightenedDocuments!()[index]!.json;
      this.tightened.add(j);
      if (json === undefined || json === '') this.opaque.push(`${at}: document ${index} of TightenedPolicyDocument ${j.node.path} could not be computed`);
      else this.addDocument(json, `${at} (TightenedPolicyDocument ${j.node.path} document ${index})`);
      return;
    }
    let resolved: unknown;
    try {
      resolved = this.resolve(value, stack);
    } catch {
      resolved = undefined;
    }
    const dataDocument = typeof resolved === 'string' ? /^\$\{(data\.aws_iam_policy_document\.[^.}]+)\.json\}$/.exec(resolved) : null;
    if (dataDocument) {
      // The idiom `IamPolicy({ policy: document.json })`: the data source's literal statements are the policy.
      const block = this.blocks.find((b) => b.address === dataDocument[1] && b.stack === stack);
      if (block) {
        this.read.add(block);
        try {
          return this.addDocument(policyFromSource(block.element as PolicySource, at), `${at} (${block.address})`);
        } catch (error) {
          this.opaque.push(`${at} (${block.address}): not read (${(error as Error).message.split('\n')[0]})`);
          return;
        }
      }
    }
    const planDocument = typeof resolved === 'string' ? this.planTimeDocument(resolved, stack) : undefined;
    if (planDocument) {
      this.planDocuments.push({ expression: resolved as string, source: `${at} (${planDocument})` });
      return;
    }
    const text = typeof resolved === 'string' ? terraformLiteral(resolved) : undefined;
    if (text === undefined) {
      this.opaque.push(`${at}: its policy is not known at synth (${show(resolved)}): give it as literal JSON, a data document with literal statements, or a TightenedPolicyDocument`);
      return;
    }
    this.addDocument(text, at);
  }

  /**
   * A plan-time gate judges a tightening Terraform computes, `${data.accessadvisor_tightened_policy.<name>.json}` of
   * the gate's own stack, as what it is: the provider reads it at plan and judges its text. Its address, or undefined.
   */
  private planTimeDocument(resolved: string, stack: TerraformStack): string | undefined {
    if (!this.planTime || stack !== this.core.TerraformStack.of(this.scope)) return undefined;
    const ref = /^\$\{(data\.accessadvisor_tightened_policy\.[A-Za-z_][\w-]*)\.json\}$/.exec(resolved);
    if (!ref) return undefined;
    const defined = stack.node
      .findAll()
      .find((c) => (c as { terraformResourceType?: unknown }).terraformResourceType === 'accessadvisor_tightened_policy' && this.resolve((c as unknown as { fqn: string }).fqn, stack) === `\${${ref[1]}}`);
    if (!defined) return undefined;
    // The DataAccessAdvisorTightenedPolicy holding the element: its exceptions apply to the gate too.
    const exceptions = (defined.node.scope as { exceptions?: readonly PermissionException[] } | undefined)?.exceptions;
    if (Array.isArray(exceptions)) this.planExceptions.push(...exceptions);
    return ref[1];
  }

  private addTightened(t: JudgeablePolicy, at: string): void {
    const json = t.tightenedJson();
    this.tightened.add(t);
    if (json === undefined || json === '') {
      this.opaque.push(`${at}: the tightened policy could not be computed`);
      return;
    }
    // Several managed policy documents are judged as what they are (each within IAM's limits), not as one.
    const documents = t.tightenedJsonDocuments?.();
    if (documents && documents.length > 1) documents.forEach((d, i) => this.addDocument(d, `${at} document ${i}`));
    else this.addDocument(json, at);
  }

  private addDocument(document: PolicyDocument | string, at: string): void {
    try {
      parsePolicyDocument(document, at);
    } catch (error) {
      this.opaque.push(`${at}: not a valid policy document (${(error as Error).message})`);
      return;
    }
    this.documents.push(document);
    this.sources.push(at);
    this.inlineHolders.push(this.inlineHolder);
  }

  private resolve(value: unknown, stack: TerraformStack): unknown {
    return value === undefined ? undefined : this.core.Tokenization.resolve(value, { scope: stack, resolver: new this.core.DefaultTokenResolver(new this.core.StringConcat()) });
  }
}

/** Where a block names the principal: its address (any attribute, inside any function), its literal name, or an output of it. */
function mentions(block: RenderedBlock, identity: Identity, outputs: ReadonlySet<string>, addressesThere: ReadonlySet<string>): string[] {
  const patterns: RegExp[] = [];
  // In another stack with a block at the same address (a per-environment copy), the address names that block.
  const sameAddressThere = identity.block !== undefined && block.stack !== identity.block.stack && addressesThere.has(identity.block.address);
  if (identity.block && !sameAddressThere) patterns.push(new RegExp(`(^|[^\\w.-])${escape(identity.block.address)}(?![\\w-])`));
  if (identity.name !== undefined) patterns.push(new RegExp(`(^|[^\\w+=,.@-])${escape(identity.name)}(?![\\w+=,.@-])`, 'i'));
  for (const output of outputs) patterns.push(new RegExp(`\\.outputs(\\.${escape(output)}(?![\\w-])|\\[\\\\?"${escape(output)}\\\\?"\\])`));
  return stringsOf(block.config)
    .filter(({ text }) => patterns.some((p) => p.test(text)))
    .map(({ path }) => path || '(value)');
}

/**
 * Elements that only read a principal: this package's plan-time report data sources (the external fallback's) and
 * every element of its own provider (`accessadvisor` and its data sources read, never grant).
 */
function readsOnly(scope: IConstruct): (element: IConstruct) => boolean {
  const readers = new Set<IConstruct>();
  for (const c of scope.node.root.node.findAll()) {
    const binding = (c as { planTime?: { dataSource?: IConstruct } }).planTime;
    if (binding?.dataSource) readers.add(binding.dataSource);
  }
  return (element) => readers.has(element) || isAccessAdvisorElement(element);
}

/** The provider configuration a block applies through: `aws` or `aws.ALIAS`. */
function providerOf(block: RenderedBlock): string {
  const provider = (block.config as Config | undefined)?.provider;
  return typeof provider === 'string' ? provider.replace(/^\$\{(.*)\}$/, '$1') : 'aws';
}

function literalString(value: unknown): string | undefined {
  return typeof value === 'string' ? terraformLiteral(value) : undefined;
}

function sameName(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** The name part of an IAM ARN (`arn:aws:iam::1:role/path/name` → `name`); undefined for anything else. */
function arnName(text: string): string | undefined {
  return /^arn:[\w-]+:iam::\d{12}:(?:role|user|group)\/(?:.*\/)?([^/]+)$/.exec(text)?.[1];
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? 'undefined' : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function literalPolicyArnMatches(config: Config | undefined, arn: string): boolean {
  const name = config?.name;
  if (typeof name !== 'string' || isUnresolvedToken(name) || name.includes('${')) return false;
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

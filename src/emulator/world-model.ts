import { createHash } from 'node:crypto';
import { principalArn } from './world';
import { resolveWorldTime } from './time';
import { actionTracking, type ActionTracking } from './tracked-actions';
import type { PolicyDocument, World, WorldAccessEvent, WorldAccount } from './types';
import { DEFAULT_TRACKING_PERIOD_DAYS } from './types';

/**
 * The world indexed for lookups, with every time resolved against the emulator clock at start-up.
 * Reports are computed from this on demand; nothing here is a stored report.
 */
export type PrincipalType = 'user' | 'group' | 'role';

export interface Principal {
  readonly kind: PrincipalType;
  readonly arn: string;
  readonly account: string;
  readonly name: string;
  readonly path: string;
  readonly id: string;
  readonly createDate: Date;
  readonly attachedPolicies: readonly string[];
  readonly inlinePolicies: ReadonlyMap<string, PolicyDocument>;
  /** Groups: member user ARNs. Users: ARNs of the groups they belong to. */
  readonly related: string[];
  readonly description?: string;
  readonly assumeRolePolicyDocument?: PolicyDocument;
  readonly maxSessionDuration?: number;
  readonly tags?: readonly Tag[];
  /**
   * A principal created through the API (CreateRole) starts without history: activity recorded for its ARN before
   * this moment belonged to an earlier principal of the same name, deleted since.
   */
  readonly historySince?: Date;
}

/** An IAM tag (keys are unique case-insensitively). */
export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface ManagedPolicy {
  readonly arn: string;
  readonly account: string;
  readonly awsManaged: boolean;
  readonly name: string;
  readonly path: string;
  readonly id: string;
  readonly description?: string;
  readonly createDate: Date;
  readonly updateDate: Date;
  readonly document: PolicyDocument;
  readonly tags?: readonly Tag[];
}

export interface AccessEvent {
  readonly principal: string;
  readonly account: string;
  readonly service: string;
  readonly action: string;
  readonly region: string;
  readonly time: Date;
  readonly denied: boolean;
}

export type OrgNodeKind = 'root' | 'ou' | 'account';
export interface OrgNode {
  readonly id: string;
  readonly kind: OrgNodeKind;
  /** An OU's name in the world (Organizations answers it as `Name`). */
  readonly name?: string;
  readonly parent?: string;
  readonly children: string[];
}

export interface OrganizationModel {
  readonly id: string;
  readonly rootId: string;
  readonly managementAccountId: string;
  readonly nodes: ReadonlyMap<string, OrgNode>;
  readonly policies: ReadonlyMap<string, { id: string; document: PolicyDocument; targets: readonly string[] }>;
  readonly policiesByTarget: ReadonlyMap<string, readonly string[]>;
}

export interface WorldModel {
  readonly accounts: ReadonlySet<string>;
  /** The world's accounts as declared (name, email, status), for Organizations ListAccounts. */
  readonly accountDetails: ReadonlyMap<string, WorldAccount>;
  /** Changed by the write operations (CreateRole, AttachRolePolicy, …): an entry is replaced, never edited in place. */
  readonly principals: Map<string, Principal>;
  readonly policies: Map<string, ManagedPolicy>;
  readonly accessKeys: ReadonlyMap<string, { id: string; secret: string; owner: string; sessionToken?: string }>;
  /** Events by principal ARN, newest first. */
  readonly eventsByPrincipal: ReadonlyMap<string, readonly AccessEvent[]>;
  readonly organization?: OrganizationModel;
  /** Which services and actions IAM tracks at action level, and since when. */
  readonly tracking: ActionTracking;
  readonly trackingPeriodDays: number;
}

/** A principal's own activity, newest first: none from before it existed (`historySince`). */
export function eventsOf(model: WorldModel, principal: Principal): readonly AccessEvent[] {
  const events = model.eventsByPrincipal.get(principal.arn) ?? [];
  const since = principal.historySince?.getTime();
  return since === undefined ? events : events.filter((e) => e.time.getTime() >= since);
}

/** A stable IAM-style unique id (`AIDA…`, `AROA…`) derived from the ARN when the world gives none. */
export function derivedId(prefix: string, arn: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const digest = createHash('sha256').update(arn).digest();
  let id = prefix;
  for (let i = 0; i < 17; i++) id += alphabet[digest[i]! % 32];
  return id;
}

const ID_PREFIX: Record<PrincipalType, string> = { user: 'AIDA', group: 'AGPA', role: 'AROA' };

export function buildWorldModel(world: World, now: Date): WorldModel {
  const at = (value: string | undefined, fallback: Date): Date => (value ? (resolveWorldTime(value, now) ?? fallback) : fallback);
  const defaultCreated = new Date(now.getTime() - 500 * 86_400_000);

  const principals = new Map<string, Principal>();
  const add = (kind: PrincipalType, list: World['users'] | World['groups'] | World['roles']) => {
    for (const p of list ?? []) {
      const iamPath = p.path ?? '/';
      const arn = principalArn(kind, p.account, p.name, iamPath);
      const role = p as NonNullable<World['roles']>[number];
      principals.set(arn, {
        kind,
        arn,
        account: p.account,
        name: p.name,
        path: iamPath,
        id: p.id ?? derivedId(ID_PREFIX[kind], arn),
        createDate: at(p.createDate, defaultCreated),
        attachedPolicies: p.attachedPolicies ?? [],
        inlinePolicies: new Map(Object.entries(p.inlinePolicies ?? {})),
        related: [],
        ...(kind === 'role'
          ? { description: role.description, assumeRolePolicyDocument: role.assumeRolePolicyDocument, maxSessionDuration: role.maxSessionDuration }
          : {}),
      });
    }
  };
  add('user', world.users);
  add('group', world.groups);
  add('role', world.roles);
  const userArnByName = new Map<string, string>();
  for (const p of principals.values()) if (p.kind === 'user') userArnByName.set(`${p.account}:${p.name}`, p.arn);
  for (const g of world.groups ?? []) {
    const group = principals.get(principalArn('group', g.account, g.name, g.path ?? '/'))!;
    for (const member of g.members ?? []) {
      const userArn = userArnByName.get(`${g.account}:${member}`)!;
      group.related.push(userArn);
      principals.get(userArn)!.related.push(group.arn);
    }
  }

  const policies = new Map<string, ManagedPolicy>();
  for (const p of world.policies ?? []) {
    const account = p.arn.split(':')[4]!;
    const resource = p.arn.slice(p.arn.indexOf(':policy/') + ':policy'.length);
    const slash = resource.lastIndexOf('/');
    const created = at(p.createDate, defaultCreated);
    policies.set(p.arn, {
      arn: p.arn,
      account,
      awsManaged: account === 'aws',
      name: resource.slice(slash + 1),
      path: resource.slice(0, slash + 1),
      id: p.id ?? derivedId('ANPA', p.arn),
      description: p.description,
      createDate: created,
      updateDate: at(p.updateDate, created),
      document: p.document,
    });
  }

  const eventsByPrincipal = new Map<string, AccessEvent[]>();
  for (const e of world.events ?? []) {
    // Passing a role is a permission check, not a call to IAM: access advisor never records iam:PassRole.
    if (/^iam:passrole$/i.test(e.action)) continue;
    const list = eventsByPrincipal.get(e.principal) ?? [];
    list.push(toEvent(e, now));
    eventsByPrincipal.set(e.principal, list);
  }
  for (const list of eventsByPrincipal.values()) list.sort((a, b) => b.time.getTime() - a.time.getTime());

  const settings = world.settings ?? {};
  return {
    accounts: new Set(world.accounts.map((a) => a.id)),
    accountDetails: new Map(world.accounts.map((a) => [a.id, a])),
    principals,
    policies,
    accessKeys: new Map(world.accessKeys.map((k) => [k.id, k])),
    eventsByPrincipal,
    organization: world.organization ? buildOrganization(world.organization) : undefined,
    tracking: actionTracking(settings, now),
    trackingPeriodDays: settings.trackingPeriodDays ?? DEFAULT_TRACKING_PERIOD_DAYS,
  };
}

function toEvent(e: WorldAccessEvent, now: Date): AccessEvent {
  const colon = e.action.indexOf(':');
  return {
    principal: e.principal,
    account: e.principal.split(':')[4]!,
    service: e.action.slice(0, colon).toLowerCase(),
    action: e.action.slice(colon + 1),
    region: e.region ?? 'us-east-1',
    time: resolveWorldTime(e.time, now)!,
    denied: e.denied ?? false,
  };
}

function buildOrganization(org: NonNullable<World['organization']>): OrganizationModel {
  const nodes = new Map<string, OrgNode>();
  const addNode = (id: string, kind: OrgNodeKind, parent?: string, name?: string) => {
    nodes.set(id, { id, kind, parent, children: [], ...(name ? { name } : {}) });
    if (parent) nodes.get(parent)!.children.push(id);
  };
  addNode(org.root.id, 'root');
  for (const a of org.root.accounts ?? []) addNode(a, 'account', org.root.id);
  const walk = (ous: NonNullable<typeof org.root.organizationalUnits>, parent: string) => {
    for (const ou of ous) {
      addNode(ou.id, 'ou', parent, ou.name);
      for (const a of ou.accounts ?? []) addNode(a, 'account', ou.id);
      walk(ou.organizationalUnits ?? [], ou.id);
    }
  };
  walk(org.root.organizationalUnits ?? [], org.root.id);
  const policies = new Map((org.policies ?? []).map((p) => [p.id, { id: p.id, document: p.document, targets: p.targets }]));
  const policiesByTarget = new Map<string, string[]>();
  for (const p of policies.values()) {
    for (const t of p.targets) policiesByTarget.set(t, [...(policiesByTarget.get(t) ?? []), p.id]);
  }
  return { id: org.id, rootId: org.root.id, managementAccountId: org.managementAccountId, nodes, policies, policiesByTarget };
}

/** Ancestors of an org node from the root down to the node itself. */
export function orgLineage(org: OrganizationModel, id: string): string[] {
  const chain: string[] = [];
  for (let node = org.nodes.get(id); node; node = node.parent ? org.nodes.get(node.parent) : undefined) chain.unshift(node.id);
  return chain;
}

/** `o-…/r-…/ou-…/…/ACCOUNT` for a node. */
export function orgEntityPath(org: OrganizationModel, id: string): string {
  return [org.id, ...orgLineage(org, id)].join('/');
}

export function accountsUnder(org: OrganizationModel, id: string): string[] {
  const node = org.nodes.get(id);
  if (!node) return [];
  if (node.kind === 'account') return [node.id];
  return node.children.flatMap((child) => accountsUnder(org, child));
}

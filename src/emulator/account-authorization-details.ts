import { ApiError } from './api-error';
import { pageSize, validMarker } from './access-advisor-operations';
import { policyFields } from './iam-read-operations';
import { paginate } from './paging';
import type { QueryParams } from './query';
import type { Caller, EmulatorState } from './state';
import type { PolicyDocument } from './types';
import type { ManagedPolicy, Principal } from './world-model';
import { list, type XmlNode } from './xml';

/**
 * GetAccountAuthorizationDetails: a snapshot of the caller's account — users, groups, roles and managed policies
 * with their creation dates and policies — paged with MaxItems/Marker over one list of entities (users, groups,
 * roles, customer managed policies, AWS managed policies, in that order), as `Filter` selects them.
 *
 * AWS-managed policies are listed when they are attached to something in the caller's account: the account's
 * view of the AWS catalogue, not the whole catalogue.
 */
export const ENTITY_FILTERS = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] as const;
type EntityFilter = (typeof ENTITY_FILTERS)[number];

type Entity = { kind: 'principal'; principal: Principal } | { kind: 'policy'; policy: ManagedPolicy };

const encodeDocument = (document: PolicyDocument) => encodeURIComponent(JSON.stringify(document));

function readFilter(params: QueryParams): Set<EntityFilter> {
  const values = params.list('Filter');
  if (values === undefined || values.length === 0) return new Set(ENTITY_FILTERS);
  const bad = values.filter((v) => !(ENTITY_FILTERS as readonly string[]).includes(v));
  if (bad.length > 0) {
    throw new ApiError(
      400,
      'ValidationError',
      `1 validation error detected: Value '[${values.join(', ')}]' at 'filter' failed to satisfy constraint: ` +
        `Member must satisfy constraint: [Member must satisfy enum value set: [${ENTITY_FILTERS.join(', ')}]]`,
    );
  }
  return new Set(values as EntityFilter[]);
}

function entitiesOf(state: EmulatorState, caller: Caller, filter: ReadonlySet<EntityFilter>): Entity[] {
  const principals = [...state.model.principals.values()].filter((p) => p.account === caller.account);
  const byKind = (kind: Principal['kind']) =>
    principals.filter((p) => p.kind === kind).map((principal): Entity => ({ kind: 'principal', principal }));
  const attached = new Set(principals.flatMap((p) => p.attachedPolicies));
  const policies = [...state.model.policies.values()];
  const out: Entity[] = [];
  if (filter.has('User')) out.push(...byKind('user'));
  if (filter.has('Group')) out.push(...byKind('group'));
  if (filter.has('Role')) out.push(...byKind('role'));
  if (filter.has('LocalManagedPolicy')) {
    out.push(...policies.filter((p) => !p.awsManaged && p.account === caller.account).map((policy): Entity => ({ kind: 'policy', policy })));
  }
  if (filter.has('AWSManagedPolicy')) {
    out.push(...policies.filter((p) => p.awsManaged && attached.has(p.arn)).map((policy): Entity => ({ kind: 'policy', policy })));
  }
  return out;
}

function inlineList(principal: Principal): XmlNode[] {
  return [...principal.inlinePolicies].map(([name, document]) => ({ PolicyName: name, PolicyDocument: encodeDocument(document) }));
}

function attachedList(state: EmulatorState, principal: Principal): XmlNode[] {
  return principal.attachedPolicies.map((arn) => ({ PolicyName: state.model.policies.get(arn)?.name ?? arn.slice(arn.lastIndexOf('/') + 1), PolicyArn: arn }));
}

function userDetail(state: EmulatorState, p: Principal): XmlNode {
  return {
    Path: p.path,
    UserName: p.name,
    UserId: p.id,
    Arn: p.arn,
    CreateDate: p.createDate,
    UserPolicyList: list(inlineList(p)),
    GroupList: list(p.related.map((arn) => state.model.principals.get(arn)?.name ?? arn)),
    AttachedManagedPolicies: list(attachedList(state, p)),
  };
}

function groupDetail(state: EmulatorState, p: Principal): XmlNode {
  return {
    Path: p.path,
    GroupName: p.name,
    GroupId: p.id,
    Arn: p.arn,
    CreateDate: p.createDate,
    GroupPolicyList: list(inlineList(p)),
    AttachedManagedPolicies: list(attachedList(state, p)),
  };
}

function roleDetail(state: EmulatorState, p: Principal): XmlNode {
  return {
    Path: p.path,
    RoleName: p.name,
    RoleId: p.id,
    Arn: p.arn,
    CreateDate: p.createDate,
    AssumeRolePolicyDocument: p.assumeRolePolicyDocument ? encodeDocument(p.assumeRolePolicyDocument) : undefined,
    InstanceProfileList: list([]),
    RolePolicyList: list(inlineList(p)),
    AttachedManagedPolicies: list(attachedList(state, p)),
  };
}

/** A ManagedPolicyDetail: GetPolicy's fields (without Tags, which this answer does not carry) and its one version. */
function policyDetail(state: EmulatorState, caller: Caller, policy: ManagedPolicy): XmlNode {
  return {
    ...policyFields(state, caller, policy),
    PolicyVersionList: list([
      { Document: encodeDocument(policy.document), VersionId: 'v1', IsDefaultVersion: true, CreateDate: policy.updateDate },
    ]),
  };
}

export function getAccountAuthorizationDetails(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const filter = readFilter(params);
  const entities = entitiesOf(state, caller, filter);
  const scope = `GetAccountAuthorizationDetails:${caller.account}:${[...filter].sort().join(',')}`;
  const page = paginate(entities, scope, validMarker(params), pageSize(state, params));
  const users: XmlNode[] = [];
  const groups: XmlNode[] = [];
  const roles: XmlNode[] = [];
  const policies: XmlNode[] = [];
  for (const e of page.items) {
    if (e.kind === 'policy') policies.push(policyDetail(state, caller, e.policy));
    else if (e.principal.kind === 'user') users.push(userDetail(state, e.principal));
    else if (e.principal.kind === 'group') groups.push(groupDetail(state, e.principal));
    else roles.push(roleDetail(state, e.principal));
  }
  return {
    UserDetailList: list(users),
    GroupDetailList: list(groups),
    RoleDetailList: list(roles),
    Policies: list(policies),
    IsTruncated: page.isTruncated,
    Marker: page.marker,
  };
}

import { ApiError, noSuchEntity } from './api-error';
import { pageSize, validMarker } from './access-advisor-operations';
import { paginate } from './paging';
import type { QueryParams } from './query';
import type { Caller, EmulatorState } from './state';
import type { PolicyDocument } from './types';
import { eventsOf, type ManagedPolicy, type Principal, type PrincipalType, type Tag } from './world-model';
import { list, type XmlList, type XmlNode } from './xml';

/**
 * The IAM reads a client needs beside the reports: a principal's age (CreateDate) and its current policies.
 * Policy documents are URL-encoded JSON, as IAM returns them.
 */
export const encodeDocument = (document: PolicyDocument) => encodeURIComponent(JSON.stringify(document));

const NAME_PARAM: Record<PrincipalType, string> = { user: 'UserName', group: 'GroupName', role: 'RoleName' };

export function findPrincipal(state: EmulatorState, caller: Caller, kind: PrincipalType, name: string): Principal {
  for (const p of state.model.principals.values()) {
    if (p.kind === kind && p.account === caller.account && p.name.toLowerCase() === name.toLowerCase()) return p;
  }
  throw noSuchEntity(`The ${kind} with name ${name} cannot be found.`);
}

export function findPolicy(state: EmulatorState, caller: Caller, arn: string): ManagedPolicy {
  const policy = state.model.policies.get(arn);
  if (!policy || (!policy.awsManaged && policy.account !== caller.account)) {
    throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  }
  return policy;
}

function userNode(p: Principal): XmlNode {
  return { Path: p.path, UserName: p.name, UserId: p.id, Arn: p.arn, CreateDate: p.createDate };
}

export function getUser(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const name = params.string('UserName');
  if (name === undefined && caller.principal.kind !== 'user') {
    throw new ApiError(400, 'ValidationError', 'Must specify userName when calling with non-User credentials');
  }
  const user = name === undefined ? caller.principal : findPrincipal(state, caller, 'user', name);
  return { User: userNode(user) };
}

export function getRole(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  return { Role: roleNode(state, findPrincipal(state, caller, 'role', params.required('RoleName'))) };
}

/** A role as GetRole and CreateRole answer it: its trust policy URL-encoded, its last use, its tags. */
export function roleNode(state: EmulatorState, role: Principal): XmlNode {
  const lastUse = eventsOf(state.model, role).find((e) => e.time.getTime() <= state.clock().getTime());
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.id,
    Arn: role.arn,
    CreateDate: role.createDate,
    AssumeRolePolicyDocument: role.assumeRolePolicyDocument ? encodeDocument(role.assumeRolePolicyDocument) : undefined,
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration ?? 3600,
    Tags: tagList(role.tags),
    RoleLastUsed: lastUse ? { LastUsedDate: lastUse.time, Region: lastUse.region } : {},
  };
}

/** Tags as IAM lists them; left out when there are none. */
export function tagList(tags: readonly Tag[] | undefined): XmlList | undefined {
  return tags && tags.length > 0 ? list(tags.map((t) => ({ Key: t.Key, Value: t.Value }))) : undefined;
}

export function getGroup(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const group = findPrincipal(state, caller, 'group', params.required('GroupName'));
  const members = group.related.map((arn) => state.model.principals.get(arn)!);
  const page = paginate(members, `GetGroup:${group.arn}`, validMarker(params), pageSize(state, params));
  return {
    Group: { Path: group.path, GroupName: group.name, GroupId: group.id, Arn: group.arn, CreateDate: group.createDate },
    Users: list(page.items.map(userNode)),
    IsTruncated: page.isTruncated,
    Marker: page.marker,
  };
}

function attachmentCount(state: EmulatorState, caller: Caller, policy: ManagedPolicy): number {
  let count = 0;
  for (const p of state.model.principals.values()) if (p.account === caller.account && p.attachedPolicies.includes(policy.arn)) count++;
  return count;
}

export function getPolicy(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  return { Policy: policyNode(state, caller, findPolicy(state, caller, params.required('PolicyArn'))) };
}

/** A managed policy as GetPolicy and CreatePolicy answer it (one version, v1). */
export function policyNode(state: EmulatorState, caller: Caller, policy: ManagedPolicy): XmlNode {
  return { ...policyFields(state, caller, policy), Tags: tagList(policy.tags) };
}

/** What every answer that describes a managed policy says of it (GetPolicy, GetAccountAuthorizationDetails). */
export function policyFields(state: EmulatorState, caller: Caller, policy: ManagedPolicy): XmlNode {
  return {
    PolicyName: policy.name,
    PolicyId: policy.id,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: 'v1',
    AttachmentCount: attachmentCount(state, caller, policy),
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: policy.description,
    CreateDate: policy.createDate,
    UpdateDate: policy.updateDate,
  };
}

export function getPolicyVersion(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const policy = findPolicy(state, caller, params.required('PolicyArn'));
  const versionId = params.required('VersionId');
  if (versionId !== 'v1') throw noSuchEntity(`Policy ${policy.arn} version ${versionId} does not exist.`);
  return {
    PolicyVersion: { Document: encodeDocument(policy.document), VersionId: 'v1', IsDefaultVersion: true, CreateDate: policy.updateDate },
  };
}

export const listAttachedPolicies = (kind: PrincipalType) => (state: EmulatorState, caller: Caller, params: QueryParams): XmlNode => {
  const principal = findPrincipal(state, caller, kind, params.required(NAME_PARAM[kind]));
  const prefix = params.string('PathPrefix') ?? '/';
  const attached = principal.attachedPolicies.map((arn) => state.model.policies.get(arn)!).filter((p) => p.path.startsWith(prefix));
  const page = paginate(attached, `ListAttached:${principal.arn}:${prefix}`, validMarker(params), pageSize(state, params));
  return {
    AttachedPolicies: list(page.items.map((p) => ({ PolicyName: p.name, PolicyArn: p.arn }))),
    IsTruncated: page.isTruncated,
    Marker: page.marker,
  };
};

export const listInlinePolicies = (kind: PrincipalType) => (state: EmulatorState, caller: Caller, params: QueryParams): XmlNode => {
  const principal = findPrincipal(state, caller, kind, params.required(NAME_PARAM[kind]));
  const names = [...principal.inlinePolicies.keys()].sort();
  const page = paginate(names, `ListInline:${principal.arn}`, validMarker(params), pageSize(state, params));
  return { PolicyNames: list(page.items), IsTruncated: page.isTruncated, Marker: page.marker };
};

export const getInlinePolicy = (kind: PrincipalType) => (state: EmulatorState, caller: Caller, params: QueryParams): XmlNode => {
  const principal = findPrincipal(state, caller, kind, params.required(NAME_PARAM[kind]));
  const policyName = params.required('PolicyName');
  const entry = [...principal.inlinePolicies].find(([name]) => name.toLowerCase() === policyName.toLowerCase());
  if (!entry) throw noSuchEntity(`The ${kind} policy with name ${policyName} cannot be found.`);
  return { [NAME_PARAM[kind]]: principal.name, PolicyName: entry[0], PolicyDocument: encodeDocument(entry[1]) };
};

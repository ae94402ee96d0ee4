import { ApiError, invalidInput, noSuchEntity } from './api-error';
import { pageSize, validMarker } from './access-advisor-operations';
import { findPolicy, findPrincipal, roleNode, tagList } from './iam-read-operations';
import { paginate } from './paging';
import type { QueryParams } from './query';
import type { Caller, EmulatorState } from './state';
import { taggedWith, untaggedWith, validDescription, validDocument, validName, validPath, validSessionDuration, validTags } from './write-inputs';
import { principalArn } from './world';
import { derivedId, type Principal } from './world-model';
import { list, type XmlNode } from './xml';

/**
 * The role writes a Terraform configuration makes (hashicorp/aws's aws_iam_role, aws_iam_role_policy and
 * aws_iam_role_policy_attachment): create, update, tag, attach, delete. A new role exists from the emulator clock's
 * now, with no activity, so a report on it has no history to show.
 */

const ROLE_NAME_MAX = 64;
const POLICY_NAME_MAX = 128;
/** Managed policies per role (IAM's default quota). */
const ATTACHED_POLICIES_PER_ROLE = 10;

const roleOf = (state: EmulatorState, caller: Caller, params: QueryParams) =>
  findPrincipal(state, caller, 'role', validName(params, 'RoleName', ROLE_NAME_MAX));

/** Principals are replaced, never edited: a job or session holding the old object keeps what it saw. */
function replace(state: EmulatorState, role: Principal, changes: Partial<Principal>): Principal {
  const updated = { ...role, ...changes };
  state.model.principals.set(role.arn, updated);
  return updated;
}

export function createRole(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const name = validName(params, 'RoleName', ROLE_NAME_MAX);
  const path = validPath(params);
  const trust = validDocument(params, 'AssumeRolePolicyDocument', 'trust');
  const description = validDescription(params);
  const maxSessionDuration = validSessionDuration(params) ?? 3600;
  const tags = validTags(params);
  if (params.has('PermissionsBoundary')) {
    throw invalidInput('PermissionsBoundary: the emulator does not model permissions boundaries; create the role without one.');
  }
  for (const p of state.model.principals.values()) {
    if (p.kind === 'role' && p.account === caller.account && p.name.toLowerCase() === name.toLowerCase()) {
      throw new ApiError(409, 'EntityAlreadyExists', `Role with name ${name} already exists.`);
    }
  }
  // IAM keeps creation dates to the second.
  const now = new Date(Math.floor(state.clock().getTime() / 1000) * 1000);
  const arn = principalArn('role', caller.account, name, path);
  const role: Principal = {
    kind: 'role',
    arn,
    account: caller.account,
    name,
    path,
    // A new role is a new principal: a role deleted and created again under the same name gets another id.
    id: derivedId('AROA', `${arn}#${now.toISOString()}`),
    createDate: now,
    attachedPolicies: [],
    inlinePolicies: new Map(),
    related: [],
    assumeRolePolicyDocument: trust,
    maxSessionDuration,
    tags,
    historySince: now,
    ...(description !== undefined ? { description } : {}),
  };
  state.model.principals.set(arn, role);
  return { Role: roleNode(state, role) };
}

/** IAM refuses to delete a role that still has policies; instance profiles do not exist in the emulator. */
export function deleteRole(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const role = roleOf(state, caller, params);
  if (role.attachedPolicies.length > 0) throw new ApiError(409, 'DeleteConflict', 'Cannot delete entity, must detach all policies first.');
  if (role.inlinePolicies.size > 0) throw new ApiError(409, 'DeleteConflict', 'Cannot delete entity, must delete policies first.');
  state.model.principals.delete(role.arn);
  return {};
}

export function updateRole(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const role = roleOf(state, caller, params);
  const description = validDescription(params);
  const maxSessionDuration = validSessionDuration(params);
  replace(state, role, {
    ...(description !== undefined ? { description } : {}),
    ...(maxSessionDuration !== undefined ? { maxSessionDuration } : {}),
  });
  return {};
}

export function updateAssumeRolePolicy(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const role = roleOf(state, caller, params);
  replace(state, role, { assumeRolePolicyDocument: validDocument(params, 'PolicyDocument', 'trust') });
  return {};
}

export function listInstanceProfilesForRole(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const role = roleOf(state, caller, params);
  const page = paginate([], `ListInstanceProfilesForRole:${role.arn}`, validMarker(params), pageSize(state, params));
  return { InstanceProfiles: list(page.items), IsTruncated: page.isTruncated, Marker: page.marker };
}

export function tagRole(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const role = roleOf(state, caller, params);
  replace(state, role, { tags: taggedWith(role.tags, params) });
  return {};
}

export function untagRole(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const role = roleOf(state, caller, params);
  replace(state, role, { tags: untaggedWith(role.tags, params) });
  return {};
}

export function listRoleTags(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const role = roleOf(state, caller, params);
  const page = paginate(role.tags ?? [], `ListRoleTags:${role.arn}`, validMarker(params), pageSize(state, params));
  return { Tags: tagList(page.items) ?? list([]), IsTruncated: page.isTruncated, Marker: page.marker };
}

export function putRolePolicy(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const role = roleOf(state, caller, params);
  const name = validName(params, 'PolicyName', POLICY_NAME_MAX);
  const document = validDocument(params, 'PolicyDocument', 'identity');
  const inline = new Map([...role.inlinePolicies].filter(([existing]) => existing.toLowerCase() !== name.toLowerCase()));
  inline.set(name, document);
  replace(state, role, { inlinePolicies: inline });
  return {};
}

export function deleteRolePolicy(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const role = roleOf(state, caller, params);
  const name = validName(params, 'PolicyName', POLICY_NAME_MAX);
  const entry = [...role.inlinePolicies.keys()].find((existing) => existing.toLowerCase() === name.toLowerCase());
  if (entry === undefined) throw noSuchEntity(`The role policy with name ${name} cannot be found.`);
  replace(state, role, { inlinePolicies: new Map([...role.inlinePolicies].filter(([existing]) => existing !== entry)) });
  return {};
}

export function attachRolePolicy(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const role = roleOf(state, caller, params);
  const policy = findPolicy(state, caller, params.required('PolicyArn'));
  if (role.attachedPolicies.includes(policy.arn)) return {};
  if (role.attachedPolicies.length >= ATTACHED_POLICIES_PER_ROLE) {
    throw new ApiError(409, 'LimitExceeded', `Cannot exceed quota for PoliciesPerRole: ${ATTACHED_POLICIES_PER_ROLE}`);
  }
  replace(state, role, { attachedPolicies: [...role.attachedPolicies, policy.arn] });
  return {};
}

export function detachRolePolicy(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const role = roleOf(state, caller, params);
  const policyArn = params.required('PolicyArn');
  if (!role.attachedPolicies.includes(policyArn)) throw noSuchEntity(`Policy ${policyArn} was not found.`);
  replace(state, role, { attachedPolicies: role.attachedPolicies.filter((arn) => arn !== policyArn) });
  return {};
}

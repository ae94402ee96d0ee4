import { ApiError } from './api-error';
import { pageSize, validMarker } from './access-advisor-operations';
import { findPolicy, policyNode, tagList } from './iam-read-operations';
import { paginate } from './paging';
import type { QueryParams } from './query';
import type { Caller, EmulatorState } from './state';
import { taggedWith, untaggedWith, validDescription, validDocument, validName, validPath, validTags } from './write-inputs';
import { derivedId, type ManagedPolicy } from './world-model';
import { list, type XmlNode } from './xml';

/**
 * Customer managed policies a configuration creates (hashicorp/aws's aws_iam_policy): one version each (v1), as the
 * world's policies; changing a document (CreatePolicyVersion) is not served.
 */

const POLICY_NAME_MAX = 128;

/** The caller's own customer managed policy: AWS managed policies cannot be changed or deleted. */
function ownPolicy(state: EmulatorState, caller: Caller, params: QueryParams): ManagedPolicy {
  const policy = findPolicy(state, caller, params.required('PolicyArn'));
  if (policy.awsManaged) throw new ApiError(403, 'AccessDenied', `User: ${caller.principal.arn} is not authorized to change the AWS managed policy ${policy.arn}`);
  return policy;
}

function replace(state: EmulatorState, policy: ManagedPolicy, changes: Partial<ManagedPolicy>): void {
  state.model.policies.set(policy.arn, { ...policy, ...changes });
}

export function createPolicy(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const name = validName(params, 'PolicyName', POLICY_NAME_MAX);
  const path = validPath(params);
  const document = validDocument(params, 'PolicyDocument', 'identity');
  const description = validDescription(params);
  const tags = validTags(params);
  for (const p of state.model.policies.values()) {
    if (!p.awsManaged && p.account === caller.account && p.name.toLowerCase() === name.toLowerCase()) {
      throw new ApiError(409, 'EntityAlreadyExists', `A policy called ${name} already exists. Duplicate names are not allowed.`);
    }
  }
  // IAM keeps creation dates to the second.
  const now = new Date(Math.floor(state.clock().getTime() / 1000) * 1000);
  const arn = `arn:aws:iam::${caller.account}:policy${path}${name}`;
  const policy: ManagedPolicy = {
    arn,
    account: caller.account,
    awsManaged: false,
    name,
    path,
    id: derivedId('ANPA', `${arn}#${now.toISOString()}`),
    createDate: now,
    updateDate: now,
    document,
    tags,
    ...(description !== undefined ? { description } : {}),
  };
  state.model.policies.set(arn, policy);
  return { Policy: policyNode(state, caller, policy) };
}

export function deletePolicy(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const policy = ownPolicy(state, caller, params);
  for (const p of state.model.principals.values()) {
    if (p.attachedPolicies.includes(policy.arn)) throw new ApiError(409, 'DeleteConflict', 'Cannot delete a policy attached to entities.');
  }
  state.model.policies.delete(policy.arn);
  return {};
}

export function listPolicyVersions(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const policy = findPolicy(state, caller, params.required('PolicyArn'));
  const page = paginate([policy], `ListPolicyVersions:${policy.arn}`, validMarker(params), pageSize(state, params));
  return {
    Versions: list(page.items.map((p) => ({ VersionId: 'v1', IsDefaultVersion: true, CreateDate: p.updateDate }))),
    IsTruncated: page.isTruncated,
    Marker: page.marker,
  };
}

export function tagPolicy(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const policy = ownPolicy(state, caller, params);
  replace(state, policy, { tags: taggedWith(policy.tags, params) });
  return {};
}

export function untagPolicy(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const policy = ownPolicy(state, caller, params);
  replace(state, policy, { tags: untaggedWith(policy.tags, params) });
  return {};
}

export function listPolicyTags(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const policy = findPolicy(state, caller, params.required('PolicyArn'));
  const page = paginate(policy.tags ?? [], `ListPolicyTags:${policy.arn}`, validMarker(params), pageSize(state, params));
  return { Tags: tagList(page.items) ?? list([]), IsTruncated: page.isTruncated, Marker: page.marker };
}

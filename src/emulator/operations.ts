import { getAccountAuthorizationDetails } from './account-authorization-details';
import * as advisor from './access-advisor-operations';
import { getCallerIdentity } from './caller-identity';
import * as reads from './iam-read-operations';
import * as policyWrites from './policy-write-operations';
import * as roleWrites from './role-write-operations';
import type { QueryParams } from './query';
import type { Caller, EmulatorState } from './state';
import { assumeRole } from './sts';
import type { XmlNode } from './xml';

export type OperationHandler = (state: EmulatorState, caller: Caller, params: QueryParams) => XmlNode;

/** Every Action the emulator answers; anything else is 400 InvalidAction. */
export const OPERATIONS: Readonly<Record<string, OperationHandler>> = {
  GenerateServiceLastAccessedDetails: advisor.generateServiceLastAccessedDetails,
  GetServiceLastAccessedDetails: advisor.getServiceLastAccessedDetails,
  GetServiceLastAccessedDetailsWithEntities: advisor.getServiceLastAccessedDetailsWithEntities,
  GenerateOrganizationsAccessReport: advisor.generateOrganizationsAccessReport,
  GetOrganizationsAccessReport: advisor.getOrganizationsAccessReport,
  ListPoliciesGrantingServiceAccess: advisor.listPoliciesGrantingServiceAccess,
  GetUser: reads.getUser,
  GetRole: reads.getRole,
  GetGroup: reads.getGroup,
  GetPolicy: reads.getPolicy,
  GetPolicyVersion: reads.getPolicyVersion,
  GetAccountAuthorizationDetails: getAccountAuthorizationDetails,
  ListAttachedUserPolicies: reads.listAttachedPolicies('user'),
  ListAttachedGroupPolicies: reads.listAttachedPolicies('group'),
  ListAttachedRolePolicies: reads.listAttachedPolicies('role'),
  ListUserPolicies: reads.listInlinePolicies('user'),
  ListGroupPolicies: reads.listInlinePolicies('group'),
  ListRolePolicies: reads.listInlinePolicies('role'),
  GetUserPolicy: reads.getInlinePolicy('user'),
  GetGroupPolicy: reads.getInlinePolicy('group'),
  GetRolePolicy: reads.getInlinePolicy('role'),
  // What a Terraform configuration's roles and policies need (hashicorp/aws): create, tag, attach, delete.
  CreateRole: roleWrites.createRole,
  DeleteRole: roleWrites.deleteRole,
  UpdateRole: roleWrites.updateRole,
  UpdateAssumeRolePolicy: roleWrites.updateAssumeRolePolicy,
  ListInstanceProfilesForRole: roleWrites.listInstanceProfilesForRole,
  TagRole: roleWrites.tagRole,
  UntagRole: roleWrites.untagRole,
  ListRoleTags: roleWrites.listRoleTags,
  PutRolePolicy: roleWrites.putRolePolicy,
  DeleteRolePolicy: roleWrites.deleteRolePolicy,
  AttachRolePolicy: roleWrites.attachRolePolicy,
  DetachRolePolicy: roleWrites.detachRolePolicy,
  CreatePolicy: policyWrites.createPolicy,
  DeletePolicy: policyWrites.deletePolicy,
  ListPolicyVersions: policyWrites.listPolicyVersions,
  TagPolicy: policyWrites.tagPolicy,
  UntagPolicy: policyWrites.untagPolicy,
  ListPolicyTags: policyWrites.listPolicyTags,
};

/** STS Actions served on the same endpoint (signing name `sts`, STS XML namespace). */
export const STS_OPERATIONS: Readonly<Record<string, OperationHandler>> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};

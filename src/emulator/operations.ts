import { getAccountAuthorizationDetails } from './account-authorization-details';
import * as advisor from './access-advisor-operations';
import { getCallerIdentity } from './caller-identity';
import * as reads from './iam-read-operations';
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
};

/** STS Actions served on the same endpoint (signing name `sts`, STS XML namespace). */
export const STS_OPERATIONS: Readonly<Record<string, OperationHandler>> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};

/**
 * Services a service control policy proposal never denies, whatever the evidence: the paths an organization uses to
 * manage its accounts, reach them and recover them. A deny-list SCP on them can lock every principal of every
 * account under the target out — including the break-glass role — and only the management account can undo it.
 * Sources: AWS Organizations user guide (SCPs do not affect the management account; OrganizationAccountAccessRole
 * is reached through sts:AssumeRole), the IAM user guide on access advisor for organizations, and AWS's guidance to
 * keep break-glass access (console sign-in, IAM Identity Center, Support for account recovery) out of guardrails.
 */
export interface ProtectedService {
  readonly service: string;
  readonly reason: string;
}

export const DEFAULT_PROTECTED_SERVICES: readonly ProtectedService[] = [
  { service: 'sts', reason: 'role assumption (sts:AssumeRole, OrganizationAccountAccessRole, break-glass roles, pipelines) is how people reach member accounts; denying it locks them out' },
  { service: 'iam', reason: 'managing roles and policies, including the break-glass role and access advisor itself (iam:GenerateServiceLastAccessedDetails)' },
  { service: 'organizations', reason: 'accounts describe their organization and accept handshakes; delegated administrators manage it from member accounts' },
  { service: 'support', reason: 'AWS Support cases: account recovery, quota increases and incident escalation must stay possible' },
  { service: 'signin', reason: 'console sign-in (including federated and root sign-in) is the break-glass path when automation fails' },
  { service: 'sso', reason: 'IAM Identity Center provisions permission sets into member accounts; denying it breaks workforce access' },
  { service: 'identitystore', reason: 'IAM Identity Center users and groups are read through it when people sign in' },
  { service: 'account', reason: 'alternate contacts and Region opt-in/opt-out (account:EnableRegion) are managed through it' },
  { service: 'cloudtrail', reason: 'the audit trail: incident response reads it (cloudtrail:LookupEvents) even when nobody did recently' },
  { service: 'health', reason: 'AWS Health events (outages, scheduled changes, abuse notices) must stay visible to account owners' },
];

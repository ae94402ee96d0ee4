import { ApiError, validationError } from './api-error';
import type { QueryParams } from './query';
import type { Caller, EmulatorState } from './state';
import type { Principal } from './world-model';
import type { XmlNode } from './xml';

/**
 * STS `AssumeRole`, simplified: any caller may assume any role of its own account (the role's trust policy is not
 * evaluated there); a role of another account only when its trust policy allows `sts:AssumeRole` to the caller's
 * account (`arn:aws:iam::ACCOUNT:root` or the bare id) or to the caller's own ARN, and denies it to neither — how a
 * management account reaches `OrganizationAccountAccessRole` in its members. The temporary credentials it issues are
 * kept by the SessionStore (sessions.ts); requests signed with them act as the role.
 */
export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ROLE_ARN_LENGTH = { min: 20, max: 2048 };
const DURATION = { min: 900, default: 3600, roleDefaultMax: 3600 };

/** ISO-8601 to the second, as STS writes `Expiration`. */
const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function assumeRole(state: EmulatorState, caller: Caller, params: QueryParams): XmlNode {
  const roleArn = params.required('RoleArn');
  const sessionName = params.required('RoleSessionName');
  if (roleArn.length < ROLE_ARN_LENGTH.min || roleArn.length > ROLE_ARN_LENGTH.max) {
    throw validationError(roleArn, 'roleArn', `Member must have length between ${ROLE_ARN_LENGTH.min} and ${ROLE_ARN_LENGTH.max}`);
  }
  if (!SESSION_NAME.test(sessionName)) {
    throw validationError(sessionName, 'roleSessionName', 'Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64');
  }
  const role = state.model.principals.get(roleArn);
  if (!role || role.kind !== 'role' || (role.account !== caller.account && !trusts(role, caller))) {
    throw new ApiError(403, 'AccessDenied', `User: ${caller.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  }
  const maxDuration = role.maxSessionDuration ?? DURATION.roleDefaultMax;
  const duration = params.integer('DurationSeconds') ?? DURATION.default;
  if (duration < DURATION.min) {
    throw validationError(String(duration), 'durationSeconds', `Member must have value greater than or equal to ${DURATION.min}`);
  }
  if (duration > maxDuration) {
    throw new ApiError(400, 'ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  const expiration = new Date(Math.floor(state.clock().getTime() / 1000) * 1000 + duration * 1000);
  const session = state.sessions.issue(role, sessionName, expiration);
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: isoSeconds(expiration),
    },
    AssumedRoleUser: {
      AssumedRoleId: `${role.id}:${sessionName}`,
      Arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/${sessionName}`,
    },
  };
}

/** Whether the role's trust policy lets the caller (another account's principal) assume it. */
export function trusts(role: Principal, caller: Caller): boolean {
  const statements = role.assumeRolePolicyDocument?.Statement;
  const list = statements === undefined ? [] : Array.isArray(statements) ? statements : [statements];
  const names = new Set([caller.account, `arn:aws:iam::${caller.account}:root`, caller.principal.arn]);
  const matches = (st: (typeof list)[number]): boolean => {
    const actions = st.Action === undefined ? [] : Array.isArray(st.Action) ? st.Action : [st.Action];
    if (!actions.some((a) => /^(\*|sts:\*|sts:assumerole)$/i.test(a))) return false;
    const principal = st.Principal as { AWS?: string | string[] } | string | undefined;
    if (principal === '*') return true;
    const aws = typeof principal === 'object' && principal !== null ? principal.AWS : undefined;
    const named = aws === undefined ? [] : Array.isArray(aws) ? aws : [aws];
    return named.some((n) => n === '*' || names.has(n));
  };
  if (list.some((st) => st.Effect === 'Deny' && matches(st))) return false;
  return list.some((st) => st.Effect === 'Allow' && st.Condition === undefined && matches(st));
}

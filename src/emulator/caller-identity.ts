import type { QueryParams } from './query';
import type { Caller, EmulatorState } from './state';
import type { XmlNode } from './xml';

/**
 * STS `GetCallerIdentity`: who signed the request. Needs no permission, as in AWS. A session of an assumed role
 * answers with its `assumed-role` ARN and `RoleId:SessionName`, a world key with its owner.
 */
export function getCallerIdentity(state: EmulatorState, caller: Caller, _params: QueryParams): XmlNode {
  const session = caller.session ? state.sessions.get(caller.session) : undefined;
  if (session) {
    return {
      UserId: `${caller.principal.id}:${session.sessionName}`,
      Account: caller.account,
      Arn: `arn:aws:sts::${caller.account}:assumed-role/${caller.principal.name}/${session.sessionName}`,
    };
  }
  return { UserId: caller.principal.id, Account: caller.account, Arn: caller.principal.arn };
}

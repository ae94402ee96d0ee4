import type { PrincipalKind } from './report';

/**
 * IAM's documented input constraints of the access-advisor operations (the length and pattern limits of the IAM API
 * reference for each parameter), in one place: the engine checks them before any call to give a friendly error, and
 * the emulator checks them to answer InvalidInput as IAM does.
 */

export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;

export const ARN_LENGTH = { min: 20, max: 2048 } as const;
export const JOB_ID_LENGTH = 36;
export const MAX_ITEMS = { min: 1, max: 1000 } as const;
export const MARKER_PATTERN = /^[\u0020-\u00FF]{1,320}$/;
export const SERVICE_NAMESPACE_PATTERN = /^[\w-]{1,64}$/;
export const SERVICE_NAMESPACES_COUNT = { min: 1, max: 200 } as const;
export const ENTITY_PATH_LENGTH = { min: 19, max: 427 } as const;
export const ENTITY_PATH_PATTERN = /^o-[0-9a-z]{10,32}\/r-[0-9a-z]{4,32}[0-9a-z-/]*$/;
export const ORGANIZATIONS_POLICY_ID_PATTERN = /^p-[0-9a-zA-Z_]{8,128}$/;

const NAME_LIMITS: Record<PrincipalKind, number> = { user: 64, role: 64, group: 128, policy: 128 };
const IAM_NAME = /^[\w+=,.@-]+$/;
// IAM's pathType exactly: `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`. The middle may hold slashes, so `/a//b/` is
// a path IAM accepts (and `//`, with nothing between the slashes, is not): refusing it would refuse real principals.
const IAM_PATH = /^(?:\/|\/[\u0021-\u007E]+\/)$/;

export interface ParsedPrincipalArn {
  readonly partition: (typeof PARTITIONS)[number];
  /** 12-digit account id, or `aws` for an AWS-managed policy. */
  readonly account: string;
  readonly kind: PrincipalKind;
  readonly path: string;
  readonly name: string;
  readonly awsManaged: boolean;
}

/**
 * Parses `arn:PARTITION:iam::ACCOUNT:(user|group|role|policy)/[path/]name`. Returns a reason instead of throwing
 * so that each caller can raise its own kind of error.
 */
export function parsePrincipalArn(arn: string): ParsedPrincipalArn | { error: string } {
  if (typeof arn !== 'string') return { error: 'a string' };
  if (arn.length < ARN_LENGTH.min || arn.length > ARN_LENGTH.max) {
    return { error: `an ARN of ${ARN_LENGTH.min} to ${ARN_LENGTH.max} characters` };
  }
  const m = /^arn:([^:]+):iam::([^:]+):(user|group|role|policy)(\/.*)$/.exec(arn);
  if (!m) {
    return { error: 'an IAM ARN arn:PARTITION:iam::ACCOUNT:(user|group|role|policy)/[PATH/]NAME' };
  }
  const [, partition, account, kind, rest] = m as unknown as [string, string, string, PrincipalKind, string];
  if (!(PARTITIONS as readonly string[]).includes(partition)) {
    return { error: `partition ${PARTITIONS.join(', ')}` };
  }
  const awsManaged = account === 'aws';
  if (awsManaged && kind !== 'policy') return { error: 'account "aws" only for AWS-managed policies' };
  if (!awsManaged && !/^\d{12}$/.test(account)) return { error: 'a 12-digit account id (or "aws" for AWS-managed policies)' };
  const slash = rest.lastIndexOf('/');
  const path = rest.slice(0, slash + 1);
  const name = rest.slice(slash + 1);
  if (!IAM_PATH.test(path) || path.length > 512) return { error: 'a path "/" or "/segment/…/"' };
  if (!name || name.length > NAME_LIMITS[kind] || !IAM_NAME.test(name)) {
    return { error: `a ${kind} name of 1 to ${NAME_LIMITS[kind]} characters from [A-Za-z0-9+=,.@_-]` };
  }
  return { partition: partition as ParsedPrincipalArn['partition'], account, kind, path, name, awsManaged };
}

/**
 * The structure of an Organizations entity path, beyond IAM's loose pattern: `o-…/r-…`, then OUs `ou-ROOT-OU`, then
 * at most one 12-digit account, no empty segment, at most one trailing slash. Returns what is wrong, if anything.
 */
export function entityPathProblem(value: string): string | undefined {
  if (!isEntityPath(value)) return 'does not match o-…/r-…[/ou-…]*[/ACCOUNT]';
  const segments = value.replace(/\/$/, '').split('/');
  for (let i = 2; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '') return `segment ${i + 1} is empty`;
    const last = i === segments.length - 1;
    if (/^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/.test(segment)) continue;
    if (last && /^\d{12}$/.test(segment)) continue;
    return /^\d+$/.test(segment)
      ? `segment ${i + 1} ${JSON.stringify(segment)} is not a 12-digit account id${last ? '' : ' (an account ends the path)'}`
      : `segment ${i + 1} ${JSON.stringify(segment)} is not an OU id ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}`;
  }
  return undefined;
}

export function isEntityPath(value: string): boolean {
  return (
    typeof value === 'string' &&
    value.length >= ENTITY_PATH_LENGTH.min &&
    value.length <= ENTITY_PATH_LENGTH.max &&
    ENTITY_PATH_PATTERN.test(value)
  );
}

import { InvalidRequestError } from '../model/errors';
import { PARTITIONS } from '../model/constraints';
import type { IConstruct } from 'constructs';
import { coreOf, isUnresolvedToken } from './cdk-core';

/**
 * An IAM principal element from `@cdktf/provider-aws` (IamRole, IamUser, IamGroup, IamPolicy and their DataAwsIam*
 * twins), recognised by shape so this package never loads the provider (its index costs seconds).
 */
export interface IamPrincipalElement extends IConstruct {
  readonly terraformResourceType: string;
}

type PrincipalKind = 'role' | 'user' | 'group' | 'policy';

const KIND_BY_TYPE: Readonly<Record<string, PrincipalKind>> = {
  aws_iam_role: 'role',
  aws_iam_user: 'user',
  aws_iam_group: 'group',
  aws_iam_policy: 'policy',
};

/** The public `*Input` getters of the generated provider classes hold the literal config values. */
function inputOf(element: object, getter: string): unknown {
  return (element as Record<string, unknown>)[getter];
}

function isDataSource(element: IamPrincipalElement): boolean {
  if (element instanceof coreOf(element).TerraformDataSource) return true;
  const fqn = (element as { fqn?: unknown }).fqn;
  return typeof fqn === 'string' && fqn.startsWith('data.');
}

export interface PrincipalArnContext {
  /** The 12-digit account the principal lives in. */
  readonly accountId?: string;
  readonly partition?: string;
  /** For DataAwsIam* twins, which do not carry the path: default "/". */
  readonly principalPath?: string;
}

function literal(field: string, value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || isUnresolvedToken(value)) {
    throw new InvalidRequestError(
      field,
      typeof value === 'string' ? value : String(value),
      `a literal ${what} known at synth time; for values Terraform computes use resolveAt: 'plan' or pass a literal arn`,
    );
  }
  return value;
}

/**
 * `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME` from a provider element whose name (and path) are literals. Anything
 * Terraform would compute (name_prefix, a token name, an unknown account) is refused with the way out.
 */
export function principalArnOf(element: IamPrincipalElement, context: PrincipalArnContext): string {
  const type = element.terraformResourceType;
  const kind = KIND_BY_TYPE[type];
  const where = `principal (${type} ${element.node.path})`;
  if (!kind) {
    throw new InvalidRequestError('principal', `${type} ${element.node.path}`, 'an aws_iam_role, aws_iam_user, aws_iam_group or aws_iam_policy resource or data source');
  }
  const data = isDataSource(element);
  if (data && kind === 'policy') {
    const arn = literal(`${where}.arn`, inputOf(element, 'arnInput'), 'policy ARN');
    if (arn !== undefined) return arn;
  }
  const nameGetter = data ? { role: 'nameInput', user: 'userNameInput', group: 'groupNameInput', policy: 'nameInput' }[kind] : 'nameInput';
  const name = literal(`${where}.name`, inputOf(element, nameGetter), 'name');
  if (name === undefined) {
    const prefixed = !data && inputOf(element, 'namePrefixInput') !== undefined;
    throw new InvalidRequestError(
      `${where}.name`,
      prefixed ? `name_prefix ${String(inputOf(element, 'namePrefixInput'))}` : undefined,
      `a literal name (Terraform generates names from name_prefix only at apply); use resolveAt: 'plan' or pass a literal arn`,
    );
  }
  const path = data
    ? (context.principalPath ?? '/')
    : (literal(`${where}.path`, inputOf(element, 'pathInput'), 'path') ?? '/');
  if (!path.startsWith('/') || !path.endsWith('/')) {
    throw new InvalidRequestError(`${where}.path`, path, 'a path that starts and ends with "/"');
  }
  const account = context.accountId;
  if (account === undefined || !/^\d{12}$/.test(account)) {
    throw new InvalidRequestError(
      'accountId',
      account,
      `the 12-digit account of ${where}: set the accountId prop or the app context "accessAdvisor:accountId"`,
    );
  }
  const partition = context.partition ?? 'aws';
  if (!(PARTITIONS as readonly string[]).includes(partition)) {
    throw new InvalidRequestError('partition', partition, `one of ${PARTITIONS.join(', ')}`);
  }
  return `arn:${partition}:iam::${account}:${kind}${path}${name}`;
}

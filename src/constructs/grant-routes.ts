import type { RenderedBlock } from './stack-render';

/**
 * The grant routes the stack discovery fully understands, and the references it knows grant nothing. Everything
 * else that names a principal is an untraced route (stack-grants.ts): it may grant anything.
 */

type Config = Record<string, unknown>;
export type PrincipalKind = 'role' | 'user' | 'group' | 'policy';

/** Arguments every resource may carry that grant nothing by themselves. */
export const META = ['provider', 'depends_on', 'lifecycle', 'count', 'for_each', 'id', 'region'];

/**
 * The routes fully understood: resources that give a principal of a kind a policy, the argument naming the
 * principal (a list for `aws_iam_policy_attachment` and group memberships), what carries the policy, and the
 * arguments read (any other argument, e.g. a `dynamic` block, makes the route untraceable).
 */
export interface Route {
  readonly target: string;
  readonly list?: boolean;
  readonly carries: 'policy' | 'policy_arn' | 'groups' | 'group';
  readonly keys: readonly string[];
}
export const ROUTES: Readonly<Record<'role' | 'user' | 'group', Readonly<Record<string, Route>>>> = {
  role: {
    aws_iam_role_policy: { target: 'role', carries: 'policy', keys: ['name', 'name_prefix', 'role', 'policy'] },
    aws_iam_role_policy_attachment: { target: 'role', carries: 'policy_arn', keys: ['role', 'policy_arn'] },
    aws_iam_policy_attachment: { target: 'roles', list: true, carries: 'policy_arn', keys: ['name', 'roles', 'users', 'groups', 'policy_arn'] },
  },
  user: {
    aws_iam_user_policy: { target: 'user', carries: 'policy', keys: ['name', 'name_prefix', 'user', 'policy'] },
    aws_iam_user_policy_attachment: { target: 'user', carries: 'policy_arn', keys: ['user', 'policy_arn'] },
    aws_iam_policy_attachment: { target: 'users', list: true, carries: 'policy_arn', keys: ['name', 'roles', 'users', 'groups', 'policy_arn'] },
    aws_iam_user_group_membership: { target: 'user', carries: 'groups', keys: ['user', 'groups'] },
    aws_iam_group_membership: { target: 'users', list: true, carries: 'group', keys: ['name', 'users', 'group'] },
  },
  group: {
    aws_iam_group_policy: { target: 'group', carries: 'policy', keys: ['name', 'name_prefix', 'group', 'policy'] },
    aws_iam_group_policy_attachment: { target: 'group', carries: 'policy_arn', keys: ['group', 'policy_arn'] },
    aws_iam_policy_attachment: { target: 'groups', list: true, carries: 'policy_arn', keys: ['name', 'roles', 'users', 'groups', 'policy_arn'] },
  },
};

/** The principal's own arguments read; any other (e.g. a `dynamic "inline_policy"` block) is untraceable. */
export const OWN_KEYS: Readonly<Record<PrincipalKind, readonly string[]>> = {
  role: ['name', 'name_prefix', 'path', 'description', 'assume_role_policy', 'max_session_duration', 'permissions_boundary', 'tags', 'tags_all', 'force_detach_policies', 'inline_policy', 'managed_policy_arns'],
  user: ['name', 'path', 'permissions_boundary', 'force_destroy', 'tags', 'tags_all'],
  group: ['name', 'path'],
  policy: ['name', 'name_prefix', 'path', 'description', 'policy', 'tags', 'tags_all', 'delay_after_policy_creation_in_ms'],
};

/**
 * References to a principal known to grant it nothing: a function or instance profile that runs as the role, a
 * membership that puts users into the group, an output of the principal's stack (a consumer in another stack of the
 * app is read there).
 */
export const NON_GRANTING: Readonly<Record<string, readonly string[]>> = {
  aws_lambda_function: ['role'],
  aws_iam_instance_profile: ['role'],
  aws_ecs_task_definition: ['task_role_arn', 'execution_role_arn'],
  aws_iam_access_key: ['user'],
  aws_iam_user_login_profile: ['user'],
  aws_iam_user_group_membership: ['groups'],
  aws_iam_group_membership: ['group'],
};

/**
 * Data sources that only look a principal up by its name: reading grants nothing. A route that then grants through
 * the looked-up value is judged where it attaches (stack-grants.ts follows the lookup's name back to the principal),
 * so allowing the lookup itself opens no path.
 */
export const NAME_LOOKUPS: Readonly<Record<string, string>> = {
  aws_iam_role: 'name',
  aws_iam_user: 'user_name',
  aws_iam_group: 'group_name',
};

/** Where a reference to the principal grants nothing by itself: ordering and replacement triggers. */
export const INERT_PATHS = /^(depends_on|lifecycle\.replace_triggered_by)(\[|\.|$)/;

/** How to make an untraced route traceable (said once per message by the decision constructs). */
export const HOW_TO_TRACE =
  'to make a route traceable, give the principal policies only through IamRolePolicy/IamUserPolicy/IamGroupPolicy, IamPolicy + an attachment, or the role\'s inline_policy/managed_policy_arns, referencing the principal directly (role.name, role.arn) and the policy literally';

/** An argument the discovery does not read (it could carry a grant), named with the fix; undefined when none. */
export function unreadArguments(block: RenderedBlock, keys: readonly string[]): string | undefined {
  const config = (block.config as Config | undefined) ?? {};
  const extra = Object.keys(config).filter((k) => k !== '//' && !keys.includes(k) && !META.includes(k) && config[k] !== undefined && config[k] !== null);
  return extra.length ? `argument ${extra.join(', ')} is not read by grant discovery (e.g. a dynamic block): write it as literal arguments` : undefined;
}

/** `lifecycle.ignore_changes` on what a block grants: the deployed policy may differ from the one written. */
export function ignoredChanges(block: RenderedBlock, granting: readonly string[]): string | undefined {
  const ignored = ((block.config as Config | undefined)?.lifecycle as Config | undefined)?.ignore_changes;
  if (ignored === undefined || ignored === null) return undefined;
  const list = Array.isArray(ignored) ? ignored.map(String) : [String(ignored)];
  const hit = list.filter((i) => i === 'all' || granting.some((g) => i === g || i.startsWith(`${g}[`) || i.startsWith(`${g}.`)));
  return hit.length ? `lifecycle.ignore_changes = ${JSON.stringify(list)} keeps whatever ${granting.join('/')} is deployed, which may differ from the one written: remove ${hit.join(', ')} from ignore_changes` : undefined;
}


/**
 * The "exclusive" resources of hashicorp/aws (5.x): after apply the principal's managed attachments (`policy_arns`),
 * resp. its inline policy names (`policy_names`), are exactly the list; Terraform detaches or deletes every other,
 * including those attached outside Terraform. They are the only way a stack can say what a principal it does not own
 * will *stop* holding.
 */
export interface ExclusiveRoute {
  /** The argument naming the principal. */
  readonly target: string;
  /** The argument holding the whole set: managed policy ARNs or inline policy names. */
  readonly carries: 'policy_arns' | 'policy_names';
}
export const EXCLUSIVE_ROUTES: Readonly<Record<'role' | 'user' | 'group', Readonly<Record<string, ExclusiveRoute>>>> = {
  role: {
    aws_iam_role_policy_attachments_exclusive: { target: 'role_name', carries: 'policy_arns' },
    aws_iam_role_policies_exclusive: { target: 'role_name', carries: 'policy_names' },
  },
  user: {
    aws_iam_user_policy_attachments_exclusive: { target: 'user_name', carries: 'policy_arns' },
    aws_iam_user_policies_exclusive: { target: 'user_name', carries: 'policy_names' },
  },
  group: {
    aws_iam_group_policy_attachments_exclusive: { target: 'group_name', carries: 'policy_arns' },
    aws_iam_group_policies_exclusive: { target: 'group_name', carries: 'policy_names' },
  },
};

/** The two exclusive resource types that pin a principal's whole set, named as a user writes them. */
export function pinResources(kind: 'role' | 'user' | 'group'): { managed: string; inline: string; target: string } {
  const [managed, inline] = Object.keys(EXCLUSIVE_ROUTES[kind]) as [string, string];
  return { managed, inline, target: EXCLUSIVE_ROUTES[kind][managed]!.target };
}

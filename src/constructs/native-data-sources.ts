import type { PermissionException } from '../analysis/types';
import { InvalidRequestError } from '../model/errors';
import { GRANULARITIES, SORT_KEYS, type Granularity, type SortKey } from '../model/report';
import { Construct, type IConstruct } from 'constructs';
import { coreOf } from './cdk-core';
import type { IResolvable } from './core-types';
import { ensureDefaultProvider, type AccessAdvisorProvider } from './access-advisor-provider';
import { nativeClasses, type NativeDataSourceElement, type NativeInputs } from './native-elements';

/**
 * Constructs for the data sources of this package's Terraform provider (`data "accessadvisor_…"`), with typed props
 * (camelCase) and typed token getters, built with the CDK core of the app. Terraform runs them at plan (or apply,
 * when an input is known only then) through the provider that `access-advisor provider install` installs; the
 * provider decides through the same analysis code as the CLI and the synth-time constructs.
 */

/** Terraform meta-arguments every data source construct takes. */
export interface NativeDataSourceProps {
  /** The provider configuration to read through (an aliased AccessAdvisorProvider); default: the stack's default one. */
  readonly provider?: AccessAdvisorProvider;
  /** Elements to read after (anything with an `fqn`: resources, data sources, modules). */
  readonly dependsOn?: readonly { readonly fqn: string }[];
}

/** The report inputs: `arn`, `granularity`, `with_entities`. */
export interface ServiceReportInputProps extends NativeDataSourceProps {
  /** ARN of a user, group, role or managed policy; any token (a data source or resource attribute, a variable). */
  readonly arn: string;
  /** Default: the provider's default granularity. */
  readonly granularity?: Granularity;
  readonly withEntities?: boolean;
}

/** The decision inputs, as the synth-time gate and the CLI take them. */
export interface DecisionInputProps {
  /** A service or tracked action not used within this many days is unused (provider default 90). */
  readonly unusedAfterDays?: number;
  /** A report completed longer ago than this is stale evidence (provider default 5). */
  readonly maxReportAgeDays?: number;
  /** Judge a principal whose creation date cannot be read as old enough (default false: nothing is flagged). */
  readonly judgeUnknownHistory?: boolean;
  /** Permissions never flagged, each with its reason: `{ permission: 'ec2' | 's3:GetObject' | 's3:Get*', reason }`. */
  readonly exceptions?: readonly PermissionException[];
}

/**
 * The element and what every construct here shares: an `fqn` for `dependsOn`, postconditions, typed attribute
 * getters. The element is named after the construct when the construct is a direct child of its stack
 * (`data.accessadvisor_unused_permissions.<id>`), as Terraform users would name it.
 */
abstract class AccessAdvisorDataSource extends Construct {
  /** The `data "accessadvisor_…"` element (a TerraformDataSource of the app's core). */
  readonly element: NativeDataSourceElement;

  protected constructor(scope: Construct, id: string, type: string, inputs: NativeInputs, props: NativeDataSourceProps) {
    super(scope, id);
    const core = coreOf(this);
    this.element = new (nativeClasses(core).DataSource)(this, 'data', type, inputs, props.dependsOn);
    if (core.TerraformStack.isStack(scope) && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(id)) this.element.overrideLogicalId(id);
    if (props.provider) this.element.useProvider(props.provider.element);
    else ensureDefaultProvider(this);
  }

  /** `data.accessadvisor_….<name>`, for another element's `dependsOn`. */
  get fqn(): string {
    return this.element.fqn;
  }

  /** A `lifecycle.postcondition`; `condition` and `errorMessage` are Terraform templates (`${self.passed}`). */
  addPostcondition(condition: string, errorMessage: string): void {
    this.element.addPostcondition({ condition, errorMessage });
  }

  /** An attribute as a token for anything (objects, lists of objects): usable in outputs, Fn.* and jsonencode. */
  attribute(name: string): IResolvable {
    return this.element.interpolationForAttribute(name);
  }

  protected string(name: string): string {
    return this.element.getStringAttribute(name);
  }

  protected number(name: string): number {
    return this.element.getNumberAttribute(name);
  }

  protected strings(name: string): string[] {
    return this.element.getListAttribute(name);
  }

  protected bool(name: string): IResolvable {
    return this.element.getBooleanAttribute(name);
  }

  /** `sort(distinct([for v in <list> : <expression>]))` as a string list token. */
  protected pluck(list: string, expression: string): string[] {
    const { Fn, Token, TerraformIterator } = coreOf(this);
    const values = TerraformIterator.fromList(this.attribute(list)).forExpressionForList(expression);
    return Token.asList(Fn.sort(Fn.distinct(Token.asList(values))));
  }
}

function reportInputs(scope: IConstruct, props: ServiceReportInputProps): NativeInputs {
  const { Token } = coreOf(scope);
  if (props.arn === undefined || props.arn === null || (typeof props.arn === 'string' && !Token.isUnresolved(props.arn) && props.arn.trim() === '')) {
    throw new InvalidRequestError('arn', props.arn ?? null, 'an IAM user, group, role or policy ARN (or a token for one)');
  }
  if (props.granularity !== undefined && !Token.isUnresolved(props.granularity) && !(GRANULARITIES as readonly string[]).includes(props.granularity)) {
    throw new InvalidRequestError('granularity', props.granularity, `one of ${GRANULARITIES.join(', ')}`);
  }
  return { arn: props.arn, granularity: props.granularity, with_entities: props.withEntities };
}

function decisionInputs(scope: IConstruct, props: DecisionInputProps): NativeInputs {
  const { Token } = coreOf(scope);
  for (const field of ['unusedAfterDays', 'maxReportAgeDays'] as const) {
    const value = props[field];
    if (value !== undefined && !Token.isUnresolved(value) && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      throw new InvalidRequestError(field, value, 'a number of days >= 0');
    }
  }
  return {
    unused_after_days: props.unusedAfterDays,
    max_report_age_days: props.maxReportAgeDays,
    judge_unknown_history: props.judgeUnknownHistory,
    exceptions: props.exceptions === undefined ? undefined : exceptionsInput(scope, props.exceptions),
  };
}

/** Exceptions as Terraform's list of objects; each literal entry needs a permission and a reason. */
export function exceptionsInput(scope: IConstruct, exceptions: readonly PermissionException[]): unknown {
  const { Token } = coreOf(scope);
  if (Token.isUnresolved(exceptions)) return exceptions;
  if (!Array.isArray(exceptions)) throw new InvalidRequestError('exceptions', exceptions, 'a list of { permission, reason }');
  return exceptions.map((e: PermissionException, index: number) => {
    const ok = (v: unknown) => typeof v === 'string' && (Token.isUnresolved(v) || v.trim() !== '');
    if (!e || !ok(e.permission) || !ok(e.reason)) {
      throw new InvalidRequestError(`exceptions[${index}]`, e, '{ permission: "<service or service:Action>", reason: "<why>" }');
    }
    return { permission: e.permission, reason: e.reason };
  });
}

export type DataAccessAdvisorServiceLastAccessedProps = ServiceReportInputProps;

/** `data "accessadvisor_service_last_accessed"`: one complete service-last-accessed report, typed. */
export class DataAccessAdvisorServiceLastAccessed extends AccessAdvisorDataSource {
  static readonly tfResourceType = 'accessadvisor_service_last_accessed';

  constructor(scope: Construct, id: string, props: DataAccessAdvisorServiceLastAccessedProps) {
    super(scope, id, DataAccessAdvisorServiceLastAccessed.tfResourceType, reportInputs(scope, props), props);
  }

  get granularity(): string { return this.string('granularity'); }
  get jobId(): string { return this.string('job_id'); }
  get jobStatus(): string { return this.string('job_status'); }
  get jobCreationDate(): string { return this.string('job_creation_date'); }
  get jobCompletionDate(): string { return this.string('job_completion_date'); }
  get principalCreateDate(): string { return this.string('principal_create_date'); }
  /**
   * Every service, each `{service_namespace, service_name, last_authenticated, last_authenticated_entity,
   * last_authenticated_region, total_authenticated_entities, tracked_actions_last_accessed, entities}`.
   */
  get services(): IResolvable { return this.attribute('services'); }
  /** The namespaces of every service, sorted. */
  get serviceNamespaces(): string[] {
    return this.pluck('services', 'val.service_namespace');
  }
  /** Namespaces of the services not used in the tracking window (`last_authenticated` null), sorted. */
  get neverUsedServices(): string[] {
    return this.pluck('services', 'val.service_namespace if val.last_authenticated == null');
  }
}

export interface DataAccessAdvisorUnusedPermissionsProps extends ServiceReportInputProps, DecisionInputProps {
  /**
   * The policy documents (JSON text or tokens for it) of every policy the principal will hold: what they no longer
   * grant is not a violation. Default: judge every permission the report lists. Passed to the provider as given,
   * unchecked: a principal the stack does not own keeps today's policies unless the stack pins its set with the
   * exclusive resources (LeastPrivilegeGate checks that; this data source does not).
   */
  readonly policies?: readonly string[];
}

/** `data "accessadvisor_unused_permissions"`: the least-privilege verdict, for a postcondition or a check. */
export class DataAccessAdvisorUnusedPermissions extends AccessAdvisorDataSource {
  static readonly tfResourceType = 'accessadvisor_unused_permissions';

  constructor(scope: Construct, id: string, props: DataAccessAdvisorUnusedPermissionsProps) {
    super(
      scope,
      id,
      DataAccessAdvisorUnusedPermissions.tfResourceType,
      { ...reportInputs(scope, props), ...decisionInputs(scope, props), policies: props.policies === undefined ? undefined : [...props.policies] },
      props,
    );
  }

  get jobId(): string { return this.string('job_id'); }
  /** sufficient, insufficient-history, unknown-history or stale-evidence. */
  get status(): string { return this.string('status'); }
  get statusReason(): string { return this.string('status_reason'); }
  get evaluatedAt(): string { return this.string('evaluated_at'); }
  get usedServices(): string[] { return this.strings('used_services'); }
  get unusedServices(): string[] { return this.strings('unused_services'); }
  get usedActions(): string[] { return this.strings('used_actions'); }
  get unusedActions(): string[] { return this.strings('unused_actions'); }
  /** Every decision: `{kind, permission, last_used, reason}`. */
  get findings(): IResolvable { return this.attribute('findings'); }
  /** The unused permissions that fail the gate: `{permission, last_used, reason}`. */
  get violations(): IResolvable { return this.attribute('violations'); }
  get violationCount(): number { return this.number('violation_count'); }
  /** True when there is no violation. */
  get passed(): IResolvable { return this.bool('passed'); }
  /** One line: what fails, or why nothing does. */
  get summary(): string { return this.string('summary'); }
  /** The violations as the CLI gate's readable table ('' when it passes). */
  get table(): string { return this.string('table'); }
}

export interface DataAccessAdvisorTightenedPolicyProps extends ServiceReportInputProps, DecisionInputProps {
  /** The policy document (JSON) to tighten, e.g. a DataAwsIamPolicyDocument's `json` or a DataAwsIamPolicy's `policy`. */
  readonly policy: string;
  /** Split `s3:*` and the like into the catalog's actions when some are proven unused (lossy; default false). */
  readonly splitWildcards?: boolean;
  /**
   * How `json` will be attached: `managed` (default; at most 6,144 characters) or `inline` (an inline policy of the
   * principal, held to IAM's quota for its inline policies together: a role 10,240, a group 5,120, a user 2,048).
   */
  readonly attachAs?: 'managed' | 'inline';
}

/** `data "accessadvisor_tightened_policy"`: the policy without what the evidence proves unused, proven. */
export class DataAccessAdvisorTightenedPolicy extends AccessAdvisorDataSource {
  static readonly tfResourceType = 'accessadvisor_tightened_policy';
  /**
   * Its exceptions as given, when they are a list (entries may be tokens): a plan-time gate that judges this
   * tightening honours them too, as a synth-time gate honours a TightenedPolicyDocument's. Undefined for none or a
   * token for the whole list (the gate then needs the same `allow`).
   */
  readonly exceptions?: readonly PermissionException[];

  constructor(scope: Construct, id: string, props: DataAccessAdvisorTightenedPolicyProps) {
    if (props.policy === undefined || props.policy === null) throw new InvalidRequestError('policy', null, 'a policy document (JSON) or a token for one');
    super(
      scope,
      id,
      DataAccessAdvisorTightenedPolicy.tfResourceType,
      { ...reportInputs(scope, props), policy: props.policy, ...decisionInputs(scope, props), split_wildcards: props.splitWildcards, attach_as: props.attachAs },
      props,
    );
    if (Array.isArray(props.exceptions) && !coreOf(scope).Token.isUnresolved(props.exceptions)) this.exceptions = props.exceptions.map((e) => ({ permission: e.permission, reason: e.reason }));
  }

  get jobId(): string { return this.string('job_id'); }
  /** The tightened policy document, as JSON (for `IamPolicy.policy`). */
  get json(): string { return this.string('json'); }
  get removedActions(): string[] { return this.strings('removed_actions'); }
  get removedServices(): string[] { return this.strings('removed_services'); }
  /**
   * Services the policy allows that the report does not list (the principal holds none of them today): kept without
   * evidence. Not empty when the policy is not what the principal holds, e.g. the original after an apply removed them.
   */
  get unreportedServices(): string[] { return this.strings('unreported_services'); }
  /** What stays and why: `{kind, permission, reason}`. */
  get kept(): IResolvable { return this.attribute('kept'); }
  get notes(): string[] { return this.strings('notes'); }
  get status(): string { return this.string('status'); }
  /** `{holds, catalog_version, used_actions_checked, removed_actions_checked, failures}`. */
  get proof(): IResolvable { return this.attribute('proof'); }
}

export interface DataAccessAdvisorOrganizationsAccessReportProps extends NativeDataSourceProps {
  /** `o-…/r-…[/ou-…]*[/ACCOUNT]`. */
  readonly entityPath: string;
  /** Report only the services this SCP (p-…) allows. */
  readonly organizationsPolicyId?: string;
  readonly sortKey?: SortKey;
}

/** `data "accessadvisor_organizations_access_report"`: which services the SCPs allow under an entity, and their last use. */
export class DataAccessAdvisorOrganizationsAccessReport extends AccessAdvisorDataSource {
  static readonly tfResourceType = 'accessadvisor_organizations_access_report';

  constructor(scope: Construct, id: string, props: DataAccessAdvisorOrganizationsAccessReportProps) {
    const { Token } = coreOf(scope);
    if (typeof props.entityPath !== 'string' || (!Token.isUnresolved(props.entityPath) && props.entityPath.trim() === '')) {
      throw new InvalidRequestError('entityPath', props.entityPath ?? null, 'o-…/r-…[/ou-…][/account]');
    }
    if (props.sortKey !== undefined && !Token.isUnresolved(props.sortKey) && !(SORT_KEYS as readonly string[]).includes(props.sortKey)) {
      throw new InvalidRequestError('sortKey', props.sortKey, `one of ${SORT_KEYS.join(', ')}`);
    }
    super(
      scope,
      id,
      DataAccessAdvisorOrganizationsAccessReport.tfResourceType,
      { entity_path: props.entityPath, organizations_policy_id: props.organizationsPolicyId, sort_key: props.sortKey },
      props,
    );
  }

  get jobId(): string { return this.string('job_id'); }
  get jobStatus(): string { return this.string('job_status'); }
  get jobCreationDate(): string { return this.string('job_creation_date'); }
  get jobCompletionDate(): string { return this.string('job_completion_date'); }
  get numberOfServicesAccessible(): number { return this.number('number_of_services_accessible'); }
  get numberOfServicesNotAccessed(): number { return this.number('number_of_services_not_accessed'); }
  /** Per service: `{service_name, service_namespace, region, entity_path, last_authenticated_time, total_authenticated_entities}`. */
  get accessDetails(): IResolvable { return this.attribute('access_details'); }
  /** Namespaces some account under the entity used, sorted. */
  get accessedServices(): string[] {
    return this.pluck('access_details', 'val.service_namespace if val.last_authenticated_time != null');
  }
  /** Namespaces no account under the entity used, sorted (one used in any region is accessed). */
  get notAccessedServices(): string[] {
    const { Fn, Token } = coreOf(this);
    return Token.asList(Fn.sort(Fn.tolist(Fn.setsubtract(this.pluck('access_details', 'val.service_namespace'), this.accessedServices))));
  }
}

export interface DataAccessAdvisorPoliciesGrantingServiceAccessProps extends NativeDataSourceProps {
  /** ARN of the user, group or role. */
  readonly arn: string;
  /** 1 to 200 service namespaces (s3, dynamodb, …). */
  readonly serviceNamespaces: readonly string[];
}

/** `data "accessadvisor_policies_granting_service_access"`: which policies give a principal each service (no job). */
export class DataAccessAdvisorPoliciesGrantingServiceAccess extends AccessAdvisorDataSource {
  static readonly tfResourceType = 'accessadvisor_policies_granting_service_access';

  constructor(scope: Construct, id: string, props: DataAccessAdvisorPoliciesGrantingServiceAccessProps) {
    const { Token } = coreOf(scope);
    if (!Token.isUnresolved(props.serviceNamespaces) && (!Array.isArray(props.serviceNamespaces) || props.serviceNamespaces.length < 1 || props.serviceNamespaces.length > 200)) {
      throw new InvalidRequestError('serviceNamespaces', props.serviceNamespaces ?? null, '1 to 200 service namespaces');
    }
    super(
      scope,
      id,
      DataAccessAdvisorPoliciesGrantingServiceAccess.tfResourceType,
      { arn: props.arn, service_namespaces: Token.isUnresolved(props.serviceNamespaces) ? props.serviceNamespaces : [...props.serviceNamespaces] },
      props,
    );
  }

  /** Per namespace `{service_namespace, policies: [{policy_name, policy_type, policy_arn, entity_type, entity_name}]}`. */
  get services(): IResolvable { return this.attribute('services'); }
}

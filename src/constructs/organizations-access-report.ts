import { validateReportRequest } from '../iam/validate';
import type { OrganizationsAccessReport as OrganizationsAccessReportModel, ReportRequest, SortKey } from '../model/report';
import { AccessReportConstruct, nativePlanReport, planTimeReport } from './access-report-base';
import type { Construct } from 'constructs';
import { coreOf } from './cdk-core';
import type { IResolvable } from './core-types';
import type { NativeOrganizationsReportBinding } from './native-plan-report';
import type { PlanTimeReportBinding } from './plan-time-report';
import { type ReportResolutionProps, type ResolveAt, requireLiteral, resolveReportOptions } from './report-props';

export interface OrganizationsAccessReportProps extends ReportResolutionProps {
  /** `o-…/r-…[/ou-…]*[/account-id]`: the root, an OU, an account, or the management account. */
  readonly entityPath: string;
  /** Report only the services this SCP (`p-…`) allows. */
  readonly organizationsPolicyId?: string;
  readonly sortKey?: SortKey;
}

export const ORGANIZATIONS_REPORT_OUTPUTS = [
  'accessDetails',
  'accessedServices',
  'notAccessedServices',
  'numberOfServicesAccessible',
  'numberOfServicesNotAccessed',
  'jobId',
  'jobCompletionDate',
  'reportJson',
] as const;
export type OrganizationsReportOutputName = (typeof ORGANIZATIONS_REPORT_OUTPUTS)[number];

/**
 * IAM's organizations access report for an entity of the organization: which services the SCPs allow and when
 * accounts under it last used each.
 */
export class OrganizationsAccessReport extends AccessReportConstruct<OrganizationsAccessReportModel, OrganizationsReportOutputName, PlanTimeReportBinding | NativeOrganizationsReportBinding> {
  readonly resolveAt: ResolveAt;
  readonly entityPath: string;
  readonly organizationsPolicyId?: string;
  readonly sortKey?: SortKey;

  constructor(scope: Construct, id: string, props: OrganizationsAccessReportProps) {
    super(scope, id);
    const options = resolveReportOptions(this, props);
    this.resolveAt = options.resolveAt;
    this.entityPath = props.entityPath;
    this.organizationsPolicyId = props.organizationsPolicyId;
    this.sortKey = props.sortKey;
    if (this.resolveAt === 'plan' && options.planTimeSource === 'provider') {
      const request = {
        entityPath: props.entityPath,
        ...(props.organizationsPolicyId !== undefined ? { organizationsPolicyId: props.organizationsPolicyId } : {}),
        ...(props.sortKey !== undefined ? { sortKey: props.sortKey } : {}),
      };
      const connection = { ...options.connection, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) };
      this.resolveAtPlanNatively(nativePlanReport().bindNativeOrganizationsReport(this, request, connection));
      return;
    }
    if (this.resolveAt === 'plan') {
      this.resolveAtPlan(
        planTimeReport().planTimeQuery({
          kind: 'organizations-access',
          entityPath: props.entityPath,
          organizationsPolicyId: props.organizationsPolicyId,
          sortKey: props.sortKey,
          ...options.connection,
          ...(options.timeoutMs !== undefined ? { timeoutSeconds: Math.ceil(options.timeoutMs / 1000) } : {}),
        }),
      );
      return;
    }
    const hint = `use resolveAt: 'plan' or pass a literal (construct ${this.node.path})`;
    requireLiteral('entityPath', props.entityPath, hint);
    requireLiteral('organizationsPolicyId', props.organizationsPolicyId, hint);
    const request = validateReportRequest({
      kind: 'organizations-access',
      entityPath: props.entityPath,
      ...(props.organizationsPolicyId !== undefined ? { organizationsPolicyId: props.organizationsPolicyId } : {}),
      ...(props.sortKey !== undefined ? { sortKey: props.sortKey } : {}),
    } as ReportRequest);
    this.resolveAtSynth(request, options);
  }

  /** Every access detail: service, region, entity path, last authenticated time, number of accounts. */
  get accessDetails(): IResolvable {
    if (this.planTime?.source === 'provider') return this.planTime.report.accessDetails;
    if (this.planTime) return coreOf(this).Fn.lookup(this.planTime.decoded('report'), 'accessDetails', []);
    return this.synth().lazyAny((r) => r.accessDetails, []);
  }

  /** Namespaces that some account under the entity used (sorted, unique). */
  get accessedServices(): string[] {
    if (this.planTime?.source === 'provider') return this.planTime.report.accessedServices;
    if (this.planTime) return this.planTime.decodedList('accessed_services');
    return this.synth('accessedServices').lazyList((r) => namespaces(r, true));
  }

  /** Namespaces the SCPs allow that no account under the entity used in the tracking window. */
  get notAccessedServices(): string[] {
    if (this.planTime?.source === 'provider') return this.planTime.report.notAccessedServices;
    if (this.planTime) return this.planTime.decodedList('not_accessed_services');
    return this.synth('notAccessedServices').lazyList((r) => namespaces(r, false));
  }

  get numberOfServicesAccessible(): number {
    if (this.planTime?.source === 'provider') return this.planTime.report.numberOfServicesAccessible;
    if (this.planTime) return this.planTime.decodedNumber('number_of_services_accessible');
    return this.synth('numberOfServicesAccessible').lazyNumber((r) => r.numberOfServicesAccessible ?? r.accessDetails.length);
  }

  get numberOfServicesNotAccessed(): number {
    if (this.planTime?.source === 'provider') return this.planTime.report.numberOfServicesNotAccessed;
    if (this.planTime) return this.planTime.decodedNumber('number_of_services_not_accessed');
    return this.synth('numberOfServicesNotAccessed').lazyNumber(
      (r) => r.numberOfServicesNotAccessed ?? namespaces(r, false).length,
    );
  }

  protected outputNames(): readonly OrganizationsReportOutputName[] {
    return ORGANIZATIONS_REPORT_OUTPUTS;
  }

  protected outputValue(name: OrganizationsReportOutputName): unknown {
    return this[name];
  }
}

function namespaces(report: OrganizationsAccessReportModel, accessed: boolean): string[] {
  const set = new Set(
    report.accessDetails.filter((d) => (d.lastAuthenticatedTime !== undefined) === accessed).map((d) => d.serviceNamespace),
  );
  if (!accessed) {
    // A namespace used in one region is accessed, even if another region's row has no time.
    for (const d of report.accessDetails) if (d.lastAuthenticatedTime !== undefined) set.delete(d.serviceNamespace);
  }
  return [...set].sort();
}

import { InvalidRequestError } from '../iam/errors';
import { validateReportRequest } from '../iam/index';
import type { OrganizationsAccessReport as OrganizationsAccessReportModel, ReportRequest, SortKey } from '../iam/model';
import { Construct, Fn, TerraformOutput, Token, type IResolvable } from './cdk-core';
import { bindPlanTimeReport, planTimeQuery, type PlanTimeReportBinding } from './plan-time-report';
import { SynthReportLookup } from './report-lookup';
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
export class OrganizationsAccessReport extends Construct {
  readonly resolveAt: ResolveAt;
  readonly entityPath: string;
  readonly organizationsPolicyId?: string;
  readonly sortKey?: SortKey;
  readonly lookupKey?: string;
  readonly planTime?: PlanTimeReportBinding;
  private readonly lookup?: SynthReportLookup<OrganizationsAccessReportModel>;

  constructor(scope: Construct, id: string, props: OrganizationsAccessReportProps) {
    super(scope, id);
    const options = resolveReportOptions(this, props);
    this.resolveAt = options.resolveAt;
    this.entityPath = props.entityPath;
    this.organizationsPolicyId = props.organizationsPolicyId;
    this.sortKey = props.sortKey;
    if (this.resolveAt === 'plan') {
      this.planTime = bindPlanTimeReport(
        this,
        'report',
        planTimeQuery({
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
    this.lookup = new SynthReportLookup(this, request, options);
    this.lookupKey = this.lookup.key;
  }

  /** The resolved normalized report (synth mode); see ServiceLastAccessedReport.report. */
  get report(): OrganizationsAccessReportModel | undefined {
    return this.lookup?.report;
  }

  /** Every access detail: service, region, entity path, last authenticated time, number of accounts. */
  get accessDetails(): IResolvable {
    if (this.planTime) return Fn.lookup(this.planTime.decoded('report'), 'accessDetails', []);
    return this.synth().lazyAny((r) => r.accessDetails, []);
  }

  /** Namespaces that some account under the entity used (sorted, unique). */
  get accessedServices(): string[] {
    if (this.planTime) return this.planTime.decodedList('accessed_services');
    return this.synth('accessedServices').lazyList((r) => namespaces(r, true));
  }

  /** Namespaces the SCPs allow that no account under the entity used in the tracking window. */
  get notAccessedServices(): string[] {
    if (this.planTime) return this.planTime.decodedList('not_accessed_services');
    return this.synth('notAccessedServices').lazyList((r) => namespaces(r, false));
  }

  get numberOfServicesAccessible(): number {
    if (this.planTime) return this.planTime.decodedNumber('number_of_services_accessible');
    return this.synth('numberOfServicesAccessible').lazyNumber((r) => r.numberOfServicesAccessible ?? r.accessDetails.length);
  }

  get numberOfServicesNotAccessed(): number {
    if (this.planTime) return this.planTime.decodedNumber('number_of_services_not_accessed');
    return this.synth('numberOfServicesNotAccessed').lazyNumber(
      (r) => r.numberOfServicesNotAccessed ?? namespaces(r, false).length,
    );
  }

  get jobId(): string {
    if (this.planTime) return this.planTime.result('job_id');
    return this.synth().lazyString((r) => r.jobId);
  }

  get jobCompletionDate(): string {
    if (this.planTime) return Token.asString(Fn.lookup(this.planTime.decoded('report'), 'jobCompletionDate', ''));
    return this.synth().lazyString((r) => r.jobCompletionDate);
  }

  get reportJson(): string {
    if (this.planTime) return this.planTime.result('report');
    return this.synth().lazyString((r) => JSON.stringify(r));
  }

  /** Publish chosen values as Terraform outputs (ids = the names, under this construct). */
  addOutputs(...names: OrganizationsReportOutputName[]): Record<string, TerraformOutput> {
    const outputs: Record<string, TerraformOutput> = {};
    for (const name of names) {
      if (!(ORGANIZATIONS_REPORT_OUTPUTS as readonly string[]).includes(name)) {
        throw new InvalidRequestError('addOutputs', name, `one of ${ORGANIZATIONS_REPORT_OUTPUTS.join(', ')}`);
      }
      outputs[name] = new TerraformOutput(this, name, { value: this[name] });
    }
    return outputs;
  }

  private synth(output?: string): SynthReportLookup<OrganizationsAccessReportModel> {
    if (!this.lookup) {
      throw new InvalidRequestError(
        'resolveAt',
        this.resolveAt,
        `'synth' for ${output ?? 'this output'}, which the plan-time program does not provide (construct ${this.node.path})`,
      );
    }
    return this.lookup;
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

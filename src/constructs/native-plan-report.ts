import { InvalidRequestError } from '../model/errors';
import type { Granularity, SortKey } from '../model/report';
import type { Construct, IConstruct } from 'constructs';
import { coreOf } from './cdk-core';
import { providerForConnection, type AccessAdvisorProvider, type ReportConnection } from './access-advisor-provider';
import {
  DataAccessAdvisorOrganizationsAccessReport,
  DataAccessAdvisorServiceLastAccessed,
  DataAccessAdvisorUnusedPermissions,
  type DecisionInputProps,
} from './native-data-sources';
import { nativeClasses, type CheckBlockElement } from './native-elements';

/**
 * Plan-time reports on this package's own Terraform provider (the default `planTimeSource`): the report construct
 * owns a `data "accessadvisor_service_last_accessed"` (or `…_organizations_access_report`) block, and the values
 * that need a decision (used and unused services and actions over a window) come from one
 * `data "accessadvisor_unused_permissions"` block created on first use. Typed values: no JSON inside strings.
 */
export interface NativeServiceReportBinding {
  readonly source: 'provider';
  /** The report's `data "accessadvisor_service_last_accessed"` element. */
  readonly dataSource: IConstruct;
  readonly report: DataAccessAdvisorServiceLastAccessed;
  /** The aliased provider the report reads through (its construct's connection settings); undefined: the default. */
  readonly provider?: AccessAdvisorProvider;
  readonly request: { readonly arn: string; readonly granularity: Granularity; readonly withEntities: boolean };
  /** The report's own decision over `days` (no exceptions, no policies): created on first use; one window per report. */
  decision(days: number): DataAccessAdvisorUnusedPermissions;
}

export interface NativeOrganizationsReportBinding {
  readonly source: 'provider';
  readonly dataSource: IConstruct;
  readonly report: DataAccessAdvisorOrganizationsAccessReport;
  readonly provider?: AccessAdvisorProvider;
}

/** Names an element of `owner` after it when `owner` is a direct child of its stack (`data.<type>.<owner id>`). */
export function nameAfter(owner: IConstruct, element: IConstruct & { overrideLogicalId(id: string): void }): void {
  const parent = owner.node.scope;
  if (parent && coreOf(owner).TerraformStack.isStack(parent) && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(owner.node.id)) element.overrideLogicalId(owner.node.id);
}

export function bindNativeServiceReport(
  owner: Construct,
  request: NativeServiceReportBinding['request'],
  connection: ReportConnection,
): NativeServiceReportBinding {
  const provider = providerForConnection(owner, connection);
  const report = new DataAccessAdvisorServiceLastAccessed(owner, 'report', { ...request, ...(provider ? { provider } : {}) });
  nameAfter(owner, report.element);
  let decision: { days: number; data: DataAccessAdvisorUnusedPermissions } | undefined;
  return {
    source: 'provider',
    dataSource: report.element,
    report,
    request,
    ...(provider ? { provider } : {}),
    decision(days) {
      if (decision && decision.days !== days) {
        throw new InvalidRequestError('days', days, `${decision.days}: a plan-time report computes one window (construct ${owner.node.path})`);
      }
      if (!decision) {
        const data = new DataAccessAdvisorUnusedPermissions(owner, 'usage', { ...request, unusedAfterDays: days, ...(provider ? { provider } : {}) });
        nameAfter(owner, data.element);
        decision = { days, data };
      }
      return decision.data;
    },
  };
}

export function bindNativeOrganizationsReport(
  owner: Construct,
  request: { readonly entityPath: string; readonly organizationsPolicyId?: string; readonly sortKey?: SortKey },
  connection: ReportConnection,
): NativeOrganizationsReportBinding {
  const provider = providerForConnection(owner, connection);
  const report = new DataAccessAdvisorOrganizationsAccessReport(owner, 'report', { ...request, ...(provider ? { provider } : {}) });
  nameAfter(owner, report.element);
  return { source: 'provider', dataSource: report.element, report, ...(provider ? { provider } : {}) };
}

/** A gate's own `data "accessadvisor_unused_permissions"` over its report's request, named after the gate. */
export function bindGateDecision(gate: Construct, binding: NativeServiceReportBinding, inputs: DecisionInputProps): DataAccessAdvisorUnusedPermissions {
  const decision = new DataAccessAdvisorUnusedPermissions(gate, 'decision', { ...binding.request, ...(binding.provider ? { provider: binding.provider } : {}), ...inputs });
  nameAfter(gate, decision.element);
  return decision;
}

/** A `check "<name>"` block under `owner` (a gate that warns instead of failing). */
export function addCheckBlock(owner: Construct, name: string): CheckBlockElement {
  return new (nativeClasses(coreOf(owner)).Check)(owner, 'check', name);
}

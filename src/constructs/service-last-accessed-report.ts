import { findUnusedPermissions } from '../analysis/index';
import type { UnusedPermissions } from '../analysis/types';
import { InvalidRequestError } from '../model/errors';
import { validateReportRequest } from '../iam/validate';
import { DEFAULT_GRANULARITY, type Granularity, type ReportRequest, type ServiceLastAccessedReport as ServiceLastAccessedReportModel } from '../model/report';
import { AccessReportConstruct, nativePlanReport, planTimeReport } from './access-report-base';
import type { Construct } from 'constructs';
import { coreOf } from './cdk-core';
import type { IResolvable } from './core-types';
import type { NativeServiceReportBinding } from './native-plan-report';
import type { PlanTimeReportBinding } from './plan-time-report';
import { type IamPrincipalElement, principalArnOf } from './principal-arn';
import {
  accountIdOf,
  type ReportResolutionProps,
  type ResolveAt,
  type ResolvedReportOptions,
  resolveReportOptions,
  windowDays,
} from './report-props';

export interface ServiceLastAccessedReportProps extends ReportResolutionProps {
  /** ARN of a user, group, role or managed policy. Exactly one of `arn` and `principal`. */
  readonly arn?: string;
  /**
   * An `IamRole`, `IamUser`, `IamGroup`, `IamPolicy` or `DataAwsIam*` element of `@cdktf/provider-aws`. At synth its
   * ARN is built from its literal name and path and the account (`accountId` or context `accessAdvisor:accountId`).
   */
  readonly principal?: IamPrincipalElement;
  /**
   * Default ACTION_LEVEL (IAM's own API default is SERVICE_LEVEL; this construct always asks explicitly): the tracked
   * actions make the gates judge, and TightenedPolicyDocument remove, the unused actions of used services.
   * SERVICE_LEVEL judges whole services only.
   */
  readonly granularity?: Granularity;
  /** Also read which users/roles used each service (`entitiesFor`). */
  readonly withEntities?: boolean;
  /** The ARN partition for `principal`. Default "aws". */
  readonly partition?: string;
  /** The path of a `DataAwsIam*` principal (data sources do not carry it). Default "/". */
  readonly principalPath?: string;
}

export interface UsageWindow {
  /** A service or tracked action not used within this many days counts as unused. Default 90. */
  readonly days?: number;
}

/** A service of the report, as the `services` output renders it. */
export interface ServiceUsage {
  readonly serviceNamespace: string;
  readonly serviceName: string;
  readonly lastAuthenticated?: string;
  readonly lastAuthenticatedEntity?: string;
  readonly lastAuthenticatedRegion?: string;
  readonly totalAuthenticatedEntities?: number;
}

export const SERVICE_REPORT_OUTPUTS = [
  'services',
  'serviceNamespaces',
  'usedServices',
  'unusedServices',
  'usedActions',
  'unusedActions',
  'jobId',
  'jobCompletionDate',
  'reportJson',
] as const;
export type ServiceReportOutputName = (typeof SERVICE_REPORT_OUTPUTS)[number];

/**
 * IAM access advisor's service-last-accessed report for one principal, usable as values in the stack. At synth
 * (default) the values are literals from the committed cache or a lookup during synth; at plan they are
 * `data.external` results.
 */
export class ServiceLastAccessedReport extends AccessReportConstruct<
  ServiceLastAccessedReportModel,
  ServiceReportOutputName,
  PlanTimeReportBinding | NativeServiceReportBinding
> {
  readonly resolveAt: ResolveAt;
  /** Literal at synth; may be a token at plan. */
  readonly arn: string;
  readonly granularity: Granularity;
  readonly withEntities: boolean;
  /** The principal element the report is of, when given as `principal` (gates judge what the stack grants it). */
  readonly principal?: IamPrincipalElement;

  private readonly unusedCache = new Map<number, UnusedPermissions>();
  private planWindowDays?: number;

  constructor(scope: Construct, id: string, props: ServiceLastAccessedReportProps) {
    super(scope, id);
    const options = resolveReportOptions(this, props);
    this.resolveAt = options.resolveAt;
    this.granularity = props.granularity ?? DEFAULT_GRANULARITY;
    this.withEntities = props.withEntities ?? false;
    if (props.principal !== undefined) this.principal = props.principal;
    this.arn = this.arnFrom(props, options);
    if (this.resolveAt === 'plan' && options.planTimeSource === 'provider') {
      const request = { arn: this.arn, granularity: this.granularity, withEntities: this.withEntities };
      const connection = { ...options.connection, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) };
      this.resolveAtPlanNatively(nativePlanReport().bindNativeServiceReport(this, request, connection));
      return;
    }
    if (this.resolveAt === 'plan') {
      this.resolveAtPlan(
        planTimeReport().planTimeQuery({
          kind: 'service-last-accessed',
          arn: this.arn,
          granularity: this.granularity,
          withEntities: this.withEntities,
          ...options.connection,
          ...(options.timeoutMs !== undefined ? { timeoutSeconds: Math.ceil(options.timeoutMs / 1000) } : {}),
        }),
      );
      return;
    }
    const request = validateReportRequest({
      kind: 'service-last-accessed',
      arn: this.arn,
      granularity: this.granularity,
      withEntities: this.withEntities,
    } as ReportRequest);
    this.resolveAtSynth(request, options);
  }

  private arnFrom(props: ServiceLastAccessedReportProps, options: ResolvedReportOptions): string {
    if ((props.arn === undefined) === (props.principal === undefined)) {
      throw new InvalidRequestError('arn/principal', props.arn ?? null, 'exactly one of arn and principal');
    }
    if (props.arn !== undefined) {
      if (options.resolveAt === 'synth' && coreOf(this).Token.isUnresolved(props.arn)) {
        throw new InvalidRequestError(
          'arn',
          props.arn,
          `a literal ARN at synth time: this one is a token (e.g. a role created in the same stack) that only Terraform knows. Use resolveAt: 'plan' or pass a literal ARN (construct ${this.node.path})`,
        );
      }
      return props.arn;
    }
    const principal = props.principal!;
    if (options.resolveAt === 'plan') {
      const arn = (principal as unknown as { arn?: unknown }).arn;
      if (typeof arn !== 'string') throw new InvalidRequestError('principal', principal.node.path, 'an element with an arn attribute');
      return arn;
    }
    return principalArnOf(principal, {
      accountId: accountIdOf(this, props),
      ...(props.partition !== undefined ? { partition: props.partition } : {}),
      ...(props.principalPath !== undefined ? { principalPath: props.principalPath } : {}),
    });
  }

  /** Every service the principal's policies allow, with its last use. */
  get services(): IResolvable {
    if (this.planTime?.source === 'provider') return this.planTime.report.services;
    if (this.planTime) return coreOf(this).Fn.lookup(this.planTime.decoded('report'), 'servicesLastAccessed', []);
    return this.synth().lazyAny((r) => r.servicesLastAccessed.map(serviceUsageOf), []);
  }

  /** The namespaces of every allowed service. */
  get serviceNamespaces(): string[] {
    if (this.planTime?.source === 'provider') return this.planTime.report.serviceNamespaces;
    return this.synth('serviceNamespaces').lazyList((r) => r.servicesLastAccessed.map((s) => s.serviceNamespace));
  }

  /** Services used within the window (default 90 days before the report's completion date; at plan, before the read). */
  usedServices(window?: UsageWindow): string[] {
    if (this.planTime) return this.planList('used_services', window);
    const days = windowDays(window);
    return this.synth().lazyList((r) => this.unused(r, days).usedServices);
  }

  /** Services not used within the window: the candidates for removal (the analysis' evidence rules apply). */
  unusedServices(window?: UsageWindow): string[] {
    if (this.planTime) return this.planList('unused_services', window);
    const days = windowDays(window);
    return this.synth().lazyList((r) => this.unused(r, days).unusedServices);
  }

  /** Tracked actions (`s3:CreateBucket`) used within the window. ACTION_LEVEL only. */
  usedActions(window?: UsageWindow): string[] {
    if (this.planTime) return this.planList('used_actions', window);
    const days = windowDays(window);
    return this.synth('usedActions').lazyList((r) => this.unused(r, days).usedActions);
  }

  /** Tracked actions not used within the window. ACTION_LEVEL only. */
  unusedActions(window?: UsageWindow): string[] {
    if (this.planTime) return this.planList('unused_actions', window);
    const days = windowDays(window);
    return this.synth().lazyList((r) => this.unused(r, days).unusedActions);
  }

  /** ARNs of the users/roles that used `namespace` (needs `withEntities: true`). */
  entitiesFor(namespace: string): string[] {
    if (!this.withEntities) {
      throw new InvalidRequestError('withEntities', false, `true to read the entities of "${namespace}" (construct ${this.node.path})`);
    }
    return this.synth('entitiesFor').lazyList(
      (r) => r.servicesLastAccessed.find((s) => s.serviceNamespace === namespace)?.entities?.map((e) => e.entityInfo.arn) ?? [],
    );
  }

  protected outputNames(): readonly ServiceReportOutputName[] {
    return SERVICE_REPORT_OUTPUTS;
  }

  protected outputValue(name: ServiceReportOutputName): unknown {
    switch (name) {
      case 'usedServices':
      case 'unusedServices':
      case 'usedActions':
      case 'unusedActions':
        return this[name]();
      default:
        return this[name];
    }
  }

  private unused(report: ServiceLastAccessedReportModel, days: number): UnusedPermissions {
    let result = this.unusedCache.get(days);
    if (!result) {
      // The window runs from the report's completion date (the same cache gives the same synth output), its age is
      // measured at the real clock: stale evidence flags nothing.
      const staleReason = this.staleReason;
      result = findUnusedPermissions(report, {
        unusedAfterDays: days,
        now: report.jobCompletionDate,
        ageReferenceTime: new Date(),
        ...(staleReason !== undefined ? { staleReason } : {}),
      });
      this.unusedCache.set(days, result);
    }
    return result;
  }

  private planList(key: 'used_services' | 'unused_services' | 'used_actions' | 'unused_actions', window: UsageWindow | undefined): string[] {
    const days = windowDays(window);
    const binding = this.planTime!;
    if (binding.source === 'provider') {
      const decision = binding.decision(days);
      const getters = { used_services: 'usedServices', unused_services: 'unusedServices', used_actions: 'usedActions', unused_actions: 'unusedActions' } as const;
      return decision[getters[key]];
    }
    if (this.planWindowDays !== undefined && this.planWindowDays !== days) {
      throw new InvalidRequestError(
        'days',
        days,
        `${this.planWindowDays}: a plan-time report computes one window (construct ${this.node.path})`,
      );
    }
    this.planWindowDays = days;
    binding.setQuery('unused_after_days', String(days));
    return binding.decodedList(key);
  }
}

function serviceUsageOf(s: ServiceLastAccessedReportModel['servicesLastAccessed'][number]): ServiceUsage {
  return {
    serviceNamespace: s.serviceNamespace,
    serviceName: s.serviceName,
    ...(s.lastAuthenticated !== undefined ? { lastAuthenticated: s.lastAuthenticated } : {}),
    ...(s.lastAuthenticatedEntity !== undefined ? { lastAuthenticatedEntity: s.lastAuthenticatedEntity } : {}),
    ...(s.lastAuthenticatedRegion !== undefined ? { lastAuthenticatedRegion: s.lastAuthenticatedRegion } : {}),
    ...(s.totalAuthenticatedEntities !== undefined ? { totalAuthenticatedEntities: s.totalAuthenticatedEntities } : {}),
  };
}

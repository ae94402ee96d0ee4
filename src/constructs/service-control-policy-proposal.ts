import { proposeServiceControlPolicy } from '../analysis/scp-proposal';
import type { ProtectedService } from '../analysis/scp-protected';
import type { ScpStyle, ServiceControlPolicyProposalOptions, ServiceControlPolicyProposalResult } from '../analysis/scp-types';
import { loadActionCatalog } from '../model/action-catalog';
import { InvalidRequestError } from '../model/errors';
import type { OrganizationsAccessReport as OrganizationsAccessReportModel } from '../model/report';
import { Construct } from 'constructs';
import { coreOf } from './cdk-core';
import { DeferredDecision } from './deferred-decision';
import type { DecisionProps } from './least-privilege-gate';
import type { OrganizationsAccessReport } from './organizations-access-report';

export interface ServiceControlPolicyProposalProps extends DecisionProps {
  /** A synth-mode organizations report of the entity (root, OU or account) the SCP would be attached to. */
  readonly report: OrganizationsAccessReport;
  /** `deny-list` (default): Deny statements beside FullAWSAccess; `allow-list`: Allow statements replacing it. */
  readonly style?: ScpStyle;
  /** Services never denied besides DEFAULT_PROTECTED_SERVICES, each with its reason. */
  readonly neverDeny?: readonly ProtectedService[];
  /** SCP slots the target has left (IAM allows 5; FullAWSAccess usually takes one). Default 4. */
  readonly remainingSlots?: number;
  /** The report was generated with an SCP id that applies to the whole entity (see docs/decisions.md). */
  readonly policyCoversEntity?: boolean;
}

/**
 * The service control policy the report supports (docs/decisions.md, "Service control policy proposals"): deny
 * (or allow-list the complement of) the services no account under the entity used within the window, never the
 * used, protected or excepted ones. Evaluated at synth after the app-wide lookup batch (see DeferredDecision), so
 * reports and proposals can be declared in any order.
 *
 * `json` (one string per document), `deniedServices`, `keptServices` and `notes` are lazy tokens that render as
 * literals; `documentCount` is a number token. Use `documentJson(i)` for `aws_organizations_policy.content`.
 * `result` is a plain value: reading it resolves every lookup registered so far (read it after declaring reports).
 * Too many documents for the remaining slots, or a failed proof, is an error annotation (synth fails).
 */
export class ServiceControlPolicyProposal extends Construct {
  /** Each document's minified JSON, as a list token. */
  readonly json: string[];
  /** Denied service namespaces, sorted, as a list token. */
  readonly deniedServices: string[];
  /** Kept namespaces as `service: reason`, as a list token. */
  readonly keptServices: string[];
  readonly notes: string[];
  readonly documentCount: number;

  private readonly outcome: DeferredDecision<ServiceControlPolicyProposalResult | undefined>;

  constructor(scope: Construct, id: string, private readonly props: ServiceControlPolicyProposalProps) {
    super(scope, id);
    const report = props.report;
    if (!report || typeof report !== 'object' || !('entityPath' in report) || !('resolveAt' in report)) {
      throw new InvalidRequestError('ServiceControlPolicyProposal.report', typeof report, 'an OrganizationsAccessReport construct');
    }
    if (report.planTime) {
      throw new InvalidRequestError(
        'ServiceControlPolicyProposal.report',
        report.node.path,
        `a synth-time report (resolveAt 'synth'): the proposal is literal JSON written at synth (construct ${this.node.path})`,
      );
    }
    // Input errors surface here, at construction (a report with no services proposes nothing); only the evidence waits for synth.
    proposeServiceControlPolicy(EMPTY_REPORT, { ...this.options(), now: EMPTY_REPORT.jobCompletionDate });
    this.outcome = new DeferredDecision(this, () => this.propose());
    const { Lazy } = coreOf(this);
    const list = (pick: (r: ServiceControlPolicyProposalResult) => readonly string[]) =>
      Lazy.listValue({ produce: () => { const r = this.outcome.valueOrUndefined; return r ? [...pick(r)] : []; } });
    this.json = list((r) => r.json);
    this.deniedServices = list((r) => r.deniedServices.map((d) => d.service));
    this.keptServices = list((r) => r.keptServices.map((k) => `${k.service}: ${k.reason}`));
    this.notes = list((r) => r.notes);
    this.documentCount = Lazy.numberValue({ produce: () => this.outcome.valueOrUndefined?.documents.length ?? 0 });
  }

  /** The i-th document's JSON as a string token (empty when there is no such document). */
  documentJson(index: number): string {
    return coreOf(this).Lazy.stringValue({ produce: () => this.outcome.valueOrUndefined?.json[index] ?? '' });
  }

  /** The full result; undefined when the report was unavailable. Resolves on access (see the class comment). */
  get result(): ServiceControlPolicyProposalResult | undefined {
    return this.outcome.value;
  }

  /** The decision options the props set (the default reference time is the report's completion date). */
  private options(): ServiceControlPolicyProposalOptions {
    return pick(this.props, ['now', 'unusedAfterDays', 'allow', 'maxReportAgeDays', 'style', 'neverDeny', 'remainingSlots', 'policyCoversEntity']);
  }

  private propose(): ServiceControlPolicyProposalResult | undefined {
    const annotations = coreOf(this).Annotations.of(this);
    const model = this.props.report.report;
    if (!model) {
      annotations.addWarning(`${this.node.path}: no proposal: the report of ${this.props.report.entityPath} is unavailable (lookup failed with onError 'warn')`);
      return undefined;
    }
    // The window from the report's completion date (deterministic output); its age from the real clock or `now`.
    const staleReason = this.props.report.staleReason;
    const options: ServiceControlPolicyProposalOptions = {
      now: model.jobCompletionDate,
      ageReferenceTime: this.props.now ?? new Date(),
      catalogServices: loadActionCatalog().services(),
      ...this.options(),
      ...(staleReason !== undefined ? { staleReason } : {}),
    };
    let result: ServiceControlPolicyProposalResult;
    try {
      result = proposeServiceControlPolicy(model, options);
    } catch (error) {
      if ((error as Error).name !== 'ScpSlotLimitError') throw error;
      annotations.addError(`ServiceControlPolicyProposal ${this.node.path}: ${(error as Error).message}`);
      return undefined;
    }
    if (result.status === 'stale-evidence') {
      annotations.addError(
        `ServiceControlPolicyProposal ${this.node.path}: no proposal on stale evidence for ${result.entityPath} (${result.statusReason}); ${this.props.report.refreshHint()}`,
      );
    } else if (!result.proof.holds) {
      annotations.addError(`ServiceControlPolicyProposal ${this.node.path}: the proof fails: ${result.proof.failures.join('; ')}`);
    } else {
      annotations.addInfo(
        `ServiceControlPolicyProposal ${this.node.path}: ${result.status}; ${result.style} of ${result.documents.length} document(s) denying ` +
          `${result.deniedServices.length} service(s) under ${result.entityPath}, keeping ${result.keptServices.length} (window ${result.unusedAfterDays} days, report ${result.reportJobId})`,
      );
    }
    return result;
  }
}

const EMPTY_REPORT: OrganizationsAccessReportModel = {
  schemaVersion: 1,
  kind: 'organizations-access',
  entityPath: 'o-0000000000/r-0000',
  jobId: 'validation',
  jobStatus: 'COMPLETED',
  jobCreationDate: '2000-01-01T00:00:00.000Z',
  jobCompletionDate: '2000-01-01T00:00:00.000Z',
  accessDetails: [],
};

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

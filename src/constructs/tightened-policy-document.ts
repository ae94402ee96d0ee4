import { parsePolicyDocument } from '../analysis/policy-document';
import { tightenPolicy } from '../analysis/tighten';
import type { PermissionException, PolicyDocument, TightenedPolicy, TighteningProof } from '../analysis/types';
import { loadActionCatalog } from '../model/action-catalog';
import type { ServiceLastAccessedReport as ReportModel } from '../model/report';
import { Construct } from 'constructs';
import { coreOf } from './cdk-core';
import { type PolicySource, policyFromSource } from './policy-source';
import { TIGHTENED_POLICY_DOCUMENT, type JudgeablePolicy } from './stack-grants';
import { DeferredDecision } from './deferred-decision';
import { escapeForTerraform } from './terraform-strings';
import { type DecisionProps, decisionOptionsFor, requireReport, staleDecisionMessage, synthModel } from './least-privilege-gate';
import type { ServiceLastAccessedReport } from './service-last-accessed-report';

export { type PolicySource, policyFromSource } from './policy-source';

export interface TightenedPolicyDocumentProps extends DecisionProps {
  /** A synth-mode report of the principal (or managed policy) that uses the policy. */
  readonly report: ServiceLastAccessedReport;
  readonly policy: PolicySource;
  /**
   * Split a wildcard of a used service (`s3:*`) into the catalog's actions to remove its unused tracked actions.
   * Lossy (actions newer than the catalog are dropped, noted), so off by default: such wildcards are kept whole.
   */
  readonly splitWildcards?: boolean;
}

/**
 * The policy with every permission the report proves unused removed (docs/decisions.md), as literal JSON usable as
 * `IamPolicy.policy`, with what was removed, notes on what could not be tightened, and the proof.
 *
 * The tightening runs at synth, after the app-wide lookup batch (see DeferredDecision): `json`, `removedActions`,
 * `removedServices`, `notes` and `removedActionCount` are lazy tokens that render as literals. `policy`, `proof`
 * and `result` are plain values: reading them is asking for the result now, which resolves every lookup
 * registered so far in one batch (read them after declaring the reports).
 */
export class TightenedPolicyDocument extends Construct implements JudgeablePolicy {
  readonly [TIGHTENED_POLICY_DOCUMENT] = true as const;
  /**
   * The tightened document as stable JSON: a string token that renders as the literal JSON in the configuration
   * (e.g. `IamPolicy.policy`), with `${…}` written `$${…}` so that Terraform hands IAM its policy variables.
   */
  readonly json: string;
  /** Concrete actions removed (sorted), as a list token. */
  readonly removedActions: string[];
  /** Services of which nothing is allowed any more, as a list token. */
  readonly removedServices: string[];
  /** What could not be tightened and why, as a list token. */
  readonly notes: string[];
  /** How many actions were removed, as a number token (`removedActions.length` of a list token is not the count). */
  readonly removedActionCount: number;
  /**
   * Its exceptions (`allow`). A LeastPrivilegeGate or PolicyDriftCheck that judges this document (given as
   * `policy`, or attached to the principal in the stack) honours them too: one set of exceptions.
   */
  readonly exceptions: readonly PermissionException[];

  private readonly outcome: DeferredDecision<Outcome>;

  constructor(scope: Construct, id: string, props: TightenedPolicyDocumentProps) {
    super(scope, id);
    const report = requireReport(props.report, 'TightenedPolicyDocument');
    // Input errors surface here, at construction; only the evidence waits for synth.
    const original = policyFromSource(props.policy, this.node.path);
    parsePolicyDocument(original, this.node.path);
    if (report.planTime) synthModel(report, 'TightenedPolicyDocument', this.node.path);
    this.exceptions = [...(props.allow ?? [])];
    this.outcome = new DeferredDecision(this, () => this.tighten(report, original, props));
    const { Lazy } = coreOf(this);
    const lazyList = (pick: (o: Outcome) => readonly string[]) =>
      Lazy.listValue({ produce: () => { const o = this.outcome.valueOrUndefined; return o ? [...pick(o)] : []; } });
    // Written into the configuration: Terraform must pass `${aws:username}` on to IAM, not interpolate it.
    this.json = Lazy.stringValue({ produce: () => escapeForTerraform(this.outcome.valueOrUndefined?.json ?? '') });
    this.removedActions = lazyList((o) => o.removedActions);
    this.removedServices = lazyList((o) => o.removedServices);
    this.notes = lazyList((o) => o.notes);
    this.removedActionCount = Lazy.numberValue({ produce: () => this.outcome.valueOrUndefined?.removedActions.length ?? 0 });
  }

  /** The tightened document. Resolves on access (see the class comment). */
  get policy(): PolicyDocument {
    return this.outcome.value.policy;
  }

  /** The proof that what is kept stays allowed and what is removed is no longer allowed. Resolves on access. */
  get proof(): TighteningProof {
    return this.outcome.value.proof;
  }

  /** The tightened JSON for a judging gate; undefined when the report lookup failed. Resolves on access. */
  tightenedJson(): string | undefined {
    return this.outcome.valueOrUndefined?.json;
  }

  /** What was removed, for a judging gate; undefined when the report lookup failed. Resolves on access. */
  removed(): { readonly services: readonly string[]; readonly actions: readonly string[] } | undefined {
    const o = this.outcome.valueOrUndefined;
    return o ? { services: o.removedServices, actions: o.removedActions } : undefined;
  }

  /** The full result, including the findings; undefined when the report was unavailable. Resolves on access. */
  get result(): TightenedPolicy | undefined {
    return this.outcome.value.result;
  }

  private tighten(report: ServiceLastAccessedReport, original: PolicyDocument | string, props: TightenedPolicyDocumentProps): Outcome {
    const model = synthModel(report, 'TightenedPolicyDocument', this.node.path);
    const catalog = loadActionCatalog();
    if (!model) {
      // No evidence, no removal: the original, in canonical form.
      const unchanged = tightenPolicy(original, stubReport(report.arn), { catalog, sourceName: this.node.path, now: new Date(0) });
      const notes = [`nothing removed: the report of ${report.arn} is unavailable (lookup failed with onError 'warn')`];
      coreOf(this).Annotations.of(this).addWarning(`TightenedPolicyDocument ${this.node.path}: ${notes[0]}`);
      return { json: unchanged.json, policy: unchanged.policy, removedActions: [], removedServices: [], notes, proof: unchanged.proof };
    }
    const result = tightenPolicy(original, model, {
      ...decisionOptionsFor(model, props, report),
      catalog,
      sourceName: this.node.path,
      ...(props.splitWildcards !== undefined ? { splitWildcards: props.splitWildcards } : {}),
    });
    // Stale evidence removes nothing; the tightening fails synth so that nobody ships "tightened" on old evidence.
    const stale = staleDecisionMessage('TightenedPolicyDocument', this.node.path, result.findings, report);
    if (stale) coreOf(this).Annotations.of(this).addError(stale);
    else coreOf(this).Annotations.of(this).addInfo(summaryOf(this.node.path, model, result));
    return { ...result, result };
  }
}

interface Outcome {
  readonly json: string;
  readonly policy: PolicyDocument;
  readonly removedActions: readonly string[];
  readonly removedServices: readonly string[];
  readonly notes: readonly string[];
  readonly proof: TighteningProof;
  readonly result?: TightenedPolicy;
}

/** Names an annotation lists before "… and N more" (AdministratorAccess removes ~450 services). */
export const SUMMARY_MAX_NAMES = 10;
/** Notes an annotation shows, and the length each is cut to (a NotAction note can list many actions). */
const SUMMARY_MAX_NOTES = 5;
const SUMMARY_MAX_NOTE_CHARS = 300;

/** The info annotation: short enough to read in `cdktf synth` output; the full lists are the outputs. */
export function summaryOf(path: string, model: ReportModel, result: TightenedPolicy): string {
  const names = result.removedServices;
  const services =
    names.length === 0
      ? ''
      : ` and whole services ${names.slice(0, SUMMARY_MAX_NAMES).join(', ')}` +
        (names.length > SUMMARY_MAX_NAMES ? ` … and ${names.length - SUMMARY_MAX_NAMES} more (all in removedServices)` : '');
  const notes = result.notes.slice(0, SUMMARY_MAX_NOTES).map((n) =>
    n.length > SUMMARY_MAX_NOTE_CHARS ? `${n.slice(0, SUMMARY_MAX_NOTE_CHARS)}… (full text in notes)` : n,
  );
  const moreNotes = result.notes.length > SUMMARY_MAX_NOTES ? ` | … and ${result.notes.length - SUMMARY_MAX_NOTES} more notes` : '';
  return (
    `TightenedPolicyDocument ${path}: removed ${result.removedActions.length} action(s)${services}` +
    ` on the evidence of report ${model.jobId} (${model.granularity}, completed ${model.jobCompletionDate}); ` +
    `proof holds over ${result.proof.usedActionsChecked} kept and ${result.proof.removedActionsChecked} removed action(s)` +
    (notes.length ? `; notes: ${notes.join(' | ')}${moreNotes}` : '')
  );
}

/** A report that proves nothing (status stale): tightening against it only canonicalizes. */
function stubReport(arn: string) {
  return {
    schemaVersion: 1 as const,
    kind: 'service-last-accessed' as const,
    arn,
    granularity: 'SERVICE_LEVEL' as const,
    withEntities: false,
    jobId: 'unavailable',
    jobStatus: 'COMPLETED' as const,
    jobCreationDate: '1970-01-01T00:00:00.000Z',
    jobCompletionDate: '1969-01-01T00:00:00.000Z',
    servicesLastAccessed: [],
  };
}


import { parsePolicyDocument } from '../analysis/policy-document';
import { tightenPolicy } from '../analysis/tighten';
import { PolicySizeError } from '../analysis/policy-size';
import type { PermissionException, PolicyDocument, TightenedPolicy, TighteningProof } from '../analysis/types';
import { loadActionCatalog } from '../model/action-catalog';
import { DEFAULT_GRANULARITY, type ServiceLastAccessedReport as ReportModel } from '../model/report';
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
   * The smaller, lossy allow-list form: split a wildcard of a used service (`s3:*`) into the catalog's actions and
   * `*` into the services kept. Actions and services newer than the catalog are dropped (noted), so off by default:
   * wildcards are kept as written and their unused tracked actions denied (exact).
   */
  readonly splitWildcards?: boolean;
  /**
   * How many managed policies the result may take (IAM attaches 10 per role or user by default; 1–20). More is an
   * error at synth naming the size and the limit. Default 10.
   */
  readonly maxPolicies?: number;
  /**
   * `inline` when the result is attached as an inline policy of the report's principal (`IamRolePolicy`,
   * `IamUserPolicy`, `IamGroupPolicy`): one document within IAM's quota for all inline policies of a role (10,240
   * characters), group (5,120) or user (2,048), white space not counted; over it is an error at synth naming the
   * size, the limit and the principal. Default `managed`.
   */
  readonly attachAs?: 'managed' | 'inline';
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
  /** Removed actions that a kept wildcard still matches and a Deny statement removes, as a list token. */
  readonly deniedActions: string[];
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
    this.json = Lazy.stringValue({
      produce: () => {
        const o = this.outcome.valueOrUndefined;
        if (o && o.documents.length > 1) {
          throw new Error(
            `TightenedPolicyDocument ${this.node.path}: the tightened policy is ${o.documents.length} managed policy documents (${o.characters} characters without white space; ` +
              `IAM allows 6,144 per managed policy), so \`json\` cannot be attached: use forEachDocument(...) or documentJson(i) for each of them`,
          );
        }
        return escapeForTerraform(o?.json ?? '');
      },
    });
    this.documentTokens = [];
    this.deniedActions = lazyList((o) => o.deniedActions);
    this.removedActions = lazyList((o) => o.removedActions);
    this.removedServices = lazyList((o) => o.removedServices);
    this.notes = lazyList((o) => o.notes);
    this.removedActionCount = Lazy.numberValue({ produce: () => this.outcome.valueOrUndefined?.removedActions.length ?? 0 });
  }

  private readonly documentTokens: string[];

  /**
   * The i-th managed policy document's JSON as a string token, for `IamPolicy.policy` (empty when there is no such
   * document). A gate judging the stack reads what each attached document grants.
   */
  documentJson(index: number): string {
    if (!Number.isInteger(index) || index < 0) throw new Error(`TightenedPolicyDocument ${this.node.path}: documentJson: ${index} is not allowed; expected a whole number from 0`);
    while (this.documentTokens.length <= index) {
      const i = this.documentTokens.length;
      this.documentTokens.push(coreOf(this).Lazy.stringValue({ produce: () => escapeForTerraform(this.outcome.valueOrUndefined?.jsonDocuments[i] ?? '') }));
    }
    return this.documentTokens[index]!;
  }

  /**
   * The managed policy documents to attach, as JSON (usually one; an AdministratorAccess-sized tightening takes
   * several, each within IAM's 6,144 characters). Resolves on access (see the class comment).
   */
  get documents(): readonly string[] {
    return this.outcome.value.jsonDocuments;
  }

  /**
   * Creates what attaches each document, e.g. one `IamPolicy` and one `IamRolePolicyAttachment` per document:
   * `create(policyJson, index, count)` receives the document's JSON token. Resolves on access (call it after
   * declaring the reports). Returns what `create` returned, in order.
   */
  forEachDocument<T>(create: (policyJson: string, index: number, count: number) => T): T[] {
    const count = this.outcome.value.jsonDocuments.length;
    return Array.from({ length: count }, (_, i) => create(this.documentJson(i), i, count));
  }

  /** The tightened documents' tokens a gate may find in the stack, with each one's JSON (see JudgeablePolicy). */
  tightenedDocuments(): readonly { readonly token: string; readonly json: string | undefined }[] {
    const o = this.outcome.valueOrUndefined;
    return this.documentTokens.map((token, i) => ({ token, json: o?.jsonDocuments[i] }));
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

  /** The managed policy documents' JSON, for a judging gate; undefined when the report lookup failed. */
  tightenedJsonDocuments(): readonly string[] | undefined {
    return this.outcome.valueOrUndefined?.jsonDocuments;
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
      return { ...unchanged, removedActions: [], deniedActions: [], removedServices: [], unreportedServices: [], notes, proof: unchanged.proof };
    }
    let result: TightenedPolicy;
    try {
      result = tightenPolicy(original, model, {
        ...decisionOptionsFor(model, props, report),
        catalog,
        sourceName: this.node.path,
        ...(props.splitWildcards !== undefined ? { splitWildcards: props.splitWildcards } : {}),
        ...(props.maxPolicies !== undefined ? { maxPolicies: props.maxPolicies } : {}),
        ...(props.attachAs !== undefined ? { attachAs: props.attachAs } : {}),
      });
    } catch (error) {
      if (!(error instanceof PolicySizeError)) throw error;
      // IAM would refuse it: an error annotation fails `cdktf synth`; nothing is attached, nothing is truncated.
      coreOf(this).Annotations.of(this).addError(`TightenedPolicyDocument ${error.message}`);
      const proof = { holds: false, catalogVersion: catalog.version, usedActionsChecked: 0, removedActionsChecked: 0, failures: [error.message] };
      return { json: '', policy: { Statement: [] }, documents: [], jsonDocuments: [], characters: error.characters, removedActions: [], deniedActions: [], removedServices: [], unreportedServices: [], notes: [error.message], proof };
    }
    // Stale evidence removes nothing; the tightening fails synth so that nobody ships "tightened" on old evidence.
    const stale = staleDecisionMessage('TightenedPolicyDocument', this.node.path, result.findings, report);
    if (stale) coreOf(this).Annotations.of(this).addError(stale);
    else coreOf(this).Annotations.of(this).addInfo(summaryOf(this.node.path, model, result));
    // Kept, and safe, but the stack would grant back what an earlier apply removed: say so where the user looks.
    if (result.unreportedServices.length > 0) {
      coreOf(this).Annotations.of(this).addWarning(
        `TightenedPolicyDocument ${this.node.path}: the document allows ${result.unreportedServices.join(', ')}, which the report of ${report.arn} does not list ` +
          '(the principal holds no policy allowing them today): kept without evidence. If an earlier apply removed them, this document grants them back: tighten what the principal holds.',
      );
    }
    return { ...result, result };
  }
}

/** The tightening's values (its findings stay with `result`), also when there is no result to give (stale evidence). */
interface Outcome extends Omit<TightenedPolicy, 'findings'> {
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
    (result.deniedActions.length > 0 ? ` (${result.deniedActions.length} of them denied within kept wildcards)` : '') +
    (result.documents.length > 1 ? ` in ${result.documents.length} managed policy documents (attach each: forEachDocument)` : '') +
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
    granularity: DEFAULT_GRANULARITY,
    withEntities: false,
    jobId: 'unavailable',
    jobStatus: 'COMPLETED' as const,
    jobCreationDate: '1970-01-01T00:00:00.000Z',
    jobCompletionDate: '1969-01-01T00:00:00.000Z',
    servicesLastAccessed: [],
  };
}


import type { ActionCatalog } from '../model/action-catalog';
import type { ServiceLastAccessedReport } from '../model/report';
import { AnalysisInputError } from './errors';
import { assessEvidence, isRemovable, NEVER_REPORTED_ACTIONS, type Evidence } from './evidence';
import { canonicalDocument, parsePolicyDocument, type NormalizedStatement } from './policy-document';
import { candidateActions, catalogOf, compileForProof, proveTightening, RemovalRule, resourceSamples } from './verify';
import { compressUsedService, evaluatorAllowsSomewhere, planDenies, type DenyPlan } from './deny-lists';
import type { RunAwareEvaluator } from './evaluate';
import { serviceRuns } from './service-runs';
import type { NormalizedPolicy } from './policy-document';
import {
  DEFAULT_MAX_ATTACHED_POLICIES,
  INLINE_POLICIES_MAX_CHARACTERS,
  inlineHolderOf,
  MANAGED_POLICY_MAX_CHARACTERS,
  MAX_ATTACHED_POLICIES_LIMIT,
  packStatements,
  policyCharacters,
  PolicySizeError,
  validMaxPolicies,
} from './policy-size';
import type { PolicyDocument, PolicyStatement, TightenedPolicy, UnusedPermissionsOptions } from './types';
import { unusedFromEvidence, compare } from './unused';
import { expandPattern } from './catalog-cache';
import { ActionPatternSet, hasWildcard, matchesWildcard, splitAction } from './wildcard';

export interface TightenOptions extends UnusedPermissionsOptions {
  /** The IAM action catalog; default `loadActionCatalog()` (loaded on first use). */
  readonly catalog?: ActionCatalog;
  /** Named in errors and notes (a file name, a construct path). Default `policy`. */
  readonly sourceName?: string;
  /**
   * The smaller, lossy form: an allow-list of what is kept. A wildcard (`s3:*`, `s3:Get*`, `s3*:*`) whose service is
   * used is split into the catalog's actions minus the unused ones, and `*` into the services kept. Actions and
   * services newer than the catalog (that did not exist when the report was made) are then no longer allowed,
   * except those the report lists, so it is an explicit opt-in and every split is noted. Default false: the exact
   * form (wildcards kept as written, unused tracked actions denied).
   */
  readonly splitWildcards?: boolean;
  /**
   * How many managed policies the result may take (IAM attaches 10 per role or user by default; 1–20). A result
   * that does not fit in that many 6,144-character documents is a PolicySizeError. Default 10.
   */
  readonly maxPolicies?: number;
  /**
   * How the result will be attached. `managed` (default): managed policies of at most 6,144 characters each, at most
   * `maxPolicies`. `inline`: inline policies of the report's principal, which IAM limits together by its kind (a
   * role 10,240, a group 5,120, a user 2,048 characters without white space); the result is one document, and one
   * that does not fit is a PolicySizeError naming the size, the limit and the principal. Its other inline policies
   * count against the same quota.
   */
  readonly attachAs?: 'managed' | 'inline';
}

/** Sids of the Deny statements of the exact form (IAM allows only letters and digits in a Sid). */
export const DENY_UNUSED_SERVICES_SID = 'AccessAdvisorDenyUnusedServices';
export const DENY_UNUSED_ACTIONS_SID = 'AccessAdvisorDenyUnusedTrackedActions';

/** The inline quota the result must fit, or undefined for managed policies; a managed policy's report has no inline form. */
function inlineTarget(attachAs: unknown, arn: string): { kind: keyof typeof INLINE_POLICIES_MAX_CHARACTERS; limit: number } | undefined {
  if (attachAs === undefined || attachAs === 'managed') return undefined;
  if (attachAs !== 'inline') throw new AnalysisInputError('options', 'attachAs', attachAs, '"managed" or "inline"');
  const kind = inlineHolderOf(arn);
  if (!kind) throw new AnalysisInputError('options', 'attachAs', attachAs, `"managed": ${arn} is not a role, user or group, so it holds no inline policies`);
  return { kind, limit: INLINE_POLICIES_MAX_CHARACTERS[kind] };
}

/**
 * Whether the report's principal is a role or a user. Only then may an explicit Deny carry the evidence: a Deny
 * applies to everything the principal holds, and the report of a role or user covers everything it holds. A group's
 * Deny would also bind each member's own policies, and a managed policy's every principal it is attached to,
 * whose other grants that report does not judge.
 */
function principalEvidence(arn: string): boolean {
  return /^arn:[^:]+:iam::[^:]*:(role|user)\//.test(arn);
}

/**
 * Tightens an identity policy against a service-last-accessed report (docs/decisions.md, *Tightening*). For a role
 * or user the result is exact: Allow statements keep their wildcards as written (and their Resource, Condition,
 * Sid and order), literal actions proven unused are dropped, wildcards of wholly unused services give way to what
 * they keep, and `Deny` statements list the removable actions the kept statements still allow. The documents are
 * packed within IAM's 6,144 characters each and `maxPolicies`; what cannot fit is a PolicySizeError. The result
 * carries a proof; a failing proof is a bug in this module and throws.
 */
export function tightenPolicy(policy: PolicyDocument | string, report: ServiceLastAccessedReport, options: TightenOptions = {}): TightenedPolicy {
  if (typeof options !== 'object' || options === null) throw new AnalysisInputError('options', '(options)', options, 'an options object');
  if (options.sourceName !== undefined && typeof options.sourceName !== 'string') throw new AnalysisInputError('options', 'sourceName', options.sourceName, 'a string');
  if (options.splitWildcards !== undefined && typeof options.splitWildcards !== 'boolean') {
    throw new AnalysisInputError('options', 'splitWildcards', options.splitWildcards, 'true or false');
  }
  const maxPolicies = validMaxPolicies(options.maxPolicies);
  const source = options.sourceName ?? 'policy';
  const original = parsePolicyDocument(policy, source);
  const evidence = assessEvidence(report, options);
  const inline = inlineTarget(options.attachAs, report.arn);
  const catalog = catalogOf(options);
  const split = options.splitWildcards === true;
  const denyForm = principalEvidence(report.arn);
  const notes: string[] = [];
  if (evidence.status !== 'sufficient') notes.push(`nothing removed: ${evidence.statusReason}`);
  if (!denyForm && evidence.status === 'sufficient') {
    notes.push(
      `${report.arn} is not a role or user: its evidence does not cover every policy a Deny would bind (a group's members, a managed policy's principals), ` +
        'so wildcards that keep unused actions are kept as written without Deny statements',
    );
  }
  const version = original.document.Version;

  const statements: PolicyStatement[] = [];
  const untouched: PolicyStatement[] = [];
  const keptWildcardNotes: { label: string; pattern: string }[] = [];
  for (const s of original.statements) {
    const label = s.raw.Sid !== undefined ? `Statement ${s.raw.Sid}` : `Statement[${s.index}]`;
    if (s.effect === 'Deny') {
      statements.push(s.raw);
      continue;
    }
    if (!s.action || !s.resource) {
      statements.push(s.raw);
      untouched.push(s.raw);
      if (!denyForm) notes.push(`${label} uses ${s.notAction ? 'NotAction' : 'NotResource'}: kept as written, it could not be tightened without risk of widening`);
      continue;
    }
    if (s.action.some((a) => a.trim() === '*')) {
      if (denyForm && !split) {
        statements.push({ ...s.raw, Action: '*' });
        keptWildcardNotes.push({ label, pattern: '*' });
      } else if (denyForm && split) statements.push(...allowListOfEverything(s, evidence, catalog, label, notes));
      else statements.push(...tightenEverything(s, evidence, catalog, label, notes));
      continue;
    }
    const keptWildcards: string[] = [];
    const actions = tightenActions(s, evidence, catalog, label, notes, split, keptWildcards, denyForm);
    // Wildcards kept as written on purpose still grant their unused actions: without Deny statements the claim
    // must not count them.
    if (keptWildcards.length > 0) {
      if (denyForm) for (const pattern of keptWildcards) keptWildcardNotes.push({ label, pattern });
      else untouched.push({ ...s.raw, Action: keptWildcards });
    }
    if (actions.length === 0) {
      notes.push(`${label} removed: every action it allowed is proven unused`);
      continue;
    }
    statements.push({ ...s.raw, Action: actions.length === 1 ? actions[0]! : actions });
  }

  // The exact form: Deny what the kept statements still allow of the removable actions.
  let denies: { services: PolicyStatement[]; plan?: DenyPlan; evaluator?: RunAwareEvaluator } = { services: [] };
  const samples = resourceSamples([original]);
  if (denyForm && evidence.status === 'sufficient') {
    const allowDocument = canonicalDocument(statements, undefined, version);
    const evaluator = compileForProof([allowDocument]);
    const plan = planDenies(evidence, catalog, evaluatorAllowsSomewhere(evaluator, samples), serviceFilter(parsePolicyDocument(allowDocument, source)));
    denies = { services: [], plan, evaluator };
  }
  // Compared without case: never generate a Sid that differs from one of the original's only in case.
  const sids = new Set(original.statements.map((st) => st.raw.Sid).filter((sid): sid is string => sid !== undefined).map((sid) => sid.toLowerCase()));
  const uniqueSid = (base: string) => {
    let sid = base;
    for (let i = 2; sids.has(sid.toLowerCase()); i++) sid = `${base}${i}`;
    sids.add(sid.toLowerCase());
    return sid;
  };
  const denyStatements = (compressed: ReadonlySet<string>): PolicyStatement[] => {
    const plan = denies.plan;
    if (!plan) return [];
    const out: PolicyStatement[] = [];
    const serviceList = [...plan.wholeServices, ...[...plan.partialServices.values()].flat()];
    if (serviceList.length > 0) out.push({ Sid: DENY_UNUSED_SERVICES_SID, Effect: 'Deny', Action: serviceList.length === 1 ? serviceList[0]! : serviceList, Resource: '*' });
    const actionList: string[] = [];
    for (const [svc, list] of plan.usedServiceActions) actionList.push(...(compressed.has(svc) ? compressUsedService(evidence, catalog, svc) : list));
    if (actionList.length > 0) out.push({ Sid: DENY_UNUSED_ACTIONS_SID, Effect: 'Deny', Action: actionList.length === 1 ? actionList[0]! : actionList, Resource: '*' });
    return out;
  };

  // Pack into managed policies. Literal deny lists first; when they do not fit, the largest used services' lists
  // are shortened with word prefixes, one service at a time (noted: newer actions under them are denied too).
  const compressed = new Set<string>();
  const sidFor = new Map<string, string>();
  const withSids = (list: PolicyStatement[]) =>
    list.map((st) => {
      const base = st.Sid!;
      if (!sidFor.has(base)) sidFor.set(base, uniqueSid(base));
      return { ...st, Sid: sidFor.get(base)! };
    });
  // Managed: packed into documents of 6,144 characters. Inline: one document, the principal's quota for all of them.
  const pack = (list: readonly PolicyStatement[]): PolicyDocument[] | undefined => {
    if (!inline) return packStatements(list, version, original.document.Id);
    const one = canonicalDocument(list, original.document.Id, version);
    return policyCharacters(one) <= inline.limit ? [one] : undefined;
  };
  let all = [...statements, ...withSids(denyStatements(compressed))];
  let documents = pack(all);
  const bySize = [...(denies.plan?.usedServiceActions ?? new Map<string, readonly string[]>())].sort((a, b) => b[1].length - a[1].length).map(([svc]) => svc);
  while ((documents === undefined || documents.length > maxPolicies) && bySize.length > 0) {
    compressed.add(bySize.shift()!);
    all = [...statements, ...withSids(denyStatements(compressed))];
    documents = pack(all);
  }
  const merged = canonicalDocument(all, original.document.Id, version);
  const characters = policyCharacters(merged);
  if (inline && documents === undefined) {
    throw new PolicySizeError(
      source,
      characters,
      1,
      maxPolicies,
      `the tightened policy has ${characters} characters without white space, over IAM's ${inline.limit}-character limit for the inline policies of ` +
        `${inline.kind} ${report.arn} together (its other inline policies count too): attach it as managed policies instead (attachAs managed, the default)`,
    );
  }
  if (documents === undefined || documents.length > maxPolicies) {
    const needed = documents?.length;
    throw new PolicySizeError(
      source,
      characters,
      needed ?? Infinity,
      maxPolicies,
      documents === undefined
        ? `the tightened policy has a statement that alone exceeds IAM's ${MANAGED_POLICY_MAX_CHARACTERS}-character limit for a managed policy ` +
            `(${characters} characters without white space in all): ${split ? 'leave out splitWildcards (--split-wildcards)' : 'shorten the statement'} or split it by hand`
        : `the tightened policy needs ${needed} managed policies of at most ${MANAGED_POLICY_MAX_CHARACTERS} characters (${characters} characters without white space in all), ` +
            `more than maxPolicies ${maxPolicies} (IAM attaches ${DEFAULT_MAX_ATTACHED_POLICIES} per role or user by default, up to ${MAX_ATTACHED_POLICIES_LIMIT} with a quota increase)`,
    );
  }
  if (compressed.size > 0) {
    notes.push(
      `to fit ${inline ? `the ${inline.limit}-character inline quota of a ${inline.kind}` : `${documents.length} managed policies`}, the unused tracked actions of ${[...compressed].sort(compare).join(', ')} are denied by word prefixes ` +
        '(each matches only actions the report proves unused): actions newer than the catalog under those prefixes are denied too (narrower, never wider)',
    );
  }
  if (documents.length > 1) {
    notes.push(`the tightened policy is ${documents.length} managed policy documents (${characters} characters without white space; at most ${MANAGED_POLICY_MAX_CHARACTERS} each): attach all of them`);
  }

  const tightened = parsePolicyDocument(merged, `tightened ${source}`);

  // The claim, computed from the evidence independently of the rewrite: every action the original allows that
  // the evidence proves unused, minus what statements left untouched without Deny statements still grant. The
  // proof checks it.
  const originalDenies = original.statements.filter((st) => st.effect === 'Deny').map((st) => st.raw);
  const keptByUntouched = !denyForm && untouched.length > 0 ? compileForProof([canonicalDocument([...untouched, ...originalDenies], undefined, version)]) : undefined;
  const candidates = candidateActions([original, tightened], evidence, catalog);
  const claim = new RemovalRule(keptByUntouched ? (action) => samples.some((r) => keptByUntouched.allows(action, r)) : undefined);
  const narrowedFuture = [...compressed].flatMap((svc) => compressUsedService(evidence, catalog, svc));
  const outcome = proveTightening(original, tightened, evidence, catalog, claim, candidates, { splitWildcards: split, narrowedFuture });
  if (!outcome.proof.holds) {
    throw new Error(`internal error: the tightened ${source} failed its proof (please report this bug): ${outcome.proof.failures.slice(0, 5).join('; ')}`);
  }
  if (outcome.removableButKept.length > 0) {
    const list = outcome.removableButKept;
    notes.push(`${list.length} action(s) proven unused stay allowed by statements that could not be tightened: ${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''}`);
  }
  const removedServices = [...outcome.removedServices].filter((svc) => !outcome.allowedAfterServices.has(svc)).sort(compare);
  // "Denied within a kept wildcard": removed, yet still matched by an Allow the result keeps (the Deny removes it).
  const allowEvaluator = denies.evaluator;
  let deniedActions: string[] = [];
  // Lower-case services of the denied actions, read per run of one service.
  const deniedServices = new Set<string>();
  if (allowEvaluator) {
    const removed = outcome.removed;
    const runs = serviceRuns(removed);
    const allowed = allowEvaluator.allowsTableByRuns(removed, runs, samples);
    const width = samples.length;
    if (width === 1 && allowed.indexOf(0) < 0) {
      // Every removed action is denied (`*` kept as written): the list is the removed list, its services theirs.
      deniedActions = removed.slice();
      for (const svc of outcome.removedServices) deniedServices.add(svc);
    } else {
      for (let k = 0; k < runs.count; k++) {
        const before = deniedActions.length;
        for (let i = runs.starts[k]!, end = runs.starts[k + 1]!; i < end; i++) {
          for (let r = 0; r < width; r++) {
            if (allowed[i * width + r]) {
              deniedActions.push(removed[i]!);
              break;
            }
          }
        }
        if (deniedActions.length > before) deniedServices.add(serviceOf(removed[runs.starts[k]!]!));
      }
    }
  }
  // Per service, so that each kept wildcard looks only at the denied actions of the services it names.
  let deniedByService: Map<string, string[]> | undefined;
  for (const { label, pattern } of keptWildcardNotes) {
    const parts = splitAction(pattern);
    const pool = pattern === '*' || !parts || hasWildcard(parts.service) ? deniedActions : ((deniedByService ??= byService(deniedActions)).get(parts.service) ?? []);
    const inside = pattern === '*' ? pool : pool.filter((a) => matchesWildcard(pattern, a, true));
    if (inside.length === 0) continue;
    const services = inside === deniedActions ? deniedServices : servicesOf(inside);
    notes.push(
      `${label}: "${pattern}" kept as written; ${inside.length} unused tracked action(s) it allows ${services.size > 1 ? `in ${services.size} services ` : ''}are denied ` +
        `(${inside.slice(0, 5).join(', ')}${inside.length > 5 ? ', …' : ''}): used, untracked, excepted and newer actions stay allowed`,
    );
  }

  const unreportedServices = servicesNotInReport(original, evidence);
  if (unreportedServices.length > 0) {
    notes.push(
      `${source} allows ${unreportedServices.join(', ')}, which the report does not list: ${report.arn} holds no policy that allows ${unreportedServices.length > 1 ? 'them' : 'it'} today ` +
        '(access advisor lists every service its policies allow), so there is no evidence either way and they are kept; if an earlier apply removed them, ' +
        'this document grants them back: tighten the policies the principal holds',
    );
  }
  return {
    policy: merged,
    json: stableJson(merged),
    documents,
    jsonDocuments: documents.map(stableJson),
    characters,
    removedActions: outcome.removed,
    deniedActions,
    removedServices,
    unreportedServices,
    notes,
    findings: unusedFromEvidence(evidence),
    proof: outcome.proof,
  };
}

/**
 * Services an Allow statement names by a literal service prefix that the report does not list. IAM's report lists
 * every service the principal's policies allow, so the principal does not hold these today: a document that still
 * grants them is not what it holds (typically the original, tightened again after an apply removed them).
 * Statements with `*`, NotAction or a service wildcard name no service and add nothing here.
 */
function servicesNotInReport(document: NormalizedPolicy, evidence: Evidence): string[] {
  const unreported = new Set<string>();
  for (const s of document.statements) {
    if (s.effect !== 'Allow' || !s.action) continue;
    for (const a of s.action) {
      const parts = splitAction(a.trim());
      if (parts && !hasWildcard(parts.service) && !evidence.services.has(parts.service)) unreported.add(parts.service);
    }
  }
  return [...unreported].sort(compare);
}

/**
 * Which services an Allow of the document may grant: every one when a statement has `*`, a NotAction or a service
 * wildcard; else those its patterns name. Saves asking the evaluator about hundreds of unused services.
 */
function serviceFilter(document: NormalizedPolicy): (service: string) => boolean {
  const named = new Set<string>();
  for (const s of document.statements) {
    if (s.effect !== 'Allow') continue;
    if (!s.action) return () => true;
    for (const a of s.action) {
      const parts = splitAction(a.trim());
      if (!parts || hasWildcard(parts.service)) return () => true;
      named.add(parts.service);
    }
  }
  return (service) => named.has(service);
}

/**
 * `*` as an allow-list of what is kept (the opt-in `splitWildcards`): every service the catalog or the report knows
 * that is not wholly unused, as `svc:*` (a used service with unused tracked actions split into its other actions),
 * plus what unused services keep. Services newer than the catalog and the report are no longer allowed (noted).
 */
function allowListOfEverything(s: NormalizedStatement, evidence: Evidence, catalog: ActionCatalog, label: string, notes: string[]): PolicyStatement[] {
  const services = new Set([...catalog.services(), ...evidence.services.keys()]);
  const servicesWithUnusedActions = new Set([...evidence.unusedActions].map(serviceOf));
  const out: string[] = [];
  for (const ns of [...services].sort(compare)) {
    if (evidence.unusedServices.has(ns)) {
      out.push(...splitService(ns, '*', evidence, catalog).filter((a) => !isRemovable(evidence, a)));
      for (const e of evidence.exceptions.exceptions) {
        const parts = splitAction(e.permission);
        if (parts && parts.service === ns && hasWildcard(parts.action)) out.push(e.permission);
      }
      continue;
    }
    out.push(...(servicesWithUnusedActions.has(ns) ? splitService(ns, '*', evidence, catalog) : [`${ns}:*`]));
  }
  notes.push(
    `${label}: "*" became an allow-list of ${services.size - evidence.unusedServices.size} service(s) (splitWildcards): services that did not exist ` +
      `when the report was made (newer than the catalog ${catalog.version} and not in the report) are no longer allowed`,
  );
  const actions = minimalActionList(out);
  return actions.length === 0 ? [] : [{ ...s.raw, Action: actions.length === 1 ? actions[0]! : actions }];
}

/**
 * `*` (with whatever else the list names) minus what the evidence proves unused, written exactly: an Allow with
 * `NotAction` (whole unused services as `svc:*`, unused tracked actions by name) on the same Resource and
 * Condition. Everything else stays allowed, services and actions newer than the catalog included. An unused
 * service that keeps some actions (iam:PassRole, an exception naming actions) gets a sibling Allow for them.
 */
function tightenEverything(s: NormalizedStatement, evidence: Evidence, catalog: ActionCatalog, label: string, notes: string[]): PolicyStatement[] {
  const { Action: _action, ...rest } = s.raw;
  const notAction = new Map<string, string>();
  const keptPatterns: string[] = [];
  const add = (pattern: string) => notAction.set(pattern.toLowerCase(), pattern);
  for (const ns of evidence.unusedServices) {
    add(`${ns}:*`);
    for (const action of NEVER_REPORTED_ACTIONS) if (serviceOf(action) === ns) keptPatterns.push(action);
    for (const e of evidence.exceptions.exceptions) {
      if (!evidence.exceptions.touchesService(ns)) break;
      const parts = splitAction(e.permission);
      if (parts && (hasWildcard(parts.service) ? matchesWildcard(parts.service, ns, true) : parts.service === ns)) keptPatterns.push(e.permission);
    }
  }
  for (const action of evidence.unusedActions) {
    const parts = splitAction(action)!;
    if (evidence.unusedServices.has(parts.service)) continue;
    const tracked = evidence.services.get(parts.service)?.tracked?.get(parts.action.toLowerCase());
    add(`${parts.service}:${catalog.canonicalAction(parts.service, parts.action) ?? tracked?.name ?? parts.action}`);
  }
  if (notAction.size === 0) return [{ ...s.raw, Action: '*' }];
  const list = [...notAction.values()].sort((a, b) => compare(a.toLowerCase(), b.toLowerCase()));
  notes.push(
    `${label}: "*" became NotAction ${JSON.stringify(list.length > 8 ? [...list.slice(0, 8), '…'] : list)} on the same Resource and Condition: ` +
      `exact, everything else stays allowed, including services and actions newer than the catalog ${catalog.version}`,
  );
  const out: PolicyStatement[] = [{ ...rest, NotAction: list.length === 1 ? list[0]! : list } as PolicyStatement];
  const kept = minimalActionList(keptPatterns);
  if (kept.length > 0) {
    const { Sid: _sid, ...sibling } = rest;
    out.push({ ...sibling, Action: kept.length === 1 ? kept[0]! : kept } as PolicyStatement);
    notes.push(`${label}: ${kept.join(', ')} kept in a separate statement with the same Resource and Condition (never reported or excepted)`);
  }
  return out;
}

/** Rewrites one Allow statement's action list; returns sorted, deduplicated, minimal patterns. */
function tightenActions(
  s: NormalizedStatement,
  evidence: Evidence,
  catalog: ActionCatalog,
  label: string,
  notes: string[],
  split: boolean,
  keptWildcards: string[],
  denyForm: boolean,
): string[] {
  // With Deny statements a kept wildcard loses its unused actions exactly (noted by the caller); without them it
  // keeps them, and the note says what splitting would cost.
  const keepWildcard = (pattern: string, removable: readonly string[], lost: string) => {
    if (!denyForm) noteKeptWildcard(pattern, removable, label, notes, lost, catalog);
  };
  const out: string[] = [];
  for (const raw of s.action ?? []) {
    const pattern = raw.trim();
    const parts = splitAction(pattern);
    if (!parts) {
      notes.push(`${label}: "${pattern}" is not a service:action pattern; kept as written`);
      out.push(pattern);
      continue;
    }
    if (!hasWildcard(pattern)) {
      const canonical = `${parts.service}:${catalog.canonicalAction(parts.service, parts.action) ?? parts.action}`;
      if (!isRemovable(evidence, canonical)) out.push(canonical);
      continue;
    }
    const expansion = expandPattern(catalog, pattern);
    const removable = [...expansion, ...reportActionsMatching(evidence, catalog, pattern)].filter((a) => isRemovable(evidence, a));
    const wholeServiceUnused = !hasWildcard(parts.service) && evidence.unusedServices.has(parts.service);
    if (removable.length === 0 && !wholeServiceUnused) {
      out.push(pattern);
      continue;
    }
    if (hasWildcard(parts.service)) {
      if (!split) {
        keepWildcard(pattern, removable, 'services newer than the catalog');
        out.push(pattern);
        keptWildcards.push(pattern);
        continue;
      }
      notes.push(`${label}: "${pattern}" was split per service against the action catalog ${catalog.version} (splitWildcards): services and actions newer than the catalog are no longer allowed, except those the report lists`);
      for (const svc of catalog.services().filter((ns) => matchesWildcard(parts.service, ns, true))) {
        out.push(...splitService(svc, parts.action, evidence, catalog));
      }
      // Services the report lists but the catalog does not know keep the pattern for them.
      for (const ns of evidence.services.keys()) {
        if (!catalog.hasService(ns) && matchesWildcard(parts.service, ns, true) && !evidence.unusedServices.has(ns)) out.push(`${ns}:${parts.action}`);
      }
      continue;
    }
    if (wholeServiceUnused) {
      // The whole service is unused: every action of it, newer ones included, is proven unused. What stays is
      // what the evidence cannot judge (iam:PassRole) and what an exception names.
      const exceptions = evidence.exceptions.exceptions.map((e) => e.permission.trim());
      const excepted = exceptions.filter((p) => {
        const e = splitAction(p);
        return e !== undefined && hasWildcard(e.action) && matchesWildcard(e.service, parts.service, true);
      });
      // A literal exception the pattern covers stays too, also one the catalog does not know (the expansion below
      // keeps only catalog actions).
      const exceptedLiterals = exceptions.filter((p) => {
        const e = splitAction(p);
        return e !== undefined && !hasWildcard(e.action) && matchesWildcard(e.service, parts.service, true) && matchesWildcard(parts.action, e.action, true);
      });
      const expressible =
        excepted.every((p) => serviceOf(p) === parts.service && !hasWildcard(serviceOf(p)) && (parts.action === '*' || p.toLowerCase() === pattern.toLowerCase())) &&
        exceptedLiterals.every((p) => !hasWildcard(serviceOf(p)));
      if (!expressible) {
        notes.push(`${label}: "${pattern}" kept as written: an exception (${[...excepted, ...exceptedLiterals].join(', ')}) names some of its actions and cannot be intersected with it exactly`);
        out.push(pattern);
        keptWildcards.push(pattern);
        continue;
      }
      const kept = [...expansion.filter((a) => !isRemovable(evidence, a)), ...excepted, ...exceptedLiterals.map((p) => `${parts.service}:${splitAction(p)!.action}`)];
      out.push(...kept);
      if (kept.length > 0) {
        // Reported: the rest of the service goes, actions newer than the catalog included (the report shows no use
        // of the service at all); what stays is what no evidence can judge or what an exception names.
        const shown = minimalActionList(kept);
        notes.push(
          `${label}: "${pattern}" of unused service ${parts.service} became ${shown.slice(0, 8).join(', ')}${shown.length > 8 ? ', …' : ''} ` +
            '(iam:PassRole is never reported as used; exceptions stay): the rest of it, actions newer than the catalog included, is removed',
        );
      }
      continue;
    }
    // A used service with tracked actions proven unused.
    if (!split) {
      keepWildcard(pattern, removable, `actions of ${parts.service} newer than the catalog`);
      out.push(pattern);
      keptWildcards.push(pattern);
      continue;
    }
    notes.push(`${label}: "${pattern}" was split into the actions of the catalog ${catalog.version} (splitWildcards): ${parts.service} actions newer than the catalog are no longer allowed, except those the report lists`);
    out.push(...splitService(parts.service, parts.action, evidence, catalog));
  }
  return minimalActionList(out);
}

/** Tracked actions of the report that the catalog does not know and that the pattern matches. */
function reportActionsMatching(evidence: Evidence, catalog: ActionCatalog, pattern: string): string[] {
  const parts = splitAction(pattern)!;
  const out: string[] = [];
  for (const s of evidence.services.values()) {
    if (!s.tracked || !matchesWildcard(parts.service, s.namespace, true)) continue;
    for (const a of s.tracked.values()) {
      if (catalog.canonicalAction(s.namespace, a.name) === undefined && matchesWildcard(parts.action, a.name, true)) out.push(`${s.namespace}:${a.name}`);
    }
  }
  return out;
}

function noteKeptWildcard(pattern: string, removable: readonly string[], label: string, notes: string[], lost: string, catalog: ActionCatalog): void {
  notes.push(
    `${label}: "${pattern}" kept as written: it allows ${removable.length} action(s) proven unused (${removable.slice(0, 5).join(', ')}${removable.length > 5 ? ', …' : ''}), ` +
      `but splitting it into the actions of the catalog ${catalog.version} would also drop ${lost}; opt in with splitWildcards: true (CLI: --split-wildcards) to split it anyway (lossy)`,
  );
}

/** `svc:actionPart` as catalog actions minus the removable ones, plus the report's actions of svc the catalog lacks. */
function splitService(svc: string, actionPart: string, evidence: Evidence, catalog: ActionCatalog): string[] {
  const actions = [...expandPattern(catalog, `${svc}:${actionPart}`), ...reportActionsMatching(evidence, catalog, `${svc}:${actionPart}`)];
  const kept = actions.filter((a) => !isRemovable(evidence, a));
  const out = kept.length === actions.length && actions.length > 0 ? [`${svc}:${actionPart}`] : kept;
  for (const action of NEVER_REPORTED_ACTIONS) {
    if (serviceOf(action) === svc && matchesWildcard(`${svc}:${actionPart}`, action, true) && !out.includes(action)) out.push(action);
  }
  return out;
}

/** Deduplicates case-insensitively, drops literals covered by a wildcard in the same list, sorts. */
export function minimalActionList(actions: readonly string[]): string[] {
  if (actions.some((a) => a === '*')) return ['*'];
  const byLower = new Map<string, string>();
  for (const a of actions) if (!byLower.has(a.toLowerCase())) byLower.set(a.toLowerCase(), a);
  const unique = [...byLower.values()];
  const wildcards = unique.filter(hasWildcard);
  const covering = new ActionPatternSet(wildcards);
  const minimal = unique.filter((a) => hasWildcard(a) || !covering.matches(a));
  // Also drop a wildcard entry made redundant by a broader one of the same service (`s3:Get*` under `s3:*`).
  const services = new Set(wildcards.filter((w) => w.endsWith(':*')).map((w) => w.slice(0, -2).toLowerCase()));
  return minimal
    .filter((a) => !(hasWildcard(a) && !a.endsWith(':*') && services.has(serviceOf(a))))
    .sort((a, b) => compare(a.toLowerCase(), b.toLowerCase()) || compare(a, b));
}

/** The lower-case services of the actions (read again only where a run of one service changes). */
function servicesOf(actions: readonly string[]): Set<string> {
  const out = new Set<string>();
  let prefix: string | undefined;
  for (const a of actions) {
    // A service part holds no colon: an action starting with `svc:` is of service svc.
    if (prefix !== undefined && a.startsWith(prefix)) continue;
    out.add(serviceOf(a));
    prefix = `${a.slice(0, Math.max(0, a.indexOf(':')))}:`;
  }
  return out;
}

/**
 * Actions grouped by lower-case service, in their order. Actions of one service usually come in a run (catalog
 * order), so the service is read again only where the run changes.
 */
function byService(actions: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let prefix: string | undefined;
  let list: string[] = [];
  for (const a of actions) {
    // A service part holds no colon: an action starting with `svc:` is of service svc.
    if (prefix === undefined || !a.startsWith(prefix)) {
      const svc = serviceOf(a);
      prefix = `${a.slice(0, Math.max(0, a.indexOf(':')))}:`;
      list = out.get(svc) ?? [];
      if (!out.has(svc)) out.set(svc, list);
    }
    list.push(a);
  }
  return out;
}

function serviceOf(pattern: string): string {
  return pattern.slice(0, Math.max(0, pattern.indexOf(':'))).toLowerCase();
}

/** JSON with the document's (already canonical) key order, two-space indented, trailing newline-free. */
export function stableJson(document: PolicyDocument): string {
  return JSON.stringify(document, null, 2);
}

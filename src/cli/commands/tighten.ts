import { Option, type Command } from 'commander';
import type { PermissionException, PolicyDocument, TightenedPolicy } from '../../analysis/types';
import { ACTION_PATTERN } from '../../analysis/policy-document';
import { DEFAULT_GRANULARITY, GRANULARITIES, type Granularity, type ServiceLastAccessedReport } from '../../model/report';
import { action, emit, write } from '../subcommand';
import { CliInputError, EXIT } from '../exit-codes';
import { addExamples } from '../help';
import { warnUnknownActions } from '../unknown-action-warnings';
import { collectException, parseDays, parseJsonInput, readInput } from '../inputs';
import { ANSI, PLAIN, renderMarkdown, renderText, type Doc } from '../../report/document';
import { applyQuery, formatResult } from '../output/render';
import { runOne } from '../reports';
import { principalServices, type PrincipalService } from '../../report/gate-result';

interface Flags {
  arn: string;
  policy: string;
  granularity: Granularity;
  unusedAfterDays?: number;
  allow?: PermissionException[];
  judgeUnknownHistory?: boolean;
  splitWildcards?: boolean;
  maxPolicies?: number;
  inline?: boolean;
  outDir?: string;
  listRemoved?: boolean;
}

/** The full tighten result: what --query sees. */
export interface TightenResult extends Omit<TightenedPolicy, 'json' | 'jsonDocuments'> {
  readonly kind: 'tightened-policy';
  readonly arn: string;
  readonly jobId: string;
  /** The report's services and tracked actions, for the HTML page. */
  readonly services: readonly PrincipalService[];
}

export function register(program: Command): void {
  const command = program
    .command('tighten')
    .summary('remove from a policy what the principal has not used, with a proof')
    .description(
      'Reads an identity policy, runs an access-advisor report for the principal it is attached to and prints ' +
        'the tightened policy on stdout; the diff (removed services and actions, notes) and the proof (every ' +
        'observed action still allowed, every removed one denied) go to stderr. With --output markdown or table ' +
        'everything is one document on stdout. For a role or user the result is exact: wildcards (s3:*, *) stay as ' +
        'written and Deny statements list the unused tracked actions they still allow. Unknown (untracked) actions, ' +
        'actions and services newer than the action catalog and iam:PassRole are always kept; the Version and every ' +
        'Resource and Condition stay as written. A result over IAM\'s 6,144 characters per managed policy is split ' +
        'into several documents: stdout is then a JSON array of them (gate --policy reads it), or --out-dir writes ' +
        'one file each; more than --max-policies is an error (exit 2). A principal whose creation date cannot be ' +
        'read is "unknown-history": nothing is removed unless --judge-unknown-history.',
    )
    .requiredOption('--arn <arn>', 'ARN of the principal the policy is attached to')
    .requiredOption('--policy <file>', 'the policy document (JSON), or - for stdin')
    .addOption(
      new Option(
        '--granularity <level>',
        'ACTION_LEVEL (default) also removes the unused tracked actions of used services; SERVICE_LEVEL removes unused services only. IAM\'s own default is SERVICE_LEVEL: the level is always sent explicitly',
      )
        .choices(GRANULARITIES)
        .default(DEFAULT_GRANULARITY),
    )
    .addOption(new Option('--unused-after-days <n>', 'a permission not used for this many days is removed: 1 to 400, IAM tracks about 400 days (default 90)').argParser(parseDays))
    .addOption(
      new Option('--allow <permission=reason>', 'never remove this permission, with the reason (repeatable)').argParser(collectException),
    )
    .option(
      '--judge-unknown-history',
      'judge a principal whose creation date could not be read (no iam:GetRole/GetUser/...): by default it is ' +
        '"unknown-history" and nothing is removed, since it may be younger than the window',
    )
    .option(
      '--split-wildcards',
      'the smaller allow-list form: split a wildcard of a used service (s3:*, s3:Get*) into the catalog\'s actions and * into the ' +
        'services kept; lossy: actions and services newer than the catalog are dropped (by default wildcards stay as written ' +
        'and their unused tracked actions are denied, exactly)',
    )
    .addOption(
      new Option('--max-policies <n>', 'managed policies the result may take, 1 to 20 (IAM attaches 10 per role or user by default)').argParser(parseMaxPolicies).default(10),
    )
    .option(
      '--inline',
      'the result will be an inline policy of the principal: one document within IAM\'s quota for all inline policies of a ' +
        'role (10,240 characters), group (5,120) or user (2,048), white space not counted; over it is an error (exit 2)',
    )
    .option('--out-dir <dir>', 'write each managed policy document to DIR/policy-1.json, policy-2.json, … (atomically) instead of stdout')
    .option('--list-removed', 'list every removed action on stderr (default: counts per service and the first few names)');
  addExamples(
    command,
    `  $ access-advisor tighten --arn arn:aws:iam::123456789012:role/app-deployer --policy policy.json > tightened.json
  $ cat policy.json | access-advisor tighten --arn arn:aws:iam::123456789012:role/app-deployer --policy - \\
      --allow "s3:PutObject=quarterly export" --output markdown >> "$GITHUB_STEP_SUMMARY"
  $ access-advisor tighten --arn arn:aws:iam::123456789012:role/app-deployer --policy policy.json --query removedActions
  # an AdministratorAccess-sized result: one file per managed policy document
  $ access-advisor tighten --arn arn:aws:iam::123456789012:role/ops-admin --policy admin.json --out-dir tightened/`,
  );
  command.action(
    action<Flags>(async (ctx, flags) => {
      // Every check of the input before the job: a bad policy must not cost a report (or end in a stack overflow).
      const policyText = readInput('--policy', flags.policy);
      const policy = parsePolicy(flags.policy, policyText);
      const analysisModule = require('../../analysis') as typeof import('../../analysis');
      const policySource = flags.policy === '-' ? 'standard input' : flags.policy;
      analysisModule.refuseDuplicateKeys(policyText, policySource);
      analysisModule.parsePolicyDocument(policy, policySource);
      warnUnknownActions(ctx, [policy], flags.allow);
      const report = (await runOne(ctx, {
        kind: 'service-last-accessed',
        arn: flags.arn,
        granularity: flags.granularity,
        withEntities: false,
      })) as ServiceLastAccessedReport;
      const analysis = require('../../analysis') as typeof import('../../analysis');
      const tightened = analysis.tightenPolicy(policy, report, {
        ...(flags.unusedAfterDays !== undefined ? { unusedAfterDays: flags.unusedAfterDays } : {}),
        ...(flags.allow ? { allow: flags.allow } : {}),
        ...(flags.judgeUnknownHistory ? { judgeUnknownHistory: true } : {}),
        ...(flags.splitWildcards ? { splitWildcards: true } : {}),
        ...(flags.maxPolicies !== undefined ? { maxPolicies: flags.maxPolicies } : {}),
        ...(flags.inline ? { attachAs: 'inline' as const } : {}),
      });
      const { json: _json, jsonDocuments, ...rest } = tightened;
      const result: TightenResult = { kind: 'tightened-policy', arn: flags.arn, jobId: report.jobId, ...rest, services: principalServices(report.servicesLastAccessed) };
      const holds = tightened.proof.holds;
      const format = ctx.output ?? 'json';

      if (ctx.query !== undefined) {
        await write(process.stdout, formatResult(applyQuery(result, ctx.query), format, { color: false }));
      } else if (format === 'markdown' || format === 'table') {
        const doc = tightenDoc(result, true, flags.listRemoved === true);
        await write(process.stdout, format === 'markdown' ? renderMarkdown([doc]) : renderText([doc], PLAIN));
        return holds ? EXIT.success : EXIT.gateFailed;
      } else if (format === 'html') {
        // The page: evidence per service, what was denied within kept wildcards apart from what was dropped.
        await emit(ctx, result);
      } else if (holds && flags.outDir !== undefined) {
        writeDocuments(ctx, flags.outDir, jsonDocuments);
      } else if (holds) {
        // One document as itself; several as a JSON array of documents (gate --policy reads both).
        await emit(ctx, tightened.documents.length === 1 ? tightened.documents[0] : tightened.documents);
      }
      await write(process.stderr, renderText([tightenDoc(result, false, flags.listRemoved === true)], ctx.color && process.stderr.isTTY ? ANSI : PLAIN));
      if (!holds) ctx.log('access-advisor: the tightened policy failed its proof; it was not printed');
      return holds ? EXIT.success : EXIT.gateFailed;
    }),
  );
}

function parseMaxPolicies(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 20) throw new CliInputError(`--max-policies: ${JSON.stringify(value)} is not allowed; expected a whole number from 1 to 20`);
  return n;
}

/** DIR/policy-1.json … policy-N.json, each written atomically; stale higher-numbered files would mislead, so refuse them. */
function writeDocuments(ctx: { log(line: string): void }, dir: string, documents: readonly string[]): void {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const { writeFileAtomicSync } = require('../../resolve/atomic-write') as typeof import('../../resolve/atomic-write');
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new CliInputError(`--out-dir: cannot create ${JSON.stringify(dir)}: ${(error as Error).message}`);
  }
  const stale = fs.readdirSync(dir).filter((f) => /^policy-\d+\.json$/.test(f) && Number(/\d+/.exec(f)![0]) > documents.length);
  if (stale.length > 0) {
    throw new CliInputError(`--out-dir: ${JSON.stringify(dir)} holds ${stale.join(', ')} from an earlier run, more documents than this result has (${documents.length}): delete them or choose another directory`);
  }
  documents.forEach((text, i) => {
    const file = path.join(dir, `policy-${i + 1}.json`);
    try {
      writeFileAtomicSync(file, `${text}\n`);
    } catch (error) {
      throw new CliInputError(`--out-dir: cannot write ${JSON.stringify(file)}: ${(error as Error).message}`);
    }
  });
  ctx.log(`access-advisor: wrote ${documents.length} managed policy document(s) to ${dir} (policy-1.json … policy-${documents.length}.json): attach all of them`);
}

function parsePolicy(source: string, text: string): PolicyDocument {
  const name = source === '-' ? 'standard input' : JSON.stringify(source);
  const value = parseJsonInput('--policy', source, text);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('Statement' in value)) {
    throw new CliInputError(`--policy: ${name} is not an IAM policy document; expected an object with "Statement"`);
  }
  const depth = nestingDepth(value);
  if (depth > MAX_POLICY_DEPTH) {
    throw new CliInputError(`--policy: ${name} is nested more than ${MAX_POLICY_DEPTH} levels deep (${depth} seen before stopping); an IAM policy needs far fewer`);
  }
  const statements = (value as { Statement: unknown }).Statement;
  (Array.isArray(statements) ? statements : [statements]).forEach((statement, i) => {
    for (const key of ['Action', 'NotAction'] as const) {
      const actions = (statement as Record<string, unknown> | null)?.[key];
      for (const action of Array.isArray(actions) ? actions : actions === undefined ? [] : [actions]) {
        if (typeof action !== 'string' || !ACTION_PATTERN.test(action)) {
          throw new CliInputError(
            `--policy: ${name} Statement[${i}].${key}: ${JSON.stringify(action)} is not allowed; expected "*" or SERVICE:ACTION (wildcards * and ? allowed), e.g. "s3:GetObject"`,
          );
        }
      }
    }
  });
  return value as PolicyDocument;
}

/** Policies are shallow (document → Statement → Condition → operator → key → values): 32 is far beyond any real one. */
const MAX_POLICY_DEPTH = 32;

/** Iterative, so a hostile 100 000-deep document cannot overflow the stack while being measured. */
function nestingDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    max = Math.max(max, depth);
    if (max > MAX_POLICY_DEPTH) return max;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return max;
}

/** Services listed in the removed-actions table before "… and N more" (AdministratorAccess removes ~450). */
const SUMMARY_SERVICES = 12;
/** Action names shown per service row unless --list-removed. */
const SUMMARY_NAMES = 6;

/** The diff and the proof, as one document; with the policy itself for markdown/table output. */
export function tightenDoc(result: TightenResult, withPolicy: boolean, listAll = false): Doc {
  const { proof, findings } = result;
  const keptUnknown = findings.findings.filter((f) => f.kind === 'unknown-action' || f.kind === 'never-reported');
  const title = `${proof.holds ? '✅' : '❌'} Tightened policy for ${result.arn}`;
  const denied = new Set(result.deniedActions);
  const dropped = result.removedActions.filter((a) => !denied.has(a));
  const removedServices = new Set(result.removedServices);
  const rows = groupByService(result.removedActions.filter((a) => !removedServices.has(a.slice(0, a.indexOf(':')).toLowerCase())), denied, listAll);
  const shownRows = listAll ? rows : rows.slice(0, SUMMARY_SERVICES);
  const shownServices = listAll ? result.removedServices : result.removedServices.slice(0, SUMMARY_SERVICES * 2);
  return {
    title,
    sections: [
      {
        lines: [
          `Evidence: ${findings.status} (${findings.statusReason})`,
          ...(findings.principalCreateDateKnown ? [] : [`Creation date of ${result.arn}: could not be read (unknown history)`]),
          `Report job: ${result.jobId}, unused after ${findings.unusedAfterDays} days`,
          `Removed: ${result.removedServices.length} whole service(s), ${result.removedActions.length} action(s): ` +
            `${dropped.length} dropped from the Allow statements, ${result.deniedActions.length} denied within kept wildcards`,
          `Kept without evidence: ${keptUnknown.length} (untracked actions, iam:PassRole)`,
          `Documents: ${result.documents.length} managed polic${result.documents.length === 1 ? 'y' : 'ies'}, ${result.characters} characters without white space (IAM: at most 6,144 each)`,
        ],
      },
      {
        title: 'Removed services',
        table: { columns: ['Service'], rows: shownServices.map((ns) => [ns]) },
        empty: 'none',
      },
      ...(shownServices.length < result.removedServices.length
        ? [{ lines: [`… and ${result.removedServices.length - shownServices.length} more service(s); --list-removed (or --query removedServices) lists them all`] }]
        : []),
      {
        title: 'Removed actions of services still used (denied: within a kept wildcard; dropped: from the Allow statements)',
        table: { columns: ['Service', 'Denied', 'Dropped', 'Actions'], rows: shownRows },
        empty: 'none',
      },
      ...(shownRows.length < rows.length ? [{ lines: [`… and ${rows.length - shownRows.length} more service(s); --list-removed (or --query removedActions) lists every action`] }] : []),
      ...(result.notes.length ? [{ title: 'Notes', lines: result.notes }] : []),
      {
        title: 'Proof',
        lines: [
          proof.holds ? 'holds' : 'FAILS',
          `${proof.usedActionsChecked} observed action(s) still allowed, ${proof.removedActionsChecked} removed action(s) no longer allowed (catalog ${proof.catalogVersion})`,
          ...proof.failures,
        ],
      },
      ...(withPolicy
        ? result.documents.map((d, i) => ({ title: result.documents.length === 1 ? 'Policy' : `Policy document ${i + 1} of ${result.documents.length}`, code: { language: 'json', text: JSON.stringify(d, null, 2) } }))
        : []),
    ],
  };
}

/** Per service, most actions first: `ec2 | 475 | 0 | AcceptAddressTransfer, … (+469 more)`; hundreds stay readable. */
function groupByService(actions: readonly string[], denied: ReadonlySet<string>, listAll: boolean): string[][] {
  const byService = new Map<string, string[]>();
  for (const action of actions) {
    const colon = action.indexOf(':');
    const ns = colon < 0 ? action : action.slice(0, colon);
    byService.set(ns, [...(byService.get(ns) ?? []), action]);
  }
  return [...byService]
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))
    .map(([ns, list]) => {
      const names = list.map((a) => a.slice(a.indexOf(':') + 1));
      const shown = listAll ? names : names.slice(0, SUMMARY_NAMES);
      const deniedCount = list.filter((a) => denied.has(a)).length;
      return [ns, String(deniedCount), String(list.length - deniedCount), shown.join(', ') + (shown.length < names.length ? `, … (+${names.length - shown.length} more)` : '')];
    });
}

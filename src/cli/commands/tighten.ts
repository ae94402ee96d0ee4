import { Option, type Command } from 'commander';
import type { PermissionException, PolicyDocument, TightenedPolicy } from '../../analysis/types';
import { ACTION_PATTERN } from '../../analysis/policy-document';
import { GRANULARITIES, type Granularity, type ServiceLastAccessedReport } from '../../model/report';
import { action, emit, write } from '../subcommand';
import { CliInputError, EXIT } from '../exit-codes';
import { addExamples } from '../help';
import { collectException, parseDays, readInput } from '../inputs';
import { ANSI, PLAIN, renderMarkdown, renderText, type Doc } from '../../report/document';
import { applyQuery, formatResult } from '../output/render';
import { runOne } from '../reports';

interface Flags {
  arn: string;
  policy: string;
  granularity: Granularity;
  unusedAfterDays?: number;
  allow?: PermissionException[];
  judgeUnknownHistory?: boolean;
  splitWildcards?: boolean;
}

/** The full tighten result: what --query sees. */
export interface TightenResult extends Omit<TightenedPolicy, 'json'> {
  readonly kind: 'tightened-policy';
  readonly arn: string;
  readonly jobId: string;
}

export function register(program: Command): void {
  const command = program
    .command('tighten')
    .summary('remove from a policy what the principal has not used, with a proof')
    .description(
      'Reads an identity policy, runs an access-advisor report for the principal it is attached to and prints ' +
        'the tightened policy on stdout; the diff (removed services and actions, notes) and the proof (every ' +
        'observed action still allowed, every removed one denied) go to stderr. With --output markdown or table ' +
        'everything is one document on stdout. Unknown (untracked) actions, actions and services newer than the ' +
        'action catalog and iam:PassRole are always kept; the Version and every Resource and Condition stay as ' +
        'written. A principal whose creation date cannot be read is "unknown-history": nothing is removed unless ' +
        '--judge-unknown-history.',
    )
    .requiredOption('--arn <arn>', 'ARN of the principal the policy is attached to')
    .requiredOption('--policy <file>', 'the policy document (JSON), or - for stdin')
    .addOption(
      new Option('--granularity <level>', 'ACTION_LEVEL also removes unused tracked actions').choices(GRANULARITIES).default('ACTION_LEVEL'),
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
      'split a wildcard of a used service (s3:*, s3:Get*) into the catalog\'s actions to remove unused tracked ones; ' +
        'lossy: actions newer than the catalog are dropped (by default such wildcards are kept whole)',
    );
  addExamples(
    command,
    `  $ access-advisor tighten --arn arn:aws:iam::123456789012:role/app-deployer --policy policy.json > tightened.json
  $ cat policy.json | access-advisor tighten --arn arn:aws:iam::123456789012:role/app-deployer --policy - \\
      --allow "s3:PutObject=quarterly export" --output markdown >> "$GITHUB_STEP_SUMMARY"
  $ access-advisor tighten --arn arn:aws:iam::123456789012:role/app-deployer --policy policy.json --query removedActions`,
  );
  command.action(
    action<Flags>(async (ctx, flags) => {
      // Every check of the input before the job: a bad policy must not cost a report (or end in a stack overflow).
      const policy = parsePolicy(flags.policy, readInput('--policy', flags.policy));
      const analysisModule = require('../../analysis') as typeof import('../../analysis');
      analysisModule.parsePolicyDocument(policy, flags.policy === '-' ? 'standard input' : flags.policy);
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
      });
      const { json: _json, ...rest } = tightened;
      const result: TightenResult = { kind: 'tightened-policy', arn: flags.arn, jobId: report.jobId, ...rest };
      const holds = tightened.proof.holds;
      const format = ctx.output ?? 'json';

      if (ctx.query !== undefined) {
        await write(process.stdout, formatResult(applyQuery(result, ctx.query), format, { color: false }));
      } else if (format === 'markdown' || format === 'table') {
        const doc = tightenDoc(result, true);
        await write(process.stdout, format === 'markdown' ? renderMarkdown([doc]) : renderText([doc], PLAIN));
        return holds ? EXIT.success : EXIT.gateFailed;
      } else if (holds) {
        await emit(ctx, tightened.policy);
      }
      await write(process.stderr, renderText([tightenDoc(result, false)], ctx.color && process.stderr.isTTY ? ANSI : PLAIN));
      if (!holds) ctx.log('access-advisor: the tightened policy failed its proof; it was not printed');
      return holds ? EXIT.success : EXIT.gateFailed;
    }),
  );
}

function parsePolicy(source: string, text: string): PolicyDocument {
  const name = source === '-' ? 'standard input' : JSON.stringify(source);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliInputError(`--policy: ${name} is not valid JSON (${(error as Error).message})`);
  }
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

/** The diff and the proof, as one document; with the policy itself for markdown/table output. */
export function tightenDoc(result: TightenResult, withPolicy: boolean): Doc {
  const { proof, findings } = result;
  const keptUnknown = findings.findings.filter((f) => f.kind === 'unknown-action' || f.kind === 'never-reported');
  const title = `${proof.holds ? '✅' : '❌'} Tightened policy for ${result.arn}`;
  return {
    title,
    sections: [
      {
        lines: [
          `Evidence: ${findings.status} (${findings.statusReason})`,
          ...(findings.principalCreateDateKnown ? [] : [`Creation date of ${result.arn}: could not be read (unknown history)`]),
          `Report job: ${result.jobId}, unused after ${findings.unusedAfterDays} days`,
          `Removed: ${result.removedServices.length} service(s), ${result.removedActions.length} action(s)`,
          `Kept without evidence: ${keptUnknown.length} (untracked actions, iam:PassRole)`,
        ],
      },
      {
        title: 'Removed services',
        table: { columns: ['Service'], rows: result.removedServices.map((s) => [s]) },
        empty: 'none',
      },
      {
        title: 'Removed actions',
        table: { columns: ['Service', 'Count', 'Actions'], rows: groupByService(result.removedActions) },
        empty: 'none',
      },
      ...(result.notes.length ? [{ title: 'Notes', lines: result.notes }] : []),
      {
        title: 'Proof',
        lines: [
          proof.holds ? 'holds' : 'FAILS',
          `${proof.usedActionsChecked} observed action(s) still allowed, ${proof.removedActionsChecked} removed action(s) denied (catalog ${proof.catalogVersion})`,
          ...proof.failures,
        ],
      },
      ...(withPolicy ? [{ title: 'Policy', code: { language: 'json', text: JSON.stringify(result.policy, null, 2) } }] : []),
    ],
  };
}

/** `s3:GetObject`, `s3:PutObject` → one row `s3 | 2 | GetObject, PutObject`: hundreds of actions stay readable. */
function groupByService(actions: readonly string[]): string[][] {
  const byService = new Map<string, string[]>();
  for (const action of actions) {
    const colon = action.indexOf(':');
    const ns = colon < 0 ? action : action.slice(0, colon);
    byService.set(ns, [...(byService.get(ns) ?? []), colon < 0 ? '*' : action.slice(colon + 1)]);
  }
  return [...byService].map(([ns, names]) => [ns, String(names.length), names.join(', ')]);
}

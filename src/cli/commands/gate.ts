import { Option, type Command } from 'commander';
import { DEFAULT_UNUSED_AFTER_DAYS } from '../../analysis/defaults';
import type { GateDecision, PrincipalVerdict } from '../../analysis/gate';
import type { GrantedPolicies } from '../../analysis/granted';
import type { Baseline, PermissionException, PolicyDocument } from '../../analysis/types';
import { DEFAULT_GRANULARITY, GRANULARITIES, type Granularity } from '../../model/report';
import { action, emit, errorLine } from '../subcommand';
import { checkBaselineWritable, readBaseline, updateBaseline } from '../baseline-file';
import { CliInputError, EXIT, exitCodeOf, worstExitCode } from '../exit-codes';
import { gatePrincipal, type GatePrincipal, type GateResult } from '../../report/gate-result';
import type { CliContext } from '../context';
import { addExamples, addPrincipalOptions, type PrincipalFlags } from '../help';
import { warnUnknownActions } from '../unknown-action-warnings';
import { collect, collectArns, collectException, parseDays, parseJsonInput, readInput } from '../inputs';
import { runServiceReports } from '../reports';

interface Flags extends PrincipalFlags {
  granularity: Granularity;
  unusedAfterDays?: number;
  allow?: PermissionException[];
  baseline?: string;
  accept?: boolean;
  policy?: string[];
  judgeUnknownHistory?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('gate')
    .summary('fail (exit 1) when a principal has permissions it has not used')
    .description(
      'Runs an access-advisor report for every principal and fails when any has unused services or tracked ' +
        'actions. With --policy it judges the policies the principal WILL hold (e.g. the output of `tighten`): ' +
        'what they no longer grant is not a violation. With --baseline only NEW unused permissions fail (a ratchet); ' +
        '--accept writes the current state into the baseline. Principals with insufficient history, unknown ' +
        'history or stale evidence are reported, never failed. Tables judge services first: one row per service, ' +
        'its unused actions listed with "(+N more)" (--output json has every one).',
    )
    .addOption(
      new Option(
        '--granularity <level>',
        'ACTION_LEVEL (default) also judges the tracked actions of used services, which tighten\'s exact form removes ' +
          '(tighten > t.json && gate --policy t.json passes); SERVICE_LEVEL judges services only. ' +
          'IAM\'s own default is SERVICE_LEVEL: the level is always sent explicitly',
      )
        .choices(GRANULARITIES)
        .default(DEFAULT_GRANULARITY),
    )
    .addOption(
      new Option('--unused-after-days <n>', `a permission not used for this many days is unused (default ${DEFAULT_UNUSED_AFTER_DAYS})`).argParser(
        parseDays,
      ),
    )
    .addOption(
      new Option('--allow <permission=reason>', 'an exception with its reason, e.g. "s3:GetObject=nightly export" (repeatable)').argParser(
        collectException,
      ),
    )
    .addOption(
      new Option(
        '--policy <file>',
        'a policy document (JSON) the principal will hold, e.g. the output of `tighten` (repeatable; - for stdin): judge these instead of what IAM grants today',
      ).argParser(collect),
    )
    .option('--judge-unknown-history', 'judge a principal whose creation date cannot be read as if its history were long enough (default: report it, flag nothing)', false)
    .option('--baseline <file>', 'JSON baseline of accepted unused permissions: only new ones fail')
    .option('--accept', 'write the current unused permissions into --baseline (atomically) and pass', false);
  addPrincipalOptions(command);
  addExamples(
    command,
    `  $ access-advisor gate --arn arn:aws:iam::123456789012:role/app-deployer --unused-after-days 90 --output table
  $ access-advisor gate --arns-from roles.txt --allow "iam:PassRole=deploys pass roles" --output markdown
  # judge the policy the change will apply, not the one IAM holds today
  $ access-advisor tighten --arn arn:aws:iam::123456789012:role/app-deployer --policy policy.json > tightened.json
  $ access-advisor gate --arn arn:aws:iam::123456789012:role/app-deployer --policy tightened.json
  # the ratchet: accept today's state once, then fail only on new unused permissions
  $ access-advisor gate --arns-from roles.txt --baseline access-baseline.json --accept
  $ access-advisor gate --arns-from roles.txt --baseline access-baseline.json`,
  );
  command.action(action<Flags>(runGate));
}

/** The gate: read the inputs, run the reports, judge each principal (analysis/gate.ts), accept if asked, emit. */
async function runGate(ctx: CliContext, flags: Flags): Promise<number> {
  const inputs = readGateInputs(ctx, flags);
  const results = await runServiceReports(
    ctx,
    inputs.arns.map((arn) => ({ kind: 'service-last-accessed' as const, arn, granularity: flags.granularity, withEntities: false })),
    { concurrency: flags.maxConcurrency, requestsPerSecond: flags.requestsPerSecond },
  );
  const gate = require('../../analysis/gate') as typeof import('../../analysis/gate');
  const evaluated = results.map((r) => ({
    arn: r.request.kind === 'service-last-accessed' ? r.request.arn : '',
    report: r.report,
    error: r.error,
    verdict: r.report ? gate.judgeReport(r.report, decisionOf(flags), grantedOf(inputs.policies)) : undefined,
  }));
  const errors = evaluated.filter((e) => e.error !== undefined).map((e) => e.error);
  const { baseline, accepted } = acceptIfAsked(ctx, flags, evaluated, errors.length, inputs.baseline);
  // With --baseline the verdict is the ratchet's: against the baseline as it is now (after --accept wrote it).
  const ratchet = flags.baseline !== undefined ? { baseline } : undefined;
  const principals = evaluated.map((e) =>
    e.verdict ? gatePrincipal(e.arn, ratchet ? gate.verdictOf(e.verdict.unused, ratchet) : e.verdict, e.report) : failedPrincipal(e.arn, e.error),
  );
  for (const p of principals) {
    if (p.status && p.status !== 'sufficient') ctx.log(`access-advisor: note: ${p.arn}: ${p.status} (${p.statusReason}); not judged`);
  }
  const firstDecision = evaluated.find((e) => e.verdict)?.verdict?.unused;
  const result: GateResult = {
    kind: 'least-privilege-gate',
    passed: principals.every((p) => p.passed),
    unusedAfterDays: firstDecision?.unusedAfterDays ?? flags.unusedAfterDays ?? DEFAULT_UNUSED_AFTER_DAYS,
    ...(firstDecision ? { evaluatedAt: firstDecision.evaluatedAt } : {}),
    ...(flags.baseline ? { baseline: flags.baseline } : {}),
    ...(flags.accept ? { accepted } : {}),
    ...(inputs.policies ? { policies: inputs.policies.map((p) => p.file) } : {}),
    principals,
  };
  for (const p of principals) if (p.error) ctx.log(`access-advisor: ${p.arn}: ${p.error.message}`);
  await emit(ctx, result);
  if (errors.length) return worstExitCode(errors);
  return result.passed ? EXIT.success : EXIT.gateFailed;
}

interface GateInputs {
  readonly arns: string[];
  readonly policies?: { file: string; document: PolicyDocument }[];
  /** The --baseline file as read (undefined without --baseline or when it does not exist yet). */
  readonly baseline?: Baseline;
}

/** The flags checked together and the input files read, before any report runs (input errors: exit 2). */
function readGateInputs(ctx: CliContext, flags: Flags): GateInputs {
  if (flags.accept && !flags.baseline) throw new CliInputError('--accept: needs --baseline FILE to write to');
  const arns = collectArns(flags.arn, flags.arnsFrom);
  if (flags.accept && flags.baseline) checkBaselineWritable(flags.baseline);
  const policies = flags.policy ? readPolicies(flags.policy) : undefined;
  if (policies && arns.length !== 1) {
    throw new CliInputError(`--policy: judges the policies of one principal; got ${arns.length} principals (give exactly one --arn)`);
  }
  warnUnknownActions(ctx, policies?.map((p) => p.document) ?? [], flags.allow);
  const loaded = flags.baseline ? readBaseline(flags.baseline) : undefined;
  if (loaded?.missing && !flags.accept) {
    ctx.log(`access-advisor: note: baseline ${flags.baseline} does not exist yet; every unused permission counts as new`);
  }
  return { arns, ...(policies ? { policies } : {}), ...(loaded?.baseline ? { baseline: loaded.baseline } : {}) };
}

/** The evidence rules the flags set (the reference time is now). */
function decisionOf(flags: Flags): GateDecision {
  return {
    ...(flags.unusedAfterDays !== undefined ? { unusedAfterDays: flags.unusedAfterDays } : {}),
    ...(flags.allow ? { allow: flags.allow } : {}),
    ...(flags.judgeUnknownHistory ? { judgeUnknownHistory: true } : {}),
  };
}

/** The --policy documents as the policies the principal will hold, or undefined to judge what IAM grants today. */
function grantedOf(policies: GateInputs['policies']): GrantedPolicies | undefined {
  return policies ? { documents: policies.map((p) => p.document), source: `--policy ${policies.map((p) => p.file).join(', ')}` } : undefined;
}

/**
 * With --accept: writes the current unused permissions of every judged principal into the baseline (under its lock),
 * unless a report failed. Returns the baseline the verdict compares against.
 */
function acceptIfAsked(
  ctx: CliContext,
  flags: Flags,
  evaluated: readonly { arn: string; verdict?: PrincipalVerdict }[],
  failures: number,
  current: Baseline | undefined,
): { baseline: Baseline | undefined; accepted: boolean } {
  if (!flags.accept || !flags.baseline) return { baseline: current, accepted: false };
  if (failures) {
    ctx.log(`access-advisor: baseline ${flags.baseline} not written: ${failures} report(s) failed`);
    return { baseline: current, accepted: false };
  }
  const { acceptIntoBaseline } = require('../../analysis/baseline') as typeof import('../../analysis/baseline');
  const baseline = updateBaseline(flags.baseline, (before) => {
    let next = before;
    for (const e of evaluated) {
      // Without sufficient evidence nothing is known to be unused: keep what was accepted before.
      if (e.verdict && e.verdict.judged) next = acceptIntoBaseline(next, e.arn, e.verdict.unused);
    }
    return next ?? { schemaVersion: 1, principals: {} };
  });
  ctx.log(`access-advisor: accepted the current state of ${evaluated.length} principal(s) into ${flags.baseline}`);
  return { baseline, accepted: true };
}

/** A principal whose report could not be obtained: it fails, with the error's line and exit status. */
function failedPrincipal(arn: string, error: unknown): GatePrincipal {
  return {
    arn,
    passed: false,
    unusedServices: [],
    unusedActions: [],
    violations: [],
    allowedByException: [],
    error: { message: errorLine(error), exitCode: exitCodeOf(error) },
  };
}

/**
 * The --policy files, each an identity policy or a JSON array of them (what `tighten` prints when its result takes
 * several managed policies). Errors name the file and the field (exit 2), and so does a document IAM would refuse:
 * over 6,144 characters, or more than the 10 managed policies a role or user may attach.
 */
function readPolicies(files: readonly string[]): { file: string; document: PolicyDocument }[] {
  const { parsePolicyDocument, refuseDuplicateKeys } = require('../../analysis/policy-document') as typeof import('../../analysis/policy-document');
  const { attachedPolicySizeProblems } = require('../../analysis/policy-size') as typeof import('../../analysis/policy-size');
  const policies = files.flatMap((file) => {
    const name = file === '-' ? 'standard input' : file;
    const text = readInput('--policy', file);
    const value = parseJsonInput('--policy', file, text);
    try {
      refuseDuplicateKeys(text, `--policy ${name}`);
      if (Array.isArray(value)) {
        if (value.length === 0) throw new Error(`${name}: an empty list; expected a policy document or a list of them`);
        return value.map((d, i) => ({ file: `${name}[${i}]`, document: parsePolicyDocument(d, `--policy ${name}[${i}]`).document }));
      }
      return [{ file: name, document: parsePolicyDocument(value, `--policy ${name}`).document }];
    } catch (error) {
      throw new CliInputError(`--policy: ${(error as Error).message}`);
    }
  });
  const problems = attachedPolicySizeProblems(policies.map((p) => ({ name: p.file, document: p.document })));
  if (problems.length > 0) throw new CliInputError(`--policy: IAM would refuse what the principal is to hold: ${problems.join('; ')}`);
  return policies;
}

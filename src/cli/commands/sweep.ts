import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Baseline, PermissionException } from '../../analysis/types';
import type { SweepOptions } from '../../sweep/run-sweep';
import type { SweepCheckpoint, SweepError, SweepPrincipalKind, SweepResult } from '../../sweep/types';
import { DEFAULT_GRANULARITY, GRANULARITIES, type Granularity } from '../../model/report';
import { action, emit } from '../subcommand';
import { checkBaselineWritable, readBaseline, updateBaseline } from '../baseline-file';
import type { CliContext } from '../context';
import { CliInputError, EXIT, exitCodeOfKind, type FailureExitCode } from '../exit-codes';
import { addExamples } from '../help';
import { collect, collectException, parseDays, parsePositiveInteger, readInput } from '../inputs';
import { baseOptions } from '../reports';

/**
 * `access-advisor sweep`: every principal of every account of the organization (or of a list), one result, one
 * ratchet; `sweep merge` joins the results of `--shard I/N` runs. The work is done by src/sweep (runSweep).
 */
interface RatchetFlags {
  baseline?: string;
  accept?: boolean;
}

interface Flags extends RatchetFlags {
  organization?: boolean;
  accounts?: string[];
  ou?: string;
  roleName?: string;
  directAccount?: string[];
  principalKinds?: SweepPrincipalKind[];
  pathPrefix?: string;
  name?: string[];
  includeServiceLinkedRoles?: boolean;
  granularity: Granularity;
  unusedAfterDays?: number;
  allow?: PermissionException[];
  state?: string;
  stateMaxAge?: number;
  shard?: { index: number; count: number };
  accountConcurrency?: number;
  maxConcurrency?: number;
  requestsPerSecond?: number;
}

type LoadedBaseline = { baseline: Baseline | undefined; missing: boolean } | undefined;

const KINDS: readonly SweepPrincipalKind[] = ['role', 'user', 'group', 'policy'];

function sweepModule(): typeof import('../../sweep/run-sweep') & typeof import('../../sweep/result') & typeof import('../../sweep/resume') {
  return {
    ...(require('../../sweep/run-sweep') as typeof import('../../sweep/run-sweep')),
    ...(require('../../sweep/result') as typeof import('../../sweep/result')),
    ...(require('../../sweep/resume') as typeof import('../../sweep/resume')),
  };
}

/** `--accounts 111122223333,444455556666` (repeatable). */
function collectAccounts(value: string, previous: string[] | undefined): string[] {
  const ids = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = ids.find((id) => !/^\d{12}$/.test(id));
  if (ids.length === 0 || bad !== undefined) {
    throw new InvalidArgumentError(`${JSON.stringify(bad ?? value)} is not allowed; expected 12-digit account ids, comma-separated`);
  }
  return [...(previous ?? []), ...ids];
}

function parseKinds(value: string): SweepPrincipalKind[] {
  const kinds = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = kinds.find((k) => !KINDS.includes(k as SweepPrincipalKind));
  if (kinds.length === 0 || bad !== undefined) {
    throw new InvalidArgumentError(`${JSON.stringify(bad ?? value)} is not allowed; expected a comma-separated list of ${KINDS.join(', ')}`);
  }
  return [...new Set(kinds)] as SweepPrincipalKind[];
}

function parseShardFlag(value: string): { index: number; count: number } {
  try {
    return sweepModule().parseShard(value);
  } catch {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not allowed; expected I/N with 1 ≤ I ≤ N ≤ 1000, e.g. 2/4`);
  }
}

/** `--state-max-age 6` (hours, fractions allowed, at most 400 days). */
function parseHours(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || !Number.isFinite(n) || n <= 0 || n > 24 * 400) {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not allowed; expected a number of hours above 0, at most 9600 (400 days)`);
  }
  return n;
}

function addRatchetOptions(command: Command): Command {
  return command
    .option('--baseline <file>', 'JSON baseline of accepted unused permissions (as gate uses): only new ones fail')
    .option(
      '--accept',
      'merge the current unused permissions of every principal judged into --baseline (under a lock, atomically); ' +
        'principals and accounts that could not be judged are not accepted',
      false,
    );
}

export function register(program: Command): void {
  const command = defineSweepCommand(program);
  command.action(action<Flags>(sweepAction));
  const merge = command
    .command('merge')
    .summary('join the results of sweep --shard 1/N … N/N into one (exit codes as sweep)')
    .description(
      'Reads the JSON results of every shard of one sweep (same options, each shard once, the same account list) and ' +
        'writes the organization-wide result: accounts sorted, totals recomputed, and with --baseline the ratchet over ' +
        'all of them. Shards that listed different accounts, or that leave an account swept by none, are refused.',
    )
    .argument('<files...>', 'the shards’ JSON results (- for standard input, once)');
  addRatchetOptions(merge);
  merge.action(action<RatchetFlags>(mergeAction));
}

/** The command, its flags and its help. */
function defineSweepCommand(program: Command): Command {
  const command = program
    .command('sweep')
    .summary('every principal of every account: one result, one ratchet (exit 1 on unused permissions)')
    .description(
      'Sweeps an AWS organization: lists its ACTIVE accounts (Organizations ListAccounts, or --accounts), reaches the ' +
        'account of your own credentials (usually the management account) with them and assumes --role-name in every ' +
        'other, enumerates roles, users, groups and customer managed policies (GetAccountAuthorizationDetails; AWS ' +
        'service-linked roles left out) and decides for each what it has not used. Accounts run in parallel, each under ' +
        'its own rate limit (IAM throttles per account). An account that cannot be swept (its role refused by a trust ' +
        'policy or an SCP, listing denied) or a principal whose report failed is recorded with the reason and never ' +
        'stops the others; it makes the exit status 3, and --accept leaves it out of the baseline. With --state a ' +
        'killed sweep continues where it stopped (for --state-max-age hours). --shard I/N sweeps one of N disjoint ' +
        'parts of the accounts; `sweep merge` joins the parts.',
    )
    .option('--organization', 'sweep the accounts of the organization (the default without --accounts)')
    .addOption(new Option('--accounts <ids>', 'sweep these accounts: 12-digit ids, comma-separated (repeatable)').argParser(collectAccounts))
    .option('--ou <id>', 'only accounts under this OU (ou-…) or root (r-…), at any depth')
    .option('--role-name <name>', 'role assumed in each account (default OrganizationAccountAccessRole)')
    .addOption(
      new Option(
        '--direct-account <id>',
        'reach this account with your own credentials, no role (repeatable; default: the account your credentials belong to)',
      ).argParser(collect),
    )
    .addOption(new Option('--principal-kinds <list>', `comma-separated: ${KINDS.join(',')} (default all)`).argParser(parseKinds))
    .option('--path-prefix <path>', 'only principals whose IAM path starts with this, e.g. /app/')
    .addOption(new Option('--name <glob>', 'only principals whose name matches this glob (* and ?; repeatable)').argParser(collect))
    .option('--include-service-linked-roles', 'also sweep AWS service-linked roles (/aws-service-role/)', false)
    .addOption(
      new Option('--granularity <level>', 'ACTION_LEVEL (default) also judges tracked actions; IAM\'s own default is SERVICE_LEVEL: the level is always sent explicitly')
        .choices(GRANULARITIES)
        .default(DEFAULT_GRANULARITY),
    )
    .addOption(new Option('--unused-after-days <n>', 'a permission not used for this many days is unused (default 90)').argParser(parseDays))
    .addOption(new Option('--allow <permission=reason>', 'an exception with its reason (repeatable)').argParser(collectException))
    .option('--state <file>', 'progress file: a rerun with the same file and options continues where a killed sweep stopped')
    .addOption(
      new Option('--state-max-age <hours>', 'refuse a --state file created longer ago than this (default 24): its evidence is stale').argParser(parseHours),
    )
    .addOption(new Option('--shard <I/N>', 'sweep only the I-th of N disjoint parts of the accounts (CI matrix)').argParser(parseShardFlag))
    .addOption(new Option('--account-concurrency <n>', 'accounts swept at once (default 10)').argParser(parsePositiveInteger))
    .addOption(new Option('--max-concurrency <n>', 'requests in flight per account (default 8)').argParser(parsePositiveInteger))
    .addOption(
      new Option('--requests-per-second <n>', 'client-side rate ceiling per account, adaptive below it (default 50)').argParser(parsePositiveInteger),
    );
  addRatchetOptions(command);
  addExamples(
    command,
    `  $ access-advisor sweep --output table                        # the whole organization, from the management account
  $ access-advisor sweep --accounts 234567890123,345678901234 --principal-kinds role --path-prefix /app/
  $ access-advisor sweep --ou ou-c3xb-lmu7j2yg --state sweep-state.json > sweep.json   # rerun to resume after a kill
  # the ratchet: accept today's state once, then fail only on new unused permissions
  $ access-advisor sweep --baseline org-baseline.json --accept
  $ access-advisor sweep --baseline org-baseline.json --output markdown >> "$GITHUB_STEP_SUMMARY"
  # a CI matrix: each job sweeps one shard, a last job merges
  $ access-advisor sweep --shard 1/2 > shard-1.json
  $ access-advisor sweep --shard 2/2 > shard-2.json
  $ access-advisor sweep merge shard-1.json shard-2.json --baseline org-baseline.json`,
  );
  return command;
}

/** Flags that contradict each other, before anything is read or called. */
function checkSweepFlags(ctx: CliContext, flags: Flags): void {
  if (ctx.jobId) throw new CliInputError('--job-id: resumes one job; a sweep resumes with --state FILE');
  if (flags.organization && flags.accounts) throw new CliInputError('--organization: not with --accounts (choose one source of accounts)');
  if (flags.ou && flags.accounts) throw new CliInputError('--ou: selects accounts of the organization; not with --accounts');
  if (flags.stateMaxAge !== undefined && !flags.state) throw new CliInputError('--state-max-age: applies to a --state file; give --state FILE');
  checkRatchetFlags(flags);
}

function checkRatchetFlags(flags: RatchetFlags): void {
  if (flags.accept && !flags.baseline) throw new CliInputError('--accept: needs --baseline FILE to write to');
  if (flags.accept && flags.baseline) checkBaselineWritable(flags.baseline);
}

/** `sweep`: flags → options → runSweep (with its --state file) → the ratchet and the exit status. */
async function sweepAction(ctx: CliContext, flags: Flags): Promise<number> {
  checkSweepFlags(ctx, flags);
  const loaded = flags.baseline ? readBaseline(flags.baseline) : undefined;
  const result = await runWithState(ctx, flags);
  return finish(ctx, result, flags, loaded);
}

/** The library options the flags ask for (without the state file and progress, which runWithState adds). */
function sweepOptionsOf(ctx: CliContext, flags: Flags): SweepOptions {
  const { onProgress: _reportProgress, ...connection } = baseOptions(ctx);
  return {
    ...connection,
    ...(flags.accounts ? { accounts: flags.accounts } : {}),
    ...(flags.ou ? { organizationalUnit: flags.ou } : {}),
    ...(flags.roleName ? { roleName: flags.roleName } : {}),
    ...(flags.directAccount ? { directAccounts: flags.directAccount } : {}),
    ...(flags.principalKinds ? { principalKinds: flags.principalKinds } : {}),
    ...(flags.pathPrefix !== undefined ? { pathPrefix: flags.pathPrefix } : {}),
    ...(flags.name ? { names: flags.name } : {}),
    includeServiceLinkedRoles: flags.includeServiceLinkedRoles === true,
    granularity: flags.granularity,
    ...(flags.unusedAfterDays !== undefined ? { unusedAfterDays: flags.unusedAfterDays } : {}),
    ...(flags.allow ? { allow: flags.allow } : {}),
    ...(flags.shard ? { shard: flags.shard } : {}),
    ...(flags.accountConcurrency !== undefined ? { accountConcurrency: flags.accountConcurrency } : {}),
    ...(flags.maxConcurrency !== undefined ? { concurrency: flags.maxConcurrency } : {}),
    ...(flags.requestsPerSecond !== undefined ? { requestsPerSecond: flags.requestsPerSecond } : {}),
    ...(flags.stateMaxAge !== undefined ? { resumeMaxAgeHours: flags.stateMaxAge } : {}),
  };
}

/**
 * Runs the sweep with its progress lines and its --state file: resumed from it (a state the sweep refuses, too old
 * or of another request, is an input error that says what to do), checkpointed into it, removed once nothing is
 * left to retry.
 */
async function runWithState(ctx: CliContext, flags: Flags): Promise<SweepResult> {
  const sweep = sweepModule();
  const { readSweepState, stateRefusal, SweepStateWriter } = require('../sweep-state') as typeof import('../sweep-state');
  const resume: SweepCheckpoint | undefined = flags.state ? readSweepState(flags.state) : undefined;
  const writer = flags.state ? new SweepStateWriter(flags.state) : undefined;
  const { createSweepProgress } = require('../sweep-progress') as typeof import('../sweep-progress');
  const progress = createSweepProgress({ color: ctx.color, ...(ctx.debug ? { debugLog: ctx.debugLog } : {}) });
  const options: SweepOptions = {
    ...sweepOptionsOf(ctx, flags),
    ...(resume ? { resume } : {}),
    ...(writer ? { onCheckpoint: writer.update } : {}),
    onProgress: progress.onProgress,
  };
  if (resume) {
    // Refused before any call, and before saying it resumes: a stale or foreign state is an input error.
    const request = sweep.sweepRequestOf(options);
    const problem = sweep.resumeProblem(resume, {
      requestKey: sweep.sweepRequestKey(request, options.shard),
      request,
      ...(options.shard ? { shard: options.shard } : {}),
      maxAgeHours: options.resumeMaxAgeHours ?? sweep.DEFAULT_RESUME_MAX_AGE_HOURS,
      nowMs: Date.now(),
    });
    if (problem) throw stateRefusal(flags.state!, problem);
    ctx.log(`access-advisor: resuming from ${flags.state} (created ${resume.createdAt})`);
  }
  let result: SweepResult;
  try {
    result = await sweep.runSweep(options);
  } catch (error) {
    if (error instanceof sweep.SweepStateRefusedError) throw stateRefusal(flags.state!, error.problem);
    throw error;
  } finally {
    progress.finish();
    writer?.flush();
  }
  if (writer && !ctx.signal?.aborted && sweep.sweepErrors(result).length === 0) writer.remove();
  return result;
}

/** `sweep merge`: the shards' results, checked to be one sweep that covers every account, then the ratchet. */
async function mergeAction(ctx: CliContext, own: RatchetFlags, cmd: Command): Promise<number> {
  // `sweep` declares --baseline and --accept too, and commander gives them to it wherever they stand on the line
  // (`sweep merge a.json --baseline b.json` included): read them from either command.
  const parent = cmd.parent?.opts<Partial<RatchetFlags>>() ?? {};
  const baseline = own.baseline ?? parent.baseline;
  const flags: RatchetFlags = { ...own, ...(baseline !== undefined ? { baseline } : {}), accept: own.accept === true || parent.accept === true };
  checkRatchetFlags(flags);
  const loaded = flags.baseline ? readBaseline(flags.baseline) : undefined;
  const parts = cmd.args.map((file) => {
    const text = readInput('sweep merge', file);
    try {
      return { source: file, result: JSON.parse(text) as SweepResult };
    } catch (error) {
      throw new CliInputError(`sweep merge: ${JSON.stringify(file)} is not JSON (${(error as Error).message})`);
    }
  });
  let merged: SweepResult;
  try {
    merged = sweepModule().mergeSweepResults(parts);
  } catch (error) {
    throw new CliInputError(`sweep merge: ${(error as Error).message}`, { cause: error });
  }
  return finish(ctx, merged, flags, loaded);
}

/** The ratchet, --accept, output and exit status, shared by a sweep and a merge. */
async function finish(ctx: CliContext, swept: SweepResult, flags: RatchetFlags, loaded: LoadedBaseline): Promise<number> {
  const sweep = sweepModule();
  const errorCode = worstSweepExitCode(sweep.sweepErrors(swept));
  let result = swept;
  if (flags.baseline) {
    if (loaded?.missing && !flags.accept) {
      ctx.log(`access-advisor: note: baseline ${flags.baseline} does not exist yet; every unused permission counts as new`);
    }
    const baseline = flags.accept ? acceptJudged(ctx, result, flags.baseline) : loaded?.baseline;
    result = { ...result, baseline: { file: flags.baseline, accepted: flags.accept === true }, drift: sweep.sweepDrift(result.accounts, baseline) };
  }
  logFailures(ctx, result);
  await emit(ctx, withExitCodes(result));
  if (errorCode !== undefined) return errorCode;
  return sweep.sweepFailedGate(result) ? EXIT.gateFailed : EXIT.success;
}

/**
 * --accept: merges every principal judged on sufficient evidence into the baseline file, under the same lock and
 * re-read as `gate --accept` (what a concurrent gate or sweep accepted meanwhile survives). Nothing else is
 * accepted: a principal without sufficient evidence, whose report failed, or of an account that could not be swept
 * keeps what the file said before (nothing, for a new one), so a later sweep that can judge it still fails on it.
 */
function acceptJudged(ctx: CliContext, result: SweepResult, file: string): Baseline {
  const analysis = require('../../analysis') as typeof import('../../analysis');
  const judged = result.accounts.flatMap((a) => a.principals).filter((p) => p.decision?.status === 'sufficient');
  const baseline = updateBaseline(file, (current) => {
    let next = current;
    for (const p of judged) next = analysis.acceptIntoBaseline(next, p.arn, p.decision!);
    return next ?? { schemaVersion: 1, principals: {} };
  });
  const notSwept = result.accounts.filter((a) => a.status !== 'ok');
  const notJudged = result.accounts.flatMap((a) => a.principals).length - judged.length;
  ctx.log(`access-advisor: accepted the current state of ${judged.length} judged principal(s) into ${file}`);
  if (notSwept.length || notJudged) {
    ctx.log(
      `access-advisor: not accepted (no evidence): ${notSwept.length ? `${notSwept.length} account(s) not swept (${notSwept.map((a) => a.accountId).join(', ')})` : ''}` +
        `${notSwept.length && notJudged ? ', ' : ''}${notJudged ? `${notJudged} principal(s) failed or without sufficient evidence` : ''}`,
    );
  }
  return baseline;
}

/** The worst exit status among the sweep's failures (timeout 4 over AWS/job error 3), none when nothing failed. */
function worstSweepExitCode(errors: readonly SweepError[]): FailureExitCode | undefined {
  return errors.length ? (Math.max(...errors.map((e) => exitCodeOfKind(e.kind))) as FailureExitCode) : undefined;
}

/** The sweep document as the CLI writes it: every error also names the exit status its kind counts as (`exitCode`). */
function withExitCodes(result: SweepResult): SweepResult {
  const withCode = (error: SweepError): SweepError & { readonly exitCode: FailureExitCode } => ({ ...error, exitCode: exitCodeOfKind(error.kind) });
  return {
    ...result,
    accounts: result.accounts.map((a) => ({
      ...a,
      ...(a.error ? { error: withCode(a.error) } : {}),
      principals: a.principals.map((p) => (p.error ? { ...p, error: withCode(p.error) } : p)),
    })),
  };
}

function logFailures(ctx: CliContext, result: SweepResult): void {
  for (const a of result.accounts) {
    if (a.error) ctx.log(`access-advisor: account ${a.accountId}${a.name ? ` (${a.name})` : ''} not swept: ${a.error.message}`);
    for (const p of a.principals) {
      if (p.error) ctx.log(`access-advisor: ${p.arn}: ${p.error.message}`);
      // Stale evidence fails the gate with nothing flagged (e.g. a merged shard from an earlier run): say why.
      else if (p.decision?.status === 'stale-evidence') ctx.log(`access-advisor: ${p.arn}: ${p.decision.statusReason}`);
    }
  }
}

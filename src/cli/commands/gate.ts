import { Option, type Command } from 'commander';
import type { PermissionException, PolicyDocument, UnusedPermissions, Baseline } from '../../analysis/types';
import { GRANULARITIES, type Granularity, type ServiceLastAccessedReport } from '../../model/report';
import { action, emit } from '../action';
import { checkBaselineWritable, readBaseline, updateBaseline } from '../baseline-file';
import { CliInputError, EXIT, exitCodeOf, worstExitCode } from '../exit-codes';
import { KEPT_WITHOUT_EVIDENCE_KINDS, principalServices, VIOLATION_KINDS, type GatePrincipal, type GateResult } from '../../report/gate-result';
import { addExamples, addPrincipalOptions, type PrincipalFlags } from '../help';
import { collect, collectArns, collectException, parseDays, readInput } from '../inputs';
import { runServiceReports } from '../reports';
import { errorLine } from '../action';

interface Flags extends PrincipalFlags {
  granularity: Granularity;
  unusedAfterDays?: number;
  allow?: PermissionException[];
  baseline?: string;
  accept?: boolean;
  policy?: string[];
  judgeUnknownHistory?: boolean;
}

const DEFAULT_UNUSED_AFTER_DAYS = 90;

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
        'SERVICE_LEVEL judges services, like the default tightening (which keeps a used service\'s wildcards); ACTION_LEVEL also judges the tracked actions of used services',
      )
        .choices(GRANULARITIES)
        .default('SERVICE_LEVEL'),
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
  command.action(
    action<Flags>(async (ctx, flags) => {
      if (flags.accept && !flags.baseline) throw new CliInputError('--accept: needs --baseline FILE to write to');
      const arns = collectArns(flags.arn, flags.arnsFrom);
      if (flags.accept && flags.baseline) checkBaselineWritable(flags.baseline);
      const policies = flags.policy ? readPolicies(flags.policy) : undefined;
      if (policies && arns.length !== 1) {
        throw new CliInputError(`--policy: judges the policies of one principal; got ${arns.length} principals (give exactly one --arn)`);
      }
      const loaded = flags.baseline ? readBaseline(flags.baseline) : undefined;
      if (loaded?.missing && !flags.accept) {
        ctx.log(`access-advisor: note: baseline ${flags.baseline} does not exist yet; every unused permission counts as new`);
      }
      const results = await runServiceReports(
        ctx,
        arns.map((arn) => ({ kind: 'service-last-accessed' as const, arn, granularity: flags.granularity, withEntities: false })),
        { concurrency: flags.maxConcurrency, requestsPerSecond: flags.requestsPerSecond },
      );

      const analysis = require('../../analysis') as typeof import('../../analysis');
      const options = {
        ...(flags.unusedAfterDays !== undefined ? { unusedAfterDays: flags.unusedAfterDays } : {}),
        ...(flags.allow ? { allow: flags.allow } : {}),
        ...(flags.judgeUnknownHistory ? { judgeUnknownHistory: true } : {}),
      };
      const judgeReport = (report: ServiceLastAccessedReport): UnusedPermissions => {
        const unused = analysis.findUnusedPermissions(report, options);
        if (!policies) return unused;
        return analysis.restrictToGranted(unused, { documents: policies.map((p) => p.document), source: `--policy ${policies.map((p) => p.file).join(', ')}` });
      };
      const evaluated = results.map((r) => ({
        arn: r.request.kind === 'service-last-accessed' ? r.request.arn : '',
        report: r.report,
        error: r.error,
        unused: r.report ? judgeReport(r.report) : undefined,
      }));
      const errors = evaluated.filter((e) => e.error !== undefined).map((e) => e.error);

      let baseline: Baseline | undefined = loaded?.baseline;
      let accepted = false;
      if (flags.accept && flags.baseline) {
        if (errors.length) {
          ctx.log(`access-advisor: baseline ${flags.baseline} not written: ${errors.length} report(s) failed`);
        } else {
          baseline = updateBaseline(flags.baseline, (current) => {
            let next = current;
            for (const e of evaluated) {
              // Without sufficient evidence nothing is known to be unused: keep what was accepted before.
              if (e.unused && e.unused.status === 'sufficient') next = analysis.acceptIntoBaseline(next, e.arn, e.unused);
            }
            return next ?? { schemaVersion: 1, principals: {} };
          });
          accepted = true;
          ctx.log(`access-advisor: accepted the current state of ${evaluated.length} principal(s) into ${flags.baseline}`);
        }
      }

      const principals = evaluated.map((e) => judge(e, flags.baseline !== undefined ? baseline : null, analysis));
      for (const p of principals) {
        if (p.status && p.status !== 'sufficient') ctx.log(`access-advisor: note: ${p.arn}: ${p.status} (${p.statusReason}); not judged`);
      }
      const result: GateResult = {
        kind: 'least-privilege-gate',
        passed: principals.every((p) => p.passed),
        unusedAfterDays: evaluated.find((e) => e.unused)?.unused?.unusedAfterDays ?? flags.unusedAfterDays ?? DEFAULT_UNUSED_AFTER_DAYS,
        ...(evaluated.find((e) => e.unused) ? { evaluatedAt: evaluated.find((e) => e.unused)!.unused!.evaluatedAt } : {}),
        ...(flags.baseline ? { baseline: flags.baseline } : {}),
        ...(flags.accept ? { accepted } : {}),
        ...(policies ? { policies: policies.map((p) => p.file) } : {}),
        principals,
      };
      for (const p of principals) if (p.error) ctx.log(`access-advisor: ${p.arn}: ${p.error.message}`);
      await emit(ctx, result);
      if (errors.length) return worstExitCode(errors);
      return result.passed ? EXIT.success : EXIT.gateFailed;
    }),
  );
}

/** One principal's verdict. `baseline` is null without --baseline, undefined for an empty one. */
function judge(
  e: { arn: string; report?: ServiceLastAccessedReport; error?: unknown; unused?: UnusedPermissions },
  baseline: Baseline | undefined | null,
  analysis: typeof import('../../analysis'),
): GatePrincipal {
  if (!e.unused) {
    return {
      arn: e.arn,
      passed: false,
      unusedServices: [],
      unusedActions: [],
      violations: [],
      allowedByException: [],
      error: { message: errorLine(e.error), exitCode: exitCodeOf(e.error) },
    };
  }
  const u = e.unused;
  const unusedFindings = u.findings.filter((f) => VIOLATION_KINDS.has(f.kind));
  const common = {
    arn: e.arn,
    status: u.status,
    statusReason: u.statusReason,
    ...(e.report ? { jobId: e.report.jobId } : {}),
    unusedServices: u.unusedServices,
    unusedActions: u.unusedActions,
    allowedByException: u.findings.filter((f) => f.kind === 'allowed-by-exception'),
    keptWithoutEvidence: u.findings.filter((f) => KEPT_WITHOUT_EVIDENCE_KINDS.has(f.kind)),
    ...(e.report ? { services: principalServices(e.report.servicesLastAccessed) } : {}),
    ...(u.findings.some((f) => f.kind === 'no-longer-granted') ? { notGranted: u.findings.filter((f) => f.kind === 'no-longer-granted').map((f) => f.permission) } : {}),
  };
  if (u.status !== 'sufficient') return { ...common, passed: true, violations: [] };
  if (baseline === null) return { ...common, passed: unusedFindings.length === 0, violations: unusedFindings };
  const drift = analysis.checkDrift(e.arn, u, baseline);
  const fresh = new Set(drift.newUnused);
  return {
    ...common,
    passed: drift.passed,
    violations: unusedFindings.filter((f) => fresh.has(f.permission)),
    drift: { newUnused: drift.newUnused, acceptedUnused: drift.acceptedUnused, resolved: drift.resolved },
  };
}

/** The --policy files, each parsed as an identity policy (errors name the file and the field: exit 2). */
function readPolicies(files: readonly string[]): { file: string; document: PolicyDocument }[] {
  const { parsePolicyDocument } = require('../../analysis/policy-document') as typeof import('../../analysis/policy-document');
  return files.map((file) => {
    const name = file === '-' ? 'standard input' : file;
    const text = readInput('--policy', file);
    try {
      return { file: name, document: parsePolicyDocument(text, `--policy ${name}`).document };
    } catch (error) {
      throw new CliInputError(`--policy: ${(error as Error).message}`);
    }
  });
}

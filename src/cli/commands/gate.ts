import { Option, type Command } from 'commander';
import type { PermissionException, UnusedPermissions, Baseline } from '../../analysis/types';
import { GRANULARITIES, type Granularity, type ServiceLastAccessedReport } from '../../iam/model';
import { action, emit } from '../action';
import { checkBaselineWritable, readBaseline, updateBaseline } from '../baseline-file';
import { CliInputError, EXIT, exitCodeOf, worstExitCode } from '../exit-codes';
import { KEPT_WITHOUT_EVIDENCE_KINDS, principalServices, VIOLATION_KINDS, type GatePrincipal, type GateResult } from '../gate-result';
import { addExamples, addPrincipalOptions, type PrincipalFlags } from '../help';
import { collectArns, collectException, parseDays } from '../inputs';
import { runServiceReports } from '../reports';
import { errorLine } from '../action';

interface Flags extends PrincipalFlags {
  granularity: Granularity;
  unusedAfterDays?: number;
  allow?: PermissionException[];
  baseline?: string;
  accept?: boolean;
}

const DEFAULT_UNUSED_AFTER_DAYS = 90;

export function register(program: Command): void {
  const command = program
    .command('gate')
    .summary('fail (exit 1) when a principal has permissions it has not used')
    .description(
      'Runs an access-advisor report for every principal and fails when any has unused services or tracked ' +
        'actions. With --baseline only NEW unused permissions fail (a ratchet); --accept writes the current state ' +
        'into the baseline. Principals with insufficient history or stale evidence are reported, never failed.',
    )
    .addOption(
      new Option('--granularity <level>', 'ACTION_LEVEL also judges tracked actions').choices(GRANULARITIES).default('ACTION_LEVEL'),
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
    .option('--baseline <file>', 'JSON baseline of accepted unused permissions: only new ones fail')
    .option('--accept', 'write the current unused permissions into --baseline (atomically) and pass', false);
  addPrincipalOptions(command);
  addExamples(
    command,
    `  $ access-advisor gate --arn arn:aws:iam::123456789012:role/app-deployer --unused-after-days 90 --output table
  $ access-advisor gate --arns-from roles.txt --allow "iam:PassRole=deploys pass roles" --output markdown
  # the ratchet: accept today's state once, then fail only on new unused permissions
  $ access-advisor gate --arns-from roles.txt --baseline access-baseline.json --accept
  $ access-advisor gate --arns-from roles.txt --baseline access-baseline.json`,
  );
  command.action(
    action<Flags>(async (ctx, flags) => {
      if (flags.accept && !flags.baseline) throw new CliInputError('--accept: needs --baseline FILE to write to');
      const arns = collectArns(flags.arn, flags.arnsFrom);
      if (flags.accept && flags.baseline) checkBaselineWritable(flags.baseline);
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
      };
      const evaluated = results.map((r) => ({
        arn: r.request.kind === 'service-last-accessed' ? r.request.arn : '',
        report: r.report,
        error: r.error,
        unused: r.report ? analysis.findUnusedPermissions(r.report, options) : undefined,
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

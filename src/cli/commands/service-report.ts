import { Option, type Command } from 'commander';
import { DEFAULT_GRANULARITY, GRANULARITIES, type Granularity, type ServiceLastAccessedReport } from '../../model/report';
import { action, emit, reportError } from '../subcommand';
import { EXIT, worstExitCode } from '../exit-codes';
import { addExamples, addPrincipalOptions, type PrincipalFlags } from '../help';
import { collectArns } from '../inputs';
import { runServiceReports } from '../reports';
import { phaseMark } from '../../iam/phase-log';

interface Flags extends PrincipalFlags {
  granularity: Granularity;
  withEntities?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('service-report')
    .summary('which services (and actions) a principal may use, and when each was last used')
    .description(
      'Runs GenerateServiceLastAccessedDetails for a user, group, role or managed policy, waits for the job and ' +
        'prints the normalized report (every page merged). Several ARNs run concurrently; the result is then a list.',
    )
    .addOption(
      new Option(
        '--granularity <level>',
        'ACTION_LEVEL (default) adds trackedActionsLastAccessed; SERVICE_LEVEL lists services only. IAM\'s own default is SERVICE_LEVEL: the level is always sent explicitly',
      )
        .choices(GRANULARITIES)
        .default(DEFAULT_GRANULARITY),
    )
    .option('--with-entities', 'also read, per service, which users and roles used it', false);
  addPrincipalOptions(command);
  addExamples(
    command,
    `  $ access-advisor service-report --arn arn:aws:iam::123456789012:role/app-deployer
  $ access-advisor service-report --arn arn:aws:iam::123456789012:role/app-deployer \\
      --granularity ACTION_LEVEL --output table
  $ access-advisor service-report --arn arn:aws:iam::123456789012:role/app-deployer \\
      --query 'servicesLastAccessed[?!lastAuthenticated].serviceNamespace'
  $ access-advisor service-report --arns-from roles.txt --output yaml
  # a job that timed out: resume it instead of starting a new one
  $ access-advisor service-report --arn arn:aws:iam::123456789012:role/app-deployer --job-id <JOB_ID>`,
  );
  command.action(
    action<Flags>(async (ctx, flags) => {
      phaseMark('command-start');
      const arns = collectArns(flags.arn, flags.arnsFrom);
      const requests = arns.map((arn) => ({
        kind: 'service-last-accessed' as const,
        arn,
        granularity: flags.granularity,
        withEntities: flags.withEntities === true,
      }));
      const results = await runServiceReports(ctx, requests, {
        concurrency: flags.maxConcurrency,
        requestsPerSecond: flags.requestsPerSecond,
      });
      const reports = results.flatMap((r) => (r.report ? [r.report] : []));
      const failures = results.filter((r) => r.error !== undefined);
      for (const failure of failures) reportError(failure.error, ctx.debug);
      if (reports.length > 0) await emit(ctx, arns.length === 1 ? reports[0] : (reports as ServiceLastAccessedReport[]));
      phaseMark('output-written');
      return failures.length ? worstExitCode(failures.map((f) => f.error)) : EXIT.success;
    }),
  );
}


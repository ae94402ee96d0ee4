import { Command, Option } from 'commander';
import { register as registerCache } from './commands/cache';
import { register as registerEmulator } from './commands/emulator';
import { register as registerExternal } from './commands/external';
import { register as registerGate } from './commands/gate';
import { register as registerOrgReport } from './commands/org-report';
import { register as registerPoliciesGranting } from './commands/policies-granting';
import { register as registerProvider } from './commands/provider';
import { register as registerScpProposal } from './commands/scp-proposal';
import { register as registerServiceReport } from './commands/service-report';
import { register as registerSweep } from './commands/sweep';
import { register as registerTighten } from './commands/tighten';
import { OUTPUT_FORMATS } from './output/formats';
import { EXIT_CODES_HELP } from './exit-codes';
import { parsePositiveInteger, parseSeconds } from './inputs';

/**
 * The `access-advisor` command. Each subcommand lives in `commands/<name>.ts` and exports
 * `register(program: Command): void`; this module only assembles them. Nothing here may load the AWS SDK, the
 * action catalog or the emulator: subcommands require them inside their actions, so `--help` stays fast.
 */
export function buildProgram(): Command {
  const program = new Command('access-advisor');
  program
    .description('IAM access advisor reports for pipelines, cdktf stacks and Terraform.')
    .version(packageVersion(), '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    // Usage errors exit 2 (commander's default is 1, which we reserve for a failed gate).
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(oneLine(message)) });

  program
    .option('--profile <name>', 'AWS profile from ~/.aws/config (default: AWS_PROFILE or the SDK chain)')
    .option('--region <region>', 'AWS region for the IAM endpoint (IAM is global; default us-east-1)')
    .option('--endpoint-url <url>', 'send requests to this endpoint, e.g. the emulator http://127.0.0.1:4566')
    .option('--role-arn <arn>', 'assume this role (STS) before calling IAM')
    .addOption(new Option('--output <format>', 'result format on stdout (default json); html (a self-contained heat map) for gate, sweep and org-report').choices(OUTPUT_FORMATS))
    .option('--out <file>', 'write the result to this file (atomically) instead of stdout, e.g. report.html')
    .option('--query <jmespath>', 'JMESPath expression applied to the JSON result before formatting, as in the AWS CLI')
    .option('--job-id <id>', 'resume this access-advisor job instead of generating a new one (one principal)')
    .addOption(new Option('--timeout <seconds>', 'give up waiting for a job after this many seconds (default 600)').argParser(parseSeconds))
    .addOption(
      new Option('--max-attempts <n>', 'attempts per AWS request, retries included (default: AWS_MAX_ATTEMPTS, else 6)').argParser(
        parsePositiveInteger,
      ),
    )
    .option('--debug', 'print details (stack, causes, request events) to stderr', false)
    .option('--no-color', 'no colors on stderr or in table output (NO_COLOR is honored too)');

  registerServiceReport(program);
  registerOrgReport(program);
  registerPoliciesGranting(program);
  registerGate(program);
  registerTighten(program);
  registerScpProposal(program);
  registerSweep(program);
  // Owned by the synth-time, plan-time and emulator work streams.
  registerCache(program);
  registerExternal(program);
  registerEmulator(program);
  registerProvider(program);

  program.addHelpText(
    'after',
    `
Examples:
  $ access-advisor service-report --arn arn:aws:iam::123456789012:role/app-deployer --output table
  $ access-advisor gate --arns-from roles.txt --baseline access-baseline.json --output markdown >> "$GITHUB_STEP_SUMMARY"
  $ access-advisor sweep --baseline org-baseline.json --output table  # every principal of the organization
  $ access-advisor emulator --port 4566                                # a local IAM (the bundled demo world) for trying all of this
  $ access-advisor <command> --help                                    # worked examples per command

Credentials and region come from the usual AWS SDK chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_REGION,
AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL, ~/.aws/config). stdout carries only the result; progress and logs go to stderr.
${EXIT_CODES_HELP}
`,
  );
  inheritSettings(program);
  return program;
}

/**
 * Subcommands registered by other modules may have been added with addCommand, which copies no settings:
 * give every command the same error handling and help layout.
 */
function inheritSettings(command: Command): void {
  for (const sub of command.commands) {
    sub.exitOverride().configureOutput({ outputError: (message, write) => write(oneLine(message)) });
    sub.configureHelp({ showGlobalOptions: true });
    inheritSettings(sub);
  }
}

/** `error: unknown option '--x'` → `access-advisor: unknown option '--x'` */
function oneLine(message: string): string {
  return `access-advisor: ${message.replace(/^error:\s*/, '').trimEnd()}\n`;
}

function packageVersion(): string {
  try {
    return (require('../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

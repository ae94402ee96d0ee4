import { Command, Option } from 'commander';
import { OUTPUT_FORMATS } from './output/formats';
import { EXIT_CODES_HELP } from './exit-codes';
import { parsePositiveInteger, parseSeconds } from './inputs';
import { firstCommandWord } from './command-word';

type Register = (program: Command) => void;

/**
 * The subcommands in the order of the help, each `commands/<name>.ts` exporting `register(program: Command): void`.
 * A module is loaded only when its command is registered: a run of one command (`service-report`, a report's cold
 * start) registers that command alone, and does not load the modules of the ten others.
 */
const COMMANDS: ReadonlyArray<readonly [name: string, load: () => Register]> = [
  ['service-report', () => (require('./commands/service-report') as typeof import('./commands/service-report')).register],
  ['org-report', () => (require('./commands/org-report') as typeof import('./commands/org-report')).register],
  ['policies-granting', () => (require('./commands/policies-granting') as typeof import('./commands/policies-granting')).register],
  ['gate', () => (require('./commands/gate') as typeof import('./commands/gate')).register],
  ['tighten', () => (require('./commands/tighten') as typeof import('./commands/tighten')).register],
  ['scp-proposal', () => (require('./commands/scp-proposal') as typeof import('./commands/scp-proposal')).register],
  ['sweep', () => (require('./commands/sweep') as typeof import('./commands/sweep')).register],
  // Owned by the synth-time, plan-time and emulator work streams.
  ['cache', () => (require('./commands/cache') as typeof import('./commands/cache')).register],
  ['external', () => (require('./commands/external') as typeof import('./commands/external')).register],
  ['emulator', () => (require('./commands/emulator') as typeof import('./commands/emulator')).register],
  ['provider', () => (require('./commands/provider') as typeof import('./commands/provider')).register],
];

/**
 * The command a command line runs: its first word that is neither an option nor the value of a global option
 * taking one (`--profile prod gate …` runs gate), when that word names a command; undefined otherwise (no command,
 * `help`, a typo: then every command is registered, for the list, `help <command>` and the suggestions).
 */
export function commandNamed(argv: readonly string[], program: Command): string | undefined {
  const takingValue = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)));
  const word = firstCommandWord(argv, takingValue);
  return word !== undefined && COMMANDS.some(([name]) => name === word) ? word : undefined;
}

/**
 * The `access-advisor` command; this module only assembles the subcommands. Nothing here may load the AWS SDK, the
 * action catalog or the emulator: subcommands require them inside their actions, so `--help` stays fast.
 */
export function buildProgram(argv: readonly string[] = process.argv): Command {
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

  const named = commandNamed(argv, program);
  for (const [name, load] of COMMANDS) if (named === undefined || named === name) load()(program);

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

import { Option, type Command } from 'commander';
import { EXIT_CODES_HELP } from './exit-codes';
import { collect, parsePositiveInteger } from './inputs';

/** The emulator used by every worked example: `access-advisor emulator` with the example world. */
export const EXAMPLE_SETUP = `  # Against the local emulator (start it in another terminal):
  $ access-advisor emulator --port 4566             # the demo world shipped with the package
  $ export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
  $ export AWS_ENDPOINT_URL=http://127.0.0.1:4566`;

/** Adds the worked examples and the exit codes to a subcommand's --help. */
export function addExamples(command: Command, examples: string): Command {
  return command.addHelpText('after', `\nExamples:\n${EXAMPLE_SETUP}\n\n${examples}\n${EXIT_CODES_HELP}\n`);
}

/** `--arn` (repeatable), `--arns-from`, and the concurrency knobs of runReports. */
export function addPrincipalOptions(command: Command, what = 'principal'): Command {
  return command
    .addOption(new Option('--arn <arn>', `ARN of a ${what} (repeatable)`).argParser(collect))
    .addOption(new Option('--arns-from <file>', 'read ARNs from a file, or - for stdin: one per line, # comments'))
    .addOption(
      new Option('--max-concurrency <n>', 'with several ARNs: at most this many requests in flight').argParser(parsePositiveInteger),
    )
    .addOption(
      new Option('--requests-per-second <n>', 'with several ARNs: client-side rate limit shared by all requests').argParser(
        parsePositiveInteger,
      ),
    );
}

export interface PrincipalFlags {
  arn?: string[];
  arnsFrom?: string;
  maxConcurrency?: number;
  requestsPerSecond?: number;
}

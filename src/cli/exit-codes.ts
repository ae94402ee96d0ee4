import { AccessAdvisorError } from '../model/errors';

/** The process exit statuses of `access-advisor`; part of its public contract (docs/cli.md). */
export const EXIT = {
  success: 0,
  gateFailed: 1,
  usage: 2,
  aws: 3,
  timeout: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The help epilogue shared by the program and every subcommand. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  a gate or drift check failed (unused permissions found, or an unsafe tightening)
  2  usage or input error (bad flag, bad ARN, unreadable file)
  3  AWS or job error (access denied, unreachable endpoint, job FAILED)
  4  timeout (resume the job with --job-id)`;

/** A problem with the command line or an input file: reported as one line, exit status 2. */
export class CliInputError extends AccessAdvisorError {
  readonly exitCode = 2;
}

/**
 * Every failure maps to one exit status. Engine errors carry their own; anything unexpected is treated as an
 * AWS/job error (3) rather than a usage error, because the command line was already accepted.
 */
export function exitCodeOf(error: unknown): 2 | 3 | 4 {
  if (error instanceof AccessAdvisorError) return error.exitCode;
  return EXIT.aws;
}

/** With several failures the most serious wins: timeout (4) over AWS or job error (3) over input (2). */
export function worstExitCode(errors: readonly unknown[]): 2 | 3 | 4 {
  return errors.map(exitCodeOf).reduce((a, b) => (b > a ? b : a), EXIT.usage as 2 | 3 | 4);
}

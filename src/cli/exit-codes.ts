import { AccessAdvisorError, errorKindOf, type ErrorKind } from '../model/errors';

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
  readonly kind: ErrorKind = 'input';
}

/** An exit status that reports a failure (not success, not a failed gate). */
export type FailureExitCode = 2 | 3 | 4;

/**
 * The one mapping from what failed to the exit status that says so. Evidence that cannot be the complete report
 * exits as an AWS error (3): AWS answered, and the answer was unusable. Anything unclassified (`internal`) is
 * treated as an AWS/job error (3) rather than a usage error, because the command line was already accepted.
 */
export const EXIT_CODE_OF_KIND: { readonly [K in ErrorKind]: FailureExitCode } = {
  input: EXIT.usage,
  aws: EXIT.aws,
  evidence: EXIT.aws,
  timeout: EXIT.timeout,
  internal: EXIT.aws,
};

/** The exit status of a kind; a value that is no kind (e.g. read from an old file) counts as `internal`. */
export function exitCodeOfKind(kind: ErrorKind): FailureExitCode {
  return Object.hasOwn(EXIT_CODE_OF_KIND, kind) ? EXIT_CODE_OF_KIND[kind] : EXIT_CODE_OF_KIND.internal;
}

/** Every failure maps to one exit status, through its kind. */
export function exitCodeOf(error: unknown): FailureExitCode {
  return exitCodeOfKind(errorKindOf(error));
}

/** With several failures the most serious wins: timeout (4) over AWS or job error (3) over input (2). */
export function worstExitCode(errors: readonly unknown[]): FailureExitCode {
  return errors.map(exitCodeOf).reduce((a, b) => (b > a ? b : a), EXIT.usage as FailureExitCode);
}

/**
 * The plan-time program's exit status: the CLI's for every kind, except a fault of the program itself (`internal`),
 * which exits 1 as Node does on an uncaught exception. Terraform's external data source tells only 0 from ≠ 0.
 */
export function planProgramExitCode(kind: ErrorKind): 1 | FailureExitCode {
  return kind === 'internal' ? 1 : exitCodeOfKind(kind);
}

import type { Command } from 'commander';
import type { ConnectionOptions } from '../iam';
import { JOB_ID_LENGTH, parsePrincipalArn } from '../model/constraints';
import { HTML_COMMANDS } from '../report/html/kinds';
import { CliInputError } from './exit-codes';
import type { OutputFormat } from './output/formats';
import { checkQuery } from './output/render';

/** The global flags every subcommand shares, modelled on the AWS CLI's. */
export interface GlobalFlags {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  roleArn?: string;
  output?: OutputFormat;
  out?: string;
  query?: string;
  jobId?: string;
  timeout?: number;
  maxAttempts?: number;
  debug?: boolean;
  color?: boolean;
}

/** What an action needs from the global flags, resolved once. */
export interface CliContext {
  readonly connection: ConnectionOptions;
  /** Undefined when the user did not choose: each command has its own default. */
  readonly output?: OutputFormat;
  /** --out FILE: the result goes there (atomically) instead of stdout. */
  readonly out?: string;
  readonly query?: string;
  readonly jobId?: string;
  readonly timeoutMs?: number;
  /** SDK attempts per request (--max-attempts, else AWS_MAX_ATTEMPTS as in the AWS CLI, else the engine's default). */
  readonly maxAttempts?: number;
  readonly debug: boolean;
  /** Colors on stderr (progress, errors) and on table output, only on a terminal and never with --no-color/NO_COLOR. */
  readonly color: boolean;
  /** Fires on Ctrl-C: running jobs stop polling. */
  readonly signal?: AbortSignal;
  readonly log: (message: string) => void;
  readonly debugLog: (message: string) => void;
}

export function contextOf(command: Command): CliContext {
  const flags = command.optsWithGlobals<GlobalFlags>();
  const debug = flags.debug === true;
  const color = flags.color !== false && !process.env.NO_COLOR;
  checkQuery(flags.query);
  if (flags.output === 'html') {
    // `sweep merge` draws the merged sweep too.
    if (!HTML_COMMANDS.includes(command.name()) && command.parent?.name() !== 'sweep') {
      throw new CliInputError(`--output html: draws the results of ${HTML_COMMANDS.join(', ')}, not ${command.name()}; use json, yaml, table or markdown`);
    }
    if (flags.query !== undefined) throw new CliInputError('--query: cannot be combined with --output html (the report draws the whole result)');
  }
  if (flags.out !== undefined && flags.out.trim() === '') throw new CliInputError('--out: needs a file name');
  // A flag given with an empty value is a mistake (an unset shell variable), never "use the default".
  for (const [flag, value] of [
    ['--profile', flags.profile],
    ['--region', flags.region],
    ['--endpoint-url', flags.endpointUrl],
    ['--role-arn', flags.roleArn],
    ['--job-id', flags.jobId],
  ] as const) {
    if (value !== undefined && value.trim() === '') {
      throw new CliInputError(`${flag}: ${JSON.stringify(value)} is empty; give a value or leave the flag out`);
    }
  }
  if (flags.jobId !== undefined) checkJobId(flags.jobId);
  const connection: ConnectionOptions = {
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.region ? { region: flags.region } : {}),
    ...(flags.endpointUrl !== undefined ? { endpoint: checkEndpoint(flags.endpointUrl) } : {}),
    ...(flags.roleArn !== undefined ? { roleArn: checkRoleArn(flags.roleArn) } : {}),
  };
  return {
    connection,
    output: flags.output,
    ...(flags.out !== undefined ? { out: flags.out } : {}),
    query: flags.query,
    jobId: flags.jobId,
    timeoutMs: flags.timeout !== undefined ? Math.round(flags.timeout * 1000) : undefined,
    maxAttempts: flags.maxAttempts ?? maxAttemptsFromEnv(),
    debug,
    color,
    log: (message) => process.stderr.write(`${message}\n`),
    debugLog: debug ? (message) => process.stderr.write(`[debug] ${message}\n`) : () => undefined,
  };
}

function checkEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliInputError(`--endpoint-url: ${JSON.stringify(value)} is not a URL; expected http(s)://host[:port]`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliInputError(`--endpoint-url: ${JSON.stringify(value)} is not allowed; expected an http or https URL`);
  }
  return value;
}

function checkJobId(value: string): void {
  if (value.length !== JOB_ID_LENGTH || !/^[\x21-\x7e]+$/.test(value)) {
    throw new CliInputError(
      `--job-id: ${JSON.stringify(value)} is not allowed; expected a job id of exactly ${JOB_ID_LENGTH} characters as printed by a timed-out run`,
    );
  }
}

function checkRoleArn(value: string): string {
  const parsed = parsePrincipalArn(value);
  if ('error' in parsed || parsed.kind !== 'role') {
    throw new CliInputError(
      `--role-arn: ${JSON.stringify(value)} is not allowed; expected a role ARN arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`,
    );
  }
  return value;
}

function maxAttemptsFromEnv(): number | undefined {
  const raw = process.env.AWS_MAX_ATTEMPTS;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 20) {
    throw new CliInputError(`AWS_MAX_ATTEMPTS: ${JSON.stringify(raw)} is not allowed; expected a whole number from 1 to 20`);
  }
  return n;
}

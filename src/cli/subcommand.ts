/**
 * What every subcommand shares around its own body: the global flags resolved, errors turned into one redacted line and
 * an exit status, Ctrl-C aborting running jobs, and the result written in the chosen format (`emit`).
 */
import type { Command, OptionValues } from 'commander';
import { AccessAdvisorError, AwsRequestError, InvalidRequestError } from '../model/errors';
import { redact, safeMessage } from '../model/redact';
import { contextOf, type CliContext } from './context';
import { CliInputError, exitCodeOf } from './exit-codes';
import type { OutputFormat } from './output/formats';
import { applyQuery, formatResult, type FormatOptions } from './output/render';

/** What an action returns: its exit status. */
export type ActionBody<O extends OptionValues> = (ctx: CliContext, options: O, command: Command) => Promise<number>;

/** Exit status when the user interrupts (Ctrl-C), as shells expect. */
export const EXIT_INTERRUPTED = 130;

/**
 * Wraps a subcommand's body: resolves the global flags, turns every error into one line on stderr (full detail
 * with --debug) and its exit status, and aborts running jobs on Ctrl-C.
 */
export function action<O extends OptionValues>(body: ActionBody<O>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const debug = command.optsWithGlobals<{ debug?: boolean }>().debug === true;
    const interrupt = new AbortController();
    const onSigint = () => {
      if (interrupt.signal.aborted) process.exit(EXIT_INTERRUPTED);
      process.stderr.write('\naccess-advisor: interrupted, stopping (Ctrl-C again to quit now)\n');
      interrupt.abort();
    };
    process.on('SIGINT', onSigint);
    let code: number;
    try {
      const ctx = contextOf(command);
      code = await body({ ...ctx, signal: interrupt.signal } as CliContext, command.opts<O>(), command);
      if (interrupt.signal.aborted) code = EXIT_INTERRUPTED;
    } catch (error) {
      reportError(error, debug);
      code = interrupt.signal.aborted ? EXIT_INTERRUPTED : exitCodeOf(error);
    } finally {
      process.off('SIGINT', onSigint);
    }
    process.exitCode = code;
  };
}

/** One clear line; with --debug the error's class, fields, stack and causes follow. */
export function reportError(error: unknown, debug: boolean): void {
  process.stderr.write(`access-advisor: ${errorLine(error)}\n`);
  if (debug) process.stderr.write(`${redact(errorDetail(error))}\n`);
}

/** One line, redacted: what the user sees of an error, on stderr and in results (gate principals' errors). */
export function errorLine(error: unknown): string {
  return safeMessage(rawErrorLine(error));
}

function rawErrorLine(error: unknown): string {
  if (error instanceof InvalidRequestError) return `invalid ${flagOf(error.field)}: ${error.message}`;
  const message = error instanceof Error ? error.message : String(error);
  const jobId = (error as { jobId?: unknown }).jobId;
  const resumable = (error as { request?: { kind?: string } }).request?.kind !== 'organizations-access';
  if (error instanceof AccessAdvisorError && error.kind === 'timeout' && typeof jobId === 'string' && resumable) {
    return `${message} (resume: --job-id ${jobId})`;
  }
  if (!(error instanceof AccessAdvisorError)) return `${message} (run with --debug for details)`;
  return message;
}

/** Request fields as the flags that set them, so a message points at what to change on the command line. */
const FLAG_OF_FIELD: Record<string, string> = {
  arn: '--arn',
  granularity: '--granularity',
  withEntities: '--with-entities',
  entityPath: '--entity-path',
  organizationsPolicyId: '--policy-id',
  sortKey: '--sort-key',
  serviceNamespaces: '--service',
  jobId: '--job-id',
  timeoutMs: '--timeout',
  maxAttempts: '--max-attempts',
  endpoint: '--endpoint-url',
};

function flagOf(field: string): string {
  const root = field.replace(/[[.].*$/, '');
  return FLAG_OF_FIELD[root] ?? field;
}

function errorDetail(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    if (depth > 0) lines.push('caused by:');
    if (current instanceof Error) {
      const fields: Record<string, unknown> = {};
      for (const key of Object.keys(current)) {
        if (key !== 'cause' && key !== 'request' && key !== 'name') fields[key] = (current as unknown as Record<string, unknown>)[key];
      }
      if (current instanceof AwsRequestError && current.request) fields.request = current.request;
      if (Object.keys(fields).length) lines.push(`${current.name} ${JSON.stringify(fields)}`);
      lines.push(current.stack ?? `${current.name}: ${current.message}`);
      current = (current as { cause?: unknown }).cause;
    } else {
      lines.push(String(current));
      current = undefined;
    }
  }
  return lines.join('\n');
}

/** Writes the result to stdout (after --query) and resolves once it is flushed. */
export async function emit(ctx: CliContext, value: unknown, defaultFormat: OutputFormat = 'json', extra: Pick<FormatOptions, 'entityNames'> = {}): Promise<void> {
  const format = ctx.output ?? defaultFormat;
  const toFile = ctx.out !== undefined;
  const text = formatResult(applyQuery(value, ctx.query), format, { ...extra, color: !toFile && ctx.color && process.stdout.isTTY === true });
  if (toFile) {
    // Readers (a browser, a CI artifact upload) see the old file or the new one, never half a report.
    const { writeFileAtomicSync } = require('../resolve/atomic-write') as typeof import('../resolve/atomic-write');
    try {
      writeFileAtomicSync(ctx.out!, text);
    } catch (error) {
      throw new CliInputError(`--out: cannot write ${JSON.stringify(ctx.out)}: ${(error as Error).message}`);
    }
    ctx.log(`access-advisor: wrote ${ctx.out} (${Buffer.byteLength(text)} bytes)`);
    return;
  }
  await write(process.stdout, text);
}

export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (error) => (error ? reject(error) : resolve())));
}

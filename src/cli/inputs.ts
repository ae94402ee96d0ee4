import * as fs from 'fs';
import { InvalidArgumentError } from 'commander';
import type { PermissionException } from '../analysis/types';
import { CliInputError } from './exit-codes';

/** commander argParser for repeatable flags: `--arn a --arn b` → ['a', 'b']. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** commander argParser for a whole number of days ≥ 1. */
export function parseDays(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > 400) {
    throw new InvalidArgumentError(
      `${JSON.stringify(value)} is not allowed; expected a whole number of days from 1 to 400 (access advisor tracks about 400 days, so a longer window cannot show that a permission is unused)`,
    );
  }
  return n;
}

/** commander argParser for a positive number of seconds (fractions allowed). */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not allowed; expected a number of seconds > 0`);
  }
  return n;
}

/** commander argParser for a positive whole number (concurrency, rates). */
export function parsePositiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not allowed; expected a whole number ≥ 1`);
  }
  return n;
}

/** commander argParser for `--allow PERMISSION=REASON`, repeatable: an exception always carries its reason. */
export function collectException(value: string, previous: PermissionException[] | undefined): PermissionException[] {
  const eq = value.indexOf('=');
  const permission = eq < 0 ? '' : value.slice(0, eq).trim();
  const reason = eq < 0 ? '' : value.slice(eq + 1).trim();
  if (!permission || !reason) {
    throw new InvalidArgumentError(
      `${JSON.stringify(value)} is not allowed; expected PERMISSION=REASON, e.g. "s3:GetObject=read by the nightly export"`,
    );
  }
  return [...(previous ?? []), { permission, reason }];
}

/** Reads a file, or standard input for `-`. Errors name the flag and the file. */
export function readInput(flag: string, source: string): string {
  try {
    return source === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(source, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CliInputError(`${flag}: cannot read ${source === '-' ? 'standard input' : JSON.stringify(source)} (${reason})`);
  }
}

/** One ARN per line; blank lines and `#` comments (whole-line or trailing) are ignored. */
export function parseArnList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.length > 0);
}

/** Every ARN given by repeated `--arn` and `--arns-from`, in order, without duplicates. */
export function collectArns(arns: readonly string[] | undefined, arnsFrom: string | undefined): string[] {
  const all = [...(arns ?? [])];
  if (arnsFrom !== undefined) all.push(...parseArnList(readInput('--arns-from', arnsFrom)));
  const unique = [...new Set(all)];
  if (unique.length === 0) {
    throw new CliInputError('--arn: no principal given; expected --arn ARN (repeatable) or --arns-from FILE|-');
  }
  return unique;
}

/**
 * JSON of an input file, or one line naming the flag, the file and where the text stops being JSON (line and column
 * as an editor shows them). The text itself is never echoed: a policy file can be long.
 */
export function parseJsonInput(flag: string, source: string, text: string): unknown {
  const name = source === '-' ? 'standard input' : JSON.stringify(source);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? (text.trim() === '' ? ' (the input is empty)' : '') : ` at ${lineAndColumn(text, Number(position))}`;
    // V8's message quotes the text around the error for some mistakes ("Unexpected token 'x', "…" is not valid
    // JSON"): keep only the reason, never the input.
    const reason = message.replace(/,\s*".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '').replace(/\s+/g, ' ');
    throw new CliInputError(`${flag}: ${name} is not valid JSON${where}: ${reason}`);
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column} (character ${offset})`;
}

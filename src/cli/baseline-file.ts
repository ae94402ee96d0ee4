import * as fs from 'fs';
import * as path from 'path';
import type { Baseline } from '../analysis/types';
import { AccessAdvisorError } from '../model/errors';
import { CliInputError } from './exit-codes';

function analysis(): typeof import('../analysis') {
  return require('../analysis') as typeof import('../analysis');
}

/** Reads the baseline; a missing file is an empty baseline (every unused permission is then new). */
export function readBaseline(file: string): { baseline: Baseline | undefined; missing: boolean } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { baseline: undefined, missing: true };
    throw new CliInputError(`--baseline: cannot read ${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return { baseline: analysis().parseBaseline(text, file), missing: false };
  } catch (error) {
    if (error instanceof AccessAdvisorError) throw error;
    throw new CliInputError(`--baseline: ${(error as Error).message}`, { cause: error });
  }
}

/** Written atomically (temp file + rename): a CI job killed mid-write never leaves half a baseline. */
export function writeBaseline(file: string, baseline: Baseline): void {
  const { writeFileAtomicSync } = require('../resolve/atomic-write') as typeof import('../resolve/atomic-write');
  writeFileAtomicSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
}

/** Before any report runs: --accept must be able to write where --baseline points (its directory exists). */
export function checkBaselineWritable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  let isDir = false;
  try {
    isDir = fs.statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new CliInputError(`--baseline: cannot write ${JSON.stringify(file)}: the directory ${JSON.stringify(dir)} does not exist; create it first`);
  }
}

/**
 * --accept as the synth cache writes: under a lock, re-read the current baseline (what parallel gates accepted
 * meanwhile survives), apply `accept` to it, write atomically. Five gates accepting five principals keep all five.
 */
export function updateBaseline(file: string, accept: (current: Baseline | undefined) => Baseline): Baseline {
  const { withFileLockSync } = require('../resolve/file-lock') as typeof import('../resolve/file-lock');
  return withFileLockSync(`${file}.lock`, () => {
    const next = accept(readBaseline(file).baseline);
    writeBaseline(file, next);
    return next;
  });
}

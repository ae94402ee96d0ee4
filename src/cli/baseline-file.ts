import * as fs from 'fs';
import type { Baseline } from '../analysis/types';
import { AccessAdvisorError } from '../iam/errors';
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

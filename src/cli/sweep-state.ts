import * as fs from 'fs';
import { SWEEP_STATE_SCHEMA_VERSION, type SweepCheckpoint } from '../sweep/types';
import { CliInputError } from './exit-codes';

/**
 * The `--state` file of a sweep: the report of every principal finished so far, rewritten atomically (temp + rename)
 * every `intervalMs` (longer once the file is slow to write) and once more at the end, so a sweep killed at any
 * moment leaves a whole file behind and a rerun with the same --state asks IAM only for what is missing.
 */
export function readSweepState(file: string): SweepCheckpoint | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliInputError(`--state: cannot read ${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliInputError(`--state: ${JSON.stringify(file)} is not JSON (${(error as Error).message}); ${STATE_REMEDY}`);
  }
  const v = value as Partial<SweepCheckpoint> | null;
  if (!v || v.kind !== 'access-advisor-sweep-state' || typeof v.requestKey !== 'string' || typeof v.done !== 'object' || v.done === null) {
    throw new CliInputError(`--state: ${JSON.stringify(file)} is not a sweep state file (kind access-advisor-sweep-state); ${STATE_REMEDY}`);
  }
  if (v.schemaVersion !== SWEEP_STATE_SCHEMA_VERSION) {
    throw new CliInputError(
      `--state: ${JSON.stringify(file)} was written by another version (state schemaVersion ${JSON.stringify(v.schemaVersion)}, this one reads ${SWEEP_STATE_SCHEMA_VERSION}); ${STATE_REMEDY}`,
    );
  }
  return v as SweepCheckpoint;
}

/** What to do with a state file that cannot be resumed: the words every refusal ends with. */
export const STATE_REMEDY = 'delete it to start a fresh sweep, or pass another --state path';

/** The sweep refused the state (too old, another request, a report that is not evidence): say so, and what to do. */
export function stateRefusal(file: string, problem: string): CliInputError {
  return new CliInputError(`--state: ${JSON.stringify(file)} cannot be resumed: ${problem}; ${STATE_REMEDY}`);
}

export class SweepStateWriter {
  private pending?: SweepCheckpoint;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly file: string,
    private readonly intervalMs = 250,
  ) {}

  /** How long the last write took: the file holds every report so far, so it grows with the sweep. */
  private lastWriteMs = 0;

  /**
   * Remembers the newest checkpoint and writes it after the interval — stretched to 20 times the last write, so
   * rewriting a large state never costs more than about 5% of the sweep.
   */
  readonly update = (checkpoint: SweepCheckpoint): void => {
    this.pending = checkpoint;
    this.timer ??= setTimeout(() => this.flush(), Math.max(this.intervalMs, 20 * this.lastWriteMs));
  };

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    const { writeFileAtomicSync } = require('../resolve/atomic-write') as typeof import('../resolve/atomic-write');
    const started = Date.now();
    writeFileAtomicSync(this.file, `${JSON.stringify(this.pending)}\n`);
    this.lastWriteMs = Date.now() - started;
    this.pending = undefined;
  }

  /** A finished sweep with nothing to retry needs no state: the next run starts afresh (and sees fresh activity). */
  remove(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    fs.rmSync(this.file, { force: true });
  }
}

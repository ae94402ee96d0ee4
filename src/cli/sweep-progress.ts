import type { SweepProgressEvent } from '../sweep/types';

/**
 * A sweep's progress on stderr: one line per account, redrawn in place — only when stderr is a terminal. In CI
 * logs and pipes nothing is drawn (with --debug each change of phase becomes a plain log line instead).
 */
export interface SweepProgress {
  readonly onProgress: (event: SweepProgressEvent) => void;
  finish(): void;
}

export function describeSweepEvent(e: SweepProgressEvent): string {
  const icon = e.phase === 'done' ? '✓' : e.phase === 'failed' ? '✗' : '…';
  const counts = e.principals > 0 ? `  ${e.finished}/${e.principals} principals${e.failed ? `, ${e.failed} failed` : ''}${e.resumed ? `, ${e.resumed} from --state` : ''}` : '';
  return `${icon} ${e.accountId}  ${e.phase}${counts}`;
}

export function createSweepProgress(options: { stream?: NodeJS.WriteStream; color: boolean; debugLog?: (message: string) => void }): SweepProgress {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY) {
    const log = options.debugLog;
    let last = new Map<string, string>();
    return {
      onProgress: log
        ? (e) => {
            // Phase changes only: a line per principal would flood a CI log.
            if (last.get(e.accountId) !== e.phase) log(describeSweepEvent(e));
            last = last.set(e.accountId, e.phase);
          }
        : () => undefined,
      finish: () => undefined,
    };
  }
  const lines = new Map<string, SweepProgressEvent>();
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  let finished = false;
  const paint = (text: string, e: SweepProgressEvent) =>
    !options.color ? text : e.phase === 'done' ? `\u001b[32m${text}\u001b[39m` : e.phase === 'failed' ? `\u001b[31m${text}\u001b[39m` : text;
  const draw = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const columns = Math.max(20, (stream.columns || 80) - 1);
    let out = drawn > 0 ? `\u001b[${drawn}A` : '';
    for (const e of lines.values()) out += `\r\u001b[2K${paint([...describeSweepEvent(e)].slice(0, columns).join(''), e)}\n`;
    drawn = lines.size;
    stream.write(out);
  };
  return {
    onProgress: (e) => {
      if (finished) return;
      lines.set(e.accountId, e);
      timer ??= setTimeout(draw, 100).unref();
    },
    finish: () => {
      if (finished) return;
      draw();
      finished = true;
    },
  };
}

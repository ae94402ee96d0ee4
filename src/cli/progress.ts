import type { ProgressEvent } from '../iam';
import type { ReportRequest } from '../model/report';

/**
 * One live line per job on stderr, redrawn in place with ANSI cursor moves — only on a terminal. When stderr is
 * not a terminal (CI logs, pipes) nothing is drawn; with --debug each event becomes a plain log line instead.
 */
export interface Progress {
  readonly onProgress: (event: ProgressEvent) => void;
  /** Draws the final state once and stops redrawing. */
  finish(): void;
}

const ICONS: Record<ProgressEvent['phase'], string> = {
  queued: '·',
  generating: '»',
  waiting: '…',
  paging: '≡',
  done: '✓',
  failed: '✗',
};

export function requestLabel(request: ReportRequest): string {
  return request.kind === 'service-last-accessed' ? request.arn : request.entityPath;
}

export function describeEvent(event: ProgressEvent): string {
  const parts = [`${ICONS[event.phase] ?? ' '} ${requestLabel(event.request)}`, event.phase];
  if (event.jobId) parts.push(`job ${event.jobId}`);
  if (event.polls) parts.push(`${event.polls} poll${event.polls === 1 ? '' : 's'}`);
  if (event.pages) parts.push(`${event.pages} page${event.pages === 1 ? '' : 's'}`);
  if (event.message) parts.push(event.message);
  return parts.join('  ');
}

export function createProgress(options: {
  stream?: NodeJS.WriteStream;
  color: boolean;
  debugLog?: (message: string) => void;
}): Progress {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY) {
    const log = options.debugLog;
    return { onProgress: log ? (event) => log(describeEvent(event)) : () => undefined, finish: () => undefined };
  }
  return new LiveLines(stream, options.color);
}

class LiveLines implements Progress {
  private readonly lines = new Map<string, { text: string; phase: ProgressEvent['phase'] }>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly color: boolean,
  ) {}

  readonly onProgress = (event: ProgressEvent): void => {
    if (this.finished) return;
    this.lines.set(requestLabel(event.request), { text: describeEvent(event), phase: event.phase });
    // Coalesce bursts of events (many jobs polling at once) into one redraw.
    this.timer ??= setTimeout(() => this.draw(), 80).unref();
  };

  finish(): void {
    if (this.finished) return;
    this.draw();
    this.finished = true;
  }

  private draw(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const columns = Math.max(20, (this.stream.columns || 80) - 1);
    let out = this.drawn > 0 ? `\u001b[${this.drawn}A` : '';
    for (const { text, phase } of this.lines.values()) {
      // A wrapped line would break the cursor arithmetic: cut to the terminal width.
      const cut = [...text].slice(0, columns).join('');
      out += `\r\u001b[2K${this.paint(cut, phase)}\n`;
    }
    this.drawn = this.lines.size;
    this.stream.write(out);
  }

  private paint(text: string, phase: ProgressEvent['phase']): string {
    if (!this.color) return text;
    if (phase === 'done') return `\u001b[32m${text}\u001b[39m`;
    if (phase === 'failed') return `\u001b[31m${text}\u001b[39m`;
    return text;
  }
}

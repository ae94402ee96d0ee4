import { createSweepProgress, describeSweepEvent } from '../../src/cli/sweep-progress';
import type { SweepProgressEvent } from '../../src/sweep/types';

/** A stand-in for process.stderr: what was written, and whether it claims to be a terminal. */
function stream(isTTY: boolean): { writes: string[]; s: NodeJS.WriteStream } {
  const writes: string[] = [];
  return { writes, s: { isTTY, columns: 200, write: (t: string) => writes.push(t) > 0 } as unknown as NodeJS.WriteStream };
}

const event = (accountId: string, phase: SweepProgressEvent['phase'], finished = 0, failed = 0): SweepProgressEvent => ({
  accountId,
  phase,
  principals: 10,
  finished,
  failed,
  resumed: 2,
});

describe('sweep progress', () => {
  it('draws one line per account on a terminal, redrawn in place', () => {
    const { writes, s } = stream(true);
    const p = createSweepProgress({ stream: s, color: false });
    p.onProgress(event('111111111111', 'reporting', 3));
    p.onProgress(event('222222222222', 'reporting', 5, 1));
    p.onProgress(event('111111111111', 'done', 10));
    p.finish();
    const out = writes.join('');
    expect(out).toContain('✓ 111111111111  done  10/10 principals, 2 from --state');
    expect(out).toContain('… 222222222222  reporting  5/10 principals, 1 failed, 2 from --state');
    expect(out).not.toContain('3/10'); // coalesced: only the newest state of each account is drawn
    p.onProgress(event('111111111111', 'failed'));
    p.finish();
    expect(writes.join('')).toBe(out); // nothing after finish
  });

  it('draws nothing when stderr is not a terminal; with --debug, one log line per phase change', () => {
    const { writes, s } = stream(false);
    const logged: string[] = [];
    const p = createSweepProgress({ stream: s, color: true, debugLog: (m) => logged.push(m) });
    for (let i = 0; i < 5; i++) p.onProgress(event('111111111111', 'reporting', i));
    p.onProgress(event('111111111111', 'done', 10));
    p.finish();
    expect(writes).toEqual([]);
    expect(logged).toEqual([describeSweepEvent(event('111111111111', 'reporting', 0)), describeSweepEvent(event('111111111111', 'done', 10))]);
    const quiet = stream(false);
    const q = createSweepProgress({ stream: quiet.s, color: false });
    q.onProgress(event('111111111111', 'done', 10));
    q.finish();
    expect(quiet.writes).toEqual([]);
  });
});

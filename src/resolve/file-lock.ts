import { closeSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';

export interface FileLockOptions {
  /** A lock file older than this is left over by a dead process and is broken. Default 30 s. */
  readonly staleMs?: number;
  /** Give up waiting after this long. Default 60 s. */
  readonly timeoutMs?: number;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function tryAcquire(lockPath: string): boolean {
  try {
    const fd = openSync(lockPath, 'wx', 0o644);
    writeSync(fd, JSON.stringify({ pid: process.pid, acquiredAt: new Date().toISOString() }));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function breakIfStale(lockPath: string, staleMs: number): void {
  try {
    if (Date.now() - statSync(lockPath).mtimeMs > staleMs) unlinkSync(lockPath);
  } catch (error) {
    // another process released or broke it meanwhile
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Run `action` while holding an exclusive lock file (created with O_EXCL, so only one process wins). Synchronous
 * because synth is: waiting blocks the thread with Atomics.wait instead of spinning.
 */
export function withFileLockSync<T>(lockPath: string, action: () => T, options: FileLockOptions = {}): T {
  const staleMs = options.staleMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  while (!tryAcquire(lockPath)) {
    if (Date.now() > deadline) {
      throw new Error(
        `could not lock ${lockPath} within ${timeoutMs} ms: another process holds it; delete the file if no synth or cache command is running`,
      );
    }
    breakIfStale(lockPath, staleMs);
    sleepSync(delay + Math.floor(Math.random() * delay));
    delay = Math.min(delay * 2, 100);
  }
  try {
    return action();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // broken as stale by another process: nothing left to release
    }
  }
}

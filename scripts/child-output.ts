import type { ChildProcess } from 'node:child_process';

/** How a child process ended and what it printed. */
export interface ChildOutput {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Collects a spawned child's output until it closes (its stdout and stderr must be pipes). With `input`, writes it to
 * the child's stdin and closes it. Asynchronous on purpose: an emulator in this process must keep answering meanwhile.
 */
export function childOutput(child: ChildProcess, input?: string): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

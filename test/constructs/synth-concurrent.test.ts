import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { readCacheFile } from '../../src/resolve/cache-file';
import { useSynthEmulator } from './synth-emulator';
import { batchRole } from './synth-world';
import { scratch, workerRuns } from './synth-support';

const synthEmulator = useSynthEmulator();

function synthInChild(cacheFile: string, workerLog: string, roles: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(__dirname, 'synth-concurrent-app.ts'), cacheFile, synthEmulator.current.endpoint, ...roles],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ACCESS_ADVISOR_WORKER_LOG: workerLog } },
    );
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

test('two synths writing the same cache file at once keep every entry', async () => {
  const { cacheFile, workerLog } = scratch();
  const left = [batchRole(10), batchRole(11), batchRole(12)];
  const right = [batchRole(20), batchRole(21)];
  const results = await Promise.all([synthInChild(cacheFile, workerLog, left), synthInChild(cacheFile, workerLog, right)]);
  expect(results.map((r) => r.code)).toEqual([0, 0]);
  const cached = Object.values(readCacheFile(cacheFile).entries).map((e) => (e.request as { arn: string }).arn.split('/').pop());
  expect(cached.sort()).toEqual([...left, ...right].sort());
  expect(workerRuns(workerLog).map((r) => r.jobs).sort()).toEqual([2, 3]);
  expect(existsSync(`${cacheFile}.lock`)).toBe(false);
});

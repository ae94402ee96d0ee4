import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE22_BIN, REPO_ROOT } from '../../scripts/example-harness';

// The CLI turns on Node's compile cache first thing (src/iam/enable-compile-cache.ts), in a folder of the temp
// directory. On Node 22 the folder fills after one run; a temp directory that cannot hold it leaves the CLI working.
const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const NODE22 = join(NODE22_BIN, 'node');
const node22 = existsSync(NODE22) ? NODE22 : process.version.startsWith('v22.') ? process.execPath : undefined;

function version(node: string, env: NodeJS.ProcessEnv): { status: number | null; stdout: string } {
  const clean = { ...process.env };
  delete clean.NODE_COMPILE_CACHE;
  delete clean.NODE_DISABLE_COMPILE_CACHE;
  const child = spawnSync(node, [CLI, '--version'], { env: { ...clean, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: child.status, stdout: child.stdout.trim() };
}

describe('the compile cache of the built CLI', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const freshTmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'aa-compile-cache-'));
    dirs.push(d);
    return d;
  };

  if (node22) {
    it('on Node 22, writes the cache into the temp directory', () => {
      const tmp = freshTmp();
      expect(version(node22, { TMPDIR: tmp }).status).toBe(0);
      const cache = join(tmp, 'node-compile-cache');
      expect(existsSync(cache) && readdirSync(cache, { recursive: true }).length).toBeGreaterThan(0);
    });
  } else {
    it('without Node 22 (no module.enableCompileCache), runs and writes no cache', () => {
      const tmp = freshTmp();
      expect(version(process.execPath, { TMPDIR: tmp }).status).toBe(0);
      expect(existsSync(join(tmp, 'node-compile-cache'))).toBe(false);
    });
  }

  it('never uses a cache folder that others may write (a shared temp directory): compiled code there would run as ours', () => {
    const tmp = freshTmp();
    const cache = join(tmp, 'node-compile-cache');
    mkdirSync(cache);
    chmodSync(cache, 0o777);
    expect(version(node22 ?? process.execPath, { TMPDIR: tmp }).status).toBe(0);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('leaves it off when NODE_DISABLE_COMPILE_CACHE is set', () => {
    const tmp = freshTmp();
    expect(version(node22 ?? process.execPath, { TMPDIR: tmp, NODE_DISABLE_COMPILE_CACHE: '1' }).status).toBe(0);
    expect(existsSync(join(tmp, 'node-compile-cache'))).toBe(false);
  });

  it.each(['/proc/no-such-dir', '/dev/null/not-a-dir', '/proc'])('still runs (and exits promptly) with TMPDIR=%s', (tmp) => {
    for (const node of new Set([process.execPath, node22 ?? process.execPath])) {
      expect(version(node, { TMPDIR: tmp })).toEqual({ status: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    }
  });
});

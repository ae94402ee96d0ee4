import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDirectory, isTrustedDirectory, loadBundle, runBundle } from '../../src/iam/code-cache';

// The V8 code cache of the bundled programs (src/iam/code-cache.ts): used from a folder that is certainly ours,
// never from one somebody else could write, and never able to fail a run, whatever the folder holds.
const uid = process.getuid!();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function fresh(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aa-code-cache-test-'));
  dirs.push(dir);
  return dir;
}

/** A bundle that computes something with a function (so the cache holds compiled code) and exports it. */
function bundle(dir: string, body = 'function square(n) { return n * n; }\nmodule.exports = { value: square(7), dir: __dirname };\n'): string {
  const file = join(dir, 'program.payload.js');
  writeFileSync(file, body);
  return file;
}

function load(file: string, directory: string | undefined): { status: string; exports: unknown; save: () => void } {
  const host = { exports: {} } as NodeModule;
  const { status, save } = loadBundle(file, host, directory);
  return { status, exports: host.exports, save };
}

function cacheDir(): string {
  const dir = join(fresh(), 'cache');
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

describe('loadBundle', () => {
  it('runs the bundle as the host module, writes the cache on save, and V8 takes it on the next load', () => {
    const file = bundle(fresh());
    const cache = cacheDir();
    const first = load(file, cache);
    expect(first).toMatchObject({ status: 'missed', exports: { value: 49 } });
    first.save();
    const [written] = readdirSync(cache);
    expect(written).toMatch(/^[0-9a-f]{64}\.v8cache$/);
    expect(statSync(join(cache, written!)).mode & 0o777).toBe(0o600);
    expect(load(file, cache)).toMatchObject({ status: 'used', exports: { value: 49 } });
  });

  it('keeps one cache per variant of a run: the code one variant compiled is never all another is given', () => {
    const file = bundle(fresh());
    const cache = cacheDir();
    const host = (): NodeModule => ({ exports: {} }) as NodeModule;
    loadBundle(file, host(), cache, 'service-report').save();
    expect(loadBundle(file, host(), cache, 'org-report').status).toBe('missed');
    expect(loadBundle(file, host(), cache, 'service-report').status).toBe('used');
    expect(loadBundle(file, host(), cache).status).toBe('missed');
    expect(readdirSync(cache)).toHaveLength(1);
  });

  it('runs a bundle that starts with a #! line', () => {
    const file = bundle(fresh(), '#!/usr/bin/env node\nmodule.exports = { value: 3 };\n');
    expect(load(file, cacheDir())).toMatchObject({ status: 'missed', exports: { value: 3 } });
  });

  it('decodes a bundle that is not ASCII as UTF-8 (an ASCII one is read as Latin-1, the same text), with and without its cache', () => {
    const cache = cacheDir();
    // Written as UTF-8: the text holds two- three- and four-byte characters.
    const file = bundle(fresh(), 'module.exports = { text: "caf\u00e9 \u2713 \ud83d\ude80", length: "caf\u00e9".length };\n');
    const first = load(file, cache);
    expect(first).toMatchObject({ status: 'missed', exports: { text: 'caf\u00e9 \u2713 \ud83d\ude80', length: 4 } });
    first.save();
    expect(load(file, cache)).toMatchObject({ status: 'used', exports: { text: 'caf\u00e9 \u2713 \ud83d\ude80', length: 4 } });
    const ascii = bundle(fresh(), 'module.exports = { text: "plain \\u00e9" };\n');
    expect(load(ascii, cache).exports).toEqual({ text: 'plain \u00e9' });
  });

  it('without a folder, runs the bundle the same and writes nothing', () => {
    const file = bundle(fresh());
    const off = load(file, undefined);
    expect(off).toMatchObject({ status: 'off', exports: { value: 49 } });
    off.save();
  });

  it('an edited bundle of the same length never meets the old cache (V8 compares only lengths)', () => {
    const dir = fresh();
    const cache = cacheDir();
    const file = bundle(dir, 'module.exports = { value: (() => 1111)() };\n');
    load(file, cache).save();
    writeFileSync(file, 'module.exports = { value: (() => 2222)() };\n');
    expect(load(file, cache)).toMatchObject({ status: 'missed', exports: { value: 2222 } });
  });

  it.each([
    ['flipped bytes in the middle', (b: Buffer) => Buffer.from(b.map((x, i) => (i > 64 && i % 97 === 0 ? x ^ 0x5a : x)))],
    ['cut short', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    ['empty', () => Buffer.alloc(0)],
    ['the checksum alone', (b: Buffer) => b.subarray(0, 32)],
  ])('a damaged cache file (%s) is not given to V8 (which would crash the process) and is written again', (_, damage) => {
    const file = bundle(fresh());
    const cache = cacheDir();
    load(file, cache).save();
    const [name] = readdirSync(cache);
    const path = join(cache, name!);
    writeFileSync(path, damage(readFileSync(path)));
    const again = load(file, cache);
    expect(again).toMatchObject({ status: 'missed', exports: { value: 49 } });
    again.save();
    expect(load(file, cache).status).toBe('used');
  });

  it('a cache folder that cannot be written leaves the run as it was', () => {
    const file = bundle(fresh());
    const notADirectory = join(fresh(), 'file');
    writeFileSync(notADirectory, '');
    const run = load(file, notADirectory);
    expect(run.exports).toEqual({ value: 49, dir: expect.any(String) });
    expect(() => run.save()).not.toThrow();
  });
});

describe('runBundle', () => {
  it('in a program that is not under the given folder (the SDK loaded by someone else\'s program), runs the bundle without any cache', () => {
    const file = bundle(fresh());
    const host = { exports: {} } as NodeModule;
    expect(runBundle(file, host, { onlyUnder: fresh() })).toBe('off');
    expect(host.exports).toMatchObject({ value: 49 });
  });
});

describe('the cache folder', () => {
  it('is used only when it is a directory of this user that neither group nor others may write', () => {
    const dir = cacheDir();
    expect(isTrustedDirectory(dir, uid)).toBe(true);
    expect(isTrustedDirectory(dir, uid + 1)).toBe(false);
    chmodSync(dir, 0o770);
    expect(isTrustedDirectory(dir, uid)).toBe(false);
    chmodSync(dir, 0o702);
    expect(isTrustedDirectory(dir, uid)).toBe(false);
    chmodSync(dir, 0o700);
    const link = join(fresh(), 'link');
    symlinkSync(dir, link);
    expect(isTrustedDirectory(link, uid)).toBe(false);
    expect(isTrustedDirectory(join(dir, 'missing'), uid)).toBe(false);
    expect(isTrustedDirectory(dir, undefined)).toBe(false);
  });

  describe('cacheDirectory (in the temp directory given)', () => {
    it('is made in the temp directory with mode 700, per user', () => {
      const tmp = fresh();
      const dir = cacheDirectory({}, tmp);
      expect(dir).toBe(join(tmp, `access-advisor-code-cache-${uid}`));
      expect(statSync(dir!).mode & 0o777).toBe(0o700);
    });

    it('is refused when it exists and others may write it (a shared temp directory), and off with NODE_DISABLE_COMPILE_CACHE', () => {
      const tmp = fresh();
      const squatted = join(tmp, `access-advisor-code-cache-${uid}`);
      mkdirSync(squatted);
      chmodSync(squatted, 0o777);
      expect(cacheDirectory({}, tmp)).toBeUndefined();
      chmodSync(squatted, 0o700);
      expect(cacheDirectory({}, tmp)).toBe(squatted);
      expect(cacheDirectory({ NODE_DISABLE_COMPILE_CACHE: '1' }, tmp)).toBeUndefined();
    });

    it.each(['/proc/no-such-dir', '/dev/null/not-a-dir'])('is undefined in %s', (tmp) => {
      expect(cacheDirectory({}, tmp)).toBeUndefined();
    });
  });
});

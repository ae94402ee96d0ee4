import { spawn } from 'node:child_process';
import { jsonErrorPosition } from '../../src/resolve/json-error-position';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CACHE_FILE_NAME,
  CacheFileError,
  cacheConnectionOf,
  cacheEntryKey,
  effectiveCacheConnection,
  endpointFromEnvironment,
  locateCacheFile,
  parseCacheFile,
  readCacheFile,
  serializeCacheFile,
  updateCacheFile,
  type CacheEntry,
} from '../../src/resolve/cache-file';
import { writeFileAtomicSync } from '../../src/resolve/atomic-write';
import { withFileLockSync } from '../../src/resolve/file-lock';

const dir = () => mkdtempSync(join(tmpdir(), 'aa-cache-'));

function entry(name: string, resolvedAt = '2026-01-02T03:04:05.000Z'): CacheEntry {
  return {
    request: { kind: 'service-last-accessed', arn: `arn:aws:iam::123456789012:role/${name}` },
    connection: { endpoint: 'http://127.0.0.1:1' },
    resolvedAt,
    report: { kind: 'service-last-accessed', zeta: 1, alpha: { y: 2, b: 1 } } as never,
  };
}

describe('cache file format', () => {
  test('serializes sorted at every level, pretty, versioned, with a trailing newline', () => {
    const text = serializeCacheFile({ schemaVersion: 1, entries: { b: entry('b'), a: entry('a') } });
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.indexOf('"a"')).toBeLessThan(text.indexOf('"b"'));
    expect(text.indexOf('"alpha"')).toBeLessThan(text.indexOf('"zeta"'));
    expect(text).toContain('\n  "entries": {');
    expect(JSON.parse(text).schemaVersion).toBe(1);
    expect(parseCacheFile(text, 'x.json').entries.a.request).toEqual(entry('a').request);
  });

  test('invalid JSON names the path and the line of the error', () => {
    const text = '{\n  "schemaVersion": 1,\n  "entries": {\n    "k": {,\n  }\n}\n';
    expect(() => parseCacheFile(text, '/repo/access-advisor.context.json')).toThrow(
      /^\/repo\/access-advisor\.context\.json:4: not valid JSON/,
    );
    try {
      parseCacheFile(text, 'f.json');
    } catch (error) {
      expect(error).toBeInstanceOf(CacheFileError);
      expect((error as CacheFileError).line).toBe(4);
    }
  });

  test('a foreign file (e.g. cdk.context.json) is refused, not treated as empty', () => {
    expect(() => parseCacheFile('{"vpc-provider:account=1": {}}', 'cdk.context.json')).toThrow(
      /cdk\.context\.json:1: not an access-advisor cache file \(schemaVersion is undefined\)/,
    );
    expect(() => parseCacheFile('[]', 'a.json')).toThrow(/top level is not an object/);
  });

  test('a bad entry is reported with its key and line', () => {
    const good = serializeCacheFile({ schemaVersion: 1, entries: { first: entry('first') } });
    const bad = JSON.parse(good);
    bad.entries.second = { ...entry('second'), resolvedAt: 'yesterday' };
    const text = JSON.stringify(bad, null, 2);
    const line = text.split('\n').findIndex((l) => l.includes('"second"')) + 1;
    expect(() => parseCacheFile(text, 'c.json')).toThrow(`c.json:${line}: entry "second": "resolvedAt" must be an ISO-8601 date, got "yesterday"`);
  });

  test('a missing file is an empty cache', () => {
    expect(readCacheFile(join(dir(), 'nope.json')).entries).toEqual({});
  });

  test('keys: request key alone for the default connection, identity appended otherwise, never credentials', () => {
    const connection = cacheConnectionOf({ endpoint: 'http://127.0.0.1:9', profile: '', region: undefined, roleArn: 'arn:aws:iam::1:role/r', credentials: { secretAccessKey: 'S3CRET' } } as never);
    expect(connection).toEqual({ endpoint: 'http://127.0.0.1:9', roleArn: 'arn:aws:iam::1:role/r' });
    expect(cacheEntryKey('K', {})).toBe('K');
    expect(cacheEntryKey('K', connection)).toBe('K @ endpoint=http://127.0.0.1:9,roleArn=arn:aws:iam::1:role/r');
    expect(JSON.stringify(connection)).not.toContain('S3CRET');
  });

  test('the effective endpoint: explicit, else AWS_ENDPOINT_URL_IAM, else AWS_ENDPOINT_URL; normalized; never credentials', () => {
    const request = 'K';
    const env = { AWS_ENDPOINT_URL_IAM: 'http://127.0.0.1:4566/', AWS_SECRET_ACCESS_KEY: 'S3CRET' } as NodeJS.ProcessEnv;
    const none = effectiveCacheConnection({}, {});
    const fromEnv = effectiveCacheConnection({}, env);
    expect(none).toEqual({});
    expect(fromEnv).toEqual({ endpoint: 'http://127.0.0.1:4566' });
    expect(cacheEntryKey(request, none)).not.toBe(cacheEntryKey(request, fromEnv));
    expect(cacheEntryKey(request, fromEnv)).toBe('K @ endpoint=http://127.0.0.1:4566');
    // the same endpoint as a prop (with or without the slash) is the same key
    expect(cacheEntryKey(request, effectiveCacheConnection({ endpoint: 'http://127.0.0.1:4566' }, {}))).toBe(cacheEntryKey(request, fromEnv));
    expect(cacheEntryKey(request, effectiveCacheConnection(cacheConnectionOf({ endpoint: 'http://127.0.0.1:4566//' }), env))).toBe(cacheEntryKey(request, fromEnv));
    // an explicit endpoint wins; the IAM-specific variable wins over the generic one
    expect(effectiveCacheConnection({ endpoint: 'https://iam.example' }, env)).toEqual({ endpoint: 'https://iam.example' });
    expect(endpointFromEnvironment({ AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_IAM: 'http://b' })).toBe('http://b');
    expect(endpointFromEnvironment({ AWS_ENDPOINT_URL: 'http://a/', AWS_ENDPOINT_URL_IAM: ' ' })).toBe('http://a');
    expect(endpointFromEnvironment({ AWS_ENDPOINT_URL: 'http://a', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toBeUndefined();
    // other connection fields are kept, credentials never enter
    const full = effectiveCacheConnection(cacheConnectionOf({ profile: 'audit', credentials: { secretAccessKey: 'S3CRET' } } as never), env);
    expect(full).toEqual({ endpoint: 'http://127.0.0.1:4566', profile: 'audit' });
    expect(JSON.stringify(full)).not.toContain('S3CRET');
  });
});

describe('locating the cache file', () => {
  test('explicit > env > cdktfJsonPath > nearest cdktf.json walking up > cwd', () => {
    const root = dir();
    const nested = join(root, 'a', 'b');
    mkdirSync(nested, { recursive: true });
    writeFileSync(join(root, 'cdktf.json'), '{}');
    const env = {} as NodeJS.ProcessEnv;
    expect(locateCacheFile({ cwd: nested, env })).toBe(join(root, CACHE_FILE_NAME));
    expect(locateCacheFile({ cwd: nested, env, cdktfJsonPath: join(root, 'a', 'cdktf.json') })).toBe(join(root, 'a', CACHE_FILE_NAME));
    expect(locateCacheFile({ cwd: nested, env: { ACCESS_ADVISOR_CACHE_FILE: 'x.json' }, cdktfJsonPath: '/p/cdktf.json' })).toBe(join(nested, 'x.json'));
    expect(locateCacheFile({ cwd: nested, env: { ACCESS_ADVISOR_CACHE_FILE: 'x.json' }, explicit: '/abs/y.json' })).toBe('/abs/y.json');
    const lonely = dir();
    expect(locateCacheFile({ cwd: lonely, env }).startsWith(lonely)).toBe(true);
  });
});

describe('writing', () => {
  test('atomic write leaves no temp files and replaces the content', () => {
    const d = dir();
    const file = join(d, 'f.json');
    writeFileAtomicSync(file, 'one');
    writeFileAtomicSync(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(readdirSync(d)).toEqual(['f.json']);
  });

  test('update never overwrites a corrupt file', () => {
    const file = join(dir(), CACHE_FILE_NAME);
    writeFileSync(file, '{ "schemaVersion": 1, "entries": { oops } }');
    expect(() => updateCacheFile(file, (e) => Object.assign(e, { k: entry('k') }))).toThrow(CacheFileError);
    expect(readFileSync(file, 'utf8')).toBe('{ "schemaVersion": 1, "entries": { oops } }');
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  test('update merges with what is on disk', () => {
    const file = join(dir(), CACHE_FILE_NAME);
    updateCacheFile(file, (e) => Object.assign(e, { a: entry('a') }));
    updateCacheFile(file, (e) => Object.assign(e, { b: entry('b') }));
    expect(Object.keys(readCacheFile(file).entries)).toEqual(['a', 'b']);
  });

  test('a stale lock left by a dead process is broken; a live one times out naming the lock', () => {
    const lock = join(dir(), 'x.lock');
    writeFileSync(lock, '{}');
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    expect(withFileLockSync(lock, () => 42, { staleMs: 60_000 })).toBe(42);
    writeFileSync(lock, '{}');
    expect(() => withFileLockSync(lock, () => 0, { staleMs: 60_000, timeoutMs: 150 })).toThrow(`could not lock ${lock}`);
  });

  test('two processes writing at once lose no entry', async () => {
    const file = join(dir(), CACHE_FILE_NAME);
    const writer = join(__dirname, 'fixtures', 'merge-writer.ts');
    const run = (prefix: string) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', writer, file, prefix, '40'], {
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.on('error', reject);
        child.on('exit', (code) => resolve(code ?? -1));
      });
    const codes = await Promise.all([run('left'), run('right')]);
    expect(codes).toEqual([0, 0]);
    const keys = Object.keys(readCacheFile(file).entries);
    expect(keys).toHaveLength(80);
    expect(keys.filter((k) => k.startsWith('left-'))).toHaveLength(40);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('JSON error positions', () => {
  test.each([
    ['{"a": 1}', undefined],
    ['[1, -2.5e3, "x\\n", true, null, {}]', undefined],
    ['{"a": nope}', 6],
    ['{"a": 1 "b": 2}', 8],
    ['{"a": 1,}', 8],
    ['{"a": "x', 8],
    ['[1] 2', 4],
    ['', 0],
  ])('%p → %p', (text, position) => {
    expect(jsonErrorPosition(text)).toBe(position);
    if (position === undefined) expect(() => JSON.parse(text)).not.toThrow();
    else expect(() => JSON.parse(text)).toThrow();
  });
});

import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import * as vm from 'node:vm';

/**
 * Runs one of this package's bundled programs (the synth worker, the Terraform provider's start, the AWS SDK of
 * the engine) with a V8 code cache kept on disk, on every Node version this package supports. Node 22's
 * `module.enableCompileCache` does not exist on Node 20, and a bundle is compiled before its own first line could
 * turn anything on: so a few-line launcher, the file node runs, compiles the bundle here.
 *
 * Why not a require hook from npm (v8-compile-cache): it stores the code V8 produces when a file is compiled, which
 * holds little more than the top level, because V8 compiles a function when it first runs. Measured on the synth
 * worker's bundle: about 15% less load CPU, against about 45% with the cache taken after the program ran
 * (`script.createCachedData()` at exit, what is done here), when every function the run needed is compiled.
 *
 * The cache only ever saves time, and is only ever trusted when it is certainly ours:
 * - The folder is `access-advisor-code-cache-<uid>` in the temp directory, created with mode 700 and used only when
 *   it is a real directory (no symlink) that this user owns and nobody else may write: compiled code from a folder
 *   someone else can write would run as ours.
 * - A file is named by a hash of the bundle's text and of node's version and architecture: V8 itself compares only
 *   the length of the text, so an edited bundle of the same length must never meet the old cache.
 * - A file starts with a SHA-256 of its contents and is used only when that matches: V8 crashes the process (a
 *   segmentation fault on Node 20) on a damaged cache whose header looks right. Files are written atomically.
 * - Anything thrown while reading, checking or writing is ignored and the bundle is compiled as without a cache;
 *   NODE_DISABLE_COMPILE_CACHE (Node's own switch) turns the cache off.
 */

export type CacheStatus = 'used' | 'missed' | 'rejected' | 'off';

export interface BundleLoad {
  /** used: V8 took the cache; missed: there was none (or a damaged one); rejected: V8 refused it (other flags); off: no usable folder. */
  readonly status: CacheStatus;
  /** Writes the cache of everything compiled so far; does nothing when the cache was used or is off. Never throws. */
  save(): void;
}

const CHECKSUM_BYTES = 32;

/** Node's CommonJS wrapper: the bundle runs with the five names a CommonJS module has. */
const MODULE_WRAPPER = ['(function (exports, require, module, __filename, __dirname) { ', '\n});'] as const;

/** The cache folder of this user, or undefined when there is none that may be trusted. */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env, temp?: string): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  try {
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    const directory = join(temp ?? tmpdir(), `access-advisor-code-cache${uid === undefined ? '' : `-${uid}`}`);
    try {
      // Not recursive: the temp directory itself must exist (recursive mkdir was seen to spin under /proc).
      mkdirSync(directory, { mode: 0o700 });
    } catch {
      // Exists already (checked below), or cannot be made (then lstat fails below).
    }
    return isTrustedDirectory(directory, uid) ? directory : undefined;
  } catch {
    return undefined;
  }
}

/** A directory (not a symlink to one) owned by `uid` that neither its group nor others may write. */
export function isTrustedDirectory(directory: string, uid: number | undefined): boolean {
  try {
    const stats = lstatSync(directory);
    if (!stats.isDirectory()) return false;
    // Without uids (Windows) nothing proves whose folder it is.
    if (uid === undefined) return false;
    return stats.uid === uid && (stats.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * Named by the file's bytes as read (hashing them costs less than hashing the decoded text) and by the run's variant
 * (runBundle's `variant`), when it has one. An ASCII text read as a string names the same file as its bytes.
 */
export function cacheFileOf(directory: string, bytes: Buffer | string, variant: string | undefined): string {
  const hash = createHash('sha256').update(`${process.version}\0${process.arch}\0`);
  if (variant !== undefined) hash.update(`variant\0${variant}\0`);
  const key = hash.update(bytes).digest('hex');
  return join(directory, `${key}.v8cache`);
}

/** The cache bytes when the file exists and its checksum holds; undefined otherwise. */
export function readChecked(file: string): Buffer | undefined {
  let contents: Buffer;
  try {
    contents = readFileSync(file);
  } catch {
    return undefined;
  }
  if (contents.length <= CHECKSUM_BYTES) return undefined;
  const data = contents.subarray(CHECKSUM_BYTES);
  return createHash('sha256').update(data).digest().equals(contents.subarray(0, CHECKSUM_BYTES)) ? data : undefined;
}

/**
 * Atomically (temp file + rename); never throws. `mode` 0o600 in the user's temp folder, which only they may read; a
 * cache kept in the package's own folder (constructs/module-pack.ts) is readable by all, like the code it holds.
 */
export function writeChecked(file: string, data: Buffer, mode = 0o600): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, Buffer.concat([createHash('sha256').update(data).digest(), data]), { mode, flag: 'wx' });
    renameSync(temporary, file);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Only a cache.
    }
  }
}

/**
 * The bundle's text. The build keeps bundles ASCII (scripts/checked-bundle.js), and ASCII decodes the same as Latin-1,
 * which node copies byte for byte instead of validating UTF-8 (measured: about 2 ms less per megabyte at every start).
 * A file that is not ASCII after all (edited by hand, another build) is decoded as UTF-8, as node would.
 */
function textOf(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

// import() inside a bundle (none is expected: they are built without it) then works as in a module node loaded.
export const dynamicImport = (vm as unknown as { constants?: { USE_MAIN_CONTEXT_DEFAULT_LOADER?: symbol } }).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;

/**
 * Compiles the CommonJS bundle `file` (with the cache of `directory`, when given) and runs it as the module `host`:
 * the bundle's `module`, `exports` and `require.main` are the launcher's, so `require.main === module` holds in the
 * bundle when the launcher is the program node runs, and what the bundle exports is what the launcher exports. The
 * bundle must sit in the launcher's folder (its relative requires and `__dirname` are the launcher's).
 */
export function loadBundle(file: string, host: NodeModule, directory: string | undefined, variant?: string): BundleLoad {
  // A #! line is valid only at the very start of a script, which the wrapper is not: it becomes a comment, as it
  // is to node's own loader.
  const bytes = readFileSync(file);
  const wrapped = `${MODULE_WRAPPER[0]}${textOf(bytes).replace(/^#!/, '//')}${MODULE_WRAPPER[1]}`;
  let cacheFile: string | undefined;
  let cached: Buffer | undefined;
  if (directory !== undefined) {
    try {
      cacheFile = cacheFileOf(directory, bytes, variant);
      cached = readChecked(cacheFile);
    } catch {
      cacheFile = undefined;
    }
  }
  const script = new vm.Script(wrapped, {
    filename: file,
    ...(cached !== undefined ? { cachedData: cached } : {}),
    ...(dynamicImport !== undefined ? { importModuleDynamically: dynamicImport as never } : {}),
  });
  const status: CacheStatus = cacheFile === undefined ? 'off' : cached === undefined ? 'missed' : script.cachedDataRejected ? 'rejected' : 'used';
  let saved = status === 'used' || status === 'off';
  const save = (): void => {
    if (saved || cacheFile === undefined) return;
    saved = true;
    try {
      writeChecked(cacheFile, script.createCachedData());
    } catch {
      // Only a cache.
    }
  };
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeModule, filename: string, dirname: string) => void;
  run.call(host.exports, host.exports, createRequire(file), host, file, dirname(file));
  return { status, save };
}

export interface RunBundleOptions {
  /** The cache is used only when the program node runs is a file under this folder (one of this package's programs). */
  readonly onlyUnder?: string;
  /** Also write the cache this long after the start: for a program that is usually killed rather than left to exit. */
  readonly saveAfterMs?: number;
  /**
   * What this run does, when runs of one bundle do different things (the CLI's report commands): each variant keeps
   * a cache of its own, so the code one of them compiled is never all another one is given.
   */
  readonly variant?: string;
  /**
   * Whether the run that just ended (its exit code) did the work the cache is for. A cache is written once and then
   * used as it is: one written by a run that stopped early (a usage error, --help) holds only the start, and every
   * later run compiles the rest from the text, which costs more than no bundle at all. Without it, every run does.
   */
  readonly saveAtExitIf?: (exitCode: number) => boolean;
}

/**
 * What a launcher calls: runs the bundle with this user's cache and, when there was no usable cache, writes one as
 * the process exits, when everything the run needed has been compiled (and `saveAtExitIf` says the run did its
 * work). With `onlyUnder`, a library loaded into someone else's program does not write to their temp directory.
 */
export function runBundle(file: string, host: NodeModule, options: RunBundleOptions = {}): CacheStatus {
  const program = require.main?.filename;
  const ours = options.onlyUnder === undefined || (program !== undefined && program.startsWith(options.onlyUnder + sep));
  const load = loadBundle(file, host, ours ? cacheDirectory() : undefined, options.variant);
  if (load.status === 'missed' || load.status === 'rejected') {
    const worthKeeping = options.saveAtExitIf;
    process.once('exit', (code) => {
      if (worthKeeping === undefined || worthKeeping(code)) load.save();
    });
    if (options.saveAfterMs !== undefined) setTimeout(load.save, options.saveAfterMs).unref();
  }
  return load.status;
}

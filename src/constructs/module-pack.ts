import { readFileSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { cacheFileOf, dynamicImport, readChecked, writeChecked } from '../iam/code-cache';

/**
 * Loads the modules a synth served from the cache needs (the report constructs, the gate and what they import, about
 * 35 modules) from one file, dist/synth-pack.js (scripts/pack-modules.js), compiled as one script with a V8 code cache
 * (named, checked and written as iam/code-cache.ts does for the bundles). Node 20 has no compile cache, and resolving, reading and compiling those modules one file at a
 * time was more than half of what the package added to a cdktf app's synth. (Compiling each module as a script of
 * its own, which would keep its file name in stack traces, cost as much as the files: V8 takes about 0.15 ms to set
 * up each script from a cache.)
 *
 * Every module still exists once per process, whoever loads it first: a packed module runs as a module of its own
 * file's name, registered in require.cache under that name before it runs, as node registers a file; and a module
 * node (or the pack) loaded before is taken from require.cache. A class is therefore the same class whether it came
 * through the pack or through a plain require of its file (instanceof, cdktf's construct checks). Outside node's own
 * CommonJS loader (jest's module registry keeps its own cache) the files are required as they are.
 *
 * The code cache lives beside the pack, in the package's own folder, never in the temp folder of the user whose app
 * loads it (the cache is trusted as much as the pack beside it: whoever may write one may write the other); it is
 * written atomically by the first run on a node version, when that run exits, and not at all when the folder is
 * read-only. A cache V8 refuses (another node, other flags) costs only the compile it would save, and is replaced.
 * NODE_DISABLE_COMPILE_CACHE turns it off. Stack traces of packed code name dist/synth-pack.js and the function,
 * not the module's file and line.
 *
 * The pack is one expression, compiled as it is read (wrapping it, as node wraps a module, would make a second copy).
 */

type ModuleBody = (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;

/** What dist/synth-pack.js evaluates to: its modules' paths (relative to dist/), links and bodies, by index. */
interface Pack {
  readonly keys: readonly string[];
  /** Per module, each relative specifier it requires that is in the pack, with that module's index. */
  readonly links: readonly Readonly<Record<string, number>>[];
  readonly bodies: readonly ModuleBody[];
}

const DIST = join(__dirname, '..');
const PACK_FILE = join(DIST, 'synth-pack.js');

/** Node's loader internals the pack relies on; absent (another loader, another runtime), the files are used. */
const nodeLoader = Module as unknown as { _cache?: unknown; _nodeModulePaths?: (folder: string) => string[] };

let pack: Pack | null | undefined;

/** The module `key` (a path under dist/, e.g. `constructs/least-privilege-gate.js`): from the pack when it holds it. */
export function requirePacked(key: string): unknown {
  const loaded = loadedPack();
  const index = loaded?.keys.indexOf(key) ?? -1;
  return loaded && index >= 0 ? instantiate(loaded, index, module) : require(join(DIST, key));
}

/** The pack, or null when files must be used (not node's loader, no pack, a pack that does not load). */
function loadedPack(): Pack | null {
  if (pack !== undefined) return pack;
  pack = null;
  if (nodeLoader._cache !== require.cache || typeof nodeLoader._nodeModulePaths !== 'function') return pack;
  try {
    const loaded = compiledPack() as Partial<Pack>;
    if (Array.isArray(loaded.keys) && Array.isArray(loaded.links) && Array.isArray(loaded.bodies)) pack = loaded as Pack;
  } catch {
    // No pack (a build without it): the files.
  }
  return pack;
}

/**
 * The pack's value. Its text is read as a string (node's UTF-8 read makes no Buffer) and the cache is the one Buffer
 * made: V8 counts Buffers' memory towards the heap size that starts a full garbage collection, and a cache-hit synth
 * is close enough to that size that a second copy of the pack in a Buffer started one (about 10 ms).
 */
function compiledPack(): unknown {
  const text = readFileSync(PACK_FILE, 'utf8');
  let cacheFile: string | undefined;
  let cachedData: Buffer | undefined;
  if (!process.env.NODE_DISABLE_COMPILE_CACHE) {
    try {
      cacheFile = cacheFileOf(DIST, text, undefined);
      cachedData = readChecked(cacheFile);
    } catch {
      cacheFile = undefined;
    }
  }
  const script = new Script(text, {
    filename: PACK_FILE,
    ...(cachedData !== undefined ? { cachedData } : {}),
    ...(dynamicImport !== undefined ? { importModuleDynamically: dynamicImport as never } : {}),
  });
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected)) {
    // At exit, when every function the run needed has been compiled (the code V8 compiled first holds little else).
    const file = cacheFile;
    process.once('exit', () => writeChecked(file, script.createCachedData(), 0o644));
  }
  return script.runInThisContext();
}

function instantiate(loaded: Pack, index: number, parent: NodeJS.Module): unknown {
  const filename = join(DIST, loaded.keys[index]!);
  // Loaded before (by node or by the pack), or being loaded (a cycle: its exports so far, as node gives them).
  const known = require.cache[filename];
  if (known !== undefined) return known.exports;
  const folder = dirname(filename);
  const own = new Module(filename, parent as Module) as NodeJS.Module;
  own.filename = filename;
  own.paths = nodeLoader._nodeModulePaths!(folder);
  // Node's own require of the file, for what is not in the pack (node's modules, packages, lazily loaded files);
  // made on first use, as most packed modules require nothing else at load.
  let files: NodeJS.Require | undefined;
  const filesRequire = (): NodeJS.Require => (files ??= createRequire(filename));
  const links = loaded.links[index]!;
  const packedRequire = ((specifier: string): unknown => {
    const linked = links[specifier];
    return linked === undefined ? filesRequire()(specifier) : instantiate(loaded, linked, own);
  }) as NodeJS.Require;
  Object.defineProperties(packedRequire, {
    resolve: { enumerable: true, get: () => filesRequire().resolve },
    cache: { enumerable: true, value: require.cache },
    extensions: { enumerable: true, value: require.extensions },
    main: { enumerable: true, value: require.main },
  });
  require.cache[filename] = own;
  let threw = true;
  try {
    loaded.bodies[index]!.call(own.exports, own.exports, packedRequire, own, filename, folder);
    threw = false;
  } finally {
    // As node does: a module that threw is forgotten, so the next require runs it again.
    if (threw) delete require.cache[filename];
    else own.loaded = true;
  }
  return own.exports;
}

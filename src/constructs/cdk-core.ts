/**
 * The one door to the CDK core. Every construct of this package takes its core classes from `coreOf(scope)`: the
 * core (`cdktf`, or its maintained fork CDK Terrain `cdktn`) that the user's App belongs to, whatever else is
 * installed. Elements, aspects and tokens do not cross between the two (cdktn's synthesizer never runs an aspect
 * registered with cdktf's `Aspects`), so a gate built with the wrong core would silently never run: when the core
 * of a tree cannot be told, building a construct fails with a message naming both cores and the fix.
 *
 * The module-level exports below (`App`, `Testing`, …) are the *default* core (cdktf, else cdktn) for this
 * repository's tests and benchmarks; the package's constructs must not use them (ESLint forbids it in src/).
 * Types come from cdktf's declarations (cdktn's are a superset); this file's types never reach the public `.d.ts`.
 */
import * as path from 'path';
import type * as Cdktf from 'cdktf';
import type { IConstruct } from 'constructs';

export type CdkCoreName = 'cdktf' | 'cdktn';
export type CdkCore = typeof Cdktf;

const CORE_NAMES: readonly CdkCoreName[] = ['cdktf', 'cdktn'];

interface InstalledCore {
  readonly name: CdkCoreName;
  readonly module: CdkCore;
  /** The resolved main file (the require.cache key). */
  readonly file: string;
  /** Its folder, for messages. */
  readonly location: string;
}

let installed: readonly InstalledCore[] | undefined;

/**
 * Every copy of cdktf and cdktn this process can reach: the ones this package resolves and the ones the app's
 * working directory resolves (they differ when a project has its own copy beside a linked package).
 */
function installedCores(): readonly InstalledCore[] {
  if (installed) return installed;
  const found = new Map<string, InstalledCore>();
  for (const name of CORE_NAMES) {
    for (const paths of [undefined, [process.cwd()]]) {
      let location: string;
      try {
        location = require.resolve(name, paths ? { paths } : undefined);
      } catch {
        continue;
      }
      if (found.has(location)) continue;
      found.set(location, { name, file: location, location: path.dirname(location), get module() { return require(location) as CdkCore; } });
    }
  }
  installed = [...found.values()];
  return installed;
}

/** A core's main module in require.cache: `…/cdktf/lib/index.js` or `…/cdktn/lib/index.js` (npm, pnpm, a link). */
const CORE_ENTRY = /[\\/](cdktf|cdktn)[\\/]lib[\\/]index\.js$/;

/** The cores this process has loaded, found in require.cache (no module resolution: that costs a synth more). */
function loadedCores(): readonly InstalledCore[] {
  const found: InstalledCore[] = [];
  for (const file of Object.keys(require.cache)) {
    const name = file.endsWith('index.js') ? (CORE_ENTRY.exec(file)?.[1] as CdkCoreName | undefined) : undefined;
    if (!name) continue;
    const module = require.cache[file];
    const exports = module?.exports as Partial<CdkCore> | undefined;
    if (module?.loaded && typeof exports?.App === 'function' && typeof exports.Token === 'function') {
      found.push({ name, file, location: path.dirname(file), module: exports as CdkCore });
    }
  }
  return found;
}

let loaded: readonly InstalledCore[] = [];

/**
 * The cores worth asking: a copy the process never loaded cannot have built the tree, so only loaded ones are
 * checked (no cost, and a mixed install does not load the other core); if none is loaded (an app loaded by a
 * loader that bypasses require), every copy this package or the working directory resolves. The scan is kept:
 * token checks run for every policy of a stack. It is made again while nothing was found, and when a tree's core is
 * not among the ones found (a core loaded after the first scan).
 */
function candidateCores(rescan = false): readonly InstalledCore[] {
  if (rescan || loaded.length === 0) loaded = loadedCores();
  return loaded.length > 0 ? loaded : installedCores();
}

export class CdkCoreError extends Error {
  override readonly name = 'CdkCoreError';
}

const coreByRoot = new WeakMap<IConstruct, InstalledCore>();

/**
 * The core of the construct tree `scope` belongs to: the one whose `App` is the tree's root (or, for a tree whose
 * root is not an App, whose `TerraformStack` holds `scope`). Never a guess.
 */
export function coreOf(scope: IConstruct): CdkCore {
  return installedCoreOf(scope).module;
}

/**
 * Whether `value` is (or holds) an unresolved token of any core this process loaded: for checks made without a
 * scope (a literal required at synth), where the question is "could this be a token?".
 */
export function isUnresolvedToken(value: unknown): boolean {
  return candidateCores().some((core) => core.module.Token.isUnresolved(value));
}

/** Every cdktf/cdktn copy this process can reach (the default core for tests is the first cdktf). */
export function reachableCores(): readonly { readonly name: CdkCoreName; readonly module: CdkCore }[] {
  return installedCores();
}

/** Which core (`cdktf` or `cdktn`) the tree of `scope` uses. */
export function coreNameOf(scope: IConstruct): CdkCoreName {
  return installedCoreOf(scope).name;
}

function installedCoreOf(scope: IConstruct): InstalledCore {
  const root = scope.node.root;
  const known = coreByRoot.get(root);
  if (known) return known;
  const coresOfTree = (cores: readonly InstalledCore[]) => {
    const byApp = cores.filter((core) => root instanceof core.module.App);
    return byApp.length > 0 ? byApp : cores.filter((core) => scope.node.scopes.some((s) => s instanceof core.module.TerraformStack));
  };
  let cores = candidateCores();
  let matches = coresOfTree(cores);
  if (matches.length === 0) {
    cores = candidateCores(true);
    matches = coresOfTree(cores);
  }
  if (cores.length === 0) {
    throw new CdkCoreError('cdktf-access-advisor needs a CDK core: install cdktf or cdktn (npm install cdktf constructs)');
  }
  if (matches.length !== 1) {
    const seen = cores.map((core) => `${core.name} (${core.location})`).join(' and ');
    throw new CdkCoreError(
      `cdktf-access-advisor: cannot tell which CDK core the construct '${scope.node.path || '(root)'}' belongs to: ` +
        `its App is ${matches.length === 0 ? 'not an App of' : 'an App of more than one of'} ${seen}. ` +
        'Build the App and TerraformStack with the core this project installs (import them from "cdktf" or ' +
        'from "cdktn"), and keep one copy of it (npm ls cdktf cdktn).',
    );
  }
  coreByRoot.set(root, matches[0]);
  return matches[0];
}

// Types of the core classes, for this package's internal signatures (values come from coreOf(scope)).
export type App = Cdktf.App;
export type TerraformStack = Cdktf.TerraformStack;
export type TerraformElement = Cdktf.TerraformElement;
export type TerraformDataSource = Cdktf.TerraformDataSource;
export type TerraformProvider = Cdktf.TerraformProvider;
export type TerraformOutput = Cdktf.TerraformOutput;
export type TerraformAsset = Cdktf.TerraformAsset;

// Interfaces only.
export type {
  IAspect,
  IResolvable,
  IResolveContext,
  IAnyProducer,
  IStringProducer,
  IListProducer,
  INumberProducer,
  ITerraformDependable,
  TerraformResourceLifecycle,
  TerraformCondition,
  Precondition,
  Postcondition,
  TerraformMetaArguments,
  TerraformOutputConfig,
  TerraformAssetConfig,
  TerraformProviderConfig,
  TerraformElementMetadata,
  TerraformResourceConfig,
  AppConfig,
  TestingAppConfig,
} from 'cdktf';

// `constructs` is shared by both cores.
export { Construct } from 'constructs';
export type { IConstruct } from 'constructs';

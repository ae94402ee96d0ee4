// Organization-wide sweeps (issue 16): the layer above the engine (src/iam: listing accounts and principals, the
// reports) and the analysis (the decisions and the ratchet). Public surface, re-exported by src/index.ts.
//
// Loaded on first call, like the engine: the Organizations, STS and IAM clients come with it, and a cdktf app served
// from the cache needs none of them.
import type * as Run from './run-sweep';
import type * as Result from './result';
import type * as Principals from '../iam/principal-filter';

export type {
  SweepResult,
  SweepAccount,
  SweepPrincipal,
  SweepPrincipalKind,
  SweepService,
  SweepTrackedAction,
  SweepError,
  SweepTotals,
  SweepDrift,
  SweepDriftPrincipal,
  SweepRequestSummary,
  SweepCheckpoint,
  SweepPhase,
  SweepProgressEvent,
} from './types';
export type { SweepOptions } from './run-sweep';
export { SWEEP_SCHEMA_VERSION, SWEEP_PRINCIPAL_KINDS } from './types';

function run(): typeof Run {
  return require('./run-sweep') as typeof Run;
}
function result(): typeof Result {
  return require('./result') as typeof Result;
}

export const runSweep: typeof Run.runSweep = (...args) => run().runSweep(...args);
export const mergeSweepResults: typeof Result.mergeSweepResults = (...args) => result().mergeSweepResults(...args);
export const sweepDrift: typeof Result.sweepDrift = (...args) => result().sweepDrift(...args);
export const shardAccounts: typeof Result.shardAccounts = (...args) => result().shardAccounts(...args);
export const parseShard: typeof Result.parseShard = (...args) => result().parseShard(...args);
export const globToRegExp: typeof Principals.globToRegExp = (...args) =>
  (require('../iam/principal-filter') as typeof Principals).globToRegExp(...args);

// Organization-wide sweeps (issue 16): every principal of every account, one result, one ratchet.
export { runSweep, sweepRequestOf, DEFAULT_SWEEP_ROLE_NAME, DEFAULT_ACCOUNT_CONCURRENCY, type SweepOptions } from './sweep';
export {
  mergeSweepResults,
  parseShard,
  shardAccounts,
  sweepDrift,
  sweepTotals,
  sweepRequestKey,
  sweepFailedGate,
  sweepErrorExitCode,
  SweepMergeError,
} from './result';
export { SERVICE_LINKED_ROLE_PATH, globToRegExp } from './principals';
export * from './types';

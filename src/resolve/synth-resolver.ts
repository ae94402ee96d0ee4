import { readFileSync } from 'node:fs';
import type { AccessReport, ReportRequest } from '../model/report';
import { describeRequest } from '../model/report';
import {
  type CacheConnection,
  type CacheEntry,
  type CacheFile,
  cacheEntryProblem,
  entryAgeMs,
  readCacheFile,
  untrustedEntryFix,
  updateCacheFile,
} from './cache-file';
import { formatAge } from './duration';
import { containsSecret, safeMessage } from '../model/redact';
import type * as RunWorker from './run-worker';
import type { WorkerBatch, WorkerJob, WorkerOutcome, WorkerResponse } from './worker-protocol';

/** One report a synth needs. Several constructs asking the same thing share one lookup. */
export interface PendingLookup {
  readonly key: string;
  readonly cacheFile: string;
  readonly request: ReportRequest;
  readonly connection: CacheConnection;
  /** A cache entry older than this is refetched (or, with lookups off, used with a warning). */
  readonly maxAgeMs: number;
  readonly timeoutMs?: number;
}

export type LookupResult =
  /** Fresh from the cache, or just fetched: the report is current. */
  | { readonly status: 'hit' | 'fetched'; readonly report: AccessReport; readonly resolvedAt: string }
  /** Lookups are off and the entry is older than maxAge: served as stale evidence, with this warning. */
  | { readonly status: 'stale'; readonly report: AccessReport; readonly resolvedAt: string; readonly warning: string }
  /** Lookups are off and the cache has no entry. */
  | { readonly status: 'missing'; readonly message: string }
  /** The lookup ran and failed; `staleReport` is the older cache entry, if there is one. */
  | { readonly status: 'failed'; readonly message: string; readonly awsCode?: string; readonly stale?: CacheEntry };

export interface ResolveLookupsOptions {
  /** false = never call AWS: misses fail, stale entries are stale evidence (nothing flagged, decisions fail) (CI, offline). */
  readonly lookups: boolean;
  readonly now?: Date;
  readonly env?: NodeJS.ProcessEnv;
  /** Requests in flight per connection inside the worker; default all of them. */
  readonly concurrency?: number;
  /** Client-side rate limit of the worker's requests per connection; default: the engine's. */
  readonly requestsPerSecond?: number;
  /** The worker is killed after the longest request timeout plus this margin. */
  readonly workerGraceMs?: number;
}

export const DEFAULT_LOOKUP_TIMEOUT_MS = 600_000;

/** The hint every "missing" message ends with. */
export function fillCacheHint(cacheFile: string): string {
  return (
    `Fill ${cacheFile} where AWS credentials exist: run "cdktf synth" with lookups on (unset ACCESS_ADVISOR_LOOKUPS), ` +
    'or refresh existing entries with "access-advisor cache refresh", then commit the file'
  );
}

function unique(pending: readonly PendingLookup[]): PendingLookup[] {
  const byKey = new Map<string, PendingLookup>();
  for (const lookup of pending) {
    const id = `${lookup.cacheFile}\u0000${lookup.key}`;
    const seen = byKey.get(id);
    // The strictest freshness among the constructs asking wins.
    if (!seen || lookup.maxAgeMs < seen.maxAgeMs) byKey.set(id, lookup);
  }
  return [...byKey.values()];
}

/**
 * Resolve every pending lookup of a synth at once: cache hits directly, and all misses and stale entries together
 * in ONE worker run, then the new entries merged into their cache files. Results are keyed by cache file + key.
 * Throws CacheFileError when a cache file is corrupt or foreign (it is never overwritten).
 */
export function resolveLookups(
  pending: readonly PendingLookup[],
  options: ResolveLookupsOptions,
): Map<string, LookupResult> {
  const now = options.now ?? new Date();
  const results = new Map<string, LookupResult>();
  const cacheOf = cacheFileReader();
  const toFetch: LookupToFetch[] = [];
  for (const lookup of unique(pending)) {
    const entry = cacheOf(lookup.cacheFile).entries[lookup.key];
    const fromCache = answerFromCache(lookup, entry, now, options.lookups);
    if (fromCache) results.set(lookupId(lookup), fromCache);
    else toFetch.push({ lookup, stale: entry });
  }
  if (toFetch.length > 0) fetchIntoCache(toFetch, options, results);
  return results;
}

/**
 * Called as a lookup is registered, long before synth resolves it: when the lookup will need the worker (lookups on
 * and no entry under its key), the worker thread starts now, so that its start and its loading of the engine overlap
 * the rest of the app's construction. The lookup itself still waits for synth, in the one batch of all misses.
 * `cacheText` reads a cache file's text (once per file and app): a key not in it certainly misses; a key in it may
 * still be stale (then the worker starts at synth, as without this). A cache hit loads nothing.
 */
export function startWorkerIfMissing(lookup: PendingLookup, cacheText: (file: string) => string): boolean {
  if (cacheText(lookup.cacheFile).includes(JSON.stringify(lookup.key))) return false;
  (require('./run-worker') as typeof RunWorker).startWorkerEarly();
  return true;
}

/** A cache file's text, or '' when there is none (or it cannot be read: reading it at synth reports why). */
export function cacheFileText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A lookup the cache cannot answer, with the entry it would replace (if any). */
interface LookupToFetch {
  readonly lookup: PendingLookup;
  readonly stale?: CacheEntry;
}

/** Reads each cache file once per synth, however many lookups name it. */
function cacheFileReader(): (file: string) => CacheFile {
  const caches = new Map<string, CacheFile>();
  return (file) => {
    let cache = caches.get(file);
    if (!cache) {
      cache = readCacheFile(file);
      caches.set(file, cache);
    }
    return cache;
  };
}

/**
 * What the cache alone answers: a broken entry (failed), a fresh one (hit), or, with lookups off, a stale or missing
 * one. Undefined when the report must be fetched.
 */
function answerFromCache(lookup: PendingLookup, entry: CacheEntry | undefined, now: Date, lookups: boolean): LookupResult | undefined {
  const problem = entry ? cacheEntryProblem(lookup.key, entry) : undefined;
  if (problem) {
    // Never served, never refetched over silently: someone must look at a poisoned or broken entry.
    return {
      status: 'failed',
      message: `${lookup.cacheFile}: cache entry "${lookup.key}" cannot be trusted: ${problem}; ${untrustedEntryFix(lookup.cacheFile, lookup.key, entry)}`,
    };
  }
  const age = entry ? entryAgeMs(entry, now) : undefined;
  if (entry && age! <= lookup.maxAgeMs) return { status: 'hit', report: entry.report, resolvedAt: entry.resolvedAt };
  if (lookups) return undefined;
  if (!entry) return { status: 'missing', message: `no cache entry "${lookup.key}" in ${lookup.cacheFile}` };
  return {
    status: 'stale',
    report: entry.report,
    resolvedAt: entry.resolvedAt,
    warning:
      `cache entry "${lookup.key}" in ${lookup.cacheFile} is ${formatAge(age!)} old (maxAge ${formatAge(lookup.maxAgeMs)}) ` +
      `and lookups are off: it is stale evidence (nothing is flagged; a gate, tightening or SCP proposal on it fails). ` +
      `Refresh it with "access-advisor cache refresh '${lookup.key}'"`,
  };
}

/**
 * Fetches every lookup the cache could not answer in one worker run, records each result and writes the new entries
 * into their cache files. A worker that could not run fails every lookup with its message.
 */
function fetchIntoCache(toFetch: readonly LookupToFetch[], options: ResolveLookupsOptions, results: Map<string, LookupResult>): void {
  // The worker runner loads on a miss only.
  const { runWorkerSync, WorkerRunError, phaseMark } = require('./run-worker') as typeof RunWorker;
  let response: WorkerResponse;
  try {
    response = runWorkerSync(workerBatchOf(toFetch, options), { timeoutMs: workerTimeoutMs(toFetch, options), env: options.env });
  } catch (error) {
    if (!(error instanceof WorkerRunError)) throw error;
    for (const { lookup, stale } of toFetch) {
      results.set(lookupId(lookup), { status: 'failed', message: safeMessage(error.message), ...(stale ? { stale } : {}) });
    }
    return;
  }
  const resolvedAt = new Date().toISOString();
  const newEntries = new Map<string, Record<string, CacheEntry>>();
  response.outcomes.forEach((outcome, i) => {
    const { lookup, stale } = toFetch[i];
    const result = judgeFetched(lookup, stale, outcome, resolvedAt);
    results.set(lookupId(lookup), result);
    if (result.status === 'fetched') {
      const forFile = newEntries.get(lookup.cacheFile) ?? {};
      forFile[lookup.key] = { request: lookup.request, connection: lookup.connection, resolvedAt, report: result.report };
      newEntries.set(lookup.cacheFile, forFile);
    }
  });
  phaseMark('reports-validated');
  for (const [file, entries] of newEntries) {
    updateCacheFile(file, (current) => Object.assign(current, entries));
  }
  phaseMark('cache-written');
}

function workerBatchOf(toFetch: readonly LookupToFetch[], options: ResolveLookupsOptions): WorkerBatch {
  const jobs: WorkerJob[] = toFetch.map(({ lookup }) => ({
    key: lookupId(lookup),
    request: lookup.request,
    connection: lookup.connection,
    ...(lookup.timeoutMs !== undefined ? { timeoutMs: lookup.timeoutMs } : {}),
  }));
  return {
    protocol: 1,
    jobs,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.requestsPerSecond !== undefined ? { requestsPerSecond: options.requestsPerSecond } : {}),
  };
}

/** The worker is killed after the longest request timeout plus the grace. */
function workerTimeoutMs(toFetch: readonly LookupToFetch[], options: ResolveLookupsOptions): number {
  const longest = Math.max(...toFetch.map(({ lookup }) => lookup.timeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS));
  return longest + (options.workerGraceMs ?? 30_000);
}

/**
 * One worker outcome as a result. Belt and braces: only a report that is complete, of this request, and free of
 * credential material counts as fetched (and is stored).
 */
function judgeFetched(lookup: PendingLookup, stale: CacheEntry | undefined, outcome: WorkerOutcome, resolvedAt: string): LookupResult {
  if (!outcome.ok) {
    return {
      status: 'failed',
      message: safeMessage(`${describeRequest(lookup.request)}: ${outcome.error.message}`),
      ...(outcome.error.awsCode ? { awsCode: outcome.error.awsCode } : {}),
      ...(stale ? { stale } : {}),
    };
  }
  const entry: CacheEntry = { request: lookup.request, connection: lookup.connection, resolvedAt, report: outcome.report };
  const problem = cacheEntryProblem(lookup.key, entry) ?? (containsSecret(JSON.stringify(entry)) ? 'it contains credential material' : undefined);
  if (problem) {
    return { status: 'failed', message: `${describeRequest(lookup.request)}: the fetched report was not stored: ${problem}`, ...(stale ? { stale } : {}) };
  }
  return { status: 'fetched', report: outcome.report, resolvedAt };
}

/** The identity of a lookup across cache files. */
export function lookupId(lookup: Pick<PendingLookup, 'cacheFile' | 'key'>): string {
  return `${lookup.cacheFile}\u0000${lookup.key}`;
}

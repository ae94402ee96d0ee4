import { runReports, type RunReportsOptions } from '../iam/index';
import { describeRequest } from '../model/report';
import {
  type CacheEntry,
  CacheFileError,
  cacheEntryKeyProblem,
  cacheEntryProblem,
  endpointFromEnvironment,
  entryAgeMs,
  readCacheFile,
  untrustedEntryFix,
  updateCacheFile,
} from './cache-file';

/** The operations behind `access-advisor cache …`, kept apart from the command line so they can be tested. */

export interface CacheListing {
  readonly index: number;
  readonly key: string;
  readonly description: string;
  readonly resolvedAt: string;
  readonly ageMs: number;
  /** Why synth will refuse this entry, if it will (see cacheEntryProblem). */
  readonly problem?: string;
}

export function listCacheEntries(file: string, now: Date = new Date()): CacheListing[] {
  const entries = readCacheFile(file).entries;
  return Object.keys(entries)
    .sort()
    .map((key, i) => ({
      index: i + 1,
      key,
      description: describeRequest(entries[key].request),
      resolvedAt: entries[key].resolvedAt,
      ageMs: entryAgeMs(entries[key], now),
      ...optionalProblem(key, entries[key]),
    }));
}

function optionalProblem(key: string, entry: CacheEntry): { problem?: string } {
  const problem = cacheEntryProblem(key, entry);
  return problem ? { problem } : {};
}

/** A key as printed by `cache list`, or its 1-based index there. Errors name the key and the file. */
export function findCacheKey(file: string, keyOrIndex: string): string {
  const keys = Object.keys(readCacheFile(file).entries).sort();
  if (keys.includes(keyOrIndex)) return keyOrIndex;
  if (/^\d+$/.test(keyOrIndex)) {
    const index = Number(keyOrIndex);
    if (index >= 1 && index <= keys.length) return keys[index - 1];
  }
  throw new CacheFileError(
    file,
    `no cache entry ${JSON.stringify(keyOrIndex)}; ${keys.length === 0 ? 'the cache is empty' : `run "access-advisor cache list --file ${file}" for the ${keys.length} keys (or their numbers)`}`,
  );
}

export function resetCacheEntry(file: string, keyOrIndex: string): string {
  const key = findCacheKey(file, keyOrIndex);
  updateCacheFile(file, (entries) => {
    delete entries[key];
  });
  return key;
}

/** Removes every entry (the file stays, empty). Returns how many were removed. */
export function clearCache(file: string): number {
  let removed = 0;
  updateCacheFile(file, (entries) => {
    removed = Object.keys(entries).length;
    for (const key of Object.keys(entries)) delete entries[key];
  });
  return removed;
}

export interface RefreshOutcome {
  readonly key: string;
  readonly ok: boolean;
  readonly message?: string;
  readonly error?: unknown;
}

export type RefreshOptions = Pick<RunReportsOptions, 'timeoutMs' | 'signal' | 'onProgress' | 'concurrency' | 'credentials'> & {
  /** The environment the engine reads endpoints from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
};

/**
 * Re-run entries (all, or the given keys) with each entry's own connection, concurrently, and write every success
 * back; failures leave their old entry untouched.
 */
export async function refreshCacheEntries(
  file: string,
  keys: readonly string[] | undefined,
  options: RefreshOptions = {},
): Promise<RefreshOutcome[]> {
  const entries = readCacheFile(file).entries;
  const selected = keys ?? Object.keys(entries).sort();
  const groups = new Map<string, { key: string; entry: CacheEntry }[]>();
  const outcomes = new Map<string, RefreshOutcome>();
  for (const key of selected) {
    const entry = entries[key];
    if (!entry) throw new CacheFileError(file, `no cache entry ${JSON.stringify(key)}`);
    const problem = cacheEntryKeyProblem(key, entry);
    if (problem) {
      // Refreshing would fetch the entry's own request and store it under a key it does not belong to.
      outcomes.set(key, { key, ok: false, message: `not refreshed: the entry cannot be trusted: ${problem}; ${untrustedEntryFix(file, key)}` });
      continue;
    }
    const id = JSON.stringify(entry.connection ?? {});
    groups.set(id, [...(groups.get(id) ?? []), { key, entry }]);
  }
  const fresh: Record<string, CacheEntry> = {};
  const { env, ...runOptions } = options;
  const redirect = endpointFromEnvironment(env);
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const connection = group[0].entry.connection ?? {};
      if (connection.endpoint === undefined && redirect !== undefined) {
        // The entry came from AWS's own endpoint; the engine would now ask the environment's (e.g. an emulator)
        // and its answer would be stored under the AWS key: the cache poisoning the key's endpoint prevents.
        for (const { key } of group) {
          outcomes.set(key, {
            key,
            ok: false,
            message:
              `not refreshed: the entry was fetched from the default AWS endpoint, but the environment sends requests to ${redirect} ` +
              '(AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL); unset them to refresh it',
          });
        }
        return;
      }
      const results = await runReports(
        group.map((g) => g.entry.request),
        { ...connection, ...runOptions, concurrency: runOptions.concurrency ?? group.length },
      );
      const resolvedAt = new Date().toISOString();
      results.forEach((result, i) => {
        const { key, entry } = group[i];
        if (result.ok) {
          fresh[key] = { request: entry.request, connection, resolvedAt, report: result.report };
          outcomes.set(key, { key, ok: true });
        } else {
          outcomes.set(key, { key, ok: false, message: result.error.message, error: result.error });
        }
      });
    }),
  );
  if (Object.keys(fresh).length > 0) updateCacheFile(file, (current) => Object.assign(current, fresh));
  return selected.map((key) => outcomes.get(key)!);
}

import { writeFileSync } from 'node:fs';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { reportRequestKey } from '../../src/iam';
import type { ReportRequest } from '../../src/model/report';
import { cacheEntryKey, readCacheFile, serializeCacheFile, type CacheEntry } from '../../src/resolve/cache-file';
import { clearCache, findCacheKey, listCacheEntries, refreshCacheEntries, resetCacheEntry } from '../../src/resolve/cache-commands';
import { synthWorld, APP_ROLE, roleArn } from '../constructs/synth-world';
import { useEmulatorCredentials } from '../constructs/synth-emulator';
import { scratch } from '../constructs/synth-support';

let emulator: RunningEmulator;
let restoreEnv: () => void;
beforeAll(async () => {
  emulator = await startEmulator({ world: synthWorld() });
  restoreEnv = useEmulatorCredentials();
});
afterAll(async () => {
  restoreEnv();
  await emulator.close();
});

function seeded(arns: string[], resolvedAt: string, connection: { endpoint?: string } = { endpoint: emulator.endpoint }) {
  const { cacheFile } = scratch();
  const entries: Record<string, CacheEntry> = {};
  for (const arn of arns) {
    const request: ReportRequest = { kind: 'service-last-accessed', arn };
    entries[cacheEntryKey(reportRequestKey(request), connection)] = {
      request,
      connection,
      resolvedAt,
      report: { kind: 'service-last-accessed', arn, jobId: 'old-job', servicesLastAccessed: [] } as never,
    };
  }
  writeFileSync(cacheFile, serializeCacheFile({ schemaVersion: 1, entries }));
  return { cacheFile, keys: Object.keys(entries).sort() };
}

test('list shows every key numbered with its age; keys are found by name or number', () => {
  const { cacheFile, keys } = seeded([APP_ROLE, roleArn('batch-01')], new Date(Date.now() - 2 * 3_600_000).toISOString());
  const listing = listCacheEntries(cacheFile);
  expect(listing.map((l) => l.key)).toEqual(keys);
  expect(listing.map((l) => l.index)).toEqual([1, 2]);
  expect(listing[0].ageMs).toBeGreaterThanOrEqual(2 * 3_600_000);
  expect(listing[0].description).toMatch(/^service-last-accessed arn:aws:iam::/);
  expect(findCacheKey(cacheFile, '2')).toBe(keys[1]);
  expect(findCacheKey(cacheFile, keys[0])).toBe(keys[0]);
  expect(() => findCacheKey(cacheFile, 'nope')).toThrow(`no cache entry "nope"`);
  expect(() => findCacheKey(cacheFile, '3')).toThrow(/no cache entry "3".*cache list/);
});

test('reset removes one key, clear removes all', () => {
  const { cacheFile, keys } = seeded([APP_ROLE, roleArn('batch-01'), roleArn('batch-02')], new Date().toISOString());
  expect(resetCacheEntry(cacheFile, '1')).toBe(keys[0]);
  expect(Object.keys(readCacheFile(cacheFile).entries)).toEqual(keys.slice(1));
  expect(() => resetCacheEntry(cacheFile, keys[0])).toThrow(`no cache entry ${JSON.stringify(keys[0])}`);
  expect(clearCache(cacheFile)).toBe(2);
  expect(readCacheFile(cacheFile).entries).toEqual({});
});

test('refresh re-runs entries with their own connection; a failure keeps the old entry', async () => {
  const old = new Date(Date.now() - 5 * 86_400_000).toISOString();
  const { cacheFile, keys } = seeded([APP_ROLE, roleArn('no-such-role')], old);
  const outcomes = await refreshCacheEntries(cacheFile, undefined, { timeoutMs: 30_000 });
  const byKey = Object.fromEntries(outcomes.map((o) => [o.key, o]));
  const [appKey] = keys.filter((k) => k.includes('synth-app'));
  const [ghostKey] = keys.filter((k) => k.includes('no-such-role'));
  expect(byKey[appKey].ok).toBe(true);
  expect(byKey[ghostKey].ok).toBe(false);
  expect(byKey[ghostKey].message).toMatch(/NoSuchEntity/);
  const entries = readCacheFile(cacheFile).entries;
  expect(entries[appKey].report.jobId).not.toBe('old-job');
  expect(Date.parse(entries[appKey].resolvedAt)).toBeGreaterThan(Date.parse(old));
  expect(entries[ghostKey].resolvedAt).toBe(old);
  expect(emulator.metrics().jobsGenerated.service).toBeGreaterThanOrEqual(1);
});

test('refresh never sends an entry fetched from AWS to an endpoint the environment chooses', async () => {
  const old = new Date(Date.now() - 5 * 86_400_000).toISOString();
  const { cacheFile, keys } = seeded([APP_ROLE], old, {});
  emulator.resetMetrics();
  const [outcome] = await refreshCacheEntries(cacheFile, undefined, { timeoutMs: 30_000, env: { AWS_ENDPOINT_URL_IAM: emulator.endpoint } });
  expect(outcome).toMatchObject({ key: keys[0], ok: false });
  expect(outcome!.message).toContain(`the environment sends requests to ${emulator.endpoint}`);
  expect(readCacheFile(cacheFile).entries[keys[0]!]!.resolvedAt).toBe(old);
  expect(emulator.metrics().totalCalls).toBe(0);
});

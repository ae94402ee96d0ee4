/**
 * The committed cache is input like any other: an entry is served only if its report is its key's (request and
 * connection) and passes the report schema. Each bad case, table-driven: the synth lookup fails naming the file, the
 * key and the fix — it never serves the entry, never crashes with a TypeError.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportRequestKey } from '../../src/iam/validate';
import type { ReportRequest, ServiceLastAccessedReport } from '../../src/model/report';
import { CacheFileError, cacheConnectionOf, cacheEntryKey, readCacheFile, serializeCacheFile, type CacheEntry } from '../../src/resolve/cache-file';
import { resolveLookups, type PendingLookup } from '../../src/resolve/synth-resolver';

const ACCOUNT = '123456789012';
const arnOf = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const requestOf = (name: string): ReportRequest => ({ kind: 'service-last-accessed', arn: arnOf(name), granularity: 'SERVICE_LEVEL', withEntities: false });
const keyOf = (name: string) => cacheEntryKey(reportRequestKey(requestOf(name)), {});

function report(name: string, services = [{ serviceName: 'Amazon S3', serviceNamespace: 's3' }]): ServiceLastAccessedReport {
  return {
    schemaVersion: 1,
    kind: 'service-last-accessed',
    arn: arnOf(name),
    granularity: 'SERVICE_LEVEL',
    withEntities: false,
    jobId: 'a1b2c3d4-0000-4000-8000-00000000beef',
    jobStatus: 'COMPLETED',
    jobCreationDate: '2026-11-01T10:00:00.000Z',
    jobCompletionDate: '2026-11-01T10:00:05.000Z',
    servicesLastAccessed: services,
  };
}

function entryOf(name: string, patch: Partial<CacheEntry> = {}): CacheEntry {
  return { request: requestOf(name), connection: {}, resolvedAt: new Date().toISOString(), report: report(name), ...patch };
}

function lookup(cacheFile: string, name: string): PendingLookup {
  return { key: keyOf(name), cacheFile, request: requestOf(name), connection: {}, maxAgeMs: 86_400_000 };
}

function resolveFrom(entries: Record<string, unknown>, name = 'app-deployer') {
  const cacheFile = join(mkdtempSync(join(tmpdir(), 'aa-untrusted-')), 'access-advisor.context.json');
  writeFileSync(cacheFile, serializeCacheFile({ schemaVersion: 1, entries: entries as Record<string, CacheEntry> }));
  const results = resolveLookups([lookup(cacheFile, name)], { lookups: false });
  return { cacheFile, result: [...results.values()][0]! };
}

const BAD: [string, () => Record<string, unknown>, RegExp][] = [
  ["ops-admin's entry stored under app-deployer's key", () => ({ [keyOf('app-deployer')]: entryOf('ops-admin') }), /not its own .*cache reset/],
  ["app-deployer's request with ops-admin's report", () => ({ [keyOf('app-deployer')]: entryOf('app-deployer', { report: report('ops-admin') }) }), /report of service-last-accessed .*ops-admin/],
  [
    'a report without serviceNamespace (was: TypeError reading toLowerCase)',
    () => ({ [keyOf('app-deployer')]: entryOf('app-deployer', { report: report('app-deployer', [{ serviceName: 'Amazon S3' } as never]) }) }),
    /servicesLastAccessed\/0 must have required property 'serviceNamespace'.*cache refresh/,
  ],
  ['a report without jobCompletionDate', () => ({ [keyOf('app-deployer')]: entryOf('app-deployer', { report: { ...report('app-deployer'), jobCompletionDate: undefined } as never }) }), /required property 'jobCompletionDate'/],
  [
    'a report listing s3 twice',
    () => ({ [keyOf('app-deployer')]: entryOf('app-deployer', { report: report('app-deployer', [{ serviceName: 'S3', serviceNamespace: 's3' }, { serviceName: 'S3', serviceNamespace: 's3' }]) }) }),
    /"s3" appears twice/,
  ],
  [
    'a service row never used whose own entity list shows it used (the row would count s3 unused)',
    () => ({
      [keyOf('app-deployer')]: entryOf('app-deployer', {
        report: report('app-deployer', [
          {
            serviceName: 'Amazon S3',
            serviceNamespace: 's3',
            entities: [{ entityInfo: { arn: arnOf('app-deployer'), name: 'app-deployer', type: 'ROLE', id: 'AROAEXAMPLEEXAMPLE12' }, lastAuthenticated: '2026-10-30T10:00:00.000Z' }],
          },
        ] as never),
      }),
    }),
    /servicesLastAccessed\/0 has no lastAuthenticated but an entity of it used it/,
  ],
  ['an org report under a service key', () => ({ [keyOf('app-deployer')]: entryOf('app-deployer', { report: { kind: 'organizations-access' } as never }) }), /report/],
];

describe('untrusted cache entries (lookups off)', () => {
  it('the control: a sound entry is a hit', () => {
    const { result } = resolveFrom({ [keyOf('app-deployer')]: entryOf('app-deployer') });
    expect(result.status).toBe('hit');
  });

  it.each(BAD)('%s → failed naming the file, the key and the fix; nothing served', (_name, entries, message) => {
    let outcome: ReturnType<typeof resolveFrom> | undefined;
    let thrown: unknown;
    try {
      outcome = resolveFrom(entries());
    } catch (error) {
      thrown = error;
    }
    if (thrown) {
      // Entries broken beyond reading (another kind of report) are a CacheFileError naming file and entry.
      expect(thrown).toBeInstanceOf(CacheFileError);
      expect((thrown as Error).message).toContain(JSON.stringify(keyOf('app-deployer')));
      return;
    }
    const { cacheFile, result } = outcome!;
    expect(result.status).toBe('failed');
    const text = (result as { message: string }).message;
    expect(text).toContain(cacheFile);
    expect(text).toContain(keyOf('app-deployer'));
    expect(text).toContain('cannot be trusted');
    expect(text).toMatch(message);
    expect((result as { stale?: unknown }).stale).toBeUndefined();
  });

  it('resolvedAt in 2999 is refused (it would never go stale), naming file and entry', () => {
    const cacheFile = join(mkdtempSync(join(tmpdir(), 'aa-untrusted-')), 'access-advisor.context.json');
    writeFileSync(cacheFile, serializeCacheFile({ schemaVersion: 1, entries: { [keyOf('x-role')]: entryOf('x-role', { resolvedAt: '2999-01-01T00:00:00.000Z' }) } }));
    expect(() => readCacheFile(cacheFile)).toThrow(CacheFileError);
    expect(() => readCacheFile(cacheFile)).toThrow(/resolvedAt" "2999-01-01T00:00:00.000Z" is in the future/);
  });

  it('userinfo never reaches the committed key', () => {
    const connection = cacheConnectionOf({ endpoint: 'http://user:s3cr3t-pass@proxy.example:8080/' });
    expect(connection).toEqual({ endpoint: 'http://proxy.example:8080' });
    expect(cacheEntryKey('k', connection)).not.toContain('s3cr3t');
  });
});

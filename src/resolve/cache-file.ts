import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { AccessAdvisorError, type ErrorKind } from '../model/errors';
import { describeRequest, requestOf, type AccessReport, type ReportRequest } from '../model/report';
import { reportSchemaProblem } from '../iam/report-schema';
import { reportRequestKey } from '../iam/validate';

export const CACHE_FILE_NAME = 'access-advisor.context.json';
export const CACHE_SCHEMA_VERSION = 1;

/**
 * Who was asked: the parts of a connection that change the answer. Never credentials — the cache is committed.
 * The account is part of the request already (principal ARN / entity path).
 */
export interface CacheConnection {
  readonly endpoint?: string;
  readonly profile?: string;
  readonly roleArn?: string;
  readonly region?: string;
}

export interface CacheEntry {
  readonly request: ReportRequest;
  readonly connection: CacheConnection;
  /** ISO-8601: when the report was fetched; `maxAge` is measured from here. */
  readonly resolvedAt: string;
  readonly report: AccessReport;
}

export interface CacheFile {
  readonly schemaVersion: typeof CACHE_SCHEMA_VERSION;
  readonly entries: Record<string, CacheEntry>;
}

/** The cache file is unreadable, foreign or locked: never overwritten, always named with its path (and line). */
export class CacheFileError extends AccessAdvisorError {
  readonly kind: ErrorKind = 'input';
  constructor(
    readonly path: string,
    readonly detail: string,
    readonly line?: number,
  ) {
    super(`${path}${line !== undefined ? `:${line}` : ''}: ${detail}`);
  }
}

const CONNECTION_FIELDS = ['endpoint', 'profile', 'region', 'roleArn'] as const;

/**
 * Only the identity fields, with empty values dropped, so `{}` and `{ region: undefined }` key alike; the endpoint
 * normalized (`http://h:1/` and `http://h:1` are the same endpoint).
 */
export function cacheConnectionOf(connection: Partial<Record<(typeof CONNECTION_FIELDS)[number], unknown>>): CacheConnection {
  const result: Record<string, string> = {};
  for (const field of CONNECTION_FIELDS) {
    const value = connection[field];
    if (typeof value !== 'string') continue;
    const normalized = field === 'endpoint' ? normalizeEndpoint(value) : value;
    if (normalized !== '') result[field] = normalized;
  }
  return result;
}

/**
 * Trimmed, without trailing slashes and without userinfo: `http://user:password@host` keys as `http://host` — the
 * key is committed, a password in it would be too. (The engine still connects with the URL it was given.)
 */
export function normalizeEndpoint(endpoint: string): string {
  return stripUserinfo(endpoint.trim()).replace(/\/+$/, '');
}

export function stripUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
}

/**
 * The endpoint a connection without an explicit one is sent to, as the engine (the AWS SDK) picks it:
 * `AWS_ENDPOINT_URL_IAM`, else `AWS_ENDPOINT_URL`, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`.
 * (A profile's `endpoint_url` in the shared config file is not read here.)
 */
export function endpointFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim().toLowerCase() === 'true') return undefined;
  for (const name of ['AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL'] as const) {
    const value = normalizeEndpoint(env[name] ?? '');
    if (value !== '') return value;
  }
  return undefined;
}

/**
 * Who a lookup really asks: the connection with its effective endpoint (the explicit one, else the environment's),
 * so that a cache filled against a local emulator is never served as if it came from AWS. Never credentials.
 */
export function effectiveCacheConnection(connection: CacheConnection, env: NodeJS.ProcessEnv = process.env): CacheConnection {
  const explicit = cacheConnectionOf(connection);
  if (explicit.endpoint !== undefined) return explicit;
  const endpoint = endpointFromEnvironment(env);
  return endpoint === undefined ? explicit : { ...explicit, endpoint };
}

/**
 * The stable cache key: the engine's canonical request key, then the connection identity when it is not the
 * default one (`… @ endpoint=http://127.0.0.1:4566,profile=audit`).
 */
export function cacheEntryKey(requestKey: string, connection: CacheConnection): string {
  const parts = CONNECTION_FIELDS.filter((f) => connection[f] !== undefined).map((f) => `${f}=${connection[f]}`);
  return parts.length === 0 ? requestKey : `${requestKey} @ ${parts.join(',')}`;
}

export function emptyCacheFile(): CacheFile {
  return { schemaVersion: CACHE_SCHEMA_VERSION, entries: {} };
}

export function entryAgeMs(entry: CacheEntry, now: Date = new Date()): number {
  return now.getTime() - Date.parse(entry.resolvedAt);
}

// ---------------------------------------------------------------------------------------------------------------
// Locating

export interface LocateCacheFileOptions {
  /** A prop or context value naming the file: wins over everything. */
  readonly explicit?: string;
  /** App context `cdktfJsonPath` (set by the cdktf CLI and `Testing.app({fakeCdktfJsonPath})`). */
  readonly cdktfJsonPath?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * `explicit` > `ACCESS_ADVISOR_CACHE_FILE` > beside `cdktfJsonPath` > beside the first `cdktf.json` walking up from
 * the cwd > the cwd.
 */
export function locateCacheFile(options: LocateCacheFileOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  if (options.explicit) return resolvePath(cwd, options.explicit);
  if (env.ACCESS_ADVISOR_CACHE_FILE) return resolvePath(cwd, env.ACCESS_ADVISOR_CACHE_FILE);
  if (options.cdktfJsonPath) return join(dirname(resolvePath(cwd, options.cdktfJsonPath)), CACHE_FILE_NAME);
  for (let dir = resolvePath(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'cdktf.json'))) return join(dir, CACHE_FILE_NAME);
    if (dirname(dir) === dir) break;
  }
  return join(resolvePath(cwd), CACHE_FILE_NAME);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

function lineOf(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Where in the text the entry `key` starts, for errors about one entry. */
function lineOfKey(text: string, key: string): number | undefined {
  const at = text.indexOf(JSON.stringify(key));
  return at < 0 ? undefined : lineOf(text, at);
}

/** How far a resolvedAt may lie ahead of this clock (another machine's clock may run a little fast). */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Why an entry cannot be served, if it cannot: stored under a key that is not its own request + connection, a report
 * that fails the report schema, or a report of another request (e.g. another principal's). A poisoned or hand-edited
 * entry must never be taken for the key's evidence.
 */
export function cacheEntryProblem(key: string, entry: CacheEntry): string | undefined {
  const keyProblem = cacheEntryKeyProblem(key, entry);
  if (keyProblem) return keyProblem;
  const requestKey = reportRequestKey(entry.request);
  const schema = reportSchemaProblem(entry.report);
  if (schema) return `its report does not match the report schema: ${schema}`;
  let reportKey: string;
  try {
    reportKey = reportRequestKey(requestOf(entry.report));
  } catch (error) {
    return `its report names an invalid request (${(error as Error).message})`;
  }
  if (reportKey !== requestKey) return `its report is the report of ${describeRequest(requestOf(entry.report))}, not of ${describeRequest(entry.request)}`;
  return undefined;
}

/** Whether the entry's request and connection are the ones its key names (what `cache refresh` would fetch). */
export function cacheEntryKeyProblem(key: string, entry: CacheEntry): string | undefined {
  let requestKey: string;
  try {
    requestKey = reportRequestKey(entry.request);
  } catch (error) {
    return `its request is invalid (${(error as Error).message})`;
  }
  const expectedKey = cacheEntryKey(requestKey, cacheConnectionOf(entry.connection ?? {}));
  if (expectedKey !== key) return `it is stored under a key that is not its own (its request and connection key as ${JSON.stringify(expectedKey)})`;
  return undefined;
}

/** The fix for an entry that cannot be trusted, for messages. */
export function untrustedEntryFix(file: string, key: string, entry?: CacheEntry): string {
  if (entry && cacheEntryKeyProblem(key, entry) === undefined) {
    return `refetch it with "access-advisor cache refresh '${key}' --file ${file}" (or remove it with "access-advisor cache reset '${key}' --file ${file}")`;
  }
  return `remove it with "access-advisor cache reset '${key}' --file ${file}" (or empty the file with "access-advisor cache clear --file ${file}"), then "cdktf synth" with lookups on fetches it again`;
}

export function parseCacheFile(text: string, path: string): CacheFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const { jsonErrorPosition } = require('./json-error-position') as typeof import('./json-error-position');
    const position = jsonErrorPosition(text) ?? Number(/position (\d+)/.exec(message)?.[1] ?? text.length);
    const line = lineOf(text, position);
    throw new CacheFileError(path, `not valid JSON (${message}); fix or delete the file`, line);
  }
  const foreign = (why: string): never => {
    throw new CacheFileError(
      path,
      `not an access-advisor cache file (${why}); expected {"schemaVersion": ${CACHE_SCHEMA_VERSION}, "entries": {…}}. ` +
        'Move it away or choose another file with ACCESS_ADVISOR_CACHE_FILE',
      1,
    );
  };
  if (!isObject(data)) return foreign('the top level is not an object');
  if (data.schemaVersion !== CACHE_SCHEMA_VERSION) {
    return foreign(`schemaVersion is ${JSON.stringify(data.schemaVersion)}`);
  }
  if (!isObject(data.entries)) return foreign('"entries" is not an object');
  for (const [key, entry] of Object.entries(data.entries)) {
    const bad = (why: string): never => {
      throw new CacheFileError(path, `entry ${JSON.stringify(key)}: ${why}`, lineOfKey(text, key));
    };
    if (!isObject(entry)) bad('is not an object');
    const e = entry as Record<string, unknown>;
    if (!isObject(e.request) || typeof e.request.kind !== 'string') bad('"request" must be an object with a "kind"');
    if (typeof e.resolvedAt !== 'string' || Number.isNaN(Date.parse(e.resolvedAt))) {
      bad(`"resolvedAt" must be an ISO-8601 date, got ${JSON.stringify(e.resolvedAt)}`);
    }
    if (Date.parse(e.resolvedAt as string) > Date.now() + CLOCK_SKEW_MS) {
      // An entry "fetched in the future" would never go stale: it is a hand edit or a broken clock.
      bad(`"resolvedAt" ${JSON.stringify(e.resolvedAt)} is in the future; remove the entry with "access-advisor cache reset '${key}'"`);
    }
    if (!isObject(e.report) || e.report.kind !== (e.request as Record<string, unknown>).kind) {
      bad('"report" must be an object of the same kind as the request');
    }
    if (e.connection !== undefined && !isObject(e.connection)) bad('"connection" must be an object');
  }
  return data as unknown as CacheFile;
}

/** A missing file is an empty cache; anything unreadable is a CacheFileError. */
export function readCacheFile(path: string): CacheFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyCacheFile();
    throw new CacheFileError(path, `cannot be read: ${(error as Error).message}`);
  }
  return parseCacheFile(text, path);
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (isObject(value)) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (value[key] !== undefined) sorted[key] = sortDeep(value[key]);
    }
    return sorted;
  }
  return value;
}

/** Sorted keys at every level, two-space indent, trailing newline: diffs of the committed file stay small. */
export function serializeCacheFile(file: CacheFile): string {
  return `${JSON.stringify(sortDeep(file), null, 2)}\n`;
}

/**
 * Change the file safely against concurrent synths: under a lock, re-read the current file (so entries another
 * process wrote meanwhile survive), apply `mutate`, write atomically. A corrupt file throws and is left alone.
 */
export function updateCacheFile(path: string, mutate: (entries: Record<string, CacheEntry>) => void): CacheFile {
  // Loaded here: a synth served from the cache only reads it.
  const { withFileLockSync } = require('./file-lock') as typeof import('./file-lock');
  const { writeFileAtomicSync } = require('./atomic-write') as typeof import('./atomic-write');
  return withFileLockSync(`${path}.lock`, () => {
    const current = readCacheFile(path);
    const entries = { ...current.entries };
    mutate(entries);
    const next: CacheFile = { schemaVersion: CACHE_SCHEMA_VERSION, entries };
    writeFileAtomicSync(path, serializeCacheFile(next));
    return next;
  });
}

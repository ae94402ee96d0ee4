import {
  type LookupResult,
  type PendingLookup,
  cacheFileText,
  fillCacheHint,
  lookupId,
  resolveLookups,
  startWorkerIfMissing,
} from '../resolve/synth-resolver';
import type { IConstruct } from 'constructs';
import { coreOf, type IAspect } from './cdk-core';

/** A construct's side of one lookup: what it needs, and what to do with the answer. */
export interface LookupClient {
  readonly lookup: PendingLookup;
  settle(result: LookupResult): void;
}

/** Env `ACCESS_ADVISOR_LOOKUPS=off` (or app context `accessAdvisor:lookups: "off"`) forbids calling AWS. */
export function lookupsEnabled(scope: IConstruct, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const off = (value: unknown): boolean =>
    value === false || (typeof value === 'string' && ['off', 'false', '0', 'no'].includes(value.toLowerCase()));
  return !off(env.ACCESS_ADVISOR_LOOKUPS) && !off(scope.node.tryGetContext('accessAdvisor:lookups'));
}

/**
 * The lookups of one app. Report constructs register here while the app is built; the first aspect that runs at
 * synth (or the first read of a `report`) resolves everything registered so far in one batch — one worker process
 * for all misses — and hands each construct its result.
 */
export class SynthLookups {
  private static readonly byRoot = new WeakMap<IConstruct, SynthLookups>();

  static of(scope: IConstruct): SynthLookups {
    const root = scope.node.root;
    let lookups = SynthLookups.byRoot.get(root);
    if (!lookups) {
      lookups = new SynthLookups(root);
      SynthLookups.byRoot.set(root, lookups);
    }
    return lookups;
  }

  private pending: LookupClient[] = [];
  private readonly aspect: IAspect;

  private constructor(private readonly root: IConstruct) {
    this.aspect = { visit: () => this.resolvePending() };
  }

  /** Queue a lookup; `owner` gets an aspect so synth resolves the queue before annotations are collected. */
  register(owner: IConstruct, client: LookupClient): void {
    this.pending.push(client);
    coreOf(owner).Aspects.of(owner).add(this.aspect);
    this.startWorkerEarly(client.lookup);
  }

  private workerStarting = false;
  private readonly cacheTexts = new Map<string, string>();

  /** The first lookup that will need the worker starts it (synth-resolver.ts startWorkerIfMissing). */
  private startWorkerEarly(lookup: PendingLookup): void {
    if (this.workerStarting || !lookupsEnabled(this.root)) return;
    this.workerStarting = startWorkerIfMissing(lookup, (file) => {
      let text = this.cacheTexts.get(file);
      if (text === undefined) {
        text = cacheFileText(file);
        this.cacheTexts.set(file, text);
      }
      return text;
    });
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Resolve every queued lookup now (one batch). Throws CacheFileError for a corrupt or foreign cache file. */
  resolvePending(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    // Lookups registered after this batch (read early by `.report`) may start a worker for the next one.
    this.workerStarting = false;
    this.cacheTexts.clear();
    const lookups = lookupsEnabled(this.root);
    const results = resolveLookups(
      batch.map((client) => client.lookup),
      { lookups, ...tuningFromEnv() },
    );
    const missing = new Map<string, string[]>();
    for (const client of batch) {
      const result = results.get(lookupId(client.lookup))!;
      if (result.status === 'missing') {
        const keys = missing.get(client.lookup.cacheFile) ?? [];
        if (!keys.includes(client.lookup.key)) keys.push(client.lookup.key);
        missing.set(client.lookup.cacheFile, keys);
      }
    }
    for (const client of batch) {
      const result = results.get(lookupId(client.lookup))!;
      if (result.status === 'missing') {
        const file = client.lookup.cacheFile;
        client.settle({
          status: 'missing',
          message:
            `access-advisor lookups are off (ACCESS_ADVISOR_LOOKUPS=off) and ${file} has no entry "${client.lookup.key}". ` +
            `Missing keys: ${missing.get(file)!.map((k) => `'${k}'`).join(', ')}. ${fillCacheHint(file)}`,
        });
      } else {
        client.settle(result);
      }
    }
  }
}

/** `ACCESS_ADVISOR_CONCURRENCY` (requests in flight) and `ACCESS_ADVISOR_REQUESTS_PER_SECOND` (client-side rate). */
function tuningFromEnv(): { concurrency?: number; requestsPerSecond?: number } {
  const read = (name: string, integer: boolean): number | undefined => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      throw new Error(`${name}: ${JSON.stringify(raw)} is not allowed; expected ${integer ? 'an integer >= 1' : 'a number > 0'}`);
    }
    return value;
  };
  const concurrency = read('ACCESS_ADVISOR_CONCURRENCY', true);
  const requestsPerSecond = read('ACCESS_ADVISOR_REQUESTS_PER_SECOND', false);
  return {
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(requestsPerSecond !== undefined ? { requestsPerSecond } : {}),
  };
}

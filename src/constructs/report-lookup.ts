import type { AccessReport, ReportRequest } from '../model/report';
import { reportRequestKey } from '../iam/validate';
import { cacheEntryKey, effectiveCacheConnection } from '../resolve/cache-file';
import type { LookupResult, PendingLookup } from '../resolve/synth-resolver';
import type { Construct } from 'constructs';
import { coreOf } from './cdk-core';
import type { IResolvable } from './core-types';
import type { ResolvedReportOptions } from './report-props';
import { SynthLookups } from './synth-lookups';
import { safeMessage } from '../model/redact';

/** Raised when code reads `report` of a lookup that failed with onError 'fail' (or is missing with lookups off). */
export class ReportLookupError extends Error {}

/**
 * One construct's synth-time report: registered for the app-wide batch, settled by it, and turned into lazy
 * values so that reading outputs while building the stack does not force a lookup per construct.
 */
export class SynthReportLookup<R extends AccessReport> {
  readonly key: string;
  private result?: LookupResult;

  constructor(
    private readonly owner: Construct,
    readonly request: ReportRequest,
    private readonly options: ResolvedReportOptions,
  ) {
    // The key names the endpoint the worker will really ask, also when only the environment chooses it.
    const connection = effectiveCacheConnection(options.connection);
    this.key = cacheEntryKey(reportRequestKey(request), connection);
    const lookup: PendingLookup = {
      key: this.key,
      cacheFile: options.cacheFile,
      request,
      connection,
      maxAgeMs: options.maxAgeMs,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    };
    SynthLookups.of(owner).register(owner, { lookup, settle: (result) => this.settle(result) });
  }

  /** How the lookup ended; resolves the app's pending batch first if needed. */
  get status(): LookupResult['status'] {
    return this.settled().status;
  }

  /** The report, or undefined when the lookup failed with onError 'warn' and no older entry exists. */
  get report(): R | undefined {
    const result = this.settled();
    switch (result.status) {
      case 'hit':
      case 'fetched':
      case 'stale':
        return result.report as R;
      case 'failed':
        if (this.options.onError === 'warn') return result.stale?.report as R | undefined;
        throw new ReportLookupError(this.failureMessage(result.message));
      case 'missing':
        throw new ReportLookupError(this.failureMessage(result.message));
    }
  }

  /** The cache file this lookup reads and fills. */
  get cacheFile(): string {
    return this.options.cacheFile;
  }

  /**
   * Why the report this lookup serves is stale by its source, or undefined: lookups off and the entry older than its
   * maxAge, or a failed refresh falling back (onError 'warn') to the older entry.
   */
  get staleReason(): string | undefined {
    const result = this.settled();
    if (result.status === 'stale') return `cache entry "${this.key}" in ${this.options.cacheFile} was fetched ${result.resolvedAt}, longer ago than its maxAge, and lookups are off`;
    if (result.status === 'failed' && this.options.onError === 'warn' && result.stale) {
      return `the refresh of cache entry "${this.key}" in ${this.options.cacheFile} failed and its older report (fetched ${result.stale.resolvedAt}, longer ago than its maxAge) stands in`;
    }
    return undefined;
  }

  /** How to make this lookup's evidence fresh: names the cache entry and the command. */
  refreshHint(): string {
    return (
      `refresh cache entry "${this.key}" in ${this.options.cacheFile} with "access-advisor cache refresh '${this.key}' --file ${this.options.cacheFile}" ` +
      'where AWS credentials exist (or run "cdktf synth" with lookups on), then commit the file'
    );
  }

  /** The report for lazy values: failures were already annotated, so they render as the empty fallback. */
  private reportOrUndefined(): R | undefined {
    try {
      return this.report;
    } catch (error) {
      if (error instanceof ReportLookupError) return undefined;
      throw error;
    }
  }

  lazyList(produce: (report: R) => readonly string[]): string[] {
    return coreOf(this.owner).Lazy.listValue({ produce: () => { const r = this.reportOrUndefined(); return r ? [...produce(r)] : []; } });
  }

  lazyString(produce: (report: R) => string, fallback = ''): string {
    return coreOf(this.owner).Lazy.stringValue({ produce: () => { const r = this.reportOrUndefined(); return r ? produce(r) : fallback; } });
  }

  lazyNumber(produce: (report: R) => number, fallback = 0): number {
    return coreOf(this.owner).Lazy.numberValue({ produce: () => { const r = this.reportOrUndefined(); return r ? produce(r) : fallback; } });
  }

  lazyAny(produce: (report: R) => unknown, fallback: unknown): IResolvable {
    return coreOf(this.owner).Lazy.anyValue({ produce: () => { const r = this.reportOrUndefined(); return r ? produce(r) : fallback; } });
  }

  private settled(): LookupResult {
    if (!this.result) SynthLookups.of(this.owner).resolvePending();
    return this.result!;
  }

  /** Annotations end up in the manifest (cdktf.out): redacted and on one line like every message leaving us. */
  private failureMessage(message: string): string {
    return safeMessage(`${this.owner.node.path}: ${message}`);
  }

  private settle(result: LookupResult): void {
    this.result = result;
    const annotations = coreOf(this.owner).Annotations.of(this.owner);
    switch (result.status) {
      case 'stale':
        annotations.addWarning(safeMessage(result.warning));
        break;
      case 'missing':
        annotations.addError(this.failureMessage(result.message));
        break;
      case 'failed': {
        const message = this.failureMessage(`access advisor lookup failed: ${result.message}`);
        if (this.options.onError === 'warn') {
          annotations.addWarning(
            safeMessage(`${message} (onError: 'warn': ${result.stale ? `using the older cache entry from ${result.stale.resolvedAt}` : 'the report outputs are empty'})`),
          );
        } else {
          annotations.addError(message);
        }
        break;
      }
      default:
        break;
    }
  }
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportRequestKey } from '../../src/iam/index';
import type { ReportRequest, ServiceLastAccessedReport as ReportModel } from '../../src/model/report';
import { App, Testing, TerraformStack, type Construct } from '../default-core';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { cacheEntryKey, serializeCacheFile } from '../../src/resolve/cache-file';

/**
 * Construct tests feed the synth engineer's report construct from a committed-cache fixture: the entry is fresh, so
 * the construct reads it without any lookup (and lookups are switched off to prove it).
 */
export function stackWithCachedReports(reports: readonly ReportModel[]): { app: App; stack: TerraformStack; dir: string; cacheFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aa-decisions-'));
  const cacheFile = join(dir, 'access-advisor.context.json');
  const entries: Record<string, unknown> = {};
  for (const original of reports) {
    const report = asOfToday(original);
    const request: ReportRequest = { kind: 'service-last-accessed', arn: report.arn, granularity: report.granularity, withEntities: report.withEntities };
    entries[cacheEntryKey(reportRequestKey(request), {})] = { request, connection: {}, resolvedAt: new Date().toISOString(), report };
  }
  writeFileSync(cacheFile, serializeCacheFile({ schemaVersion: 1, entries } as never));
  const app = Testing.app({ context: { 'accessAdvisor:cacheFile': cacheFile, 'accessAdvisor:lookups': 'off', cdktfJsonPath: join(dir, 'cdktf.json') } });
  const stack = new TerraformStack(app, 'stack');
  return { app, stack, dir, cacheFile };
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * The fixture moved in time so that its job completed a day before the real clock, every date keeping its distance:
 * a synth measures the report's age at the real clock, and the fixtures' fixed dates would be months old.
 */
export function asOfToday<T>(report: T): T {
  const completed = Date.parse((report as { jobCompletionDate: string }).jobCompletionDate);
  const shift = Date.now() - 86_400_000 - completed;
  const move = (value: unknown): unknown => {
    if (typeof value === 'string' && ISO.test(value)) return new Date(Date.parse(value) + shift).toISOString();
    if (Array.isArray(value)) return value.map(move);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, move(v)]));
    return value;
  };
  return move(report) as T;
}

export function cachedReport(scope: Construct, id: string, model: ReportModel): ServiceLastAccessedReport {
  return new ServiceLastAccessedReport(scope, id, { arn: model.arn, granularity: model.granularity });
}

/** Annotations of a construct subtree: [level, message] from the construct metadata (Testing.synth ignores them). */
export function annotationsOf(scope: Construct): { level: string; message: string }[] {
  return scope.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type.startsWith('@cdktf/'))
    .map((m) => ({ level: m.type.replace('@cdktf/', ''), message: String(m.data) }));
}

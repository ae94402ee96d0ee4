/**
 * Tightening benchmark: an AdministratorAccess-sized (`*`) and a ReadOnlyAccess-sized policy against a synthetic
 * 400-service ACTION_LEVEL report. Catalog load time is measured separately from the per-policy time.
 * Goal (issue 26): ≤ 25 ms per AdministratorAccess-sized tightening once the catalog is loaded, exact Deny form and
 * its proof included.
 *
 * Standalone: `npx ts-node --transpile-only bench/tighten.ts [runs]` (prints JSON; wall and CPU time per tightening).
 */
import { performance } from 'node:perf_hooks';
import { summarize } from './suite/stats';
import { tightenPolicy } from '../src/analysis/index';
import type { PolicyDocument } from '../src/analysis/types';
import { loadActionCatalog, type ActionCatalog } from '../src/model/action-catalog';
import type { ServiceLastAccessed, ServiceLastAccessedReport } from '../src/model/report';

export interface TightenBenchCase {
  readonly name: string;
  readonly statements: number;
  readonly inputActions: number;
  readonly outputActions: number;
  readonly removedActions: number;
  /** Of them, removed by the Deny statements of the exact form (within a kept wildcard). */
  readonly deniedActions: number;
  /** Managed policy documents of the result (each within IAM's 6,144 characters) and their characters in all. */
  readonly documents: number;
  readonly characters: number;
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Process CPU (user + system) per tightening: steadier than wall time on a shared machine. */
  readonly cpuMedianMs: number;
  readonly cpuMinMs: number;
  readonly cpuMaxMs: number;
  readonly proofHolds: boolean;
}

export interface TightenBenchResult {
  readonly catalogVersion: string;
  readonly catalogServices: number;
  /** Loading the catalog and expanding every action once (the cost a first synth pays). */
  readonly catalogLoadMs: number;
  readonly reportServices: number;
  readonly reportTrackedActions: number;
  readonly cases: readonly TightenBenchCase[];
  readonly goalMs: number;
  readonly adminWithinGoal: boolean;
}

const NOW = '2026-06-01T00:00:00.000Z';
const RECENT = '2026-05-25T00:00:00.000Z';
const OLD = '2025-09-01T00:00:00.000Z';
const GOAL_MS = 25;

/** 400 services; every 8th used; the first 120 services carry action-level data (half their first 24 actions used). */
export function syntheticReport(catalog: ActionCatalog, serviceCount = 400): ServiceLastAccessedReport {
  const services = catalog.services().slice(0, serviceCount);
  const servicesLastAccessed: ServiceLastAccessed[] = services.map((ns, i) => {
    const used = i % 8 === 0;
    const trackedActions = i < 120 ? catalog.actions(ns).slice(0, 24) : undefined;
    return {
      serviceName: catalog.serviceName(ns),
      serviceNamespace: ns,
      ...(used ? { lastAuthenticated: RECENT } : i % 3 === 0 ? { lastAuthenticated: OLD } : {}),
      totalAuthenticatedEntities: used ? 1 : 0,
      ...(trackedActions
        ? {
            trackedActionsLastAccessed: trackedActions.map((a, j) => ({
              actionName: a,
              ...(used && j % 2 === 0 ? { lastAccessedTime: RECENT } : {}),
            })),
          }
        : {}),
    };
  });
  return {
    schemaVersion: 1,
    kind: 'service-last-accessed',
    arn: 'arn:aws:iam::123456789012:role/bench',
    granularity: 'ACTION_LEVEL',
    withEntities: false,
    jobId: 'benchjob-0000-0000-0000-000000000000',
    jobStatus: 'COMPLETED',
    jobCreationDate: '2026-05-31T23:59:00.000Z',
    jobCompletionDate: '2026-05-31T23:59:30.000Z',
    principalCreateDate: '2024-01-01T00:00:00.000Z',
    servicesLastAccessed,
  };
}

export function administratorAccess(): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
}

/** ReadOnlyAccess-like: Describe*, Get*, List* over ~200 services (every other catalog service). */
export function readOnlyAccess(catalog: ActionCatalog): PolicyDocument {
  const services = catalog.services().filter((_, i) => i % 2 === 0).slice(0, 200);
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'ReadOnly', Effect: 'Allow', Action: services.flatMap((s) => [`${s}:Describe*`, `${s}:Get*`, `${s}:List*`]), Resource: '*' }],
  };
}

/** `svc:*` for every used service of the report: the exact form keeps each and denies its unused tracked actions. */
export function usedServiceWildcards(report: ServiceLastAccessedReport): PolicyDocument {
  const used = report.servicesLastAccessed.filter((s) => s.lastAuthenticated === RECENT).map((s) => `${s.serviceNamespace}:*`);
  return { Version: '2012-10-17', Statement: [{ Sid: 'Used', Effect: 'Allow', Action: used, Resource: '*' }] };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export async function runTightenBench(options: { runs?: number } = {}): Promise<TightenBenchResult> {
  const runs = Math.max(5, options.runs ?? 7);
  const loadStart = performance.now();
  const catalog = loadActionCatalog();
  catalog.expand('*');
  const catalogLoadMs = performance.now() - loadStart;

  const report = syntheticReport(catalog);
  const policies: [string, PolicyDocument][] = [
    ['AdministratorAccess-sized (*)', administratorAccess()],
    ['ReadOnlyAccess-sized (Describe*/Get*/List* x 200 services)', readOnlyAccess(catalog)],
    ['used-service wildcards at ACTION_LEVEL (svc:* of the 15 used services, unused tracked actions denied)', usedServiceWildcards(report)],
  ];
  const cases: TightenBenchCase[] = [];
  for (const [name, policy] of policies) {
    tightenPolicy(policy, report, { catalog, now: NOW }); // warm-up (JIT), not counted
    const times: number[] = [];
    const cpu: number[] = [];
    let last: ReturnType<typeof tightenPolicy> | undefined;
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      last = tightenPolicy(policy, report, { catalog, now: NOW });
      const used = process.cpuUsage(cpuStart);
      times.push(performance.now() - start);
      cpu.push((used.user + used.system) / 1000);
    }
    const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
    const outStatements = last!.policy.Statement as readonly { Action?: string | readonly string[] }[];
    cases.push({
      name,
      statements: statements.length,
      inputActions: statements.reduce((n, s) => n + [s.Action ?? []].flat().length, 0),
      outputActions: outStatements.reduce((n, s) => n + [s.Action ?? []].flat().length, 0),
      removedActions: last!.removedActions.length,
      deniedActions: last!.deniedActions.length,
      documents: last!.documents.length,
      characters: last!.characters,
      runs,
      medianMs: round(summarize(times).median),
      minMs: round(Math.min(...times)),
      maxMs: round(Math.max(...times)),
      cpuMedianMs: round(summarize(cpu).median),
      cpuMinMs: round(Math.min(...cpu)),
      cpuMaxMs: round(Math.max(...cpu)),
      proofHolds: last!.proof.holds,
    });
  }
  const trackedActions = report.servicesLastAccessed.reduce((n, s) => n + (s.trackedActionsLastAccessed?.length ?? 0), 0);
  return {
    catalogVersion: catalog.version,
    catalogServices: catalog.services().length,
    catalogLoadMs: round(catalogLoadMs),
    reportServices: report.servicesLastAccessed.length,
    reportTrackedActions: trackedActions,
    cases,
    goalMs: GOAL_MS,
    adminWithinGoal: cases[0]!.medianMs <= GOAL_MS,
  };
}

if (require.main === module) {
  runTightenBench({ runs: Number(process.argv[2] ?? 7) }).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

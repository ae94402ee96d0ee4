/**
 * The engine against a hostile IAM endpoint: every answer that is not a complete report (junk or unfinished later
 * pages, a missing list, repeating or cycling Markers, duplicates, nameless services, another job's page) is an
 * IncompleteResponseError naming the job and the page — never a shorter report, and never a wait for the timeout.
 */
import { IncompleteResponseError, runOrganizationsAccessReport, runServiceLastAccessedReport, type ReportOptions } from '../../src';
import { ENTITY_PATH, HOSTILE_MODES, JOB_ID, POLICY_ARN, ROLE_ARN, startHostileServer, type HostileMode } from './hostile-server';

const TIMEOUT_MS = 20_000;

function options(endpoint: string): ReportOptions {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    timeoutMs: TIMEOUT_MS,
    maxAttempts: 1,
    pollSchedule: { firstDelayMs: 5, maxDelayMs: 10 },
    readPrincipalCreateDate: false,
  };
}

type Run = (endpoint: string) => Promise<unknown>;
const RUNS: Record<string, Run> = {
  'service report': (e) => runServiceLastAccessedReport({ arn: ROLE_ARN }, options(e)),
  'organizations report': (e) => runOrganizationsAccessReport({ entityPath: ENTITY_PATH }, options(e)),
};

async function outcome(mode: HostileMode, run: Run, target: 'all' | 'entities' = 'all') {
  const server = await startHostileServer(mode, target);
  const started = Date.now();
  try {
    const report = await run(server.endpoint);
    return { report, ms: Date.now() - started, calls: server.calls };
  } catch (error) {
    return { error, ms: Date.now() - started, calls: server.calls };
  } finally {
    await server.close();
  }
}

describe.each(Object.entries(RUNS))('%s', (_name, run) => {
  it('a sound two-page answer is read completely (the control: the server can be answered)', async () => {
    const r = await outcome('complete', run);
    expect(r.error).toBeUndefined();
    const report = r.report as { servicesLastAccessed?: unknown[]; accessDetails?: unknown[] };
    expect((report.servicesLastAccessed ?? report.accessDetails)!).toHaveLength(3);
  });

  it.each(HOSTILE_MODES)('%s → IncompleteResponseError (exit 3) naming job and page, within seconds', async (mode) => {
    const r = await outcome(mode, run);
    expect(r.report).toBeUndefined();
    expect(r.error).toBeInstanceOf(IncompleteResponseError);
    const error = r.error as IncompleteResponseError;
    expect(error.kind).toBe('evidence');
    expect(error.jobId).toBe(JOB_ID);
    expect(error.message).toContain(`job ${JOB_ID}, page ${error.page}`);
    expect(error.message).not.toContain('\n');
    expect(r.ms).toBeLessThan(TIMEOUT_MS / 4);
    // Bounded: a repeating Marker costs one extra request, not thousands until the timeout.
    const gets = [...r.calls].filter(([action]) => action.startsWith('Get')).reduce((n, [, c]) => n + c, 0);
    expect(gets).toBeLessThanOrEqual(3);
  });
});

describe('GetServiceLastAccessedDetailsWithEntities pages', () => {
  const run: Run = (e) => runServiceLastAccessedReport({ arn: POLICY_ARN, withEntities: true }, options(e));

  it('sound entity pages: three entities per service', async () => {
    const r = await outcome('complete', run, 'entities');
    expect(r.error).toBeUndefined();
    const report = r.report as { servicesLastAccessed: { entities: unknown[] }[] };
    expect(report.servicesLastAccessed.map((s) => s.entities.length)).toEqual([3, 3, 3]);
  });

  it.each(HOSTILE_MODES.filter((m) => m !== 'missing-namespace'))('%s on the entity pages → IncompleteResponseError', async (mode) => {
    const r = await outcome(mode, run, 'entities');
    expect(r.error).toBeInstanceOf(IncompleteResponseError);
    expect((r.error as IncompleteResponseError).operation).toBe('GetServiceLastAccessedDetailsWithEntities');
    expect(r.ms).toBeLessThan(TIMEOUT_MS / 4);
  });
});

it('a legitimately empty list (a principal without permissions) is a complete, empty report', async () => {
  const r = await outcome('empty-list', RUNS['service report']!);
  expect(r.error).toBeUndefined();
  expect((r.report as { servicesLastAccessed: unknown[] }).servicesLastAccessed).toEqual([]);
});

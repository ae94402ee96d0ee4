import * as path from 'path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { openReportRunner, runReports } from '../../src/iam';
import type { ReportRequest } from '../../src/model/report';
import { ADMIN_CREDENTIALS, ensureBuilt, ROOT, runCli } from '../cli/cli-harness';

// How many polls a report costs, counted by the emulator: the built CLI (a lone job: the solo schedule), the
// provider's long-lived runner (a lone read, then reads that learn from it) and a run of many jobs (a scout and
// wave-mates it wakes).

const WORLD = path.join(ROOT, 'examples', 'world.json');
const ROLES = [
  ...['app-deployer', 'ops-admin', 'young-analytics', 'orders-service'].map((n) => `arn:aws:iam::123456789012:role/${n}`),
  'arn:aws:iam::123456789012:user/alice',
];
const credentials = { accessKeyId: ADMIN_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: ADMIN_CREDENTIALS.AWS_SECRET_ACCESS_KEY };

let emulator: RunningEmulator;

beforeAll(async () => {
  ensureBuilt();
  emulator = await startEmulator({ world: WORLD, port: 0, seed: 3 });
}, 180_000);

afterAll(async () => {
  await emulator?.close();
});

const polls = (): number => emulator.metrics().calls.GetServiceLastAccessedDetails ?? 0;

async function cliPolls(durationMs: number, arn: string): Promise<number> {
  emulator.setJobs({ durationMs });
  emulator.resetMetrics();
  const run = await runCli(['service-report', '--arn', arn, '--granularity', 'SERVICE_LEVEL', '--output', 'json', '--endpoint-url', emulator.endpoint]);
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
  expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'service-last-accessed', arn });
  expect(emulator.metrics().calls.GenerateServiceLastAccessedDetails).toBe(1);
  return polls();
}

function serviceRequest(arn: string): ReportRequest {
  return { kind: 'service-last-accessed', arn, granularity: 'SERVICE_LEVEL', withEntities: false };
}

describe('poll counts through the user surfaces', () => {
  it('the CLI reads a 100 ms job at its first poll, and a 1 s job at no more than 7', async () => {
    // The first poll leaves 100 ms after the generate answer: the emulator's job, started before that answer, is done.
    expect(await cliPolls(100, ROLES[0]!)).toBe(1);
    // Ages 100, 350, 650, 850, 905, 960, 1015 at most; a loaded machine fires timers late, which only skips ages.
    expect(await cliPolls(1000, ROLES[1]!)).toBeLessThanOrEqual(7);
  }, 60_000);

  it('the provider\'s runner: a lone read costs at most its solo ages, the reads after it at most two polls each', async () => {
    emulator.setJobs({ durationMs: 600 });
    emulator.resetMetrics();
    const runner = await openReportRunner({ endpoint: emulator.endpoint, credentials, readPrincipalCreateDate: false });
    try {
      await runner.run(serviceRequest(ROLES[0]!));
      // Solo ages 100, 350, 650: three polls at most (timers that fire late on a loaded machine only skip ages).
      expect(polls()).toBeLessThanOrEqual(3);
      emulator.resetMetrics();
      for (const arn of ROLES.slice(1)) await runner.run(serviceRequest(arn));
      // Four more jobs of the same length, each planned from the ones before: at most two polls each.
      expect(polls()).toBeLessThanOrEqual(2 * 4);
    } finally {
      runner.close();
    }
  }, 60_000);

  it('a run of several jobs without evidence: one scout at the solo ages, its wave-mates read at one or two polls each', async () => {
    emulator.setJobs({ durationMs: 600 });
    emulator.resetMetrics();
    const results = await runReports(ROLES.map(serviceRequest), { endpoint: emulator.endpoint, credentials, readPrincipalCreateDate: false });
    expect(results.every((r) => r.ok)).toBe(true);
    // The scout's solo ages 100, 350, 650: three polls. Its wave-mates' fixed first poll (0.4–0.5 s) gives way to the
    // scout's fresh IN_PROGRESS, and its COMPLETED wakes them to probe at about 0.65 s: one poll each, two when a
    // loaded machine fires a timer late. Solo ages for every job would have cost each three.
    expect(polls()).toBeLessThanOrEqual(3 + 2 * (ROLES.length - 1));
  }, 60_000);
});

import { openReportRunner, type ReportRequest } from '../../src';
import type { RunningEmulator } from '../../src/emulator/types';
import { options, startTestEmulator } from './harness';
import { MGMT } from './world';

/**
 * A runner's reports start together (Terraform sends up to -parallelism reads at once): their generates leave at once,
 * up to one second of the rate ceiling, instead of the engine's default of 8 in flight.
 */
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ faults: { throttle: null, serverErrorRate: 0, dropConnectionRate: 0, latencyMs: 100 } }, 30);
});
afterAll(() => emu.close());

const bulk = (i: number): ReportRequest => ({ kind: 'service-last-accessed', arn: `arn:aws:iam::${MGMT}:user/bulk-${String(i).padStart(4, '0')}` });

it('30 reports started together on a runner with a ceiling of 50 per second: all 30 generates are in flight at once', async () => {
  const { concurrency: _perRun, ...shared } = options(emu, { requestsPerSecond: 50, readPrincipalCreateDate: false });
  const runner = await openReportRunner(shared);
  try {
    emu.resetMetrics();
    await Promise.all(Array.from({ length: 30 }, (_, i) => runner.run(bulk(i))));
  } finally {
    runner.close();
  }
  expect(emu.metrics().calls.GenerateServiceLastAccessedDetails).toBe(30);
  expect(emu.metrics().maxInFlight).toBe(30);
});

it('an explicit concurrency still caps a runner', async () => {
  const runner = await openReportRunner(options(emu, { requestsPerSecond: 50, concurrency: 8, readPrincipalCreateDate: false }));
  try {
    emu.resetMetrics();
    await Promise.all(Array.from({ length: 30 }, (_, i) => runner.run(bulk(i))));
  } finally {
    runner.close();
  }
  expect(emu.metrics().maxInFlight).toBe(8);
});

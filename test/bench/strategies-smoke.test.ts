import { EmulatorProcess } from '../../bench/suite/emulator-process';
import { runFanoutSample, type FanoutScenario } from '../../bench/suite/fanout-matrix';
import { ALL_STRATEGIES } from '../../bench/suite/strategies';

// One tiny scenario per strategy against an emulator in the bench's host process: 3 principals, 20-ms jobs
// (1 s at time scale 0.02), a throttle no strategy reaches. Asserts counts from the emulator's metrics.
const scenario: FanoutScenario = {
  id: 'smoke',
  principals: 3,
  services: 20,
  latency: { kind: 'fixed', ms: 1000 },
  throttle: 50,
  burst: 50,
  strategies: ALL_STRATEGIES.map((s) => ({ id: s.id, timeScale: 0.02 })),
  judged: false,
};

describe('every fan-out strategy against the hosted emulator', () => {
  let host: EmulatorProcess;
  beforeAll(() => {
    host = EmulatorProcess.spawn();
  });
  afterAll(() => host.shutdown());

  it.each(ALL_STRATEGIES.map((s) => [s.id, s] as const))('%s completes every report and its calls are counted', async (id, strategy) => {
    const sample = await runFanoutSample(host, scenario, strategy, 0.02, 5, 1);
    expect(sample.completed).toBe(3);
    expect(sample.errorsSeenByCaller).toBe(0);
    expect(sample.callsByAction.GenerateServiceLastAccessedDetails).toBe(3);
    // at least one get per report, and the emulator saw every call of the strategy
    expect(sample.callsByAction.GetServiceLastAccessedDetails).toBeGreaterThanOrEqual(3);
    expect(sample.apiCalls).toBeGreaterThanOrEqual(sample.bound.minimumCalls);
    // only our default engine reads creation dates (per principal, or batched in one account-wide series)
    const createDateReads = (sample.callsByAction.GetRole ?? 0) + (sample.callsByAction.GetAccountAuthorizationDetails ?? 0);
    if (id === 'ours') expect(createDateReads).toBeGreaterThan(0);
    else expect(createDateReads).toBe(0);
    expect(sample.throttledByServer).toBe(0);
  });
});

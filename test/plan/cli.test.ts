/** `access-advisor external`: the same protocol from the installed CLI (the built binary, as a user runs it). */
import { startEmulator } from '../../src/emulator';
import type { RunningEmulator } from '../../src/emulator';
import { SERVICE_RESULT_KEYS } from '../../src/resolve/external-protocol';
import { ensureBuilt, runCli } from '../cli/cli-harness';
import { ADMIN_KEY, adminEnv, parseFlatStringMap } from './support';
import { APP_ROLE, MISSING_ROLE, planWorld } from './world';

let emulator: RunningEmulator;

beforeAll(async () => {
  ensureBuilt();
  emulator = await startEmulator({ world: planWorld(), port: 0, seed: 3, jobs: { durationMs: 50 } });
});

afterAll(async () => {
  await emulator?.close();
});

describe('access-advisor external', () => {
  it('answers a flat map of strings on stdout and nothing on stderr', async () => {
    const run = await runCli(['external'], {
      env: adminEnv(),
      input: JSON.stringify({ arn: APP_ROLE, endpoint: emulator.endpoint, granularity: 'ACTION_LEVEL' }),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = parseFlatStringMap(run.stdout);
    expect(Object.keys(out).sort()).toEqual([...SERVICE_RESULT_KEYS].sort());
    expect(JSON.parse(out.unused_services!)).toEqual(['sqs']);
  });

  it('fails with one stderr line and an empty stdout, endpoint from the environment', async () => {
    const run = await runCli(['external'], {
      env: adminEnv({ AWS_ENDPOINT_URL_IAM: emulator.endpoint }),
      input: JSON.stringify({ arn: MISSING_ROLE }),
    });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(MISSING_ROLE);
    expect(lines[0]).toContain('NoSuchEntity');
    expect(run.stderr).not.toContain(ADMIN_KEY.secret);
  });

  it('rejects a bad query before any call', async () => {
    emulator.resetMetrics();
    const run = await runCli(['external'], { env: adminEnv(), input: JSON.stringify({ arn: APP_ROLE, endpoint: emulator.endpoint, days: '30' }) });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n').filter(Boolean)).toEqual([expect.stringContaining('unknown query key "days"')]);
    expect(emulator.metrics().totalCalls).toBe(0);
  });
});

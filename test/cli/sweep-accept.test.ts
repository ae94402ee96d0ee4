import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseBaseline } from '../../src/analysis';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { ensureBuilt, ROOT, runCli, tempDir } from './cli-harness';

/**
 * `sweep --accept` and `gate --accept` on one baseline file at the same time, as real processes of the built CLI:
 * the sweep merges into the file under gate's lock, re-reading it, so what a gate accepted while the sweep ran is
 * still there afterwards (a sweep that wrote back the baseline it read at its start would drop it).
 */
const WORLD = path.join(ROOT, 'examples', 'world.json');
const STAGING = '345678901234';
const GATED = [
  'arn:aws:iam::123456789012:role/orders-service',
  'arn:aws:iam::123456789012:role/app-deployer',
  'arn:aws:iam::123456789012:role/ops-admin',
];

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  emulator = await startEmulator({ world: WORLD, port: 0, seed: 7, jobs: { durationMs: 300 } });
  dir = tempDir();
}, 180_000);

afterAll(async () => {
  await emulator?.close();
});

it('a gate --accept made while sweep --accept runs is never lost, and neither are the sweep\'s', async () => {
  const file = path.join(dir, 'org-baseline.json');
  const endpoint = ['--endpoint-url', emulator.endpoint];
  // One principal at a time: the sweep outlasts the gates.
  const sweep = runCli(['sweep', '--accounts', STAGING, '--max-concurrency', '1', '--baseline', file, '--accept', ...endpoint]);
  // The gates start once the sweep is under way and finish (300 ms jobs) before it does.
  await new Promise((r) => setTimeout(r, 300));
  const gates = await Promise.all(GATED.map((arn) => runCli(['gate', '--arn', arn, '--baseline', file, '--accept', ...endpoint])));
  expect(gates.map((g) => g.code)).toEqual([0, 0, 0]);
  const midway = parseBaseline(fs.readFileSync(file, 'utf8'), file);
  expect(Object.keys(midway.principals).sort()).toEqual([...GATED].sort());
  const swept = await sweep;
  expect(swept.code).toBe(0);
  const after = parseBaseline(fs.readFileSync(file, 'utf8'), file);
  const staging = Object.keys(after.principals).filter((arn) => arn.split(':')[4] === STAGING);
  expect(staging.length).toBeGreaterThanOrEqual(5);
  for (const arn of GATED) expect(after.principals[arn]).toEqual(midway.principals[arn]);
  expect(fs.readdirSync(dir).filter((f) => f !== 'org-baseline.json')).toEqual([]); // no lock or temp file left
}, 180_000);

it('--accept refuses before any call when the baseline cannot be written', async () => {
  emulator.resetMetrics();
  const run = await runCli(['sweep', '--accounts', STAGING, '--baseline', path.join(dir, 'missing', 'b.json'), '--accept', '--endpoint-url', emulator.endpoint]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('does not exist; create it first');
  expect(emulator.metrics().calls['GetAccountAuthorizationDetails'] ?? 0).toBe(0);
});

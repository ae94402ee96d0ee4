import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseBaseline } from '../../src/analysis';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import type { SweepCheckpoint, SweepResult } from '../../src/sweep/types';
import { ADMIN_CREDENTIALS, BIN, cliEnv, ensureBuilt, ROOT, runCli, tempDir } from './cli-harness';

/**
 * `access-advisor sweep` as a user runs it (the built CLI in a child process) against the emulator over
 * examples/world.json: four accounts, the sandbox's role refusing the management account, one FAILED job.
 */
const WORLD = path.join(ROOT, 'examples', 'world.json');
const PROD = '234567890123';
const STAGING = '345678901234';
const SANDBOX = '456789012345';
const BROKEN = `arn:aws:iam::${PROD}:role/app/payments-worker`;

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  emulator = await startEmulator({ world: WORLD, port: 0, seed: 3, jobs: { durationMs: 40, failTargets: [BROKEN] } });
  dir = tempDir();
}, 180_000);

afterAll(async () => {
  await emulator?.close();
});

const sweep = (args: string[]) => runCli(['sweep', ...args, '--endpoint-url', emulator.endpoint]);
const parse = (stdout: string) => JSON.parse(stdout) as SweepResult;

/** What two runs of one sweep share (not job ids nor completion times, which the reasons quote too). */
function comparable(result: SweepResult): unknown {
  return result.accounts.map((a) => ({
    ...a,
    error: a.error?.code,
    principals: a.principals.map((p) => ({
      arn: p.arn,
      kind: p.kind,
      status: p.status,
      error: p.error?.code,
      services: p.services,
      decision: p.decision && [p.decision.status, p.decision.usedServices, p.decision.unusedServices, p.decision.usedActions, p.decision.unusedActions],
    })),
  }));
}

let whole: SweepResult;

describe('sweep', () => {
  it('sweeps the organization: exit 3 for the denied account and the FAILED job, every other principal judged', async () => {
    const run = await sweep([]);
    expect(run.code).toBe(3);
    whole = parse(run.stdout);
    expect(whole.accounts.map((a) => `${a.accountId}:${a.status}`)).toEqual(['123456789012:ok', `${PROD}:ok`, `${STAGING}:ok`, `${SANDBOX}:failed`]);
    expect(whole.totals).toMatchObject({ accounts: 4, accountsFailed: 1, principalsFailed: 1 });
    expect(whole.totals.principals).toBeGreaterThanOrEqual(25);
    expect(run.stderr).toContain(`account ${SANDBOX} (sandbox) not swept: AssumeRole failed: AccessDenied`);
    expect(run.stderr).toContain(`${BROKEN}: job `);
    // Each error names its kind and the exit status it counts as (the CLI's one mapping).
    const raw = JSON.parse(run.stdout) as { accounts: { accountId: string; error?: object; principals: { arn: string; error?: object }[] }[] };
    expect(raw.accounts.find((a) => a.accountId === SANDBOX)!.error).toEqual({ code: 'AccessDenied', message: expect.stringMatching(/^AssumeRole failed/), kind: 'aws', exitCode: 3 });
    const broken = raw.accounts.flatMap((a) => a.principals).find((p) => p.arn === BROKEN)!;
    expect(broken.error).toEqual({ code: expect.any(String), message: expect.stringMatching(/FAILED/), kind: 'aws', exitCode: 3 });
    // stderr is not a terminal here: no progress drawn, no cursor movement.
    expect(run.stderr).not.toContain(String.fromCharCode(27));
    expect(run.stderr).not.toMatch(/\d+\/\d+ principals/);
  });

  it('--shard 1/2 and 2/2, joined by `sweep merge`, equal the unsharded sweep', async () => {
    const one = await sweep(['--shard', '1/2']);
    const two = await sweep(['--shard', '2/2']);
    expect([one.code, two.code]).toEqual([1, 3]); // shard 1: management + staging (unused, no failure)
    const files = [path.join(dir, 'shard-2.json'), path.join(dir, 'shard-1.json')];
    fs.writeFileSync(files[0]!, two.stdout);
    fs.writeFileSync(files[1]!, one.stdout);
    expect(parse(one.stdout).shard).toEqual({ index: 1, count: 2 });
    const merged = await runCli(['sweep', 'merge', ...files]);
    expect(merged.code).toBe(3);
    const result = parse(merged.stdout);
    expect(result.shard).toBeUndefined();
    expect(result.totals).toEqual(whole.totals);
    expect(comparable(result)).toEqual(comparable(whole));
    const missing = await runCli(['sweep', 'merge', files[0]!]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing 1/2');
  });

  it('the ratchet: --accept writes the baseline; afterwards only permissions it has not accepted fail (exit 1)', async () => {
    const baselineFile = path.join(dir, 'org-baseline.json');
    const scope = ['--accounts', STAGING];
    const unratcheted = await sweep(scope);
    expect(unratcheted.code).toBe(1); // unused permissions, no baseline: all of them fail
    const accept = await sweep([...scope, '--baseline', baselineFile, '--accept']);
    expect(accept.code).toBe(0);
    const baseline = parseBaseline(fs.readFileSync(baselineFile, 'utf8'), baselineFile);
    const staging = parse(accept.stdout).accounts[0]!.principals;
    expect(Object.keys(baseline.principals).sort()).toEqual(staging.filter((p) => p.decision?.status === 'sufficient').map((p) => p.arn).sort());
    expect((await sweep([...scope, '--baseline', baselineFile])).code).toBe(0);

    // Take sns back out of data-sync's accepted list: only that is new.
    const dataSync = `arn:aws:iam::${STAGING}:role/batch/data-sync`;
    const edited = JSON.parse(fs.readFileSync(baselineFile, 'utf8')) as { principals: Record<string, { unused: string[] }> };
    expect(edited.principals[dataSync]!.unused).toContain('sns');
    edited.principals[dataSync]!.unused = edited.principals[dataSync]!.unused.filter((p) => p !== 'sns');
    fs.writeFileSync(baselineFile, JSON.stringify(edited));
    const drift = await sweep([...scope, '--baseline', baselineFile, '--output', 'markdown']);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain('Drift: FAIL, 1 newly unused permission(s)');
    const json = parse((await sweep([...scope, '--baseline', baselineFile])).stdout);
    expect(json.drift!.principals.filter((p) => p.newUnused.length).map((p) => [p.arn, p.newUnused])).toEqual([[dataSync, ['sns']]]);
  });

  it('rejects bad input with exit 2 before any call', async () => {
    emulator.resetMetrics();
    const runs = await Promise.all([
      sweep(['--organization', '--accounts', PROD]),
      sweep(['--shard', '0/2']),
      sweep(['--accounts', '1234']),
      sweep(['--principal-kinds', 'robots']),
      sweep(['--accept']),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2, 2]);
    expect(runs[2]!.stderr).toContain('"1234" is not allowed');
    const garbage = path.join(dir, 'garbage-state.json');
    fs.writeFileSync(garbage, '{"kind":"something-else"}');
    const bad = await sweep(['--state', garbage]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a sweep state file');
    expect(emulator.metrics().totalCalls).toBe(0);
  });
});

describe('sweep --state', () => {
  it('continues after a kill without asking again for finished principals', async () => {
    const stateFile = path.join(dir, 'sweep-state.json');
    emulator.setJobs({ durationMs: 300 });
    const args = ['sweep', '--state', stateFile, '--account-concurrency', '1', '--max-concurrency', '2', '--endpoint-url', emulator.endpoint];
    try {
      // Kill the CLI (SIGKILL: no cleanup) once the state file holds a few finished principals.
      const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cliEnv({ ...ADMIN_CREDENTIALS }), stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('close', resolve));
      const deadline = Date.now() + 60_000;
      let done = 0;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        if (!fs.existsSync(stateFile)) continue;
        const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as SweepCheckpoint;
        done = Object.values(state.done).reduce((n, m) => n + Object.keys(m).length, 0);
        if (done >= 4) break;
      }
      child.kill('SIGKILL');
      await exited;
      const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as SweepCheckpoint;
      done = Object.values(state.done).reduce((n, m) => n + Object.keys(m).length, 0);
      expect(done).toBeGreaterThanOrEqual(4);

      emulator.resetMetrics();
      emulator.setJobs({ durationMs: 40 });
      const resumed = await runCli(args);
      expect(resumed.code).toBe(3);
      expect(resumed.stderr).toContain(`resuming from ${stateFile}`);
      const result = parse(resumed.stdout);
      expect(result.totals).toEqual(whole.totals);
      expect(comparable(result)).toEqual(comparable(whole));
      expect(emulator.metrics().calls['GenerateServiceLastAccessedDetails']).toBe(result.totals.principals - done);
      // Failures remain to retry: the state file stays. Once the job works, only that principal is asked again.
      expect(fs.existsSync(stateFile)).toBe(true);
      emulator.setJobs({ failTargets: [] });
      emulator.resetMetrics();
      const retried = await runCli([...args, '--accounts', PROD]);
      expect(retried.code).toBe(2); // another sweep (other accounts) than the state file's: refused
      expect(retried.stderr).toContain('cannot be resumed: it belongs to another sweep (accounts: ["234567890123"] here, null in the state');
      expect(retried.stderr).toContain('delete it to start a fresh sweep, or pass another --state path');
      expect(retried.stderr).not.toContain('resuming from');
      const again = await runCli(args);
      expect(again.code).toBe(3); // the sandbox still refuses
      expect(emulator.metrics().calls['GenerateServiceLastAccessedDetails']).toBe(1);
      expect(parse(again.stdout).totals.principalsFailed).toBe(0);
    } finally {
      emulator.setJobs({ durationMs: 40, failTargets: [BROKEN] });
    }
  }, 120_000);
});

describe('sweep --output html', () => {
  it('draws the sweep as one heat map, failures included, for a sweep and for a merge', async () => {
    const run = await sweep(['--accounts', `${PROD},${SANDBOX}`, '--direct-account', '123456789012', '--output', 'html']);
    expect(run.code).toBe(3);
    expect(run.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(run.stdout).toContain(`title="arn:aws:iam::${PROD}:role/app/orders-api"`);
    expect(run.stdout).toContain(`account ${SANDBOX}: AssumeRole failed: AccessDenied`);
    expect(run.stdout).toContain(BROKEN);
    const json = path.join(dir, 'for-html.json');
    fs.writeFileSync(json, (await sweep(['--accounts', STAGING])).stdout);
    const merged = await runCli(['sweep', 'merge', json, '--output', 'html']);
    expect(merged.code).toBe(1);
    expect(merged.stdout).toContain(`title="arn:aws:iam::${STAGING}:role/batch/data-sync"`);
  });
});

import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { childOutput } from '../../scripts/child-output';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { ADMIN_CREDENTIALS, closedPort, cliEnv, ensureBuilt, ROOT, runCli, type CliRun } from './cli-harness';

/**
 * The report commands run from the code-cached bundle (dist/cli/report-cli.js) when it is current, else from dist/
 * file by file (dist/cli/run.js). Both must refuse alike: the same exit status and the same error line for bad input,
 * a failed job, a job of another principal, an unreachable or failing endpoint, a timeout.
 */
const WORLD = path.join(ROOT, 'examples', 'world.json');
const DEPLOYER = 'arn:aws:iam::123456789012:role/app-deployer';
const OPS_ADMIN = 'arn:aws:iam::123456789012:role/ops-admin';

let emulator: RunningEmulator;

beforeAll(async () => {
  ensureBuilt();
  emulator = await startEmulator({ world: WORLD, port: 0, seed: 11, jobs: { durationMs: 100 } });
}, 180_000);

afterAll(async () => {
  await emulator?.close();
});

function fileByFile(args: readonly string[]): Promise<CliRun> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli', 'run.js'), ...args], { cwd: ROOT, env: cliEnv({ ...ADMIN_CREDENTIALS }) });
  return childOutput(child, '');
}

/** What must agree: the exit status and the error lines, with ids and timings that differ from run to run masked. */
function outcome(run: CliRun): { code: number | null; stderr: string; stdoutEmpty: boolean } {
  const stderr = run.stderr
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<job>')
    .replace(/\d+(\.\d+)? ?(ms|s)\b/g, '<t>')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<date>');
  return { code: run.code, stderr, stdoutEmpty: run.stdout === '' };
}

async function both(args: readonly string[]): Promise<{ bundled: ReturnType<typeof outcome>; plain: ReturnType<typeof outcome> }> {
  const [bundled, plain] = await Promise.all([runCli(args), fileByFile(args)]);
  return { bundled: outcome(bundled), plain: outcome(plain) };
}

describe('report commands: the bundle and dist/ file by file refuse alike', () => {
  it('the bundle is current, so main.js runs it (else this file would compare dist/ with itself: run npm run build)', () => {
    const cli = path.join(ROOT, 'dist', 'cli');
    // main.ts's rule: the bundle is used unless run.js is more than 2 s newer.
    expect(statSync(path.join(cli, 'run.js')).mtimeMs - statSync(path.join(cli, 'report-cli.js')).mtimeMs).toBeLessThan(2000);
  });

  it.each([
    ['a malformed ARN', ['service-report', '--arn', 'arn:aws:iam::123456789012:role/'], 2],
    ['an unknown granularity', ['service-report', '--arn', DEPLOYER, '--granularity', 'EVERYTHING'], 2],
    ['an organizations entity path that is not one', ['org-report', '--entity-path', 'o-abc/ou-x'], 2],
    ['a job id that is not one', ['service-report', '--arn', DEPLOYER, '--job-id', 'not a job'], 2],
    ['a job id IAM does not know', ['service-report', '--arn', DEPLOYER, '--job-id', '00000000-0000-4000-8000-000000000000'], 2],
  ])('%s: the same exit status and error line from both', async (_name, args, code) => {
    const { bundled, plain } = await both([...args, '--endpoint-url', emulator.endpoint]);
    expect(bundled).toEqual(expect.objectContaining({ code }));
    expect(bundled.stdoutEmpty).toBe(true);
    expect(bundled.stderr).toMatch(/^access-advisor: /);
    expect(plain).toEqual(bundled);
  }, 60_000);

  it("another principal's job resumed by id: refused alike (nothing printed)", async () => {
    const other = await runCli(['service-report', '--arn', OPS_ADMIN, '--output', 'json', '--endpoint-url', emulator.endpoint]);
    expect(other.code).toBe(0);
    const { jobId } = JSON.parse(other.stdout) as { jobId: string };
    const { bundled, plain } = await both(['service-report', '--arn', DEPLOYER, '--job-id', jobId, '--endpoint-url', emulator.endpoint]);
    expect(bundled.code).not.toBe(0);
    expect(bundled.stdoutEmpty).toBe(true);
    expect(bundled.stderr).toMatch(/another principal|does not match|not .*job of/i);
    expect(plain).toEqual(bundled);
  }, 60_000);

  it('a FAILED job: refused alike', async () => {
    emulator.setJobs({ failTargets: [DEPLOYER] });
    try {
      const { bundled, plain } = await both(['service-report', '--arn', DEPLOYER, '--endpoint-url', emulator.endpoint]);
      expect(bundled.code).toBe(3);
      expect(bundled.stdoutEmpty).toBe(true);
      expect(plain).toEqual(bundled);
    } finally {
      emulator.setJobs({ failTargets: [] });
    }
  }, 60_000);

  it('an endpoint that fails every request, or that nothing listens on: refused alike', async () => {
    const port = await closedPort();
    const closed = await both(['service-report', '--arn', DEPLOYER, '--max-attempts', '1', '--endpoint-url', `http://127.0.0.1:${port}`]);
    expect(closed.bundled.code).not.toBe(0);
    expect(closed.plain).toEqual(closed.bundled);
    emulator.setFaults({ serverErrorRate: 1 });
    try {
      const failing = await both(['service-report', '--arn', DEPLOYER, '--max-attempts', '1', '--endpoint-url', emulator.endpoint]);
      expect(failing.bundled.code).not.toBe(0);
      expect(failing.bundled.stdoutEmpty).toBe(true);
      expect(failing.plain).toEqual(failing.bundled);
    } finally {
      emulator.setFaults({ serverErrorRate: 0 });
    }
  }, 60_000);
});

/**
 * Errors carry a kind; the CLI alone maps a kind to an exit status. The mapping covers every kind, and the statuses a
 * user sees are the documented ones: input 2, AWS or evidence 3, timeout 4, through the built CLI and the bundled
 * plan-time program.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { EXIT_CODE_OF_KIND, CliInputError, exitCodeOf, exitCodeOfKind, planProgramExitCode, worstExitCode } from '../../src/cli/exit-codes';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import {
  AbortedError,
  AwsRequestError,
  ERROR_KINDS,
  IncompleteResponseError,
  InvalidRequestError,
  JobFailedError,
  JobTimeoutError,
  errorKindOf,
  type ErrorKind,
} from '../../src/model/errors';
import type { ReportRequest } from '../../src/model/report';
import { childOutput } from '../../scripts/child-output';
import { startHostileServer, type HostileServer } from '../hostile/hostile-server';
import { ADMIN_CREDENTIALS, cliEnv, ensureBuilt, ROOT, runCli } from './cli-harness';

const REQUEST: ReportRequest = { kind: 'service-last-accessed', arn: 'arn:aws:iam::123456789012:role/app', granularity: 'SERVICE_LEVEL' };
const JOB = '11111111-2222-3333-4444-555555555555';

describe('the kind → exit status mapping', () => {
  it('covers every kind, and nothing else', () => {
    expect(Object.keys(EXIT_CODE_OF_KIND).sort()).toEqual([...ERROR_KINDS].sort());
    expect(new Set(ERROR_KINDS).size).toBe(ERROR_KINDS.length);
  });

  it('gives the documented status of each kind', () => {
    const expected: Record<ErrorKind, number> = { input: 2, aws: 3, evidence: 3, timeout: 4, internal: 3 };
    expect(Object.fromEntries(ERROR_KINDS.map((k) => [k, exitCodeOfKind(k)]))).toEqual(expected);
    // The plan-time program differs only for a fault of its own.
    expect(Object.fromEntries(ERROR_KINDS.map((k) => [k, planProgramExitCode(k)]))).toEqual({ ...expected, internal: 1 });
  });

  it.each<[string, ErrorKind, number, unknown]>([
    ['InvalidRequestError', 'input', 2, new InvalidRequestError('arn', 'x', 'an ARN')],
    ['CliInputError', 'input', 2, new CliInputError('--policy: cannot read "p.json"')],
    ['AwsRequestError', 'aws', 3, new AwsRequestError('GetServiceLastAccessedDetails', 'AccessDenied', 'denied')],
    ['JobFailedError', 'aws', 3, new JobFailedError(JOB, 'ReportGenerationFailed', 'failed', REQUEST)],
    ['IncompleteResponseError', 'evidence', 3, new IncompleteResponseError('GetServiceLastAccessedDetails', JOB, 2, 'repeated Marker')],
    ['JobTimeoutError', 'timeout', 4, new JobTimeoutError(JOB, 1000, REQUEST)],
    ['AbortedError', 'timeout', 4, new AbortedError(JOB, REQUEST)],
    ['a plain Error', 'internal', 3, new Error('boom')],
    ['a thrown string', 'internal', 3, 'boom'],
    // A look-alike with its own exitCode is not trusted: only the package's errors have a kind.
    ['an object claiming exitCode 2', 'internal', 3, Object.assign(new Error('x'), { exitCode: 2, kind: 'input' })],
  ])('%s is %s, exit %d', (_name, kind, code, error) => {
    expect(errorKindOf(error)).toBe(kind);
    expect(exitCodeOf(error)).toBe(code);
  });

  it('a kind that is no kind (an older file) counts as internal; the worst of several failures wins', () => {
    expect(exitCodeOfKind('bogus' as ErrorKind)).toBe(3);
    expect(exitCodeOfKind('toString' as ErrorKind)).toBe(3);
    expect(worstExitCode([new InvalidRequestError('a', 1, 'b'), new JobTimeoutError(JOB, 1, REQUEST), new Error('x')])).toBe(4);
    expect(worstExitCode([new InvalidRequestError('a', 1, 'b')])).toBe(2);
  });
});

describe('exit statuses through the built CLI and the bundled plan-time program', () => {
  const WORLD = path.join(ROOT, 'examples', 'world.json');
  const OPS = 'arn:aws:iam::123456789012:role/ops-admin';
  const NOBODY = 'arn:aws:iam::123456789012:role/no-such-role';
  const PROGRAM = path.join(ROOT, 'dist', 'external', 'access-advisor-external.js');
  let emulator: RunningEmulator;
  let hostile: HostileServer;

  beforeAll(async () => {
    ensureBuilt();
    emulator = await startEmulator({ world: WORLD, port: 0, seed: 3, jobs: { durationMs: 100 } });
    hostile = await startHostileServer('repeating-marker');
  }, 120_000);
  afterAll(async () => {
    await emulator?.close();
    await hostile?.close();
  });

  const cli = (args: string[]) => runCli([...args]);
  const program = (query: Record<string, string>) => {
    const child = spawn(process.execPath, [PROGRAM], { cwd: ROOT, env: cliEnv({ ...ADMIN_CREDENTIALS }) });
    return childOutput(child, JSON.stringify(query));
  };

  it('input → 2 (a bad ARN, before any call)', async () => {
    const run = await cli(['service-report', '--arn', 'arn:aws:iam::123456789012:rolex/app', '--endpoint-url', emulator.endpoint]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^access-advisor: invalid --arn/);
  });

  it('aws → 3 (IAM answers NoSuchEntity)', async () => {
    const run = await cli(['service-report', '--arn', NOBODY, '--endpoint-url', emulator.endpoint]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/NoSuchEntity/);
  });

  it('evidence → 3 (a repeated Marker: the report is discarded)', async () => {
    const run = await cli(['service-report', '--arn', OPS, '--endpoint-url', hostile.endpoint]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/the report is incomplete and was discarded/);
  });

  it('timeout → 4 (the job outlives --timeout)', async () => {
    emulator.setJobs({ durationMs: 60_000 });
    try {
      const run = await cli(['service-report', '--arn', OPS, '--timeout', '2', '--endpoint-url', emulator.endpoint]);
      expect(run.code).toBe(4);
      expect(run.stderr).toMatch(/did not complete within 2000 ms; .*resume: --job-id/);
    } finally {
      emulator.setJobs({ durationMs: 100 });
    }
  });

  it('the plan-time program: input → 2, aws → 3, evidence → 3', async () => {
    expect((await program({ arn: OPS, granularty: 'ACTION_LEVEL', endpoint: emulator.endpoint })).code).toBe(2);
    const denied = await program({ arn: NOBODY, endpoint: emulator.endpoint });
    expect({ code: denied.code, stdout: denied.stdout }).toEqual({ code: 3, stdout: '' });
    expect((await program({ arn: OPS, endpoint: hostile.endpoint })).code).toBe(3);
  });
});

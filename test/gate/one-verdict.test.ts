import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PermissionException, PolicyDocument } from '../../src/analysis/types';
import { Testing } from '../default-core';
import { LeastPrivilegeGate } from '../../src/constructs/least-privilege-gate';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import type { ServiceLastAccessedReport } from '../../src/model/report';
import type { GateResult } from '../../src/report/gate-result';
import { cachedReport, stackWithCachedReports } from '../analysis/construct-fixtures';
import { ensureBuilt, ROOT, runCli } from '../cli/cli-harness';
import { adminEnv, buildBundle, BUNDLE, parseFlatStringMap, type ProgramRun } from '../plan/support';

// One decision path (src/analysis/gate.ts): the same report, policies and decision, given to the synth-time
// construct, the built CLI (`gate --output json`) and the bundled plan-time program, give the same verdict and the
// same violations. The plan-time program runs the job; the CLI resumes that very job (--job-id) and the construct
// reads the report the program returned from the committed cache, so all three judge one report.
const WORLD = join(ROOT, 'examples', 'world.json');
const DEPLOYER = 'arn:aws:iam::123456789012:role/app-deployer';
const WINDOW_DAYS = 60;
const ALLOW: PermissionException[] = [{ permission: 'ec2', reason: 'break-glass access' }];
// What the principal will hold: today's policy without sqs, so sqs is unused but no longer granted.
const POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['s3:*', 'ec2:*', 'lambda:*', 'dynamodb:*', 'iam:PassRole', 'iam:GetRole', 'iam:CreateRole', 'iam:AttachRolePolicy'],
      Resource: '*',
    },
  ],
};

interface Verdict {
  readonly passed: boolean;
  /** Every violation as `permission lastUsed`, in the order given. */
  readonly violations: readonly string[];
}

const line = (v: { permission: string; lastUsed?: string }) => `${v.permission} ${v.lastUsed ?? 'never'}`;

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  buildBundle();
  emulator = await startEmulator({ world: WORLD, port: 0, seed: 12, jobs: { durationMs: 150 } });
  dir = mkdtempSync(join(tmpdir(), 'aa-one-verdict-'));
}, 180_000);

afterAll(async () => {
  await emulator?.close();
});

function runProgram(query: Record<string, string>): Promise<ProgramRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE], { cwd: dir, env: adminEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, stderrLines: stderr.split('\n').filter(Boolean) }));
    child.stdin.end(JSON.stringify(query));
  });
}

it('construct, CLI and plan-time program reach the same verdict and the same violations', async () => {
  // The plan-time program, as Terraform runs it.
  const program = await runProgram({
    arn: DEPLOYER,
    granularity: 'ACTION_LEVEL',
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    unused_after_days: String(WINDOW_DAYS),
    allow: JSON.stringify(ALLOW),
    policies: JSON.stringify([POLICY]),
  });
  expect(program.stderr).toBe('');
  expect(program.code).toBe(0);
  const result = parseFlatStringMap(program.stdout);
  const report = JSON.parse(result.report!) as ServiceLastAccessedReport;
  const fromProgram: Verdict = {
    passed: result.all_used === 'true',
    violations: (JSON.parse(result.violations!) as { permission: string; lastUsed?: string }[]).map(line),
  };

  // The built CLI, resuming the program's job.
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(POLICY));
  const cli = await runCli([
    'gate',
    '--arn', DEPLOYER,
    '--granularity', 'ACTION_LEVEL',
    '--job-id', report.jobId,
    '--unused-after-days', String(WINDOW_DAYS),
    '--allow', `${ALLOW[0]!.permission}=${ALLOW[0]!.reason}`,
    '--policy', policyFile,
    '--output', 'json',
    '--endpoint-url', emulator.endpoint,
  ]);
  expect(cli.code).toBe(fromProgram.passed ? 0 : 1);
  const gateResult = JSON.parse(cli.stdout) as GateResult;
  const principal = gateResult.principals[0]!;
  expect(principal.jobId).toBe(report.jobId);
  const fromCli: Verdict = { passed: gateResult.passed, violations: principal.violations.map(line) };

  // The synth-time construct over the same report, from the committed cache.
  const { stack } = stackWithCachedReports([report]);
  const gate = new LeastPrivilegeGate(stack, 'gate', {
    report: cachedReport(stack, 'report', report),
    unusedAfterDays: WINDOW_DAYS,
    allow: ALLOW,
    policy: POLICY,
    now: new Date().toISOString(),
  });
  Testing.synth(stack);
  const fromConstruct: Verdict = { passed: gate.passed, violations: gate.violations.map(line) };

  // Not a vacuous agreement: the decision has violations, an exception and a permission no longer granted.
  expect(fromProgram.passed).toBe(false);
  expect(fromProgram.violations).toEqual(expect.arrayContaining([expect.stringMatching(/^dynamodb /)]));
  expect(principal.allowedByException.map((f) => f.permission)).toContain('ec2');
  expect(principal.notGranted).toContain('sqs');
  expect(gate.unused?.findings.filter((f) => f.kind === 'no-longer-granted').map((f) => f.permission)).toContain('sqs');

  expect(fromCli).toEqual(fromProgram);
  expect(fromConstruct).toEqual(fromProgram);
}, 180_000);

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PermissionException, PolicyDocument, UnusedPermissions } from '../../src/analysis/types';
import { verdictOf } from '../../src/analysis/gate';
import { IamRolePoliciesExclusive } from '@cdktf/provider-aws/lib/iam-role-policies-exclusive';
import { IamRolePolicyAttachmentsExclusive } from '@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from '../default-core';
import { LeastPrivilegeGate } from '../../src/constructs/least-privilege-gate';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import type { ServiceLastAccessedReport } from '../../src/model/report';
import type { GateResult } from '../../src/report/gate-result';
import { cachedReport } from '../analysis/construct-fixtures';
import { reportRequestKey } from '../../src/iam/index';
import { cacheEntryKey, serializeCacheFile } from '../../src/resolve/cache-file';
import { ensureBuilt, ROOT, runCli } from '../cli/cli-harness';
import { adminEnv, buildBundle, BUNDLE, parseFlatStringMap, type ProgramRun } from '../plan/support';
import { decodeDynamicValue } from '../../src/provider/dynamic-value';
import { ProviderService } from '../../src/provider/provider-service';
import { PROVIDER_SCHEMA } from '../../src/provider/provider-config';
import { unusedPermissions } from '../../src/provider/data-sources/unused-permissions';
import type { SweepResult } from '../../src/sweep/types';
import { encode } from '@msgpack/msgpack';

// One decision path (src/analysis/gate.ts): the same report, policies and decision, given to the synth-time
// construct, the built CLI (`gate --output json`), the bundled plan-time program, the Terraform provider's
// accessadvisor_unused_permissions data source and the built CLI's `sweep`, give the same verdict (passed, evidence
// status) and the same violations. The plan-time program runs the job; the CLI resumes that very job (--job-id) and
// the construct reads the report the program returned from the committed cache. The provider and the sweep run jobs
// of their own for the same principal over the same emulator world, whose activity does not change between jobs.
// A sweep judges the permissions IAM grants today (it takes no policy documents), so it joins the comparison
// without policies; the other four are compared with and without.
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
  /** The evidence status: sufficient, insufficient-history, unknown-history or stale-evidence. */
  readonly status: string;
  /** Every violation as `permission lastUsed`, in the order given. */
  readonly violations: readonly string[];
}

/** The decision every surface is given: the window and the exceptions. */
interface Decision {
  readonly unusedAfterDays: number;
  readonly allow: readonly PermissionException[];
}

const DECISION: Decision = { unusedAfterDays: WINDOW_DAYS, allow: ALLOW };

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

/** The plan-time program, as Terraform's external data source runs it. Its report is what the others judge too. */
async function throughProgram(policies: readonly PolicyDocument[] | undefined): Promise<{ verdict: Verdict; report: ServiceLastAccessedReport }> {
  const program = await runProgram({
    arn: DEPLOYER,
    granularity: 'ACTION_LEVEL',
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    unused_after_days: String(DECISION.unusedAfterDays),
    allow: JSON.stringify(DECISION.allow),
    ...(policies ? { policies: JSON.stringify(policies) } : {}),
  });
  expect(program.stderr).toBe('');
  expect(program.code).toBe(0);
  const result = parseFlatStringMap(program.stdout);
  return {
    report: JSON.parse(result.report!) as ServiceLastAccessedReport,
    verdict: {
      passed: result.all_used === 'true',
      status: result.evidence_status!,
      violations: (JSON.parse(result.violations!) as { permission: string; lastUsed?: string }[]).map(line),
    },
  };
}

/** The built CLI's gate, resuming the program's job. */
async function throughCli(jobId: string, policies: readonly PolicyDocument[] | undefined) {
  const policyArgs = (policies ?? []).flatMap((policy, i) => {
    const file = join(dir, `policy-${i}.json`);
    writeFileSync(file, JSON.stringify(policy));
    return ['--policy', file];
  });
  const cli = await runCli([
    'gate',
    '--arn', DEPLOYER,
    '--granularity', 'ACTION_LEVEL',
    '--job-id', jobId,
    '--unused-after-days', String(DECISION.unusedAfterDays),
    ...DECISION.allow.flatMap((a) => ['--allow', `${a.permission}=${a.reason}`]),
    ...policyArgs,
    '--output', 'json',
    '--endpoint-url', emulator.endpoint,
  ]);
  const gateResult = JSON.parse(cli.stdout) as GateResult;
  const principal = gateResult.principals[0]!;
  expect(principal.jobId).toBe(jobId);
  expect(cli.code).toBe(gateResult.passed ? 0 : 1);
  const verdict: Verdict = { passed: gateResult.passed, status: principal.status!, violations: principal.violations.map(line) };
  return { verdict, principal };
}

/**
 * A stack whose committed cache holds exactly this report (lookups off), dates untouched: the construct judges the
 * very report the program returned.
 */
function stackWithTheReport(report: ServiceLastAccessedReport): TerraformStack {
  const cacheFile = join(mkdtempSync(join(dir, 'cache-')), 'access-advisor.context.json');
  const request = { kind: 'service-last-accessed', arn: report.arn, granularity: report.granularity, withEntities: report.withEntities } as const;
  const entry = { request, connection: {}, resolvedAt: new Date().toISOString(), report };
  writeFileSync(cacheFile, serializeCacheFile({ schemaVersion: 1, entries: { [cacheEntryKey(reportRequestKey(request), {})]: entry } } as never));
  const app = Testing.app({ context: { 'accessAdvisor:cacheFile': cacheFile, 'accessAdvisor:lookups': 'off' } });
  return new TerraformStack(app, 'stack');
}

/** Pins the role's managed and inline sets (to nothing of the stack's), in its account only. */
function pinNothingElse(stack: TerraformStack, arn: string): void {
  const [, , , , account, resource] = arn.split(':');
  const roleName = resource!.split('/').pop()!;
  new AwsProvider(stack, 'aws', { region: 'us-east-1', allowedAccountIds: [account!] });
  new IamRolePolicyAttachmentsExclusive(stack, 'managed_set', { roleName, policyArns: [] });
  new IamRolePoliciesExclusive(stack, 'inline_set', { roleName, policyNames: [] });
}

/** The synth-time construct over the same report, from the committed cache. */
function throughConstruct(report: ServiceLastAccessedReport, policies: readonly PolicyDocument[] | undefined) {
  const stack = stackWithTheReport(report);
  // The role is not a resource of the stack: the policies are its whole set only once the stack pins that set.
  if (policies) pinNothingElse(stack, report.arn);
  const gate = new LeastPrivilegeGate(stack, 'gate', {
    report: cachedReport(stack, 'report', report),
    unusedAfterDays: DECISION.unusedAfterDays,
    allow: [...DECISION.allow],
    ...(policies ? { policies: [...policies] } : {}),
    now: new Date().toISOString(),
  });
  Testing.synth(stack);
  const verdict: Verdict = { passed: gate.passed, status: gate.unused!.status, violations: gate.violations.map(line) };
  return { verdict, gate };
}

/** msgpack of an object type as Terraform sends it: every attribute of the schema present, null when not set. */
function terraformObject(attributes: readonly { readonly name: string }[], values: Record<string, unknown>): { msgpack: Uint8Array } {
  for (const name of Object.keys(values)) if (!attributes.some((a) => a.name === name)) throw new Error(`test setup: ${name} is not in the schema`);
  return { msgpack: encode(Object.fromEntries(attributes.map((a) => [a.name, values[a.name] ?? null]))) };
}

/**
 * The Terraform provider's accessadvisor_unused_permissions data source, read in process through the tfplugin6
 * service with the DynamicValues Terraform sends (ConfigureProvider, then ReadDataSource).
 */
async function throughProvider(policies: readonly PolicyDocument[] | undefined, decision: Decision = DECISION): Promise<Verdict> {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  const credentials = adminEnv();
  process.env.AWS_ACCESS_KEY_ID = credentials.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.AWS_SECRET_ACCESS_KEY;
  const service = new ProviderService();
  try {
    expect(service.configureProvider(terraformObject(PROVIDER_SCHEMA.attributes, { endpoint: emulator.endpoint, region: 'us-east-1' })).diagnostics).toEqual([]);
    const config = terraformObject(unusedPermissions.schema.attributes, {
      arn: DEPLOYER,
      granularity: 'ACTION_LEVEL',
      unused_after_days: decision.unusedAfterDays,
      exceptions: decision.allow.map((a) => ({ permission: a.permission, reason: a.reason })),
      ...(policies ? { policies: policies.map((p) => JSON.stringify(p)) } : {}),
    });
    const read = (await service.readDataSource(unusedPermissions.typeName, config, false)) as { state?: { msgpack: Uint8Array }; diagnostics: unknown[] };
    expect(read.diagnostics).toEqual([]);
    const state = decodeDynamicValue(read.state!) as { passed: boolean; status: string; violations: { permission: string; last_used: string | null }[] };
    return { passed: state.passed, status: state.status, violations: state.violations.map((v) => line({ permission: v.permission, ...(v.last_used ? { lastUsed: v.last_used } : {}) })) };
  } finally {
    service.close();
    for (const [key, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/**
 * The built CLI's sweep over the principal's account, narrowed to the principal. Its exit status is the gate's
 * verdict; the document carries the decision (status and findings) the verdict rests on, whose violations are read
 * with the gate's own rule, as the sweep reads them for its exit status.
 */
async function throughSweep(): Promise<Verdict> {
  const run = await runCli([
    'sweep',
    '--accounts', DEPLOYER.split(':')[4]!,
    '--principal-kinds', 'role',
    '--name', DEPLOYER.split('/').pop()!,
    '--granularity', 'ACTION_LEVEL',
    '--unused-after-days', String(DECISION.unusedAfterDays),
    ...DECISION.allow.flatMap((a) => ['--allow', `${a.permission}=${a.reason}`]),
    '--output', 'json',
    '--endpoint-url', emulator.endpoint,
  ]);
  expect([0, 1]).toContain(run.code);
  const result = JSON.parse(run.stdout) as SweepResult;
  const principals = result.accounts.flatMap((a) => a.principals);
  expect(principals.map((p) => p.arn)).toEqual([DEPLOYER]);
  const decision: UnusedPermissions = principals[0]!.decision!;
  return { passed: run.code === 0, status: decision.status, violations: verdictOf(decision).violations.map(line) };
}

it('with the policies the principal will hold: construct, CLI, plan-time program and provider agree', async () => {
  const policies = [POLICY];
  const program = await throughProgram(policies);
  const cli = await throughCli(program.report.jobId, policies);
  const construct = throughConstruct(program.report, policies);
  const provider = await throughProvider(policies);

  // Not a vacuous agreement: the decision has violations, an exception and a permission no longer granted.
  expect(program.verdict.passed).toBe(false);
  expect(program.verdict.status).toBe('sufficient');
  expect(program.verdict.violations).toEqual(expect.arrayContaining([expect.stringMatching(/^dynamodb /)]));
  expect(cli.principal.allowedByException.map((f) => f.permission)).toContain('ec2');
  expect(cli.principal.notGranted).toContain('sqs');
  expect(program.verdict.violations.some((v) => v.startsWith('sqs '))).toBe(false);
  expect(construct.gate.unused?.findings.filter((f) => f.kind === 'no-longer-granted').map((f) => f.permission)).toContain('sqs');

  expect({ cli: cli.verdict, construct: construct.verdict, provider }).toEqual({ cli: program.verdict, construct: program.verdict, provider: program.verdict });
}, 180_000);

it('judging what IAM grants today: construct, CLI, plan-time program, provider and sweep agree', async () => {
  const program = await throughProgram(undefined);
  const cli = await throughCli(program.report.jobId, undefined);
  const construct = throughConstruct(program.report, undefined);
  const provider = await throughProvider(undefined);
  const sweep = await throughSweep();

  // Not vacuous: without the policies sqs is granted, unused and so a violation; the exception still holds.
  expect(program.verdict).toMatchObject({ passed: false, status: 'sufficient' });
  expect(program.verdict.violations).toEqual(expect.arrayContaining([expect.stringMatching(/^dynamodb /), expect.stringMatching(/^sqs /)]));
  expect(program.verdict.violations.some((v) => v.startsWith('ec2 '))).toBe(false);

  expect({ cli: cli.verdict, construct: construct.verdict, provider, sweep }).toEqual({
    cli: program.verdict,
    construct: program.verdict,
    provider: program.verdict,
    sweep: program.verdict,
  });

  // The comparison can fail: one decision input changed (the exception dropped) changes the provider's answer.
  const withoutException = await throughProvider(undefined, { ...DECISION, allow: [] });
  expect(withoutException.violations).not.toEqual(program.verdict.violations);
  expect(withoutException.violations.some((v) => v.startsWith('ec2'))).toBe(true);
}, 180_000);

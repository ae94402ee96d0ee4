/**
 * The synthesized data "external" blocks, run the way Terraform's external provider runs them, against the
 * emulator: program and query from the synthesized JSON, query on stdin, cwd the stack directory, credentials in
 * the environment.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TerraformVariable } from '../default-core';
import { bindPlanTimeReport, planGateCondition, planGateErrorMessage, planTimeQuery } from '../../src/constructs/plan-time-report';
import { startEmulator } from '../../src/emulator';
import type { RunningEmulator } from '../../src/emulator';
import { JSON_RESULT_KEYS, ORGANIZATIONS_RESULT_KEYS, SERVICE_RESULT_KEYS } from '../../src/resolve/external-protocol';
import {
  ADMIN_KEY,
  adminEnv,
  buildBundle,
  cleanEnv,
  copyTree,
  evaluateCondition,
  externalBlock,
  nodeModulesAbove,
  parseFlatStringMap,
  runLikeTerraform,
  synthesize,
} from './support';
import type { ProgramRun, SynthesizedStack } from './support';
import {
  ACCOUNT,
  APP_ALLOWED_SERVICES,
  APP_ROLE,
  APP_USED_SERVICES,
  DOOMED_ROLE,
  MISSING_ROLE,
  ORG_ROOT_PATH,
  TIDY_ROLE,
  planWorld,
} from './world';

let emulator: RunningEmulator;
let stack: SynthesizedStack;
const ROLE_VAR = '${var.audited_role}';

beforeAll(async () => {
  buildBundle();
  emulator = await startEmulator({ world: planWorld(), port: 0, seed: 7, jobs: { durationMs: 50 } });
  stack = synthesize('plan', (s) => {
    // The ARN comes from a variable, as a plan-time gate should get it; the test gives it a value per run.
    const role = new TerraformVariable(s, 'audited_role', { type: 'string' });
    const gated = bindPlanTimeReport(s, 'by_variable', planTimeQuery({ arn: role.stringValue, endpoint: emulator.endpoint }));
    gated.addPostcondition(planGateCondition(), planGateErrorMessage());
    bindPlanTimeReport(s, 'action_level', planTimeQuery({ arn: APP_ROLE, granularity: 'ACTION_LEVEL', endpoint: emulator.endpoint }));
    bindPlanTimeReport(s, 'long_window', planTimeQuery({ arn: APP_ROLE, unusedAfterDays: 365, endpoint: emulator.endpoint }));
    bindPlanTimeReport(
      s,
      'excepted',
      planTimeQuery({ arn: APP_ROLE, allow: [{ permission: 'sqs', reason: 'quarterly batch' }], endpoint: emulator.endpoint }),
    );
    // No endpoint in the query: Terraform's environment (AWS_ENDPOINT_URL_IAM) decides.
    bindPlanTimeReport(s, 'from_env', planTimeQuery({ arn: TIDY_ROLE }));
    bindPlanTimeReport(s, 'org', planTimeQuery({ kind: 'organizations-access', entityPath: ORG_ROOT_PATH, endpoint: emulator.endpoint }));
    bindPlanTimeReport(
      s,
      'org_management',
      planTimeQuery({ entityPath: `${ORG_ROOT_PATH}/${ACCOUNT}`, sortKey: 'SERVICE_NAMESPACE_ASCENDING', endpoint: emulator.endpoint }),
    );
  });
});

afterAll(async () => {
  await emulator?.close();
});

function run(id: string, options: { known?: Record<string, string>; patch?: Record<string, string | undefined>; env?: Record<string, string>; cwd?: string } = {}) {
  return runLikeTerraform(externalBlock(stack, id), {
    cwd: options.cwd ?? stack.stackDir,
    known: options.known ?? {},
    queryPatch: options.patch ?? {},
    env: options.env ?? adminEnv(),
  });
}

function expectSuccess(result: ProgramRun): Record<string, string> {
  if (result.code !== 0) throw new Error(`program failed (${result.code}): ${result.stderr}`);
  expect(result.stderr).toBe('');
  const out = parseFlatStringMap(result.stdout);
  for (const key of JSON_RESULT_KEYS) if (key in out) expect(() => JSON.parse(out[key]!)).not.toThrow();
  expect(out.summary).not.toMatch(/[\r\n]/);
  return out;
}

function expectOneLineFailure(result: ProgramRun): string {
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  expect(result.stdout).toBe('');
  expect(result.stderrLines).toHaveLength(1);
  expect(result.stderr.endsWith('\n')).toBe(true);
  return result.stderrLines[0]!;
}

describe('service-last-accessed through the synthesized block', () => {
  it('answers a flat map of strings with every documented key, consistent with itself and the world', async () => {
    const out = expectSuccess(await run('by_variable', { known: { [ROLE_VAR]: APP_ROLE } }));
    expect(Object.keys(out).sort()).toEqual([...SERVICE_RESULT_KEYS].sort());
    const report = JSON.parse(out.report!);
    expect(report.arn).toBe(APP_ROLE);
    expect(out.job_id).toBe(report.jobId);
    expect(out.job_status).toBe('COMPLETED');
    expect(Number(out.service_count)).toBe(report.servicesLastAccessed.length);
    expect(report.servicesLastAccessed.map((s: { serviceNamespace: string }) => s.serviceNamespace).sort()).toEqual(APP_ALLOWED_SERVICES);
    // sqs was last used 200 days ago: unused in the default 90-day window.
    expect(JSON.parse(out.used_services!).sort()).toEqual(APP_USED_SERVICES);
    expect(JSON.parse(out.unused_services!)).toEqual(['sqs']);
    expect(out.unused_service_count).toBe('1');
    const violations = JSON.parse(out.violations!);
    expect(violations.map((v: { permission: string }) => v.permission)).toEqual(['sqs']);
    expect(out.violation_count).toBe(String(violations.length));
    expect(out.all_used).toBe('false');
    expect(out.evidence_status).toBe('sufficient');
    expect(out.summary).toContain(APP_ROLE);
    expect(out.summary).toContain('sqs');
  });

  it('lists unused tracked actions at ACTION_LEVEL', async () => {
    const out = expectSuccess(await run('action_level'));
    expect(out.granularity).toBe('ACTION_LEVEL');
    const used = JSON.parse(out.used_actions!) as string[];
    const unused = JSON.parse(out.unused_actions!) as string[];
    expect(used).toEqual(expect.arrayContaining(['s3:ListAllMyBuckets', 's3:GetBucketLocation']));
    expect(unused.some((a) => used.includes(a))).toBe(false);
    expect(out.unused_action_count).toBe(String(unused.length));
  });

  it('honours unused_after_days and allow from the query', async () => {
    const longWindow = expectSuccess(await run('long_window'));
    expect(longWindow.unused_after_days).toBe('365');
    expect(JSON.parse(longWindow.unused_services!)).toEqual([]);
    expect(longWindow.all_used).toBe('true');
    expect(longWindow.violation_count).toBe('0');

    const excepted = expectSuccess(await run('excepted'));
    expect(JSON.parse(excepted.violations!)).toEqual([]);
    expect(excepted.all_used).toBe('true');
  });

  it('takes the endpoint from Terraform\'s environment when the query has none', async () => {
    const out = expectSuccess(await run('from_env', { env: adminEnv({ AWS_ENDPOINT_URL_IAM: emulator.endpoint }) }));
    expect(JSON.parse(out.report!).arn).toBe(TIDY_ROLE);
    expect(out.all_used).toBe('true');
  });

  it('writes progress to stderr only when asked, and still answers the same map', async () => {
    const quiet = await run('by_variable', { known: { [ROLE_VAR]: TIDY_ROLE } });
    const chatty = await run('by_variable', { known: { [ROLE_VAR]: TIDY_ROLE }, env: adminEnv({ ACCESS_ADVISOR_EXTERNAL_PROGRESS: '1' }) });
    expect(quiet.stderr).toBe('');
    expect(chatty.code).toBe(0);
    expect(chatty.stderrLines.length).toBeGreaterThan(0);
    expect(chatty.stderrLines.every((l) => l.startsWith('access-advisor external: '))).toBe(true);
    expect(Object.keys(parseFlatStringMap(chatty.stdout)).sort()).toEqual(Object.keys(parseFlatStringMap(quiet.stdout)).sort());
  });
});

/**
 * Terraform evaluates the postcondition; without a Terraform binary, evaluate the canonical forms the gate uses (the
 * condition, see evaluateCondition, and a template over `${self.result["k"]}`) on the program's real answer.
 */
function renderMessage(template: string, result: Record<string, string>): string {
  return template.replace(/\$\{self\.result\["(\w+)"\]\}/g, (_, key: string) => result[key] ?? '');
}

describe('the plan-time gate on the program\'s real answers', () => {
  it('the synthesized postcondition fails for a principal with unused grants and holds for a tidy one', async () => {
    const [postcondition] = externalBlock(stack, 'by_variable').lifecycle?.postcondition ?? [];
    expect(postcondition).toBeDefined();
    const app = expectSuccess(await run('by_variable', { known: { [ROLE_VAR]: APP_ROLE } }));
    const tidy = expectSuccess(await run('by_variable', { known: { [ROLE_VAR]: TIDY_ROLE } }));
    expect(evaluateCondition(postcondition!.condition, app)).toBe(false);
    expect(evaluateCondition(postcondition!.condition, tidy)).toBe(true);
    const message = renderMessage(postcondition!.error_message, app);
    expect(message).toContain(APP_ROLE);
    expect(message).toContain('sqs');
    expect(message).not.toContain('${');
  });
});

describe('organizations access through the synthesized block', () => {
  it('answers the org keys as strings', async () => {
    const out = expectSuccess(await run('org'));
    expect(Object.keys(out).sort()).toEqual([...ORGANIZATIONS_RESULT_KEYS].sort());
    const report = JSON.parse(out.report!);
    expect(report.entityPath).toBe(ORG_ROOT_PATH);
    const accessed = JSON.parse(out.accessed_services!) as string[];
    const notAccessed = JSON.parse(out.not_accessed_services!) as string[];
    // At the root, IAM counts member accounts only: the member used ec2; the management account's s3 use is not counted.
    expect(accessed).toContain('ec2');
    expect(accessed).not.toContain('s3');
    expect(accessed.some((s) => notAccessed.includes(s))).toBe(false);
    expect(out.accessed_service_count).toBe(String(accessed.length));
    expect(out.service_count).toBe(String(accessed.length + notAccessed.length));
    expect(out.summary).toContain(ORG_ROOT_PATH);
  });

  it('infers the organizations kind from entity_path and reports the management account\'s own use', async () => {
    expect(externalBlock(stack, 'org_management').query?.kind).toBeUndefined();
    const out = expectSuccess(await run('org_management'));
    expect(out.kind).toBe('organizations-access');
    expect(JSON.parse(out.accessed_services!)).toContain('s3');
    expect(JSON.parse(out.report!).sortKey).toBe('SERVICE_NAMESPACE_ASCENDING');
  });
});

describe('failures: exit ≠ 0, exactly one stderr line naming the request and the error, empty stdout', () => {
  it('unknown role', async () => {
    const line = expectOneLineFailure(await run('by_variable', { known: { [ROLE_VAR]: MISSING_ROLE } }));
    expect(line).toContain(MISSING_ROLE);
    expect(line).toMatch(/NoSuchEntity/);
  });

  it('a job that ends FAILED', async () => {
    const line = expectOneLineFailure(await run('by_variable', { known: { [ROLE_VAR]: DOOMED_ROLE } }));
    expect(line).toContain(DOOMED_ROLE);
    expect(line).toMatch(/FAILED/);
  });

  it('a malformed ARN, before any call', async () => {
    emulator.resetMetrics();
    const line = expectOneLineFailure(await run('by_variable', { known: { [ROLE_VAR]: 'arn:aws:iam::12345:role/x' } }));
    expect(line).toContain('arn:aws:iam::12345:role/x');
    expect(emulator.metrics().totalCalls).toBe(0);
  });

  it('an unknown query key, named in the message', async () => {
    const line = expectOneLineFailure(await run('action_level', { patch: { granularty: 'ACTION_LEVEL' } }));
    expect(line).toContain('"granularty"');
  });

  it('a query value that is not a string', async () => {
    const result = await runLikeTerraform(externalBlock(stack, 'action_level'), {
      cwd: stack.stackDir,
      env: adminEnv(),
      rawStdin: JSON.stringify({ arn: APP_ROLE, timeout_seconds: 60 }),
    });
    expect(expectOneLineFailure(result)).toContain('timeout_seconds');
  });

  it('an unreachable endpoint', async () => {
    const closed = await startEmulator({ world: planWorld(), port: 0 });
    const deadEndpoint = closed.endpoint;
    await closed.close();
    const line = expectOneLineFailure(await run('action_level', { patch: { endpoint: deadEndpoint, timeout_seconds: '20' } }));
    expect(line).toContain(APP_ROLE);
  });

  it('a job that outlives timeout_seconds: exit 4, naming the job to resume', async () => {
    const slow = await startEmulator({ world: planWorld(), port: 0, jobs: { durationMs: 120_000 } });
    try {
      const result = await run('action_level', { patch: { endpoint: slow.endpoint, timeout_seconds: '2' } });
      const line = expectOneLineFailure(result);
      expect(result.code).toBe(4);
      expect(line).toContain(APP_ROLE);
      expect(line).toMatch(/job \S+ did not complete/);
      expect(slow.metrics().jobsGenerated.service).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it('wrong credentials, without leaking the secret', async () => {
    const secret = 'not-the-secret-key-at-all-0123456789ABCD';
    const line = expectOneLineFailure(
      await run('action_level', { env: cleanEnv({ AWS_ACCESS_KEY_ID: ADMIN_KEY.id, AWS_SECRET_ACCESS_KEY: secret }) }),
    );
    expect(line).toContain(APP_ROLE);
    expect(line).not.toContain(secret);
  });
});

describe('portability: the stack directory alone', () => {
  it('runs from a copy outside the project, with no node_modules above it', async () => {
    const base = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'aa-plan-portable-'));
    const copy = path.join(base, 'stacks', 'plan');
    copyTree(stack.stackDir, copy);
    expect(nodeModulesAbove(copy)).toEqual([]);
    expect(copy.startsWith(path.resolve(__dirname, '..', '..'))).toBe(false);

    const out = expectSuccess(await run('by_variable', { cwd: copy, known: { [ROLE_VAR]: APP_ROLE } }));
    expect(JSON.parse(out.unused_services!)).toEqual(['sqs']);
    const failure = expectOneLineFailure(await run('by_variable', { cwd: copy, known: { [ROLE_VAR]: MISSING_ROLE } }));
    expect(failure).toMatch(/NoSuchEntity/);
    fs.rmSync(base, { recursive: true, force: true });
  });
});

import { createServer } from 'node:net';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { startHostileServer, type HostileServer } from '../hostile/hostile-server';
import { tierRan } from '../tiers';
import {
  alive,
  AWS_VERSION,
  childPids,
  cliReport,
  describeProviderTier,
  emulatorOverride,
  initValidated,
  planFailedByPostcondition,
  ProviderSandbox,
  readText,
  ROOT,
  SOURCE,
  stateResources,
  terraform,
  terraformOk,
  TIER,
} from './support';
import { putRolePolicy, rolePolicies, rolePolicyDocument } from './role-policies';

// Expected truth from examples/world.json: app-deployer may use dynamodb, ec2, iam, lambda, logs, s3 and sqs and never
// used dynamodb or sqs.
const WORLD_FILE = join(ROOT, 'examples', 'world.json');
const ROLE_ARN = 'arn:aws:iam::123456789012:role/app-deployer';
const EXAMPLE = join(ROOT, 'examples', 'terraform-hcl');

const sandbox = new ProviderSandbox();
let emulator: RunningEmulator;
const covered: string[] = [];

/** A configuration with only the accessadvisor provider at `endpoint` and one report. */
function reportConfig(endpoint: string, arnExpression = JSON.stringify(ROLE_ARN), extra = ''): string {
  return `terraform {
  required_providers {
    accessadvisor = { source = "${SOURCE}" }
  }
}
provider "accessadvisor" {
  endpoint = "${endpoint}"
}
${extra}
data "accessadvisor_service_last_accessed" "app" {
  arn         = ${arnExpression}
  granularity = "ACTION_LEVEL"
}
output "job_id" {
  value = data.accessadvisor_service_last_accessed.app.job_id
}
`;
}

const FRESH_ARN = 'arn:aws:iam::123456789012:role/fresh-deployer';

/** hashicorp/aws creates a role and its policy in the emulator; the reports and the gate read the new role. */
function freshRoleConfig(endpoint: string): string {
  return `terraform {
  required_providers {
    aws           = { source = "hashicorp/aws", version = "${AWS_VERSION}" }
    accessadvisor = { source = "${SOURCE}" }
  }
}
${emulatorOverride(endpoint).replace('provider "aws" {', 'provider "aws" {\n  region = "us-east-1"')}
variable "team" {
  type    = string
  default = "platform"
}
resource "aws_iam_role" "fresh" {
  name = "fresh-deployer"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  tags = { team = var.team }
}
resource "aws_iam_policy" "fresh" {
  name = "fresh-deployer-policy"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "logs:CreateLogGroup"], Resource = "*" }]
  })
}
resource "aws_iam_role_policy_attachment" "fresh" {
  role       = aws_iam_role.fresh.name
  policy_arn = aws_iam_policy.fresh.arn
}
data "accessadvisor_service_last_accessed" "fresh" {
  arn        = aws_iam_role.fresh.arn
  depends_on = [aws_iam_role_policy_attachment.fresh]
}
data "accessadvisor_unused_permissions" "fresh" {
  arn               = aws_iam_role.fresh.arn
  unused_after_days = 90
  depends_on        = [aws_iam_role_policy_attachment.fresh]
}
`;
}

/** Keys in snake_case, recursively: the CLI's report as Terraform names it. */
function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(v)]));
  }
  return value;
}

/** Terraform state has every attribute, null when absent; the CLI's JSON leaves absent ones out. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
  }
  return value;
}

describeProviderTier('the accessadvisor provider through the real Terraform', () => {
  beforeAll(async () => {
    emulator = await startEmulator({ world: WORLD_FILE, jobs: { durationMs: 300 }, seed: 7 });
    sandbox.install();
  });
  afterAll(async () => {
    await emulator?.close();
    sandbox.cleanup();
    tierRan(TIER, `terraform ${covered.join('; ')} with the installed provider (AutoMTLS on) against the emulator`);
  });
  beforeEach(() => {
    emulator.setJobs({ durationMs: 300, failTargets: [] });
  });

  it('examples/terraform-hcl: the gate fails `terraform plan` with the table, passes with the tightened policies pinned as the role\'s whole set; applied (no -target), the role holds exactly them and the state equals `access-advisor service-report --output json`', async () => {
    // Its own emulator: the apply changes app-deployer's policies, which the other tests read as the world has them.
    const own = await startEmulator({ world: WORLD_FILE, jobs: { durationMs: 300 }, seed: 7 });
    try {
      const dir = sandbox.workdir({ 'emulator_override.tf': emulatorOverride(own.endpoint) }, EXAMPLE);
      const env = sandbox.env();
      await initValidated(dir, env);

      // The role may use dynamodb and sqs and never used them (ec2 is excepted), and at the default granularity
      // (ACTION_LEVEL) tracked actions of the used s3, lambda, iam and logs it did not use: the postcondition fails the plan.
      const failingStderr = await planFailedByPostcondition(dir, env);
      expect(failingStderr).toMatch(/data "accessadvisor_unused_permissions" "gate"/);
      expect(failingStderr).toMatch(/2\s+unused\s+service\(s\)\s+and\s+\d+\s+unused\s+action\(s\)\s+in\s+\d+\s+used\s+service\(s\)\s+not\s+used\s+within\s+90\s+days/);
      expect(failingStderr).toMatch(/SERVICE\s+LAST USED\s+UNUSED/);
      expect(failingStderr).toMatch(/dynamodb\s+never\s+whole service/);
      expect(failingStderr).toMatch(/sqs\s+never\s+whole service/);
      expect(failingStderr).toMatch(/s3\s+never\s+\d+ action\(s\)/);

      // With the tightened policies planned as the role's whole set, the gate judges them and passes.
      await terraformOk(['plan', '-input=false', '-var', 'attach_tightened_policy=true', '-out=plan.bin'], dir, env);
      const planned = JSON.parse(await terraformOk(['show', '-json', 'plan.bin'], dir, env)) as {
        resource_changes: { address: string; change: { actions: string[]; after: Record<string, unknown> } }[];
      };
      const change = (address: string) => planned.resource_changes.find((c) => c.address === address)?.change;
      const tightenedJson = change('aws_iam_policy.tightened[0]')!.after.policy as string;
      expect(tightenedJson).not.toMatch(/dynamodb|sqs/);
      expect(tightenedJson).toMatch(/s3|lambda/);
      expect(change('aws_iam_role_policy_attachments_exclusive.app[0]')?.actions).toEqual(['create']);
      expect(change('aws_iam_role_policies_exclusive.app[0]')?.after.policy_names).toEqual(['deploy-logs']);
      const logsJson = change('aws_iam_role_policy.deploy_logs[0]')!.after.policy as string;
      // What the role holds today, as the CLI reads it: the state's reads happened before the apply changed it.
      const cli = await cliReport(own.endpoint, ROLE_ARN, 'ACTION_LEVEL', env);
      expect(await rolePolicies(own.endpoint, 'app-deployer', env)).toEqual({ managed: ['arn:aws:iam::123456789012:policy/app-deployer-policy'], inline: ['deploy-logs'] });

      // An inline policy given to the role outside Terraform after the plan: the exclusive resource deletes it too.
      await putRolePolicy(own.endpoint, 'app-deployer', 'added-by-hand', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }] }, env);
      expect((await rolePolicies(own.endpoint, 'app-deployer', env)).inline).toEqual(['added-by-hand', 'deploy-logs']);

      // The whole plan, resources included: the emulator serves every IAM call hashicorp/aws makes for them.
      await terraformOk(['apply', '-input=false', '-auto-approve', 'plan.bin'], dir, env);
      expect(await rolePolicies(own.endpoint, 'app-deployer', env)).toEqual({
        managed: ['arn:aws:iam::123456789012:policy/app-deployer-policy-tightened'],
        inline: ['deploy-logs'],
      });
      expect(await rolePolicyDocument(own.endpoint, 'app-deployer', 'deploy-logs', env)).toEqual(JSON.parse(logsJson));
      const calls = own.metrics().calls;
      expect([calls.DetachRolePolicy, calls.DeleteRolePolicy]).toEqual([1, 1]);
      expect(calls.ListAttachedRolePolicies).toBeGreaterThanOrEqual(1);

      const resources = await stateResources(dir, env);
      const report = resources.find((r) => r.address === 'data.accessadvisor_service_last_accessed.app');
      expect(report).toBeDefined();
      const values = report!.values;
      expect(values.arn).toBe(cli.arn);
      expect(values.granularity).toBe('ACTION_LEVEL');
      expect(values.job_status).toBe('COMPLETED');
      expect(values.job_id).toMatch(/^[0-9a-f-]{36}$/);
      // Each read is its own job: ids and job dates differ; what the job found is the same.
      expect(values.job_id).not.toBe(cli.jobId);
      expect(Date.parse(values.job_completion_date as string)).toBeGreaterThanOrEqual(Date.parse(values.job_creation_date as string));
      expect(withoutNulls(values.services)).toEqual(snakeKeys(cli.servicesLastAccessed));
      expect((values.services as unknown[]).length).toBe(7);
      const gate = resources.find((r) => r.address === 'data.accessadvisor_unused_permissions.gate')!.values;
      expect(gate.passed).toBe(true);
      expect(gate.violation_count).toBe(0);
      expect(gate.status).toBe('sufficient');
      const tightenedState = resources.find((r) => r.address === 'data.accessadvisor_tightened_policy.app')!.values;
      expect(tightenedState.removed_services).toEqual(['dynamodb', 'sqs']);
      expect((tightenedState.proof as { holds: boolean }).holds).toBe(true);

      const outputs = JSON.parse(await terraformOk(['output', '-json'], dir, env)) as Record<string, { value: unknown }>;
      expect(outputs.services_never_used.value).toEqual(['dynamodb', 'sqs']);
      const appliedLogs = outputs.deploy_logs_policy.value as string;
      expect(JSON.parse(appliedLogs)).toEqual(JSON.parse(logsJson));

      // The next plan, tightening the originals again: the report no longer lists what the apply removed, so the
      // tightening keeps it (no evidence) and the plan would grant it back. The check says so, without failing.
      const again = await terraform(['plan', '-input=false', '-no-color', '-var', 'attach_tightened_policy=true', '-out=again.bin'], dir, env);
      expect(again.code).toBe(0);
      expect(again.stdout + again.stderr).toMatch(/Check block assertion failed/);
      expect((again.stdout + again.stderr).replace(/\s+/g, ' ')).toMatch(/tightened allow dynamodb, sqs, which the role's report does not list/);
      const regranted = JSON.parse(await terraformOk(['show', '-json', 'again.bin'], dir, env)) as typeof planned;
      expect(regranted.resource_changes.find((c) => c.address === 'aws_iam_policy.tightened[0]')?.change.actions).toEqual(['update']);

      // Tightening what the role holds converges: nothing to change, and the check passes.
      const converged = await terraform(
        ['plan', '-input=false', '-no-color', '-var', 'attach_tightened_policy=true', '-var', 'tighten_applied_policies=true', '-var', `deploy_logs_policy=${appliedLogs}`, '-out=converged.bin'],
        dir,
        env,
      );
      expect(converged.code).toBe(0);
      expect(converged.stdout + converged.stderr).not.toMatch(/Check block assertion failed/);
      const steady = JSON.parse(await terraformOk(['show', '-json', 'converged.bin'], dir, env)) as typeof planned;
      expect(steady.resource_changes.map((c) => [c.address, c.change.actions]).sort()).toEqual(
        ['aws_iam_policy.tightened[0]', 'aws_iam_role_policies_exclusive.app[0]', 'aws_iam_role_policy.deploy_logs[0]', 'aws_iam_role_policy_attachments_exclusive.app[0]'].map((a) => [a, ['no-op']]),
      );
      covered.push('examples/terraform-hcl init/validate, gate failing then passing plan, apply without -target (role holds exactly the pinned set; state = service-report JSON), the next plan converging');
    } finally {
      await own.close();
    }
  }, 400_000);

  it('a role created in the same configuration: plan defers its report, apply reads it (insufficient history), tags change, destroy removes it; AutoMTLS on', async () => {
    const dir = sandbox.workdir({ 'main.tf': freshRoleConfig(emulator.endpoint) });
    const log = join(dir, 'terraform.log');
    const env = sandbox.env({ TF_LOG: 'debug', TF_LOG_PATH: log });
    await terraformOk(['init', '-input=false'], dir, env);
    await terraformOk(['plan', '-input=false', '-out=plan.bin'], dir, env);
    const planned = JSON.parse(await terraformOk(['show', '-json', 'plan.bin'], dir, env)) as {
      resource_changes: { address: string; change: { actions: string[]; after_unknown: Record<string, unknown> } }[];
    };
    const change = (address: string) => planned.resource_changes.find((c) => c.address === address)?.change;
    expect(change('aws_iam_role.fresh')?.actions).toEqual(['create']);
    // The role's ARN is unknown at plan: both reads wait for apply, their results unknown.
    expect(change('data.accessadvisor_service_last_accessed.fresh')?.actions).toEqual(['read']);
    expect(change('data.accessadvisor_service_last_accessed.fresh')?.after_unknown.services).toBe(true);
    expect(change('data.accessadvisor_unused_permissions.fresh')?.actions).toEqual(['read']);
    expect(change('data.accessadvisor_unused_permissions.fresh')?.after_unknown.status).toBe(true);
    expect(emulator.metrics().calls.CreateRole ?? 0).toBe(0);

    const apply = await terraformOk(['apply', '-input=false', 'plan.bin'], dir, env);
    expect(apply).toMatch(/aws_iam_role\.fresh: Creation complete/);
    expect(apply).toMatch(/data\.accessadvisor_service_last_accessed\.fresh: Read complete/);
    expect(apply).toMatch(/data\.accessadvisor_unused_permissions\.fresh: Read complete/);
    const resources = await stateResources(dir, env);
    const role = resources.find((r) => r.address === 'aws_iam_role.fresh')!.values;
    expect(role.arn).toBe(FRESH_ARN);
    const report = resources.find((r) => r.address === 'data.accessadvisor_service_last_accessed.fresh')!.values;
    expect(report.arn).toBe(FRESH_ARN);
    expect(report.job_status).toBe('COMPLETED');
    expect(Date.parse(report.principal_create_date as string)).toBe(Date.parse(role.create_date as string));
    // The attached policy grants s3 and logs; a role created a moment ago has used neither.
    expect((report.services as { service_namespace: string; last_authenticated: unknown; total_authenticated_entities: number }[]).map((s) => [s.service_namespace, s.last_authenticated, s.total_authenticated_entities])).toEqual([
      ['logs', null, 0],
      ['s3', null, 0],
    ]);
    // Never used, but too young for that to mean unused: the gate has no evidence to fail on.
    const gate = resources.find((r) => r.address === 'data.accessadvisor_unused_permissions.fresh')!.values;
    expect(gate.status).toBe('insufficient-history');
    expect(gate.unused_services).toEqual([]);
    expect(gate.violation_count).toBe(0);
    expect(gate.passed).toBe(true);

    // A tag change is an in-place update (TagRole/UntagRole), and the report is read again on the role.
    emulator.resetMetrics();
    const retag = await terraformOk(['apply', '-input=false', '-auto-approve', '-var', 'team=payments'], dir, env);
    expect(retag).toMatch(/aws_iam_role\.fresh: Modifications complete/);
    expect(emulator.metrics().calls.TagRole).toBe(1);
    expect((await stateResources(dir, env)).find((r) => r.address === 'aws_iam_role.fresh')!.values.tags).toEqual({ team: 'payments' });

    const destroy = await terraformOk(['destroy', '-input=false', '-auto-approve', '-var', 'team=payments'], dir, env);
    expect(destroy).toMatch(/Destroy complete! Resources: 3 destroyed/);
    expect(await stateResources(dir, env)).toEqual([]);
    await expect(cliReport(emulator.endpoint, FRESH_ARN, 'SERVICE_LEVEL', env)).rejects.toThrow(/NoSuchEntity/);

    // Terraform's default: its plugin client configured automatic mutual TLS and the provider answered with TLS.
    const logText = readText(log);
    expect(logText).toMatch(/configuring client automatic mTLS/);
    expect(logText).not.toMatch(/TF_DISABLE_PLUGIN_TLS/);
    covered.push('a role created in the same configuration (reads deferred to apply, tag update, destroy)');
  }, 400_000);

  it('organizations access report and policies granting service access; bad values are diagnostics naming the attribute', async () => {
    const config = `terraform {
  required_providers {
    accessadvisor = { source = "${SOURCE}" }
  }
}
provider "accessadvisor" {
  endpoint         = "${emulator.endpoint}"
  max_request_rate = var.rate
}
variable "rate" {
  type    = number
  default = 20
}
variable "granularity" {
  type    = string
  default = "SERVICE_LEVEL"
}
data "accessadvisor_organizations_access_report" "root" {
  entity_path = "o-4fxmplt198/r-c3xb"
}
data "accessadvisor_policies_granting_service_access" "app" {
  arn                = "${ROLE_ARN}"
  service_namespaces = ["s3", "logs"]
}
data "accessadvisor_service_last_accessed" "app" {
  arn         = "${ROLE_ARN}"
  granularity = var.granularity
}
`;
    const dir = sandbox.workdir({ 'main.tf': config });
    const env = sandbox.env();
    await terraformOk(['init', '-input=false'], dir, env);
    await terraformOk(['apply', '-input=false', '-auto-approve'], dir, env);
    const resources = await stateResources(dir, env);
    const org = resources.find((r) => r.address === 'data.accessadvisor_organizations_access_report.root')!.values;
    expect(org.job_status).toBe('COMPLETED');
    expect((org.access_details as { service_namespace: string }[]).map((d) => d.service_namespace)).toContain('s3');
    const granting = resources.find((r) => r.address === 'data.accessadvisor_policies_granting_service_access.app')!.values;
    expect(granting.services).toEqual([
      {
        service_namespace: 's3',
        policies: [{ policy_name: 'app-deployer-policy', policy_type: 'MANAGED', policy_arn: 'arn:aws:iam::123456789012:policy/app-deployer-policy', entity_type: null, entity_name: null }],
      },
      { service_namespace: 'logs', policies: [{ policy_name: 'deploy-logs', policy_type: 'INLINE', policy_arn: null, entity_type: 'ROLE', entity_name: 'app-deployer' }] },
    ]);

    const badGranularity = await terraform(['plan', '-input=false', '-var', 'granularity=FINE'], dir, env);
    expect(badGranularity.code).toBe(1);
    expect(badGranularity.stderr).toMatch(/Error: Invalid granularity/);
    expect(badGranularity.stderr).toMatch(/granularity = var\.granularity/);
    expect(badGranularity.stderr).toMatch(/"FINE" is not allowed; expected one of SERVICE_LEVEL, ACTION_LEVEL/);
    const badRate = await terraform(['plan', '-input=false', '-var', 'rate=-1'], dir, env);
    expect(badRate.code).toBe(1);
    expect(badRate.stderr).toMatch(/Error: Invalid max_request_rate/);
    expect(badRate.stderr).toMatch(/max_request_rate = var\.rate/);
    covered.push('organizations report, policies granting, bad-input diagnostics');
  }, 300_000);

  describe('faults are error diagnostics with the cause, and nothing reaches the state', () => {
    let hostile: HostileServer | undefined;
    afterEach(async () => {
      await hostile?.close();
      hostile = undefined;
    });

    async function applyFails(endpoint: string): Promise<string> {
      const dir = sandbox.workdir({ 'main.tf': reportConfig(endpoint) });
      const env = sandbox.env();
      await terraformOk(['init', '-input=false'], dir, env);
      const run = await terraform(['apply', '-input=false', '-auto-approve'], dir, env);
      expect(run.code).toBe(1);
      expect(await stateResources(dir, env)).toEqual([]);
      return run.stderr;
    }

    it('a FAILED job', async () => {
      emulator.setJobs({ failTargets: [ROLE_ARN] });
      const stderr = await applyFails(emulator.endpoint);
      expect(stderr).toMatch(/Error: accessadvisor_service_last_accessed: the report could not be read/);
      expect(stderr).toMatch(/FAILED/);
      expect(stderr).toMatch(/data "accessadvisor_service_last_accessed" "app"/);
      covered.push('FAILED job');
    }, 300_000);

    it('the endpoint is down', async () => {
      const port = await closedPort();
      const stderr = await applyFails(`http://127.0.0.1:${port}`);
      expect(stderr).toMatch(/NetworkingError:\s+ECONNREFUSED/);
      covered.push('endpoint down');
    }, 300_000);

    it('a hostile later page (HTML instead of page 2)', async () => {
      hostile = await startHostileServer('html-page2');
      const stderr = await applyFails(hostile.endpoint);
      expect(stderr).toMatch(/the report could not be read/);
      expect(stderr).toMatch(/page 2/);
      covered.push('hostile page 2');
    }, 300_000);

    it('throttling that never stops (429 on every request)', async () => {
      hostile = await startHostileServer('text-429');
      const stderr = await applyFails(hostile.endpoint);
      expect(stderr).toMatch(/429/);
      covered.push('persistent throttling');
    }, 300_000);
  });

  describe('SIGINT to terraform during a 30 s job ends the provider within 5 s and leaves no process', () => {
    /** Runs terraform, interrupts it once the read is under way, and measures how long the provider outlives that. */
    async function interrupt(args: string[], dir: string, env: NodeJS.ProcessEnv): Promise<{ goneAfterMs: number; code: number | null; stderr: string }> {
      let terraformPid = 0;
      let output = '';
      const run = terraform(args, dir, env, (child) => {
        terraformPid = child.pid!;
        child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      });
      const since = Date.now();
      while (!/accessadvisor_service_last_accessed\.app: Reading/.test(output)) {
        if (Date.now() - since > 120_000) throw new Error(`terraform never started the read:\n${output}`);
        await sleep(100);
      }
      await sleep(1_000);
      const providers = childPids(terraformPid).filter((pid) => readText(`/proc/${pid}/cmdline`).includes('provider/provider-bundle.js'));
      expect(providers).toHaveLength(1);
      const interruptedAt = Date.now();
      process.kill(terraformPid, 'SIGINT');
      while (alive(providers[0]!) && Date.now() - interruptedAt < 10_000) await sleep(50);
      const goneAfterMs = Date.now() - interruptedAt;
      const result = await run;
      expect(alive(providers[0]!)).toBe(false);
      return { goneAfterMs, code: result.code, stderr: result.stderr };
    }

    it('terraform plan (the read runs during plan)', async () => {
      emulator.setJobs({ durationMs: 30_000 });
      const dir = sandbox.workdir({ 'main.tf': reportConfig(emulator.endpoint) });
      const env = sandbox.env();
      await terraformOk(['init', '-input=false'], dir, env);
      const run = await interrupt(['plan', '-input=false'], dir, env);
      expect(run.goneAfterMs).toBeLessThan(5_000);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/AbortedError/);
      covered.push(`SIGINT during plan (provider gone after ${run.goneAfterMs} ms)`);
    }, 300_000);

    it('terraform apply of a read deferred to apply', async () => {
      const extra = `resource "terraform_data" "role" {\n  input = "${ROLE_ARN}"\n}\n`;
      const dir = sandbox.workdir({ 'main.tf': reportConfig(emulator.endpoint, 'terraform_data.role.output', extra) });
      const env = sandbox.env();
      await terraformOk(['init', '-input=false'], dir, env);
      await terraformOk(['plan', '-input=false', '-out=plan.bin'], dir, env);
      emulator.setJobs({ durationMs: 30_000 });
      const run = await interrupt(['apply', '-input=false', 'plan.bin'], dir, env);
      expect(run.goneAfterMs).toBeLessThan(5_000);
      expect(run.code).toBe(1);
      const report = (await stateResources(dir, env)).find((r) => r.address === 'data.accessadvisor_service_last_accessed.app');
      expect(report).toBeUndefined();
      covered.push(`SIGINT during apply (provider gone after ${run.goneAfterMs} ms)`);
    }, 300_000);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port nobody listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { emulatorEnvironment, outputOf, type SynthResult } from '../../scripts/example-harness';
import { tierRan } from '../tiers';
import { ExampleWorld } from './support';
import { describeTerraform, runnableCopy, terraformPlan, type TerraformPlan } from './terraform';

// The plan-mode stack needs the hashicorp/external provider, which the machine's Terraform plugin mirror lacks (and
// the tests use no network): the test goes up to the Terraform boundary. It reads the synthesized data sources, then
// runs the external program exactly as the external provider would once Terraform has read data.aws_iam_role (query
// JSON on stdin, cwd the stack directory, credentials from the environment) and evaluates the postcondition's
// expression on the answer. The Terraform tier below plans the stack without its external block: the real aws
// provider reads data.aws_iam_role through the emulator's GetRole, the ARN the program then receives. Expected decision, from examples/world.json: app-deployer's policies allow dynamodb,
// ec2, iam, lambda, logs, s3 and sqs; in the last 90 days it used iam, lambda, logs and s3; ec2 (210 days ago) is
// excepted; dynamodb and sqs were never used → two violations, the plan fails.
const world = new ExampleWorld();
let result: SynthResult;
const ROLE_ARN = 'arn:aws:iam::123456789012:role/app-deployer';

beforeAll(async () => {
  await world.start();
  result = await world.synth('plan-time-gate'); // the real `cdktf synth`
}, 600_000);
afterAll(async () => {
  await world.stop();
  tierRan('cdktf-cli', 'cdktf synth of examples/plan-time-gate');
});

interface ExternalBlock {
  program: string[];
  query: Record<string, string>;
  lifecycle: { postcondition: { condition: string; error_message: string }[] };
}

function externalBlock(): [string, ExternalBlock] {
  const blocks = Object.entries(result.stack.data.external as Record<string, ExternalBlock>);
  expect(blocks).toHaveLength(1);
  return blocks[0]!;
}

/** Run the program like terraform-provider-external: no shell, query on stdin, stdout a flat map of strings. */
function runProgram(program: string[], query: Record<string, string>, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command, ...args] = program.map((part) => part.replace('${path.module}', '.'));
  return new Promise((resolve, reject) => {
    const child = spawn(command === 'node' ? process.execPath : command!, args, { cwd, env: emulatorEnvironment(world.emulator.endpoint) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(JSON.stringify(query));
  });
}

describe('examples/plan-time-gate', () => {
  it('looks the role up with a data source and feeds its ARN (a token) to a plan-time report', () => {
    expect(result.stack.data.aws_iam_role.app_deployer.name).toBe('app-deployer');
    const [, block] = externalBlock();
    expect(block.query).toEqual({
      kind: 'service-last-accessed',
      arn: '${data.aws_iam_role.app_deployer.arn}',
      granularity: 'SERVICE_LEVEL',
      with_entities: 'false',
      timeout_seconds: '300',
      unused_after_days: '90',
      allow: JSON.stringify([{ permission: 'ec2', reason: 'AMI lookups for the twice-yearly base image rotation' }]),
    });
    expect(result.stack.terraform.required_providers.external.source).toBe('hashicorp/external');
  });

  it('ships the bundled program as an asset of the stack and runs it with node', () => {
    const [, block] = externalBlock();
    expect(block.program[0]).toBe('node');
    expect(block.program[1]).toMatch(/^\$\{path\.module\}\/assets\/.+\/access-advisor-external\.js$/);
    expect(existsSync(join(result.stackDir, block.program[1]!.replace('${path.module}/', '')))).toBe(true);
  });

  it('attaches the gate as a postcondition of the data source', () => {
    const [, block] = externalBlock();
    expect(block.lifecycle.postcondition).toEqual([
      { condition: '${self.result["violation_count"] == "0"}', error_message: 'Least-privilege gate: ${self.result["summary"]}' },
    ]);
    const [id] = externalBlock();
    expect(outputOf(result, 'app_deployer_gate_summary')).toBe(`\${data.external.${id}.result["summary"]}`);
    expect(outputOf(result, 'app_deployer_unused_services')).toBe(`\${jsondecode(data.external.${id}.result["unused_services"])}`);
  });

  it('at plan, the program finds exactly dynamodb and sqs unused (ec2 excepted) and the postcondition fails', async () => {
    const [, block] = externalBlock();
    const query = { ...block.query, arn: ROLE_ARN }; // what Terraform passes once data.aws_iam_role is read
    const run = await runProgram(block.program, query, result.stackDir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout) as Record<string, unknown>;
    for (const value of Object.values(answer)) expect(typeof value).toBe('string');
    const violations = JSON.parse(answer.violations as string) as { permission: string }[];
    expect(violations.map((v) => v.permission)).toEqual(['dynamodb', 'sqs']);
    expect(answer.violation_count).toBe('2');
    expect(answer.evidence_status).toBe('sufficient');
    // the postcondition `self.result["violation_count"] == "0"` is false: terraform plan stops with the summary
    expect(answer.violation_count === '0').toBe(false);
    expect(answer.summary).toMatch(/dynamodb/);
  });
});

describeTerraform('plan-time-gate (without its data "external" block)', () => {
  let plan: TerraformPlan;
  beforeAll(async () => {
    const stack = runnableCopy(result.stack, world.emulator.endpoint);
    delete stack.data.external;
    delete stack.terraform.required_providers.external;
    delete stack.provider.external;
    stack.output = { app_deployer_arn: { value: '${data.aws_iam_role.app_deployer.arn}' } };
    world.emulator.resetMetrics();
    plan = await terraformPlan(world, result, stack);
  }, 600_000);

  it('the real aws provider reads the role through the emulator\'s GetRole: the ARN the program receives', () => {
    expect(plan.validate).toMatch(/configuration is valid/);
    expect(world.emulator.metrics().calls.GetRole).toBeGreaterThanOrEqual(1);
    expect(plan.readData['data.aws_iam_role.app_deployer']).toMatchObject({ name: 'app-deployer', arn: ROLE_ARN });
    expect(plan.outputs.app_deployer_arn).toBe(ROLE_ARN);
  });
});

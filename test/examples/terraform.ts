import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORLD_ADMIN_KEY, type StackJson, type SynthResult } from '../../scripts/example-harness';
import { tierNotRun, tierRan } from '../tiers';
import { TERRAFORM_PLUGIN_MIRROR, type ExampleWorld } from './support';

// The Terraform tier: a synthesized stack goes through the real `terraform init` (providers from the machine's
// filesystem mirror only: no registry, no network), `validate` and `plan`, with the real hashicorp/aws provider
// pointed at the emulator. What the tests read is the saved plan (`terraform show -json`): the literal decisions
// as Terraform will apply them. Where `terraform` or the mirror is missing, the tier reports that it did not run.

/** The provider version in the mirror; the stacks pin the version of their prebuilt provider (6.x). */
export const MIRRORED_AWS_PROVIDER = '5.100.0';

export function terraformAvailability(): { available: true } | { available: false; why: string } {
  const version = spawnSync('terraform', ['version'], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  if (version.error || version.status !== 0) return { available: false, why: '`terraform` is not on PATH' };
  const provider = join(TERRAFORM_PLUGIN_MIRROR, 'registry.terraform.io', 'hashicorp', 'aws', MIRRORED_AWS_PROVIDER);
  if (!existsSync(provider)) return { available: false, why: `no hashicorp/aws ${MIRRORED_AWS_PROVIDER} in the filesystem mirror ${TERRAFORM_PLUGIN_MIRROR}` };
  return { available: true };
}

/**
 * `describe` for the Terraform tier of one example: its tests run where Terraform and the mirror are present;
 * elsewhere one test records (and `.ci/run` prints) why the tier did not run — never a silent skip.
 */
export function describeTerraform(example: string, body: () => void): void {
  const availability = terraformAvailability();
  describe(`examples/${example} through terraform init, validate and plan`, () => {
    if (!availability.available) {
      it('reports that the Terraform tier could not run here, and why', () => {
        tierNotRun('terraform', availability.why);
        expect(availability.why).not.toBe('');
      });
      return;
    }
    afterAll(() => tierRan('terraform', `init, validate and plan of examples/${example} (hashicorp/aws ${MIRRORED_AWS_PROVIDER} against the emulator)`));
    body();
  });
}

export interface TerraformPlan {
  /** Output values as planned (all known at plan: the decisions are literals). */
  readonly outputs: Record<string, unknown>;
  /** `resource_changes[].change.after` by address. */
  readonly after: Record<string, Record<string, unknown>>;
  /** Data sources Terraform read during the plan, by address (`prior_state` of the saved plan). */
  readonly readData: Record<string, Record<string, unknown>>;
  readonly validate: string;
}

/**
 * The test's copy of a synthesized stack, made runnable here: the aws provider pinned to the mirrored version,
 * static example credentials, the IAM and STS endpoints at the emulator, every AWS account/metadata check skipped,
 * and a local backend inside the copy.
 */
export function runnableCopy(stack: StackJson, endpoint: string): StackJson {
  const copy = JSON.parse(JSON.stringify(stack)) as StackJson;
  copy.terraform.backend = { local: { path: 'terraform.tfstate' } };
  copy.terraform.required_providers.aws = { source: 'hashicorp/aws', version: MIRRORED_AWS_PROVIDER };
  for (const provider of copy.provider.aws as Record<string, unknown>[]) {
    Object.assign(provider, {
      access_key: WORLD_ADMIN_KEY.accessKeyId,
      secret_key: WORLD_ADMIN_KEY.secretAccessKey,
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
      endpoints: [{ iam: endpoint, sts: endpoint }],
    });
  }
  return copy;
}

/** init → validate → plan -out → show -json, in a copy of the stack directory under the world's scratch. */
export async function terraformPlan(world: ExampleWorld, result: SynthResult, stack: StackJson = runnableCopy(result.stack, world.emulator.endpoint)): Promise<TerraformPlan> {
  const dir = join(world.scratch, `terraform-${result.example}-${Date.now()}`);
  mkdirSync(dir);
  cpSync(result.stackDir, dir, { recursive: true });
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(stack, null, 2));
  const env = terraformEnvironment(world.terraformConfig);
  await terraform(['init', '-input=false', '-no-color'], dir, env);
  const validate = await terraform(['validate', '-no-color'], dir, env);
  await terraform(['plan', '-input=false', '-no-color', '-lock=false', '-out=plan.bin'], dir, env);
  const shown = JSON.parse(await terraform(['show', '-json', '-no-color', 'plan.bin'], dir, env)) as {
    output_changes?: Record<string, { after: unknown }>;
    resource_changes?: { address: string; change: { after: Record<string, unknown> } }[];
    prior_state?: { values?: { root_module?: { resources?: { address: string; mode: string; values: Record<string, unknown> }[] } } };
  };
  return {
    outputs: Object.fromEntries(Object.entries(shown.output_changes ?? {}).map(([name, change]) => [name, change.after])),
    after: Object.fromEntries((shown.resource_changes ?? []).map((change) => [change.address, change.change.after])),
    readData: Object.fromEntries(
      (shown.prior_state?.values?.root_module?.resources ?? []).filter((r) => r.mode === 'data').map((r) => [r.address, r.values]),
    ),
    validate,
  };
}

/** No AWS setup of the user, no checkpoint calls; anything honouring a proxy fails instead of leaving the machine. */
function terraformEnvironment(cliConfig: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_') && !key.startsWith('TF_')) env[key] = value;
  return {
    ...env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    HTTP_PROXY: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
  };
}

/** One terraform command; asynchronous because the emulator answering the provider runs in this process. */
function terraform(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`terraform ${args[0]} in ${cwd} exited ${code}:\n${stderr.trim() || stdout.trim()}`));
    });
  });
}

/** The policy JSON of a planned aws_iam_policy (as Terraform will send it). */
export function plannedPolicy(plan: TerraformPlan, address: string): string {
  const after = plan.after[address];
  if (!after) throw new Error(`no planned change for ${address}; planned: ${Object.keys(plan.after).join(', ')}`);
  return after.policy as string;
}

/** The stack's outputs as synthesized: `{ name: value }`. */
export function synthesizedOutputs(result: SynthResult): Record<string, unknown> {
  return Object.fromEntries(Object.entries((result.stack.output ?? {}) as Record<string, { value: unknown }>).map(([name, output]) => [name, output.value]));
}

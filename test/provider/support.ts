import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tierNotRun } from '../tiers';

// The Terraform provider tier: the real Terraform on the machine starts this package's provider, installed by the
// built CLI (`access-advisor provider install --dir …`), next to hashicorp/aws from the machine's filesystem
// mirror; nothing comes from the network. Terraform keeps its default settings (AutoMTLS on).

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
export const TIER = 'terraform-provider';
export const AWS_MIRROR = '/opt/tf-plugins';
export const AWS_VERSION = '5.100.0';
export const SOURCE = 'local.invalid/cdktf-access-advisor/accessadvisor';
export const ADMIN_KEY = { id: 'AKIAIOSFODNN7EXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

export function availability(): { available: true } | { available: false; why: string } {
  const version = spawnSync('terraform', ['version'], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  if (version.error || version.status !== 0) return { available: false, why: '`terraform` is not on PATH' };
  if (!existsSync(join(AWS_MIRROR, 'registry.terraform.io', 'hashicorp', 'aws', AWS_VERSION))) {
    return { available: false, why: `no hashicorp/aws ${AWS_VERSION} in the filesystem mirror ${AWS_MIRROR}` };
  }
  if (!existsSync(CLI)) return { available: false, why: 'dist/ is not built (npm run build)' };
  return { available: true };
}

/** `describe` for the tier: where it cannot run, one test says why (printed by .ci/run), never a silent skip. */
export function describeProviderTier(name: string, body: () => void): void {
  const state = availability();
  describe(name, () => {
    if (!state.available) {
      it('reports that the terraform-provider tier could not run here, and why', () => {
        tierNotRun(TIER, state.why);
        expect(state.why).not.toBe('');
      });
      return;
    }
    body();
  });
}

/** A scratch area with the provider installed by the built CLI and a CLI config naming both mirrors. */
export class ProviderSandbox {
  readonly scratch = mkdtempSync(join(tmpdir(), 'aa-provider-'));
  readonly plugins = join(this.scratch, 'plugins');
  readonly cliConfig = join(this.scratch, 'terraform.tfrc');
  readonly home = join(this.scratch, 'home');
  private dirs = 0;

  install(): { executable: string; source: string } {
    mkdirSync(this.home, { recursive: true });
    const run = spawnSync(process.execPath, [CLI, 'provider', 'install', '--dir', this.plugins], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`provider install exited ${run.status}: ${run.stderr}`);
    writeFileSync(
      this.cliConfig,
      [
        'provider_installation {',
        `  filesystem_mirror {\n    path    = "${this.plugins}"\n    include = ["local.invalid/*/*"]\n  }`,
        `  filesystem_mirror {\n    path    = "${AWS_MIRROR}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }`,
        '  direct {\n    exclude = ["*/*/*"]\n  }',
        '}',
        '',
      ].join('\n'),
    );
    return JSON.parse(run.stdout) as { executable: string; source: string };
  }

  /** A fresh working directory with these files (name → content), or a copy of `from`. */
  workdir(files: Record<string, string>, from?: string): string {
    const dir = join(this.scratch, `work-${++this.dirs}`);
    if (from) cpSync(from, dir, { recursive: true });
    else mkdirSync(dir);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  }

  /** No AWS or Terraform setup of the user; credentials of the emulator's admin; no checkpoint calls; no proxies. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_') && !key.startsWith('TF_')) env[key] = value;
    return {
      ...env,
      HOME: this.home,
      TF_CLI_CONFIG_FILE: this.cliConfig,
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      AWS_ACCESS_KEY_ID: ADMIN_KEY.id,
      AWS_SECRET_ACCESS_KEY: ADMIN_KEY.secret,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(this.home, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(this.home, 'no-aws-credentials'),
      NO_PROXY: '127.0.0.1,localhost',
      ...extra,
    };
  }

  cleanup(): void {
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** One terraform command, asynchronous (the emulator answering the provider lives in this process). */
export function terraform(args: string[], cwd: string, env: NodeJS.ProcessEnv, onSpawn?: (child: ChildProcess) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', [...args, '-no-color'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    onSpawn?.(child);
  });
}

/** Like `terraform`, but a non-zero exit rejects with Terraform's output. */
export async function terraformOk(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const run = await terraform(args, cwd, env);
  if (run.code !== 0) throw new Error(`terraform ${args.join(' ')} exited ${run.code}:\n${run.stderr || run.stdout}`);
  return run.stdout;
}

/** `terraform init`, then `terraform validate`, which must call the configuration valid. */
export async function initValidated(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  await terraformOk(['init', '-input=false'], dir, env);
  expect(await terraformOk(['validate'], dir, env)).toMatch(/The configuration is valid/);
}

/** A `terraform plan` that a postcondition fails (exit 1, "Resource postcondition failed"): Terraform's stderr. */
export async function planFailedByPostcondition(dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const plan = await terraform(['plan', '-input=false'], dir, env);
  expect(plan.code).toBe(1);
  expect(plan.stderr).toMatch(/Resource postcondition failed/);
  return plan.stderr;
}

export interface StateResource {
  address: string;
  mode: string;
  type: string;
  values: Record<string, unknown>;
}

/** The resources (data sources included) of `terraform show -json` (the state). */
export async function stateResources(dir: string, env: NodeJS.ProcessEnv): Promise<StateResource[]> {
  const shown = JSON.parse(await terraformOk(['show', '-json'], dir, env)) as { values?: { root_module?: { resources?: StateResource[] } } };
  return shown.values?.root_module?.resources ?? [];
}

/** Terraform's HCL override file pointing both providers at the emulator (the example itself stays as users see it). */
export function emulatorOverride(endpoint: string): string {
  return `provider "aws" {
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    iam = "${endpoint}"
    sts = "${endpoint}"
  }
}

provider "accessadvisor" {
  endpoint = "${endpoint}"
}
`;
}

/** The access-advisor CLI's JSON report for one ARN (the same emulator). */
export function cliReport(endpoint: string, arn: string, granularity: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'service-report', '--arn', arn, '--granularity', granularity, '--endpoint-url', endpoint, '--output', 'json'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as Record<string, unknown>) : reject(new Error(`service-report exited ${code}: ${stderr}`))));
  });
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Child process ids of `pid` (Linux /proc; the provider is a direct child of terraform). */
export function childPids(pid: number): number[] {
  const run = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return run.stdout
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat); // a zombie has ended
  } catch {
    return false;
  }
}

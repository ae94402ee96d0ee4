// Runs the example cdktf apps the way `cdktf synth` does — the app command of cdktf.json in a shell, cwd the
// example directory, CDKTF_OUTDIR and CDKTF_CONTEXT_JSON set — against a local emulator. Shared by `npm run demo`
// (scripts/demo.ts) and the example tests (test/examples). Not part of the package.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..');
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');
export const WORLD_FILE = join(EXAMPLES_DIR, 'world.json');
/** The admin user of the example world's management account: AWS's documented example key pair. */
export const WORLD_ADMIN_KEY = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

export type ExampleName = 'least-privilege-role' | 'plan-time-gate' | 'organizations-scp-review' | 'ci-drift-ratchet';

export interface SynthOptions {
  /** The emulator endpoint, passed as AWS_ENDPOINT_URL_IAM: the example code itself names no endpoint. */
  readonly endpoint: string;
  /** CDKTF_OUTDIR; its parent must exist. */
  readonly outdir: string;
  /** ACCESS_ADVISOR_CACHE_FILE: keep emulator answers out of any cache a real synth would use. */
  readonly cacheFile: string;
  /** Extra app context (merged over cdktf.json's `context`). */
  readonly context?: Record<string, unknown>;
  /** Skip ts-node's type check (`npm run lint` type-checks the examples already). Default true. */
  readonly transpileOnly?: boolean;
  /** Kill the app after this long. Default 180 s. */
  readonly timeoutMs?: number;
}

export interface Annotation {
  readonly constructPath: string;
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
}

/** A synthesized stack, as cdktf writes it (any JSON shape: the callers know their stacks). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized JSON of any shape, indexed by the caller's own keys
export type StackJson = Record<string, any>;

export interface SynthResult {
  readonly example: ExampleName;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outdir: string;
  readonly stackName: string;
  /** Directory of the stack inside the outdir (where Terraform would run). */
  readonly stackDir: string;
  readonly stack: StackJson;
  readonly annotations: readonly Annotation[];
}

export class ExampleSynthError extends Error {}

/**
 * The environment of a synth against the emulator: nothing of the user's AWS setup (no profile, token, config file
 * or instance metadata), only the world's admin key, the region and the endpoint.
 */
export function emulatorEnvironment(endpoint: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('CDKTF_') && !key.startsWith('ACCESS_ADVISOR_')) env[key] = value;
  }
  return {
    ...env,
    AWS_ACCESS_KEY_ID: WORLD_ADMIN_KEY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: WORLD_ADMIN_KEY.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_IAM: endpoint,
    AWS_CONFIG_FILE: join(REPO_ROOT, '.no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(REPO_ROOT, '.no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

export function exampleDir(example: ExampleName): string {
  return join(EXAMPLES_DIR, example);
}

/** Synthesize one example app in a child process and read back what cdktf wrote. */
export async function synthExample(example: ExampleName, options: SynthOptions): Promise<SynthResult> {
  const cwd = exampleDir(example);
  const cdktfJsonPath = join(cwd, 'cdktf.json');
  const config = JSON.parse(readFileSync(cdktfJsonPath, 'utf8')) as { app: string; context?: Record<string, unknown> };
  const env = emulatorEnvironment(options.endpoint, {
    ACCESS_ADVISOR_CACHE_FILE: options.cacheFile,
    CDKTF_OUTDIR: options.outdir,
    CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true',
    CDKTF_CONTEXT_JSON: JSON.stringify({ ...config.context, cdktfJsonPath, cdktfRelativeModules: [], ...options.context }),
    ...(options.transpileOnly === false ? {} : { TS_NODE_TRANSPILE_ONLY: 'true' }),
  });
  const { exitCode, stdout, stderr } = await run(config.app, cwd, env, options.timeoutMs ?? 180_000);
  const manifestPath = join(options.outdir, 'manifest.json');
  if (exitCode !== 0 || !existsSync(manifestPath)) {
    throw new ExampleSynthError(`synth of examples/${example} failed (exit ${exitCode}):\n${stderr.trim() || stdout.trim()}`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string; workingDirectory: string; annotations?: { constructPath: string; level: string; message: string }[] }>;
  };
  const [stackName, entry] = Object.entries(manifest.stacks)[0]!;
  return {
    example,
    exitCode,
    stdout,
    stderr,
    outdir: options.outdir,
    stackName,
    stackDir: join(options.outdir, entry.workingDirectory),
    stack: JSON.parse(readFileSync(join(options.outdir, entry.synthesizedStackPath), 'utf8')) as StackJson,
    annotations: (entry.annotations ?? []).map((a) => ({
      constructPath: a.constructPath,
      level: a.level.replace('@cdktf/', '') as Annotation['level'],
      message: a.message,
    })),
  };
}

/** The literal value of a Terraform output of the stack. */
export function outputOf<T = unknown>(result: SynthResult, name: string): T {
  const output = result.stack.output?.[name];
  if (!output) throw new ExampleSynthError(`examples/${result.example}: no output "${name}" in the synthesized stack`);
  return output.value as T;
}

/** The annotations of one construct (by the last part of its path). */
export function annotationsOf(result: SynthResult, constructId: string): Annotation[] {
  return result.annotations.filter((a) => a.constructPath === `${result.stackName}/${constructId}`);
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  // Asynchronous on purpose: the emulator may run in this very process and must keep answering.
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, { cwd, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      try {
        // The shell, npx and node: end the whole group this call started.
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      reject(new ExampleSynthError(`synth in ${cwd} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolvePromise({ exitCode, stdout, stderr });
    });
  });
}

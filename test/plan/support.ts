/**
 * Shared helpers of the plan-time tests: build the bundle, synthesize a stack, read its `data.external` blocks and
 * run a block's program exactly the way Terraform's external provider does (program from the synthesized JSON,
 * query JSON on stdin, cwd the stack directory, credentials in the environment).
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TerraformStack, Testing } from '../default-core';
import type { Construct } from '../default-core';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BUNDLE = path.join(ROOT, 'dist', 'external', 'access-advisor-external.js');

export const ADMIN_KEY = { id: 'AKIAIOSFODNN7EXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** Always rebuild: esbuild takes well under a second, and a stale bundle would test old code. */
export function buildBundle(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'bundle-external.js'), '--quiet'], { stdio: 'pipe' });
}

export interface SynthesizedStack {
  readonly outdir: string;
  readonly stackDir: string;
  readonly json: TerraformJson;
}

export interface ExternalBlock {
  program: string[];
  query?: Record<string, string>;
  working_dir?: string;
  lifecycle?: { postcondition?: { condition: string; error_message: string }[] };
}

export interface TerraformJson {
  data?: { external?: Record<string, ExternalBlock> };
  terraform?: { required_providers?: Record<string, { source: string; version: string }> };
  provider?: Record<string, unknown>;
  output?: Record<string, { value: unknown }>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  [key: string]: unknown;
}

/** Real synthesis (assets copied, manifest written) of one stack named `name`. */
export function synthesize(name: string, build: (stack: TerraformStack) => void): SynthesizedStack {
  const app = Testing.app();
  const stack = new TerraformStack(app, name);
  build(stack);
  const outdir = Testing.fullSynth(stack);
  const stackDir = path.join(outdir, 'stacks', name);
  const json = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as TerraformJson;
  return { outdir, stackDir, json };
}

export function externalBlock(stack: SynthesizedStack, id: string): ExternalBlock {
  const block = stack.json.data?.external?.[id];
  if (!block) throw new Error(`no data.external.${id} in ${Object.keys(stack.json.data?.external ?? {}).join(', ')}`);
  return block;
}

export interface ProgramRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stderrLines: string[];
}

export interface TerraformLikeRun {
  /** Terraform's working directory: the stack directory (where `cdktf deploy` runs terraform). */
  readonly cwd: string;
  /** Literal values a real plan would have for the tokens in the query, e.g. {'${var.role_arn}': 'arn:…'}. */
  readonly known?: Readonly<Record<string, string>>;
  /** Extra or replaced query entries (for protocol tests), applied after token substitution. */
  readonly queryPatch?: Readonly<Record<string, string | undefined>>;
  readonly env?: Readonly<Record<string, string>>;
  /** Send this instead of the block's query (raw stdin). */
  readonly rawStdin?: string;
}

/** A minimal environment, like a CI runner's: node on PATH, no ~/.aws, credentials only if given. */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-plan-home-'));
  return {
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

export function adminEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return cleanEnv({ AWS_ACCESS_KEY_ID: ADMIN_KEY.id, AWS_SECRET_ACCESS_KEY: ADMIN_KEY.secret, ...extra });
}

/** What Terraform does: `${path.module}` is "." for the root module; the query's tokens become known values. */
export function resolveBlock(block: ExternalBlock, run: Pick<TerraformLikeRun, 'known' | 'queryPatch'>) {
  const substitute = (value: string): string => {
    let out = value.split('${path.module}').join('.');
    for (const [expression, literal] of Object.entries(run.known ?? {})) out = out.split(expression).join(literal);
    if (out.includes('${')) throw new Error(`test setup: unresolved expression in ${JSON.stringify(value)}`);
    return out;
  };
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(block.query ?? {})) query[key] = substitute(value);
  for (const [key, value] of Object.entries(run.queryPatch ?? {})) {
    if (value === undefined) delete query[key];
    else query[key] = value;
  }
  return { program: block.program.map(substitute), query };
}

/**
 * Runs the block's program asynchronously (the emulator lives in this process, so a synchronous spawn would
 * starve it) with the query on stdin, no shell, cwd = working_dir or Terraform's directory.
 */
export function runLikeTerraform(block: ExternalBlock, run: TerraformLikeRun): Promise<ProgramRun> {
  const { program, query } = resolveBlock(block, run);
  const [command, ...args] = program as [string, ...string[]];
  const cwd = block.working_dir ? path.resolve(run.cwd, block.working_dir.split('${path.module}').join('.')) : run.cwd;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: run.env ?? cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout, stderr, stderrLines: stderr.split('\n').filter((line) => line.length > 0) }),
    );
    child.stdin.end(run.rawStdin ?? JSON.stringify(query));
  });
}

/** Terraform's own check of the program's answer: a JSON object whose values are all strings. */
export function parseFlatStringMap(stdout: string): Record<string, string> {
  const parsed = JSON.parse(stdout) as unknown;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value !== 'string') throw new Error(`result ${key} is ${typeof value}, not a string`);
  }
  return parsed as Record<string, string>;
}

/** Copies a directory tree (the synthesized stack) somewhere else. */
export function copyTree(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}

/** Every ancestor of `dir` (and `dir` itself) that contains a node_modules folder. */
export function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    if (fs.existsSync(path.join(current, 'node_modules'))) found.push(current);
    const parent = path.dirname(current);
    if (parent === current) return found;
    current = parent;
  }
}

export type { Construct };

/**
 * Terraform evaluates a postcondition; without a Terraform binary, evaluate the canonical form the gate uses, one
 * interpolation of equalities joined by `&&` (`${self.result["k"] == "v" && self.result["k2"] == "v2"}`), on the
 * program's real answer. Any other form is refused, so a test cannot pass on a condition it did not read.
 */
export function evaluateCondition(condition: string, result: Readonly<Record<string, string>>): boolean {
  const body = /^\$\{(.+)\}$/.exec(condition)?.[1];
  if (body === undefined) throw new Error(`not the canonical condition form: ${condition}`);
  return body.split(' && ').every((term) => {
    const m = /^self\.result\["(\w+)"\] == "([^"]*)"$/.exec(term);
    if (!m) throw new Error(`not the canonical condition form: ${condition}`);
    return result[m[1]!] === m[2];
  });
}

import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { childOutput, type ChildOutput } from '../../scripts/child-output';

/** Runs the built `access-advisor` exactly as a user would: `node dist/cli/main.js …` in a child process. */
export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'dist', 'cli', 'main.js');

export const ADMIN_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
} as const;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ when it is older than src/. Other engineers' unfinished files may make tsc report type errors, but tsc
 * still emits: success is the binary being there and fresh, not tsc's exit status. A lock keeps parallel test
 * files from building at once.
 */
export function ensureBuilt(): void {
  const fresh = () => fs.existsSync(BIN) && fs.statSync(BIN).mtimeMs >= newestMtime(path.join(ROOT, 'src', 'cli'));
  if (fresh() && fs.statSync(BIN).mtimeMs >= newestMtime(path.join(ROOT, 'src'))) return;
  try {
    execFileSync('flock', [path.join(os.tmpdir(), 'access-advisor-cli-build.lock'), 'npx', 'tsc', '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      stdio: 'ignore',
    });
  } catch {
    // type errors elsewhere: the emitted JavaScript is what we test
  }
  if (!fs.existsSync(BIN)) throw new Error(`the build did not produce ${BIN}`);
}

export type CliRun = ChildOutput;

/** A clean environment: no AWS settings of the machine leak in; credentials come from `env`. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return {
    ...env,
    HOME: os.tmpdir(),
    AWS_CONFIG_FILE: path.join(os.tmpdir(), 'access-advisor-test-no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(os.tmpdir(), 'access-advisor-test-no-credentials'),
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/** Asynchronous on purpose: the emulator runs in this process and must keep answering while the child waits. */
export function runCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: options.env ?? cliEnv({ ...ADMIN_CREDENTIALS }) });
  return childOutput(child, options.input ?? '');
}

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'access-advisor-cli-'));
}

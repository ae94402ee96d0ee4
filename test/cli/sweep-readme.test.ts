import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseBaseline } from '../../src/analysis';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import type { SweepResult } from '../../src/sweep/types';
import { ADMIN_CREDENTIALS, BIN, cliEnv, ensureBuilt, ROOT, runCli, tempDir } from './cli-harness';

/**
 * The README's sweep recipe, line by line, run by a shell through the built CLI against the emulator serving the
 * bundled world exactly as `npx access-advisor emulator` does (no injected failures): what the text says each line
 * does is what it does. The world's sandbox account (456789012345) refuses the sweep's role.
 */
const WORLD = path.join(ROOT, 'examples', 'world.json');
const SANDBOX = '456789012345';
const SWEPT = ['123456789012', '234567890123', '345678901234'];

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  emulator = await startEmulator({ world: WORLD, port: 0, jobs: { durationMs: 40 } });
  dir = tempDir();
}, 180_000);

afterAll(async () => {
  await emulator?.close();
});

/** The code block under "### 5. Sweep", one command a line. */
function recipe(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('. Sweep: every principal of every account'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block.split('\n').filter((l) => l.startsWith('npx access-advisor sweep'));
}

function shell(line: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = line.replace(/^npx access-advisor /, `"${process.execPath}" "${BIN}" `);
  const child = spawn('/bin/sh', ['-c', command], { cwd: dir, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

describe('the README sweep recipe on the bundled world', () => {
  it('does what the README says, line by line', async () => {
    const lines = recipe();
    expect(lines).toHaveLength(4);
    const summary = path.join(dir, 'summary.md');
    const env = cliEnv({ ...ADMIN_CREDENTIALS, AWS_ENDPOINT_URL: emulator.endpoint, GITHUB_STEP_SUMMARY: summary });

    // 1. --accept: exit 3 naming the sandbox; the baseline holds the judged principals of the other three accounts.
    const accept = await shell(lines[0]!, env);
    expect(accept.code).toBe(3);
    expect(accept.stderr).toContain(`account ${SANDBOX} (sandbox) not swept: AssumeRole failed: AccessDenied`);
    expect(accept.stderr).toMatch(/not accepted \(no evidence\): 1 account\(s\) not swept \(456789012345\)/);
    const baselineFile = path.join(dir, 'org-baseline.json');
    const baseline = parseBaseline(fs.readFileSync(baselineFile, 'utf8'), baselineFile);
    const accounts = new Set(Object.keys(baseline.principals).map((arn) => arn.split(':')[4]));
    expect([...accounts].sort()).toEqual(SWEPT);
    const result = JSON.parse(accept.stdout) as SweepResult;
    const judged = result.accounts.flatMap((a) => a.principals).filter((p) => p.decision?.status === 'sufficient');
    expect(Object.keys(baseline.principals).sort()).toEqual(judged.map((p) => p.arn).sort());

    // 2. The ratchet into the step summary: nothing new in the judged accounts, the sandbox still not swept (exit 3).
    const ratchet = await shell(lines[1]!, env);
    expect(ratchet.code).toBe(3);
    expect(ratchet.stderr).toContain(`account ${SANDBOX} (sandbox) not swept`);
    const markdown = fs.readFileSync(summary, 'utf8');
    expect(markdown).toContain('Drift: pass, 0 newly unused permission(s)');
    expect(markdown).toContain(SANDBOX);

    // 3. --accounts with the management account: reached with the caller's own credentials, no --direct-account.
    const some = await shell(lines[2]!, env);
    expect(some.stderr).not.toContain('not swept');
    expect(some.code).toBe(1);
    expect(some.stdout).toContain('123456789012');

    // 4. One shard of four: the second account by id, written for a later merge.
    const shard = await shell(lines[3]!, env);
    expect([0, 1]).toContain(shard.code);
    const part = JSON.parse(fs.readFileSync(path.join(dir, 'shard-2.json'), 'utf8')) as SweepResult;
    expect(part.shard).toEqual({ index: 2, count: 4 });
    expect(part.accounts.map((a) => a.accountId)).toEqual(['234567890123']);
    expect(part.accountsListed).toEqual([...SWEPT, SANDBOX]);
  }, 240_000);

  it('--help says what the recipe relies on: your own account is reached directly by default', async () => {
    const help = await runCli(['sweep', '--help']);
    const text = help.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('default: the account your credentials belong to');
    expect(text).toContain('reaches the account of your own credentials (usually the management account) with them');
  });
});

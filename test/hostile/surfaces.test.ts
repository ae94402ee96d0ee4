/**
 * The hostile server against every surface a user meets: the built CLI (service-report, gate, org-report), the
 * plan-time program (the esbuild bundle Terraform runs) and synth (constructs + worker + cache). Every incomplete,
 * empty, cycling or duplicated answer ends in exit 3 or an error annotation — never exit 0, never a passing gate, never
 * a cache entry — and within seconds, not at the timeout.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceLastAccessedReport } from '../../src';
import { TerraformStack, Testing } from '../default-core';
import { childOutput, type ChildOutput } from '../../scripts/child-output';
import { ADMIN_CREDENTIALS, ensureBuilt, runCli } from '../cli/cli-harness';
import { BUNDLE, buildBundle, cleanEnv } from '../plan/support';
import {
  ENTITY_PATH,
  HOSTILE_MODES,
  JOB_ID,
  ROLE_ARN,
  startHostileServer,
  startHostileServersInChild,
  type HostileMode,
  type HostileServer,
} from './hostile-server';

const servers = new Map<HostileMode, HostileServer>();
const MODES = ['complete', ...HOSTILE_MODES] as const;

beforeAll(async () => {
  ensureBuilt();
  buildBundle();
  for (const mode of MODES) servers.set(mode, await startHostileServer(mode));
}, 120_000);
afterAll(async () => {
  for (const server of servers.values()) await server.close();
});

const endpoint = (mode: HostileMode): string => servers.get(mode)!.endpoint;
const FAST = ['--timeout', '30', '--max-attempts', '1'];

describe('the built CLI', () => {
  it('the control: a sound answer exits 0 with all three services', async () => {
    const run = await runCli(['service-report', '--arn', ROLE_ARN, '--endpoint-url', endpoint('complete'), ...FAST]);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { servicesLastAccessed: unknown[] }).servicesLastAccessed).toHaveLength(3);
  });

  it.each(HOSTILE_MODES)('%s: service-report, gate and org-report exit 3 with one line naming the job', async (mode) => {
    const started = Date.now();
    const runs = await Promise.all([
      runCli(['service-report', '--arn', ROLE_ARN, '--endpoint-url', endpoint(mode), ...FAST]),
      runCli(['gate', '--arn', ROLE_ARN, '--endpoint-url', endpoint(mode), ...FAST]),
      runCli(['org-report', '--entity-path', ENTITY_PATH, '--endpoint-url', endpoint(mode), ...FAST]),
    ]);
    for (const run of runs) {
      expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 3 });
      const lines = run.stderr.split('\n').filter((l) => l.startsWith('access-advisor:') && !l.includes('note:'));
      expect(lines.some((l) => l.includes(`job ${JOB_ID}, page `) && l.includes('incomplete'))).toBe(true);
    }
    // The gate never passes on evidence it could not read completely.
    expect(runs[1]!.stdout).not.toContain('"passed": true');
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

function runProgram(query: Record<string, string>): Promise<ChildOutput> {
  const child = spawn(process.execPath, [BUNDLE], {
    env: cleanEnv({ AWS_ACCESS_KEY_ID: ADMIN_CREDENTIALS.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: ADMIN_CREDENTIALS.AWS_SECRET_ACCESS_KEY, AWS_REGION: 'us-east-1' }),
  });
  return childOutput(child, JSON.stringify(query));
}

describe('the plan-time program (the bundle Terraform runs)', () => {
  it('the control: a sound answer is a result with three services', async () => {
    const run = await runProgram({ arn: ROLE_ARN, endpoint: endpoint('complete'), timeout_seconds: '30' });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).service_count).toBe('3');
  });

  it.each(HOSTILE_MODES)('%s: exit 3, one stderr line, nothing on stdout (no violation_count "0")', async (mode) => {
    const runs = await Promise.all([
      runProgram({ arn: ROLE_ARN, endpoint: endpoint(mode), timeout_seconds: '30' }),
      runProgram({ kind: 'organizations-access', entity_path: ENTITY_PATH, endpoint: endpoint(mode), timeout_seconds: '30' }),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(`job ${JOB_ID}, page `);
    }
  });
});

describe('synth (constructs, worker, cache)', () => {
  const saved: Record<string, string | undefined> = {};
  const ENV = { ...ADMIN_CREDENTIALS, AWS_REGION: 'us-east-1', CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true' };
  let child: Awaited<ReturnType<typeof startHostileServersInChild>>;
  beforeAll(async () => {
    child = await startHostileServersInChild(MODES);
    for (const [k, v] of Object.entries(ENV)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(async () => {
    await child.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('every hostile answer is an error annotation naming the job; only the sound one is cached', () => {
    const endpoint = (mode: HostileMode): string => child.endpoints[mode]!;
    const dir = mkdtempSync(join(tmpdir(), 'aa-hostile-synth-'));
    const cacheFile = join(dir, 'access-advisor.context.json');
    const app = Testing.app({ context: { 'accessAdvisor:cacheFile': cacheFile } });
    const stack = new TerraformStack(app, 'stack');
    for (const mode of MODES) {
      new ServiceLastAccessedReport(stack, mode, { arn: ROLE_ARN, endpoint: endpoint(mode), timeout: '30s' });
    }
    const started = Date.now();
    const outdir = Testing.fullSynth(stack);
    expect(Date.now() - started).toBeLessThan(60_000);
    const manifest = readFileSync(join(outdir, 'manifest.json'), 'utf8');
    const errors = stack.node
      .findAll()
      .flatMap((n) => n.node.metadata.filter((m) => m.type === '@cdktf/error').map((m) => ({ path: n.node.path, message: String(m.data) })));
    for (const mode of HOSTILE_MODES) {
      const mine = errors.filter((e) => e.path === `stack/${mode}`);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.message).toContain(`job ${JOB_ID}, page `);
      expect(manifest).toContain(`stack/${mode}: access advisor lookup failed`);
    }
    expect(errors.filter((e) => e.path === 'stack/complete')).toEqual([]);
    // Nothing incomplete is cached: the file holds exactly the sound report.
    expect(existsSync(cacheFile)).toBe(true);
    const entries = Object.keys((JSON.parse(readFileSync(cacheFile, 'utf8')) as { entries: object }).entries);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toContain(endpoint('complete'));
  }, 120_000);
});


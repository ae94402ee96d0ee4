import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { childOutput } from '../../scripts/child-output';
import { emulatorEnvironment, REPO_ROOT, synthExample } from '../../scripts/example-harness';
import { tierNotRun, tierRan } from '../tiers';

// Node 22 is the primary runtime (CI runs the whole suite on it); Node 20 is end of life but still works for this
// release. This tier proves it where it works: the built CLI, the emulator, the plan-time program and a real
// `cdktf synth` of an example, each on a Node 20 binary. `.ci/run` names that binary in ACCESS_ADVISOR_NODE20 (the
// machine's own node, before the Node 22 devDependency is put first on PATH); a suite that itself runs on Node 20
// uses its own node.

const NODE20 = process.env.ACCESS_ADVISOR_NODE20 || (process.version.startsWith('v20.') ? process.execPath : undefined);
const version = NODE20 ? spawnSync(NODE20, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const EXTERNAL = join(REPO_ROOT, 'dist', 'external', 'access-advisor-external.js');
const DEPLOYER = 'arn:aws:iam::123456789012:role/app-deployer';

describe('Node 20 (end of life, still working)', () => {
  if (!NODE20 || !version.startsWith('v20.')) {
    it('reports that the Node 20 tier could not run here, and why', () => {
      const why = NODE20 ? `ACCESS_ADVISOR_NODE20=${NODE20} is ${version || 'not runnable'}, not Node 20` : 'no Node 20 binary: set ACCESS_ADVISOR_NODE20 (.ci/run does)';
      tierNotRun('node20', why);
      expect(why).not.toBe('');
    });
    return;
  }

  const node20 = NODE20;
  const scratch = mkdtempSync(join(tmpdir(), 'access-advisor-node20-'));
  let emulator: ChildProcess;
  let endpoint: string;
  const env = () => emulatorEnvironment(endpoint, { AWS_ENDPOINT_URL: endpoint });
  const run = (args: string[], input?: string) => childOutput(spawn(node20, args, { cwd: REPO_ROOT, env: env(), stdio: 'pipe' }), input ?? '');

  beforeAll(async () => {
    emulator = spawn(node20, [CLI, 'emulator', '--port', '0', '--job-duration', '50'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    endpoint = await new Promise<string>((resolve, reject) => {
      let out = '';
      emulator.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
        if (match) resolve(match[1]!);
      });
      emulator.on('close', (code) => reject(new Error(`the emulator on ${version} exited ${code} before listening`)));
    });
  }, 60_000);

  afterAll(() => {
    emulator?.kill('SIGTERM');
    rmSync(scratch, { recursive: true, force: true });
    tierRan('node20', `${version}: the built CLI (service-report, gate), its emulator, the plan-time program and a real cdktf synth of examples/least-privilege-role`);
  });

  it('the CLI answers, and its stderr carries no NodeVersionSupportWarning of the AWS SDK', async () => {
    const report = await run([CLI, 'service-report', '--arn', DEPLOYER, '--granularity', 'SERVICE_LEVEL']);
    expect({ code: report.code, stderr: report.stderr }).toEqual({ code: 0, stderr: '' });
    expect((JSON.parse(report.stdout) as { servicesLastAccessed: unknown[] }).servicesLastAccessed.length).toBeGreaterThan(3);
    const gate = await run([CLI, 'gate', '--arn', DEPLOYER, '--allow', 'ec2=AMI lookups']);
    expect(gate.code).toBe(1);
    expect(gate.stderr).not.toMatch(/NodeVersionSupportWarning|node >=22/);
  }, 120_000);

  it('with --debug the SDK warning is shown again (only the default hides it)', async () => {
    const report = await run([CLI, 'service-report', '--arn', DEPLOYER, '--granularity', 'SERVICE_LEVEL', '--debug']);
    expect(report.code).toBe(0);
    expect(report.stderr).toMatch(/NodeVersionSupportWarning/);
  }, 120_000);

  it('the plan-time program answers a query with a flat map of strings', async () => {
    const query = JSON.stringify({ kind: 'service-last-accessed', arn: DEPLOYER, granularity: 'SERVICE_LEVEL', endpoint });
    const out = await run([EXTERNAL], query);
    expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(out.stdout) as Record<string, unknown>;
    expect(Object.values(result).every((v) => typeof v === 'string')).toBe(true);
  }, 120_000);

  it('the real `cdktf synth` of an example, with Node 20 first on PATH', async () => {
    const outdir = join(scratch, 'cdktf.out');
    const cacheFile = join(scratch, 'cache.json');
    const path = `${dirname(node20)}${delimiter}${process.env.PATH ?? ''}`;
    const previous = process.env.PATH;
    process.env.PATH = path; // the CLI and the app it spawns take `node` from PATH
    try {
      const result = await synthExample('least-privilege-role', { endpoint, outdir, cacheFile, cli: 'cdktf', timeoutMs: 300_000 });
      // With the tightened policy attached (the example's default) the deployer gate passes; its report is real.
      expect({ exit: result.exitCode, errors: result.annotations.filter((a) => a.level === 'error') }).toEqual({ exit: 0, errors: [] });
      expect(result.stack.output!['app_deployer_gate_passed']!.value).toBe(true);
      expect(result.stack.output!['young_analytics_services_used']!.value).toEqual(['athena', 'glue']);
    } finally {
      process.env.PATH = previous;
    }
  }, 320_000);
});

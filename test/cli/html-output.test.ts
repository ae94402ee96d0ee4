import * as fs from 'fs';
import * as path from 'path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import type { GateResult } from '../../src/report/gate-result';
import { closedPort, ensureBuilt, ROOT, runCli, tempDir } from './cli-harness';

const WORLD = path.join(ROOT, 'examples', 'world.json');
const DEPLOYER = 'arn:aws:iam::123456789012:role/app-deployer';

let emulator: RunningEmulator;
let endpoint: string[];
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  emulator = await startEmulator({ world: WORLD, port: 0, seed: 5, jobs: { durationMs: 100 } });
  endpoint = ['--endpoint-url', emulator.endpoint];
  dir = tempDir();
}, 180_000);

afterAll(async () => {
  await emulator?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('--output html and --out', () => {
  it('gate writes one HTML document to stdout, keeping the gate exit code', async () => {
    const run = await runCli(['gate', '--arn', DEPLOYER, '--output', 'html', ...endpoint]);
    expect(run.code).toBe(1);
    expect(run.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(run.stdout.trimEnd().endsWith('</html>')).toBe(true);
    expect(run.stdout).toContain(`title="${DEPLOYER}"`);
    expect(run.stdout).toMatch(/<rect x="\d+" class="u"><title>s3: used in the window; last used/);
  });

  it('--out FILE writes the result there (no temp file left), nothing on stdout; works with json too', async () => {
    const out = path.join(dir, 'gate.html');
    const run = await runCli(['gate', '--arn', DEPLOYER, '--output', 'html', '--out', out, ...endpoint]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(fs.readFileSync(out, 'utf8').startsWith('<!DOCTYPE html>')).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const json = path.join(dir, 'gate.json');
    await runCli(['gate', '--arn', DEPLOYER, '--out', json, ...endpoint]);
    const result = JSON.parse(fs.readFileSync(json, 'utf8')) as GateResult;
    // the evidence behind the decision: each service with its last use, as the heat map draws it
    const services = result.principals[0]!.services!;
    expect(services.find((s) => s.serviceNamespace === 's3')!.lastAuthenticated).toMatch(/^\d{4}-/);
    expect(result.principals[0]!.keptWithoutEvidence!.some((f) => f.permission === 'iam:PassRole')).toBe(true);
  });

  it('org-report draws the entity tree', async () => {
    const run = await runCli(['org-report', '--entity-path', 'o-4fxmplt198/r-c3xb', '--output', 'html', ...endpoint]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Entity tree: o-4fxmplt198/r-c3xb');
  });

  it('refuses html for commands it cannot draw, with --query (exit 2 before any call), or into a missing directory (exit 2)', async () => {
    const nowhere = ['--endpoint-url', `http://127.0.0.1:${await closedPort()}`];
    const report = await runCli(['service-report', '--arn', DEPLOYER, '--output', 'html', ...nowhere]);
    expect(report.code).toBe(2);
    expect(report.stderr).toContain('--output html: draws the results of gate, sweep, org-report, tighten, not service-report');
    const query = await runCli(['gate', '--arn', DEPLOYER, '--output', 'html', '--query', 'passed', ...nowhere]);
    expect(query.code).toBe(2);
    expect(query.stderr).toContain('--query: cannot be combined with --output html');
    const missing = await runCli(['gate', '--arn', DEPLOYER, '--output', 'html', '--out', path.join(dir, 'no', 'such', 'dir', 'x.html'), ...endpoint]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--out: cannot write .*x\.html/);
  });
});

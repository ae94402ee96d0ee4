import * as fs from 'fs';
import * as path from 'path';
import { parseBaseline } from '../../src/analysis';
import type { PolicyDocument } from '../../src/analysis/types';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import type { GateResult } from '../../src/report/gate-result';
import type { TightenResult } from '../../src/cli/commands/tighten';
import { ensureBuilt, ROOT, runCli, tempDir } from './cli-harness';

const WORLD = path.join(ROOT, 'examples', 'world.json');
const DEPLOYER = 'arn:aws:iam::123456789012:role/app-deployer';
const YOUNG = 'arn:aws:iam::123456789012:role/young-analytics';
const SHORT_JOBS = { durationMs: 150 };

interface WorldJson {
  roles: { name: string; account: string; inlinePolicies?: Record<string, PolicyDocument> }[];
  policies: { arn: string; document: PolicyDocument }[];
}
const world = JSON.parse(fs.readFileSync(WORLD, 'utf8')) as WorldJson;
const deployerPolicy = world.policies.find((p) => p.arn.endsWith(':policy/app-deployer-policy'))!.document;

let emulator: RunningEmulator;
let endpointArgs: string[];
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  emulator = await startEmulator({ world: WORLD, port: 0, seed: 11, jobs: SHORT_JOBS });
  endpointArgs = ['--endpoint-url', emulator.endpoint];
  dir = tempDir();
}, 180_000);

afterAll(async () => {
  await emulator?.close();
});

const gate = (args: string[], endpoint = endpointArgs) => runCli(['gate', ...args, ...endpoint]);

describe('gate', () => {
  it('fails (exit 1) for a principal with unused permissions and lists them', async () => {
    const run = await gate(['--arn', DEPLOYER]);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as GateResult;
    expect(result.kind).toBe('least-privilege-gate');
    expect(result.passed).toBe(false);
    const [principal] = result.principals;
    expect(principal!.status).toBe('sufficient');
    expect(principal!.violations.length).toBe(principal!.unusedServices.length + principal!.unusedActions.length);
    expect(principal!.violations.length).toBeGreaterThan(0);
  });

  it('--allow with a reason for every unused service lets it pass (exit 0) and records the exceptions', async () => {
    const first = JSON.parse((await gate(['--arn', DEPLOYER, '--granularity', 'SERVICE_LEVEL'])).stdout) as GateResult;
    const unused = first.principals[0]!.unusedServices;
    expect(unused.length).toBeGreaterThan(0);
    const allows = unused.flatMap((ns) => ['--allow', `${ns}=kept for the quarterly disaster-recovery drill`]);
    const run = await gate(['--arn', DEPLOYER, '--granularity', 'SERVICE_LEVEL', ...allows]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as GateResult;
    expect(result.passed).toBe(true);
    expect(result.principals[0]!.allowedByException.map((f) => f.permission).sort()).toEqual([...unused].sort());
  });

  it('a principal younger than the window is reported (insufficient history), not failed', async () => {
    const run = await gate(['--arn', YOUNG, '--arn', DEPLOYER, '--granularity', 'SERVICE_LEVEL']);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as GateResult;
    const young = result.principals.find((p) => p.arn === YOUNG)!;
    expect(young.status).toBe('insufficient-history');
    expect(young.passed).toBe(true);
    expect(young.violations).toHaveLength(0);
    expect(result.principals.find((p) => p.arn === DEPLOYER)!.passed).toBe(false);
    expect(run.stderr).toContain(`${YOUNG}: insufficient-history`);

    const alone = await gate(['--arn', YOUNG]);
    expect(alone.code).toBe(0);
  });

  it('--output markdown is a summary ready for $GITHUB_STEP_SUMMARY', async () => {
    const run = await gate(['--arn', DEPLOYER, '--output', 'markdown']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^### ❌ access-advisor gate failed$/m);
    expect(run.stdout).toContain(`| ${DEPLOYER} | FAIL | sufficient |`);
    expect(run.stdout).toMatch(/^#### Unused permissions of .*, by service$/m);
    expect(run.stdout).toMatch(/^\| dynamodb \| whole service \| never \|/m);
  });

  it('the baseline ratchet: --accept writes it, then only new unused permissions fail', async () => {
    const baseline = path.join(dir, 'access-baseline.json');
    const accept = await gate(['--arn', DEPLOYER, '--baseline', baseline, '--accept']);
    expect(accept.code).toBe(0);
    const written = parseBaseline(fs.readFileSync(baseline, 'utf8'), baseline);
    expect(written.principals[DEPLOYER]!.unused.length).toBeGreaterThan(0);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toHaveLength(0);

    const again = await gate(['--arn', DEPLOYER, '--baseline', baseline]);
    expect(again.code).toBe(0);
    const passed = JSON.parse(again.stdout) as GateResult;
    expect(passed.principals[0]!.drift!.newUnused).toHaveLength(0);
    expect(passed.principals[0]!.drift!.acceptedUnused.length).toBe(written.principals[DEPLOYER]!.unused.length);

    // The same role gains a service it never uses: only that one is new.
    const grown = JSON.parse(JSON.stringify(world)) as WorldJson;
    const role = grown.roles.find((r) => r.name === 'app-deployer')!;
    role.inlinePolicies = {
      ...role.inlinePolicies,
      'stream-export': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kinesis:PutRecord', Resource: '*' }] },
    };
    const second = await startEmulator({ world: grown as never, port: 0, seed: 11, jobs: SHORT_JOBS });
    try {
      const failing = await gate(['--arn', DEPLOYER, '--baseline', baseline], ['--endpoint-url', second.endpoint]);
      expect(failing.code).toBe(1);
      const result = JSON.parse(failing.stdout) as GateResult;
      expect(result.principals[0]!.drift!.newUnused).toEqual(['kinesis']);
      expect(result.principals[0]!.violations.map((f) => f.permission)).toEqual(['kinesis']);
    } finally {
      await second.close();
    }
  });

  it('a missing baseline counts every unused permission as new, and says so', async () => {
    const run = await gate(['--arn', DEPLOYER, '--baseline', path.join(dir, 'nope.json')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/baseline .*nope\.json does not exist yet/);
  });

  it('a baseline naming a principal twice (a hand edit) exits 2 naming the key, instead of reading the last entry', async () => {
    const accepted = path.join(dir, 'accepted-baseline.json');
    expect((await gate(['--arn', DEPLOYER, '--granularity', 'SERVICE_LEVEL', '--baseline', accepted, '--accept'])).code).toBe(0);
    const entry = parseBaseline(fs.readFileSync(accepted, 'utf8'), accepted).principals[DEPLOYER]!;
    expect(entry.unused.length).toBeGreaterThan(0);
    // What a reviewer reads first accepts nothing; the second entry, further down, accepts every unused service.
    const twice = path.join(dir, 'twice-baseline.json');
    const key = JSON.stringify(DEPLOYER);
    fs.writeFileSync(
      twice,
      `{"schemaVersion": 1, "principals": {\n  ${key}: {"unused": [], "acceptedAt": "2026-01-01T00:00:00Z"},\n  ${key}: ${JSON.stringify(entry)}\n}}\n`,
    );
    const run = await gate(['--arn', DEPLOYER, '--granularity', 'SERVICE_LEVEL', '--baseline', twice]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('twice-baseline.json');
    expect(run.stderr).toContain(`principals.${DEPLOYER}`);
    expect(run.stderr).toContain('named twice');
  });

  it('a corrupt baseline exits 2 naming the file', async () => {
    const bad = path.join(dir, 'bad-baseline.json');
    fs.writeFileSync(bad, '{"schemaVersion": 7, "principals": {}}');
    const run = await gate(['--arn', DEPLOYER, '--baseline', bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad-baseline.json');
  });
});

describe('tighten', () => {
  let policyFile: string;
  beforeAll(() => {
    policyFile = path.join(dir, 'policy.json');
    fs.writeFileSync(policyFile, JSON.stringify(deployerPolicy));
  });

  it('prints the tightened policy on stdout and the diff and proof on stderr', async () => {
    const run = await runCli(['tighten', '--arn', DEPLOYER, '--policy', policyFile, ...endpointArgs]);
    expect(run.code).toBe(0);
    const tightened = JSON.parse(run.stdout) as PolicyDocument;
    expect(tightened.Statement).toBeDefined();
    expect(JSON.stringify(tightened)).not.toEqual(JSON.stringify(deployerPolicy));
    expect(JSON.stringify(tightened)).toContain('iam:PassRole');
    expect(run.stderr).toContain('Removed services');
    expect(run.stderr).toMatch(/^Proof\nholds$/m);
  });

  it('--query sees the whole result; --output markdown is one document holding the same policy', async () => {
    const queried = await runCli(['tighten', '--arn', DEPLOYER, '--policy', '-', '--query', '{removed: removedServices, holds: proof.holds}', ...endpointArgs], {
      input: JSON.stringify(deployerPolicy),
    });
    expect(queried.code).toBe(0);
    const summary = JSON.parse(queried.stdout) as { removed: string[]; holds: boolean };
    expect(summary.holds).toBe(true);
    expect(summary.removed.length).toBeGreaterThan(0);

    const full = JSON.parse(
      (await runCli(['tighten', '--arn', DEPLOYER, '--policy', policyFile, '--query', '@', ...endpointArgs])).stdout,
    ) as TightenResult;
    const markdown = await runCli(['tighten', '--arn', DEPLOYER, '--policy', policyFile, '--output', 'markdown', ...endpointArgs]);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toMatch(/^### ✅ Tightened policy for /m);
    for (const ns of full.removedServices) expect(markdown.stdout).toContain(`| ${ns} |`);
    const block = /```json\n([\s\S]*?)\n```/.exec(markdown.stdout)?.[1];
    expect(JSON.parse(block!)).toEqual(full.policy);
  });

  it('a policy that is not a policy document exits 2 naming --policy', async () => {
    const run = await runCli(['tighten', '--arn', DEPLOYER, '--policy', '-', ...endpointArgs], { input: '[1, 2]' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^access-advisor: --policy: standard input is not an IAM policy document/);
  });
});

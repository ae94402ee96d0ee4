import * as fs from 'fs';
import * as path from 'path';
import type { PolicyDocument, PolicyStatement } from '../../src/analysis/types';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { ensureBuilt, ROOT, runCli, tempDir } from './cli-harness';

/**
 * Issue 24 through the built CLI, for every role and user of the demo world's management account: the policy it
 * holds today (its managed, inline and group policies as one document) tightened at ACTION_LEVEL is accepted by the
 * ACTION_LEVEL gate (`tighten > t.json && gate --policy t.json` exits 0), while the gate on today's policy fails
 * wherever the evidence shows an unused tracked action or service.
 */

interface WorldPrincipal {
  account: string;
  name: string;
  path?: string;
  attachedPolicies?: string[];
  inlinePolicies?: Record<string, PolicyDocument>;
  groups?: string[];
}
interface World {
  users: WorldPrincipal[];
  roles: WorldPrincipal[];
  groups: (WorldPrincipal & { members?: string[] })[];
  policies: { arn: string; document: PolicyDocument }[];
}

const ACCOUNT = '123456789012';
const world = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'world.json'), 'utf8')) as World;

/** Everything a principal holds today, as one document (every world document is 2012-10-17). */
function heldToday(p: WorldPrincipal, kind: 'user' | 'role'): PolicyDocument | undefined {
  const documents: PolicyDocument[] = [];
  const add = (holder: WorldPrincipal) => {
    for (const arn of holder.attachedPolicies ?? []) documents.push(world.policies.find((x) => x.arn === arn)!.document);
    documents.push(...Object.values(holder.inlinePolicies ?? {}));
  };
  add(p);
  if (kind === 'user') for (const g of world.groups.filter((g) => g.account === p.account && (g.members ?? []).includes(p.name))) add(g);
  const statements = documents.flatMap((d) => [d.Statement].flat() as PolicyStatement[]);
  return statements.length === 0 ? undefined : { Version: '2012-10-17', Statement: statements };
}

const principals = [
  ...world.roles.filter((r) => r.account === ACCOUNT).map((r) => ({ arn: `arn:aws:iam::${ACCOUNT}:role${r.path ?? '/'}${r.name}`, policy: heldToday(r, 'role') })),
  ...world.users.filter((u) => u.account === ACCOUNT).map((u) => ({ arn: `arn:aws:iam::${ACCOUNT}:user${u.path ?? '/'}${u.name}`, policy: heldToday(u, 'user') })),
].filter((p): p is { arn: string; policy: PolicyDocument } => p.policy !== undefined);

let emulator: RunningEmulator;
let endpoint: string[];
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  dir = tempDir();
  emulator = await startEmulator({ world: path.join(ROOT, 'examples', 'world.json'), port: 0, seed: 24, jobs: { durationMs: 50 } });
  endpoint = ['--endpoint-url', emulator.endpoint];
}, 180_000);

afterAll(async () => {
  await emulator?.close();
});

// Explicitly at ACTION_LEVEL, and at the defaults (no flag: ACTION_LEVEL for both commands, one default everywhere).
describe.each([
  ['tighten --granularity ACTION_LEVEL, then gate --granularity ACTION_LEVEL --policy', ['--granularity', 'ACTION_LEVEL']],
  ['tighten, then gate --policy, at the defaults', []],
] as const)('%s, for every principal of the demo world', (label, level) => {
  it('covers the principals that hold policies', () => {
    expect(principals.map((p) => p.arn)).toEqual(expect.arrayContaining([`arn:aws:iam::${ACCOUNT}:role/app-deployer`, `arn:aws:iam::${ACCOUNT}:role/ops-admin`, `arn:aws:iam::${ACCOUNT}:user/admin`]));
  });

  it.each(principals.map((p) => [p.arn, p] as const))('%s', async (_arn, { arn, policy }) => {
    const stem = `${arn.replace(/\W+/g, '_')}-${level.length === 0 ? 'default' : 'action'}`;
    const today = path.join(dir, `${stem}-today.json`);
    const tightenedFile = path.join(dir, `${stem}-tightened.json`);
    fs.writeFileSync(today, JSON.stringify(policy));
    const tighten = await runCli(['tighten', '--arn', arn, '--policy', today, ...level, ...endpoint]);
    expect([arn, tighten.code, tighten.code === 0 ? '' : tighten.stderr]).toEqual([arn, 0, '']);
    fs.writeFileSync(tightenedFile, tighten.stdout);
    const output = JSON.parse(tighten.stdout) as PolicyDocument | PolicyDocument[];
    // Each document within IAM's managed-policy limit; several only when one would not fit.
    for (const d of [output].flat()) expect(JSON.stringify(d).length).toBeLessThanOrEqual(6144);
    const after = await runCli(['gate', '--arn', arn, ...level, '--policy', tightenedFile, ...endpoint]);
    expect([label, arn, after.code, after.stderr]).toEqual([label, arn, 0, expect.any(String)]);

    // Today's policy fails the same gate exactly when the tightening removed something; at the default the gate
    // judges the tracked actions of used services (an unused one alone fails it).
    const before = await runCli(['gate', '--arn', arn, ...level, '--policy', today, '--output', 'json', ...endpoint]);
    const removedSomething = /Removed: \d+ whole service\(s\), [1-9]\d* action\(s\)/.test(tighten.stderr);
    expect([label, arn, before.code]).toEqual([label, arn, removedSomething ? 1 : 0]);
    const judged = (JSON.parse(before.stdout) as { principals: { unusedActions: string[]; unusedServices: string[]; notGranted?: string[] }[] }).principals[0]!;
    const unusedTracked = [...judged.unusedActions, ...judged.unusedServices].some((p) => !(judged.notGranted ?? []).includes(p));
    expect([label, arn, before.code]).toEqual([label, arn, unusedTracked ? 1 : 0]);
  }, 120_000);
});

describe('tighten: an AdministratorAccess-sized result through the CLI', () => {
  const OPS_ADMIN = `arn:aws:iam::${ACCOUNT}:role/ops-admin`;
  const admin = () => {
    const file = path.join(dir, 'admin.json');
    fs.writeFileSync(file, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }));
    return file;
  };

  it('prints several documents as a JSON array, a summary per service on stderr (not every removed action), and --out-dir writes one file each', async () => {
    const run = await runCli(['tighten', '--arn', OPS_ADMIN, '--policy', admin(), ...endpoint]);
    expect(run.code).toBe(0);
    const documents = JSON.parse(run.stdout) as PolicyDocument[];
    expect(Array.isArray(documents) && documents.length > 1).toBe(true);
    expect(run.stderr).toMatch(new RegExp(`^Documents: ${documents.length} managed policies, \\d+ characters without white space \\(IAM: at most 6,144 each\\)$`, 'm'));
    expect(run.stderr).toMatch(/^Removed: \d+ whole service\(s\), \d+ action\(s\): \d+ dropped from the Allow statements, \d+ denied within kept wildcards$/m);
    // ~475 removed ec2 actions are one row with counts, not 475 lines
    expect(run.stderr.split('\n').length).toBeLessThan(80);
    expect(run.stderr).toMatch(/^\| ec2\s+\| [1-9]\d*\s+\| 0\s+\| AcceptAddressTransfer, /m);
    expect(run.stderr).toMatch(/… \(\+\d+ more\)/);
    expect(run.stderr).not.toContain('splitWildcards: true');
    const full = await runCli(['tighten', '--arn', OPS_ADMIN, '--policy', admin(), '--list-removed', '--output', 'table', ...endpoint]);
    expect(full.stdout.split('\n').length).toBeGreaterThan(run.stderr.split('\n').length);

    const out = path.join(dir, 'ops-admin');
    const written = await runCli(['tighten', '--arn', OPS_ADMIN, '--policy', admin(), '--out-dir', out, ...endpoint]);
    expect(written.code).toBe(0);
    expect(written.stdout).toBe('');
    expect(fs.readdirSync(out).sort()).toEqual(documents.map((_, i) => `policy-${i + 1}.json`).sort());
    const files = documents.map((_, i) => path.join(out, `policy-${i + 1}.json`));
    expect(files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')))).toEqual(documents);
    // the gate judges all of them together
    const gate = await runCli(['gate', '--arn', OPS_ADMIN, '--granularity', 'ACTION_LEVEL', ...files.flatMap((f) => ['--policy', f]), ...endpoint]);
    expect(gate.code).toBe(0);
  }, 180_000);

  it('refuses what cannot fit --max-policies (exit 2, the size and the limit), and the gate refuses a document IAM would refuse', async () => {
    const run = await runCli(['tighten', '--arn', OPS_ADMIN, '--policy', admin(), '--max-policies', '1', ...endpoint]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/the tightened policy needs \d+ managed policies of at most 6144 characters \(\d+ characters without white space in all\), more than maxPolicies 1/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    const bad = await runCli(['tighten', '--arn', OPS_ADMIN, '--policy', admin(), '--max-policies', '21', ...endpoint]);
    expect([bad.code, bad.stderr.trim()]).toEqual([2, expect.stringContaining('--max-policies: "21" is not allowed; expected a whole number from 1 to 20')]);

    const huge = path.join(dir, 'huge.json');
    const actions = Array.from({ length: 400 }, (_, i) => `ec2:DescribeSomethingNumber${i}`);
    fs.writeFileSync(huge, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }));
    const gate = await runCli(['gate', '--arn', OPS_ADMIN, '--policy', huge, ...endpoint]);
    expect(gate.code).toBe(2);
    expect(gate.stderr).toMatch(/--policy: IAM would refuse what the principal is to hold: .*huge\.json has \d+ characters without white space, over IAM's 6144-character limit for a managed policy/);
  }, 180_000);
});

describe('tighten --output html', () => {
  it('shows what was denied within a kept wildcard apart from what was dropped', async () => {
    const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/app-deployer`;
    const policyFile = path.join(dir, 'deployer-html.json');
    fs.writeFileSync(policyFile, JSON.stringify(world.policies.find((p) => p.arn.endsWith(':policy/app-deployer-policy'))!.document));
    const page = path.join(dir, 'tighten.html');
    const run = await runCli(['tighten', '--arn', DEPLOYER, '--policy', policyFile, '--output', 'html', '--out', page, ...endpoint]);
    expect([run.code, run.stdout]).toEqual([0, '']);
    const html = fs.readFileSync(page, 'utf8');
    expect(html).toMatch(/Denied within a kept wildcard: [1-9]\d* action\(s\) \(Deny statements; the wildcard stays as written\)/);
    expect(html).toMatch(/denied s3 \(\d+\): /);
    expect(html).toMatch(/Dropped from the Allow statements: [1-9]\d* action\(s\)/);
    expect(html).toMatch(/dropped iam \(\d+\): .*CreateRole/);
    expect(html).toContain('Documents: 1 managed policy');
  }, 120_000);
});

describe('tighten --inline: one document within IAM\'s inline quota of the principal\'s kind', () => {
  const admin = () => {
    const file = path.join(dir, 'inline-admin.json');
    fs.writeFileSync(file, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }));
    return file;
  };

  it('a user over 2,048 characters: exit 2 naming the size, the limit and the user; nothing on stdout', async () => {
    const USER = `arn:aws:iam::${ACCOUNT}:user/admin`;
    const run = await runCli(['tighten', '--arn', USER, '--policy', admin(), '--inline', ...endpoint]);
    expect([run.code, run.stdout]).toEqual([2, '']);
    expect(run.stderr).toMatch(
      new RegExp(`the tightened policy has \\d+ characters without white space, over IAM's 2048-character limit for the inline policies of user ${USER.replace(/[/]/g, '\\/')} together`),
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 120_000);

  it('a role within 10,240: one document on stdout (more than 6,144 would be fine inline)', async () => {
    const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/app-deployer`;
    const policyFile = path.join(dir, 'deployer-inline.json');
    fs.writeFileSync(policyFile, JSON.stringify(world.policies.find((p) => p.arn.endsWith(':policy/app-deployer-policy'))!.document));
    const run = await runCli(['tighten', '--arn', DEPLOYER, '--policy', policyFile, '--inline', ...endpoint]);
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout) as PolicyDocument;
    expect(Array.isArray(document)).toBe(false);
    expect(JSON.stringify(document).length).toBeLessThanOrEqual(10240);
    const help = await runCli(['tighten', '--help']);
    expect(help.stdout).toContain('--inline');
  }, 120_000);
});

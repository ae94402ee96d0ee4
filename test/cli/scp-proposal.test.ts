import * as fs from 'fs';
import * as path from 'path';
import type { ServiceControlPolicyProposalResult } from '../../src/analysis/scp-types';
import type { RunningEmulator } from '../../src/emulator';
import { ACCOUNT_A, ADMIN_KEY, GUARDRAILS, OU, ROOT, startScpEmulator } from '../analysis/scp-world';
import { cliEnv, ensureBuilt, runCli, tempDir } from './cli-harness';

// The built binary against the SCP test organization (test/analysis/scp-world.ts states its truth).
let emulator: RunningEmulator;
const env = cliEnv({ AWS_ACCESS_KEY_ID: ADMIN_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: ADMIN_KEY.secretAccessKey });

beforeAll(async () => {
  ensureBuilt();
  emulator = await startScpEmulator();
}, 180_000);
afterAll(async () => {
  await emulator?.close();
});

const run = (args: string[], input?: string) => runCli(['scp-proposal', ...args, '--endpoint-url', emulator.endpoint], { env, ...(input !== undefined ? { input } : {}) });

describe('access-advisor scp-proposal', () => {
  it('--output json: the proposal for the OU, with literal minified documents', async () => {
    const { code, stdout, stderr } = await run(['--entity-path', OU, '--output', 'json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as ServiceControlPolicyProposalResult;
    expect(result.kind).toBe('scp-proposal');
    expect(result.deniedServices.map((d) => d.service)).toEqual(['dynamodb', 'ec2', 'kms', 'lambda', 'logs', 'sns']);
    expect(result.keptServices.filter((k) => k.kind === 'used').map((k) => k.service)).toEqual(['s3', 'sqs']);
    expect(JSON.parse(result.json[0]!).Statement[0].Action).toEqual(['dynamodb:*', 'ec2:*', 'kms:*', 'lambda:*', 'logs:*', 'sns:*']);
    expect(result.proof.holds).toBe(true);
    expect(result.alreadyDeniedServices.length).toBeGreaterThan(300); // the OU's guardrails allow 11 services
  });

  it('--output markdown: tables of denied and kept services with reasons, notes, proof and the documents', async () => {
    const dir = tempDir();
    const allowFile = path.join(dir, 'allow.json');
    fs.writeFileSync(allowFile, JSON.stringify([{ permission: 'logs', reason: 'incident log archive' }]));
    const { code, stdout } = await run([
      '--entity-path', OU, '--unused-after-days', '365', '--allow-file', allowFile, '--never-deny', 'sns=alarm fan-out', '--output', 'markdown',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(`SCP proposal for ${OU}`);
    expect(stdout).toMatch(/\| *logs *\| *allowed-by-exception *\|.*incident log archive/);
    expect(stdout).toMatch(/\| *dynamodb *\| *used *\|/); // 120 days ago: inside a 365-day window
    expect(stdout).toMatch(/\| *lambda *\| *used *\|/); // 300 days ago: inside a 365-day window
    expect(stdout).toMatch(/\| *sns *\| *protected *\|.*alarm fan-out/);
    expect(stdout).toMatch(/\| *kms *\| *never *\|/); // denied
    expect(stdout).toContain('```json\n{"Version":"2012-10-17","Statement":[{"Sid":"DenyServicesUnusedFor365Days","Effect":"Deny","Action":["ec2:*","kms:*"],"Resource":"*"}]}\n```');
    expect(stdout).toMatch(/Proof[\s\S]*holds/);
  });

  it("--job-id of one account's job passed as the OU's report: refused (exit 2), no proposal", async () => {
    const accountReport = await runCli(['org-report', '--entity-path', `${OU}/${ACCOUNT_A}`, '--endpoint-url', emulator.endpoint], { env });
    expect(accountReport.code).toBe(0);
    const jobId = (JSON.parse(accountReport.stdout) as { jobId: string }).jobId;
    const run = await runCli(['scp-proposal', '--entity-path', OU, '--job-id', jobId, '--endpoint-url', emulator.endpoint], { env });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^access-advisor: invalid --job-id: jobId: "${jobId}" is not allowed; .*resumed Organizations job is refused`));
  });

  it('--style allow-list at the OU allows only services its SCPs allow today (never widens the guardrails)', async () => {
    const { code, stdout } = await run(['--entity-path', OU, '--style', 'allow-list', '--output', 'json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as ServiceControlPolicyProposalResult;
    const allowed = result.documents.flatMap((d) => d.services);
    expect(allowed.length).toBeGreaterThan(0);
    expect(allowed.filter((service) => !GUARDRAILS.includes(service))).toEqual([]);
    expect(allowed).toEqual(expect.arrayContaining(['s3', 'sqs']));
    expect(result.proof.holds).toBe(true);
  });

  it('the root needs several documents: more than --remaining-slots is a clear error (exit 2)', async () => {
    const fits = JSON.parse((await run(['--entity-path', ROOT, '--query', 'slots'])).stdout) as { needed: number };
    expect(fits.needed).toBeGreaterThan(1);
    const tight = await run(['--entity-path', ROOT, '--remaining-slots', String(fits.needed - 1)]);
    expect(tight.code).toBe(2);
    expect(tight.stdout).toBe('');
    expect(tight.stderr).toMatch(new RegExp(`needs ${fits.needed} documents .* only ${fits.needed - 1} SCP slot\\(s\\) left`));
  });

  it('an SCP id without --policy-covers-entity denies nothing (partial evidence); bad flags exit 2 naming the flag', async () => {
    const partial = JSON.parse((await run(['--entity-path', ROOT, '--organizations-policy-id', 'p-Guardrails01'])).stdout) as ServiceControlPolicyProposalResult;
    expect(partial.status).toBe('partial-evidence');
    expect(partial.documents).toEqual([]);
    const window = await run(['--entity-path', OU, '--unused-after-days', '401']);
    expect(window.code).toBe(2);
    expect(window.stderr).toMatch(/--unused-after-days.*"401" is not allowed; expected a whole number of days from 1 to 400/);
    const style = await run(['--entity-path', OU, '--style', 'grey-list']);
    expect(style.code).toBe(2);
    expect(style.stderr).toMatch(/--style/);
    const file = await run(['--entity-path', OU, '--allow-file', '-'], '[{"permission": "glue"}]');
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/--allow-file\[0\]\.reason/);
  });
});

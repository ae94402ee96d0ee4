/**
 * A proxy whose error text echoes the request headers (Authorization with its SigV4 signature, X-Amz-Security-Token)
 * must not get credentials into any output: CLI stderr (with and without --debug), the gate's JSON, the plan-time
 * program's line, the synth annotations, manifest and cache.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceLastAccessedReport } from '../../src';
import { TerraformStack, Testing } from '../default-core';
import { redact } from '../../src/model/redact';
import { cliEnv, ensureBuilt, runCli } from '../cli/cli-harness';
import { BUNDLE, buildBundle, cleanEnv } from '../plan/support';
import { ROLE_ARN, startHostileServer, startHostileServersInChild, type HostileServer } from './hostile-server';

const SECRETS = {
  AWS_ACCESS_KEY_ID: 'ASIAZZZZEXAMPLE12345',
  AWS_SECRET_ACCESS_KEY: 'Zm9vYmFyU2VjcmV0S2V5MDEyMzQ1Njc4OWFiY2RlZg',
  AWS_SESSION_TOKEN: `IQoJb3JpZ2luX2VjEXAMPLETOKEN${'AbCdEfGh0123456789'.repeat(12)}`,
};

/** Nothing secret in `text`, and the proof that the server really echoed something we cut. */
function expectClean(text: string): void {
  expect(text).not.toContain(SECRETS.AWS_SESSION_TOKEN);
  expect(text).not.toContain(SECRETS.AWS_SESSION_TOKEN.slice(0, 40));
  expect(text).not.toContain(SECRETS.AWS_SECRET_ACCESS_KEY);
  expect(text).not.toContain(SECRETS.AWS_ACCESS_KEY_ID);
  expect(text).not.toMatch(/Signature=[0-9a-f]{16}/);
}

let server: HostileServer;
beforeAll(async () => {
  ensureBuilt();
  buildBundle();
  server = await startHostileServer('echo-headers');
}, 120_000);
afterAll(async () => {
  await server.close();
});

it('the server does echo the token and the signature (the control)', async () => {
  const response = await fetch(server.endpoint, {
    method: 'POST',
    headers: { 'x-amz-security-token': SECRETS.AWS_SESSION_TOKEN, authorization: 'AWS4-HMAC-SHA256 Signature=00ff00ff00ff00ff' },
    body: 'Action=GetRole',
  });
  const body = await response.text();
  expect(body).toContain(SECRETS.AWS_SESSION_TOKEN);
  expect(redact(body, SECRETS)).not.toContain(SECRETS.AWS_SESSION_TOKEN);
});

it.each([[[]], [['--debug']]])('CLI stderr and stdout %j: exit 3, no secret, token or signature', async (extra) => {
  const env = cliEnv({ ...SECRETS });
  for (const args of [
    ['service-report', '--arn', ROLE_ARN],
    ['gate', '--arn', ROLE_ARN, '--arn', `${ROLE_ARN}-2`],
  ]) {
    const run = await runCli([...args, '--endpoint-url', server.endpoint, '--max-attempts', '1', ...(extra as string[])], { env });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('[redacted]');
    expectClean(run.stderr);
    expectClean(run.stdout);
  }
});

it('the plan-time program: one redacted line', async () => {
  const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE], { env: cleanEnv({ ...SECRETS, AWS_REGION: 'us-east-1' }) });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(JSON.stringify({ arn: ROLE_ARN, endpoint: server.endpoint, timeout_seconds: '30' }));
  });
  expect(run.code).toBe(3);
  expect(run.out.trimEnd().split('\n')).toHaveLength(1);
  expect(run.out).toContain('[redacted]');
  expectClean(run.out);
});

it('synth: the annotation, the manifest and the cache hold no secret', async () => {
  const child = await startHostileServersInChild(['echo-headers']);
  const saved = Object.fromEntries(Object.keys(SECRETS).map((k) => [k, process.env[k]]));
  const savedContinue = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
  Object.assign(process.env, SECRETS, { CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true' });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'aa-redact-'));
    const cacheFile = join(dir, 'access-advisor.context.json');
    const app = Testing.app({ context: { 'accessAdvisor:cacheFile': cacheFile } });
    const stack = new TerraformStack(app, 'stack');
    new ServiceLastAccessedReport(stack, 'report', { arn: ROLE_ARN, endpoint: child.endpoints['echo-headers']!, timeout: '30s' });
    const outdir = Testing.fullSynth(stack);
    const manifest = readFileSync(join(outdir, 'manifest.json'), 'utf8');
    expect(manifest).toContain('access advisor lookup failed');
    expect(manifest).toContain('[redacted]');
    expectClean(manifest);
    const stackJson = readFileSync(join(outdir, 'stacks', 'stack', 'cdk.tf.json'), 'utf8');
    expectClean(stackJson);
    if (existsSync(cacheFile)) expectClean(readFileSync(cacheFile, 'utf8'));
    expect(existsSync(cacheFile) ? Object.keys(JSON.parse(readFileSync(cacheFile, 'utf8')).entries) : []).toEqual([]);
  } finally {
    for (const [k, v] of Object.entries({ ...saved, CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: savedContinue })) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await child.close();
  }
}, 120_000);

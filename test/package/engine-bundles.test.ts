import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import type { ServiceLastAccessedReport } from '../../src/model/report';
import type { WorkerBatch, WorkerResponse } from '../../src/resolve/worker-protocol';
import { BUNDLED_COMMANDS } from '../../src/cli/command-word';
import { childOutput } from '../../scripts/child-output';
import { ADMIN_CREDENTIALS, ROOT, cliEnv, runCli, tempDir } from '../cli/cli-harness';

// The build bundles the AWS SDK the engine uses into dist/iam/aws-sdk.js (loaded by the CLI, the library and the
// provider) and the whole synth worker into dist/resolve/synth-worker.js, from the SDK's ES modules
// (scripts/bundle-sdk.js, scripts/bundle-worker.js). These run the built files as users do and check that what the
// SDK decides — credentials from the default chain, region, endpoint, an assumed role — is what it was.
const DIST = join(ROOT, 'dist');
// Each is a small launcher that runs its bundle, `<name>.payload.js` beside it, from a V8 code cache (src/iam/code-cache.ts).
const WORKER = join(DIST, 'resolve', 'synth-worker.js');
const WORKER_PAYLOAD = join(DIST, 'resolve', 'synth-worker.payload.js');
const SDK = join(DIST, 'iam', 'aws-sdk.js');
const SDK_PAYLOAD = join(DIST, 'iam', 'aws-sdk.payload.js');
const DEPLOYER = 'arn:aws:iam::123456789012:role/app-deployer';
const OPS_ADMIN = 'arn:aws:iam::123456789012:role/ops-admin';

/** Packages a built file requires at run time (node's own modules aside; not the words of an SDK error message). */
function packagesRequired(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const required = [...text.matchAll(/(?<![[\w.$])require\("([^"]+)"\)/g)].map((m) => m[1]!);
  return [...new Set(required.filter((name) => !name.startsWith('node:') && !['fs', 'os', 'path', 'crypto', 'http', 'https', 'stream', 'url', 'util', 'events', 'buffer', 'child_process', 'zlib', 'http2', 'net', 'tls', 'process', 'perf_hooks', 'async_hooks', 'module', 'worker_threads'].includes(name)))];
}

function runWorker(worker: string, batch: WorkerBatch, env: NodeJS.ProcessEnv): Promise<WorkerResponse> {
  const child = spawn(process.execPath, [worker], { env });
  return childOutput(child, JSON.stringify(batch)).then((run) => {
    if (run.code !== 0) throw new Error(`worker exit ${run.code}: ${run.stderr}`);
    return JSON.parse(run.stdout) as WorkerResponse;
  });
}

function batchFor(arn: string, connection: WorkerBatch['jobs'][number]['connection']): WorkerBatch {
  return { protocol: 1, jobs: [{ key: 'k', request: { kind: 'service-last-accessed', arn, granularity: 'ACTION_LEVEL' }, connection }] };
}

function reportOf(response: WorkerResponse): ServiceLastAccessedReport {
  const [outcome] = response.outcomes;
  if (!outcome?.ok) throw new Error(`the worker failed: ${JSON.stringify(outcome)}`);
  return outcome.report as ServiceLastAccessedReport;
}

let emulator: RunningEmulator;
let dir: string;
/** A profile `keys` with the emulator's admin keys, `proc` getting them from a credential_process, `dev` a region. */
let profileEnv: Record<string, string>;

beforeAll(async () => {
  for (const file of [WORKER, SDK]) {
    if (!/^\/\/ cdktf-access-advisor/.test(readFileSync(file, 'utf8'))) throw new Error(`${file} is not the bundle: run \`npm run build\` first`);
  }
  emulator = await startEmulator({ world: join(ROOT, 'examples', 'world.json'), port: 0, seed: 7, jobs: { durationMs: 100 } });
  dir = tempDir();
  const processScript = join(dir, 'credentials.js');
  writeFileSync(
    processScript,
    `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: ${JSON.stringify(ADMIN_CREDENTIALS.AWS_ACCESS_KEY_ID)}, SecretAccessKey: ${JSON.stringify(ADMIN_CREDENTIALS.AWS_SECRET_ACCESS_KEY)} }));\n`,
  );
  writeFileSync(
    join(dir, 'credentials'),
    `[keys]\naws_access_key_id = ${ADMIN_CREDENTIALS.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${ADMIN_CREDENTIALS.AWS_SECRET_ACCESS_KEY}\n`,
  );
  writeFileSync(
    join(dir, 'config'),
    `[profile keys]\nregion = eu-west-1\n\n[profile proc]\nregion = eu-west-1\ncredential_process = ${JSON.stringify(process.execPath)} ${JSON.stringify(processScript)}\n`,
  );
  profileEnv = { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
}, 60_000);

afterAll(async () => {
  await emulator?.close();
});

/** No keys, no region in the environment: what the worker or CLI gets comes from the profile. */
function profileOnly(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = cliEnv({ ...profileEnv, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra });
  delete env.AWS_REGION;
  return env;
}

describe('the bundled synth worker (dist/resolve/synth-worker.js)', () => {
  it('needs no installed package: it runs from a folder without node_modules', async () => {
    expect(packagesRequired(WORKER)).toEqual([]);
    expect(packagesRequired(WORKER_PAYLOAD)).toEqual([]);
    const folder = tempDir();
    const alone = join(folder, 'synth-worker.js');
    copyFileSync(WORKER, alone);
    copyFileSync(WORKER_PAYLOAD, join(folder, 'synth-worker.payload.js'));
    const env = cliEnv({ ...ADMIN_CREDENTIALS, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    const report = reportOf(await runWorker(alone, batchFor(DEPLOYER, { endpoint: emulator.endpoint }), env));
    expect(report).toMatchObject({ arn: DEPLOYER, jobStatus: 'COMPLETED', granularity: 'ACTION_LEVEL' });
    expect(report.servicesLastAccessed.length).toBeGreaterThan(0);
  }, 60_000);

  it.each([
    ['a profile of the shared credentials file (AWS_PROFILE)', { AWS_PROFILE: 'keys' }],
    ['a credential_process profile (AWS_PROFILE)', { AWS_PROFILE: 'proc' }],
  ])('takes credentials and region from %s, through the SDK chain', async (_, extra) => {
    const before = emulator.metrics().calls.GenerateServiceLastAccessedDetails ?? 0;
    const report = reportOf(await runWorker(WORKER, batchFor(DEPLOYER, { endpoint: emulator.endpoint }), profileOnly(extra)));
    expect(report).toMatchObject({ arn: DEPLOYER, jobStatus: 'COMPLETED' });
    expect(emulator.metrics().calls.GenerateServiceLastAccessedDetails).toBe(before + 1);
  }, 60_000);

  it('takes the endpoint from AWS_ENDPOINT_URL_IAM and assumes the connection role through STS at that endpoint', async () => {
    const before = emulator.metrics().calls.AssumeRole ?? 0;
    const env = profileOnly({ AWS_PROFILE: 'keys', AWS_ENDPOINT_URL_IAM: emulator.endpoint, AWS_ENDPOINT_URL_STS: emulator.endpoint });
    const report = reportOf(await runWorker(WORKER, batchFor(DEPLOYER, { roleArn: OPS_ADMIN }), env));
    expect(report).toMatchObject({ arn: DEPLOYER, jobStatus: 'COMPLETED' });
    expect(emulator.metrics().calls.AssumeRole).toBe(before + 1);
  }, 60_000);

  it('fails a profile without credentials with the explained error, as an outcome', async () => {
    const response = await runWorker(WORKER, batchFor(DEPLOYER, { endpoint: emulator.endpoint }), profileOnly({ AWS_PROFILE: 'nosuch' }));
    expect(response.outcomes[0]).toMatchObject({ ok: false, error: { message: expect.stringMatching(/no AWS credentials: profile "nosuch" \(AWS_PROFILE\)/) } });
  }, 60_000);
});

describe('the code cache of the bundled synth worker', () => {
  const cacheOf = (tmp: string): string => join(tmp, `access-advisor-code-cache-${process.getuid!()}`);
  const envWith = (tmp: string): NodeJS.ProcessEnv => {
    const env = cliEnv({ ...ADMIN_CREDENTIALS, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', TMPDIR: tmp });
    delete env.NODE_DISABLE_COMPILE_CACHE;
    return env;
  };
  const report = async (env: NodeJS.ProcessEnv) => reportOf(await runWorker(WORKER, batchFor(DEPLOYER, { endpoint: emulator.endpoint }), env));

  it('is written by the first run into a folder of mode 700 of this user, used (not rewritten) by the next, and a damaged file is replaced, never fatal', async () => {
    const tmp = tempDir();
    const first = await report(envWith(tmp));
    const [file] = readdirSync(cacheOf(tmp));
    expect(file).toMatch(/\.v8cache$/);
    expect(statSync(cacheOf(tmp)).mode & 0o777).toBe(0o700);
    const path = join(cacheOf(tmp), file!);
    const written = statSync(path).mtimeMs;
    expect((await report(envWith(tmp))).servicesLastAccessed).toEqual(first.servicesLastAccessed);
    expect(statSync(path).mtimeMs).toBe(written);
    // V8 itself would end the process on this (a segmentation fault on Node 20): the checksum keeps it away.
    const damaged = readFileSync(path);
    for (let i = 100; i < damaged.length; i += 101) damaged[i] ^= 0x5a;
    writeFileSync(path, damaged);
    expect((await report(envWith(tmp))).servicesLastAccessed).toEqual(first.servicesLastAccessed);
    expect(readFileSync(path).equals(damaged)).toBe(false);
  }, 60_000);

  it('is neither read nor written in a folder others may write, nor with NODE_DISABLE_COMPILE_CACHE', async () => {
    const tmp = tempDir();
    mkdirSync(cacheOf(tmp));
    chmodSync(cacheOf(tmp), 0o777);
    expect((await report(envWith(tmp))).jobStatus).toBe('COMPLETED');
    expect(readdirSync(cacheOf(tmp))).toEqual([]);
    const off = tempDir();
    expect((await report({ ...envWith(off), NODE_DISABLE_COMPILE_CACHE: '1' })).jobStatus).toBe('COMPLETED');
    expect(readdirSync(off)).toEqual([]);
  }, 60_000);
});

describe('the bundled AWS SDK of the engine (dist/iam/aws-sdk.js) in the built CLI', () => {
  it('holds the SDK itself: it requires no package (its launcher only the code cache beside it)', () => {
    expect(packagesRequired(SDK_PAYLOAD)).toEqual([]);
    expect(packagesRequired(SDK)).toEqual(['./code-cache']);
  });

  it('--profile (credential_process, region from the profile) with --role-arn: the report of the assumed role session', async () => {
    const before = emulator.metrics().calls.AssumeRole ?? 0;
    const run = await runCli(['service-report', '--arn', DEPLOYER, '--profile', 'proc', '--role-arn', OPS_ADMIN, '--endpoint-url', emulator.endpoint], {
      env: profileOnly(),
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({ arn: DEPLOYER, jobStatus: 'COMPLETED' });
    expect(emulator.metrics().calls.AssumeRole).toBe(before + 1);
  }, 60_000);

  it('a wrong profile is still the explained input error (exit 2)', async () => {
    const run = await runCli(['service-report', '--arn', DEPLOYER, '--profile', 'nosuch', '--endpoint-url', emulator.endpoint], { env: profileOnly() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^access-advisor: no AWS credentials: profile "nosuch" \(--profile\) is in neither .*; known profiles: keys, proc\n$/);
  }, 60_000);
});

describe('the bundled report commands of the CLI (dist/cli/report-cli.js)', () => {
  const REPORT_CLI = join(DIST, 'cli', 'report-cli.js');
  /** One payload per bundled command, each the program with that command alone (scripts/bundle-cli.js). */
  const payloadOf = (command: string): string => join(DIST, 'cli', `report-cli.${command}.payload.js`);
  /** What a report says, without what differs from run to run (job ids and dates of the job itself). */
  const stable = (stdout: string): unknown => {
    const { jobId: _jobId, jobCreationDate: _created, jobCompletionDate: _completed, generatedAt: _generated, ...rest } = JSON.parse(stdout) as Record<string, unknown>;
    return rest;
  };

  it('holds everything a report command loads: it requires no package, only this package\'s package.json', () => {
    expect(packagesRequired(REPORT_CLI)).toEqual([]);
    expect(readdirSync(join(DIST, 'cli')).filter((f) => f.endsWith('.payload.js')).sort()).toEqual(
      [...BUNDLED_COMMANDS].map((command) => `report-cli.${command}.payload.js`).sort(),
    );
    for (const command of BUNDLED_COMMANDS) {
      expect(packagesRequired(payloadOf(command))).toEqual(['../../package.json']);
      // ASCII: one other character makes node decode and V8 keep the whole bundle as two-byte text at every start.
      expect(readFileSync(payloadOf(command)).findIndex((byte) => byte > 0x7f)).toBe(-1);
    }
  });

  it('gives each command a payload of its own: a service-report loads no Organizations client, org-report does', () => {
    // keepNames keeps class names as strings: the client's class is in a payload exactly when its code is.
    const holdsOrganizations = (command: string): boolean => readFileSync(payloadOf(command), 'latin1').includes('"OrganizationsClient"');
    expect(holdsOrganizations('service-report')).toBe(false);
    expect(holdsOrganizations('policies-granting')).toBe(false);
    expect(holdsOrganizations('org-report')).toBe(true);
  });

  it('prints the same report as the program loaded from dist/ file by file (dist/cli/run.js)', async () => {
    const args = ['service-report', '--arn', DEPLOYER, '--endpoint-url', emulator.endpoint];
    const bundled = await runCli(args);
    const env = cliEnv({ ...ADMIN_CREDENTIALS });
    const fileByFile = await childOutput(spawn(process.execPath, [join(DIST, 'cli', 'run.js'), ...args], { cwd: ROOT, env }), '');
    expect({ code: bundled.code, stderr: bundled.stderr }).toEqual({ code: 0, stderr: '' });
    expect({ code: fileByFile.code, stderr: fileByFile.stderr }).toEqual({ code: 0, stderr: '' });
    expect(stable(bundled.stdout)).toEqual(stable(fileByFile.stdout));
    expect((stable(bundled.stdout) as ServiceLastAccessedReport).servicesLastAccessed.length).toBeGreaterThan(0);
  }, 60_000);

  it('keeps one code cache per command, written only by a run that reported (not a usage error, not --help)', async () => {
    const tmp = tempDir();
    const cache = join(tmp, `access-advisor-code-cache-${process.getuid!()}`);
    const env = cliEnv({ ...ADMIN_CREDENTIALS, TMPDIR: tmp });
    delete env.NODE_DISABLE_COMPILE_CACHE;
    const cacheFiles = (): string[] => readdirSync(cache).filter((f) => f.endsWith('.v8cache'));
    const report = ['service-report', '--arn', DEPLOYER, '--endpoint-url', emulator.endpoint];
    expect((await runCli(['service-report', '--arn', 'arn:aws:iam::123456789012:role/', '--endpoint-url', emulator.endpoint], { env })).code).toBe(2);
    expect((await runCli(['service-report', '--help'], { env })).code).toBe(0);
    expect((await runCli([...report, '--version'], { env })).code).toBe(0);
    expect(cacheFiles()).toEqual([]);
    const first = await runCli(report, { env });
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    const [written] = cacheFiles();
    expect(cacheFiles()).toHaveLength(1);
    const path = join(cache, written!);
    const writtenAt = statSync(path).mtimeMs;
    // Used from then on, not written again, and the same report.
    const second = await runCli(report, { env });
    expect(stable(second.stdout)).toEqual(stable(first.stdout));
    expect(statSync(path).mtimeMs).toBe(writtenAt);
    // Another command has a cache of its own.
    expect((await runCli(['policies-granting', '--arn', DEPLOYER, '--service', 's3', '--endpoint-url', emulator.endpoint], { env })).code).toBe(0);
    expect(cacheFiles()).toHaveLength(2);
  }, 60_000);

  it('a bad input is the same one-line error and exit 2 as from dist/', async () => {
    const bundled = await runCli(['service-report', '--arn', 'arn:aws:iam::123456789012:role/', '--endpoint-url', emulator.endpoint]);
    expect(bundled.code).toBe(2);
    expect(bundled.stderr).toMatch(/^access-advisor: .*arn.*\n$/);
  }, 60_000);
});

import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runWorkerSync, WorkerRunError } from '../../src/resolve/run-worker';
import { useSynthEmulator } from './synth-emulator';
import { ADMIN_KEY, APP_ROLE, batchRole, roleArn } from './synth-world';
import { scratch, workerRuns } from './synth-support';

// The synth's worker is a thread of the synth (src/resolve/run-worker.ts), started as soon as a report construct
// registers a lookup the cache cannot answer (from the built package). These tests hold what a child process gave
// for free.

const synthEmulator = useSynthEmulator();
const DIST = resolve(__dirname, '..', '..', 'dist');

afterEach(() => {
  delete process.env.ACCESS_ADVISOR_WORKER_LOG;
});

test('a worker that does not answer in time is terminated with the clear error, and the next run is not disturbed', () => {
  const job = { key: 'k', request: { kind: 'service-last-accessed' as const, arn: APP_ROLE, granularity: 'SERVICE_LEVEL' as const, withEntities: false }, connection: { endpoint: synthEmulator.current.endpoint } };
  const started = Date.now();
  // Far shorter than the thread's start from TypeScript sources: the run times out while the worker loads.
  expect(() => runWorkerSync({ protocol: 1, jobs: [job] }, { timeoutMs: 50 })).toThrow(new WorkerRunError('the synth worker did not finish within 50 ms'));
  expect(Date.now() - started).toBeLessThan(30_000);
  const response = runWorkerSync({ protocol: 1, jobs: [job] }, { timeoutMs: 120_000 });
  expect(response.outcomes).toEqual([expect.objectContaining({ key: 'k', ok: true })]);
}, 180_000);

test('the environment a run is given is the worker\'s whole environment', () => {
  const job = { key: 'k', request: { kind: 'service-last-accessed' as const, arn: APP_ROLE, granularity: 'SERVICE_LEVEL' as const, withEntities: false }, connection: { endpoint: synthEmulator.current.endpoint } };
  // Without credentials in the given environment the job fails, although the synth's own has them.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', HOME: scratch().dir };
  const response = runWorkerSync({ protocol: 1, jobs: [job] }, { timeoutMs: 120_000, env });
  expect(response.outcomes[0]).toMatchObject({ key: 'k', ok: false });
  expect(process.env.AWS_ACCESS_KEY_ID).toBe(ADMIN_KEY.id);
}, 180_000);

describe('the built package (dist/) in a process of its own', () => {
  beforeAll(() => {
    if (!existsSync(join(DIST, 'resolve', 'synth-worker.js'))) throw new Error('run `npm run build` first');
  });

  function appFile(dir: string, body: string, cacheFile: string, arn: string, around: { before?: string; after?: string } = {}): string {
    const file = join(dir, 'app.js');
    writeFileSync(
      file,
      `const { App, TerraformStack, TerraformOutput } = require(${JSON.stringify(require.resolve('cdktf'))});
const { ServiceLastAccessedReport } = require(${JSON.stringify(join(DIST, 'index.js'))});
const app = new App({ outdir: ${JSON.stringify(join(dir, 'out'))}, context: { 'accessAdvisor:cacheFile': ${JSON.stringify(cacheFile)} } });
const stack = new TerraformStack(app, 'app');
${around.before ?? ''}
const report = new ServiceLastAccessedReport(stack, 'report', { arn: ${JSON.stringify(arn)}, endpoint: ${JSON.stringify(synthEmulator.current.endpoint)} });
new TerraformOutput(stack, 'unused', { value: report.unusedServices() });
${around.after ?? ''}
${body}
`,
    );
    return file;
  }

  test.each([
    ['after a synth that fetched its report', 'app.synth();', true],
    ['when the app never synthesizes (the early worker thread is never used)', '', false],
  ])("the process exits by itself, printing nothing of the worker's own output (the AWS SDK's Node version warning), %s", (_, body, fetched) => {
    const s = scratch();
    const file = appFile(s.dir, body, s.cacheFile, roleArn(batchRole(fetched ? 40 : 41)));
    const child = spawnSync(process.execPath, [file], { env: { ...process.env, ACCESS_ADVISOR_WORKER_LOG: s.workerLog }, encoding: 'utf8', timeout: 60_000 });
    expect({ status: child.status, signal: child.signal, stderr: child.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
    expect(existsSync(s.cacheFile)).toBe(fetched);
    expect(workerRuns(s.workerLog)).toHaveLength(fetched ? 1 : 0);
  }, 90_000);

  test('the worker started early sees the environment of the synth, not the one of the moment it started', () => {
    const s = scratch();
    // The construct misses the cache, so the worker thread starts while the secret in the environment is wrong; the
    // app puts it right before synth, and the lookup must use that environment.
    const file = appFile(s.dir, 'app.synth();', s.cacheFile, roleArn(batchRole(43)), {
      before: "const secret = process.env.AWS_SECRET_ACCESS_KEY; process.env.AWS_SECRET_ACCESS_KEY = 'not-the-secret';",
      after: 'process.env.AWS_SECRET_ACCESS_KEY = secret;',
    });
    const child = spawnSync(process.execPath, [file], { env: { ...process.env, ACCESS_ADVISOR_WORKER_LOG: s.workerLog }, encoding: 'utf8', timeout: 60_000 });
    expect({ status: child.status, stderr: child.stderr }).toEqual({ status: 0, stderr: '' });
    expect(Object.values(JSON.parse(readFileSync(s.cacheFile, 'utf8')).entries)).toEqual([expect.objectContaining({ report: expect.objectContaining({ jobStatus: 'COMPLETED' }) })]);
    expect(workerRuns(s.workerLog)).toHaveLength(1);
  }, 90_000);

  // The synth's thread sleeps in Atomics.wait and never sees a Worker's 'exit' event: a worker thread that dies without
  // answering once left the synth waiting for its whole timeout (here 2 min + 30 s), and it must never resolve to a report.
  // (This also fails when a Node version no longer offers the synchronous check run-worker.ts reads: see stoppedProbe.)
  test.each([
    ['runs out of memory', 'const kept = []; for (;;) kept.push(new Array(1e5).fill(1.5));'],
    ['calls process.exit while it loads', 'process.exit(7);'],
  ])('a worker thread that %s fails the synth at once, with why, and resolves nothing', (_, workerBody) => {
    const s = scratch();
    // A copy of the built package whose worker module is the failing one (NODE_PATH finds the dependencies).
    const dist = join(s.dir, 'dist');
    cpSync(DIST, dist, { recursive: true });
    writeFileSync(join(dist, 'resolve', 'synth-worker.js'), workerBody);
    const file = join(s.dir, 'app.js');
    writeFileSync(
      file,
      `const { App, TerraformStack, TerraformOutput } = require(${JSON.stringify(require.resolve('cdktf'))});
const { ServiceLastAccessedReport } = require(${JSON.stringify(join(dist, 'index.js'))});
const app = new App({ outdir: ${JSON.stringify(join(s.dir, 'out'))}, context: { 'accessAdvisor:cacheFile': ${JSON.stringify(s.cacheFile)} } });
const stack = new TerraformStack(app, 'app');
const report = new ServiceLastAccessedReport(stack, 'report', { arn: ${JSON.stringify(APP_ROLE)}, endpoint: ${JSON.stringify(synthEmulator.current.endpoint)}, timeout: '2m' });
new TerraformOutput(stack, 'unused', { value: report.unusedServices() });
app.synth();
`,
    );
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--max-old-space-size=300', file], {
      env: { ...process.env, NODE_PATH: resolve(__dirname, '..', '..', 'node_modules') },
      encoding: 'utf8',
      timeout: 100_000,
    });
    expect(child.signal).toBeNull();
    expect(child.status).toBe(1);
    expect(child.stderr).toMatch(/access advisor lookup failed: the synth worker failed: its thread stopped before it answered \(it ran out of memory, exited or was terminated\); no report was resolved/);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(existsSync(s.cacheFile)).toBe(false);
  }, 120_000);

  test('Ctrl-C (SIGINT) ends a synth blocked on its worker', async () => {
    await synthEmulator.current.setJobs({ durationMs: 60_000 });
    try {
      const s = scratch();
      const file = appFile(s.dir, 'app.synth();', s.cacheFile, roleArn(batchRole(42)));
      const child = spawn(process.execPath, [file], { env: { ...process.env, ACCESS_ADVISOR_WORKER_LOG: s.workerLog }, stdio: 'ignore' });
      const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
      // The run is logged just before the synth blocks on it.
      for (let waited = 0; !existsSync(s.workerLog) && waited < 60_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 200));
      const sent = Date.now();
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const result = await ended;
      clearTimeout(timer);
      expect(result).toEqual({ code: null, signal: 'SIGINT' });
      expect(Date.now() - sent).toBeLessThan(10_000);
      expect(existsSync(s.cacheFile)).toBe(false);
    } finally {
      await synthEmulator.current.setJobs({ durationMs: 50 });
    }
  }, 120_000);
});

/**
 * The Terraform provider as Terraform runs it (section `provider` of `npm run bench`; needs `npm run build`,
 * `terraform` on the PATH and hashicorp/aws in /opt/tf-plugins for the CLI config the provider tier writes):
 *   - provider start to handshake: the launcher `access-advisor provider install` writes, started with Terraform's
 *     environment (magic cookie, AutoMTLS client certificate, port range), until its handshake line;
 *   - `terraform plan` with 50 `accessadvisor_service_last_accessed` data sources on 50 roles (1 s jobs, the emulator
 *     in this process) against the same plan with one of them and without any, at -parallelism=50 (where the goal is
 *     judged) and at Terraform's default -parallelism=10. Terraform runs at most -parallelism data-source reads at once
 *     (its graph walker holds a semaphore of that size around each node's Execute, ReadDataSource included), so at 10
 *     the 50 one-second jobs are five waves: a floor of 5 s plus the plan, which no provider can beat without starting
 *     jobs before Terraform asks for them. The goal "≤ 1.5 × (one job + the plan without reports)" is attainable only
 *     where all 50 reads may run at once;
 *   - the same 50 reports with `granularity = "SERVICE_LEVEL"` at -parallelism=50: what the tracked actions cost
 *     Terraform itself (it decodes, checks and encodes every value of a plan twice);
 *   - the API calls of each 50-report plan by operation (the minimum is one Generate and one Get per report) and the
 *     most requests the emulator had in flight (the emulator answers each request within one turn of its event loop,
 *     so with no added latency it rarely sees two at once, whatever the client sends);
 *   - where one one-report plan's time goes (one more run with Terraform's trace and the provider's phase marks): the
 *     provider starts, Terraform's wait from each start to its handshake and first call, the read, the exits.
 *
 *   npm run bench -- --only provider [--runs N]
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startEmulator } from '../src/emulator';
import { scenarioWorld, BENCH_ACCESS_KEY, BENCH_SECRET_KEY, roleArn } from './suite/world';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../src/provider/handshake';
import { createServerCertificate } from '../src/provider/tls-certificate';
import { availability, ProviderSandbox, SOURCE, terraformOk } from '../test/provider/support';
import { planPhases, type PlanPhases } from './provider-phases';

export const PROVIDER_REPORTS = 50;
export const PROVIDER_JOB_MS = 1000;

export interface ProviderPlanSample {
  /** `terraform plan` without any report data source. */
  readonly noneMs: number;
  /** With one report: one job plus the plan without reports. */
  readonly oneMs: number;
  /** With 50 reports, Terraform's default -parallelism (10). */
  readonly manyMs: number;
  /** With 50 reports and -parallelism=50. */
  readonly manyParallel50Ms: number;
  /** The same 50 reports with `granularity = "SERVICE_LEVEL"` (no tracked actions), -parallelism=50 (absent in older results). */
  readonly manyServiceLevelParallel50Ms?: number;
  /** API calls of one 50-report plan (-parallelism=10), and the most the emulator had in flight at once. */
  readonly manyApiCalls: number;
  readonly manyMaxInFlight: number;
  /** The same at -parallelism=50, by operation (absent in results recorded before it was measured). */
  readonly manyParallel50Calls?: Readonly<Record<string, number>>;
  readonly manyParallel50ApiCalls?: number;
  /** Where one more one-report plan's time went (TF_LOG=trace and the provider's phase marks; not the timed run). */
  readonly onePhases: PlanPhases;
}

export interface ProviderSample {
  readonly terraformVersion: string;
  /** Each start of the installed launcher until its handshake line (after one warm-up start). */
  readonly handshakeMs: readonly number[];
  readonly reports: number;
  readonly jobDurationMs: number;
  readonly plans: readonly ProviderPlanSample[];
}

function now(): bigint {
  return process.hrtime.bigint();
}
const since = (start: bigint) => Number(now() - start) / 1e6;

/** One start of the provider as Terraform starts it: magic cookie, protocol versions, client certificate, port range. */
function handshakeMs(executable: string, clientCert: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = now();
    const child = spawn(executable, [], {
      env: {
        PATH: process.env.PATH ?? '',
        [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
        PLUGIN_PROTOCOL_VERSIONS: '6,5',
        PLUGIN_CLIENT_CERT: clientCert,
        PLUGIN_MIN_PORT: '10000',
        PLUGIN_MAX_PORT: '25000',
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let line = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      line += chunk;
      if (!line.includes('\n')) return;
      const elapsed = since(start);
      child.kill('SIGKILL');
      if (!/^1\|6\|tcp\|127\.0\.0\.1:\d+\|grpc\|\S+\n$/.test(line)) reject(new Error(`not a handshake line: ${JSON.stringify(line)}`));
      else resolve(elapsed);
    });
    child.on('error', reject);
    child.on('close', (code) => (line.includes('\n') ? undefined : reject(new Error(`the provider exited (${code}) before its handshake`))));
  });
}

function config(endpoint: string, reports: number, granularity?: 'SERVICE_LEVEL'): string {
  const level = granularity ? `  granularity = "${granularity}"\n` : '';
  const blocks = Array.from({ length: reports }, (_, i) => `data "accessadvisor_service_last_accessed" "r${i}" {\n  arn = "${roleArn(i)}"\n${level}}\n`);
  return `terraform {\n  required_providers {\n    accessadvisor = { source = "${SOURCE}" }\n  }\n}\nprovider "accessadvisor" {\n  endpoint = "${endpoint}"\n}\n${blocks.join('')}`;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = now();
  await run();
  return since(start);
}

/** One more plan with Terraform's trace and the provider's phase marks on, broken down by bench/provider-phases.ts. */
async function tracedPlan(sandbox: ProviderSandbox, dir: string, env: NodeJS.ProcessEnv, run: number): Promise<PlanPhases> {
  const tfLog = join(sandbox.scratch, `trace-${run}.log`);
  const phases = join(sandbox.scratch, `phases-${run}.jsonl`);
  const start = Date.now();
  await terraformOk(['plan', '-input=false'], dir, { ...env, TF_LOG: 'trace', TF_LOG_PATH: tfLog, ACCESS_ADVISOR_PHASES: phases });
  return planPhases(tfLog, phases, start, Date.now());
}

export async function runProviderBench(runs: number): Promise<ProviderSample> {
  const available = availability();
  if (!available.available) throw new Error(`the provider bench cannot run here: ${available.why}`);
  const sandbox = new ProviderSandbox();
  const emulator = await startEmulator({ world: scenarioWorld({ principals: PROVIDER_REPORTS, services: 20 }), jobs: { durationMs: PROVIDER_JOB_MS }, seed: 3 });
  try {
    const { executable } = sandbox.install();
    const clientCert = (await createServerCertificate()).certPem;
    await handshakeMs(executable, clientCert); // warm-up: the first start reads every module from disk
    const handshakes: number[] = [];
    for (let i = 0; i < Math.max(10, runs * 5); i++) handshakes.push(await handshakeMs(executable, clientCert));

    const env = sandbox.env({ AWS_ACCESS_KEY_ID: BENCH_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: BENCH_SECRET_KEY });
    const many = sandbox.workdir({ 'main.tf': config(emulator.endpoint, PROVIDER_REPORTS) });
    const manyServiceLevel = sandbox.workdir({ 'main.tf': config(emulator.endpoint, PROVIDER_REPORTS, 'SERVICE_LEVEL') });
    const one = sandbox.workdir({ 'main.tf': config(emulator.endpoint, 1) });
    const none = sandbox.workdir({ 'main.tf': config(emulator.endpoint, 0) });
    for (const dir of [many, manyServiceLevel, one, none]) await terraformOk(['init', '-input=false'], dir, env);
    const plan = (dir: string, extra: string[] = []) => timed(() => terraformOk(['plan', '-input=false', ...extra], dir, env));
    await plan(none); // warm-up
    const plans: ProviderPlanSample[] = [];
    for (let i = 0; i < runs; i++) {
      const noneMs = await plan(none);
      const oneMs = await plan(one);
      emulator.resetMetrics();
      const manyMs = await plan(many);
      const metrics = emulator.metrics();
      emulator.resetMetrics();
      const manyParallel50Ms = await plan(many, ['-parallelism=50']);
      const metrics50 = emulator.metrics();
      const manyServiceLevelParallel50Ms = await plan(manyServiceLevel, ['-parallelism=50']);
      const onePhases = await tracedPlan(sandbox, one, env, i);
      plans.push({
        noneMs,
        oneMs,
        manyMs,
        manyParallel50Ms,
        manyServiceLevelParallel50Ms,
        manyApiCalls: metrics.totalCalls,
        manyMaxInFlight: metrics.maxInFlight,
        manyParallel50Calls: metrics50.calls,
        manyParallel50ApiCalls: metrics50.totalCalls,
        onePhases,
      });
    }
    const version = (JSON.parse(spawnSync('terraform', ['version', '-json'], { env, encoding: 'utf8' }).stdout) as { terraform_version: string }).terraform_version;
    return { terraformVersion: version, handshakeMs: handshakes, reports: PROVIDER_REPORTS, jobDurationMs: PROVIDER_JOB_MS, plans };
  } finally {
    await emulator.close();
    sandbox.cleanup();
  }
}

/**
 * The Terraform provider, as Terraform runs it (standalone; not yet a section of `npm run bench`):
 *   - provider start to handshake line: `node dist/provider/main.js` with Terraform's environment (AutoMTLS), median;
 *   - `terraform plan` of 50 `accessadvisor_service_last_accessed` data sources (1 s jobs, emulator in this process)
 *     against one job plus the same `terraform plan` without them; at Terraform's default -parallelism (10) and at 50.
 *
 *   npm run build && npx ts-node --transpile-only bench/provider.ts [runs]
 *
 * Needs `terraform` on the PATH and hashicorp/aws in /opt/tf-plugins only for the CLI config the tier writes; the
 * configurations here use the accessadvisor provider alone.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startEmulator } from '../src/emulator';
import { createServerCertificate } from '../src/provider/tls-certificate';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../src/provider/handshake';
import { ProviderSandbox, SOURCE, terraformOk } from '../test/provider/support';
import { summarize } from './suite/stats';

const ROOT = join(__dirname, '..');
const PROGRAM = join(ROOT, 'dist', 'provider', 'main.js');
const WORLD = join(ROOT, 'examples', 'world.json');
const ROLE = 'arn:aws:iam::123456789012:role/app-deployer';

function handshakeMs(clientCert: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [PROGRAM], {
      env: { PATH: process.env.PATH ?? '', [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6,5', PLUGIN_CLIENT_CERT: clientCert },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.stdout!.once('data', () => {
      resolve(Number(process.hrtime.bigint() - start) / 1e6);
      child.kill('SIGKILL');
    });
    child.on('error', reject);
  });
}

function config(endpoint: string, reports: number): string {
  const blocks = Array.from({ length: reports }, (_, i) => `data "accessadvisor_service_last_accessed" "r${i}" {\n  arn = "${ROLE}"\n  with_entities = ${i % 2 === 0}\n  granularity = "${i % 4 < 2 ? 'SERVICE_LEVEL' : 'ACTION_LEVEL'}"\n}\n`);
  return `terraform {\n  required_providers {\n    accessadvisor = { source = "${SOURCE}" }\n  }\n}\nprovider "accessadvisor" {\n  endpoint = "${endpoint}"\n}\n${blocks.join('')}`;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const client = (await createServerCertificate()).certPem;
  const handshakes: number[] = [];
  for (let i = 0; i < Math.max(5, runs * 3); i++) handshakes.push(await handshakeMs(client));
  const h = summarize(handshakes);
  console.log(`provider start to handshake: median ${h.median.toFixed(0)} ms (${h.min.toFixed(0)}–${h.max.toFixed(0)}), goal ≤ 300 ms`);

  const emulator = await startEmulator({ world: WORLD, jobs: { durationMs: 1000 }, seed: 3 });
  const sandbox = new ProviderSandbox();
  try {
    sandbox.install();
    const env = sandbox.env();
    // 50 distinct requests would need 50 principals; 4 variants × distinct data sources of the same role still run
    // as separate reads (identical ones in flight share one job, as they should).
    const fifty = sandbox.workdir({ 'main.tf': config(emulator.endpoint, 50) });
    const one = sandbox.workdir({ 'main.tf': config(emulator.endpoint, 1) });
    const none = sandbox.workdir({ 'main.tf': config(emulator.endpoint, 0) });
    for (const dir of [fifty, one, none]) await terraformOk(['init', '-input=false'], dir, env);
    const sample = async (dir: string, extra: string[] = []) => timed(() => terraformOk(['plan', '-input=false', '-refresh=true', ...extra], dir, env));
    const rows: Record<string, number[]> = { none: [], one: [], fifty: [], fifty50: [] };
    for (let i = 0; i < runs; i++) {
      rows.none!.push(await sample(none));
      rows.one!.push(await sample(one));
      rows.fifty!.push(await sample(fifty));
      rows.fifty50!.push(await sample(fifty, ['-parallelism=50']));
    }
    const m = (k: string) => summarize(rows[k]!).median;
    const bound = m('one');
    console.log(`terraform plan without reports: ${m('none').toFixed(0)} ms; with one report (1 s job): ${m('one').toFixed(0)} ms`);
    console.log(`50 reports, -parallelism=10 (default): ${m('fifty').toFixed(0)} ms = ${(m('fifty') / bound).toFixed(2)} × (one job + plan without)`);
    console.log(`50 reports, -parallelism=50: ${m('fifty50').toFixed(0)} ms = ${(m('fifty50') / bound).toFixed(2)} × (one job + plan without); goal ≤ 1.5`);
  } finally {
    await emulator.close();
    sandbox.cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

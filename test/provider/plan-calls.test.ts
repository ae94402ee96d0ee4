import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { tierRan } from '../tiers';
import { cliReport, describeProviderTier, ProviderSandbox, ROOT, SOURCE, stateResources, terraformOk, TIER } from './support';

// Several report data sources in one `terraform apply`: Terraform reads them at once (up to -parallelism), each as its
// own ReadDataSource on the one provider process, whose engine reads their principals' creation dates together when
// their jobs start close together (as a synth run does). Whichever way a date was read, the state carries the CLI's
// value and the decision data source still judges by it.
const WORLD_FILE = join(ROOT, 'examples', 'world.json');
const ACCOUNT = '123456789012';
const ROLES = ['app-deployer', 'ops-admin', 'young-analytics', 'orders-service'];
const arn = (role: string) => `arn:aws:iam::${ACCOUNT}:role/${role}`;

function config(endpoint: string): string {
  const reports = ROLES.map((role) => `data "accessadvisor_service_last_accessed" "${role}" {\n  arn = "${arn(role)}"\n}\n`);
  return `terraform {
  required_providers {
    accessadvisor = { source = "${SOURCE}" }
  }
}
provider "accessadvisor" {
  endpoint = "${endpoint}"
}
${reports.join('')}
data "accessadvisor_unused_permissions" "young" {
  arn               = "${arn('young-analytics')}"
  granularity       = "SERVICE_LEVEL"
  unused_after_days = 90
}
`;
}

describeProviderTier('the calls of a configuration with several report data sources, through the real Terraform', () => {
  const sandbox = new ProviderSandbox();
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ world: WORLD_FILE, jobs: { durationMs: 1000 }, seed: 7 });
    sandbox.install();
  });
  afterAll(async () => {
    await emulator?.close();
    sandbox.cleanup();
    tierRan(TIER, 'terraform apply of 5 report data sources on 4 roles: the creation dates of the CLI, the decision judged by them');
  });

  it('5 reports on 4 roles read at once: the creation dates are the CLI\'s, and the decision still judges the young role by its age', async () => {
    const env = sandbox.env();
    const dir = sandbox.workdir({ 'main.tf': config(emulator.endpoint) });
    await terraformOk(['init', '-input=false'], dir, env);
    emulator.resetMetrics();
    await terraformOk(['apply', '-input=false', '-auto-approve'], dir, env);
    const calls = emulator.metrics().calls;
    expect(calls.GenerateServiceLastAccessedDetails).toBe(5);
    // Read together (one GetAccountAuthorizationDetails for the roles whose generates were answered close together,
    // one call on a quiet machine), never more than one Get per report; test/iam/gathered-create-dates pins the counts.
    const dateCalls = (calls.GetRole ?? 0) + (calls.GetAccountAuthorizationDetails ?? 0);
    expect(dateCalls).toBeGreaterThanOrEqual(1);
    expect(dateCalls).toBeLessThanOrEqual(5);

    const resources = await stateResources(dir, env);
    for (const role of ROLES) {
      const state = resources.find((r) => r.address === `data.accessadvisor_service_last_accessed.${role}`)!.values;
      const cli = await cliReport(emulator.endpoint, arn(role), 'ACTION_LEVEL', env);
      expect(typeof cli.principalCreateDate).toBe('string');
      expect(state.principal_create_date).toBe(cli.principalCreateDate);
    }
    // 20 days old against 90: only a creation date that was read can make this insufficient-history (without one the
    // status would be unknown-history); either way nothing is flagged.
    const young = resources.find((r) => r.address === 'data.accessadvisor_unused_permissions.young')!.values;
    expect(young.status).toBe('insufficient-history');
    expect(young.violation_count).toBe(0);
  }, 180_000);
});

import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { runServiceLastAccessedReport } from '../../src/iam';
import type { OrganizationsAccessReport, PoliciesGrantingServiceAccessResult, ServiceLastAccessedReport } from '../../src/model/report';
import { ADMIN_CREDENTIALS, ensureBuilt, ROOT, runCli, tempDir } from './cli-harness';

const WORLD = path.join(ROOT, 'examples', 'world.json');
const DEPLOYER = 'arn:aws:iam::123456789012:role/app-deployer';
const OPS = 'arn:aws:iam::123456789012:role/ops-admin';
const ALICE = 'arn:aws:iam::123456789012:user/alice';
const ROOT_PATH = 'o-4fxmplt198/r-c3xb';
const SHORT_JOBS = { durationMs: 150 };

let emulator: RunningEmulator;
let endpointArgs: string[];

beforeAll(async () => {
  ensureBuilt();
  emulator = await startEmulator({ world: WORLD, port: 0, seed: 7, jobs: SHORT_JOBS });
  endpointArgs = ['--endpoint-url', emulator.endpoint];
}, 180_000);

afterAll(async () => {
  await emulator?.close();
});

const generated = () => emulator.metrics().calls.GenerateServiceLastAccessedDetails ?? 0;

async function ok(args: string[], input?: string) {
  const run = await runCli([...args, ...endpointArgs], { input });
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
  return run;
}

describe('service-report', () => {
  it('--output json equals the library’s normalized report for the same job', async () => {
    const run = await ok(['service-report', '--arn', DEPLOYER, '--granularity', 'ACTION_LEVEL', '--with-entities']);
    const fromCli = JSON.parse(run.stdout) as ServiceLastAccessedReport;
    expect(fromCli.kind).toBe('service-last-accessed');
    expect(fromCli.arn).toBe(DEPLOYER);
    const fromLibrary = await runServiceLastAccessedReport(
      { arn: DEPLOYER, granularity: 'ACTION_LEVEL', withEntities: true },
      { endpoint: emulator.endpoint, credentials: { accessKeyId: ADMIN_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: ADMIN_CREDENTIALS.AWS_SECRET_ACCESS_KEY }, jobId: fromCli.jobId },
    );
    expect(fromCli).toEqual(JSON.parse(JSON.stringify(fromLibrary)));
    expect(run.stdout).toBe(`${JSON.stringify(fromLibrary, null, 2)}\n`);
  });

  it('--output yaml parses back to the same report (same job resumed), and resuming generates nothing', async () => {
    const json = JSON.parse((await ok(['service-report', '--arn', DEPLOYER])).stdout) as ServiceLastAccessedReport;
    const before = generated();
    const yaml = YAML.parse((await ok(['service-report', '--arn', DEPLOYER, '--job-id', json.jobId, '--output', 'yaml'])).stdout);
    expect(yaml).toEqual(json);
    expect(generated()).toBe(before);
  });

  it('--output table and markdown show every service of the report', async () => {
    const json = JSON.parse((await ok(['service-report', '--arn', DEPLOYER])).stdout) as ServiceLastAccessedReport;
    const table = (await ok(['service-report', '--arn', DEPLOYER, '--job-id', json.jobId, '--output', 'table'])).stdout;
    const markdown = (await ok(['service-report', '--arn', DEPLOYER, '--job-id', json.jobId, '--output', 'markdown'])).stdout;
    expect(json.servicesLastAccessed.length).toBeGreaterThan(2);
    expect(table).toMatch(/^\+-+\+/m);
    expect(markdown).toMatch(/^\| Namespace \| Service \| Last authenticated \|/m);
    expect(markdown).toMatch(/^### /m);
    for (const s of json.servicesLastAccessed) {
      expect(table).toMatch(new RegExp(`^\\| ${s.serviceNamespace} +\\|`, 'm'));
      expect(markdown).toContain(`| ${s.serviceNamespace} | ${s.serviceName} |`);
    }
  });

  it('--query filters the JSON before formatting, in json and yaml', async () => {
    const json = JSON.parse((await ok(['service-report', '--arn', DEPLOYER])).stdout) as ServiceLastAccessedReport;
    const query = 'servicesLastAccessed[?lastAuthenticated].serviceNamespace';
    const expected = json.servicesLastAccessed.filter((s) => s.lastAuthenticated).map((s) => s.serviceNamespace);
    expect(expected.length).toBeGreaterThan(0);
    const asJson = JSON.parse((await ok(['service-report', '--arn', DEPLOYER, '--job-id', json.jobId, '--query', query])).stdout);
    const asYaml = YAML.parse(
      (await ok(['service-report', '--arn', DEPLOYER, '--job-id', json.jobId, '--query', query, '--output', 'yaml'])).stdout,
    );
    expect(asJson).toEqual(expected);
    expect(asYaml).toEqual(expected);
  });

  it('many ARNs (repeated --arn and --arns-from with comments) run as one job each, results in order', async () => {
    const dir = tempDir();
    const list = path.join(dir, 'roles.txt');
    fs.writeFileSync(list, `# principals to check\n${OPS}   # the admin role\n\n${DEPLOYER}\n`);
    const before = generated();
    const run = await ok(['service-report', '--arn', DEPLOYER, '--arn', ALICE, '--arns-from', list]);
    const reports = JSON.parse(run.stdout) as ServiceLastAccessedReport[];
    expect(reports.map((r) => r.arn)).toEqual([DEPLOYER, ALICE, OPS]);
    expect(generated() - before).toBe(3);
  });

  it('--arns-from - reads standard input', async () => {
    const before = generated();
    const run = await ok(['service-report', '--arns-from', '-', '--query', '[].arn'], `${OPS}\n${ALICE}\n`);
    expect(JSON.parse(run.stdout)).toEqual([OPS, ALICE]);
    expect(generated() - before).toBe(2);
  });

  it('a job that outlives --timeout exits 4 naming the job; --job-id resumes it without a new job', async () => {
    emulator.setJobs({ durationMs: 2500 });
    try {
      const before = generated();
      const timedOut = await runCli(['service-report', '--arn', OPS, '--timeout', '0.5', ...endpointArgs]);
      expect(timedOut.code).toBe(4);
      expect(timedOut.stdout).toBe('');
      const jobId = /--job-id ([0-9a-f-]{36})/.exec(timedOut.stderr)?.[1];
      expect(jobId).toBeDefined();
      expect(generated() - before).toBe(1);

      const resumed = await ok(['service-report', '--arn', OPS, '--job-id', jobId!, '--timeout', '30']);
      expect((JSON.parse(resumed.stdout) as ServiceLastAccessedReport).jobId).toBe(jobId);
      expect(generated() - before).toBe(1);
    } finally {
      emulator.setJobs(SHORT_JOBS);
    }
  });

  it('a FAILED job exits 3 with IAM’s error on one line', async () => {
    emulator.setJobs({ failTargets: [ALICE] });
    try {
      const run = await runCli(['service-report', '--arn', ALICE, ...endpointArgs]);
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^access-advisor: job [0-9a-f-]{36} FAILED/);
    } finally {
      emulator.setJobs({ failTargets: [] });
    }
  });

  it('one failing principal among several: the others are printed, exit 3', async () => {
    emulator.setJobs({ failTargets: [ALICE] });
    try {
      const run = await runCli(['service-report', '--arn', DEPLOYER, '--arn', ALICE, ...endpointArgs]);
      expect(run.code).toBe(3);
      expect((JSON.parse(run.stdout) as ServiceLastAccessedReport[]).map((r) => r.arn)).toEqual([DEPLOYER]);
      expect(run.stderr).toMatch(/FAILED/);
    } finally {
      emulator.setJobs({ failTargets: [] });
    }
  });
});

describe('org-report', () => {
  it('prints the organizations report in json and yaml', async () => {
    const json = JSON.parse(
      (await ok(['org-report', '--entity-path', ROOT_PATH, '--sort-key', 'SERVICE_NAMESPACE_DESCENDING'])).stdout,
    ) as OrganizationsAccessReport;
    expect(json.kind).toBe('organizations-access');
    expect(json.entityPath).toBe(ROOT_PATH);
    expect(json.accessDetails.length).toBeGreaterThan(0);
    const namespaces = json.accessDetails.map((d) => d.serviceNamespace);
    expect(namespaces).toEqual([...namespaces].sort().reverse());
    const yaml = YAML.parse(
      (await ok(['org-report', '--entity-path', ROOT_PATH, '--sort-key', 'SERVICE_NAMESPACE_DESCENDING', '--output', 'yaml'])).stdout,
    ) as OrganizationsAccessReport;
    expect(yaml.accessDetails).toEqual(json.accessDetails);
    expect(yaml.numberOfServicesAccessible).toBe(json.numberOfServicesAccessible);
  });

  it('--job-id of an Organizations job is refused (exit 2): IAM does not say whose job it is', async () => {
    const json = JSON.parse((await ok(['org-report', '--entity-path', ROOT_PATH])).stdout) as OrganizationsAccessReport;
    const run = await runCli(['org-report', '--entity-path', ROOT_PATH, '--job-id', json.jobId, ...endpointArgs]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^access-advisor: invalid --job-id: .*resumed Organizations job is refused/);
  });

  it('a malformed entity path exits 2 naming --entity-path', async () => {
    const run = await runCli(['org-report', '--entity-path', 'o-short/r-x', ...endpointArgs]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^access-advisor: invalid --entity-path: entityPath: "o-short\/r-x"/);
  });
});

describe('policies-granting', () => {
  it('lists the policies granting each requested namespace', async () => {
    const run = await ok(['policies-granting', '--arn', DEPLOYER, '--service', 's3', 'logs']);
    const result = JSON.parse(run.stdout) as PoliciesGrantingServiceAccessResult;
    expect(result.kind).toBe('policies-granting-service-access');
    expect(result.policiesGrantingServiceAccess.map((e) => e.serviceNamespace).sort()).toEqual(['logs', 's3']);
    const s3 = result.policiesGrantingServiceAccess.find((e) => e.serviceNamespace === 's3')!;
    expect(s3.policies.map((p) => p.policyName)).toContain('app-deployer-policy');
    const markdown = (await ok(['policies-granting', '--arn', DEPLOYER, '--service', 's3,logs', '--output', 'markdown'])).stdout;
    expect(markdown).toContain('| s3 | app-deployer-policy | MANAGED |');
  });
});

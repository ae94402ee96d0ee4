import { join } from 'node:path';
import { decode, encode, ExtData } from '@msgpack/msgpack';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { listPoliciesGrantingServiceAccess } from '../../src/iam';
import { containsUnknown, decodeDynamicValue, encodeDynamicValue, Unknown } from '../../src/provider/dynamic-value';
import { readServiceReportInput, SERVICE_REPORT_INPUTS } from '../../src/provider/data-sources/report-inputs';
import { ProviderService } from '../../src/provider/provider-service';

// The tfplugin6 service without gRPC: the messages Terraform sends, encoded as Terraform encodes them.
const ROLE = 'arn:aws:iam::123456789012:role/app-deployer';

/** msgpack as Terraform writes it: an unknown is extension 0, a refined unknown extension 12 with a map of refinements. */
function wire(value: unknown): { msgpack: Uint8Array } {
  return { msgpack: encode(value) };
}
const unknown = new ExtData(0, new Uint8Array([0]));
const refinedNotNullString = new ExtData(12, encode({ 1: false, 2: 'arn:aws:iam::' }));

describe('DynamicValue (msgpack)', () => {
  it('reads plain unknowns and refined unknowns (with their refinements) as Unknown', () => {
    const decoded = decodeDynamicValue(wire({ arn: unknown, granularity: refinedNotNullString, with_entities: null })) as Record<string, unknown>;
    expect(decoded.arn).toBeInstanceOf(Unknown);
    expect(decoded.granularity).toBeInstanceOf(Unknown);
    expect((decoded.granularity as Unknown).knownNotNull).toBe(true);
    expect((decoded.granularity as Unknown).stringPrefix).toBe('arn:aws:iam::');
    expect(decoded.with_entities).toBeNull();
    // An extension Terraform may add later is not a known value either.
    expect(decodeDynamicValue(wire({ a: new ExtData(42, new Uint8Array([1])) }))).toEqual({ a: expect.any(Unknown) });
    expect(containsUnknown(decoded)).toBe(true);
    expect(containsUnknown({ a: [1, { b: 'x' }] })).toBe(false);
  });

  it('writes unknowns as extension 0, and JSON DynamicValues are read too', () => {
    const encoded = encodeDynamicValue({ a: new Unknown(), b: 'x' });
    expect(decodeDynamicValue(encoded)).toEqual({ a: expect.any(Unknown), b: 'x' });
    expect(decodeDynamicValue({ json: Buffer.from('{"arn":"x"}') })).toEqual({ arn: 'x' });
  });
});

describe('ProviderService', () => {
  it('validation accepts unknown values (known at apply) and names the attribute of a bad known one', () => {
    const service = new ProviderService();
    const type = 'accessadvisor_service_last_accessed';
    expect(service.validateDataResourceConfig(type, wire({ arn: unknown, granularity: refinedNotNullString, with_entities: null })).diagnostics).toEqual([]);
    const bad = service.validateDataResourceConfig(type, wire({ arn: ROLE, granularity: 'FINE', with_entities: null })).diagnostics;
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ severity: 'ERROR', summary: 'Invalid granularity', attribute: { steps: [{ attribute_name: 'granularity' }] } });
    const badException = service.validateDataResourceConfig(
      'accessadvisor_unused_permissions',
      wire({ arn: ROLE, granularity: null, with_entities: null, exceptions: [{ permission: 's3', reason: 7 }] }),
    ).diagnostics;
    expect(badException[0]).toMatchObject({ attribute: { steps: [{ attribute_name: 'exceptions' }, { element_key_int: 0 }, { attribute_name: 'reason' }] } });
    const badPolicy = service.validateDataResourceConfig('accessadvisor_tightened_policy', wire({ arn: ROLE, policy: '{"Statement": 3' })).diagnostics;
    expect(badPolicy[0]).toMatchObject({ summary: 'Invalid policy document', attribute: { steps: [{ attribute_name: 'policy' }] } });
  });

  it('provider block: bad values name their attribute path; unknown values are accepted', () => {
    const service = new ProviderService();
    const roleArn = service.validateProviderConfig(wire({ assume_role: { role_arn: 'nope', external_id: null, session_name: null } })).diagnostics;
    expect(roleArn[0]).toMatchObject({ summary: 'Invalid role_arn', attribute: { steps: [{ attribute_name: 'assume_role' }, { attribute_name: 'role_arn' }] } });
    const timeout = service.validateProviderConfig(wire({ timeouts: { read: 'soon' } })).diagnostics;
    expect(timeout[0]).toMatchObject({ attribute: { steps: [{ attribute_name: 'timeouts' }, { attribute_name: 'read' }] } });
    expect(service.validateProviderConfig(wire({ endpoint: 'ftp://x' })).diagnostics[0]).toMatchObject({ summary: 'Invalid endpoint' });
    expect(service.validateProviderConfig(wire({ endpoint: unknown, region: 'eu-west-1' })).diagnostics).toEqual([]);
  });

  it('a read with unknown inputs is deferred when Terraform allows it, else an error; never values', async () => {
    const service = new ProviderService();
    expect(service.configureProvider(wire({ endpoint: 'http://127.0.0.1:9' })).diagnostics).toEqual([]);
    const type = 'accessadvisor_service_last_accessed';
    const config = wire({ arn: unknown, granularity: null, with_entities: null });
    expect(await service.readDataSource(type, config, true)).toEqual({ deferred: { reason: 'RESOURCE_CONFIG_UNKNOWN' }, diagnostics: [] });
    const refused = (await service.readDataSource(type, config, false)) as { state?: unknown; diagnostics: { severity: string }[] };
    expect(refused.state).toBeUndefined();
    expect(refused.diagnostics[0]!.severity).toBe('ERROR');
  });

  it('after StopProvider a read fails at once with an error diagnostic', async () => {
    const service = new ProviderService();
    service.configureProvider(wire({ endpoint: 'http://127.0.0.1:9' }));
    expect(service.stopProvider()).toEqual({ Error: '' });
    const read = (await service.readDataSource('accessadvisor_service_last_accessed', wire({ arn: ROLE, granularity: null, with_entities: null }), false)) as {
      state?: unknown;
      diagnostics: { detail: string }[];
    };
    expect(read.state).toBeUndefined();
    expect(read.diagnostics[0]!.detail).toMatch(/stopped/);
    service.close();
  });

  it('resource RPCs answer with a diagnostic saying the provider has data sources only', () => {
    expect(new ProviderService().resourceRpc().diagnostics[0]).toMatchObject({ severity: 'ERROR', summary: 'Resources are not supported' });
  });
});

describe('one engine per provider: every call of a plan shares one rate limit', () => {
  const WORLD = join(__dirname, '..', '..', 'examples', 'world.json');
  const NAMESPACES = ['s3', 'logs', 'ec2', 'lambda', 'dynamodb', 'sqs', 'iam', 'sns', 'kms', 'sts', 'cloudwatch', 'ssm'];
  // IAM's account throttle a little above the provider's max_request_rate: paced as one run, nothing is throttled.
  const THROTTLE = { requestsPerSecond: 5, burst: 5 };
  const RATE = 4;
  let emulator: RunningEmulator;
  const env = { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY };

  beforeEach(async () => {
    emulator = await startEmulator({ world: WORLD, jobs: { durationMs: 200 }, faults: { throttle: THROTTLE }, seed: 5 });
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  });
  afterEach(async () => {
    await emulator.close();
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('accessadvisor_policies_granting_service_access reads queue with the reports behind the provider\'s rate limit', async () => {
    const service = new ProviderService();
    expect(service.configureProvider(wire({ endpoint: emulator.endpoint, region: 'us-east-1', max_request_rate: RATE })).diagnostics).toEqual([]);
    const grants = NAMESPACES.map((ns) =>
      service.readDataSource('accessadvisor_policies_granting_service_access', wire({ arn: ROLE, service_namespaces: [ns], services: null }), false),
    );
    const reports = ['SERVICE_LEVEL', 'ACTION_LEVEL'].map((granularity) =>
      service.readDataSource('accessadvisor_service_last_accessed', wire({ arn: ROLE, granularity, with_entities: null }), false),
    );
    const answers = (await Promise.all([...grants, ...reports])) as { state?: { msgpack: Uint8Array }; diagnostics: unknown[] }[];
    service.close();
    expect(answers.map((a) => a.diagnostics)).toEqual(answers.map(() => []));
    const s3 = decode(answers[0]!.state!.msgpack) as { services: { service_namespace: string; policies: { policy_name: string }[] }[] };
    expect(s3.services.map((s) => [s.service_namespace, s.policies.map((p) => p.policy_name)])).toEqual([['s3', ['app-deployer-policy']]]);
    const metrics = emulator.metrics();
    expect(metrics.calls.ListPoliciesGrantingServiceAccess).toBe(NAMESPACES.length);
    expect(metrics.calls.GenerateServiceLastAccessedDetails).toBe(2);
    expect(metrics.throttled).toBe(0);
  }, 60_000);

  it('configuration and validation call IAM not at all; each read makes one job', async () => {
    // Terraform validates in a provider process of its own that is never configured and never reads, and re-validates
    // each data source in the reading process just before its read: a job started at validation would be a second,
    // unread Generate (or no earlier than the read). So validation starts nothing.
    const service = new ProviderService();
    expect(service.configureProvider(wire({ endpoint: emulator.endpoint, region: 'us-east-1' })).diagnostics).toEqual([]);
    const config = wire({ arn: ROLE, granularity: 'SERVICE_LEVEL', with_entities: null });
    expect(service.validateDataResourceConfig('accessadvisor_service_last_accessed', config).diagnostics).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = emulator.metrics().calls;
    expect(Object.values(before).reduce((sum, n) => sum + (n ?? 0), 0)).toBe(0);
    const read = (await service.readDataSource('accessadvisor_service_last_accessed', config, false)) as { diagnostics: unknown[] };
    service.close();
    expect(read.diagnostics).toEqual([]);
    expect(emulator.metrics().calls.GenerateServiceLastAccessedDetails).toBe(1);
  }, 60_000);

  it('control: the same calls each on an engine of their own burst past the account throttle', async () => {
    const options = { endpoint: emulator.endpoint, region: 'us-east-1', requestsPerSecond: RATE };
    await Promise.all(NAMESPACES.map((ns) => listPoliciesGrantingServiceAccess({ arn: ROLE, serviceNamespaces: [ns] }, options)));
    expect(emulator.metrics().throttled).toBeGreaterThan(0);
  }, 60_000);
});

describe('the granularity default of the service-report data sources', () => {
  it('is ACTION_LEVEL, the package\'s one default (IAM\'s own is SERVICE_LEVEL), and the schema says so', () => {
    expect(readServiceReportInput({ arn: ROLE, granularity: null, with_entities: null })).toEqual({
      kind: 'service-last-accessed',
      arn: ROLE,
      granularity: 'ACTION_LEVEL',
      withEntities: false,
    });
    expect(readServiceReportInput({ arn: ROLE, granularity: 'SERVICE_LEVEL', with_entities: null })).toMatchObject({ granularity: 'SERVICE_LEVEL' });
    const description = SERVICE_REPORT_INPUTS.find((a) => a.name === 'granularity')!.description;
    expect(description).toMatch(/^ACTION_LEVEL \(default;.*IAM's own default is SERVICE_LEVEL; the provider always sends the level explicitly\.$/);
  });
});

describe('accessadvisor_tightened_policy and IAM\'s size limit', () => {
  const WORLD = join(__dirname, '..', '..', 'examples', 'world.json');
  let emulator: RunningEmulator;
  const env = { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY };
  beforeAll(async () => {
    emulator = await startEmulator({ world: WORLD, jobs: { durationMs: 50 }, seed: 5 });
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  });
  afterAll(async () => {
    await emulator.close();
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  /** `count` statements that all stay (s3:GetObject is not tracked per action: unknown evidence, kept), on long ARNs. */
  function policy(count: number): string {
    const statements = Array.from({ length: count }, (_, i) => ({
      Sid: `KeepObjectReads${i}`,
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::app-deployer-artifacts-${String(i).padStart(3, '0')}/releases/of/the/application/*`,
    }));
    return JSON.stringify({ Version: '2012-10-17', Statement: statements });
  }

  async function read(
    service: ProviderService,
    count: number,
    attachAs?: string,
  ): Promise<{ state?: { msgpack: Uint8Array }; diagnostics: { summary: string; detail: string; attribute?: unknown }[] }> {
    return (await service.readDataSource('accessadvisor_tightened_policy', wire({ arn: ROLE, policy: policy(count), ...(attachAs ? { attach_as: attachAs } : {}) }), false)) as never;
  }

  it('attach_as "inline" holds the document to the role\'s inline quota (10,240 characters) instead of a managed policy\'s 6,144', async () => {
    const service = new ProviderService();
    expect(service.configureProvider(wire({ endpoint: emulator.endpoint, region: 'us-east-1' })).diagnostics).toEqual([]);
    const [managed, inline, tooBig] = [await read(service, 50), await read(service, 50, 'inline'), await read(service, 80, 'inline')];
    service.close();
    expect(managed.diagnostics[0]?.summary).toBe('Tightened policy too large for IAM');
    expect(inline.diagnostics).toEqual([]);
    expect((decode(inline.state!.msgpack) as { json: string }).json).toMatch(/KeepObjectReads49/);
    expect(tooBig.state).toBeUndefined();
    expect(tooBig.diagnostics[0]!.detail).toMatch(/over IAM's 10240-character limit for the inline policies of role arn:aws:iam::\d+:role\/app-deployer together/);
    expect(JSON.stringify(tooBig.diagnostics[0]!.attribute)).toMatch(/"json"/);
    const bad = service.validateDataResourceConfig('accessadvisor_tightened_policy', wire({ arn: ROLE, policy: policy(1), attach_as: 'attached' })).diagnostics;
    expect(bad[0]).toMatchObject({ summary: 'Invalid attach_as', attribute: { steps: [{ attribute_name: 'attach_as' }] } });
    expect(bad[0]!.detail).toMatch(/attach_as "attached" is not allowed; expected "managed" or "inline"/);
  }, 60_000);

  it('accessadvisor_unused_permissions: a policy no principal of that kind can hold is refused at validation and read (never judged as a grant)', async () => {
    const service = new ProviderService();
    expect(service.configureProvider(wire({ endpoint: emulator.endpoint, region: 'us-east-1' })).diagnostics).toEqual([]);
    const gate = (arn: string, count: number) => wire({ arn, policies: [policy(1), policy(count)] });
    const type = 'accessadvisor_unused_permissions';
    // 80 statements: over a role's 10,240 inline characters, so no form of attachment takes it.
    const invalid = service.validateDataResourceConfig(type, gate(ROLE, 80)).diagnostics;
    expect(invalid[0]).toMatchObject({ summary: 'Policy document too large for IAM', attribute: { steps: [{ attribute_name: 'policies' }, { element_key_int: 1 }] } });
    const read = (await service.readDataSource(type, gate(ROLE, 80), false)) as { state?: unknown; diagnostics: { summary: string; detail: string }[] };
    expect(read.state).toBeUndefined();
    expect(read.diagnostics[0]!.detail).toMatch(/policies\[1\] has \d+ characters without white space, over the 10240 IAM allows any policy arn:aws:iam::123456789012:role\/app-deployer can hold/);
    // 50 statements: over a managed policy's 6,144 but within a role's inline quota, so a role may hold it; a user may not.
    expect(service.validateDataResourceConfig(type, gate(ROLE, 50)).diagnostics).toEqual([]);
    expect(service.validateDataResourceConfig(type, gate('arn:aws:iam::123456789012:user/ci', 50)).diagnostics[0]?.detail).toMatch(/over the 6144 IAM allows/);
    const held = (await service.readDataSource(type, gate(ROLE, 50), false)) as { state?: unknown; diagnostics: unknown[] };
    service.close();
    expect(held.diagnostics).toEqual([]);
    expect(held.state).toBeDefined();
  }, 60_000);

  it('a tightened document over 6,144 characters is an error diagnostic naming `json`, with no values; one under it is returned', async () => {
    const service = new ProviderService();
    expect(service.configureProvider(wire({ endpoint: emulator.endpoint, region: 'us-east-1' })).diagnostics).toEqual([]);
    const small = await read(service, 5);
    const big = await read(service, 80);
    service.close();
    expect(small.diagnostics).toEqual([]);
    expect((decode(small.state!.msgpack) as { json: string }).json).toMatch(/KeepObjectReads4/);
    expect(big.state).toBeUndefined();
    expect(big.diagnostics).toHaveLength(1);
    expect(big.diagnostics[0]!.summary).toBe('Tightened policy too large for IAM');
    expect(big.diagnostics[0]!.detail).toMatch(/the tightened policy \(json\) has \d+ characters without white space, over IAM's 6144-character limit for a managed policy/);
    expect(JSON.stringify(big.diagnostics[0]!.attribute)).toMatch(/"json"/);
  }, 60_000);
});

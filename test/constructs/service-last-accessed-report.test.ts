import { writeFileSync, readFileSync } from 'node:fs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput, TerraformStack, Testing, Token } from '../default-core';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { ReportLookupError } from '../../src/constructs/report-lookup';
import { LeastPrivilegeGate } from '../../src/constructs/least-privilege-gate';
import { PolicyDriftCheck } from '../../src/constructs/policy-drift-check';
import { TightenedPolicyDocument } from '../../src/constructs/tightened-policy-document';
import { join } from 'node:path';
import { readCacheFile, serializeCacheFile } from '../../src/resolve/cache-file';
import type { ServiceLastAccessedReport as ReportModel } from '../../src/model/report';
import { useSynthEmulator } from './synth-emulator';
import { APP_ROLE, DOOMED_ROLE, roleArn } from './synth-world';
import { annotations, appWith, fullSynth, outputs, scratch, workerRuns } from './synth-support';

const synthEmulator = useSynthEmulator();

function setup(context: Record<string, unknown> = {}) {
  const s = scratch();
  process.env.ACCESS_ADVISOR_WORKER_LOG = s.workerLog;
  const app = appWith(s.cacheFile, context);
  const stack = new TerraformStack(app, 'stack');
  return { ...s, app, stack };
}

afterEach(() => {
  delete process.env.ACCESS_ADVISOR_WORKER_LOG;
  delete process.env.ACCESS_ADVISOR_LOOKUPS;
});

function appReport(stack: TerraformStack, props: Partial<ConstructorParameters<typeof ServiceLastAccessedReport>[2]> = {}) {
  return new ServiceLastAccessedReport(stack, 'app', { arn: APP_ROLE, endpoint: synthEmulator.current.endpoint, timeout: '30s', ...props });
}

/** A hand-made report that only the cache can have produced. */
function fakeReport(arn: string, services: string[]): ReportModel {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    kind: 'service-last-accessed',
    arn,
    granularity: 'ACTION_LEVEL',
    withEntities: false,
    jobId: 'cached-job-0000',
    jobStatus: 'COMPLETED',
    jobCreationDate: now,
    jobCompletionDate: now,
    // A readable creation date: without one the decisions judge nothing (unknown-history).
    principalCreateDate: '2024-01-01T00:00:00.000Z',
    servicesLastAccessed: services.map((ns) => ({ serviceName: ns.toUpperCase(), serviceNamespace: ns })),
  };
}

function seedCache(cacheFile: string, key: string, report: ReportModel, resolvedAt: string) {
  writeFileSync(
    cacheFile,
    serializeCacheFile({
      schemaVersion: 1,
      entries: { [key]: { request: { kind: 'service-last-accessed', arn: report.arn, granularity: 'ACTION_LEVEL', withEntities: false }, connection: { endpoint: synthEmulator.current.endpoint }, resolvedAt, report } },
    }),
  );
}

describe('synth-time resolution', () => {
  test('miss: the job runs during synth, literal values land in the JSON and the entry in the cache', () => {
    const { stack, cacheFile, workerLog } = setup();
    const report = appReport(stack);
    new TerraformOutput(stack, 'unused', { value: report.unusedServices() });
    new TerraformOutput(stack, 'unused365', { value: report.unusedServices({ days: 365 }) });
    new TerraformOutput(stack, 'used', { value: report.usedServices() });
    new TerraformOutput(stack, 'job', { value: report.jobId });
    const out = outputs(fullSynth(stack));
    expect(out.unused).toEqual(['sqs']);
    expect(out.unused365).toEqual([]);
    expect(out.used).toEqual(['dynamodb', 's3']);
    const entry = readCacheFile(cacheFile).entries[report.lookupKey!];
    expect(entry.report.jobId).toBe(out.job);
    expect(entry.connection).toEqual({ endpoint: synthEmulator.current.endpoint });
    expect(JSON.stringify(entry)).not.toContain(process.env.AWS_SECRET_ACCESS_KEY);
    expect(workerRuns(workerLog)).toHaveLength(1);
    expect(report.report?.servicesLastAccessed.map((s) => s.serviceNamespace)).toEqual(['dynamodb', 's3', 'sqs']);
  });

  test('hit: a fresh entry is used as is, without any worker run', () => {
    const { stack, cacheFile, workerLog } = setup();
    const report = appReport(stack);
    seedCache(cacheFile, report.lookupKey!, fakeReport(APP_ROLE, ['onlyincache']), new Date().toISOString());
    const before = readFileSync(cacheFile, 'utf8');
    report.addOutputs('unusedServices', 'jobId', 'serviceNamespaces');
    const out = outputs(fullSynth(stack));
    expect(out.app_unusedServices).toEqual(['onlyincache']);
    expect(out.app_jobId).toBe('cached-job-0000');
    expect(workerRuns(workerLog)).toHaveLength(0);
    expect(readFileSync(cacheFile, 'utf8')).toBe(before);
  });

  test('stale: an entry older than maxAge is fetched again and replaced', () => {
    const { stack, cacheFile, workerLog } = setup();
    const report = appReport(stack, { maxAge: '12h' });
    const old = new Date(Date.now() - 13 * 3_600_000).toISOString();
    seedCache(cacheFile, report.lookupKey!, fakeReport(APP_ROLE, ['onlyincache']), old);
    report.addOutputs('unusedServices');
    const out = outputs(fullSynth(stack));
    expect(out.app_unusedServices).toEqual(['sqs']);
    expect(workerRuns(workerLog)).toHaveLength(1);
    expect(Date.parse(readCacheFile(cacheFile).entries[report.lookupKey!].resolvedAt)).toBeGreaterThan(Date.parse(old));
  });

  test('lookups off: a stale entry is stale evidence: a warning, and nothing flagged', () => {
    const { stack, cacheFile, workerLog } = setup();
    process.env.ACCESS_ADVISOR_LOOKUPS = 'off';
    const report = appReport(stack);
    seedCache(cacheFile, report.lookupKey!, fakeReport(APP_ROLE, ['onlyincache']), new Date(Date.now() - 3 * 86_400_000).toISOString());
    report.addOutputs('unusedServices');
    const out = outputs(fullSynth(stack));
    expect(out.app_unusedServices).toEqual([]);
    expect(workerRuns(workerLog)).toHaveLength(0);
    const warnings = annotations(stack, 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/is 3d old \(maxAge 24h\) and lookups are off: it is stale evidence/);
    expect(warnings[0]).toContain('access-advisor cache refresh');
  });

  test.each([
    ['an entry past its maxAge with lookups off', 3, 0],
    ['a fresh entry whose report completed 300 days ago', 0, 300],
  ])('%s: a gate, a tightening and a drift check give no decision and fail synth naming the entry and the refresh command', (_name, entryDays, reportDays) => {
    const { stack, cacheFile, dir } = setup();
    process.env.ACCESS_ADVISOR_LOOKUPS = 'off';
    const report = appReport(stack);
    const completed = new Date(Date.now() - reportDays * 86_400_000).toISOString();
    const model = { ...fakeReport(APP_ROLE, ['unusedsvc']), jobCreationDate: completed, jobCompletionDate: completed };
    seedCache(cacheFile, report.lookupKey!, model, new Date(Date.now() - entryDays * 86_400_000).toISOString());
    const gate = new LeastPrivilegeGate(stack, 'gate', { report, policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'unusedsvc:*', Resource: '*' }] } });
    const tightened = new TightenedPolicyDocument(stack, 'tight', { report, policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'unusedsvc:Get*', Resource: '*' }] } });
    const drift = new PolicyDriftCheck(stack, 'drift', { report, baseline: join(dir, 'baseline.json') });
    let message = '';
    try {
      fullSynth(stack);
    } catch (error) {
      message = (error as Error).message;
    }
    for (const construct of ['LeastPrivilegeGate stack/gate', 'TightenedPolicyDocument stack/tight', 'PolicyDriftCheck stack/drift']) {
      expect(message).toContain(`${construct}: no decision on stale evidence for ${APP_ROLE}`);
    }
    expect(message).toContain(`access-advisor cache refresh '${report.lookupKey}' --file ${cacheFile}`);
    expect(gate.passed).toBe(false);
    expect(gate.unused!.status).toBe('stale-evidence');
    expect(drift.passed).toBe(false);
    expect(tightened.removed()).toEqual({ services: [], actions: [] });
  });

  test('the same entry, fresh by the real clock: the gate judges it (the control)', () => {
    const { stack, cacheFile } = setup();
    process.env.ACCESS_ADVISOR_LOOKUPS = 'off';
    const report = appReport(stack);
    seedCache(cacheFile, report.lookupKey!, fakeReport(APP_ROLE, ['unusedsvc']), new Date().toISOString());
    const gate = new LeastPrivilegeGate(stack, 'gate', { report, policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'unusedsvc:*', Resource: '*' }] } });
    expect(gate.unused!.status).toBe('sufficient');
    expect(gate.violations.map((v) => v.permission)).toEqual(['unusedsvc']);
  });

  test('lookups off: misses fail synth naming every missing key and the command that fills them', () => {
    const { stack, cacheFile, workerLog } = setup();
    process.env.ACCESS_ADVISOR_LOOKUPS = 'off';
    const a = appReport(stack);
    const b = new ServiceLastAccessedReport(stack, 'other', { arn: roleArn('batch-01'), endpoint: synthEmulator.current.endpoint });
    let message = '';
    try {
      fullSynth(stack);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('lookups are off');
    expect(message).toContain(`'${a.lookupKey}'`);
    expect(message).toContain(`'${b.lookupKey}'`);
    expect(message).toContain(cacheFile);
    expect(message).toContain('cdktf synth');
    expect(message).toContain('[stack/app]');
    expect(workerRuns(workerLog)).toHaveLength(0);
    expect(() => a.report).toThrow(ReportLookupError);
  });

  test('context accessAdvisor:lookups "off" works like the env variable', () => {
    const { stack, workerLog } = setup({ 'accessAdvisor:lookups': 'off' });
    appReport(stack);
    expect(() => fullSynth(stack)).toThrow(/lookups are off/);
    expect(workerRuns(workerLog)).toHaveLength(0);
  });
});

describe('errors', () => {
  test('an unresolved token ARN (a role created in this stack) is refused with the way out', () => {
    const { stack } = setup();
    const role = new IamRole(stack, 'role', { name: 'made-here', assumeRolePolicy: '{}' });
    expect(() => new ServiceLastAccessedReport(stack, 'r', { arn: role.arn })).toThrow(/resolveAt: 'plan' or pass a literal ARN/);
    expect(() => new ServiceLastAccessedReport(stack, 'r2', { arn: Token.asString({ resolve: () => 'x' }) })).toThrow(/arn: .* is not allowed/);
  });

  test('a FAILED job fails synth with the IAM error and the construct path', () => {
    const { stack } = setup();
    new ServiceLastAccessedReport(stack, 'doomed', { arn: DOOMED_ROLE, endpoint: synthEmulator.current.endpoint, timeout: '30s' });
    expect(() => fullSynth(stack)).toThrow(/\[stack\/doomed\] stack\/doomed: access advisor lookup failed: .*FAILED/);
  });

  test('an unknown role fails synth with NoSuchEntity', () => {
    const { stack, cacheFile } = setup();
    const r = new ServiceLastAccessedReport(stack, 'ghost', { arn: roleArn('nobody-here'), endpoint: synthEmulator.current.endpoint, timeout: '30s' });
    expect(() => fullSynth(stack)).toThrow(/stack\/ghost.*NoSuchEntity/);
    expect(() => r.report).toThrow(/NoSuchEntity/);
    // Nothing cached for a failure.
    expect(() => readFileSync(cacheFile)).toThrow();
  });

  test("onError 'warn' turns a failure into a warning and empty outputs", () => {
    const { stack } = setup();
    const r = new ServiceLastAccessedReport(stack, 'ghost', { arn: roleArn('nobody-here'), endpoint: synthEmulator.current.endpoint, onError: 'warn', timeout: '30s' });
    r.addOutputs('unusedServices', 'jobId');
    const out = outputs(fullSynth(stack));
    expect(out.ghost_unusedServices).toEqual([]);
    expect(out.ghost_jobId).toBe('');
    expect(r.report).toBeUndefined();
    expect(annotations(stack, 'warn').join('\n')).toMatch(/NoSuchEntity.*onError: 'warn'/);
  });

  test('a corrupt cache file fails synth with its path and line, and is left untouched', () => {
    const { stack, cacheFile, workerLog } = setup();
    const text = '{\n  "schemaVersion": 1,\n  "entries": {\n    "x": nope\n  }\n}\n';
    writeFileSync(cacheFile, text);
    appReport(stack);
    expect(() => fullSynth(stack)).toThrow(`${cacheFile}:4: not valid JSON`);
    expect(readFileSync(cacheFile, 'utf8')).toBe(text);
    expect(workerRuns(workerLog)).toHaveLength(0);
  });

  test('a foreign cache file is refused', () => {
    const { stack, cacheFile } = setup();
    writeFileSync(cacheFile, JSON.stringify({ 'availability-zones:account=1:region=x': ['a'] }));
    appReport(stack);
    expect(() => fullSynth(stack)).toThrow(/not an access-advisor cache file/);
  });

  test.each([
    [{ maxAge: '1 day' }, /maxAge: "1 day" is not allowed/],
    [{ maxAge: -1 }, /maxAge: -1 is not allowed/],
    [{ onError: 'ignore' }, /onError: "ignore" is not allowed; expected one of 'fail', 'warn'/],
    [{ resolveAt: 'apply' }, /resolveAt: "apply" is not allowed/],
    [{ granularity: 'FINE' }, /granularity/],
    [{ arn: 'not-an-arn' }, /arn/],
  ])('bad props are refused naming the field and value: %p', (props, message) => {
    const { stack } = setup();
    expect(() => appReport(stack, props as never)).toThrow(message);
  });

  test('exactly one of arn and principal', () => {
    const { stack } = setup();
    expect(() => new ServiceLastAccessedReport(stack, 'none', {})).toThrow(/exactly one of arn and principal/);
  });

  test('entitiesFor needs withEntities', () => {
    const { stack } = setup();
    expect(() => appReport(stack).entitiesFor('s3')).toThrow(/withEntities/);
  });
});

describe('principals from @cdktf/provider-aws', () => {
  test('IamRole and DataAwsIamRole with literal names resolve to literal report values', () => {
    const { stack } = setup();
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const role = new IamRole(stack, 'app-role', { name: 'synth-app', path: '/svc/', assumeRolePolicy: '{}' });
    const data = new DataAwsIamRole(stack, 'batch-role', { name: 'batch-03' });
    const fromRole = new ServiceLastAccessedReport(stack, 'from-role', { principal: role, endpoint: synthEmulator.current.endpoint, granularity: 'ACTION_LEVEL', timeout: '30s' });
    const fromData = new ServiceLastAccessedReport(stack, 'from-data', { principal: data, endpoint: synthEmulator.current.endpoint, timeout: '30s' });
    expect(fromRole.arn).toBe(APP_ROLE);
    expect(fromData.arn).toBe(roleArn('batch-03'));
    new TerraformOutput(stack, 'role_unused', { value: fromRole.unusedServices() });
    new TerraformOutput(stack, 'role_unused_actions', { value: fromRole.unusedActions() });
    new TerraformOutput(stack, 'data_unused', { value: fromData.unusedServices() });
    const json = fullSynth(stack);
    const out = outputs(json);
    expect(out.role_unused).toEqual(['sqs']);
    expect(out.role_unused_actions).toEqual(['s3:GetBucketLocation']);
    expect(out.data_unused).toEqual(['sqs']);
    expect(JSON.stringify(json.output)).not.toContain('${');
  });

  test('the account comes from the prop or the context; without it the error says how to set it', () => {
    const { stack } = setup({ 'accessAdvisor:accountId': undefined });
    const role = new IamRole(stack, 'r', { name: 'x', assumeRolePolicy: '{}' });
    expect(() => new ServiceLastAccessedReport(stack, 'a', { principal: role })).toThrow(/accountId.*accessAdvisor:accountId/);
    expect(new ServiceLastAccessedReport(stack, 'b', { principal: role, accountId: '111122223333' }).arn).toBe('arn:aws:iam::111122223333:role/x');
  });

  test('a name Terraform computes (name_prefix or a token) is refused', () => {
    const { stack } = setup();
    const prefixed = new IamRole(stack, 'p', { namePrefix: 'app-', assumeRolePolicy: '{}' });
    expect(() => new ServiceLastAccessedReport(stack, 'a', { principal: prefixed })).toThrow(/name_prefix/);
    const other = new IamRole(stack, 'o', { name: 'base', assumeRolePolicy: '{}' });
    const tokenName = new IamRole(stack, 't', { name: other.id, assumeRolePolicy: '{}' });
    expect(() => new ServiceLastAccessedReport(stack, 'b', { principal: tokenName })).toThrow(/resolveAt: 'plan'/);
  });
});

describe('plan mode', () => {
  test("resolveAt: 'plan' with planTimeSource 'external' emits a data.external block and token outputs, without any lookup", () => {
    const { stack, workerLog } = setup();
    const role = new IamRole(stack, 'role', { name: 'made-here', assumeRolePolicy: '{}' });
    const r = new ServiceLastAccessedReport(stack, 'plan', { principal: role, resolveAt: 'plan', planTimeSource: 'external' });
    new TerraformOutput(stack, 'unused', { value: r.unusedServices({ days: 30 }) });
    const json = JSON.parse(Testing.synth(stack));
    const external = Object.values(json.data.external as Record<string, { query: Record<string, string> }>)[0];
    expect(external.query.kind).toBe('service-last-accessed');
    expect(external.query.arn).toMatch(/aws_iam_role\.role.*\.arn/);
    expect(external.query.unused_after_days).toBe('30');
    expect(JSON.stringify(json.output)).toContain('jsondecode');
    expect(workerRuns(workerLog)).toHaveLength(0);
    new TerraformOutput(stack, 'used_actions', { value: r.usedActions({ days: 30 }) });
    expect(JSON.stringify(JSON.parse(Testing.synth(stack)).output)).toContain('used_actions');
    expect(() => r.usedActions({ days: 60 })).toThrow(/one window/);
    expect(() => r.serviceNamespaces).toThrow(/a plan-time report does not provide/);
  });
});

describe('the cache key names the endpoint the lookup really asks', () => {
  const ENV_NAMES = ['AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'] as const;
  let saved: Record<string, string | undefined>;
  beforeEach(() => {
    saved = Object.fromEntries(ENV_NAMES.map((n) => [n, process.env[n]]));
    for (const n of ENV_NAMES) delete process.env[n];
  });
  afterEach(() => {
    for (const n of ENV_NAMES) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  });

  const keyOf = (props: Partial<ConstructorParameters<typeof ServiceLastAccessedReport>[2]> = {}) => {
    const { stack } = setup();
    return new ServiceLastAccessedReport(stack, 'r', { arn: APP_ROLE, ...props }).lookupKey!;
  };

  test('an endpoint from the environment is part of the key; the same endpoint as a prop gives the same key', () => {
    const aws = keyOf();
    process.env.AWS_ENDPOINT_URL_IAM = `${synthEmulator.current.endpoint}/`;
    const fromEnv = keyOf();
    expect(fromEnv).not.toBe(aws);
    expect(fromEnv).toBe(`${aws} @ endpoint=${synthEmulator.current.endpoint}`);
    delete process.env.AWS_ENDPOINT_URL_IAM;
    expect(keyOf({ endpoint: synthEmulator.current.endpoint })).toBe(fromEnv);
    process.env.AWS_ENDPOINT_URL = synthEmulator.current.endpoint;
    expect(keyOf()).toBe(fromEnv);
    process.env.AWS_ENDPOINT_URL_IAM = 'http://127.0.0.1:9';
    expect(keyOf()).toBe(`${aws} @ endpoint=http://127.0.0.1:9`); // the IAM-specific variable wins, as in the SDK
    expect(keyOf({ endpoint: synthEmulator.current.endpoint })).toBe(fromEnv); // an explicit endpoint wins over both
  });

  test('a cache filled against the emulator through the environment is never served for AWS', () => {
    const { cacheFile, stack, workerLog } = setup();
    process.env.AWS_ENDPOINT_URL_IAM = synthEmulator.current.endpoint;
    const viaEnv = new ServiceLastAccessedReport(stack, 'app', { arn: APP_ROLE, timeout: '30s' });
    new TerraformOutput(stack, 'unused', { value: viaEnv.unusedServices() });
    expect(outputs(fullSynth(stack)).unused).toEqual(['sqs']);
    expect(workerRuns(workerLog)).toHaveLength(1);
    const [entry] = Object.values(readCacheFile(cacheFile).entries);
    expect(entry!.connection).toEqual({ endpoint: synthEmulator.current.endpoint }); // what `cache refresh` will use

    // Same program, no endpoint in the environment (real AWS), lookups off: the emulator's entry is a miss.
    delete process.env.AWS_ENDPOINT_URL_IAM;
    process.env.ACCESS_ADVISOR_LOOKUPS = 'off';
    const again = new TerraformStack(appWith(cacheFile), 'again');
    const forAws = new ServiceLastAccessedReport(again, 'app', { arn: APP_ROLE });
    expect(forAws.lookupKey).not.toBe(viaEnv.lookupKey);
    expect(() => fullSynth(again)).toThrow(/lookups are off/);
    expect(workerRuns(workerLog)).toHaveLength(1);
  });
});

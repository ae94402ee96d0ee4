import { ExternalQueryError, interpretQuery, parseQueryText } from '../../src/resolve/external-protocol';
import { organizationsResult, runExternalProgram } from '../../src/resolve/external-program';
import type { OrganizationsAccessReport } from '../../src/model/report';

const ROLE = 'arn:aws:iam::123456789012:role/app';

describe('query validation', () => {
  it('policies naming a key twice in one document are refused: the program would judge one reading, IAM may apply another', () => {
    const twice = '[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Action":"s3:GetObject","Resource":"*"}]}]';
    expect(() => interpretQuery({ arn: ROLE, policies: twice })).toThrow(ExternalQueryError);
    expect(() => interpretQuery({ arn: ROLE, policies: twice })).toThrow(/query key "policies": \[0\]\.Statement\[0\]\.Action: "Action \(named twice\)" is not allowed/);
    // Each document may also travel as JSON text of its own.
    expect(() => interpretQuery({ arn: ROLE, policies: JSON.stringify([JSON.parse(twice.slice(1, -1).replace('"Action":"s3:GetObject",', ''))]) })).not.toThrow();
  });

  it('builds a service request with defaults and treats empty strings as unset', () => {
    const q = interpretQuery({ arn: ROLE, region: '', profile: '', granularity: '' });
    expect(q.request).toEqual({ kind: 'service-last-accessed', arn: ROLE, granularity: 'ACTION_LEVEL', withEntities: false });
    expect(q.connection).toEqual({});
    expect(q.timeoutMs).toBe(600_000);
    expect(q.allow).toEqual([]);
    expect(q.progress).toBe(false);
  });

  it('reads every option', () => {
    const q = interpretQuery({
      arn: ROLE,
      granularity: 'ACTION_LEVEL',
      with_entities: 'true',
      region: 'eu-west-1',
      profile: 'audit',
      role_arn: 'arn:aws:iam::123456789012:role/auditor',
      endpoint: 'http://127.0.0.1:4566',
      timeout_seconds: '90',
      unused_after_days: '30',
      max_report_age_days: '2',
      allow: '[{"permission":"sqs","reason":"batch"}]',
      progress: 'true',
    });
    expect(q.request).toMatchObject({ granularity: 'ACTION_LEVEL', withEntities: true });
    expect(q.connection).toEqual({
      region: 'eu-west-1',
      profile: 'audit',
      roleArn: 'arn:aws:iam::123456789012:role/auditor',
      endpoint: 'http://127.0.0.1:4566',
    });
    expect(q).toMatchObject({ timeoutMs: 90_000, unusedAfterDays: 30, maxReportAgeDays: 2, progress: true });
    expect(q.allow).toEqual([{ permission: 'sqs', reason: 'batch' }]);
  });

  it('infers the organizations kind from entity_path', () => {
    const q = interpretQuery({ entity_path: 'o-abcdefghij/r-ab12', sort_key: 'SERVICE_NAMESPACE_DESCENDING' });
    expect(q.request).toEqual({ kind: 'organizations-access', entityPath: 'o-abcdefghij/r-ab12', sortKey: 'SERVICE_NAMESPACE_DESCENDING' });
  });

  it.each([
    [{ arn: ROLE, colour: 'blue' }, 'colour', /unknown query key "colour"/],
    [{}, 'arn', /"arn" is required/],
    [{ kind: 'organizations-access' }, 'entity_path', /"entity_path" is required/],
    [{ kind: 'sideways', arn: ROLE }, 'kind', /"sideways" is not allowed; expected one of service-last-accessed, organizations-access/],
    [{ arn: ROLE, granularity: 'RESOURCE_LEVEL' }, 'granularity', /"RESOURCE_LEVEL" is not allowed/],
    [{ arn: ROLE, with_entities: 'yes' }, 'with_entities', /expected "true" or "false"/],
    [{ arn: ROLE, timeout_seconds: '0' }, 'timeout_seconds', /integer from 1 to 1800/],
    [{ arn: ROLE, timeout_seconds: '3600' }, 'timeout_seconds', /integer from 1 to 1800/],
    [{ arn: ROLE, unused_after_days: '-3' }, 'unused_after_days', /"-3" is not allowed/],
    [{ arn: ROLE, allow: '{"permission":"s3"}' }, 'allow', /JSON array/],
    [{ arn: ROLE, allow: '[{"permission":"s3"}]' }, 'allow', /"allow"\[0\]/],
    [{ arn: ROLE, allow: 'sqs' }, 'allow', /is not JSON/],
    [{ arn: ROLE, endpoint: 'localhost:4566' }, 'endpoint', /http\(s\) URL/],
    [{ arn: ROLE, entity_path: 'o-abcdefghij/r-ab12' }, 'entity_path', /does not apply to kind "service-last-accessed"/],
    [{ entity_path: 'o-abcdefghij/r-ab12', unused_after_days: '30' }, 'unused_after_days', /does not apply to kind "organizations-access"/],
  ])('rejects %j naming %s', (raw, key, message) => {
    let caught: unknown;
    try {
      interpretQuery(raw as Record<string, string>);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ExternalQueryError);
    expect((caught as ExternalQueryError).key).toBe(key);
    expect((caught as Error).message).toMatch(message);
  });

  it('accepts only a JSON object of strings on stdin (nulls dropped, as Terraform does)', () => {
    expect(parseQueryText('{"arn":"x","region":null}')).toEqual({ arn: 'x' });
    expect(parseQueryText('')).toEqual({});
    expect(() => parseQueryText('[1]')).toThrow(/JSON object/);
    expect(() => parseQueryText('{"timeout_seconds":60}')).toThrow(/"timeout_seconds".*not a string/);
    expect(() => parseQueryText('{oops')).toThrow(/not JSON/);
  });
});

describe('runExternalProgram outcomes without a server', () => {
  it('a bad query is exit 2, one stderr line, empty stdout, no call made', async () => {
    const outcome = await runExternalProgram('{"arn":"arn:aws:iam::123456789012:role/app","granularty":"ACTION_LEVEL"}', { env: {} });
    expect(outcome).toEqual({ errorKind: 'input', stdout: '', stderr: expect.stringMatching(/^access-advisor external: invalid query: unknown query key "granularty"[^\n]*\n$/) });
  });

  it('a malformed ARN names the request and the field', async () => {
    const outcome = await runExternalProgram('{"arn":"arn:aws:iam::1:role/app"}', { env: {} });
    expect(outcome.errorKind).toBe('input');
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(outcome.stderr).toContain('arn:aws:iam::1:role/app');
  });

  it('never repeats a secret from the environment in its error line', async () => {
    const secret = 'SuperSecretValue/abcdefghijklmnop';
    // A rejected value is quoted in the message; here it carries the secret, standing in for any message that might.
    const outcome = await runExternalProgram(JSON.stringify({ arn: ROLE, endpoint: `localhost/${secret}` }), {
      env: { AWS_SECRET_ACCESS_KEY: secret },
    });
    expect(outcome.errorKind).toBe('input');
    expect(outcome.stderr).toContain('endpoint');
    expect(outcome.stderr).toContain('[redacted]');
    expect(outcome.stderr).not.toContain(secret);
  });
});

describe('organizations result', () => {
  it('splits accessed and not-accessed namespaces, counting a namespace once', () => {
    const report: OrganizationsAccessReport = {
      schemaVersion: 1,
      kind: 'organizations-access',
      entityPath: 'o-abcdefghij/r-ab12',
      jobId: 'j',
      jobStatus: 'COMPLETED',
      jobCreationDate: '2026-01-01T00:00:00.000Z',
      jobCompletionDate: '2026-01-01T00:00:01.000Z',
      accessDetails: [
        { serviceName: 'Amazon S3', serviceNamespace: 's3', region: 'us-east-1', lastAuthenticatedTime: '2025-12-01T00:00:00.000Z' },
        { serviceName: 'Amazon S3', serviceNamespace: 's3', region: 'eu-west-1' },
        { serviceName: 'Amazon SQS', serviceNamespace: 'sqs' },
      ],
    };
    const out = organizationsResult(report);
    expect(JSON.parse(out.accessed_services)).toEqual(['s3']);
    expect(JSON.parse(out.not_accessed_services)).toEqual(['sqs']);
    expect(out.service_count).toBe('2');
    expect(Object.values(out).every((v) => typeof v === 'string')).toBe(true);
  });
});

import { InvalidRequestError, reportRequestKey, validateReportRequest, type ReportRequest } from '../../src';
import { validateJobId, validatePoliciesRequest, validateTimeoutMs } from '../../src/iam/validate';

function invalid(fn: () => unknown): InvalidRequestError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvalidRequestError) return e;
    throw e;
  }
  throw new Error('expected an InvalidRequestError');
}

describe('validateReportRequest', () => {
  const goodArns = [
    'arn:aws:iam::123456789012:user/alice',
    'arn:aws:iam::123456789012:user/division/team/alice',
    'arn:aws:iam::123456789012:group/admins',
    'arn:aws:iam::123456789012:role/service-role/deployer',
    'arn:aws:iam::123456789012:policy/app/ReadOnly',
    'arn:aws:iam::aws:policy/ReadOnlyAccess',
    'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    'arn:aws-cn:iam::123456789012:role/cn-role',
    'arn:aws-us-gov:iam::123456789012:user/gov-user',
  ];
  it.each(goodArns)('accepts %s and fills defaults (ACTION_LEVEL, ours, not IAM\'s SERVICE_LEVEL)', (arn) => {
    expect(validateReportRequest({ kind: 'service-last-accessed', arn })).toEqual({
      kind: 'service-last-accessed',
      arn,
      granularity: 'ACTION_LEVEL',
      withEntities: false,
    });
  });

  it.each([
    ['arn:aws:iam::123456789012:instance-profile/x', 'arn'],
    ['arn:aws:s3:::bucket/key-long-enough', 'arn'],
    ['arn:aws-xx:iam::123456789012:user/alice', 'arn'],
    ['arn:aws:iam::12345:user/alice', 'arn'],
    ['arn:aws:iam::aws:role/NotAPolicy', 'arn'],
    ['arn:aws:iam::123456789012:user/bad name', 'arn'],
  ])('rejects %s naming the field', (arn, field) => {
    const err = invalid(() => validateReportRequest({ kind: 'service-last-accessed', arn }));
    expect(err.field).toBe(field);
    expect(err.value).toBe(arn);
    expect(err.allowed.length).toBeGreaterThan(10);
    expect(err.kind).toBe('input');
  });

  it('rejects a bad granularity, withEntities and kind', () => {
    const arn = 'arn:aws:iam::123456789012:user/alice';
    expect(invalid(() => validateReportRequest({ kind: 'service-last-accessed', arn, granularity: 'SERVICE' as never })).field).toBe('granularity');
    expect(invalid(() => validateReportRequest({ kind: 'service-last-accessed', arn, withEntities: 'yes' as never })).field).toBe('withEntities');
    expect(invalid(() => validateReportRequest({ kind: 'other', arn } as unknown as ReportRequest)).allowed).toContain('organizations-access');
  });

  it('validates organizations entity paths, SCP ids and sort keys', () => {
    const entityPath = 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/111111111111';
    expect(validateReportRequest({ kind: 'organizations-access', entityPath, organizationsPolicyId: 'p-FullAWSAccess', sortKey: 'LAST_AUTHENTICATED_TIME_DESCENDING' })).toEqual({
      kind: 'organizations-access',
      entityPath,
      organizationsPolicyId: 'p-FullAWSAccess',
      sortKey: 'LAST_AUTHENTICATED_TIME_DESCENDING',
    });
    expect(invalid(() => validateReportRequest({ kind: 'organizations-access', entityPath: 'r-ab12/o-a1b2c3d4e5' })).field).toBe('entityPath');
    expect(invalid(() => validateReportRequest({ kind: 'organizations-access', entityPath, organizationsPolicyId: 'scp-1' })).field).toBe('organizationsPolicyId');
    expect(invalid(() => validateReportRequest({ kind: 'organizations-access', entityPath, sortKey: 'NEWEST' as never })).field).toBe('sortKey');
  });
});

describe('reportRequestKey', () => {
  it('is equal for requests that differ only by defaults', () => {
    const arn = 'arn:aws:iam::123456789012:role/r';
    expect(reportRequestKey({ kind: 'service-last-accessed', arn })).toBe(
      reportRequestKey({ kind: 'service-last-accessed', arn, granularity: 'ACTION_LEVEL', withEntities: false }),
    );
    expect(reportRequestKey({ kind: 'service-last-accessed', arn })).not.toBe(
      reportRequestKey({ kind: 'service-last-accessed', arn, granularity: 'SERVICE_LEVEL' }),
    );
    expect(reportRequestKey({ kind: 'service-last-accessed', arn })).not.toBe(
      reportRequestKey({ kind: 'service-last-accessed', arn, withEntities: true }),
    );
  });
  it('ignores property order and distinguishes the SCP id', () => {
    const a = { kind: 'organizations-access', entityPath: 'o-a1b2c3d4e5/r-ab12', sortKey: 'SERVICE_NAMESPACE_ASCENDING' } as const;
    const b = { sortKey: 'SERVICE_NAMESPACE_ASCENDING', entityPath: 'o-a1b2c3d4e5/r-ab12', kind: 'organizations-access' } as const;
    expect(reportRequestKey(a)).toBe(reportRequestKey(b));
    expect(reportRequestKey(a)).not.toBe(reportRequestKey({ ...a, organizationsPolicyId: 'p-FullAWSAccess' }));
  });
});

describe('other inputs', () => {
  it('service namespaces: 1 to 200 matching the pattern, principal not a policy', () => {
    const arn = 'arn:aws:iam::123456789012:user/alice';
    expect(validatePoliciesRequest({ arn, serviceNamespaces: ['s3', 'ec2'] }).serviceNamespaces).toEqual(['s3', 'ec2']);
    expect(invalid(() => validatePoliciesRequest({ arn, serviceNamespaces: [] })).field).toBe('serviceNamespaces');
    expect(invalid(() => validatePoliciesRequest({ arn, serviceNamespaces: Array.from({ length: 201 }, (_, i) => `s${i}`) })).field).toBe('serviceNamespaces');
    expect(invalid(() => validatePoliciesRequest({ arn, serviceNamespaces: ['s3', 'bad ns'] })).field).toBe('serviceNamespaces[1]');
    expect(invalid(() => validatePoliciesRequest({ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', serviceNamespaces: ['s3'] })).field).toBe('arn');
  });
  it('timeoutMs and jobId', () => {
    expect(validateTimeoutMs(5000)).toBe(5000);
    expect(invalid(() => validateTimeoutMs(0)).field).toBe('timeoutMs');
    expect(invalid(() => validateTimeoutMs(1.5)).field).toBe('timeoutMs');
    expect(validateJobId('examplef-1305-c245-eba4-71fe298bcda7')).toBe('examplef-1305-c245-eba4-71fe298bcda7');
    expect(invalid(() => validateJobId('short')).field).toBe('jobId');
  });
});

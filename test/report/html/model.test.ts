import fc from 'fast-check';
import type { GateResult } from '../../../src/report/gate-result';
import { HtmlInputError, renderHtml, toMatrixModel } from '../../../src/report/html';
import { attr, text } from '../../../src/report/html/escape';
import { classify, compareRows, shortName } from '../../../src/report/html/model';

const NOW = new Date('2026-11-28T00:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();
const STATUSES = ['sufficient', 'insufficient-history', 'unknown-history', 'stale-evidence', 'error', 'anything-new'];

describe('escaping', () => {
  it('text() and attr() leave no markup character and no control character, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        for (const out of [text(s), attr(s)]) {
          expect(out).not.toMatch(/[<>"']/);
          // every & starts one of our references
          expect(out.replace(/&(amp|lt|gt|quot|#39|#10);/g, '')).not.toContain('&');
          // eslint-disable-next-line no-control-regex -- asserting their absence
          expect(out).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
        }
      }),
    );
  });

  it('a hostile principal in a gate result appears only as text in the page', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (name) => {
        const html = renderHtml(gate([{ arn: `arn:aws:iam::123456789012:role/${name}<script>x</script>`, services: [{ serviceNamespace: `${name}<x-evil>`, serviceName: name }] }]), { now: NOW });
        expect(html).not.toContain('<script>');
        expect(html).not.toContain("<x-evil>");
      }),
      { numRuns: 60 },
    );
  });
});

describe('cells never call missing evidence unused', () => {
  it('with any status other than sufficient, a cell is used (evidence of use) or no-evidence', () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: -5, max: 2000 })), fc.integer({ min: 1, max: 400 }), fc.constantFrom(...STATUSES), (age, window, status) => {
        const cell = classify(age === null ? undefined : daysAgo(age), NOW, window, status);
        if (status !== 'sufficient') expect(['used', 'no-evidence']).toContain(cell.state);
        if (cell.state === 'unused') expect(age!).toBeGreaterThan(window);
        if (cell.state === 'used') expect(age!).toBeLessThanOrEqual(window);
        if (cell.state === 'never') expect(age).toBeNull();
      }),
    );
  });

  it('an unparsable date is no evidence, not "never"', () => {
    expect(classify('yesterday', NOW, 90, 'sufficient').state).toBe('no-evidence');
  });
});

describe('gate model', () => {
  it('sorts failing principals first (most violations first), then errors, then no evidence, then passing', () => {
    const model = toMatrixModel(
      gate([
        { arn: 'arn:aws:iam::123456789012:role/pass', passed: true },
        { arn: 'arn:aws:iam::123456789012:role/young', passed: true, status: 'insufficient-history' },
        { arn: 'arn:aws:iam::123456789012:role/broken', passed: false, error: { message: 'NoSuchEntity', exitCode: 3 } },
        { arn: 'arn:aws:iam::123456789012:role/one', passed: false, violations: 1 },
        { arn: 'arn:aws:iam::123456789012:role/three', passed: false, violations: 3 },
      ]),
      { now: NOW },
    );
    expect(model.principals.map((p) => `${p.label}:${p.verdict}`)).toEqual([
      'role/three:fail',
      'role/one:fail',
      'role/broken:error',
      'role/young:no-evidence',
      'role/pass:pass',
    ]);
    expect(model.warnings).toEqual(['arn:aws:iam::123456789012:role/broken: NoSuchEntity']);
    for (let i = 1; i < model.principals.length; i++) expect(compareRows(model.principals[i - 1]!, model.principals[i]!)).toBeLessThanOrEqual(0);
  });

  it('colours cells against the window, marks exceptions, and sorts the most problematic services first', () => {
    const model = toMatrixModel(
      gate([
        {
          arn: 'arn:aws:iam::123456789012:role/a',
          passed: false,
          services: [
            { serviceNamespace: 's3', serviceName: 'Amazon S3', lastAuthenticated: daysAgo(3) },
            { serviceNamespace: 'ec2', serviceName: 'Amazon EC2', lastAuthenticated: daysAgo(200) },
            { serviceNamespace: 'sqs', serviceName: 'Amazon SQS' },
            { serviceNamespace: 'kinesis', serviceName: 'Amazon Kinesis' },
          ],
          exceptions: ['kinesis'],
        },
        { arn: 'arn:aws:iam::123456789012:role/b', passed: true, services: [{ serviceNamespace: 'sqs', serviceName: 'Amazon SQS' }], status: 'stale-evidence' },
      ]),
      { now: NOW },
    );
    const a = model.principals.find((p) => p.label === 'role/a')!;
    expect(a.cells.get('s3')!.state).toBe('used');
    expect(a.cells.get('ec2')!.state).toBe('unused');
    expect(a.cells.get('sqs')!.state).toBe('never');
    expect(a.cells.get('kinesis')!.exception).toContain('drill');
    const b = model.principals.find((p) => p.label === 'role/b')!;
    expect(b.cells.get('sqs')).toEqual({ state: 'no-evidence', why: 'stale-evidence' });
    expect(model.services.map((s) => s.namespace)).toEqual(['ec2', 'kinesis', 'sqs', 's3']);
  });

  it('refuses results it cannot draw with a bad-input error naming the commands', () => {
    expect(() => toMatrixModel({ kind: 'service-last-accessed' })).toThrow(HtmlInputError);
    expect(() => toMatrixModel([1, 2])).toThrow(/gate, sweep, org-report/);
  });
});

describe('sweep model', () => {
  const decision = (arn: string, unused: string[], status = 'sufficient') => ({
    status,
    statusReason: 'r',
    principalArn: arn,
    unusedAfterDays: 90,
    evaluatedAt: NOW.toISOString(),
    reportJobCompletionDate: NOW.toISOString(),
    usedServices: ['s3'],
    unusedServices: status === 'sufficient' ? unused : [],
    usedActions: [],
    unusedActions: [],
    findings: status === 'sufficient' ? unused.map((ns) => ({ kind: 'unused-service', permission: ns, reason: `${ns} (X) has no authenticated use` })) : [],
  });
  const principal = (name: string, unused: string[], status = 'sufficient') => {
    const arn = `arn:aws:iam::234567890123:role/${name}`;
    return {
      arn,
      kind: 'role',
      name,
      status: 'ok',
      decision: decision(arn, unused, status),
      services: [{ serviceNamespace: 's3', serviceName: 'Amazon S3', lastAuthenticated: daysAgo(1) }, ...unused.map((ns) => ({ serviceNamespace: ns, serviceName: ns }))],
    };
  };
  const sweep = (drift?: object) => ({
    kind: 'access-advisor-sweep',
    schemaVersion: 1,
    generatedAt: NOW.toISOString(),
    request: { unusedAfterDays: 90 },
    shard: { index: 1, count: 4 },
    accounts: [
      { accountId: '111111111111', name: 'gone', status: 'failed', error: { code: 'AccessDenied', message: 'cannot assume the role', exitCode: 3 }, principals: [] },
      {
        accountId: '234567890123',
        name: 'production',
        status: 'ok',
        principals: [
          principal('tidy', []),
          principal('messy', ['sqs', 'kinesis']),
          principal('new', ['sqs'], 'unknown-history'),
          { arn: 'arn:aws:iam::234567890123:role/broken', kind: 'role', name: 'broken', status: 'failed', error: { code: 'X', message: 'job FAILED', exitCode: 3 } },
        ],
      },
    ],
    totals: {},
    ...(drift ? { drift } : {}),
  });

  it('groups by account, reports failed accounts and principals, and never fails unknown history', () => {
    const model = toMatrixModel(sweep(), { now: NOW });
    expect(model.principals.map((p) => `${p.label}:${p.verdict}`)).toEqual(['role/messy:fail', 'role/broken:error', 'role/new:no-evidence', 'role/tidy:pass']);
    expect(model.principals[0]!.group).toBe('production (234567890123)');
    expect(model.warnings).toEqual(['account gone (111111111111): cannot assume the role', 'arn:aws:iam::234567890123:role/broken: job FAILED']);
    expect(model.principals.find((p) => p.label === 'role/new')!.cells.get('sqs')).toEqual({ state: 'no-evidence', why: 'unknown-history' });
    expect(model.facts).toContainEqual(['Shard', '1/4 (a part of the organization)']);
  });

  it('with a baseline, only newly unused permissions fail; accepted ones are marked', () => {
    const model = toMatrixModel(
      sweep({ passed: false, newUnused: 1, principals: [{ arn: 'arn:aws:iam::234567890123:role/messy', newUnused: ['kinesis'], acceptedUnused: ['sqs'], resolved: [] }] }),
      { now: NOW },
    );
    const messy = model.principals.find((p) => p.label === 'role/messy')!;
    expect(messy.verdict).toBe('fail');
    expect(messy.violations.map((v) => v.permission)).toEqual(['kinesis']);
    expect(messy.cells.get('sqs')!.accepted).toBe(true);
    expect(messy.cells.get('kinesis')!.accepted).toBeUndefined();
    expect(model.outcome).toBe('failed');
    const html = renderHtml(sweep({ passed: true, newUnused: 0, principals: [{ arn: 'arn:aws:iam::234567890123:role/messy', newUnused: [], acceptedUnused: ['sqs', 'kinesis'], resolved: [] }] }), { now: NOW });
    expect(html).toContain('access-advisor sweep passed');
    expect(html).toContain('sqs: never used in the tracking period; accepted in the baseline');
  });
});

describe('organization model', () => {
  const org = {
    schemaVersion: 1 as const,
    kind: 'organizations-access' as const,
    entityPath: 'o-a1b2c3d4e5/r-ab12',
    jobId: 'j',
    jobStatus: 'COMPLETED' as const,
    jobCreationDate: NOW.toISOString(),
    jobCompletionDate: NOW.toISOString(),
    accessDetails: [
      { serviceNamespace: 's3', serviceName: 'Amazon S3', lastAuthenticatedTime: daysAgo(2), entityPath: 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/111111111111' },
      { serviceNamespace: 'ec2', serviceName: 'Amazon EC2', lastAuthenticatedTime: daysAgo(200), entityPath: 'o-a1b2c3d4e5/r-ab12/222222222222' },
      { serviceNamespace: 'sqs', serviceName: 'Amazon SQS' },
    ],
  };

  it('builds the entity tree from the last accessors; children show only what they last used', () => {
    const model = toMatrixModel(org, { now: NOW });
    expect(model.principals.map((p) => `${'  '.repeat(p.depth ?? 0)}${p.label}`)).toEqual([
      'root r-ab12',
      '  account 222222222222',
      '  OU ou-ab12-11111111',
      '    account 111111111111',
    ]);
    expect([...model.principals[0]!.cells].map(([ns, c]) => `${ns}:${c.state}`)).toEqual(['s3:used', 'ec2:unused', 'sqs:never']);
    expect([...model.principals[2]!.cells.keys()]).toEqual(['s3']);
    expect(model.services.map((s) => s.namespace)).toEqual(['ec2', 's3', 'sqs']);
    expect(model.org!.notAccessed.map((s) => s.namespace)).toEqual(['sqs']);
  });

  it('shows an SCP proposal from the hook, escaped, and says why when the hook fails', () => {
    const html = renderHtml(org, {
      now: NOW,
      proposeScp: () => ({
        status: 'sufficient',
        statusReason: 'fresh report',
        json: '{"Statement":[{"Effect":"Deny","Action":["sqs:*"],"Sid":"</pre><x-evil>"}]}',
        denied: [{ permission: 'sqs', reason: 'sqs (Amazon SQS) has no use' }],
        kept: [{ permission: 's3', reason: 's3 (Amazon S3) used 2 days ago', lastUsed: daysAgo(2) }],
        notes: ['one document'],
      }),
    });
    expect(html).toContain('Denied by the proposal (1)');
    expect(html).toContain('&quot;Action&quot;:[&quot;sqs:*&quot;]');
    expect(html).not.toContain('<x-evil>');
    const failed = renderHtml(org, { now: NOW, proposeScp: () => { throw new Error('slot limit'); } });
    expect(failed).toContain('no SCP proposal: slot limit');
  });
});

describe('short names', () => {
  it('drops the path and keeps the account', () => {
    expect(shortName('arn:aws:iam::123456789012:user/engineering/carol')).toEqual({ label: 'user/carol', account: '123456789012' });
    expect(shortName('arn:aws:iam::aws:policy/AdministratorAccess')).toEqual({ label: 'policy/AdministratorAccess' });
    expect(shortName('not an arn')).toEqual({ label: 'not an arn' });
  });
});

interface P {
  arn: string;
  passed?: boolean;
  status?: string;
  violations?: number;
  error?: { message: string; exitCode: number };
  services?: GateResult['principals'][number]['services'];
  exceptions?: string[];
}

function gate(principals: P[]): GateResult {
  return {
    kind: 'least-privilege-gate',
    passed: principals.every((p) => p.passed),
    unusedAfterDays: 90,
    evaluatedAt: NOW.toISOString(),
    principals: principals.map((p) => ({
      arn: p.arn,
      passed: p.passed ?? false,
      ...(p.error ? { error: p.error } : { status: (p.status ?? 'sufficient') as 'sufficient' }),
      unusedServices: Array.from({ length: p.violations ?? 0 }, (_, i) => `svc${i}`),
      unusedActions: [],
      violations: Array.from({ length: p.violations ?? 0 }, (_, i) => ({ kind: 'unused-service' as const, permission: `svc${i}`, reason: `svc${i} has no use` })),
      allowedByException: (p.exceptions ?? []).map((e) => ({ kind: 'allowed-by-exception' as const, permission: e, reason: `allowed by exception ${e}: drill` })),
      ...(p.services ? { services: p.services } : {}),
    })),
  };
}

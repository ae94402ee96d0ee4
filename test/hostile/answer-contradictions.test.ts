/**
 * Answers whose parts contradict each other, through the built CLI. A service row against its own entity list
 * (`--with-entities`): the decisions read the row, the list says who used the service and when; a row that calls a
 * service never used, or last used long ago, while its list shows it used later, does not add up. So does a count
 * that is not a count, an Organizations row counting accounts that used a service without saying when, and a
 * policies-granting answer about namespaces nobody asked for. Each is refused (exit 3), never printed as evidence.
 */
import { ensureBuilt, runCli } from '../cli/cli-harness';
import { accessDenied, startQueryServer } from './hostile-server';

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const ROLE = 'arn:aws:iam::123456789012:role/app-deployer';
const JOB = 'a1b2c3d4-0000-4000-8000-00000000e771';
const USED = '2026-10-30T10:00:00Z';

function envelope(action: string, result: string): string {
  return `<?xml version="1.0"?><${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></${action}Response>`;
}

const HEADER = '<JobStatus>COMPLETED</JobStatus><JobCreationDate>2026-11-01T10:00:00Z</JobCreationDate><JobCompletionDate>2026-11-01T10:00:05Z</JobCompletionDate>';

interface Row {
  readonly lastAuthenticated?: string;
  readonly total?: number | string;
  /** When the role's entity row says it used the service (absent: not used). */
  readonly entityUsed?: string;
}

function serviceMember(ns: string, row: Row): string {
  return (
    `<member><ServiceName>${ns}</ServiceName><ServiceNamespace>${ns}</ServiceNamespace>` +
    (row.lastAuthenticated ? `<LastAuthenticated>${row.lastAuthenticated}</LastAuthenticated><LastAuthenticatedEntity>${ROLE}</LastAuthenticatedEntity>` : '') +
    (row.total !== undefined ? `<TotalAuthenticatedEntities>${row.total}</TotalAuthenticatedEntities>` : '') +
    '</member>'
  );
}

/**
 * A one-off IAM endpoint for the run of `use`: each query-protocol request is answered 200 with `answer(its
 * parameters)`, or 403 AccessDenied where that is undefined.
 */
async function withQueryServer<T>(answer: (params: URLSearchParams) => string | undefined, use: (endpoint: string) => Promise<T>): Promise<T> {
  const server = await startQueryServer((params, action) => {
    const xml = answer(params);
    return xml === undefined ? accessDenied(action) : { status: 200, body: xml };
  });
  try {
    return await use(server.endpoint);
  } finally {
    await server.close();
  }
}

/** The answers of a service whose rows are `rows` (one job, SERVICE_LEVEL, entity lists per namespace). */
function serviceAnswer(rows: Record<string, Row>): (params: URLSearchParams) => string | undefined {
  return (params) => {
    const action = params.get('Action') ?? '';
    if (action === 'GenerateServiceLastAccessedDetails') return envelope(action, `<JobId>${JOB}</JobId>`);
    if (action === 'GetServiceLastAccessedDetails') {
      const members = Object.entries(rows).map(([ns, row]) => serviceMember(ns, row)).join('');
      return envelope(action, `${HEADER.replace('<JobCreationDate>', '<JobType>SERVICE_LEVEL</JobType><JobCreationDate>')}<ServicesLastAccessed>${members}</ServicesLastAccessed><IsTruncated>false</IsTruncated>`);
    }
    if (action === 'GetServiceLastAccessedDetailsWithEntities') {
      const row = rows[params.get('ServiceNamespace') ?? ''];
      const entity = row?.entityUsed
        ? `<member><EntityInfo><Arn>${ROLE}</Arn><Name>app-deployer</Name><Type>ROLE</Type><Id>AROAEXAMPLEEXAMPLE12</Id><Path>/</Path></EntityInfo><LastAuthenticated>${row.entityUsed}</LastAuthenticated></member>`
        : '';
      return envelope(action, `${HEADER}<EntityDetailsList>${entity}</EntityDetailsList><IsTruncated>false</IsTruncated>`);
    }
    return undefined;
  };
}

beforeAll(() => ensureBuilt(), 180_000);

async function serviceReport(rows: Record<string, Row>) {
  return withQueryServer(serviceAnswer(rows), (endpoint) =>
    runCli(['service-report', '--arn', ROLE, '--granularity', 'SERVICE_LEVEL', '--with-entities', '--endpoint-url', endpoint, '--timeout', '30', '--max-attempts', '1']),
  );
}

it('the control: rows and entity lists that agree are a report (exit 0)', async () => {
  const run = await serviceReport({ s3: { lastAuthenticated: USED, total: 1, entityUsed: USED }, ec2: { total: 0 } });
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout) as { servicesLastAccessed: { serviceNamespace: string; entities: unknown[] }[] };
  expect(report.servicesLastAccessed.map((s) => [s.serviceNamespace, s.entities.length])).toEqual([['s3', 1], ['ec2', 0]]);
});

it.each([
  ['a service row without a time of last use (and no count) whose entity used it', { lastAuthenticated: undefined, entityUsed: USED }, /but the service has no LastAuthenticated/],
  ['a service row last used long ago whose entity used it later', { lastAuthenticated: '2025-01-01T00:00:00Z', total: 1, entityUsed: USED }, /after the service's LastAuthenticated 2025-01-01T00:00:00\.000Z/],
])('%s: exit 3 naming the job and the contradiction, no report', async (_, s3, why) => {
  const run = await serviceReport({ s3, ec2: { lastAuthenticated: USED, total: 1, entityUsed: USED } });
  expect(run.code).toBe(3);
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain(`job ${JOB}`);
  expect(run.stderr).toContain(`${ROLE} used s3 at ${USED.replace('Z', '.000Z')}`);
  expect(run.stderr).toMatch(why);
});

it.each(['NaN', '-1'])('a TotalAuthenticatedEntities of %s is not a count: exit 3 naming it, no report', async (total) => {
  const run = await serviceReport({ s3: { total }, ec2: { lastAuthenticated: USED, total: 1, entityUsed: USED } });
  expect(run.code).toBe(3);
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain(`job ${JOB}`);
  expect(run.stderr).toContain(`has an invalid TotalAuthenticatedEntities ${total} (a count is a whole number, 0 or more)`);
});

describe('policies-granting: the answer must be about the namespaces asked for', () => {
  const POLICY = '<member><PolicyName>deploy</PolicyName><PolicyType>MANAGED</PolicyType><PolicyArn>arn:aws:iam::123456789012:policy/deploy</PolicyArn></member>';
  async function policiesGranting(entries: string) {
    return withQueryServer(
      () => envelope('ListPoliciesGrantingServiceAccess', `<PoliciesGrantingServiceAccess>${entries}</PoliciesGrantingServiceAccess><IsTruncated>false</IsTruncated>`),
      (endpoint) => runCli(['policies-granting', '--arn', ROLE, '--service', 's3', 'ec2', '--endpoint-url', endpoint, '--timeout', '30', '--max-attempts', '1']),
    );
  }
  const entry = (ns: string, policies: string) => `<member><ServiceNamespace>${ns}</ServiceNamespace><Policies>${policies}</Policies></member>`;

  it('the control: one entry per namespace asked for exits 0', async () => {
    const run = await policiesGranting(entry('s3', POLICY) + entry('ec2', ''));
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { policiesGrantingServiceAccess: { serviceNamespace: string }[] }).policiesGrantingServiceAccess.map((e) => e.serviceNamespace)).toEqual(['s3', 'ec2']);
  });

  it.each([
    ['a namespace nobody asked for', entry('s3', '') + entry('ec2', '') + entry('iam', POLICY), /"iam", which was not asked for/],
    ['a namespace answered twice', entry('s3', '') + entry('ec2', '') + entry('S3', POLICY), /S3 is answered twice/],
    ['a policy without its type (once shown as MANAGED)', entry('s3', '<member><PolicyName>mystery</PolicyName></member>') + entry('ec2', ''), /policy mystery of s3 has PolicyType absent/],
  ])('%s: exit 3 naming it, no result', async (_, entries, why) => {
    const run = await policiesGranting(entries);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/ListPoliciesGrantingServiceAccess/);
    expect(run.stderr).toMatch(why);
  });
});

describe('org-report: a row counting accounts that used a service must say when', () => {
  const ENTITY_PATH = 'o-a1b2c3d4e5/r-ab12';
  const row = (ns: string, inner: string) => `<member><ServiceName>${ns}</ServiceName><ServiceNamespace>${ns}</ServiceNamespace>${inner}</member>`;
  async function orgReport(rows: string) {
    return withQueryServer(
      (params) =>
        params.get('Action') === 'GenerateOrganizationsAccessReport'
          ? envelope('GenerateOrganizationsAccessReport', `<JobId>${JOB}</JobId>`)
          : envelope(params.get('Action') ?? '', `${HEADER}<AccessDetails>${rows}</AccessDetails><IsTruncated>false</IsTruncated>`),
      (endpoint) => runCli(['org-report', '--entity-path', ENTITY_PATH, '--endpoint-url', endpoint, '--timeout', '30', '--max-attempts', '1']),
    );
  }
  const used = row('ec2', `<EntityPath>${ENTITY_PATH}/123456789012</EntityPath><LastAuthenticatedTime>${USED}</LastAuthenticatedTime><TotalAuthenticatedEntities>1</TotalAuthenticatedEntities>`);

  it('the control: rows whose counts and times agree exit 0', async () => {
    const run = await orgReport(used + row('s3', '<TotalAuthenticatedEntities>0</TotalAuthenticatedEntities>'));
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { accessDetails: unknown[] }).accessDetails).toHaveLength(2);
  });

  it.each([
    ['3 accounts counted, no time of last use', row('s3', '<TotalAuthenticatedEntities>3</TotalAuthenticatedEntities>'), /s3 counts 3 authenticated entities but has no LastAuthenticatedTime/],
    ['a time of last use, 0 counted', row('s3', `<LastAuthenticatedTime>${USED}</LastAuthenticatedTime><TotalAuthenticatedEntities>0</TotalAuthenticatedEntities>`), /s3 has LastAuthenticatedTime .* but counts 0 authenticated entities/],
  ])('%s: exit 3 naming the row, no report', async (_, s3, why) => {
    const run = await orgReport(used + s3);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`job ${JOB}`);
    expect(run.stderr).toMatch(why);
  });
});

describe('scp-proposal --style allow-list: only on a listing proven whole', () => {
  const ENTITY_PATH = 'o-a1b2c3d4e5/r-ab12';
  async function proposal(counts: string, style: string) {
    // A fresh report (an old one is stale evidence and proposes nothing): ec2 used yesterday, sqs never.
    const completed = new Date(Date.now() - 60_000);
    const header = `<JobStatus>COMPLETED</JobStatus><JobCreationDate>${new Date(completed.getTime() - 5_000).toISOString()}</JobCreationDate><JobCompletionDate>${completed.toISOString()}</JobCompletionDate>`;
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const rows =
      `<member><ServiceName>EC2</ServiceName><ServiceNamespace>ec2</ServiceNamespace><EntityPath>${ENTITY_PATH}/123456789012</EntityPath><LastAuthenticatedTime>${yesterday}</LastAuthenticatedTime><TotalAuthenticatedEntities>1</TotalAuthenticatedEntities></member>` +
      '<member><ServiceName>SQS</ServiceName><ServiceNamespace>sqs</ServiceNamespace><TotalAuthenticatedEntities>0</TotalAuthenticatedEntities></member>';
    return withQueryServer(
      (params) =>
        params.get('Action') === 'GenerateOrganizationsAccessReport'
          ? envelope('GenerateOrganizationsAccessReport', `<JobId>${JOB}</JobId>`)
          : envelope(params.get('Action') ?? '', `${header}${counts}<AccessDetails>${rows}</AccessDetails><IsTruncated>false</IsTruncated>`),
      (endpoint) => runCli(['scp-proposal', '--entity-path', ENTITY_PATH, '--style', style, '--endpoint-url', endpoint, '--timeout', '30', '--max-attempts', '1']),
    );
  }
  const COUNTS = '<NumberOfServicesAccessible>2</NumberOfServicesAccessible><NumberOfServicesNotAccessed>1</NumberOfServicesNotAccessed>';

  it('the control: with the counts, the allow-list names ec2 and leaves out sqs', async () => {
    const run = await proposal(COUNTS, 'allow-list');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { documents: unknown[]; deniedServices: { service: string }[] };
    expect(result.deniedServices.map((d) => d.service)).toEqual(['sqs']);
    expect(JSON.stringify(result.documents)).toContain('ec2:*');
  });

  it('without the counts, the deny-list still denies sqs: it denies only what it names', async () => {
    const run = await proposal('', 'deny-list');
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { deniedServices: { service: string }[] }).deniedServices.map((d) => d.service)).toEqual(['sqs']);
  });

  it('without the counts, an allow-list (which denies every service a listing cut short leaves out) is refused: exit 2 naming the field', async () => {
    const run = await proposal('', 'allow-list');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('numberOfServicesAccessible');
    expect(run.stderr).toContain('use the deny-list style');
  });
});

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runSweep, type SweepOptions } from '../../src';

/**
 * A hostile IAM + Organizations endpoint for the sweep's listings: GetAccountAuthorizationDetails and ListAccounts
 * pages that cycle, repeat, drop names or change account. A listing that does not add up is not evidence: the
 * account (or the whole sweep, for the account list) fails with IncompleteResponse — never an endless loop, a
 * principal counted twice or one silently dropped.
 */
const ACCOUNT = '123456789012';
const OTHER = '210987654321';
const CREATED = '2025-01-01T00:00:00Z';
const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

type Role = { arn?: string; name?: string; path?: string };
const role = (name: string, account = ACCOUNT, path = '/'): Role => ({ arn: `arn:aws:iam::${account}:role${path}${name}`, name, path });

/** Page n (1-based) of the principal listing for each mode; the Marker a page hands out, if any. */
type PrincipalPages = (page: number) => { roles: Role[]; marker?: string };
type AccountPages = (page: number) => { accounts: { Id?: string; Name?: string; State?: string }[]; next?: string };

function roleXml(r: Role): string {
  return (
    '<member>' +
    (r.arn ? `<Arn>${r.arn}</Arn>` : '') +
    (r.name ? `<RoleName>${r.name}</RoleName>` : '') +
    `<Path>${r.path ?? '/'}</Path><RoleId>AROAEXAMPLE${(r.name ?? 'x').toUpperCase().padEnd(9, 'X')}</RoleId><CreateDate>${CREATED}</CreateDate>` +
    '</member>'
  );
}

interface Server {
  endpoint: string;
  calls: Map<string, number>;
  close(): Promise<void>;
}

async function hostile(principals: PrincipalPages, accounts?: AccountPages): Promise<Server> {
  const calls = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target.startsWith('AWSOrganizationsV20161128.')) {
        const op = target.split('.')[1]!;
        calls.set(op, (calls.get(op) ?? 0) + 1);
        const input = JSON.parse(body || '{}') as { NextToken?: string };
        const page = input.NextToken ? Number(/(\d+)$/.exec(input.NextToken)?.[1] ?? 0) + 1 : 1;
        const answer = accounts!(page);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ Accounts: answer.accounts, ...(answer.next ? { NextToken: answer.next } : {}) }));
        return;
      }
      const params = new URLSearchParams(body);
      const action = params.get('Action') ?? '';
      calls.set(action, (calls.get(action) ?? 0) + 1);
      if (action !== 'GetAccountAuthorizationDetails') {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(`<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>not here</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
        return;
      }
      const marker = params.get('Marker');
      const page = marker ? Number(/(\d+)$/.exec(marker)?.[1] ?? 0) + 1 : 1;
      const answer = principals(page);
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        `<?xml version="1.0"?><GetAccountAuthorizationDetailsResponse xmlns="${NS}"><GetAccountAuthorizationDetailsResult>` +
          `<IsTruncated>${answer.marker !== undefined ? 'true' : 'false'}</IsTruncated>${answer.marker ? `<Marker>${answer.marker}</Marker>` : ''}` +
          `<RoleDetailList>${answer.roles.map(roleXml).join('')}</RoleDetailList><UserDetailList/><GroupDetailList/><Policies/>` +
          '</GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const options = (endpoint: string, extra: SweepOptions = {}): SweepOptions => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  accounts: [ACCOUNT],
  directAccounts: [ACCOUNT],
  principalKinds: ['role'],
  maxAttempts: 1,
  timeoutMs: 5_000,
  ...extra,
});

describe('the principal listing (GetAccountAuthorizationDetails) of a hostile endpoint', () => {
  const cases: [string, PrincipalPages, RegExp][] = [
    // m1 → m2 → m1 → …: a sweep that followed it would never end.
    ['a cycling Marker', (page) => ({ roles: [role(`r${page}`)], marker: `m${((page - 1) % 2) + 1}` }), /Marker repeated from an earlier page/],
    ['the same Marker again', (page) => ({ roles: page === 1 ? [role('a')] : [], marker: 'm1' }), /Marker repeated/],
    ['IsTruncated without a Marker', () => ({ roles: [role('a')], marker: '' }), /IsTruncated without a Marker/],
    ['a principal listed twice (across pages)', (page) => (page === 1 ? { roles: [role('a'), role('b')], marker: 'm1' } : { roles: [role('b')] }), /arn:aws:iam::123456789012:role\/b is listed twice/],
    ['an entry without a name', () => ({ roles: [role('a'), { arn: `arn:aws:iam::${ACCOUNT}:role/ghost`, path: '/' }] }), /a role entry without a name \(arn:aws:iam::123456789012:role\/ghost\)/],
    ['an entry without an ARN', () => ({ roles: [role('a'), { name: 'ghost', path: '/' }] }), /a role entry without an Arn \(ghost\)/],
    ['a principal of another account', () => ({ roles: [role('a'), role('intruder', OTHER)] }), /has the ARN "arn:aws:iam::210987654321:role\/intruder", not a role of account 123456789012/],
    ['an ARN that names another principal', () => ({ roles: [{ ...role('a'), name: 'b' }] }), /the role entry "b" has the ARN/],
  ];

  it.each(cases)('%s: the account fails with IncompleteResponse and no report runs', async (_name, pages, message) => {
    const server = await hostile(pages);
    try {
      const result = await runSweep(options(server.endpoint));
      const account = result.accounts[0]!;
      expect(account.status).toBe('failed');
      expect(account.principals).toEqual([]);
      expect(account.error!.kind).toBe('evidence');
      expect(account.error!.message).toMatch(message);
      expect(account.error!.code).toBe('IncompleteResponse');
      expect(server.calls.get('GenerateServiceLastAccessedDetails') ?? 0).toBe(0);
      expect(server.calls.get('GetAccountAuthorizationDetails')!).toBeLessThanOrEqual(3);
    } finally {
      await server.close();
    }
  });

  it('accepts an IAM path with an empty segment (/a//b/), which IAM allows', async () => {
    const server = await hostile(() => ({ roles: [role('odd', ACCOUNT, '/a//b/')] }));
    try {
      // No report endpoint here: the principal fails at its report, but it was listed, with its path.
      const result = await runSweep(options(server.endpoint, { pathPrefix: '/a//' }));
      expect(result.accounts[0]!.status).toBe('ok');
      expect(result.accounts[0]!.principals.map((p) => p.arn)).toEqual([`arn:aws:iam::${ACCOUNT}:role/a//b/odd`]);
    } finally {
      await server.close();
    }
  });
});

describe('the account listing (Organizations ListAccounts) of a hostile endpoint', () => {
  const acct = (id: string, name = `n${id.slice(-2)}`) => ({ Id: id, Name: name, State: 'ACTIVE', Arn: `arn:aws:organizations::${ACCOUNT}:account/o-abc123defg/${id}` });
  const cases: [string, AccountPages, RegExp][] = [
    ['a repeated NextToken', (page) => ({ accounts: [acct(`11111111111${page % 10}`)], next: 't1' }), /ListAccounts.*NextToken repeated from an earlier page/],
    ['a cycling NextToken', (page) => ({ accounts: [acct(`22222222222${page % 10}`)], next: `t${page % 2}` }), /NextToken repeated/],
    ['an account listed twice', (page) => (page === 1 ? { accounts: [acct('333333333333')], next: 't1' } : { accounts: [acct('333333333333')] }), /the account 333333333333 is listed twice/],
    ['an account without an id', () => ({ accounts: [acct('444444444444'), { Name: 'ghost', State: 'ACTIVE' }] }), /an account without a valid Id \(null, named "ghost"\)/],
  ];

  it.each(cases)('%s: the sweep rejects with IncompleteResponse before sweeping anything', async (_name, pages, message) => {
    const server = await hostile(() => ({ roles: [] }), pages);
    try {
      const { accounts: _a, ...fromOrganization } = options(server.endpoint);
      await expect(runSweep(fromOrganization)).rejects.toThrow(message);
      expect(server.calls.get('GetAccountAuthorizationDetails') ?? 0).toBe(0);
      expect(server.calls.get('ListAccounts')!).toBeLessThanOrEqual(3);
    } finally {
      await server.close();
    }
  });
});

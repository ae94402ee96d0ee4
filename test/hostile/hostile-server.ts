/**
 * A deliberately hostile IAM endpoint: page 1 of every report is a valid COMPLETED page that says "more follows";
 * what comes next depends on the mode — junk, an unfinished job, a repeating Marker, duplicates, or an error that
 * echoes the request's headers (signature, session token) back. Used to prove that nothing partial ever passes.
 */
import { fork } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export const HOSTILE_MODES = [
  'html-page2',
  'empty-body-page2',
  'empty-result-page2',
  'in-progress-page2',
  'failed-page2',
  'completed-without-list',
  'repeating-marker',
  'cycling-marker',
  'duplicate-items',
  'missing-namespace',
  'other-job-page2',
  'totals-mismatch',
] as const;
/** Whole-request failures whose messages must say what happened. */
export type FailingMode = 'html-403' | 'text-429' | 'limit-409';
export type HostileMode = (typeof HOSTILE_MODES)[number] | FailingMode | 'complete' | 'empty-list' | 'echo-headers';

export const JOB_ID = 'a1b2c3d4-0000-4000-8000-00000000beef';
export const ACCOUNT = '123456789012';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/app-deployer`;
/** Entity lists of a policy report name several users and roles (a role report names only the role). */
export const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/deploy`;
export const ENTITY_PATH = 'o-a1b2c3d4e5/r-ab12';
const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const CREATED = '2026-11-01T10:00:00Z';
const COMPLETED_AT = '2026-11-01T10:00:05Z';

export interface HostileServer {
  readonly endpoint: string;
  /** Requests per Action. */
  readonly calls: Map<string, number>;
  close(): Promise<void>;
}

function envelope(action: string, result: string): string {
  return `<?xml version="1.0"?><${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></${action}Response>`;
}

function service(ns: string, name: string, used: boolean): string {
  return (
    `<member><ServiceName>${name}</ServiceName><ServiceNamespace>${ns}</ServiceNamespace>` +
    (used ? `<LastAuthenticated>2026-10-30T10:00:00Z</LastAuthenticated><LastAuthenticatedEntity>${ROLE_ARN}</LastAuthenticatedEntity>` : '') +
    `<TotalAuthenticatedEntities>${used ? 1 : 0}</TotalAuthenticatedEntities></member>`
  );
}
function detail(ns: string, name: string): string {
  return `<member><ServiceName>${name}</ServiceName><ServiceNamespace>${ns}</ServiceNamespace><TotalAuthenticatedEntities>0</TotalAuthenticatedEntities></member>`;
}
function entity(name: string, used = false): string {
  return (
    `<member><EntityInfo><Arn>arn:aws:iam::${ACCOUNT}:role/${name}</Arn><Name>${name}</Name><Type>ROLE</Type><Id>AROA${name.toUpperCase().padEnd(17, 'X')}</Id><Path>/</Path></EntityInfo>` +
    (used ? '<LastAuthenticated>2026-10-30T10:00:00Z</LastAuthenticated>' : '') +
    '</member>'
  );
}

interface ListShape {
  readonly list: string;
  readonly page1: string[];
  readonly page2: string[];
  readonly extraHeader: string;
  readonly errorElement: string;
}

function shapeOf(action: string, params: URLSearchParams, mode: HostileMode, jobType: string): ListShape {
  // totals-mismatch: the counts say one service more than the rows carry (a used service left out of the listing).
  const short = mode === 'totals-mismatch';
  if (action === 'GetOrganizationsAccessReport') {
    return {
      list: 'AccessDetails',
      page1: [detail('s3', 'Amazon S3'), detail('ec2', 'Amazon EC2')],
      page2: [detail('sqs', 'Amazon SQS')],
      extraHeader: short
        ? '<NumberOfServicesAccessible>4</NumberOfServicesAccessible><NumberOfServicesNotAccessed>3</NumberOfServicesNotAccessed>'
        : '<NumberOfServicesAccessible>3</NumberOfServicesAccessible><NumberOfServicesNotAccessed>3</NumberOfServicesNotAccessed>',
      errorElement: 'ErrorDetails',
    };
  }
  if (action === 'GetServiceLastAccessedDetailsWithEntities') {
    const ns = params.get('ServiceNamespace') ?? 's3';
    // totals-mismatch: three entities used a service that counts one.
    return { list: 'EntityDetailsList', page1: [entity(`${ns}-a`, short), entity(`${ns}-b`, short)], page2: [entity(`${ns}-c`, short)], extraHeader: '', errorElement: 'Error' };
  }
  return {
    list: 'ServicesLastAccessed',
    page1: [service('s3', 'Amazon S3', true), service('ec2', 'Amazon EC2', true)],
    // totals-mismatch: sqs counts an entity that used it but gives no time (it would look never used).
    page2: [short ? '<member><ServiceName>Amazon SQS</ServiceName><ServiceNamespace>sqs</ServiceNamespace><TotalAuthenticatedEntities>1</TotalAuthenticatedEntities></member>' : service('sqs', 'Amazon SQS', true)],
    extraHeader: `<JobType>${jobType}</JobType>`,
    errorElement: 'Error',
  };
}

function page(shape: ListShape, opts: { status?: string; items?: string[] | null; marker?: string; created?: string; error?: boolean }): string {
  const status = opts.status ?? 'COMPLETED';
  const items = opts.items === null ? '' : `<${shape.list}>${(opts.items ?? []).join('')}</${shape.list}>`;
  return (
    `<JobStatus>${status}</JobStatus>${shape.extraHeader}<JobCreationDate>${opts.created ?? CREATED}</JobCreationDate>` +
    (status === 'IN_PROGRESS' ? '' : `<JobCompletionDate>${COMPLETED_AT}</JobCompletionDate>`) +
    items +
    (opts.marker ? `<IsTruncated>true</IsTruncated><Marker>${opts.marker}</Marker>` : '<IsTruncated>false</IsTruncated>') +
    (opts.error ? `<${shape.errorElement}><Message>boom</Message><Code>InternalError</Code></${shape.errorElement}>` : '')
  );
}

export type Answer = { status: number; body: string; type?: string };

function answerGet(mode: HostileMode, action: string, params: URLSearchParams, jobType: string): Answer {
  const shape = shapeOf(action, params, mode, jobType);
  const marker = params.get('Marker');
  const xml = (result: string): Answer => ({ status: 200, body: envelope(action, result) });
  if (mode === 'completed-without-list') return xml(page(shape, { items: null }));
  if (mode === 'empty-list') return xml(page(shape, { items: [] }));
  if (marker === null) {
    const items = mode === 'missing-namespace' && shape.list !== 'EntityDetailsList'
      ? [`<member><ServiceName>Mystery</ServiceName><TotalAuthenticatedEntities>0</TotalAuthenticatedEntities></member>`, ...shape.page1]
      : shape.page1;
    return xml(page(shape, { items, marker: 'p2' }));
  }
  if (marker === 'p2') {
    switch (mode) {
      case 'html-page2':
        return { status: 200, body: '<html><body><h1>Proxy says hello</h1></body></html>', type: 'text/html' };
      case 'empty-body-page2':
        return { status: 200, body: '' };
      case 'empty-result-page2':
        return xml('');
      case 'in-progress-page2':
        return xml(page(shape, { status: 'IN_PROGRESS', items: [] }));
      case 'failed-page2':
        return xml(page(shape, { status: 'FAILED', items: [], error: true }));
      case 'repeating-marker':
        return xml(page(shape, { items: shape.page2, marker: 'p2' }));
      case 'cycling-marker':
        return xml(page(shape, { items: shape.page2, marker: 'p3' }));
      case 'duplicate-items':
        return xml(page(shape, { items: [shape.page1[0]!, ...shape.page2] }));
      case 'other-job-page2':
        return xml(page(shape, { items: shape.page2, created: '2025-01-01T00:00:00Z' }));
      default:
        return xml(page(shape, { items: shape.page2 }));
    }
  }
  if (marker === 'p3' && mode === 'cycling-marker') return xml(page(shape, { items: [], marker: 'p2' }));
  return { status: 400, body: errorBody('InvalidInput', `unknown Marker ${marker}`) };
}

/** IAM's refusal of a request this server does not serve. */
export function accessDenied(action: string): Answer {
  return { status: 403, body: errorBody('AccessDenied', `not allowed: ${action}`) };
}

function errorBody(code: string, message: string): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * An IAM query-protocol endpoint on 127.0.0.1: each request is answered with `answer(its parameters, its Action, the
 * request, its body)`, and counted per Action.
 */
export async function startQueryServer(
  answer: (params: URLSearchParams, action: string, req: http.IncomingMessage, body: string) => Answer,
): Promise<HostileServer> {
  const calls = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const params = new URLSearchParams(body);
      const action = params.get('Action') ?? '';
      calls.set(action, (calls.get(action) ?? 0) + 1);
      const answered = answer(params, action, req, body);
      res.writeHead(answered.status, { 'content-type': answered.type ?? 'text/xml', 'x-amzn-requestid': 'r-1' });
      res.end(answered.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `entities`: the service pages are sound and only GetServiceLastAccessedDetailsWithEntities is hostile. */
export async function startHostileServer(mode: HostileMode, target: 'all' | 'entities' = 'all'): Promise<HostileServer> {
  // As IAM: a job's JobType is the Granularity it was generated with (IAM's default SERVICE_LEVEL when none was
  // sent). One job id serves every request, so the last generation decides: callers of one server agree on a level.
  let jobType = 'SERVICE_LEVEL';
  return startQueryServer((params, action, req, body) => {
    let answer: Answer;
    if (mode === 'html-403') {
      answer = { status: 403, body: '<html><body><h1>403 Forbidden</h1>corporate proxy</body></html>', type: 'text/html' };
    } else if (mode === 'text-429') {
      answer = { status: 429, body: 'Too Many Requests, slow down', type: 'text/plain' };
    } else if (mode === 'limit-409' && action === 'GenerateOrganizationsAccessReport') {
      answer = {
        status: 409,
        body: errorBody('ReportGenerationLimitExceeded', 'The request failed because the maximum number of concurrent requests for this account are already running.'),
      };
    } else if (mode === 'echo-headers') {
      // A misconfigured proxy that puts the whole request (headers included) into its error text.
      const echoed = Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`).join('\n');
      answer = { status: 403, body: errorBody('AccessDenied', escapeXml(`proxy refused the request:\n${echoed}\nbody: ${body}`)) };
    } else if (action === 'GenerateServiceLastAccessedDetails' || action === 'GenerateOrganizationsAccessReport') {
      if (action === 'GenerateServiceLastAccessedDetails') jobType = params.get('Granularity') ?? 'SERVICE_LEVEL';
      answer = { status: 200, body: envelope(action, `<JobId>${JOB_ID}</JobId>`) };
    } else if (action.startsWith('Get') && (action.includes('LastAccessed') || action === 'GetOrganizationsAccessReport')) {
      const hostile = target === 'all' || action === 'GetServiceLastAccessedDetailsWithEntities';
      answer = answerGet(hostile ? mode : 'complete', action, params, jobType);
    } else {
      answer = accessDenied(action);
    }
    return answer;
  });
}

/** Servers for `modes` in a child process (for synth, whose spawnSync blocks this process's event loop). */
export async function startHostileServersInChild(
  modes: readonly HostileMode[],
): Promise<{ endpoints: Record<string, string>; close: () => Promise<void> }> {
  const child = fork(path.join(__dirname, 'hostile-child.ts'), [JSON.stringify(modes)], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const endpoints = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once('message', (m: { ready: Record<string, string> }) => resolve(m.ready));
    child.once('exit', (code) => reject(new Error(`hostile servers exited with ${code}`)));
  });
  return {
    endpoints,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('close');
      }),
  };
}

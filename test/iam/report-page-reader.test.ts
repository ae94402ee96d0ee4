import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import {
  GenerateOrganizationsAccessReportCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetOrganizationsAccessReportCommand,
  GetServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsWithEntitiesCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { createIamSession } from '../../src/iam/client';
import { AwsRequestError } from '../../src/model/errors';
import { RequestGate } from '../../src/iam/request-gate';
import { WARM_UP_PAGE, peekJobStatus, readReportPage } from '../../src/iam/report-page-reader';
import { ARNS, CREDENTIALS, PATHS, testWorld } from './world';

// The fast reader must read every page exactly as the AWS SDK does, or decline it (the SDK then reads it).

type Op = 'GetServiceLastAccessedDetails' | 'GetServiceLastAccessedDetailsWithEntities' | 'GetOrganizationsAccessReport';

/** What the SDK makes of `body` (a 200 answer), without $metadata. */
async function sdkReading(op: Op, body: string): Promise<Record<string, unknown>> {
  const handler = {
    handle: async () => ({ response: { statusCode: 200, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(body)]) } }),
    destroy: () => undefined,
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  const client = new IAMClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: CREDENTIALS, requestHandler: handler as never });
  const jobId = 'j'.repeat(36);
  const command =
    op === 'GetServiceLastAccessedDetails'
      ? new GetServiceLastAccessedDetailsCommand({ JobId: jobId })
      : op === 'GetServiceLastAccessedDetailsWithEntities'
        ? new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: jobId, ServiceNamespace: 's3' })
        : new GetOrganizationsAccessReportCommand({ JobId: jobId });
  const { $metadata: _metadata, ...output } = (await client.send(command as never)) as unknown as Record<string, unknown>;
  client.destroy();
  return output;
}

/** Real answers of the emulator, as raw bodies. */
async function emulatorBodies(emulator: RunningEmulator): Promise<{ op: Op; what: string; body: string }[]> {
  const bodies: string[] = [];
  const inner = new NodeHttpHandler();
  const capturing = {
    handle: async (request: never, options: never) => {
      const out = await inner.handle(request, options);
      const chunks: Buffer[] = [];
      for await (const chunk of out.response.body as AsyncIterable<Buffer>) chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      bodies.push(text);
      out.response.body = Readable.from([Buffer.from(text)]);
      return out;
    },
    destroy: () => inner.destroy(),
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  const client = new IAMClient({ region: 'us-east-1', endpoint: emulator.endpoint, credentials: CREDENTIALS, requestHandler: capturing as never });
  const out: { op: Op; what: string; body: string }[] = [];
  const last = (): string => bodies[bodies.length - 1]!;
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 30));

  emulator.setJobs({ durationMs: 10_000 });
  const running = await client.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: ARNS.alice }));
  await client.send(new GetServiceLastAccessedDetailsCommand({ JobId: running.JobId }));
  out.push({ op: 'GetServiceLastAccessedDetails', what: 'an IN_PROGRESS answer', body: last() });

  emulator.setJobs({ durationMs: 0 });
  const action = await client.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: ARNS.admin, Granularity: 'ACTION_LEVEL' }));
  await settle();
  await client.send(new GetServiceLastAccessedDetailsCommand({ JobId: action.JobId, MaxItems: 1000 }));
  out.push({ op: 'GetServiceLastAccessedDetails', what: 'a whole ACTION_LEVEL report (every service allowed)', body: last() });
  const used = await client.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: ARNS.deployer, Granularity: 'ACTION_LEVEL' }));
  await settle();
  await client.send(new GetServiceLastAccessedDetailsCommand({ JobId: used.JobId }));
  out.push({ op: 'GetServiceLastAccessedDetails', what: 'an ACTION_LEVEL report with recorded use', body: last() });
  const paged = await client.send(new GetServiceLastAccessedDetailsCommand({ JobId: action.JobId, MaxItems: 7 }));
  out.push({ op: 'GetServiceLastAccessedDetails', what: 'a truncated page with a Marker', body: last() });
  await client.send(new GetServiceLastAccessedDetailsCommand({ JobId: action.JobId, MaxItems: 7, Marker: paged.Marker }));
  out.push({ op: 'GetServiceLastAccessedDetails', what: 'a page after a Marker', body: last() });

  const group = await client.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: ARNS.devs }));
  await settle();
  const groupPage = await client.send(new GetServiceLastAccessedDetailsCommand({ JobId: group.JobId }));
  const usedService = groupPage.ServicesLastAccessed!.find((s) => s.LastAuthenticatedEntity) ?? groupPage.ServicesLastAccessed![0]!;
  await client.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: group.JobId, ServiceNamespace: usedService.ServiceNamespace }));
  out.push({ op: 'GetServiceLastAccessedDetailsWithEntities', what: 'an entity list', body: last() });

  const org = await client.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: PATHS.root }));
  await settle();
  await client.send(new GetOrganizationsAccessReportCommand({ JobId: org.JobId }));
  out.push({ op: 'GetOrganizationsAccessReport', what: 'an Organizations report', body: last() });
  client.destroy();
  return out;
}

let emulator: RunningEmulator;
let bodies: { op: Op; what: string; body: string }[];

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld(), port: 0, seed: 5 });
  bodies = await emulatorBodies(emulator);
}, 30_000);
afterAll(() => emulator.close());

const ACTION_REPORT = (): string => bodies.find((b) => b.what.startsWith('a whole ACTION_LEVEL'))!.body;

describe('readReportPage reads what the SDK reads, the same way', () => {
  it('every kind of answer the emulator gives', async () => {
    expect(bodies).toHaveLength(7);
    for (const { op, what, body } of bodies) {
      const mine = readReportPage(op, body);
      expect({ what, mine }).toEqual({ what, mine: await sdkReading(op, body) });
    }
    // Not vacuous: an ACTION_LEVEL report carries tracked actions with dates.
    const usedReport = bodies.find((b) => b.what.endsWith('with recorded use'))!.body;
    const action = readReportPage('GetServiceLastAccessedDetails', usedReport) as { ServicesLastAccessed: { TrackedActionsLastAccessed?: { LastAccessedTime?: Date }[] }[] };
    expect(action.ServicesLastAccessed.flatMap((s) => s.TrackedActionsLastAccessed ?? []).some((a) => a.LastAccessedTime instanceof Date)).toBe(true);
  });

  it('the small page that warms the reader up while a job runs', async () => {
    const mine = readReportPage('GetServiceLastAccessedDetails', WARM_UP_PAGE);
    expect(mine).toMatchObject({ JobStatus: 'COMPLETED', ServicesLastAccessed: [{ ServiceNamespace: 's', TrackedActionsLastAccessed: [{ ActionName: 'A' }] }] });
    expect(mine).toEqual(await sdkReading('GetServiceLastAccessedDetails', WARM_UP_PAGE));
  });

  it('the same answers pretty-printed, with CRLF line ends, entities and empty elements', async () => {
    const variants: { op: Op; body: string }[] = [
      { op: 'GetServiceLastAccessedDetails', body: ACTION_REPORT().replace(/></g, '>\n    <') },
      { op: 'GetServiceLastAccessedDetails', body: ACTION_REPORT().replace(/></g, '>\r\n  <') },
      {
        op: 'GetServiceLastAccessedDetails',
        body: ACTION_REPORT().replace('<ServiceName>', '<ServiceName>R&amp;D &lt;x&gt; &quot;q&quot; &apos;a&apos; &#65;&#x42; '),
      },
      { op: 'GetServiceLastAccessedDetails', body: ACTION_REPORT().replace(/<ServicesLastAccessed>.*<\/ServicesLastAccessed>/s, '<ServicesLastAccessed/>') },
      { op: 'GetServiceLastAccessedDetails', body: ACTION_REPORT().replace(/<ServicesLastAccessed>.*<\/ServicesLastAccessed>/s, '<ServicesLastAccessed></ServicesLastAccessed><Marker/>') },
      { op: 'GetServiceLastAccessedDetails', body: ACTION_REPORT().replace(/<ServicesLastAccessed>.*<\/ServicesLastAccessed>/s, '<ServicesLastAccessed>\n</ServicesLastAccessed><Marker></Marker>') },
      { op: 'GetServiceLastAccessedDetails', body: ACTION_REPORT().replace(/^<\?xml[^>]*>\s*/, '') },
    ];
    for (const { op, body } of variants) {
      const mine = readReportPage(op, body);
      expect(mine).toBeDefined();
      expect(mine).toEqual(await sdkReading(op, body));
    }
  });
});

/** Answers outside the reader's grammar: each is left to the SDK. */
const declinedForms: [string, (xml: string) => string][] = [
  ['a comment', (x) => x.replace('<JobStatus>', '<!-- hi --><JobStatus>')],
  ['CDATA', (x) => x.replace(/<ServiceName>[^<]*</, '<ServiceName><![CDATA[S3]]><')],
  ['an unknown element', (x) => x.replace('<JobStatus>', '<NewField>1</NewField><JobStatus>')],
  ['an attribute inside', (x) => x.replace('<JobStatus>', '<JobStatus a="1">')],
  ['a repeated field', (x) => x.replace('<JobStatus>COMPLETED</JobStatus>', '<JobStatus>COMPLETED</JobStatus><JobStatus>IN_PROGRESS</JobStatus>')],
  ['an unknown entity', (x) => x.replace(/<ServiceName>/, '<ServiceName>&nbsp;')],
  ['a bare ampersand', (x) => x.replace(/<ServiceName>/, '<ServiceName>a & b')],
  ['a date with an offset', (x) => x.replace(/<JobCreationDate>[^<]*</, '<JobCreationDate>2026-01-01T00:00:00+01:00<')],
  ['a date with microseconds', (x) => x.replace(/<JobCreationDate>[^<]*</, '<JobCreationDate>2026-01-01T00:00:00.123456Z<')],
  ['an impossible date', (x) => x.replace(/<JobCreationDate>[^<]*</, '<JobCreationDate>2026-13-45T00:00:00Z<')],
  ['a negative count', (x) => x.replace(/<TotalAuthenticatedEntities>[^<]*</, '<TotalAuthenticatedEntities>-1<')],
  ['a flag in another spelling', (x) => x.replace(/<IsTruncated>[^<]*</, '<IsTruncated>False<')],
  ['space around a value', (x) => x.replace('<JobStatus>COMPLETED<', '<JobStatus> COMPLETED <')],
  ['text between elements', (x) => x.replace('<JobStatus>', 'junk<JobStatus>')],
  ['a list item not named member', (x) => x.replace('<member>', '<item>').replace('</member>', '</item>')],
  ['something after the root', (x) => `${x}<extra/>`],
  ['another root', (x) => x.replace(/GetServiceLastAccessedDetailsResponse/g, 'SomethingElseResponse')],
  ['no Result', (x) => x.replace(/<GetServiceLastAccessedDetailsResult>.*<\/GetServiceLastAccessedDetailsResult>/s, '')],
  ['a cut-off body', (x) => x.slice(0, Math.floor(x.length / 2))],
  ['a DOCTYPE', (x) => x.replace('<GetServiceLastAccessedDetailsResponse', '<!DOCTYPE x><GetServiceLastAccessedDetailsResponse')],
  ['a DOCTYPE with an internal entity', (x) => x.replace('<GetServiceLastAccessedDetailsResponse', '<!DOCTYPE r [<!ENTITY s "S3">]><GetServiceLastAccessedDetailsResponse').replace(/<ServiceName>[^<]*</, '<ServiceName>&s;<')],
  ['a namespace prefix', (x) => x.replace('<JobStatus>COMPLETED</JobStatus>', '<i:JobStatus xmlns:i="urn:x">COMPLETED</i:JobStatus>')],
  ['another attribute on the root', (x) => x.replace('<GetServiceLastAccessedDetailsResponse', '<GetServiceLastAccessedDetailsResponse xmlns:i="urn:x"')],
  ['a processing instruction', (x) => x.replace('<JobStatus>', '<?hint x?><JobStatus>')],
  ['a mismatched close tag', (x) => x.replace('</JobStatus>', '</JobType>')],
  ['text after the root', (x) => `${x}junk`],
  ['an element named __proto__', (x) => x.replace('<JobStatus>', '<__proto__>1</__proto__><JobStatus>')],
  ['a character reference beyond U+FFFF', (x) => x.replace(/<ServiceName>/, '<ServiceName>&#x1F600;')],
  ['an xml-stylesheet instruction in first place', (x) => `<?xml-stylesheet href="a.xsl"?>${x.replace(/^<\?xml[^>]*>/, '')}`],
  ['an XML 1.1 declaration', (x) => x.replace(/^<\?xml[^>]*>/, '<?xml version="1.1" encoding="UTF-8"?>')],
  ['another encoding declared', (x) => x.replace(/^<\?xml[^>]*>/, '<?xml version="1.0" encoding="ISO-8859-1"?>')],
  ['a byte order mark', (x) => `\uFEFF${x}`],
  ['a line break inside a value', (x) => x.replace(/<ServiceName>([^<]*)</, '<ServiceName>$1\nmore<')],
  ['an element inside a value', (x) => x.replace('<JobStatus>COMPLETED', '<JobStatus><b>COMPLETED</b>')],
  ['a second Result', (x) => x.replace('</GetServiceLastAccessedDetailsResponse>', '<GetServiceLastAccessedDetailsResult><JobStatus>COMPLETED</JobStatus></GetServiceLastAccessedDetailsResult></GetServiceLastAccessedDetailsResponse>')],
  ['a repeated list', (x) => x.replace('</ServicesLastAccessed>', '</ServicesLastAccessed><ServicesLastAccessed></ServicesLastAccessed>')],
  ['an empty date', (x) => x.replace(/<JobCreationDate>[^<]*</, '<JobCreationDate><')],
  ['an empty body', () => ''],
  ['an HTML page', () => '<html><body>Rate exceeded</body></html>'],
];

describe('readReportPage leaves to the SDK what is outside its narrow grammar', () => {
  const declined = declinedForms;
  it.each(declined)('%s', (_what, mutate) => {
    expect(readReportPage('GetServiceLastAccessedDetails', ACTION_REPORT())).toBeDefined();
    expect(readReportPage('GetServiceLastAccessedDetails', mutate(ACTION_REPORT()))).toBeUndefined();
  });

  it('an operation it does not know', () => {
    expect(readReportPage('ListRoles', ACTION_REPORT())).toBeUndefined();
    expect(readReportPage('ListRoles', Buffer.from(ACTION_REPORT()))).toBeUndefined();
  });
});

describe('readReportPage reads the bytes of an answer piece by piece as it reads the whole text', () => {
  // Pieces cut anywhere: inside names, entities, multi-byte characters, the XML declaration.
  const PIECES = [1, 7, 64, 32 * 1024];
  const withText = (text: string) => ACTION_REPORT().replace(/<ServiceName>[^<]*</, `<ServiceName>${text}<`);

  it('every answer the emulator gave, every declined form, non-ASCII text and bytes that are not UTF-8', () => {
    const cases: { op: Op; body: Buffer }[] = [
      ...bodies.map(({ op, body }) => ({ op, body: Buffer.from(body) })),
      ...declinedForms.map(([, mutate]) => ({ op: 'GetServiceLastAccessedDetails' as Op, body: Buffer.from(mutate(ACTION_REPORT())) })),
      { op: 'GetServiceLastAccessedDetails', body: Buffer.from(withText('naïve ☃ 😀 &amp; &#233;')) },
      { op: 'GetServiceLastAccessedDetails', body: Buffer.concat([Buffer.from(withText('x').split('x<')[0]!), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(`<${withText('x').split('x<').slice(1).join('x<')}`)]) },
      { op: 'GetServiceLastAccessedDetails', body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ACTION_REPORT())]) },
      // `!` and `?` in text (read), and after them the markup they open (declined): the scan looks for the rare byte.
      { op: 'GetServiceLastAccessedDetails', body: Buffer.from(withText('why? now! ?!?')) },
      { op: 'GetServiceLastAccessedDetails', body: Buffer.from(withText('why? now!').replace('<JobStatus>', '<!-- c --><JobStatus>')) },
      { op: 'GetServiceLastAccessedDetails', body: Buffer.from(withText('why? now!').replace('<JobStatus>', '<?pi x?><JobStatus>')) },
      { op: 'GetServiceLastAccessedDetails', body: Buffer.from(`${withText('?')}<?pi?>`) },
    ];
    let read = 0;
    for (const { op, body } of cases) {
      const whole = readReportPage(op, body.toString('utf8'));
      if (whole) read++;
      for (const pieceBytes of PIECES) expect({ pieceBytes, out: readReportPage(op, body, pieceBytes) }).toEqual({ pieceBytes, out: whole });
    }
    // Both outcomes were compared: pages read and pages declined.
    expect(read).toBeGreaterThan(9);
    expect(read).toBeLessThan(cases.length - 33);
  });
});

describe('peekJobStatus: the status a body names, for timing only', () => {
  it('the value of its one JobStatus element when it is a plain word, else undefined', () => {
    const inProgress = bodies.find((b) => b.what === 'an IN_PROGRESS answer')!.body;
    expect(peekJobStatus(Buffer.from(ACTION_REPORT()))).toBe('COMPLETED');
    expect(peekJobStatus(Buffer.from(inProgress))).toBe('IN_PROGRESS');
    const twice = ACTION_REPORT().replace('<JobStatus>COMPLETED</JobStatus>', '<JobStatus>COMPLETED</JobStatus><JobStatus>IN_PROGRESS</JobStatus>');
    expect(peekJobStatus(Buffer.from(twice))).toBeUndefined();
    expect(peekJobStatus(Buffer.from(ACTION_REPORT().replace(/<JobStatus>[^<]*<\/JobStatus>/, '')))).toBeUndefined();
    expect(peekJobStatus(Buffer.from(ACTION_REPORT().replace('<JobStatus>COMPLETED', '<JobStatus> COMPLETED')))).toBeUndefined();
    expect(peekJobStatus(Buffer.from(ACTION_REPORT().replace('<JobStatus>COMPLETED</JobStatus>', '<JobStatus>COMPLETED')))).toBeUndefined();
    expect(peekJobStatus(Buffer.from(''))).toBeUndefined();
  });
});

describe('through the engine session (createIamSession): the reader, the SDK fallback and errors', () => {
  let server: Server;
  let answer: { status: number; body: string };
  let endpoint: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(answer.status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'req-1' });
        res.end(answer.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  async function viaSession(): Promise<Record<string, unknown>> {
    const gate = new RequestGate({ requestsPerSecond: 100, concurrency: 2 });
    const session = await createIamSession({ endpoint, region: 'us-east-1', credentials: CREDENTIALS }, gate, 1);
    try {
      return await session.send<Record<string, unknown>>('GetServiceLastAccessedDetails', new GetServiceLastAccessedDetailsCommand({ JobId: 'j'.repeat(36) }), undefined);
    } finally {
      session.close();
    }
  }

  it('a page the reader reads and a page it declines both come back as the SDK reads them', async () => {
    for (const body of [ACTION_REPORT(), ACTION_REPORT().replace('<JobStatus>', '<!-- c --><JobStatus>')]) {
      answer = { status: 200, body };
      const { $metadata, ...output } = await viaSession();
      expect(output).toEqual(await sdkReading('GetServiceLastAccessedDetails', body));
      expect($metadata).toMatchObject({ httpStatusCode: 200, requestId: 'req-1' });
    }
  });

  it('onBodyIn hears the status a page names before it is read; the page then reads as the SDK reads it', async () => {
    const heard: (string | undefined)[] = [];
    const inProgress = bodies.find((b) => b.what === 'an IN_PROGRESS answer')!.body;
    for (const [body, wantsTurn] of [
      [ACTION_REPORT(), true],
      [inProgress, false],
    ] as const) {
      answer = { status: 200, body };
      const gate = new RequestGate({ requestsPerSecond: 100, concurrency: 2 });
      const session = await createIamSession({ endpoint, region: 'us-east-1', credentials: CREDENTIALS }, gate, 1);
      try {
        const { $metadata: _m, ...output } = await session.send<Record<string, unknown>>(
          'GetServiceLastAccessedDetails',
          new GetServiceLastAccessedDetailsCommand({ JobId: 'j'.repeat(36) }),
          undefined,
          undefined,
          {
            onBodyIn: (status) => {
              heard.push(status);
              return wantsTurn;
            },
          },
        );
        expect(output).toEqual(await sdkReading('GetServiceLastAccessedDetails', body));
      } finally {
        session.close();
      }
    }
    expect(heard).toEqual(['COMPLETED', 'IN_PROGRESS']);
  });

  it('an error answer still becomes the typed error the SDK names', async () => {
    answer = {
      status: 400,
      body: '<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>no job j</Message></Error><RequestId>r</RequestId></ErrorResponse>',
    };
    const failure = await viaSession().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AwsRequestError);
    expect((failure as AwsRequestError).awsCode).toBe('NoSuchEntity');
  });
});

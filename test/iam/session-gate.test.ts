import { createServer, type Server } from 'node:http';
import { GenerateServiceLastAccessedDetailsCommand, GetServiceLastAccessedDetailsCommand } from '@aws-sdk/client-iam';
import { createIamSession } from '../../src/iam/client';
import { RequestGate } from '../../src/iam/request-gate';
import { CREDENTIALS } from './world';

// What the engine's session tells the run's gate about each request: whether it starts a job, and when it leaves.

const GENERATE_ANSWER = `<GenerateServiceLastAccessedDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GenerateServiceLastAccessedDetailsResult><JobId>${'j'.repeat(36)}</JobId></GenerateServiceLastAccessedDetailsResult>
  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
</GenerateServiceLastAccessedDetailsResponse>`;
const NO_SUCH_JOB = `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>no such job</Message></Error><RequestId>req-2</RequestId>
</ErrorResponse>`;

describe('the session and the run gate', () => {
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        const generate = body.includes('Action=GenerateServiceLastAccessedDetails');
        res.writeHead(generate ? 200 : 404, { 'content-type': 'text/xml', 'x-amzn-requestid': 'req' });
        res.end(generate ? GENERATE_ANSWER : NO_SUCH_JOB);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('marks a generate as starting a job and a poll as not, and says when each left the gate', async () => {
    const gate = new RequestGate({ requestsPerSecond: 1000, concurrency: 4 });
    const entered: boolean[] = [];
    const enter = gate.enter.bind(gate);
    gate.enter = (signal, startsJob) => {
      entered.push(startsJob === true);
      return enter(signal, startsJob);
    };
    const session = await createIamSession({ endpoint, region: 'us-east-1', credentials: CREDENTIALS }, gate, 1);
    const admitted: string[] = [];
    try {
      const out = await session.send<{ JobId?: string }>(
        'GenerateServiceLastAccessedDetails',
        new GenerateServiceLastAccessedDetailsCommand({ Arn: 'arn:aws:iam::123456789012:role/r', Granularity: 'ACTION_LEVEL' }),
        undefined,
        undefined,
        { onAdmitted: () => admitted.push('generate') },
      );
      expect(out.JobId).toBe('j'.repeat(36));
      await expect(
        session.send('GetServiceLastAccessedDetails', new GetServiceLastAccessedDetailsCommand({ JobId: 'j'.repeat(36) }), undefined, undefined, { onAdmitted: () => admitted.push('poll') }),
      ).rejects.toMatchObject({ awsCode: 'NoSuchEntity' });
    } finally {
      session.close();
    }
    expect(entered).toEqual([true, false]);
    expect(admitted).toEqual(['generate', 'poll']);
  });

  it('prepares a few commands at a time: the first request leaves before the run\'s other commands are serialized', async () => {
    const gate = new RequestGate({ requestsPerSecond: 10_000, concurrency: 2 });
    const session = await createIamSession({ endpoint, region: 'us-east-1', credentials: CREDENTIALS }, gate, 1);
    let built = 0;
    const builtWhenSent: number[] = [];
    // Counts commands once the SDK has serialized them; the gate's middleware sees each attempt as it leaves.
    session.client.middlewareStack.add((next) => (args) => ((built++, next(args))), { step: 'build', name: 'countBuilt' });
    session.client.middlewareStack.add((next) => (args) => ((builtWhenSent.push(built), next(args))), {
      step: 'deserialize',
      priority: 'low',
      name: 'countSent',
    });
    try {
      const outs = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          session.send<{ JobId?: string }>(
            'GenerateServiceLastAccessedDetails',
            new GenerateServiceLastAccessedDetailsCommand({ Arn: `arn:aws:iam::123456789012:role/r${i}`, Granularity: 'ACTION_LEVEL' }),
            undefined,
          ),
        ),
      );
      expect(outs.every((o) => o.JobId === 'j'.repeat(36))).toBe(true);
    } finally {
      session.close();
    }
    expect(builtWhenSent).toHaveLength(40);
    // Staged two at a time (the in-flight cap): the first leaves after a few commands' work, not after all 40.
    expect(builtWhenSent[0]!).toBeLessThanOrEqual(4);
    expect(gate.stats()).toMatchObject({ admitted: 40, inFlight: 0 });
  });

  it('frees a command\'s place when it fails before reaching the gate (credentials), so the next ones go on', async () => {
    const gate = new RequestGate({ requestsPerSecond: 10_000, concurrency: 1 });
    let calls = 0;
    const credentials = async () => {
      calls++;
      if (calls <= 3) throw new Error('no credentials yet');
      return CREDENTIALS;
    };
    const session = await createIamSession({ endpoint, region: 'us-east-1', credentials }, gate, 1);
    try {
      const send = (i: number) =>
        session.send<{ JobId?: string }>(
          'GenerateServiceLastAccessedDetails',
          new GenerateServiceLastAccessedDetailsCommand({ Arn: `arn:aws:iam::123456789012:role/r${i}`, Granularity: 'ACTION_LEVEL' }),
          undefined,
        );
      const settled = await Promise.allSettled([send(0), send(1), send(2), send(3), send(4)]);
      expect(settled.filter((s) => s.status === 'rejected').length).toBeGreaterThanOrEqual(1);
      expect(settled.filter((s) => s.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
      // Nothing is left holding a place: one more command goes through.
      await expect(send(5)).resolves.toMatchObject({ JobId: 'j'.repeat(36) });
    } finally {
      session.close();
    }
    expect(gate.stats().inFlight).toBe(0);
  });
});

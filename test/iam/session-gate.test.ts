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
        () => admitted.push('generate'),
      );
      expect(out.JobId).toBe('j'.repeat(36));
      await expect(
        session.send('GetServiceLastAccessedDetails', new GetServiceLastAccessedDetailsCommand({ JobId: 'j'.repeat(36) }), undefined, undefined, () => admitted.push('poll')),
      ).rejects.toMatchObject({ awsCode: 'NoSuchEntity' });
    } finally {
      session.close();
    }
    expect(entered).toEqual([true, false]);
    expect(admitted).toEqual(['generate', 'poll']);
  });
});

import { PollWaves } from '../../src/iam/poll-waves';
import { PrincipalCreateDates } from '../../src/iam/principal-dates';
import { AwsRequestError } from '../../src';
import { resolveSchedule } from '../../src/iam/backoff';
import type { IamSession, SendHooks } from '../../src/iam/client';
import { JobDurations } from '../../src/iam/job-durations';
import { runReportJob, type JobContext } from '../../src/iam/report-job';
import { WaveScouts } from '../../src/iam/wave-scouts';

/** A scripted IAM: no network, no clock. Each Get returns IN_PROGRESS `inProgressPolls` times, then COMPLETED. */
function fakeSession(opts: { inProgressPolls: number; createDate: 'ok' | 'denied' }) {
  const calls: string[] = [];
  let gets = 0;
  const session: IamSession = {
    client: undefined as never,
    close: () => undefined,
    async send<O>(operation: string): Promise<O> {
      calls.push(operation);
      switch (operation) {
        case 'GenerateServiceLastAccessedDetails':
          return { JobId: 'j'.repeat(36) } as O;
        case 'GetServiceLastAccessedDetails':
          gets++;
          if (gets <= opts.inProgressPolls) return { JobStatus: 'IN_PROGRESS', JobCreationDate: new Date(0) } as O;
          return {
            JobStatus: 'COMPLETED',
            JobCreationDate: new Date(0),
            JobCompletionDate: new Date(1000),
            ServicesLastAccessed: [{ ServiceName: 'Amazon S3', ServiceNamespace: 's3', LastAuthenticated: new Date(5000), LastAuthenticatedEntity: 'arn:aws:iam::123456789012:role/r', TotalAuthenticatedEntities: 1 }],
            IsTruncated: false,
          } as O;
        case 'GetRole':
          if (opts.createDate === 'denied') throw new AwsRequestError('GetRole', 'AccessDenied', 'not authorized');
          return { Role: { Arn: 'arn:aws:iam::123456789012:role/r', CreateDate: new Date(86_400_000) } } as O;
        default:
          throw new Error(`unexpected ${operation}`);
      }
    },
  };
  return { session, calls };
}

function context(session: IamSession, sleeps: number[]): JobContext {
  return {
    session,
    schedule: resolveSchedule({ jitter: 0 }),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    timeoutMs: 60_000,
    entityConcurrency: 2,
    createDates: new PrincipalCreateDates(session, undefined),
  };
}

const request = { kind: 'service-last-accessed', arn: 'arn:aws:iam::123456789012:role/r', granularity: 'SERVICE_LEVEL', withEntities: false } as const;

it('polls on the injected schedule (first soon, then growing by 1.5) and builds the report', async () => {
  const { session, calls } = fakeSession({ inProgressPolls: 4, createDate: 'ok' });
  const sleeps: number[] = [];
  const report = await runReportJob(request, context(session, sleeps));
  expect(sleeps).toEqual([500, 750, 1125, 1688, 2531]);
  expect(calls.filter((c) => c === 'GetServiceLastAccessedDetails')).toHaveLength(5);
  expect(report).toEqual({
    schemaVersion: 1,
    kind: 'service-last-accessed',
    arn: request.arn,
    granularity: 'SERVICE_LEVEL',
    withEntities: false,
    jobId: 'j'.repeat(36),
    jobStatus: 'COMPLETED',
    jobCreationDate: '1970-01-01T00:00:00.000Z',
    jobCompletionDate: '1970-01-01T00:00:01.000Z',
    principalCreateDate: '1970-01-02T00:00:00.000Z',
    servicesLastAccessed: [
      { serviceName: 'Amazon S3', serviceNamespace: 's3', lastAuthenticated: '1970-01-01T00:00:05.000Z', lastAuthenticatedEntity: request.arn, totalAuthenticatedEntities: 1 },
    ],
  });
});

it('AccessDenied on the create-date read leaves principalCreateDate undefined and keeps the report', async () => {
  const { session, calls } = fakeSession({ inProgressPolls: 0, createDate: 'denied' });
  const report = await runReportJob(request, context(session, []));
  expect(calls).toContain('GetRole');
  expect(report.jobStatus).toBe('COMPLETED');
  expect('principalCreateDate' in report).toBe(false);
});

it('a wave-mate just seen IN_PROGRESS makes a fresh job skip a tick, never two in a row; the schedule still advances', async () => {
  const { session, calls } = fakeSession({ inProgressPolls: 2, createDate: 'ok' });
  const sleeps: number[] = [];
  const alwaysBusyWave = new PollWaves(1000);
  alwaysBusyWave.recordInProgress({}, Date.now()); // another job of the run, generated together, still running
  const report = await runReportJob(request, { ...context(session, sleeps), pollWaves: alwaysBusyWave });
  expect(report.jobStatus).toBe('COMPLETED');
  // ticks: skip, poll (IN_PROGRESS), skip, poll (IN_PROGRESS), skip, poll (COMPLETED)
  expect(calls.filter((c) => c === 'GetServiceLastAccessedDetails')).toHaveLength(3);
  expect(sleeps).toEqual([500, 750, 1125, 1688, 2531, 3797]);
});

it('a resumed job (no generation time of its own) never skips', async () => {
  const { session, calls } = fakeSession({ inProgressPolls: 1, createDate: 'ok' });
  const wave = new PollWaves(1000);
  wave.recordInProgress({}, Date.now());
  await runReportJob(request, { ...context(session, []), pollWaves: wave }, 'j'.repeat(36));
  expect(calls.filter((c) => c === 'GetServiceLastAccessedDetails')).toHaveLength(2);
});

it('always sends Granularity to IAM: the default ACTION_LEVEL when the request leaves it out (IAM\'s own default is SERVICE_LEVEL)', async () => {
  const sent: unknown[] = [];
  const { session } = fakeSession({ inProgressPolls: 0, createDate: 'ok' });
  const recording: IamSession = {
    ...session,
    send: <O>(operation: string, command?: unknown, ...rest: unknown[]) => {
      if (operation === 'GenerateServiceLastAccessedDetails') sent.push((command as { input: unknown }).input);
      return (session.send as (...args: unknown[]) => Promise<O>)(operation, command, ...rest);
    },
  };
  const withoutLevel = await runReportJob({ kind: 'service-last-accessed', arn: request.arn }, context(recording, []));
  const explicit = await runReportJob(request, context(recording, []));
  expect(sent).toEqual([
    { Arn: request.arn, Granularity: 'ACTION_LEVEL' },
    { Arn: request.arn, Granularity: 'SERVICE_LEVEL' },
  ]);
  const levelOf = (r: typeof withoutLevel) => (r.kind === 'service-last-accessed' ? r.granularity : undefined);
  expect([levelOf(withoutLevel), levelOf(explicit)]).toEqual(['ACTION_LEVEL', 'SERVICE_LEVEL']);
});

/** The one page of a finished job whose role was allowed S3 and never used it. */
function completedS3Page() {
  return {
    JobStatus: 'COMPLETED',
    JobCreationDate: new Date(0),
    JobCompletionDate: new Date(1000),
    ServicesLastAccessed: [{ ServiceName: 'Amazon S3', ServiceNamespace: 's3', TotalAuthenticatedEntities: 0 }],
    IsTruncated: false,
  };
}

it("a job's evidence ends when IAM's COMPLETED answer came in, not after the client read and parsed it", async () => {
  // A fake clock: each poll is admitted, answered 5 ms later, and its (large) body read and parsed 50 ms after that.
  let nowMs = 0;
  let gets = 0;
  const session: IamSession = {
    client: undefined as never,
    close: () => undefined,
    async send<O>(operation: string, _command: unknown, _signal: unknown, _request: unknown, { onAdmitted, onAnswered }: SendHooks = {}): Promise<O> {
      if (operation === 'GenerateServiceLastAccessedDetails') return { JobId: 'j'.repeat(36) } as O;
      gets++;
      onAdmitted?.();
      nowMs += 5;
      onAnswered?.();
      if (gets === 1) return { JobStatus: 'IN_PROGRESS', JobCreationDate: new Date(0) } as O;
      nowMs += 50;
      return completedS3Page() as O;
    },
  };
  const durations = new JobDurations();
  const ctx: JobContext = {
    ...context(session, []),
    createDates: undefined,
    now: () => nowMs,
    sleep: async (ms) => {
      nowMs += ms;
    },
    durations,
  };
  await runReportJob(request, ctx);
  // First poll admitted at 500 (the fixed schedule's first wait), answered IN_PROGRESS at 505; the second admitted at
  // 505 + 750 = 1255, answered at 1260, its body parsed by 1310: the job took more than 500 ms and at most 1260.
  expect(gets).toBe(2);
  expect(durations.doneBy(0)).toBe(1260);
});

describe('a COMPLETED body gives the run its evidence before it is parsed', () => {
  // The poll that finds the job done: admitted, answered 5 ms later, its body in and (per the session) named
  // COMPLETED, then parsed 50 ms later. `named`: what onBodyIn is told the body names.
  function parsingSession(named: string | undefined, atBodyIn: () => void, onWoke?: (woke: boolean) => void) {
    let nowMs = 0;
    let gets = 0;
    const session: IamSession = {
      client: undefined as never,
      close: () => undefined,
      async send<O>(operation: string, _c: unknown, _s: unknown, _r: unknown, { onAdmitted, onAnswered, onBodyIn }: SendHooks = {}): Promise<O> {
        if (operation === 'GenerateServiceLastAccessedDetails') return { JobId: 'j'.repeat(36) } as O;
        gets++;
        onAdmitted?.();
        nowMs += 5;
        onAnswered?.();
        if (gets === 1) {
          expect(onBodyIn?.('IN_PROGRESS')).toBe(false);
          return { JobStatus: 'IN_PROGRESS', JobCreationDate: new Date(0) } as O;
        }
        const woke = onBodyIn?.(named) ?? false;
        onWoke?.(woke);
        atBodyIn();
        nowMs += 50;
        return completedS3Page() as O;
      },
    };
    return { session, now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
  }

  it('records the duration and wakes the sleeping wave-mates when the body names COMPLETED, once', async () => {
    const durations = new JobDurations();
    const scouts = new WaveScouts();
    let atBodyIn: number | undefined;
    let wakeReported: boolean | undefined;
    let mateWoken = false;
    const fake = parsingSession(
      'COMPLETED',
      () => (atBodyIn = durations.doneBy(0)),
      (woke) => (wakeReported = woke),
    );
    // A wave-mate asleep on the fixed schedule: the evidence wakes it.
    const controller = new AbortController();
    const mate = scouts.sleep((_ms, signal) => new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')))), 10_000, controller.signal);
    void mate.then((woken) => (mateWoken = woken));
    await runReportJob(request, { ...context(fake.session, []), createDates: undefined, now: fake.now, sleep: async (ms) => void fake.advance(ms), durations, scouts });
    await mate;
    // At the body, before the 50 ms parse: (500, 1260], as after it (the answer time, not the parse's end).
    expect(atBodyIn).toBe(1260);
    expect(wakeReported).toBe(true);
    expect(mateWoken).toBe(true);
    expect(durations.size).toBe(1);
  });

  it('a body that names no status (or another) changes nothing until its page is read', async () => {
    for (const named of [undefined, 'FAILED']) {
      const durations = new JobDurations();
      let atBodyIn: number | undefined = -1;
      const fake = parsingSession(named, () => (atBodyIn = durations.doneBy(0)));
      await runReportJob(request, { ...context(fake.session, []), createDates: undefined, now: fake.now, sleep: async (ms) => void fake.advance(ms), durations, scouts: new WaveScouts() });
      expect(atBodyIn).toBeUndefined();
      // Recorded from the page read, with the same bound.
      expect(durations.doneBy(0)).toBe(1260);
      expect(durations.size).toBe(1);
    }
  });
});

// A job schedules the page reader's preload (setImmediate): let it run before Jest tears the module system down.
afterAll(() => new Promise<void>((resolve) => setImmediate(resolve)));

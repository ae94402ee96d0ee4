import { setMaxListeners } from 'node:events';
import { resolveSchedule, abortError } from '../../src/iam/backoff';
import type { AbortSignalLike } from '../../src/iam/abort-signal';
import type { IamSession, SendHooks } from '../../src/iam/client';
import { JobDurations } from '../../src/iam/job-durations';
import { ActiveJobs, POLL_GAP_FLOOR_MS } from '../../src/iam/poll-plan';
import { PollWaves } from '../../src/iam/poll-waves';
import { runReportJob, type JobContext } from '../../src/iam/report-job';
import { RoundTrips } from '../../src/iam/round-trips';
import { WaveScouts } from '../../src/iam/wave-scouts';
import { SOLO_POLL_AGES_MS } from '../../src/iam/engine';
import type { ReportRequest } from '../../src/model/report';

// Many jobs of one run at once on a virtual clock: every sleep and every request is an event on it, and the clock
// jumps from one event to the next once every promise that can run has run. No real timer decides anything.

export interface WaveJob {
  /** When its generate is sent (virtual ms from the start of the run). */
  readonly startAt: number;
  readonly durationMs: number;
}

export interface WaveJobResult {
  readonly endedAt: number;
  readonly readAt: number;
  readonly polls: number;
  /** Ages (since its generate was handled) at which IAM handled its polls. */
  readonly pollAges: number[];
}

export interface WaveRun {
  readonly jobs: WaveJobResult[];
  /** Every Get the run sent. */
  readonly polls: number;
  /** When the run ended (the last job read, or the abort). */
  readonly wallMs: number;
  /** Why the jobs that did not finish failed. */
  readonly errors: unknown[];
}

export interface WaveOptions {
  readonly oneWayMs?: number;
  /** The run's shared state as openEngine builds it; false: leave this part out. */
  readonly scouts?: boolean;
  readonly random?: () => number;
  /** Abort the run at this virtual time. */
  readonly abortAt?: number;
}

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

export async function runWave(jobs: readonly WaveJob[], options: WaveOptions = {}): Promise<WaveRun> {
  const oneWay = options.oneWayMs ?? 2;
  let t = 0;
  let seq = 0;
  const timers: Timer[] = [];
  const at = (when: number, fire: () => void): Timer => {
    const timer = { at: when, seq: seq++, fire };
    timers.push(timer);
    return timer;
  };
  const cancel = (timer: Timer): void => {
    const i = timers.indexOf(timer);
    if (i >= 0) timers.splice(i, 1);
  };
  const sleep = (ms: number, signal?: AbortSignalLike): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const onAbort = (): void => {
        cancel(timer);
        reject(abortError());
      };
      const timer = at(t + ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  const byArn = new Map<string, { startedAt: number; durationMs: number; polls: number; pollAges: number[]; readAt?: number }>();
  let polls = 0;
  const session: IamSession = {
    client: undefined as never,
    close: () => undefined,
    async send<O>(operation: string, command: { input: { Arn?: string; JobId?: string } }, _signal: unknown, request: unknown, { onAdmitted }: SendHooks = {}): Promise<O> {
      const arn = (request as { arn: string }).arn;
      const job = byArn.get(arn)!;
      if (operation !== 'GenerateServiceLastAccessedDetails') onAdmitted?.();
      await sleep(oneWay);
      if (operation === 'GenerateServiceLastAccessedDetails') {
        job.startedAt = t;
        await sleep(oneWay);
        return { JobId: `${arn.slice(-8)}`.padStart(36, 'j') } as O;
      }
      polls++;
      job.polls++;
      job.pollAges.push(t - job.startedAt);
      const done = t >= job.startedAt + job.durationMs;
      await sleep(oneWay);
      if (!done) return { JobStatus: 'IN_PROGRESS', JobCreationDate: new Date(0) } as O;
      job.readAt = t;
      return { JobStatus: 'COMPLETED', JobCreationDate: new Date(0), JobCompletionDate: new Date(1000), ServicesLastAccessed: [], IsTruncated: false } as O;
    },
  };
  const now = (): number => t;
  const schedule = resolveSchedule({});
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const ctx: JobContext = {
    session,
    schedule,
    sleep,
    random: options.random ?? (() => 0.5),
    timeoutMs: 600_000,
    signal: controller.signal,
    entityConcurrency: 1,
    now,
    pollWaves: new PollWaves(schedule.firstDelayMs / 2, now),
    durations: new JobDurations(),
    activeJobs: new ActiveJobs(),
    roundTrips: new RoundTrips(),
    pollGapFloorMs: POLL_GAP_FLOOR_MS,
    soloPollAgesMs: SOLO_POLL_AGES_MS,
    ...(options.scouts === false ? {} : { scouts: new WaveScouts() }),
  };
  if (options.abortAt !== undefined) at(options.abortAt, () => controller.abort());
  const settled: Promise<unknown>[] = jobs.map((job, i) => {
    const arn = `arn:aws:iam::123456789012:role/r${String(i).padStart(4, '0')}`;
    byArn.set(arn, { startedAt: Number.NaN, durationMs: job.durationMs, polls: 0, pollAges: [] });
    const request: ReportRequest = { kind: 'service-last-accessed', arn, granularity: 'SERVICE_LEVEL', withEntities: false };
    return new Promise<void>((resolve) => at(job.startAt, resolve)).then(() => runReportJob(request, ctx));
  });
  let finished = false;
  const all = Promise.allSettled(settled).then((r) => {
    finished = true;
    return r;
  });
  const drain = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  while (!finished) {
    await drain();
    if (finished) break;
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = timers.shift();
    if (!next) throw new Error('the run is stuck: nothing left to wait for');
    t = Math.max(t, next.at);
    next.fire();
  }
  const outcomes = await all;
  const errors = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
  if (errors.length > 0 && options.abortAt === undefined) throw errors[0];
  const results = [...byArn.values()].map((j) => ({ endedAt: j.startedAt + j.durationMs, readAt: j.readAt ?? Number.NaN, polls: j.polls, pollAges: j.pollAges }));
  return { jobs: results, polls, wallMs: t, errors };
}

/** `count` jobs of `durationMs`, their generates sent evenly over `spreadMs`. */
export function wave(count: number, durationMs: number, spreadMs: number): WaveJob[] {
  return Array.from({ length: count }, (_, i) => ({ startAt: count === 1 ? 0 : (i * spreadMs) / (count - 1), durationMs }));
}

import { resolveSchedule } from '../../src/iam/backoff';
import type { IamSession, SendHooks } from '../../src/iam/client';
import { runReportJob, type JobContext } from '../../src/iam/report-job';

// One IAM job behind a scripted session on a fake clock: no timer ever runs, every sleep and every request only
// moves the clock. Shared by the poll-schedule tests.

const request = { kind: 'service-last-accessed', arn: 'arn:aws:iam::123456789012:role/r', granularity: 'SERVICE_LEVEL', withEntities: false } as const;
export const ONE_WAY_MS = 10;

export interface Simulated {
  /** When the job ended (clock ms) and when the COMPLETED answer was back. */
  readonly endedAt: number;
  readonly readAt: number;
  readonly polls: number;
  /** Ages (since the generate answer) at which polls were sent. */
  readonly pollAges: number[];
}

export interface SimulatorOptions {
  /** A poll may first wait this long for the run's rate limit (poll: 0-based index within the job). */
  readonly queuedMs?: (poll: number) => number;
  /** Each way of every request on the wire, ms (default ONE_WAY_MS); a function: per poll (0-based), the generate at -1. */
  readonly oneWayMs?: number | ((poll: number) => number);
  /** What IAM answers once the job is done (default COMPLETED with one empty page). */
  readonly outcome?: 'COMPLETED' | 'FAILED';
  /** The fixed schedule's jitter draws (default 0.5). */
  readonly random?: () => number;
}

/**
 * Requests take `oneWayMs` each way; IAM starts the job when it handles the generate and a poll it handles at or after
 * the job's end sees it done. A poll may first wait `queuedMs(poll)` for the run's rate limit, as the session's gate
 * would make it, and says when it leaves for the wire.
 */
export function simulator(options: SimulatorOptions = {}) {
  const queuedMs = options.queuedMs ?? (() => 0);
  const latency = options.oneWayMs ?? ONE_WAY_MS;
  let t = 1_000_000;
  const now = (): number => t;
  let job: { startedAt: number; durationMs: number } | undefined;
  let current: { polls: number; pollAges: number[]; generatedAt: number; readAt?: number } | undefined;
  const session: IamSession = {
    client: undefined as never,
    close: () => undefined,
    async send<O>(operation: string, _command: unknown, _signal: unknown, _request: unknown, { onAdmitted }: SendHooks = {}): Promise<O> {
      const oneWay = typeof latency === 'number' ? latency : latency(operation === 'GenerateServiceLastAccessedDetails' ? -1 : current!.polls);
      if (operation !== 'GenerateServiceLastAccessedDetails') {
        t += queuedMs(current!.polls);
        onAdmitted?.();
      }
      t += oneWay;
      if (operation === 'GenerateServiceLastAccessedDetails') {
        job!.startedAt = t;
        t += oneWay;
        current!.generatedAt = t;
        return { JobId: 'j'.repeat(36) } as O;
      }
      current!.polls++;
      current!.pollAges.push(t - oneWay - current!.generatedAt);
      const done = t >= job!.startedAt + job!.durationMs;
      t += oneWay;
      if (!done) return { JobStatus: 'IN_PROGRESS', JobCreationDate: new Date(0) } as O;
      current!.readAt = t;
      if (options.outcome === 'FAILED') {
        return { JobStatus: 'FAILED', JobCreationDate: new Date(0), JobCompletionDate: new Date(1000), Error: { Code: 'x', Message: 'broken' } } as O;
      }
      return {
        JobStatus: 'COMPLETED',
        JobCreationDate: new Date(0),
        JobCompletionDate: new Date(1000),
        ServicesLastAccessed: [],
        IsTruncated: false,
      } as O;
    },
  };
  /** A job context on this clock; `extra` adds the run's shared state (durations, solo ages, active jobs, round trips). */
  const context = (extra: Partial<JobContext> = {}): JobContext => ({
    session,
    schedule: resolveSchedule({ jitter: 0 }),
    sleep: async (ms) => {
      t += ms;
    },
    random: options.random ?? (() => 0.5),
    timeoutMs: 600_000,
    entityConcurrency: 1,
    now,
    ...extra,
  });
  /** Runs one job of `durationMs` to the end with `ctx`. */
  async function run(ctx: JobContext, durationMs: number): Promise<Simulated> {
    job = { startedAt: 0, durationMs };
    current = { polls: 0, pollAges: [], generatedAt: 0 };
    await runReportJob(request, ctx);
    return { endedAt: job.startedAt + durationMs, readAt: current.readAt!, polls: current.polls, pollAges: current.pollAges };
  }
  return { context, run, now };
}

/** A deterministic uniform generator (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export const lateness = (s: Simulated): number => s.readAt - s.endedAt;
export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

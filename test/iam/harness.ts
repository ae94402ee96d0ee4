import { startEmulator } from '../../src/emulator';
import type { EmulatorOptions, RunningEmulator } from '../../src/emulator/types';
import type { ProgressEvent, ReportOptions } from '../../src';
import type { ReportRequest } from '../../src';
import { CREDENTIALS, MGMT, testWorld } from './world';

/** Fast polling for tests: short jobs need short waits; nothing here asserts on time. */
export const FAST_SCHEDULE = { firstDelayMs: 10, maxDelayMs: 40, limitExceededDelayMs: 20, jitter: 0.5 };

export async function startTestEmulator(extra: Partial<EmulatorOptions> = {}, bigPolicyUsers = 0): Promise<RunningEmulator> {
  return startEmulator({ world: testWorld({ bigPolicyUsers }), port: 0, seed: 11, jobs: { durationMs: 30 }, ...extra });
}

export function options(emu: RunningEmulator, extra: Partial<ReportOptions> = {}): ReportOptions {
  return {
    endpoint: emu.endpoint,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    requestsPerSecond: 1000,
    concurrency: 16,
    pollSchedule: FAST_SCHEDULE,
    ...extra,
  };
}

/** Records progress and counts polls/pages per job as the engine reports them. */
export class ProgressLog {
  readonly events: ProgressEvent[] = [];
  readonly listener = (e: ProgressEvent): void => {
    this.events.push(e);
  };
  /** Get calls made while waiting: the last `waiting` poll count + the poll that saw the job finished. */
  polls(jobId?: string): number {
    const waits = this.events.filter((e) => e.phase === 'waiting' && (!jobId || e.jobId === jobId));
    return Math.max(0, ...waits.map((e) => e.polls ?? 0)) + 1;
  }
  pages(jobId?: string): number {
    return Math.max(0, ...this.events.filter((e) => e.phase === 'paging' && (!jobId || e.jobId === jobId)).map((e) => e.pages ?? 0));
  }
  phases(): string[] {
    return this.events.map((e) => e.phase);
  }
}

/** The n-th user of `testWorld({ bigPolicyUsers })` (bulk users in the management account). */
export const bulk = (i: number): string => `arn:aws:iam::${MGMT}:user/bulk-${String(i).padStart(4, '0')}`;
export const service = (arn: string): ReportRequest => ({ kind: 'service-last-accessed', arn });

/** The per-principal Get calls (creation dates read one by one) the emulator has answered since its metrics reset. */
export function principalGets(emu: RunningEmulator): number {
  const c = emu.metrics().calls;
  return (c.GetUser ?? 0) + (c.GetRole ?? 0) + (c.GetGroup ?? 0) + (c.GetPolicy ?? 0);
}

import { pollDelay, type PollScheduleOptions } from './backoff';
import { DURATION_TOLERANCE, type JobDurations } from './job-durations';
import type { RoundTrips } from './round-trips';

/**
 * When the next poll of one job goes. Three schedules, chosen per job:
 *  - learned: finished jobs of the run show how long a job takes (JobDurations), so the job is polled when it should
 *    end, for at most MAX_PLANNED_POLLS polls;
 *  - solo: a fresh job that is alone in its run (no other job of the run in flight since its polling started) and
 *    has no such evidence is polled so that IAM's answers come back at the solo ages (dense around the second most
 *    IAM jobs take): each poll leaves one recent round trip before its age. A lone job shares its rate with nobody,
 *    and the user waits for this one job. Once another job of the run is in flight it goes on at the fixed ages;
 *  - fixed (backoff.ts): every other job, so that a run of many jobs without evidence yet costs what it always did.
 * A job planned from evidence that is still running falls back to the solo ages (a lone job) or the fixed ages
 * (one of many) from its current age, never from their first poll again. No two polls of a job leave closer than
 * the floor. Polls are only timing: what their answers are worth is decided elsewhere.
 */
export const MAX_PLANNED_POLLS = 3;
/** Default floor between two polls of one job, ms (unscaled). */
export const POLL_GAP_FLOOR_MS = 20;

/** The jobs of one run in flight; a job alone in its run when its polling starts gets the solo schedule. */
export class ActiveJobs {
  private running = 0;
  get count(): number {
    return this.running;
  }
  start(): void {
    this.running++;
  }
  end(): void {
    this.running = Math.max(0, this.running - 1);
  }
}

export interface PollPlanContext {
  readonly schedule: PollScheduleOptions;
  readonly random: () => number;
  readonly durations?: JobDurations;
  /** Ages (ms since generate) at which a lone job's answers should be back; undefined: no solo schedule. */
  readonly soloPollAgesMs?: readonly number[];
  /** Jobs of the run in flight; undefined: a job with solo ages is taken to be alone. */
  readonly activeJobs?: ActiveJobs;
  readonly roundTrips?: RoundTrips;
  /** No two polls of a job leave closer than this, ms (default POLL_GAP_FLOOR_MS). */
  readonly pollGapFloorMs?: number;
}

export class PollPlan {
  /** Polls of this job the run's evidence planned. */
  private planned = 0;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  /** The last solo age a poll of this job was aimed at: each age gets one poll at most. */
  private lastSoloAge = Number.NEGATIVE_INFINITY;
  /**
   * Alone in its run, with solo ages to poll at: decided when its polling starts, and lost for good as soon as another
   * job of the run is in flight (a provider read that the plan's other reads join a moment later), so the run's
   * polls are never denser than one job's.
   */
  private alone: boolean;
  /** Was alone once: its polls so far were not the fixed schedule's, which then goes on from its age. */
  private wasAlone: boolean;

  /** @param fresh a job this run generated (ages count from its generate answer); false: a resumed job. */
  constructor(
    private readonly ctx: PollPlanContext,
    private readonly fresh: boolean,
  ) {
    this.alone = fresh && ctx.soloPollAgesMs !== undefined && this.othersInFlight() === false;
    this.wasAlone = this.alone;
  }

  /** On the solo ages now. */
  get solo(): boolean {
    return this.alone;
  }

  private othersInFlight(): boolean {
    return (this.ctx.activeJobs?.count ?? 1) > 1;
  }

  /**
   * The wait before poll number `tick` (0-based, skipped ticks included), at job age `ageMs`; `seenRunningAt`: the
   * age at which the job (or a wave-mate) was last seen running, 0 before that.
   */
  delay(tick: number, ageMs: number, seenRunningAt: number): number {
    if (!this.fresh) return tick === 0 ? 0 : pollDelay(tick, this.ctx.schedule, this.ctx.random);
    const plannedAge =
      this.planned < MAX_PLANNED_POLLS ? this.ctx.durations?.nextPollAge(seenRunningAt, MAX_PLANNED_POLLS - this.planned) : undefined;
    if (this.alone && this.othersInFlight()) this.alone = false;
    let sendAt: number;
    if (plannedAge !== undefined) {
      this.planned++;
      sendAt = plannedAge;
    } else if (this.alone) {
      sendAt = this.soloSendAge(ageMs);
    } else if (this.planned > 0 || this.wasAlone) {
      sendAt = ageMs + fixedScheduleDelayAt(ageMs, this.ctx);
    } else {
      return pollDelay(tick, this.ctx.schedule, this.ctx.random);
    }
    sendAt = Math.max(sendAt, this.lastSentAt + (this.ctx.pollGapFloorMs ?? POLL_GAP_FLOOR_MS));
    return Math.max(0, Math.ceil(sendAt - ageMs));
  }

  /** A poll of this job left for IAM at `ageMs`. */
  sent(ageMs: number): void {
    this.lastSentAt = ageMs;
  }

  /**
   * When to send so that the answer is back at the first solo age still ahead (one recent round trip before it); at
   * once when that age is nearer than a round trip (the soonest answer there can be); past the last, the fixed ages.
   * Each age is aimed at by one poll at most (an answer back sooner than aimed, over a trip quicker than any before,
   * does not bring a second poll for the same age), so a job costs no more polls than there are ages below its end.
   */
  private soloSendAge(ageMs: number): number {
    const next = this.ctx.soloPollAgesMs!.find((a) => a > ageMs && a > this.lastSoloAge);
    if (next === undefined) return ageMs + fixedScheduleDelayAt(ageMs, this.ctx);
    this.lastSoloAge = next;
    return Math.max(ageMs, next - (this.ctx.roundTrips?.shortest() ?? 0));
  }
}

/**
 * The wait until the fixed schedule's first poll past `ageMs`, jittered: each scheduled age owns the last `jitter`
 * share of the interval before it, and the poll lands in it. A poll that landed in an age's share stands for that
 * age, so the next one goes to a later age's share (never twice before one age), at least a few percent later.
 */
export function fixedScheduleDelayAt(ageMs: number, ctx: Pick<PollPlanContext, 'schedule' | 'random'>): number {
  const jitter = Math.min(1, Math.max(0, ctx.schedule.jitter));
  let previous = 0;
  let scheduled = 0;
  for (let k = 0; scheduled - jitter * (scheduled - previous) <= ageMs * (1 + DURATION_TOLERANCE); k++) {
    previous = scheduled;
    scheduled += pollDelay(k, ctx.schedule, () => 1);
  }
  return Math.ceil(scheduled - jitter * (1 - ctx.random()) * (scheduled - previous) - ageMs);
}

import { pollDelay, type PollScheduleOptions } from './backoff';
import { DURATION_TOLERANCE, QUEUED_EVIDENCE_LIMIT, type JobDurations } from './job-durations';
import type { RoundTrips } from './round-trips';
import type { WaveScouts } from './wave-scouts';

/**
 * When the next poll of one job goes. Three schedules, chosen per job:
 *  - learned: finished jobs of the run show how long a job takes (JobDurations), so the job is polled when it should
 *    end, for at most MAX_PLANNED_POLLS polls;
 *  - solo: a fresh job that is alone in its run (no other job of the run in flight since its polling started) and
 *    has no such evidence is polled so that IAM's answers come back at the solo ages (dense around the second most
 *    IAM jobs take): each poll leaves one recent round trip before its age. A lone job shares its rate with nobody,
 *    and the user waits for this one job. Once another job of the run is in flight it goes on at the fixed ages;
 *  - scout: in a run of several jobs with no evidence yet, one job (WaveScouts) polls at the solo ages for the whole
 *    wave, and its wave-mates sleeping on the fixed ages are woken and re-planned from the evidence its end gives;
 *  - fixed (backoff.ts): every other job, so that a run of many jobs without evidence yet costs about what it always did.
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
  /** The run's scout role and its wake-up (undefined: no scout, a wave waits at the fixed ages). */
  readonly scouts?: WaveScouts;
}

/** Where the last wait came from: only a fixed-schedule wait is cut short when the run gains evidence. */
type WaitKind = 'planned' | 'solo' | 'fixed';

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
  /** Holds the run's scout role (WaveScouts): on the solo ages for its wave while the run has no evidence. */
  private scouting = false;
  private lastWait: WaitKind = 'fixed';
  /** Was woken once and probed (or chose not to): never again. */
  private probed = false;

  /** @param fresh a job this run generated (ages count from its generate answer); false: a resumed job. */
  constructor(
    private readonly ctx: PollPlanContext,
    private readonly fresh: boolean,
  ) {
    this.alone = fresh && ctx.soloPollAgesMs !== undefined && this.othersInFlight() === false;
    this.wasAlone = this.alone;
    this.tryScouting();
  }

  /** On the solo ages now (alone in its run, or its scout). */
  get solo(): boolean {
    return this.alone || this.scouting;
  }

  /** Holds the run's scout role. */
  get scout(): boolean {
    return this.scouting;
  }

  /** The last wait came from the fixed schedule: evidence the run gains meanwhile may bring the poll forward. */
  get wakeable(): boolean {
    return this.fresh && !this.probed && this.lastWait === 'fixed' && this.ctx.durations !== undefined;
  }

  /** Takes the run's free scout role when the run has no evidence yet (a fresh job with solo ages only). */
  private tryScouting(): void {
    const { scouts, durations, soloPollAgesMs } = this.ctx;
    if (this.scouting || !this.fresh || !scouts || !durations || soloPollAgesMs === undefined || durations.size > 0) return;
    if (!scouts.claim(this)) return;
    this.scouting = true;
    this.wasAlone = true; // its polls are not the fixed schedule's: that goes on from its age if it steps down
  }

  private stopScouting(): void {
    if (!this.scouting) return;
    this.scouting = false;
    this.ctx.scouts?.release(this);
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
    // The run's evidence now plans every job: no scout needed. A free role (the scout's job failed) is taken over.
    if (this.scouting && (this.ctx.durations?.size ?? 0) > 0) this.stopScouting();
    if (plannedAge === undefined) this.tryScouting();
    let sendAt: number;
    if (plannedAge !== undefined) {
      this.planned++;
      this.lastWait = 'planned';
      sendAt = plannedAge;
    } else if (this.alone || this.scouting) {
      this.lastWait = 'solo';
      sendAt = this.soloSendAge(ageMs);
    } else if (this.planned > 0 || this.wasAlone) {
      this.lastWait = 'fixed';
      sendAt = ageMs + fixedScheduleDelayAt(ageMs, this.ctx);
    } else {
      this.lastWait = 'fixed';
      return pollDelay(tick, this.ctx.schedule, this.ctx.random);
    }
    return this.waitUntil(sendAt, ageMs);
  }

  private waitUntil(sendAt: number, ageMs: number): number {
    const floored = Math.max(sendAt, this.lastSentAt + (this.ctx.pollGapFloorMs ?? POLL_GAP_FLOOR_MS));
    return Math.max(0, Math.ceil(floored - ageMs));
  }

  /**
   * Woken at `ageMs` from a fixed-schedule wait that was to end at `wakeAtMs`, because the run gained evidence: the
   * wait until one probe poll at the age by which that evidence says the job is done (JobDurations.doneBy: its
   * wave-mates' end, not the middle of their interval), when that comes before `wakeAtMs`; else undefined (the wait
   * goes on to its end). One probe per job, never counted as a planned poll: a probe that finds the job running, or
   * that a wave-mate's IN_PROGRESS makes premature, leaves the plan as it was (the caller polls again at `wakeAtMs`).
   */
  probe(ageMs: number, seenRunningAt: number, wakeAtMs: number): number | undefined {
    if (!this.fresh || this.probed) return undefined;
    const doneAt = this.ctx.durations?.doneBy(seenRunningAt);
    if (doneAt === undefined) return undefined;
    const wait = this.waitUntil(doneAt, ageMs);
    if (ageMs + wait >= wakeAtMs) return undefined;
    this.probed = true;
    return wait;
  }

  /** The wait back to the plan's poll at `atMs` after a probe (never closer to the probe than the floor). */
  resume(atMs: number, ageMs: number): number {
    this.lastWait = 'planned'; // not woken twice
    return this.waitUntil(atMs, ageMs);
  }

  /** A poll of this job left for IAM at `ageMs`. */
  sent(ageMs: number): void {
    this.lastSentAt = ageMs;
  }

  /**
   * A poll of this job was answered at `ageMs` after waiting `queuedMs` in the run's gate. A scout whose poll waited
   * longer than its evidence may steps down and ends scouting for the run: its requests queue.
   */
  answered(queuedMs: number, ageMs: number): void {
    if (!this.scouting || queuedMs <= QUEUED_EVIDENCE_LIMIT * ageMs) return;
    this.scouting = false;
    this.ctx.scouts?.stepDown(this);
  }

  /** The job's polling ended (any way): its scout role is free. */
  finished(): void {
    this.stopScouting();
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

import type { SleepFunction } from './backoff';

/**
 * A run's first wave: many jobs generated within a moment, and no finished job yet to show how long one takes. Each
 * polling at the fixed ages would be read up to a fixed-schedule interval after it ends; each polling at the solo
 * ages would multiply the run's calls. So one job of the run, the scout, polls at the solo ages (dense around the
 * second most jobs take) while its wave-mates keep the fixed schedule; their fixed polls mostly give way to the
 * scout's recent IN_PROGRESS (PollWaves). When a finished job gives the run its evidence (JobDurations), every job
 * sleeping on the fixed schedule is woken and re-planned from that evidence at once: wave-mates generated in the same
 * moment are probably done too, and are read now (paced by the run's gate) instead of at their next fixed age.
 *
 * One scout at a time. The role goes to the first fresh job that asks while the run has no evidence, and is free again
 * when its job ends without giving evidence (failed, aborted). A scout whose poll waited in the run's gate longer than
 * its evidence may (QUEUED_EVIDENCE_LIMIT) steps down and ends scouting for the run: where requests queue, a dense
 * schedule only adds to the queue, and the answer it waits for would not count as evidence anyway. Only timing: what
 * an answer is worth is decided elsewhere.
 *
 * Later evidence wakes the sleepers too: the wave's slower jobs, seen running at the first evidence, are read soon
 * after the next wave-mates like them end, instead of a fixed-schedule interval later.
 */
export class WaveScouts {
  private scout: object | undefined;
  private stopped = false;
  private evidence = false;
  private readonly sleepers = new Set<() => void>();

  /** No job scouts from now on, and no wait is cut short (the run has evidence, or its requests queue). */
  get ended(): boolean {
    return this.stopped || this.evidence;
  }

  /** Gives `job` the scout role when nobody holds it and scouting has not ended; true when `job` holds it. */
  claim(job: object): boolean {
    if (this.stopped || this.evidence) return false;
    this.scout ??= job;
    return this.scout === job;
  }

  /** `job` no longer scouts (its job ended); the role is free for the next job that asks. */
  release(job: object): void {
    if (this.scout === job) this.scout = undefined;
  }

  /** `job` steps down because the run's requests queue: nobody scouts in this run any more. */
  stepDown(job: object): void {
    this.release(job);
    this.stopped = true;
  }

  /**
   * Sleeps `ms` with `sleep`, or less when the run gains evidence meanwhile (wake). Resolves true when woken, false
   * when the time ran out; rejects as `sleep` does when `signal` aborts.
   */
  async sleep(sleep: SleepFunction, ms: number, signal: AbortSignal): Promise<boolean> {
    if (this.stopped || signal.aborted) return sleep(ms, signal).then(() => false);
    const waking = new AbortController();
    let woken = false;
    const wake = (): void => {
      woken = true;
      waking.abort();
    };
    const onAbort = (): void => waking.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.sleepers.add(wake);
    try {
      await sleep(ms, waking.signal);
      return false;
    } catch (err) {
      if (woken && !signal.aborted) return true;
      throw err;
    } finally {
      this.sleepers.delete(wake);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * The run has new evidence: scouting is over (the evidence plans every job from now on), and every job sleeping
   * through `sleep` wakes now to re-plan from it (PollPlan.replan only ever brings a poll forward, at most
   * MAX_PLANNED_POLLS times per job). Not once the scout stepped down: a run whose requests queue goes on as it would
   * without scouts, each job seeing new evidence at its next poll. True when it woke a job.
   */
  wake(): boolean {
    if (this.stopped) return false;
    this.evidence = true;
    this.scout = undefined;
    const sleepers = [...this.sleepers];
    this.sleepers.clear();
    for (const wake of sleepers) wake();
    return sleepers.length > 0;
  }
}

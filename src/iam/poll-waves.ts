/**
 * Jobs of one run that were generated close together tend to finish close together. When one of them has just been
 * seen still IN_PROGRESS, polling a wave-mate right now would almost surely find it IN_PROGRESS too, and spend a
 * request of the run's rate budget on nothing: the wave-mate skips that poll and waits for its next one. A job never
 * skips twice in a row, so a slow wave-mate delays a fast job's result by one poll interval at most; jobs resumed by
 * id have no generation time and are never skipped.
 */
export class PollWaves {
  private readonly seen = new Map<object, { generatedAt: number; inProgressAt: number }>();

  /**
   * @param windowMs jobs generated within this much of each other form a wave, and an IN_PROGRESS seen this
   *   recently still counts (the engine uses half the first poll delay: wider than the first polls' jitter).
   */
  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when a wave-mate of `job` (not `job` itself) was seen IN_PROGRESS within the window. */
  shouldSkip(job: object, generatedAt: number): boolean {
    const now = this.now();
    for (const [other, s] of this.seen) {
      if (other === job) continue;
      if (now - s.inProgressAt > this.windowMs) {
        if (now - s.inProgressAt > 10 * this.windowMs) this.seen.delete(other);
        continue;
      }
      if (Math.abs(s.generatedAt - generatedAt) <= this.windowMs) return true;
    }
    return false;
  }

  recordInProgress(job: object, generatedAt: number): void {
    this.seen.set(job, { generatedAt, inProgressAt: this.now() });
  }

  forget(job: object): void {
    this.seen.delete(job);
  }
}

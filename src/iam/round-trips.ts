/**
 * How long the run's recent polls took from leaving the client to their answer: a schedule that names when an
 * answer should be back (the solo schedule) sends its poll that much earlier. The shortest recent round trip is the
 * one to aim with: a poll whose trip is slower than that arrives a little later than aimed, never before the job
 * could be seen done, so a slow outlier costs lateness, not an extra poll. Only timing: no answer is judged by it.
 */
export const ROUND_TRIPS_KEPT = 16;

export class RoundTrips {
  private readonly recent: number[] = [];

  constructor(private readonly kept = ROUND_TRIPS_KEPT) {}

  /** One poll's round trip, ms; ignored when it is not a real duration (clock steps). */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.recent.push(ms);
    if (this.recent.length > this.kept) this.recent.shift();
  }

  /** The shortest recent round trip, or 0 before any poll came back (no aim). */
  shortest(): number {
    return this.recent.length === 0 ? 0 : Math.min(...this.recent);
  }
}

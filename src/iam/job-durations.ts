/**
 * What the finished jobs of one run revealed about how long a job takes, turned into when to poll the next one.
 *
 * A job that completed tells us its duration lies in (lower, upper]: `lower` is its age when its last IN_PROGRESS
 * poll was sent (IAM saw that poll later, so the job was still running at that age), `upper` its age when the
 * COMPLETED answer came back (IAM answered before that, so the job was done by then); 0 when it was never seen
 * running. Ages count from the moment the generate answer arrived.
 *
 * For a job last seen running at age `seen` (0: not polled yet) only the finished jobs that could have been as slow
 * count (upper > seen). When all their intervals overlap (jobs of one length) their intersection [lo, hi] holds the
 * length, and the next poll goes to `hi` when that interval is already narrow (within `tolerance` of hi: a job is then
 * read within a few percent of its end, at one poll), else to its middle, which halves it for the jobs after this
 * one. So with jobs of one length the first few jobs of a run pay about one early poll each (as the fixed schedule
 * does), and the rest are read just after they end at one poll each. When the intervals do not overlap (lengths
 * that differ), the polls the caller still allows split the finished jobs' ends into equal shares: with three, the
 * first poll goes where a third of them were done, the next where two thirds were, the last where all were. Every next poll
 * is at least `tolerance` later than the last, so a job slower than all evidence cannot make it poll in a burst.
 * With no finished job as slow, it returns undefined and the fixed schedule (backoff.ts) decides.
 */
export interface JobDurationBounds {
  readonly lowerMs: number;
  readonly upperMs: number;
}

export const DURATION_TOLERANCE = 0.03;
/**
 * A COMPLETED poll that waited in the run's gate longer than this share of the job's age is no evidence. A short
 * wait for a slot (a few requests in flight) moves the upper bound by less than the fixed schedule's own lateness
 * (its polls grow 1.5× apart), so that evidence still beats the fixed schedule; a run bound by the account's
 * throttle makes every request wait for seconds, several times a job's length.
 */
export const QUEUED_EVIDENCE_LIMIT = 0.25;
/**
 * Recent jobs kept: the run's jobs may get slower or faster as it goes (IAM's load). Slower shows at once (a poll at
 * the expected end finds the job running); faster does not (a job read at its first poll says only that it was done
 * by then), so a run whose jobs got faster is followed once the older evidence has aged out.
 */
export const DURATIONS_KEPT = 32;

export class JobDurations {
  private readonly bounds: JobDurationBounds[] = [];

  constructor(
    private readonly tolerance = DURATION_TOLERANCE,
    private readonly kept = DURATIONS_KEPT,
  ) {}

  get size(): number {
    return this.bounds.length;
  }

  /** A finished job's bounds; ignored when they are not a real interval (clock steps, a resumed job). True: kept. */
  record(lowerMs: number, upperMs: number): boolean {
    if (!Number.isFinite(lowerMs) || !Number.isFinite(upperMs) || lowerMs < 0 || upperMs <= lowerMs) return false;
    this.bounds.push({ lowerMs, upperMs });
    if (this.bounds.length > this.kept) this.bounds.shift();
    return true;
  }

  /**
   * The age (ms since generate) at which to poll a job last seen running at `seenMs`, or undefined (no evidence).
   * `pollsLeft`: how many more planned polls the caller allows this job (≥ 1); lengths that differ are split into
   * that many equal shares of the evidence, the last poll going where every job as slow was done.
   */
  nextPollAge(seenMs: number, pollsLeft = 1): number | undefined {
    const asSlow = this.bounds.filter((b) => b.upperMs > seenMs);
    if (asSlow.length === 0) return undefined;
    const lowers = asSlow.map((b) => Math.max(b.lowerMs, seenMs));
    const uppers = asSlow.map((b) => b.upperMs).sort((a, b) => a - b);
    // Jobs of one length: every interval holds it, so their intersection does, and it narrows with each job.
    const lo = Math.max(...lowers);
    const hi = uppers[0]!;
    let target: number;
    if (lo < hi) target = hi - lo <= this.tolerance * hi ? hi : (lo + hi) / 2;
    else target = uppers[Math.ceil(uppers.length / Math.max(1, pollsLeft)) - 1]!; // lengths that differ
    return Math.max(target, seenMs * (1 + this.tolerance));
  }

  /**
   * The age by which a job last seen running at `seenMs` should be done if it is like the finished jobs as slow: for
   * jobs of one length (their intervals overlap) the soonest end any of them showed, else the latest. Undefined: no
   * finished job as slow. For a wave-mate of the jobs that showed it, when one poll should find the job done; it
   * does not narrow the interval for the jobs after it, as nextPollAge does.
   */
  doneBy(seenMs: number): number | undefined {
    const asSlow = this.bounds.filter((b) => b.upperMs > seenMs);
    if (asSlow.length === 0) return undefined;
    const lo = Math.max(...asSlow.map((b) => Math.max(b.lowerMs, seenMs)));
    const uppers = asSlow.map((b) => b.upperMs);
    const target = lo < Math.min(...uppers) ? Math.min(...uppers) : Math.max(...uppers);
    return Math.max(target, seenMs * (1 + this.tolerance));
  }
}

/**
 * An adaptive client-side rate: a token bucket whose refill rate starts at the ceiling and follows IAM's answers,
 * the way congestion control does. IAM throttles per account and does not publish the budget; the account also
 * serves Terraform, CI and people, so the free share changes. Starting at the ceiling costs nothing when there is
 * room; a Throttling answer shows where the room ends:
 *   - cut: the rate drops to `decrease` × min(current rate, rate actually sent over the last second), never below
 *     `floor`, and the bucket is emptied (IAM's own bucket just ran dry). One cut per reaction: throttles of
 *     requests sent before the last cut are echoes of the same overload and do not cut again. The very first cut is
 *     smaller (`firstDecrease`): it finds the edge, the next ones back off from it;
 *   - recover: while calls succeed the rate grows back along a cubic curve (RFC 8312 style): fast while far below
 *     the rate that was throttled, flat near it, then probing above it — never past the ceiling.
 * The bucket holds `burst` tokens at the ceiling (scaled with the current rate), so a run's first requests go at once.
 * Time comes from `now` (ms), so all of this is testable with a fake clock.
 */

export interface AdaptiveRateOptions {
  /** Requests per second never exceeded (the user's `requestsPerSecond`). */
  readonly ceiling: number;
  /** Tokens the bucket holds at the ceiling (default: one second's worth, at least 1). */
  readonly burst?: number;
  /** Lowest rate a cut can reach (default 1 per second, or the ceiling if lower). */
  readonly floor?: number;
  /** Multiplicative cut on throttling, 0 < decrease < 1 (default 0.7, the CUBIC β the AWS SDK adaptive mode uses too). */
  readonly decrease?: number;
  /**
   * The cut on the first throttling answer of the limiter's life, decrease ≤ firstDecrease < 1 (default 0.9). Until
   * then the rate is the ceiling, a guess; the first throttle shows that IAM's edge is there or below. Sent right at
   * IAM's rate (a run whose ceiling is the account's budget), one throttle comes from the requests' jitter once both
   * buckets are empty, and a small cut leaves IAM's bucket the few tokens that absorb it; a full cut there cost about
   * a quarter of a second of the budget. Sent well above IAM's rate, the throttles go on after the small cut and the
   * next ones cut by `decrease` as usual, one throttled request later.
   */
  readonly firstDecrease?: number;
  /** Steepness of the cubic recovery in requests/s per s³ (default 0.4). */
  readonly recoveryScale?: number;
  readonly now?: () => number;
}

const WINDOW_MS = 1000;
const EPSILON = 1e-9;

export class AdaptiveRate {
  readonly ceiling: number;
  private readonly burst: number;
  private readonly floor: number;
  private readonly decrease: number;
  private readonly firstDecrease: number;
  private readonly scale: number;
  private readonly now: () => number;
  private rate: number;
  private tokens: number;
  private updatedAt: number;
  private generation = 0;
  private cut?: { at: number; from: number; decrease: number };
  private readonly sent: number[] = [];
  private cuts = 0;

  constructor(options: AdaptiveRateOptions) {
    if (!(options.ceiling > 0)) throw new RangeError(`ceiling must be > 0, got ${options.ceiling}`);
    this.ceiling = options.ceiling;
    this.burst = Math.max(1, Math.floor(options.burst ?? options.ceiling));
    this.floor = Math.min(options.floor ?? 1, options.ceiling);
    this.decrease = options.decrease ?? 0.7;
    if (!(this.decrease > 0 && this.decrease < 1)) throw new RangeError(`decrease must be in (0, 1), got ${this.decrease}`);
    this.firstDecrease = options.firstDecrease ?? Math.max(this.decrease, 0.9);
    if (!(this.firstDecrease >= this.decrease && this.firstDecrease < 1)) {
      throw new RangeError(`firstDecrease must be in [decrease, 1), got ${this.firstDecrease}`);
    }
    this.scale = options.recoveryScale ?? 0.4;
    this.now = options.now ?? Date.now;
    this.rate = this.ceiling;
    this.tokens = this.capacity();
    this.updatedAt = this.now();
  }

  /** The current allowed rate, requests per second. */
  get currentRate(): number {
    return this.rate;
  }

  /** Cuts so far (for stats and tests). */
  get cutCount(): number {
    return this.cuts;
  }

  /** Milliseconds until a token is available; 0 means take() may be called now. */
  waitMs(): number {
    this.refill();
    if (this.tokens >= 1 - EPSILON) return 0;
    return Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000));
  }

  /** Takes a token (call only when waitMs() is 0); returns the generation to hand back with the outcome. */
  take(): number {
    this.refill();
    this.tokens -= 1;
    const t = this.now();
    this.sent.push(t);
    this.prune(t);
    return this.generation;
  }

  /** IAM throttled a request taken in `generation`; true when this cut the rate. */
  onThrottle(generation: number): boolean {
    if (generation !== this.generation) return false;
    this.refill();
    const t = this.now();
    this.prune(t);
    const sentRate = this.sent.length / (WINDOW_MS / 1000);
    const from = Math.min(this.rate, Math.max(sentRate, this.floor));
    const decrease = this.cuts === 0 ? this.firstDecrease : this.decrease;
    this.cut = { at: t, from, decrease };
    this.rate = Math.max(this.floor, from * decrease);
    this.tokens = Math.min(this.tokens, 0);
    this.generation++;
    this.cuts++;
    return true;
  }

  /** A request was answered without throttling: let the rate grow back. */
  onSuccess(): void {
    if (!this.cut || this.rate >= this.ceiling) return;
    this.refill();
    const t = (this.now() - this.cut.at) / 1000;
    const { from, decrease } = this.cut;
    const k = Math.cbrt((from * (1 - decrease)) / this.scale);
    const cubic = from + this.scale * Math.pow(t - k, 3);
    this.rate = Math.min(this.ceiling, Math.max(this.rate, cubic));
  }

  private capacity(): number {
    return Math.max(1, (this.burst * this.rate) / this.ceiling);
  }

  private refill(): void {
    const t = this.now();
    const elapsed = Math.max(0, t - this.updatedAt);
    this.updatedAt = t;
    this.tokens = Math.min(this.capacity(), this.tokens + (elapsed * this.rate) / 1000);
  }

  private prune(t: number): void {
    while (this.sent.length > 0 && this.sent[0]! <= t - WINDOW_MS) this.sent.shift();
  }
}

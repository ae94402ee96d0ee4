/** One token bucket per account: `burst` tokens, refilled at `requestsPerSecond`. */
export class AccountThrottle {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();

  constructor(private readonly monotonicMs: () => number) {}

  /** Takes a token for the account; false when the bucket is empty (the request is throttled). */
  take(account: string, settings: { requestsPerSecond: number; burst: number }): boolean {
    const now = this.monotonicMs();
    const bucket = this.buckets.get(account) ?? { tokens: settings.burst, updatedMs: now };
    bucket.tokens = Math.min(settings.burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * settings.requestsPerSecond);
    bucket.updatedMs = now;
    this.buckets.set(account, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  reset(): void {
    this.buckets.clear();
  }
}

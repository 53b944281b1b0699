/**
 * Pacing requests to Google's quota instead of hammering and backing off (BRIEF §7: Calendar
 * allows 600 requests per minute per user). A token bucket refills at the quota's rate, minus
 * headroom; when Google still answers 403 rate-limit / 429 / 5xx, retries back off
 * exponentially with full jitter and honour Retry-After ("Handle API errors", Calendar guides).
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly perMs: number;

  constructor(
    readonly options: { ratePerMinute: number; burst: number; clock?: Clock },
    private readonly clock: Clock = options.clock ?? realClock,
  ) {
    if (!(options.ratePerMinute > 0) || !(options.burst >= 1)) throw new Error('A token bucket needs a positive rate and a burst of at least 1.');
    this.perMs = options.ratePerMinute / 60_000;
    this.tokens = options.burst;
    this.last = this.clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.options.burst, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
  }

  /** Waits until `n` requests may be sent, then takes them (n ≤ burst). */
  async take(n = 1): Promise<void> {
    if (n > this.options.burst) throw new Error(`Cannot take ${n} tokens from a bucket of ${this.options.burst}.`);
    for (;;) {
      this.refill();
      if (this.tokens >= n) {
        this.tokens -= n;
        return;
      }
      await this.clock.sleep(Math.ceil((n - this.tokens) / this.perMs));
    }
  }
}

/** Whether a Google answer is worth retrying later (quota, rate limit, server trouble). */
export function isRetryable(status: number, reason?: string | null): boolean {
  if (status === 429 || status >= 500) return true;
  return status === 403 && (reason === 'rateLimitExceeded' || reason === 'userRateLimitExceeded');
}

/** Delay before retry number `attempt` (0-based): full jitter, at least what Retry-After asks. */
export function backoffDelay(attempt: number, options: { baseMs?: number; maxMs?: number; retryAfter?: string | null; random?: () => number; now?: number } = {}): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 32_000;
  const cap = Math.min(max, base * 2 ** attempt);
  const jittered = Math.floor((options.random ?? Math.random)() * cap);
  return Math.max(jittered, retryAfterMs(options.retryAfter ?? null, options.now ?? Date.now()));
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3); 0 when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number {
  if (!value) return 0;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : 0;
}

/**
 * Pacing requests to Google's quota instead of hammering and backing off (BRIEF §7: Calendar
 * allows 600 requests per minute per user). A sliding-window limiter keeps under the quota,
 * minus headroom; when Google still answers 403 rate-limit / 429 / 5xx, retries back off
 * exponentially with full jitter and honour Retry-After ("Handle API errors", Calendar guides).
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; may reject early once `signal` aborts (sleepUnless makes sure of it). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError(signal!));
      };
      // The timer goes with the abort: a cancelled run leaves no minute-long timer keeping the process up.
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** What an aborted wait throws: the signal's reason (the sync's "cancelled" error) when it is an Error. */
export function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new Error('The wait was aborted.');
}

/**
 * Sleeps on `clock`, but ends as soon as `signal` aborts (rejecting with abortError), whether or
 * not the clock itself listens to the signal (test clocks may not).
 */
export async function sleepUnless(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return clock.sleep(ms);
  if (signal.aborted) throw abortError(signal);
  let onAbort: (() => void) | null = null;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([clock.sleep(ms, signal), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
    aborted.catch(() => undefined);
  }
}

/**
 * Google counts requests per user per minute (Calendar: 600). This limiter mirrors that: at most
 * `limit` units in any trailing `windowMs`. Unlike a smooth token bucket it lets a large push
 * use a whole minute's quota at once, then waits exactly until the window lets more through —
 * which is what keeps a 1,000-event push close to the floor the quota sets (bench/agenda.ts).
 */
export class SlidingWindowLimiter {
  private readonly sent: { at: number; n: number }[] = [];
  private used = 0;
  private readonly windowMs: number;
  private readonly clock: Clock;

  constructor(readonly options: { limit: number; windowMs?: number; clock?: Clock }) {
    if (!(options.limit >= 1)) throw new Error('A rate limiter needs a limit of at least 1.');
    this.windowMs = options.windowMs ?? 60_000;
    this.clock = options.clock ?? realClock;
  }

  private expire(now: number): void {
    while (this.sent.length > 0 && this.sent[0]!.at <= now - this.windowMs) this.used -= this.sent.shift()!.n;
  }

  /**
   * Waits until `n` more requests fit in the window, then records them as sent now. An abort of
   * `signal` ends the wait at once (rejecting with abortError) and records nothing: a cancelled
   * sync stops while it waits for a quota slot, not a minute later.
   */
  async take(n = 1, signal?: AbortSignal): Promise<void> {
    if (n > this.options.limit) throw new Error(`Cannot send ${n} requests at once under a limit of ${this.options.limit}.`);
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const now = this.clock.now();
      this.expire(now);
      if (this.used + n <= this.options.limit) {
        this.sent.push({ at: now, n });
        this.used += n;
        return;
      }
      // Sleep until the oldest sends that must leave the window have left it.
      let excess = this.used + n - this.options.limit;
      let until = now + 1;
      for (const s of this.sent) {
        excess -= s.n;
        if (excess <= 0) {
          until = s.at + this.windowMs + 1;
          break;
        }
      }
      await sleepUnless(this.clock, Math.max(1, until - now), signal);
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

import { describe, expect, it } from 'vitest';
import { TokenBucket, backoffDelay, isRetryable, retryAfterMs, type Clock } from '../../electron/core/sync/pacer';

function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return { slept, now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)) };
}

describe('pacing', () => {
  it('lets a burst through, then spaces requests at the quota rate', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerMinute: 600, burst: 10, clock });
    for (let i = 0; i < 10; i++) await bucket.take();
    expect(clock.now()).toBe(0);
    for (let i = 0; i < 50; i++) await bucket.take();
    // 50 more at 10 per second take 5 seconds of the (fake) clock.
    expect(clock.now()).toBe(5000);
    await bucket.take(5);
    expect(clock.now()).toBe(5500);
  });

  it('backs off exponentially with jitter, never sooner than Retry-After', () => {
    expect(backoffDelay(0, { random: () => 0.999 })).toBe(499);
    expect(backoffDelay(3, { random: () => 0.5 })).toBe(2000);
    expect(backoffDelay(20, { random: () => 0.999 })).toBe(31_968);
    expect(backoffDelay(0, { random: () => 0, retryAfter: '7' })).toBe(7000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(retryAfterMs('soon', 0)).toBe(0);
  });

  it('retries quota and server errors only', () => {
    expect(isRetryable(429)).toBe(true);
    expect(isRetryable(503)).toBe(true);
    expect(isRetryable(403, 'rateLimitExceeded')).toBe(true);
    expect(isRetryable(403, 'userRateLimitExceeded')).toBe(true);
    expect(isRetryable(403, 'forbidden')).toBe(false);
    expect(isRetryable(412)).toBe(false);
    expect(isRetryable(404)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter, backoffDelay, isRetryable, retryAfterMs, type Clock } from '../../electron/core/sync/pacer';

function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return { slept, now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)) };
}

describe('pacing', () => {
  it('lets a minute\'s quota through at once, then waits exactly until the window allows more', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter({ limit: 570, clock });
    for (let i = 0; i < 5; i++) await limiter.take(100);
    expect(clock.now()).toBe(0);
    await limiter.take(70); // 570 in the window: still at once
    expect(clock.now()).toBe(0);
    await clock.sleep(10_000);
    await limiter.take(100); // must wait until the first 100 leave the window (sent at 0)
    expect(clock.now()).toBe(60_001);
    // 470 + 100 = 570 in the window again; one more waits for the next expiry.
    await limiter.take(1);
    expect(clock.now()).toBe(60_001);
    await limiter.take(100);
    expect(clock.now()).toBe(60_001);
    await expect(limiter.take(571)).rejects.toThrowError(/under a limit of 570/);
  });

  it('never lets more than the limit into any window', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter({ limit: 50, windowMs: 1000, clock });
    const sends: number[] = [];
    for (let i = 0; i < 400; i++) {
      await limiter.take(1 + (i % 7));
      for (let k = 0; k < 1 + (i % 7); k++) sends.push(clock.now());
      if (i % 13 === 0) await clock.sleep(37);
    }
    for (const t of sends) expect(sends.filter((s) => s > t - 1000 && s <= t).length).toBeLessThanOrEqual(50);
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

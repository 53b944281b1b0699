/**
 * The agenda sync's access to one user's Google Calendar: the official client for reads and
 * single calls, the hand-written batch for writes, every request paced by a sliding window under
 * the per-user quota (BRIEF §7: 600/min) and retried with backoff on 403 rate-limit, 429, 5xx
 * and dropped connections ("Handle API errors", Calendar guides). Counts every request sent.
 */
import type { calendar_v3 } from '@googleapis/calendar';
import { CrmError } from '../../../../shared/errors';
import type { CoreServices } from '../../context';
import type { Db } from '../../db/database';
import type { GoogleApis } from '../../google/client';
import { MESSAGES } from '../../google/test';
import { openUserApis } from '../../google/userApis';
import { sendBatch, type BatchAnswer, type BatchCall } from '../batch';
import { backoffDelay, isRetryable, realClock, sleepUnless, SlidingWindowLimiter, type Clock } from '../pacer';
import { isNetworkError, reasonOf, retryAfterOf, statusOf } from '../retry';

/** Parts per batch request: small enough to retry cheaply, large enough to save round trips. */
export const BATCH_SIZE = 100;
const MAX_ATTEMPTS = 6;

const buckets = new WeakMap<CoreServices, Map<number, SlidingWindowLimiter>>();

/** Google's Calendar quota is 600 requests per minute per user; 5% is left to the user's phone and web. */
export const CALENDAR_REQUESTS_PER_MINUTE = 570;

export interface GoogleAccessOptions {
  clock?: Clock;
  /** First backoff delay (ms); tests shorten it. */
  baseDelayMs?: number;
  signal?: AbortSignal;
  /**
   * Called once, when the first request (a token refresh, a listing, a batch) is on its way: work
   * of the caller's that needs no answer (the sync opens its log run here) then fills the wait for
   * it instead of delaying the request. See sent().
   */
  onFirstRequestSent?: () => void;
}

function partReason(a: BatchAnswer): string | null {
  return (a.body as { error?: { errors?: { reason?: string }[] } } | null)?.error?.errors?.[0]?.reason ?? null;
}

/** The user's Calendar pacer in this process (made on first use, with that caller's clock): every run of the user shares it. */
export function calendarPacer(services: CoreServices, userId: number, clock: Clock = realClock): SlidingWindowLimiter {
  let perUser = buckets.get(services);
  if (!perUser) buckets.set(services, (perUser = new Map()));
  let bucket = perUser.get(userId);
  if (!bucket) perUser.set(userId, (bucket = new SlidingWindowLimiter({ limit: CALENDAR_REQUESTS_PER_MINUTE, clock })));
  return bucket;
}

export class CalendarAccess {
  requests = 0;
  private readonly clock: Clock;
  private readonly bucket: SlidingWindowLimiter;
  private firstSent: (() => void) | null;

  private constructor(
    readonly apis: GoogleApis,
    private readonly batchUrl: string,
    private readonly rememberToken: () => void,
    services: CoreServices,
    userId: number,
    private readonly options: GoogleAccessOptions,
  ) {
    this.clock = options.clock ?? realClock;
    this.bucket = calendarPacer(services, userId, this.clock);
    this.firstSent = options.onFirstRequestSent ?? null;
  }

  /**
   * Runs onFirstRequestSent after the first request was asked for. Asking is not sending: the
   * clients reach the socket through their own promise chains (auth headers, the token refresh
   * when due, the HTTP client's dispatch), so the hook waits for a turn of the event loop — by then they
   * have run and the request is written (the same reason as in the engine's list()). The hook runs
   * between two callbacks, never inside a transaction: the sync's own never span an await.
   */
  private sent(): void {
    const hook = this.firstSent;
    if (!hook) return;
    this.firstSent = null;
    setImmediate(hook);
  }

  /** The user's connection; a clear CrmError when it is missing. */
  static async open(db: Db, services: CoreServices, userId: number, options: GoogleAccessOptions = {}): Promise<CalendarAccess> {
    const { apis, cfg, keepToken } = await openUserApis(db, services, userId);
    const root = cfg.endpoints.apiRoot ?? 'https://www.googleapis.com/';
    return new CalendarAccess(apis, `${root}batch/calendar/v3`, keepToken, services, userId, options);
  }

  get cal(): calendar_v3.Calendar {
    return this.apis.cal;
  }

  /** Remembers the access token for the next run of this process. */
  keepToken(): void {
    this.rememberToken();
  }

  /** A wait (quota slot, backoff) the run's signal ends at once: Cancel does not wait for the slot. */
  private async waitUnlessCancelled(wait: Promise<void>): Promise<void> {
    try {
      await wait;
    } catch (error) {
      if (this.options.signal?.aborted) throw new CrmError('CONFLICT', 'The sync was cancelled.');
      throw error;
    }
  }

  private slot(n: number): Promise<void> {
    return this.waitUnlessCancelled(this.bucket.take(n, this.options.signal));
  }

  private async pause(attempt: number, retryAfter: string | null): Promise<void> {
    if (this.options.signal?.aborted) throw new CrmError('CONFLICT', 'The sync was cancelled.');
    const ms = backoffDelay(attempt, { baseMs: this.options.baseDelayMs ?? 500, retryAfter, now: this.clock.now() });
    await this.waitUnlessCancelled(sleepUnless(this.clock, ms, this.options.signal));
  }

  /** One API call through the official client, paced and retried. */
  async call<T>(fn: () => Promise<{ data: T }>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.options.signal?.aborted) throw new CrmError('CONFLICT', 'The sync was cancelled.');
      await this.slot(1);
      this.requests++;
      try {
        const answer = fn();
        this.sent();
        return (await answer).data;
      } catch (error) {
        const status = statusOf(error);
        const retry = status === null ? isNetworkError(error) : isRetryable(status, reasonOf(error));
        if (!retry || attempt + 1 >= MAX_ATTEMPTS) throw error;
        await this.pause(attempt, retryAfterOf(error));
      }
    }
  }

  /**
   * Sends calls in batches of BATCH_SIZE; parts answered 429/5xx/403 rate-limit (or a whole
   * batch that failed that way) are sent again after a backoff. Returns one answer per call.
   */
  async batch(calls: readonly BatchCall[], onProgress?: (done: number) => void): Promise<Map<string, BatchAnswer>> {
    const out = new Map<string, BatchAnswer>();
    let todo = [...calls];
    for (let attempt = 0; todo.length > 0; attempt++) {
      const again: BatchCall[] = [];
      let lastRetryAfter: string | null = null;
      for (let i = 0; i < todo.length; i += BATCH_SIZE) {
        if (this.options.signal?.aborted) throw new CrmError('CONFLICT', 'The sync was cancelled.');
        const chunk = todo.slice(i, i + BATCH_SIZE);
        await this.slot(chunk.length);
        this.requests += chunk.length;
        let answers: BatchAnswer[];
        try {
          const token = (await this.apis.auth.getAccessToken()).token;
          if (!token) throw new CrmError('CONFLICT', MESSAGES.notConnected);
          const answer = sendBatch({ url: this.batchUrl, accessToken: token, calls: chunk, signal: this.options.signal });
          this.sent();
          answers = await answer;
        } catch (error) {
          const status = statusOf(error);
          if (status === 401) this.apis.auth.credentials = { refresh_token: this.apis.auth.credentials.refresh_token };
          // A whole batch refused with 403 rateLimitExceeded is retried too (its reason is on the error).
          const retry = status === null ? isNetworkError(error) : status === 401 || isRetryable(status, (error as { reason?: string | null }).reason ?? null);
          if (!retry || attempt + 1 >= MAX_ATTEMPTS) throw error;
          lastRetryAfter = retryAfterOf(error);
          again.push(...chunk);
          continue;
        }
        // sendBatch answers each call once, in the calls' order: matched by index, searched only if
        // not (a search per answer was ~5,000 comparisons per 100-call batch, after the answer came).
        for (let k = 0; k < answers.length; k++) {
          const a = answers[k]!;
          const call = chunk[k]!.id === a.id ? chunk[k]! : chunk.find((c) => c.id === a.id)!;
          if ((a.status === 0 || isRetryable(a.status, partReason(a))) && attempt + 1 < MAX_ATTEMPTS) {
            again.push(call);
            lastRetryAfter = a.headers['retry-after'] ?? lastRetryAfter;
          } else out.set(a.id, a);
        }
        onProgress?.(out.size);
      }
      if (again.length > 0) await this.pause(attempt, lastRetryAfter);
      todo = again;
    }
    return out;
  }
}


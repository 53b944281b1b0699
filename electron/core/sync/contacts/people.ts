/**
 * The contacts sync's access to one user's Google Contacts: the official People client
 * (@googleapis/people), every request paced under the per-user quota and retried with backoff
 * on 429 / 403 rate limit / 5xx / dropped connections, honouring Retry-After ("Handle API
 * errors"). People counts reads and writes apart (Cloud console defaults, the emulator's too:
 * "Critical read requests" and "Critical write requests", 90 per minute per user each), so each
 * has its own sliding window. Counts every request sent.
 *
 * Writes that are not idempotent (creations) are never retried blindly: after a dropped
 * connection or a 5xx, Google may have created the contacts already, so the failure is handed
 * back as `unknownOutcome` and the engine looks for them by their CRM id before creating again.
 */
import type { people_v1 } from '@googleapis/people';
import { CrmError } from '../../../../shared/errors';
import type { CoreServices } from '../../context';
import type { Db } from '../../db/database';
import type { GoogleApis } from '../../google/client';
import { openUserApis } from '../../google/userApis';
import { backoffDelay, isRetryable, realClock, sleepUnless, SlidingWindowLimiter, type Clock } from '../pacer';
import { isNetworkError, reasonOf, retryAfterOf, statusOf } from '../retry';

const MAX_ATTEMPTS = 6;

/** What the sync allows itself per minute and per user: Google's 90, less 5% for other work of the app (a Reset, a second window). */
export const PEOPLE_QUOTA = { readsPerMinute: 85, writesPerMinute: 85 } as const;
export interface PeopleQuota {
  readsPerMinute: number;
  writesPerMinute: number;
}

export interface PeopleAccessOptions {
  clock?: Clock;
  /** First backoff delay (ms); tests shorten it. */
  baseDelayMs?: number;
  signal?: AbortSignal;
  quota?: PeopleQuota;
}

/** A write Google may or may not have applied (connection dropped, 5xx): the caller must check. */
export class UnknownOutcome extends Error {
  constructor(override readonly cause: unknown) {
    super('Google did not answer whether the change was made.');
    this.name = 'UnknownOutcome';
  }
}

const windows = new WeakMap<CoreServices, Map<string, SlidingWindowLimiter>>();

function limiter(services: CoreServices, key: string, limit: number, clock: Clock): SlidingWindowLimiter {
  let m = windows.get(services);
  if (!m) windows.set(services, (m = new Map()));
  const k = `${key}:${limit}`;
  let l = m.get(k);
  if (!l) m.set(k, (l = new SlidingWindowLimiter({ limit, clock })));
  return l;
}

export const cancelled = () => new CrmError('CONFLICT', 'The sync was cancelled.');

export class PeopleAccess {
  requests = 0;
  private readonly clock: Clock;
  private readonly reads: SlidingWindowLimiter;
  private readonly writes: SlidingWindowLimiter;

  private constructor(
    private readonly apis: GoogleApis,
    private readonly rememberToken: () => void,
    services: CoreServices,
    userId: number,
    private readonly options: PeopleAccessOptions,
  ) {
    this.clock = options.clock ?? realClock;
    const quota = options.quota ?? PEOPLE_QUOTA;
    this.reads = limiter(services, `${userId}:read`, quota.readsPerMinute, this.clock);
    this.writes = limiter(services, `${userId}:write`, quota.writesPerMinute, this.clock);
  }

  /** The user's connection; a clear CrmError when it is missing. */
  static async open(db: Db, services: CoreServices, userId: number, options: PeopleAccessOptions = {}): Promise<PeopleAccess> {
    const { apis, keepToken } = await openUserApis(db, services, userId);
    return new PeopleAccess(apis, keepToken, services, userId, options);
  }

  get ppl(): people_v1.People {
    return this.apis.ppl;
  }

  /** Remembers the access token for the next run of this process. */
  keepToken(): void {
    this.rememberToken();
  }

  checkCancelled(): void {
    if (this.options.signal?.aborted) throw cancelled();
  }

  /** A wait (quota slot, backoff) the run's signal ends at once: a cancelled run does not wait for the slot. */
  private async waitUnlessCancelled(wait: Promise<void>): Promise<void> {
    try {
      await wait;
    } catch (error) {
      this.checkCancelled();
      throw error;
    }
  }

  private async pause(attempt: number, retryAfter: string | null): Promise<void> {
    this.checkCancelled();
    const ms = backoffDelay(attempt, { baseMs: this.options.baseDelayMs ?? 500, retryAfter, now: this.clock.now() });
    await this.waitUnlessCancelled(sleepUnless(this.clock, ms, this.options.signal));
  }

  /** A read (connections.list, get, getBatchGet): paced and retried. */
  read<T>(fn: () => Promise<{ data: T }>): Promise<T> {
    return this.send(this.reads, fn, true);
  }

  /**
   * A write. `idempotent` (updates guarded by the etag, deletions, photos): retried like a read.
   * Otherwise only answers that say nothing was done (429, 403 rate limit) are retried; a
   * dropped connection or a 5xx throws UnknownOutcome.
   */
  write<T>(fn: () => Promise<{ data: T }>, idempotent: boolean): Promise<T> {
    return this.send(this.writes, fn, idempotent);
  }

  private async send<T>(window: SlidingWindowLimiter, fn: () => Promise<{ data: T }>, idempotent: boolean): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      this.checkCancelled();
      await this.waitUnlessCancelled(window.take(1, this.options.signal));
      this.requests++;
      try {
        return (await fn()).data;
      } catch (error) {
        const status = statusOf(error);
        const network = status === null && isNetworkError(error);
        const retryable = network || (status !== null && isRetryable(status, reasonOf(error)));
        if (!retryable) throw error;
        // 429 and 403 rate limits are refusals: nothing was done. The rest may have been applied.
        const refused = status === 429 || status === 403;
        if (!idempotent && !refused) throw new UnknownOutcome(error);
        if (attempt + 1 >= MAX_ATTEMPTS) throw error;
        await this.pause(attempt, retryAfterOf(error));
      }
    }
  }
}

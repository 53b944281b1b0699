/**
 * The emulator's runtime: state, emulated clock, statistics, quotas and injected faults.
 */
import { ApiError } from './errors';
import { emptyState } from './state';
import type { State } from './state';

export type ApiName = 'calendar' | 'people' | 'oauth' | 'batch' | 'admin' | 'other';

export interface EmuRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface EmuResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  /** The JSON value `body` was written from (json()): the front selects `fields` from it without parsing `body` again. */
  value?: unknown;
  /** `body` is still to be written from `value` (jsonDeferred): the front does it, after `fields`. */
  deferred?: boolean;
  /** Destroy the socket instead of answering (fault injection). */
  drop?: boolean;
}

export interface EmulatorOptions {
  latencyMs: number;
  /** Per-user per-minute limit for every API; overrides the per-API defaults when set. */
  quotaPerMinute: number | undefined;
  projectQuotaPerMinute: number | undefined;
  autoConsent: boolean;
  maxContactsPerAccount: number;
  now: (() => number) | undefined;
}

export type FaultType = 'error' | 'drop' | 'slow';

export interface Fault {
  id: number;
  type: FaultType;
  status: number;
  retryAfterSeconds: number | null;
  delayMs: number;
  /** Remaining requests to hit, or null for a rate-based fault. */
  remaining: number | null;
  rate: number | null;
  api: 'calendar' | 'people' | 'oauth' | 'batch' | 'api' | 'any';
  email: string | null;
  /** Reason of a 403 error fault. */
  reason: 'rateLimitExceeded' | 'accessNotConfigured';
}

interface Counter {
  total: number;
  byStatus: Record<string, number>;
  byRoute: Record<string, Record<string, number>>;
  /** Milliseconds spent serving top-level API requests (after the added latency, until the answer is written): what benchmarks count as Google's own time. */
  serviceMs: number;
}

const newCounter = (): Counter => ({ total: 0, byStatus: {}, byRoute: {}, serviceMs: 0 });

/**
 * Default quotas.
 * Calendar: "Manage quotas" (Calendar API guides): 600 queries per minute per user and
 * 10,000 per minute per project.
 * People: the Cloud console's People API defaults, "Critical read requests (Contact and Profile
 * Reads) per minute per user" 90 and "Critical write requests (Contact Creates and Updates) per
 * minute per user" 90; per project we use 3,000 reads/writes per minute. All are configurable.
 */
export const DEFAULT_QUOTAS = {
  calendar: { user: 600, project: 10_000 },
  peopleRead: { user: 90, project: 3_000 },
  peopleWrite: { user: 90, project: 3_000 },
} as const;

export type QuotaBucket = keyof typeof DEFAULT_QUOTAS;

export class Emulator {
  state: State = emptyState();
  readonly opts: EmulatorOptions;
  faults: Fault[] = [];
  private faultSeq = 0;
  private stats: Counter & { byAccount: Record<string, Counter> } = { ...newCounter(), byAccount: {} };
  private windows = new Map<string, number[]>();
  onChange: () => void = () => {};

  constructor(opts: EmulatorOptions) {
    this.opts = opts;
  }

  /** Emulated clock: the real (or injected) time plus an offset advanced by tests. */
  now(): number {
    return (this.opts.now ? this.opts.now() : Date.now()) + this.state.clockOffsetMs;
  }

  advance(ms: number): void {
    this.state.clockOffsetMs += ms;
    this.changed();
  }

  nextSeq(): number {
    this.state.seq += 1;
    return this.state.seq;
  }

  nextOrder(): number {
    this.state.order += 1;
    return this.state.order;
  }

  changed(): void {
    this.onChange();
  }

  reset(): void {
    this.state = emptyState();
    this.faults = [];
    this.windows.clear();
    this.stats = { ...newCounter(), byAccount: {} };
    this.changed();
  }

  record(method: string, route: string, status: number, email: string | null): void {
    const key = `${method} ${route}`;
    const add = (c: Counter): void => {
      c.total += 1;
      c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
      const r = (c.byRoute[key] ??= {});
      r[status] = (r[status] ?? 0) + 1;
    };
    add(this.stats);
    if (email) add((this.stats.byAccount[email] ??= newCounter()));
  }

  /** Adds the service time of one top-level API request (see Counter.serviceMs). */
  recordService(email: string | null, ms: number): void {
    this.stats.serviceMs += ms;
    if (email) (this.stats.byAccount[email] ??= newCounter()).serviceMs += ms;
  }

  getStats(): unknown {
    return JSON.parse(JSON.stringify(this.stats));
  }

  addFault(f: Omit<Fault, 'id'>): Fault {
    const fault = { ...f, id: ++this.faultSeq };
    this.faults.push(fault);
    return fault;
  }

  /** The fault to apply to a request of `api` for `email`, consuming it if counted. */
  takeFault(api: ApiName, email: string | null): Fault | null {
    for (const f of this.faults) {
      const apiOk =
        f.api === 'any' ||
        f.api === api ||
        (f.api === 'api' && (api === 'calendar' || api === 'people' || api === 'batch'));
      if (!apiOk) continue;
      if (f.email && f.email !== email) continue;
      if (f.remaining !== null) {
        if (f.remaining <= 0) continue;
        f.remaining -= 1;
        this.faults = this.faults.filter((x) => x.remaining === null || x.remaining > 0);
        return f;
      }
      if (f.rate !== null && Math.random() < f.rate) return f;
    }
    return null;
  }

  private quotaLimit(bucket: QuotaBucket, scope: 'user' | 'project'): number {
    if (scope === 'user' && this.opts.quotaPerMinute !== undefined) return this.opts.quotaPerMinute;
    if (scope === 'project' && this.opts.projectQuotaPerMinute !== undefined) return this.opts.projectQuotaPerMinute;
    return DEFAULT_QUOTAS[bucket][scope];
  }

  /**
   * Sliding one-minute windows per user and per project (client id). Throws Google's answer when
   * over: Calendar "Handle API errors": 403 `userRateLimitExceeded` / 403 `rateLimitExceeded`
   * (domain usageLimits); People (One Platform): 429 RESOURCE_EXHAUSTED.
   */
  chargeQuota(bucket: QuotaBucket, email: string, clientId: string): void {
    const now = this.now();
    const check = (key: string, limit: number): boolean => {
      let w = this.windows.get(key);
      if (!w) this.windows.set(key, (w = []));
      while (w.length > 0 && (w[0] as number) <= now - 60_000) w.shift();
      if (w.length >= limit) return false;
      return true;
    };
    const userKey = `${bucket}|u|${email}`;
    const projectKey = `${bucket}|p|${clientId}`;
    const userOk = check(userKey, this.quotaLimit(bucket, 'user'));
    const projectOk = check(projectKey, this.quotaLimit(bucket, 'project'));
    if (!userOk || !projectOk) {
      if (bucket === 'calendar') {
        throw !userOk
          ? new ApiError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', { domain: 'usageLimits' })
          : new ApiError(403, 'rateLimitExceeded', 'Rate Limit Exceeded', { domain: 'usageLimits' });
      }
      throw new ApiError(429, 'rateLimitExceeded', `Quota exceeded for quota metric '${bucket === 'peopleRead' ? 'Critical read requests (Contact and Profile Reads)' : 'Critical write requests (Contact Creates and Updates)'}' and limit '${!userOk ? 'per minute per user' : 'per minute'}' of service 'people.googleapis.com'.`, {
        status: 'RESOURCE_EXHAUSTED',
        domain: 'usageLimits',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED', domain: 'googleapis.com' }],
      });
    }
    this.windows.get(userKey)?.push(now);
    this.windows.get(projectKey)?.push(now);
  }
}

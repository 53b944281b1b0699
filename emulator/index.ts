/**
 * In-process API of the emulator, for tests, the app's demo mode and benchmarks.
 *
 *   const emu = await startEmulator({ port: 0 });
 *   await emu.registerClient({ clientId: 'id', clientSecret: 'secret', publishing: 'testing' });
 *   await emu.createAccount({ email: 'ada@example.com', calendars: ['Work'], testUser: true });
 *   // point googleapis at emu.url + '/'
 *   await emu.close();
 */
import type { Server } from 'node:http';
import { adminRoutes } from './admin';
import { batchRoutes } from './batch';
import { calendarRoutes } from './calendar';
import { Emulator } from './context';
import { oauthRoutes } from './oauth';
import { peopleRoutes } from './people';
import { Persister } from './persist';
import { Dispatcher, createHttpServer, listen } from './server';

export { DEFAULT_QUOTAS } from './context';
export { EVENT_COLORS, CALENDAR_COLORS } from './calendar';
export { SCOPES } from './oauth';

export interface StartOptions {
  /** 0 (default): any free port. Always bound to 127.0.0.1. */
  port?: number;
  /** Persist state in DIR/state.json and reload it on start. */
  dataDir?: string;
  /** Delay added to every non-admin request. */
  latencyMs?: number;
  /** Per-user per-minute limit for every API (defaults: Calendar 600, People 90 reads / 90 writes). */
  quotaPerMinute?: number;
  /** Per-project (client id) per-minute limit for every API (defaults: Calendar 10,000, People 3,000). */
  projectQuotaPerMinute?: number;
  /** Approve the consent page at once for the account in `login_hint`. */
  autoConsent?: boolean;
  /** Contacts per account before createContact fails (Google: about 25,000). */
  maxContactsPerAccount?: number;
  /** Base clock (ms since epoch); the emulated clock is this plus what `clock.advance` added. */
  now?: () => number;
}

export interface ClientInput {
  clientId: string;
  clientSecret: string;
  publishing?: 'testing' | 'production';
}

export interface AccountInput {
  email: string;
  name?: string;
  calendars?: string[];
  testUser?: boolean;
  timeZone?: string;
}

export interface AccountView {
  email: string;
  name: string;
  testUser: boolean;
  calendars: { id: string; summary: string; primary: boolean; timeZone: string }[];
}

export interface FaultInput {
  type: 'error' | 'drop' | 'slow' | 'invalidateSyncTokens' | 'expireRefreshTokens';
  status?: 500 | 503 | 429 | 403;
  retryAfterSeconds?: number;
  delayMs?: number;
  count?: number;
  rate?: number;
  api?: 'calendar' | 'people' | 'oauth' | 'batch' | 'api' | 'any';
  email?: string;
  /** For status 403: 'rateLimitExceeded' (default) or 'accessNotConfigured' (API not enabled). */
  reason?: 'rateLimitExceeded' | 'accessNotConfigured';
}

export interface TokenSet {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
  token_type: 'Bearer';
}

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
  clock: { advance(ms: number): void; now(): number };
  registerClient(c: ClientInput): Promise<unknown>;
  createAccount(a: AccountInput): Promise<AccountView>;
  seedEvents(email: string, events: unknown[], calendar?: { calendarId?: string; calendar?: string }): Promise<{ calendarId: string; events: Record<string, unknown>[] }>;
  seedContacts(email: string, contacts: unknown[]): Promise<{ contacts: Record<string, unknown>[] }>;
  mintTokens(t: { clientId: string; email: string; scopes: string[] }): Promise<TokenSet>;
  reset(): Promise<void>;
  stats(): Promise<Stats>;
  fault(f: FaultInput): Promise<unknown>;
  clearFaults(): Promise<void>;
  inspect(): Promise<{ accounts: number; events: number; contacts: number; problems: string[] } & Record<string, unknown>>;
  /** The runtime itself, for white-box tests. */
  emulator: Emulator;
}

export interface Counter {
  total: number;
  byStatus: Record<string, number>;
  byRoute: Record<string, Record<string, number>>;
  /** Milliseconds spent serving top-level API requests, latency excluded. */
  serviceMs: number;
}
export type Stats = Counter & { byAccount: Record<string, Counter> };

async function admin<T>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}/__emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`emulator ${method} /__emulator/${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export async function startEmulator(opts: StartOptions = {}): Promise<RunningEmulator> {
  const emu = new Emulator({
    latencyMs: opts.latencyMs ?? 0,
    quotaPerMinute: opts.quotaPerMinute,
    projectQuotaPerMinute: opts.projectQuotaPerMinute,
    autoConsent: opts.autoConsent ?? false,
    maxContactsPerAccount: opts.maxContactsPerAccount ?? 25_000,
    now: opts.now,
  });
  let persister: Persister | null = null;
  if (opts.dataDir) {
    persister = new Persister(opts.dataDir, () => emu.state);
    const loaded = persister.load();
    if (loaded) emu.state = loaded;
    const p = persister;
    emu.onChange = () => p.schedule();
  }
  const dispatcher = new Dispatcher(emu, [...adminRoutes, ...oauthRoutes, ...calendarRoutes, ...peopleRoutes, ...batchRoutes]);
  const server: Server = createHttpServer(emu, dispatcher);
  const port = await listen(server, opts.port ?? 0);
  const url = `http://127.0.0.1:${port}`;
  let closed = false;
  return {
    ...adminClient(url),
    port,
    emulator: emu,
    clock: { advance: (ms) => emu.advance(ms), now: () => emu.now() },
    async close() {
      if (closed) return;
      closed = true;
      persister?.flush();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The admin API of an emulator at `url` (in this process or another): everything but the runtime and its clock. */
export function adminClient(url: string): Omit<RunningEmulator, 'port' | 'close' | 'clock' | 'emulator'> {
  return {
    url,
    registerClient: (c) => admin(url, 'POST', 'clients', c),
    createAccount: (a) => admin(url, 'POST', 'accounts', a),
    seedEvents: (email, events, cal) => admin(url, 'POST', `accounts/${encodeURIComponent(email)}/events`, { ...cal, events }),
    seedContacts: (email, contacts) => admin(url, 'POST', `accounts/${encodeURIComponent(email)}/contacts`, { contacts }),
    mintTokens: (t) => admin(url, 'POST', 'tokens', t),
    reset: async () => void (await admin(url, 'POST', 'reset', {})),
    stats: () => admin(url, 'GET', 'stats'),
    fault: (f) => admin(url, 'POST', 'faults', f),
    clearFaults: async () => void (await admin(url, 'DELETE', 'faults')),
    inspect: () => admin(url, 'GET', 'state'),
  };
}

/**
 * Admin routes, only under `/__emulator/`: clients, accounts, seeds, reset, stats, faults, clock.
 * Not part of Google: they exist to set the emulator up from tests, the demo and benchmarks.
 */
import { z } from 'zod';
import { seedEvent } from './calendar';
import type { EmuResponse } from './context';
import { badRequest, notFound } from './errors';
import { json, jsonBody } from './http';
import type { Call, Route } from './http';
import { ACCESS_TOKEN_TTL_S, TESTING_REFRESH_TTL_MS, normalizeScopes } from './oauth';
import { seedContact } from './people';
import { randomBytes } from 'node:crypto';
import { randomToken } from './state';
import type { AccountRec, CalendarRec } from './state';
import { isValidTimeZone } from './time';

function parse<T>(schema: z.ZodType<T>, c: Call): T {
  const r = schema.safeParse(jsonBody(c.req) ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    throw badRequest(`Invalid admin request: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'bad body'}`, 'invalid');
  }
  return r.data;
}

const ClientSchema = z.object({
  clientId: z.string().min(1).max(256),
  clientSecret: z.string().min(1).max(256),
  publishing: z.enum(['testing', 'production']).default('testing'),
});

const AccountSchema = z.object({
  email: z.string().email().max(254),
  name: z.string().max(200).optional(),
  calendars: z.array(z.string().min(1).max(200)).max(50).default([]),
  testUser: z.boolean().default(true),
  timeZone: z.string().refine(isValidTimeZone, 'invalid time zone').default('Europe/Paris'),
});

const FaultSchema = z.object({
  type: z.enum(['error', 'drop', 'slow', 'invalidateSyncTokens', 'expireRefreshTokens']),
  status: z.union([z.literal(500), z.literal(503), z.literal(429), z.literal(403)]).default(503),
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
  delayMs: z.number().int().min(0).max(120_000).default(1000),
  count: z.number().int().min(1).max(1_000_000).optional(),
  rate: z.number().min(0).max(1).optional(),
  api: z.enum(['calendar', 'people', 'oauth', 'batch', 'api', 'any']).default('api'),
  email: z.string().optional(),
  /** For a 403: rateLimitExceeded (default) or accessNotConfigured (the API is not enabled in the project). */
  reason: z.enum(['rateLimitExceeded', 'accessNotConfigured']).default('rateLimitExceeded'),
});

const TokenSchema = z.object({
  clientId: z.string(),
  email: z.string(),
  scopes: z.array(z.string()).min(1),
});

function accountView(c: Call, a: AccountRec): unknown {
  return {
    email: a.email,
    name: a.name,
    testUser: a.testUser,
    calendars: a.calendars.map((id) => {
      const cal = c.emu.state.calendars[id] as CalendarRec;
      return { id, summary: cal.summary, primary: cal.primary, timeZone: cal.timeZone };
    }),
  };
}

function putClient(c: Call): EmuResponse {
  const b = parse(ClientSchema, c);
  c.emu.state.clients[b.clientId] = { clientId: b.clientId, clientSecret: b.clientSecret, publishing: b.publishing };
  c.emu.changed();
  return json(200, c.emu.state.clients[b.clientId]);
}

function secondaryId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  return [...randomBytes(26)].map((b) => alphabet[b % 36]).join('') + '@group.calendar.google.com';
}

/** Creates (or updates, idempotently) an account with its primary calendar and named ones. */
function putAccount(c: Call): EmuResponse {
  const b = parse(AccountSchema, c);
  const { state } = c.emu;
  const email = b.email.toLowerCase();
  let acc = state.accounts[email];
  if (!acc) {
    acc = { email, name: b.name ?? email.split('@')[0] ?? email, testUser: b.testUser, calendars: [email] };
    state.accounts[email] = acc;
    state.calendars[email] = { id: email, owner: email, summary: email, description: '', timeZone: b.timeZone, colorId: '14', primary: true, etagSeq: c.emu.nextSeq() };
  } else {
    acc.testUser = b.testUser;
    if (b.name) acc.name = b.name;
  }
  const account = acc;
  b.calendars.forEach((summary, i) => {
    if (account.calendars.some((id) => state.calendars[id]?.summary === summary && !state.calendars[id]?.primary)) return;
    const id = secondaryId();
    state.calendars[id] = { id, owner: email, summary, description: '', timeZone: b.timeZone, colorId: String(((i + 1) % 24) + 1), primary: false, etagSeq: c.emu.nextSeq() };
    account.calendars.push(id);
  });
  c.emu.changed();
  return json(200, accountView(c, account));
}

function account(c: Call): AccountRec {
  const a = c.emu.state.accounts[(c.params[0] ?? '').toLowerCase()];
  if (!a) throw notFound(`Unknown account: ${c.params[0]}`);
  return a;
}

function seedEvents(c: Call): EmuResponse {
  const a = account(c);
  const body = jsonBody(c.req);
  const b = (body ?? {}) as { calendarId?: unknown; calendar?: unknown; events?: unknown; event?: unknown };
  let calId = typeof b.calendarId === 'string' ? b.calendarId : a.email;
  if (typeof b.calendar === 'string') {
    const byName = a.calendars.find((id) => c.emu.state.calendars[id]?.summary === b.calendar);
    if (!byName) throw notFound(`Unknown calendar: ${b.calendar}`);
    calId = byName;
  }
  if (calId === 'primary') calId = a.email;
  if (!a.calendars.includes(calId)) throw notFound(`Unknown calendar: ${calId}`);
  const list = Array.isArray(b.events) ? b.events : [b.event ?? body];
  if (list.length > 5000) throw badRequest('At most 5000 events per seed call.');
  const created = list.map((e) => seedEvent(c.emu, calId, e));
  return json(200, { calendarId: calId, events: created });
}

function seedContacts(c: Call): EmuResponse {
  const a = account(c);
  const body = jsonBody(c.req) as { contacts?: unknown; contact?: unknown } | undefined;
  const list = Array.isArray(body?.contacts) ? body.contacts : [body?.contact ?? body];
  if (list.length > 25_000) throw badRequest('Too many contacts.');
  const created = list.map((p) => seedContact(c.emu, a.email, p));
  return json(200, { contacts: created });
}

function addFault(c: Call): EmuResponse {
  const b = parse(FaultSchema, c);
  const { emu } = c;
  const email = b.email?.toLowerCase() ?? null;
  if (b.type === 'invalidateSyncTokens') {
    for (const e of Object.keys(emu.state.accounts)) if (!email || e === email) emu.state.syncEpoch[e] = (emu.state.syncEpoch[e] ?? 0) + 1;
    emu.changed();
    return json(200, { invalidated: true });
  }
  if (b.type === 'expireRefreshTokens') {
    let n = 0;
    for (const rt of Object.values(emu.state.refreshTokens)) {
      if (email && rt.email !== email) continue;
      rt.expiresAt = Math.min(rt.expiresAt ?? Infinity, emu.now());
      n++;
    }
    emu.changed();
    return json(200, { expired: n });
  }
  if (b.count === undefined && b.rate === undefined) throw badRequest('A fault needs "count" or "rate".');
  const fault = emu.addFault({
    type: b.type,
    status: b.status,
    retryAfterSeconds: b.retryAfterSeconds ?? (b.status === 429 ? 1 : null),
    delayMs: b.delayMs,
    remaining: b.count ?? null,
    rate: b.count === undefined ? (b.rate ?? null) : null,
    api: b.api,
    email,
    reason: b.reason,
  });
  return json(200, fault);
}

/** Mint tokens without the browser flow (for headless app tests and benchmarks). */
function mintTokens(c: Call): EmuResponse {
  const b = parse(TokenSchema, c);
  const { emu } = c;
  const client = emu.state.clients[b.clientId];
  const email = b.email.toLowerCase();
  if (!client) throw notFound(`Unknown client: ${b.clientId}`);
  if (!emu.state.accounts[email]) throw notFound(`Unknown account: ${email}`);
  const scopes = normalizeScopes(b.scopes.join(' '));
  const now = emu.now();
  const refresh = `1//emu-${randomToken(32)}`;
  emu.state.refreshTokens[refresh] = { token: refresh, clientId: client.clientId, email, scopes, issuedAt: now, expiresAt: client.publishing === 'testing' ? now + TESTING_REFRESH_TTL_MS : null, revoked: false };
  const access = `ya29.emu-${randomToken(32)}`;
  emu.state.accessTokens[access] = { token: access, clientId: client.clientId, email, scopes, expiresAt: now + ACCESS_TOKEN_TTL_S * 1000, refreshToken: refresh, revoked: false };
  emu.changed();
  return json(200, { access_token: access, refresh_token: refresh, expires_in: ACCESS_TOKEN_TTL_S - 1, scope: scopes.join(' '), token_type: 'Bearer' });
}

function clock(c: Call): EmuResponse {
  const b = parse(z.object({ advanceMs: z.number().int().min(0).max(10 * 365 * 86400000) }), c);
  c.emu.advance(b.advanceMs);
  return json(200, { now: new Date(c.emu.now()).toISOString(), offsetMs: c.emu.state.clockOffsetMs });
}

/** A consistency summary (used by the fuzz test): counts, and invariants that must hold. */
function inspect(c: Call): EmuResponse {
  const { state } = c.emu;
  const problems: string[] = [];
  let events = 0;
  for (const [calId, evs] of Object.entries(state.events)) {
    if (!state.calendars[calId]) problems.push(`events of unknown calendar ${calId}`);
    for (const [id, rec] of Object.entries(evs)) {
      events++;
      if (rec.data.id !== id) problems.push(`event ${id} stored under another id`);
      if (rec.seq > state.seq) problems.push(`event ${id} has a future seq`);
    }
  }
  let contacts = 0;
  for (const [email, cs] of Object.entries(state.contacts)) {
    if (!state.accounts[email]) problems.push(`contacts of unknown account ${email}`);
    for (const [rn, rec] of Object.entries(cs)) {
      contacts++;
      if (rec.resourceName !== rn) problems.push(`contact ${rn} stored under another name`);
    }
  }
  for (const a of Object.values(state.accounts)) for (const id of a.calendars) if (state.calendars[id]?.owner !== a.email) problems.push(`calendar ${id} not owned by ${a.email}`);
  return json(200, {
    accounts: Object.keys(state.accounts).length,
    clients: Object.keys(state.clients).length,
    calendars: Object.keys(state.calendars).length,
    events,
    contacts,
    seq: state.seq,
    now: new Date(c.emu.now()).toISOString(),
    problems,
  });
}

export const adminRoutes: Route[] = [
  { method: 'POST', pattern: /^\/__emulator\/clients$/, name: 'admin.clients', api: 'admin', handler: putClient },
  { method: 'POST', pattern: /^\/__emulator\/accounts$/, name: 'admin.accounts', api: 'admin', handler: putAccount },
  { method: 'GET', pattern: /^\/__emulator\/accounts$/, name: 'admin.accounts.list', api: 'admin', handler: (c) => json(200, { accounts: Object.values(c.emu.state.accounts).map((a) => accountView(c, a)) }) },
  { method: 'POST', pattern: /^\/__emulator\/accounts\/([^/]+)\/events$/, name: 'admin.seed.events', api: 'admin', handler: seedEvents },
  { method: 'POST', pattern: /^\/__emulator\/accounts\/([^/]+)\/contacts$/, name: 'admin.seed.contacts', api: 'admin', handler: seedContacts },
  { method: 'POST', pattern: /^\/__emulator\/tokens$/, name: 'admin.tokens', api: 'admin', handler: mintTokens },
  { method: 'POST', pattern: /^\/__emulator\/reset$/, name: 'admin.reset', api: 'admin', handler: (c) => (c.emu.reset(), json(200, { reset: true })) },
  { method: 'GET', pattern: /^\/__emulator\/stats$/, name: 'admin.stats', api: 'admin', handler: (c) => json(200, c.emu.getStats()) },
  { method: 'GET', pattern: /^\/__emulator\/state$/, name: 'admin.state', api: 'admin', handler: inspect },
  { method: 'POST', pattern: /^\/__emulator\/faults$/, name: 'admin.faults', api: 'admin', handler: addFault },
  { method: 'GET', pattern: /^\/__emulator\/faults$/, name: 'admin.faults.list', api: 'admin', handler: (c) => json(200, { faults: c.emu.faults }) },
  { method: 'DELETE', pattern: /^\/__emulator\/faults$/, name: 'admin.faults.clear', api: 'admin', handler: (c) => ((c.emu.faults = []), json(200, { faults: [] })) },
  { method: 'POST', pattern: /^\/__emulator\/clock$/, name: 'admin.clock', api: 'admin', handler: clock },
];


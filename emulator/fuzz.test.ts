/**
 * Fuzz: a few thousand random requests (fixed seed, bounded count and time, 127.0.0.1 only).
 * The emulator must keep answering, never with a 500 of its own, and its state must stay
 * consistent (no orphaned records, sync still correct).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from './index';
import type { RunningEmulator } from './index';
import { connect, setup } from './testkit';

const ADA = 'ada@example.com';
const REQUESTS = 3000;
const CONCURRENCY = 16;

/** mulberry32: a small deterministic PRNG so that a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let emu: RunningEmulator;
let token = '';
beforeAll(async () => {
  emu = await startEmulator({ autoConsent: true, quotaPerMinute: 1_000_000, projectQuotaPerMinute: 1_000_000 });
  await setup(emu);
  await emu.createAccount({ email: ADA, calendars: ['Work'] });
  token = (await connect(emu, ADA)).auth.credentials.access_token as string;
  await emu.seedContacts(ADA, [{ names: [{ givenName: 'Seed' }] }, { names: [{ givenName: 'Seed2' }] }]);
});
afterAll(() => emu.close());

describe('fuzz', () => {
  it(`survives ${REQUESTS} random requests with consistent state`, async () => {
    const rnd = prng(20240601);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const ids: string[] = ['abcde12345', 'zzzzz', 'primary', '%ZZ', '..', ''];
    const paths = [
      '/calendar/v3/calendars/primary/events',
      '/calendar/v3/calendars/primary/events/{id}',
      '/calendar/v3/calendars/primary/events/{id}/instances',
      '/calendar/v3/calendars/{id}',
      '/calendar/v3/users/me/calendarList',
      '/calendar/v3/colors',
      '/v1/people/me/connections',
      '/v1/people:createContact',
      '/v1/people/{id}:updateContact',
      '/v1/people/{id}',
      '/v1/people:batchCreateContacts',
      '/batch/calendar/v3',
      '/token',
      '/revoke',
      '/o/oauth2/v2/auth',
      '/__emulator/nope',
      '/%',
      '/calendar/v3/calendars/primary/events?maxResults=-1&timeMin=yesterday',
      '/calendar/v3/calendars/primary/events?syncToken=abc&singleEvents=maybe',
      '/v1/people/me/connections?personFields=names&pageSize=99999&syncToken=zz',
    ];
    const values = (): unknown => pick([null, 1, -1, 1e308, 'x', '', true, [], {}, 'RRULE:FREQ=DAILY;COUNT=3', '2030-01-01T10:00:00Z', { date: '2030-01-01' }, { dateTime: '2030-01-01T10:00:00Z' }, 'a'.repeat(5000)]);
    const randomBody = (): string => {
      const r = rnd();
      if (r < 0.15) return '';
      if (r < 0.3) return '{"broken": ';
      if (r < 0.4) return String.fromCharCode(...Array.from({ length: 40 }, () => Math.floor(rnd() * 256)));
      if (r < 0.7) {
        const ev: Record<string, unknown> = { summary: 'fuzz', start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T11:00:00Z' } };
        for (const k of ['id', 'start', 'end', 'recurrence', 'reminders', 'colorId', 'extendedProperties', 'status', 'visibility', 'attendees']) if (rnd() < 0.3) ev[k] = values();
        if (rnd() < 0.3) ev.recurrence = ['RRULE:FREQ=' + pick(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY', 'X']) + ';COUNT=' + Math.floor(rnd() * 50)];
        return JSON.stringify(ev);
      }
      const person: Record<string, unknown> = {};
      for (const k of ['names', 'emailAddresses', 'etag', 'clientData', 'biographies', 'photos', 'bogus']) if (rnd() < 0.4) person[k] = rnd() < 0.5 ? [{ value: values(), givenName: values(), key: 'k', etag: values() }] : values();
      return JSON.stringify(rnd() < 0.2 ? { contacts: [{ contactPerson: person }], readMask: 'names' } : person);
    };
    const statuses = new Map<number, number>();
    let next = 0;
    const deadline = Date.now() + 25_000;
    const worker = async (): Promise<void> => {
      while (next < REQUESTS && Date.now() < deadline) {
        next++;
        let path = pick(paths).replace('{id}', pick(ids));
        let method = pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
        const headers: Record<string, string> = {};
        if (rnd() < 0.8) headers.authorization = rnd() < 0.9 ? `Bearer ${token}` : pick(['Bearer nope', 'Basic Zm9vOmJhcg==', 'Bearer']);
        if (rnd() < 0.8) headers['content-type'] = pick(['application/json', 'text/plain', 'multipart/mixed; boundary=b', 'application/x-www-form-urlencoded']);
        if (rnd() < 0.1) headers['if-match'] = pick(['"1"', '*', 'garbage']);
        let body = method === 'GET' || method === 'OPTIONS' ? undefined : randomBody();
        if (rnd() < 0.35) {
          // A well-formed call with small mutations, so that state really changes under fuzz.
          headers.authorization = `Bearer ${token}`;
          headers['content-type'] = 'application/json';
          const op = pick(['insert', 'patch', 'delete', 'contact', 'list'] as const);
          const mutate = (o: Record<string, unknown>): Record<string, unknown> => {
            if (rnd() < 0.3) o[pick(['colorId', 'reminders', 'recurrence', 'visibility', 'extendedProperties', 'end'])] = values();
            return o;
          };
          const event = (): Record<string, unknown> => mutate({ summary: `fuzz ${next}`, start: { dateTime: '2030-01-01T10:00:00Z', timeZone: 'UTC' }, end: { dateTime: '2030-01-01T11:00:00Z', timeZone: 'UTC' }, ...(rnd() < 0.2 ? { recurrence: ['RRULE:FREQ=DAILY;COUNT=5'] } : {}) });
          if (op === 'insert') [method, path, body] = ['POST', '/calendar/v3/calendars/primary/events', JSON.stringify(event())];
          else if (op === 'patch') [method, path, body] = ['PATCH', `/calendar/v3/calendars/primary/events/${pick(ids)}`, JSON.stringify(mutate({ summary: 'patched' }))];
          else if (op === 'delete') [method, path, body] = ['DELETE', `/calendar/v3/calendars/primary/events/${pick(ids)}`, undefined];
          else if (op === 'contact') [method, path, body] = ['POST', '/v1/people:createContact', JSON.stringify(mutate({ names: [{ givenName: `F${next}` }] }))];
          else [method, path, body] = ['GET', `/calendar/v3/calendars/primary/events?singleEvents=${rnd() < 0.5}&maxResults=${1 + Math.floor(rnd() * 300)}`, undefined];
        }
        const res = await fetch(`${emu.url}${path}`, { method, headers, body, redirect: 'manual' }).catch((e: unknown) => e as Error);
        if (res instanceof Error) throw new Error(`${method} ${path}: no answer (${res.message})`);
        const text = await res.text();
        if (res.status === 200 && method === 'POST' && path.endsWith('/events')) {
          const id = (JSON.parse(text) as { id?: string }).id;
          if (id) ids.push(id);
        }
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) throw new Error(`${method} ${path} → ${res.status}: ${body?.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(2000);
    expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);

    // Still answering, and consistent.
    const state = await emu.inspect();
    expect(state.problems).toEqual([]);
    expect(state.events).toBeGreaterThan(0);
    expect(state.contacts).toBeGreaterThanOrEqual(2);
    const { cal } = await connect(emu, ADA);
    const all = await cal.events.list({ calendarId: 'primary', maxResults: 2500, showDeleted: true });
    expect(all.status).toBe(200);
    const since = await cal.events.list({ calendarId: 'primary', syncToken: all.data.nextSyncToken as string });
    expect(since.data.items).toEqual([]);
  }, 40_000);
});

/**
 * The event listing read as bytes (engine.ts list(), listPage.ts): the next page is asked for
 * with the token read ahead of the parse, and a page that is not the JSON object Google sends is
 * refused with a clear error, nothing of it recorded; the next run lists again without duplicates.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { calendar_v3 } from '@googleapis/calendar';
import { MALFORMED_PAGE, parseListPage, peekNextPageToken } from '../../electron/core/sync/agenda/listPage';
import { agendaFixture, timed, type AgendaFixture } from './agenda-fixture';
import { startFaultProxy } from './fault-proxy';

const bytes = (text: string) => new Uint8Array(Buffer.from(text));

describe('peekNextPageToken', () => {
  it('reads the top-level token written before the items, escapes included', () => {
    expect(peekNextPageToken(bytes('{"kind":"calendar#events","nextPageToken":"abc\\u003d\\"x","items":[{"id":"1"}]}'))).toBe('abc="x');
    expect(peekNextPageToken(bytes(' {\n "summary": "a, \\"nextPageToken\\": \\"no\\"",\n "nextPageToken" : "tok" }'))).toBe('tok');
  });

  it('never takes a key of a nested object, nor a value, for the token', () => {
    const nested = '{"defaultReminders":[{"nextPageToken":"nested"}],"summary":"nextPageToken","items":[{"id":"1","extendedProperties":{"private":{"nextPageToken":"evil"}}}],"nextPageToken":"real"}';
    // Only after the items: cannot be told without parsing (the caller parses first).
    expect(peekNextPageToken(bytes(nested))).toBeUndefined();
    expect(parseListPage(bytes(nested), undefined).nextPageToken).toBe('real');
  });

  it('says null for an object without one, undefined for what is not an object or a string token', () => {
    expect(peekNextPageToken(bytes('{"kind":"calendar#events","nextSyncToken":"s"}'))).toBeNull();
    expect(peekNextPageToken(bytes('{"nextPageToken": 12, "items": []}'))).toBeUndefined();
    expect(peekNextPageToken(bytes('{"nextPageToken":"unterminated'))).toBeUndefined();
    expect(peekNextPageToken(bytes('<html>Service unavailable</html>'))).toBeUndefined();
  });
});

describe('parseListPage', () => {
  it('refuses what is not the JSON object Google sends, with a clear error', () => {
    for (const text of ['{"items":[{"id":"1"}', '<html></html>', '[]', 'null', '{"items":{"id":"1"}}', '{"nextPageToken":3}']) {
      expect(() => parseListPage(bytes(text), undefined), text).toThrow(MALFORMED_PAGE);
    }
  });

  it('refuses a page whose token is not the one read ahead', () => {
    expect(() => parseListPage(bytes('{"nextPageToken":"a","items":[]}'), 'b')).toThrow(MALFORMED_PAGE);
    expect(() => parseListPage(bytes('{"items":[]}'), 'b')).toThrow(MALFORMED_PAGE);
    expect(parseListPage(bytes('{"nextPageToken":"a","items":[{"id":"1"}]}'), 'a').items).toEqual([{ id: '1' }]);
  });
});

describe('a listing of several pages', () => {
  let f: AgendaFixture;
  beforeEach(async () => {
    f = await agendaFixture();
  });
  afterEach(async () => {
    await f.close();
  });

  // 'pulled links': the links that remember their event as the origin of their action (migration 0006).
  const total = (table: string) =>
    (f.db.prepare(`SELECT count(*) AS n FROM ${table === 'pulled links' ? "sync_links WHERE kind = 'event' AND pulled = 1" : table}`).get() as { n: number }).n;
  /** Rows added since the test's start (the fixture's CRM has actions of its own). */
  let before: Record<string, number> = {};
  const count = (table: string) => total(table) - (before[table] ?? 0);
  beforeEach(() => {
    before = Object.fromEntries(['actions', 'sync_links', 'pulled links', 'sync_tokens'].map((t) => [t, total(t)]));
  });

  it('pulls every page; a malformed page is refused with nothing of it written, and the next run finishes without duplicates', async () => {
    // 2,600 events: two pages of at most 2,500.
    const events: calendar_v3.Schema$Event[] = Array.from({ length: 2600 }, (_, i) => {
      const p = timed(1 + (i % 40), 7 + (i % 11));
      return { summary: `Téléphone ${i}`, start: { dateTime: p.start, timeZone: 'Europe/Paris' }, end: { dateTime: p.end, timeZone: 'Europe/Paris' } };
    });
    await f.emu.seedEvents(f.repEmail, events, { calendarId: f.calendarId });
    const proxy = await startFaultProxy(f.emu.url);
    try {
      await f.core.invoke(f.adm, 'google.setClient', { rootUrl: proxy.url });
      // The second listing page arrives cut in half.
      let listings = 0;
      proxy.trouble = { body: (r, body) => (r.method === 'GET' && r.path.includes('/events?') && ++listings === 2 ? body.subarray(0, body.length >> 1) : null) };
      const broken = await f.sync();
      expect(broken.status).toBe('failed');
      expect(broken.errors).toEqual([expect.objectContaining({ actionId: null, googleId: null, message: MALFORMED_PAGE })]);
      // The first page's creations were recorded (each page commits its own); nothing of the second, no token.
      expect(broken.crm.created).toBe(2500);
      expect(count('actions')).toBe(2500);
      expect(count('sync_links')).toBe(2500);
      expect(count('pulled links')).toBe(2500);
      expect(count('sync_tokens')).toBe(0);

      proxy.trouble = {};
      const again = await f.sync();
      expect(again.status).toBe('ok');
      expect(again.crm.created).toBe(100);
      expect(count('actions')).toBe(2600);
      expect(count('sync_links')).toBe(2600);
      expect(new Set(f.db.prepare("SELECT title FROM actions WHERE title LIKE 'Téléphone %'").pluck().all() as string[]).size).toBe(2600);
      expect(f.db.prepare("SELECT count(*) FROM actions WHERE title LIKE 'Téléphone %'").pluck().get()).toBe(2600);
      expect(count('sync_tokens')).toBe(1);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('a malformed first page writes nothing', async () => {
    await f.cal.events.insert({ calendarId: f.calendarId, requestBody: { summary: 'Dentiste', start: { dateTime: timed(3, 14).start }, end: { dateTime: timed(3, 15).start } } });
    const proxy = await startFaultProxy(f.emu.url);
    try {
      await f.core.invoke(f.adm, 'google.setClient', { rootUrl: proxy.url });
      proxy.trouble = { body: (r) => (r.method === 'GET' && r.path.includes('/events?') ? Buffer.from('<html>Bad gateway</html>') : null) };
      const r = await f.sync();
      expect(r.status).toBe('failed');
      expect(r.errors.map((e) => e.message)).toEqual([MALFORMED_PAGE]);
      expect(count('actions')).toBe(0);
      expect(count('sync_links')).toBe(0);
      expect(count('pulled links')).toBe(0);
      expect(count('sync_tokens')).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});

import type { calendar_v3 } from '@googleapis/calendar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from './index';
import type { RunningEmulator } from './index';
import { connect, failure, reason, setup } from './testkit';

let emu: RunningEmulator;
let cal: calendar_v3.Calendar;
const ADA = 'ada@example.com';
let work = '';

const timed = (summary: string, startIso: string, endIso: string, extra: calendar_v3.Schema$Event = {}): calendar_v3.Schema$Event => ({
  summary,
  start: { dateTime: startIso, timeZone: 'Europe/Paris' },
  end: { dateTime: endIso, timeZone: 'Europe/Paris' },
  ...extra,
});

beforeAll(async () => {
  emu = await startEmulator({ autoConsent: true });
  await setup(emu);
  const acc = await emu.createAccount({ email: ADA, calendars: ['Work', 'Big'], testUser: true });
  work = acc.calendars.find((c) => c.summary === 'Work')?.id ?? '';
  ({ cal } = await connect(emu, ADA));
});
afterAll(() => emu.close());

describe('calendars and colours', () => {
  it('lists the primary calendar (id = e-mail) and the named ones', async () => {
    const { data } = await cal.calendarList.list();
    const primary = data.items?.find((c) => c.primary);
    expect(primary?.id).toBe(ADA);
    expect(primary?.accessRole).toBe('owner');
    expect(data.items?.map((c) => c.summary)).toEqual(expect.arrayContaining(['Work', 'Big']));
    expect(work).toMatch(/@group\.calendar\.google\.com$/);
    const got = await cal.calendars.get({ calendarId: 'primary' });
    expect(got.data.id).toBe(ADA);
    expect(got.data.timeZone).toBe('Europe/Paris');
    const missing = await failure(cal.calendars.get({ calendarId: 'nobody@example.com' }));
    expect(missing.status).toBe(404);
    expect(reason(missing)).toBe('notFound');
  });

  it('serves the real event palette', async () => {
    const { data } = await cal.colors.get();
    expect(data.event?.['1']?.background).toBe('#a4bdfc');
    expect(data.event?.['11']?.background).toBe('#dc2127');
    expect(Object.keys(data.event ?? {})).toHaveLength(11);
    expect(Object.keys(data.calendar ?? {})).toHaveLength(24);
  });
});

describe('events CRUD', () => {
  it('inserts, gets, updates, patches and deletes with ETags', async () => {
    const ins = await cal.events.insert({ calendarId: 'primary', requestBody: timed('Kick-off', '2030-03-04T10:00:00', '2030-03-04T11:00:00', { description: 'x', colorId: '5', status: 'tentative', visibility: 'private', transparency: 'transparent' }) });
    expect(ins.status).toBe(200);
    const ev = ins.data;
    expect(ev.id).toMatch(/^[a-v0-9]{5,1024}$/);
    expect(ev.etag).toMatch(/^"\d+"$/);
    expect(ev.start).toEqual({ dateTime: '2030-03-04T10:00:00+01:00', timeZone: 'Europe/Paris' });
    expect(ev).toMatchObject({ status: 'tentative', visibility: 'private', transparency: 'transparent', colorId: '5', iCalUID: `${ev.id}@google.com` });
    expect(ev.reminders).toEqual({ useDefault: true });
    expect(ev.organizer?.email).toBe(ADA);

    const got = await cal.events.get({ calendarId: ADA, eventId: ev.id as string });
    expect(got.data.etag).toBe(ev.etag);

    const upd = await cal.events.update({ calendarId: 'primary', eventId: ev.id as string, requestBody: timed('Kick-off v2', '2030-03-04T10:30:00+01:00', '2030-03-04T11:30:00+01:00') });
    expect(upd.data.summary).toBe('Kick-off v2');
    expect(upd.data.description).toBeUndefined(); // update replaces the whole resource
    expect(upd.data.etag).not.toBe(ev.etag);

    const stale = await failure(cal.events.patch({ calendarId: 'primary', eventId: ev.id as string, requestBody: { summary: 'no' } }, { headers: { 'If-Match': ev.etag as string } }));
    expect(stale.status).toBe(412);
    expect(reason(stale)).toBe('conditionNotMet');

    const pat = await cal.events.patch({ calendarId: 'primary', eventId: ev.id as string, requestBody: { location: 'Paris' } }, { headers: { 'If-Match': upd.data.etag as string } });
    expect(pat.data).toMatchObject({ summary: 'Kick-off v2', location: 'Paris' });

    const staleDelete = await failure(cal.events.delete({ calendarId: 'primary', eventId: ev.id as string }, { headers: { 'If-Match': upd.data.etag as string } }));
    expect(staleDelete.status).toBe(412);
    const del = await cal.events.delete({ calendarId: 'primary', eventId: ev.id as string });
    expect(del.status).toBe(204);
    const after = await cal.events.get({ calendarId: 'primary', eventId: ev.id as string });
    expect(after.data.status).toBe('cancelled');
    const again = await failure(cal.events.delete({ calendarId: 'primary', eventId: ev.id as string }));
    expect(again.status).toBe(410);
    expect(reason(again)).toBe('deleted');
    const none = await failure(cal.events.get({ calendarId: 'primary', eventId: 'abcdefabcdef' }));
    expect(none.status).toBe(404);
  });

  it('validates client-supplied ids (base32hex, 5–1024) and answers 409 on duplicates', async () => {
    const body = timed('Mine', '2030-03-05T10:00:00', '2030-03-05T11:00:00');
    for (const id of ['abc', 'UPPERCASE1', 'wxyz12345', 'a'.repeat(1025)]) {
      const f = await failure(cal.events.insert({ calendarId: 'primary', requestBody: { ...body, id } }));
      expect(f.status, id).toBe(400);
      expect(reason(f)).toBe('invalid');
    }
    const ok = await cal.events.insert({ calendarId: 'primary', requestBody: { ...body, id: 'crm0001abcdef' } });
    expect(ok.data.id).toBe('crm0001abcdef');
    const dup = await failure(cal.events.insert({ calendarId: 'primary', requestBody: { ...body, id: 'crm0001abcdef' } }));
    expect(dup.status).toBe(409);
    expect(reason(dup)).toBe('duplicate');
  });

  it('rejects invalid times, reminders, colours and enums with 400', async () => {
    const base = timed('Bad', '2030-03-06T10:00:00', '2030-03-06T11:00:00');
    const cases: [calendar_v3.Schema$Event, string][] = [
      [{ ...base, end: undefined }, 'required'],
      [{ ...base, end: { dateTime: '2030-03-06T09:00:00', timeZone: 'Europe/Paris' } }, 'timeRangeEmpty'],
      [{ ...base, start: { dateTime: '2030-03-06T10:00:00' } }, 'required'],
      [{ ...base, start: { dateTime: '2030-03-06T10:00:00', timeZone: 'Mars/Olympus' } }, 'invalid'],
      [{ ...base, start: { date: '2030-03-06' } }, 'invalid'],
      [{ ...base, start: { date: '2030-03-06' }, end: { date: '2030-03-06' } }, 'timeRangeEmpty'],
      [{ ...base, reminders: { useDefault: false, overrides: Array.from({ length: 6 }, () => ({ method: 'popup', minutes: 5 })) } }, 'tooManyReminders'],
      [{ ...base, reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 40321 }] } }, 'invalid'],
      [{ ...base, reminders: { useDefault: false, overrides: [{ method: 'sms', minutes: 5 }] } }, 'required'],
      [{ ...base, reminders: { useDefault: true, overrides: [{ method: 'popup', minutes: 5 }] } }, 'cannotUseDefaultRemindersAndSpecifyOverride'],
      [{ ...base, colorId: '12' }, 'invalid'],
      [{ ...base, visibility: 'secret' }, 'invalid'],
      [{ ...base, status: 'maybe' }, 'invalid'],
      [{ ...base, recurrence: ['RRULE:FREQ=SOMETIMES'] }, 'invalid'],
    ];
    for (const [body, why] of cases) {
      const f = await failure(cal.events.insert({ calendarId: 'primary', requestBody: body }));
      expect(f.status, JSON.stringify(body)).toBe(400);
      expect(reason(f), JSON.stringify(body)).toBe(why);
      expect(f.body.error.code).toBe(400);
      expect(typeof f.body.error.message).toBe('string');
    }
    const ok = await cal.events.insert({ calendarId: 'primary', requestBody: { ...base, reminders: { useDefault: false, overrides: [{ method: 'email', minutes: 40320 }, { method: 'popup', minutes: 0 }] } } });
    expect(ok.data.reminders?.overrides).toHaveLength(2);
  });

  it('stores all-day events with an exclusive end date', async () => {
    const { data } = await cal.events.insert({ calendarId: work, requestBody: { summary: 'Holiday', start: { date: '2030-07-14' }, end: { date: '2030-07-15' } } });
    expect(data.start).toEqual({ date: '2030-07-14' });
    expect(data.end).toEqual({ date: '2030-07-15' });
    const day = await cal.events.list({ calendarId: work, timeMin: '2030-07-14T00:00:00+02:00', timeMax: '2030-07-15T00:00:00+02:00' });
    expect(day.data.items?.map((e) => e.summary)).toContain('Holiday');
    const next = await cal.events.list({ calendarId: work, timeMin: '2030-07-15T00:00:00+02:00', timeMax: '2030-07-16T00:00:00+02:00' });
    expect(next.data.items?.map((e) => e.summary)).not.toContain('Holiday');
  });

  it('drops over-long extended property keys and truncates long values, as Google does', async () => {
    const { data } = await cal.events.insert({
      calendarId: 'primary',
      requestBody: timed('Ext', '2030-03-07T10:00:00', '2030-03-07T11:00:00', {
        extendedProperties: { private: { crmId: 'deal-42', ['k'.repeat(45)]: 'dropped', long: 'v'.repeat(2000) }, shared: { k44: 'x' } },
      }),
    });
    expect(data.extendedProperties?.private?.crmId).toBe('deal-42');
    expect(data.extendedProperties?.private?.['k'.repeat(45)]).toBeUndefined();
    expect(data.extendedProperties?.private?.long).toHaveLength(1024);
    const found = await cal.events.list({ calendarId: 'primary', privateExtendedProperty: ['crmId=deal-42'] });
    expect(found.data.items?.map((e) => e.id)).toEqual([data.id]);
    const patched = await cal.events.patch({ calendarId: 'primary', eventId: data.id as string, requestBody: { extendedProperties: { private: { stage: 'won' } } } });
    expect(patched.data.extendedProperties?.private).toMatchObject({ crmId: 'deal-42', stage: 'won' });
  });

  it('creates a Meet link with conferenceDataVersion=1 only', async () => {
    const req = timed('Call', '2030-03-08T10:00:00', '2030-03-08T10:30:00', { conferenceData: { createRequest: { requestId: 'r-1', conferenceSolutionKey: { type: 'hangoutsMeet' } } } });
    const without = await cal.events.insert({ calendarId: 'primary', requestBody: req });
    expect(without.data.conferenceData).toBeUndefined();
    const withConf = await cal.events.insert({ calendarId: 'primary', conferenceDataVersion: 1, requestBody: req });
    expect(withConf.data.hangoutLink).toMatch(/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    expect(withConf.data.conferenceData?.createRequest?.status?.statusCode).toBe('success');
  });
});

describe('events.list, paging and sync', () => {
  let big = '';
  beforeAll(async () => {
    const acc = (await emu.createAccount({ email: ADA, calendars: ['Work', 'Big'] })).calendars;
    big = acc.find((c) => c.summary === 'Big')?.id ?? '';
    const events = Array.from({ length: 2600 }, (_, i) => ({
      summary: `E${i}`,
      start: { dateTime: new Date(Date.UTC(2031, 0, 1) + i * 3600_000).toISOString() },
      end: { dateTime: new Date(Date.UTC(2031, 0, 1) + i * 3600_000 + 1800_000).toISOString() },
    }));
    await emu.seedEvents(ADA, events, { calendar: 'Big' });
  });

  it('pages by 250 by default, at most 2500, and gives nextSyncToken only on the last page', async () => {
    const p1 = await cal.events.list({ calendarId: big });
    expect(p1.data.items).toHaveLength(250);
    expect(p1.data.nextPageToken).toBeTruthy();
    expect(p1.data.nextSyncToken).toBeUndefined();
    const capped = await cal.events.list({ calendarId: big, maxResults: 5000 });
    expect(capped.data.items).toHaveLength(2500);
    const last = await cal.events.list({ calendarId: big, maxResults: 5000, pageToken: capped.data.nextPageToken as string });
    expect(last.data.items).toHaveLength(100);
    expect(last.data.nextPageToken).toBeUndefined();
    expect(last.data.nextSyncToken).toBeTruthy();
    const bad = await failure(cal.events.list({ calendarId: big, maxResults: 0 }));
    expect(bad.status).toBe(400);
  });

  it('answers only the fields asked for (partial response), and refuses a malformed selection', async () => {
    const r = await cal.events.list({ calendarId: big, maxResults: 3, fields: 'nextPageToken,items(id,start/dateTime,reminders)' });
    expect(Object.keys(r.data).sort()).toEqual(['items', 'nextPageToken']);
    expect(r.data.items).toHaveLength(3);
    for (const e of r.data.items ?? []) {
      expect(Object.keys(e).sort()).toEqual(['id', 'reminders', 'start']);
      expect(Object.keys(e.start ?? {})).toEqual(['dateTime']);
    }
    const one = await cal.events.get({ calendarId: big, eventId: r.data.items![0]!.id!, fields: 'summary,*' });
    expect(one.data.summary).toBe('E0');
    expect(one.data.etag).toBeTruthy();
    for (const fields of ['items(id', 'items()', 'a,,b', 'a b']) {
      const bad = await failure(cal.events.list({ calendarId: big, fields }));
      expect(bad.status).toBe(400);
      expect(reason(bad)).toBe('invalidParameter');
    }
  });

  it('answers without indentation with prettyPrint=false, and with it by default', async () => {
    const compact = await cal.events.list({ calendarId: big, maxResults: 3, prettyPrint: false }, { responseType: 'text' });
    const pretty = await cal.events.list({ calendarId: big, maxResults: 3 }, { responseType: 'text' });
    expect(compact.data).not.toContain('\n');
    expect(pretty.data).toContain('\n  ');
    // The same answer (the page token and the listing's `updated` are made anew by each call).
    const items = (text: unknown) => (JSON.parse(text as string) as calendar_v3.Schema$Events).items;
    expect(items(compact.data)).toEqual(items(pretty.data));
  });

  it('filters by timeMin/timeMax and orders by startTime only with singleEvents', async () => {
    const { data } = await cal.events.list({ calendarId: big, timeMin: '2031-01-01T02:00:00Z', timeMax: '2031-01-01T05:00:00Z', singleEvents: true, orderBy: 'startTime' });
    expect(data.items?.map((e) => e.summary)).toEqual(['E2', 'E3', 'E4']);
    const f = await failure(cal.events.list({ calendarId: big, orderBy: 'startTime' }));
    expect(f.status).toBe(400);
    const noOffset = await failure(cal.events.list({ calendarId: big, timeMin: '2031-01-01T02:00:00' }));
    expect(noOffset.status).toBe(400);
    const empty = await failure(cal.events.list({ calendarId: big, timeMin: '2031-01-02T00:00:00Z', timeMax: '2031-01-01T00:00:00Z' }));
    expect(empty.status).toBe(400);
  });

  it('refuses syncToken with incompatible parameters (400) and invalid tokens (410 fullSyncRequired)', async () => {
    const full = await cal.events.list({ calendarId: work, maxResults: 2500 });
    const token = full.data.nextSyncToken as string;
    const params: calendar_v3.Params$Resource$Events$List[] = [
      { timeMin: '2030-01-01T00:00:00Z' }, { timeMax: '2030-01-01T00:00:00Z' }, { orderBy: 'updated' }, { q: 'x' },
      { iCalUID: 'x' }, { updatedMin: '2030-01-01T00:00:00Z' }, { privateExtendedProperty: ['a=b'] }, { sharedExtendedProperty: ['a=b'] },
    ];
    for (const p of params) {
      const f = await failure(cal.events.list({ calendarId: work, syncToken: token, ...p }));
      expect(f.status, JSON.stringify(p)).toBe(400);
    }
    const gone = await failure(cal.events.list({ calendarId: work, syncToken: 'garbage' }));
    expect(gone.status).toBe(410);
    expect(reason(gone)).toBe('fullSyncRequired');
    const otherCal = await failure(cal.events.list({ calendarId: 'primary', syncToken: token }));
    expect(otherCal.status).toBe(410);
  });

  it('returns changes since a sync token, deleted events as cancelled', async () => {
    const a = await cal.events.insert({ calendarId: work, requestBody: timed('A', '2030-04-01T10:00:00', '2030-04-01T11:00:00') });
    const b = await cal.events.insert({ calendarId: work, requestBody: timed('B', '2030-04-02T10:00:00', '2030-04-02T11:00:00') });
    const full = await cal.events.list({ calendarId: work, maxResults: 2500 });
    const t1 = full.data.nextSyncToken as string;
    const none = await cal.events.list({ calendarId: work, syncToken: t1 });
    expect(none.data.items).toEqual([]);
    expect(none.data.nextSyncToken).toBeTruthy();
    await cal.events.patch({ calendarId: work, eventId: a.data.id as string, requestBody: { summary: 'A2' } });
    await cal.events.delete({ calendarId: work, eventId: b.data.id as string });
    const c = await cal.events.insert({ calendarId: work, requestBody: timed('C', '2030-04-03T10:00:00', '2030-04-03T11:00:00') });
    const inc = await cal.events.list({ calendarId: work, syncToken: t1 });
    const byId = new Map(inc.data.items?.map((e) => [e.id, e]));
    expect(byId.get(a.data.id)?.summary).toBe('A2');
    expect(byId.get(b.data.id)?.status).toBe('cancelled');
    expect(byId.get(c.data.id)?.summary).toBe('C');
    expect(inc.data.items).toHaveLength(3);
    // Deleted events are hidden from a full list unless showDeleted.
    const plain = await cal.events.list({ calendarId: work, maxResults: 2500 });
    expect(plain.data.items?.some((e) => e.id === b.data.id)).toBe(false);
    const shown = await cal.events.list({ calendarId: work, maxResults: 2500, showDeleted: true });
    expect(shown.data.items?.find((e) => e.id === b.data.id)?.status).toBe('cancelled');
    // Paging an incremental sync: nextSyncToken only on the last page.
    const p1 = await cal.events.list({ calendarId: work, syncToken: t1, maxResults: 2 });
    expect(p1.data.nextSyncToken).toBeUndefined();
    const p2 = await cal.events.list({ calendarId: work, syncToken: t1, maxResults: 2, pageToken: p1.data.nextPageToken as string });
    expect(p2.data.items).toHaveLength(1);
    expect(p2.data.nextSyncToken).toBeTruthy();
    // Injected invalidation → 410.
    await emu.fault({ type: 'invalidateSyncTokens', email: ADA });
    const gone = await failure(cal.events.list({ calendarId: work, syncToken: p2.data.nextSyncToken as string }));
    expect(gone.status).toBe(410);
    expect(reason(gone)).toBe('fullSyncRequired');
  });

  it('searches with q and iCalUID', async () => {
    const ins = await cal.events.insert({ calendarId: work, requestBody: timed('Quarterly review with ACME', '2030-05-01T10:00:00', '2030-05-01T11:00:00') });
    const q = await cal.events.list({ calendarId: work, q: 'acme quarterly' });
    expect(q.data.items?.map((e) => e.id)).toEqual([ins.data.id]);
    const u = await cal.events.list({ calendarId: work, iCalUID: ins.data.iCalUID as string });
    expect(u.data.items?.map((e) => e.id)).toEqual([ins.data.id]);
  });
});

describe('recurring events', () => {
  it('expands a weekly rule into instances and honours exceptions', async () => {
    const { data: master } = await cal.events.insert({
      calendarId: 'primary',
      requestBody: timed('Stand-up', '2030-03-25T09:00:00', '2030-03-25T09:15:00', { recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6'] }),
    });
    const inst = await cal.events.instances({ calendarId: 'primary', eventId: master.id as string });
    const starts = inst.data.items?.map((e) => e.start?.dateTime);
    // 2030-03-31 is the switch to summer time: 09:00 stays 09:00 local.
    expect(starts).toEqual([
      '2030-03-25T09:00:00+01:00', '2030-03-27T09:00:00+01:00', '2030-04-01T09:00:00+02:00',
      '2030-04-03T09:00:00+02:00', '2030-04-08T09:00:00+02:00', '2030-04-10T09:00:00+02:00',
    ]);
    const second = inst.data.items?.[1] as calendar_v3.Schema$Event;
    expect(second.id).toBe(`${master.id}_20300327T080000Z`);
    expect(second.recurringEventId).toBe(master.id);
    const moved = await cal.events.patch({ calendarId: 'primary', eventId: second.id as string, requestBody: { summary: 'Stand-up (moved)' } });
    expect(moved.data.recurringEventId).toBe(master.id);
    await cal.events.delete({ calendarId: 'primary', eventId: inst.data.items?.[2]?.id as string });
    const after = await cal.events.instances({ calendarId: 'primary', eventId: master.id as string });
    expect(after.data.items).toHaveLength(5);
    expect(after.data.items?.[1]?.summary).toBe('Stand-up (moved)');
    const single = await cal.events.list({ calendarId: 'primary', singleEvents: true, orderBy: 'startTime', timeMin: '2030-03-24T00:00:00Z', timeMax: '2030-04-12T00:00:00Z', q: 'stand-up' });
    expect(single.data.items).toHaveLength(5);
    const series = await cal.events.list({ calendarId: 'primary', timeMin: '2030-03-24T00:00:00Z', timeMax: '2030-04-12T00:00:00Z', q: 'stand-up' });
    expect(series.data.items?.find((e) => e.id === master.id)?.recurrence).toEqual(['RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6']);
  });

  it('supports daily all-day rules with UNTIL, monthly BYDAY ordinals and EXDATE', async () => {
    const daily = await cal.events.insert({ calendarId: work, requestBody: { summary: 'Trip', start: { date: '2030-08-01' }, end: { date: '2030-08-02' }, recurrence: ['RRULE:FREQ=DAILY;UNTIL=20300804'] } });
    const d = await cal.events.instances({ calendarId: work, eventId: daily.data.id as string });
    expect(d.data.items?.map((e) => e.start?.date)).toEqual(['2030-08-01', '2030-08-02', '2030-08-03', '2030-08-04']);
    const monthly = await cal.events.insert({
      calendarId: work,
      requestBody: timed('Board', '2030-01-06T18:00:00', '2030-01-06T19:00:00', { recurrence: ['RRULE:FREQ=MONTHLY;BYDAY=1SU;COUNT=4', 'EXDATE;TZID=Europe/Paris:20300203T180000'] }),
    });
    const m = await cal.events.instances({ calendarId: work, eventId: monthly.data.id as string });
    expect(m.data.items?.map((e) => e.start?.dateTime?.slice(0, 10))).toEqual(['2030-01-06', '2030-03-03', '2030-04-07']);
    const missingTz = await failure(cal.events.insert({ calendarId: work, requestBody: { summary: 'x', start: { dateTime: '2030-01-06T18:00:00+01:00' }, end: { dateTime: '2030-01-06T19:00:00+01:00' }, recurrence: ['RRULE:FREQ=DAILY'] } }));
    expect(missingTz.status).toBe(400);
  });

  it('reports instance changes to an incremental sync with singleEvents, and cancels a deleted series', async () => {
    const { data: master } = await cal.events.insert({ calendarId: work, requestBody: timed('Weekly 1:1', '2030-09-02T14:00:00', '2030-09-02T14:30:00', { recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'] }) });
    const full = await cal.events.list({ calendarId: work, singleEvents: true, maxResults: 2500 });
    expect(full.data.items?.filter((e) => e.recurringEventId === master.id)).toHaveLength(3);
    const token = full.data.nextSyncToken as string;
    const second = `${master.id}_20300909T120000Z`;
    await cal.events.patch({ calendarId: work, eventId: second, requestBody: { summary: 'moved' } });
    const inc = await cal.events.list({ calendarId: work, singleEvents: true, syncToken: token });
    expect(inc.data.items?.map((e) => [e.id, e.summary])).toEqual([[second, 'moved']]);
    await cal.events.delete({ calendarId: work, eventId: master.id as string });
    const inc2 = await cal.events.list({ calendarId: work, syncToken: inc.data.nextSyncToken as string });
    expect(inc2.data.items?.find((e) => e.id === master.id)?.status).toBe('cancelled');
    expect(inc2.data.items?.find((e) => e.id === second)?.status).toBe('cancelled');
    const gone = await cal.events.list({ calendarId: work, singleEvents: true, maxResults: 2500 });
    expect(gone.data.items?.some((e) => e.recurringEventId === master.id)).toBe(false);
  });
});

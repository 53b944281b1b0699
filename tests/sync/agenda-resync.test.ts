/**
 * Agenda sync: full resyncs (410, Reset), dry runs, what is skipped, time zones.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventIdFor } from '../../electron/core/sync/agenda/mapping';
import { dump } from '../helpers';
import { EVENT_CRM_ID } from '../../electron/core/google/identity';
import { agendaFixture, connectWithoutBrowser, timed, type AgendaFixture } from './agenda-fixture';

let f: AgendaFixture;
afterEach(async () => {
  await f.close();
});

async function seedBothSides(x: AgendaFixture) {
  await x.createAction({ title: 'CRM 1', period: timed(1) });
  await x.createAction({ title: 'CRM 2', period: timed(2) });
  await x.cal.events.insert({ calendarId: x.calendarId, requestBody: { summary: 'Phone 1', start: { dateTime: timed(3).start }, end: { dateTime: timed(3).end } } });
}

describe('full resyncs', () => {
  it('410 → full resync: nothing lost, nothing duplicated, deletions in between still seen', async () => {
    f = await agendaFixture();
    await seedBothSides(f);
    await f.sync();
    const victim = f.actionIds()[0]!;
    await f.cal.events.delete({ calendarId: f.calendarId, eventId: eventIdFor(victim) });
    await f.cal.events.insert({ calendarId: f.calendarId, requestBody: { summary: 'Phone 2', start: { dateTime: timed(4).start }, end: { dateTime: timed(4).end } } });
    await f.emu.fault({ type: 'invalidateSyncTokens', email: f.repEmail });
    const r = await f.sync();
    expect(r.status).toBe('ok');
    expect(r.crm.created).toBe(1);
    expect(r.pendingDeletions).toBe(1);
    expect(r.google).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(f.actionIds()).toHaveLength(4);
    expect((await f.gEvents()).map((e) => e.summary).sort()).toEqual(['CRM 2', 'Phone 1', 'Phone 2']);
    const again = await f.sync();
    expect(again.requests).toBe(1);
  });

  it('Reset (calendar, keep) then resync → re-linked, no duplicate on either side', async () => {
    f = await agendaFixture();
    await seedBothSides(f);
    await f.sync();
    await f.core.invoke(f.rep, 'google.reset', { scope: 'calendar', inGoogle: 'keep' });
    const r = await f.sync();
    expect(r.status).toBe('ok');
    expect(r.crm.created).toBe(0);
    expect(r.google.created).toBe(0);
    expect(r.decisions.filter((d) => d.kind === 'relinked')).toHaveLength(3);
    expect(f.actionIds()).toHaveLength(3);
    expect(await f.gEvents()).toHaveLength(3);
  });
});

describe('Reset then resync: events pulled from Google', () => {
  it('are re-linked by the origin the store remembers, after a Reset calendar and a Reset account, without a write', async () => {
    f = await agendaFixture();
    await seedBothSides(f);
    await f.sync();
    const before = await f.gEvents();
    const actions = f.actionIds();
    await f.core.invoke(f.rep, 'google.reset', { scope: 'calendar', inGoogle: 'keep' });
    let r = await f.sync();
    expect(r.status).toBe('ok');
    expect(r.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(r.google).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(r.decisions.map((d) => d.message).filter((m) => m.includes('as the event it came from'))).toEqual([expect.stringContaining('Phone 1')]);
    // The calendar lookup and one listing page: nothing written to Google.
    expect(r.requests).toBe(2);
    expect(await f.gEvents()).toEqual(before);
    expect(f.actionIds()).toEqual(actions);

    await f.core.invoke(f.rep, 'google.reset', { scope: 'account', inGoogle: 'keep' });
    expect(f.db.prepare('SELECT count(*) AS n FROM google_origins WHERE user_id = ?').get(f.repId)).toEqual({ n: 1 });
    await connectWithoutBrowser(f, f.repId, f.repEmail);
    r = await f.sync();
    expect(r.status).toBe('ok');
    expect(r.decisions.filter((d) => d.kind === 'relinked')).toHaveLength(3);
    expect(r.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(r.google).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(await f.gEvents()).toEqual(before);
    expect(f.actionIds()).toEqual(actions);
  });

  it('pulled before migration 0006 (the origin in google_origins, the link not marked): a Reset then a resync still re-link, and delete in Google spares it', async () => {
    f = await agendaFixture();
    await seedBothSides(f);
    await f.sync();
    const before = await f.gEvents();
    const actions = f.actionIds();
    // What a store pulled into by the earlier version holds.
    const phone = f.db.prepare("SELECT crm_id, google_id FROM sync_links WHERE user_id = ? AND kind = 'event' AND pulled = 1").get(f.repId) as { crm_id: number; google_id: string };
    f.db.prepare('UPDATE sync_links SET pulled = 0 WHERE user_id = ?').run(f.repId);
    f.db.prepare('INSERT INTO google_origins (user_id, calendar_id, google_id, action_id, created_at) VALUES (?, ?, ?, ?, ?)').run(f.repId, f.calendarId, phone.google_id, phone.crm_id, new Date().toISOString());
    await f.core.invoke(f.rep, 'google.reset', { scope: 'calendar', inGoogle: 'keep' });
    const r = await f.sync();
    expect(r.status).toBe('ok');
    expect(r.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(r.google).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(r.decisions.map((d) => d.message).filter((m) => m.includes('as the event it came from'))).toEqual([expect.stringContaining('Phone 1')]);
    expect(await f.gEvents()).toEqual(before);
    expect(f.actionIds()).toEqual(actions);
    const reset = await f.core.invoke(f.rep, 'google.reset', { scope: 'calendar', inGoogle: 'delete' });
    expect(reset.deletedInGoogle).toBe(2);
    expect((await f.gEvents()).map((e) => e.summary)).toEqual(['Phone 1']);
  });

  it('Reset with "delete in Google" deletes what the app created, not what was booked on the phone; the resync duplicates nothing', async () => {
    f = await agendaFixture();
    await seedBothSides(f);
    await f.sync();
    const phoneAction = f.actionIds().find((id) => f.action(id).title === 'Phone 1')!;
    // An update gives the phone's event the CRM id; it is still the phone's event.
    await f.core.invoke(f.rep, 'actions.update', { id: phoneAction, patch: { location: 'Bureau' } });
    await f.sync();
    expect((await f.gEvents()).find((e) => e.summary === 'Phone 1')!.extendedProperties?.private?.[EVENT_CRM_ID]).toBe(String(phoneAction));
    const r = await f.core.invoke(f.rep, 'google.reset', { scope: 'calendar', inGoogle: 'delete' });
    expect(r.deletedInGoogle).toBe(2);
    expect((await f.gEvents()).map((e) => e.summary)).toEqual(['Phone 1']);
    const again = await f.sync();
    expect(again.status).toBe('ok');
    expect(again.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(again.google.created).toBe(2);
    expect(f.actionIds()).toHaveLength(3);
    expect((await f.gEvents()).map((e) => e.summary).sort()).toEqual(['CRM 1', 'CRM 2', 'Phone 1']);
    expect((await f.sync()).google).toEqual({ created: 0, updated: 0, deleted: 0 });
  });
});

describe('dry run', () => {
  it('writes nothing on either side and predicts the counts of the real run', async () => {
    f = await agendaFixture();
    await seedBothSides(f);
    await f.sync();
    const [a, b] = f.actionIds();
    await f.core.invoke(f.rep, 'actions.update', { id: a!, patch: { title: 'CRM 1 bis' } });
    await f.core.invoke(f.rep, 'actions.delete', { id: b! });
    await f.createAction({ title: 'CRM 3', period: timed(5) });
    await f.cal.events.insert({ calendarId: f.calendarId, requestBody: { summary: 'Phone 2', start: { dateTime: timed(6).start }, end: { dateTime: timed(6).end } } });
    const phone1 = (await f.gEvents()).find((e) => e.summary === 'Phone 1')!;
    await f.cal.events.patch({ calendarId: f.calendarId, eventId: phone1.id!, requestBody: { location: 'Ici' } });
    const dbBefore = dump(f.db);
    const googleBefore = JSON.stringify(await f.gEvents());
    const dry = await f.sync({ dryRun: true });
    expect(dry.runId).toBeNull();
    expect(dump(f.db)).toBe(dbBefore);
    expect(JSON.stringify(await f.gEvents())).toBe(googleBefore);
    const real = await f.sync();
    expect(dry.crm).toEqual(real.crm);
    expect(dry.google).toEqual(real.google);
    expect(real.crm).toEqual({ created: 1, updated: 1, deleted: 0 });
    expect(real.google).toEqual({ created: 1, updated: 1, deleted: 1 });
  });
});

describe('what is not synced', () => {
  it('a recurring Google event and a repeating CRM action are skipped and counted', async () => {
    f = await agendaFixture();
    await f.cal.events.insert({
      calendarId: f.calendarId,
      requestBody: { summary: 'Hebdo', start: { dateTime: timed(1).start, timeZone: 'Europe/Paris' }, end: { dateTime: timed(1).end, timeZone: 'Europe/Paris' }, recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'] },
    });
    const id = await f.createAction({ title: 'Série', period: timed(2) });
    f.db.prepare("UPDATE actions SET series_id = 'S1' WHERE id = ?").run(id);
    const r = await f.sync();
    expect(r.skipped).toEqual(expect.arrayContaining([{ reason: 'recurring-google', count: 1 }, { reason: 'series-crm', count: 1 }]));
    expect(f.actionIds()).toEqual([id]);
    expect((await f.gEvents()).map((e) => e.summary)).toEqual(['Hebdo']);
  });

  it('changes outside the window are ignored on both sides', async () => {
    f = await agendaFixture();
    await f.createAction({ title: 'Vieux', period: timed(-100) });
    await f.cal.events.insert({ calendarId: f.calendarId, requestBody: { summary: 'Lointain', start: { dateTime: timed(200).start }, end: { dateTime: timed(200).end } } });
    await f.sync();
    await f.cal.events.insert({ calendarId: f.calendarId, requestBody: { summary: 'Lointain 2', start: { dateTime: timed(300).start }, end: { dateTime: timed(300).end } } });
    const r = await f.sync();
    expect(r.crm.created).toBe(0);
    expect(f.actionIds()).toHaveLength(1);
    expect((await f.gEvents()).map((e) => e.summary).sort()).toEqual(['Lointain', 'Lointain 2']);
  });
});

describe('the window moves on', () => {
  it('an action that enters the window as days pass is pushed by an incremental run; one that never left it is not looked at again', async () => {
    let shift = 0;
    f = await agendaFixture({ now: () => new Date(Date.now() + shift) });
    const later = await f.createAction({ title: 'Dans quatre mois', period: timed(100) });
    const soon = await f.createAction({ title: 'Bientôt', period: timed(2) });
    let r = await f.sync();
    expect(r.google.created).toBe(1);
    expect(r.skipped).toContainEqual({ reason: 'out-of-window', count: 1 });
    expect(f.db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 0 });
    r = await f.sync();
    expect(r.requests).toBe(1);
    expect(r.google).toEqual({ created: 0, updated: 0, deleted: 0 });
    // Twenty days later (months after: 3), "later" is in the window: nothing in the outbox, nothing
    // new in Google, and yet the incremental run finds it and pushes it.
    shift = 20 * 86_400_000;
    r = await f.sync();
    expect(r.status).toBe('ok');
    expect(r.google).toEqual({ created: 1, updated: 0, deleted: 0 });
    expect(r.requests).toBe(2);
    expect((await f.gEvents()).map((e) => e.id).sort()).toEqual([eventIdFor(later), eventIdFor(soon)].sort());
    const win = f.db.prepare('SELECT window_from_ms AS fromMs, window_to_ms AS toMs FROM sync_calendars WHERE user_id = ?').get(f.repId) as { fromMs: number; toMs: number };
    expect(win.toMs).toBeGreaterThan(Date.parse(timed(100).end) - 20 * 86_400_000);
    r = await f.sync();
    expect(r.requests).toBe(1);
    expect(r.google).toEqual({ created: 0, updated: 0, deleted: 0 });
  });

  it('"keep" on a deletion made in Google is pushed again even when the run it starts is cut short', async () => {
    f = await agendaFixture();
    const id = await f.createAction({ title: 'Gardée', period: timed(3) });
    await f.sync();
    await f.cal.events.delete({ calendarId: f.calendarId, eventId: eventIdFor(id) });
    expect((await f.sync()).pendingDeletions).toBe(1);
    // The run "keep" starts fails (Google refuses its listing, and again after the token refresh the
    // client tries on a 403): the next incremental run pushes it.
    await f.emu.fault({ type: 'error', status: 403, reason: 'accessNotConfigured', count: 2 });
    const [pending] = f.core.invokeSync(f.rep, 'agendaSync.pendingDeletions', {});
    await f.core.invoke(f.rep, 'agendaSync.resolveDeletions', { ids: [pending!.id], decision: 'keep' });
    expect((await f.gEvents()).map((e) => e.summary)).toEqual([]);
    const r = await f.sync();
    expect(r.status).toBe('ok');
    expect(r.google.created).toBe(1);
    expect((await f.gEvents()).map((e) => e.summary)).toEqual(['Gardée']);
  });
});

describe('time zones', () => {
  for (const timeZone of ['Europe/Paris', 'America/Los_Angeles']) {
    it(`all-day and DST-crossing events round-trip in ${timeZone}`, async () => {
      f = await agendaFixture({ timeZone });
      // A 3-day all-day action and a timed one, both spanning a DST change (March/November).
      const year = new Date().getUTCFullYear() + 1;
      await f.core.invoke(f.rep, 'syncPrefs.update', { patch: { monthsAfter: 24 } });
      const allDay = await f.createAction({ title: 'Congrès', period: { allDay: true, startDate: `${year}-03-07`, endDate: `${year}-03-30` } });
      const timedId = await f.createAction({ title: 'Nuit', period: { allDay: false, start: `${year}-03-28T20:00:00.000Z`, end: `${year}-03-29T08:00:00.000Z` } });
      await f.cal.events.insert({ calendarId: f.calendarId, requestBody: { summary: 'Férié', start: { date: `${year}-03-09` }, end: { date: `${year}-03-10` } } });
      await f.sync();
      const ev = (await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(allDay) })).data;
      expect(ev.start).toMatchObject({ date: `${year}-03-07` });
      expect(ev.end).toMatchObject({ date: `${year}-03-31` });
      const t = (await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(timedId) })).data;
      expect(Date.parse(t.end!.dateTime!) - Date.parse(t.start!.dateTime!)).toBe(12 * 3_600_000);
      const holiday = f.actionIds().map((id) => f.action(id)).find((a) => a.title === 'Férié')!;
      expect(holiday.period).toEqual({ allDay: true, startDate: `${year}-03-09`, endDate: `${year}-03-09` });
      const again = await f.sync();
      expect(again.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
      expect(again.google).toEqual({ created: 0, updated: 0, deleted: 0 });
    });
  }
});

describe('faults', () => {
  it('503s, a 429 and a dropped connection are retried: both sides agree, nothing duplicated', async () => {
    f = await agendaFixture();
    await seedBothSides(f);
    await f.emu.fault({ type: 'error', status: 503, count: 2 });
    await f.emu.fault({ type: 'error', status: 429, count: 1, api: 'batch' });
    await f.emu.fault({ type: 'drop', count: 1 });
    const r = await f.sync();
    expect(r.status).toBe('ok');
    expect(f.actionIds()).toHaveLength(3);
    expect((await f.gEvents()).map((e) => e.summary).sort()).toEqual(['CRM 1', 'CRM 2', 'Phone 1']);
    const again = await f.sync();
    expect(again.google).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(again.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
  });
});

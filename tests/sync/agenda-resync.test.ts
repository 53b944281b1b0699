/**
 * Agenda sync: full resyncs (410, Reset), dry runs, what is skipped, time zones.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventIdFor } from '../../electron/core/sync/agenda/mapping';
import { dump } from '../helpers';
import { agendaFixture, timed, type AgendaFixture } from './agenda-fixture';

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

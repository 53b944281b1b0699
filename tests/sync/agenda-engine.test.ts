/**
 * The agenda sync engine end to end (issue 5): the core's channels against the in-process
 * emulator through the official clients; every test checks both sides.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_CRM_ID } from '../../electron/core/google/identity';
import { eventIdFor } from '../../electron/core/sync/agenda/mapping';
import { logTextOf } from '../../electron/core/sync/logText';
import { agendaFixture, timed, type AgendaFixture } from './agenda-fixture';

let f: AgendaFixture;
beforeEach(async () => {
  f = await agendaFixture();
});
afterEach(async () => {
  await f.close();
});

const byTitle = <E extends { summary?: string | null }>(events: E[], title: string) => events.find((e) => e.summary === title);

describe('first sync, both ways', () => {
  it('pushes CRM actions in the window with their fields and ids, pulls phone events as actions', async () => {
    const a = await f.createAction({ title: 'Visite client', location: 'Lyon', period: timed(2), private: true, reminder: { enabled: true, minutesBefore: 30 }, description: 'Apporter le devis' });
    const allDay = await f.createAction({ title: 'Salon', period: { allDay: true, startDate: timed(5).start.slice(0, 10), endDate: timed(6).start.slice(0, 10) } });
    const far = await f.createAction({ title: 'Trop loin', period: timed(400) });
    const phone = (await f.cal.events.insert({ calendarId: f.calendarId, requestBody: { summary: 'Dentiste', start: { dateTime: timed(3, 14).start }, end: { dateTime: timed(3, 15).start } } })).data;

    const r = await f.sync();
    // The calendar lookup, one listing page, one batch of two inserts: nothing written back for the pulled event.
    expect(r.requests).toBe(4);
    expect(r.status).toBe('ok');
    expect(r.google).toEqual({ created: 2, updated: 0, deleted: 0 });
    expect(r.crm).toEqual({ created: 1, updated: 0, deleted: 0 });
    expect(r.skipped).toContainEqual({ reason: 'out-of-window', count: 1 });

    const events = await f.gEvents();
    expect(events).toHaveLength(3);
    const visit = byTitle(events, 'Visite client')!;
    expect(visit.id).toBe(eventIdFor(a));
    expect(visit.location).toBe('Lyon');
    expect(visit.visibility).toBe('private');
    expect(visit.description).toBe('Apporter le devis');
    expect(visit.reminders?.overrides).toEqual([{ method: 'popup', minutes: 30 }]);
    expect(visit.extendedProperties?.private?.[EVENT_CRM_ID]).toBe(String(a));
    expect(visit.colorId).toMatch(/^\d+$/);
    const salon = byTitle(events, 'Salon')!;
    expect(salon.id).toBe(eventIdFor(allDay));
    expect(salon.start?.date).toBe(timed(5).start.slice(0, 10));
    expect(salon.end?.date).toBe(timed(7).start.slice(0, 10));
    expect(byTitle(events, 'Trop loin')).toBeUndefined();
    expect(far).toBeGreaterThan(0);

    const ids = f.actionIds();
    expect(ids).toHaveLength(4);
    const dentist = ids.map((id) => f.action(id)).find((x) => x.title === 'Dentiste')!;
    expect(dentist.period).toEqual({ allDay: false, start: timed(3, 14).start, end: timed(3, 15).start });
    // The phone's event is not written to (one quota-paced write per pulled event): the store
    // remembers it as the origin of its action, so a Reset then a resync re-links it.
    expect(byTitle(events, 'Dentiste')).toMatchObject({ etag: phone.etag, updated: phone.updated });
    expect(byTitle(events, 'Dentiste')!.extendedProperties?.private?.[EVENT_CRM_ID]).toBeUndefined();
    expect(f.db.prepare("SELECT google_id, crm_id FROM sync_links WHERE user_id = ? AND kind = 'event' AND pulled = 1").all(f.repId)).toEqual([{ google_id: phone.id, crm_id: dentist.id }]);
    // Nothing the sync wrote in the CRM goes back out.
    expect(f.db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 0 });
    expect(f.core.invokeSync(f.rep, 'agendaSync.log', {})[0]).toMatchObject({ status: 'ok', crm: { created: 1 }, google: { created: 2 } });
  });

  it('a second sync with nothing changed sends exactly one request (the incremental list)', async () => {
    await f.createAction({ title: 'Un', period: timed(1) });
    await f.cal.events.insert({ calendarId: f.calendarId, requestBody: { summary: 'Deux', start: { dateTime: timed(2).start }, end: { dateTime: timed(2).end } } });
    await f.sync();
    const before = await f.requests();
    const r = await f.sync();
    expect(r.requests).toBe(1);
    expect(await f.requests()).toBe(before + 1);
    expect(r.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(r.google).toEqual({ created: 0, updated: 0, deleted: 0 });
  });
});

describe('the sync log of a big first sync', () => {
  it('lists the first 100 creations one by one, then one line per page with how many more; the counts stay exact', async () => {
    const phone = Array.from({ length: 130 }, (_, i) => ({ summary: `Appel ${i}`, start: { dateTime: timed(1 + (i % 20), 8).start }, end: { dateTime: timed(1 + (i % 20), 8).end } }));
    await f.emu.seedEvents(f.repEmail, phone, { calendarId: f.calendarId });
    const before = f.db.pragma('wal_autocheckpoint', { simple: true });
    const r = await f.sync();
    expect(r.crm).toEqual({ created: 130, updated: 0, deleted: 0 });
    // The run held SQLite's own checkpoints back (engine.ts holdCheckpoints) and gave the setting back.
    expect(f.db.pragma('wal_autocheckpoint', { simple: true })).toBe(before);
    expect(f.actionIds()).toHaveLength(130);
    const entries = f.core.invokeSync(f.rep, 'agendaSync.logEntries', { runId: r.runId! });
    const created = entries.filter((e) => e.code === 'agenda.createdInCrm');
    expect(created).toHaveLength(100);
    // Each listed line names its action and its event.
    expect(new Set(created.map((e) => e.actionId)).size).toBe(100);
    expect(created.every((e) => e.googleId !== null)).toBe(true);
    expect(entries.filter((e) => e.code === 'agenda.createdInCrmMore')).toEqual([
      expect.objectContaining({ level: 'info', actionId: null, googleId: null, params: { count: 30 }, message: '30 more events created in the CRM from Google (not listed one by one).' }),
    ]);
  });
});

describe('edits', () => {
  it('an edit of every synced field on each side reaches the other side; a move; a duplicate', async () => {
    const id = await f.createAction({ title: 'Réunion', period: timed(2) });
    await f.sync();
    await f.core.invoke(f.rep, 'actions.update', {
      id,
      patch: { title: 'Réunion budget', location: 'Salle 2', private: true, reminder: { enabled: true, minutesBefore: 10 }, description: 'Ordre du jour', period: timed(4, 10) },
    });
    const dup = (await f.core.invoke(f.rep, 'actions.duplicate', { id, shiftDays: 1 })).id;
    let r = await f.sync();
    expect(r.google).toEqual({ created: 1, updated: 1, deleted: 0 });
    let ev = (await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(id) })).data;
    expect(ev).toMatchObject({ summary: 'Réunion budget', location: 'Salle 2', visibility: 'private', description: 'Ordre du jour' });
    expect(ev.reminders?.overrides).toEqual([{ method: 'popup', minutes: 10 }]);
    expect(Date.parse(ev.start!.dateTime!)).toBe(Date.parse(timed(4, 10).start));
    expect((await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(dup) })).data.summary).toBe('Réunion budget');

    // Google side: every field, plus an e-mail reminder the CRM cannot hold (kept).
    await f.cal.events.patch({
      calendarId: f.calendarId,
      eventId: eventIdFor(id),
      requestBody: {
        summary: 'Réunion annulée ?',
        location: 'Visio',
        visibility: 'default',
        description: '<b>Nouvel</b> ordre<br>du jour',
        reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 60 }, { method: 'email', minutes: 1440 }] },
        start: { dateTime: timed(5, 8).start },
        end: { dateTime: timed(5, 8, 2).end },
      },
    });
    r = await f.sync();
    expect(r.crm).toEqual({ created: 0, updated: 1, deleted: 0 });
    expect(r.google.updated).toBe(0);
    const a = f.action(id);
    expect(a).toMatchObject({ title: 'Réunion annulée ?', location: 'Visio', private: false, reminder: { enabled: true, minutesBefore: 60 }, description: 'Nouvel ordre\ndu jour' });
    expect(a.period).toEqual({ allDay: false, start: timed(5, 8).start, end: timed(5, 8, 2).end });
    // No ping-pong: the HTML stays in Google and a second sync changes nothing.
    const again = await f.sync();
    expect(again.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(again.google).toEqual({ created: 0, updated: 0, deleted: 0 });
    ev = (await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(id) })).data;
    expect(ev.description).toBe('<b>Nouvel</b> ordre<br>du jour');
    // A CRM reminder change keeps the e-mail reminder in Google.
    await f.core.invoke(f.rep, 'actions.update', { id, patch: { reminder: { enabled: true, minutesBefore: 5 } } });
    await f.sync();
    ev = (await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(id) })).data;
    expect(ev.reminders?.overrides).toEqual([{ method: 'popup', minutes: 5 }, { method: 'email', minutes: 1440 }]);
    expect(ev.description).toBe('<b>Nouvel</b> ordre<br>du jour');
  });

  it('concurrent edits: the same field → newest wins and is logged; different fields → both kept', async () => {
    const id = await f.createAction({ title: 'Point', location: 'A', period: timed(2) });
    await f.sync();
    await f.core.invoke(f.rep, 'actions.update', { id, patch: { title: 'Point CRM', location: 'B' } });
    await new Promise((res) => setTimeout(res, 20));
    await f.cal.events.patch({ calendarId: f.calendarId, eventId: eventIdFor(id), requestBody: { summary: 'Point Google', description: 'notes' } });
    const r = await f.sync();
    expect(r.decisions).toHaveLength(1);
    expect(r.decisions[0]).toMatchObject({ kind: 'conflict', actionId: id });
    expect(r.decisions[0]!.message).toContain('Google');
    expect(f.action(id)).toMatchObject({ title: 'Point Google', location: 'B', description: 'notes' });
    const ev = (await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(id) })).data;
    expect(ev).toMatchObject({ summary: 'Point Google', location: 'B', description: 'notes' });
    const entries = f.core.invokeSync(f.rep, 'agendaSync.logEntries', { runId: r.runId! });
    expect(entries.some((e) => e.level === 'warning' && e.message.includes('changed on both sides'))).toBe(true);
  });
});

describe('deletions', () => {
  it('a CRM deletion deletes the event; a Google deletion waits for the user, asked once', async () => {
    const a = await f.createAction({ title: 'A', period: timed(1) });
    const b = await f.createAction({ title: 'B', period: timed(2) });
    const c = await f.createAction({ title: 'C', period: timed(3) });
    const d = await f.createAction({ title: 'D', period: timed(4) });
    await f.sync();
    await f.core.invoke(f.rep, 'actions.delete', { id: a });
    for (const id of [b, c, d]) await f.cal.events.delete({ calendarId: f.calendarId, eventId: eventIdFor(id) });
    let r = await f.sync();
    expect(r.google.deleted).toBe(1);
    expect(r.pendingDeletions).toBe(3);
    expect((await f.gEvents()).map((e) => e.summary)).toEqual([]);
    expect(f.actionIds()).toEqual([b, c, d]);
    r = await f.sync();
    expect(r.pendingDeletions).toBe(3);
    const pending = f.core.invokeSync(f.rep, 'agendaSync.pendingDeletions', {});
    expect(pending.map((p) => p.title)).toEqual(['B', 'C', 'D']);
    // Keep B: re-created in Google; delete the rest with "apply to all".
    expect(await f.core.invoke(f.rep, 'agendaSync.resolveDeletions', { ids: [pending[0]!.id], decision: 'keep' })).toEqual({ deleted: 0, kept: 1 });
    expect((await f.gEvents()).map((e) => e.summary)).toEqual(['B']);
    expect(await f.core.invoke(f.rep, 'agendaSync.resolveDeletions', { ids: 'all', decision: 'delete' })).toEqual({ deleted: 2, kept: 0 });
    expect(f.actionIds()).toEqual([b]);
    r = await f.sync();
    expect(r.pendingDeletions).toBe(0);
    expect(r.google).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect((await f.gEvents()).map((e) => e.summary)).toEqual(['B']);
  });

  it('delete vs edit: the edit wins on either side, and it is logged', async () => {
    const a = await f.createAction({ title: 'Edité CRM', period: timed(1) });
    const b = await f.createAction({ title: 'Edité Google', period: timed(2) });
    await f.sync();
    await f.core.invoke(f.rep, 'actions.update', { id: a, patch: { title: 'Edité CRM 2' } });
    await f.cal.events.delete({ calendarId: f.calendarId, eventId: eventIdFor(a) });
    await f.cal.events.patch({ calendarId: f.calendarId, eventId: eventIdFor(b), requestBody: { summary: 'Edité Google 2' } });
    await f.core.invoke(f.rep, 'actions.delete', { id: b });
    const r = await f.sync();
    expect(r.decisions.filter((d) => d.kind === 'delete-vs-edit')).toHaveLength(2);
    expect(r.pendingDeletions).toBe(0);
    const titles = f.actionIds().map((id) => f.action(id).title).sort();
    expect(titles).toEqual(['Edité CRM 2', 'Edité Google 2']);
    expect((await f.gEvents()).map((e) => e.summary).sort()).toEqual(['Edité CRM 2', 'Edité Google 2']);
    const second = await f.sync();
    expect(second.google).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(second.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
  });
});

describe('the sync log carries its codes', () => {
  it('every line a run writes has its code and params stored with it (never `text`), the same as its sentence says', async () => {
    const conflict = await f.createAction({ title: 'Point', location: 'A', period: timed(2) });
    const editedInCrm = await f.createAction({ title: 'Edité CRM', period: timed(3) });
    const editedInGoogle = await f.createAction({ title: 'Edité Google', period: timed(4) });
    const deleted = await f.createAction({ title: 'Supprimé CRM', period: timed(5) });
    const waiting = await f.createAction({ title: 'Supprimé Google', period: timed(6) });
    await f.sync();
    await f.emu.seedEvents(
      f.repEmail,
      [
        { summary: 'Au téléphone', start: { dateTime: timed(8).start }, end: { dateTime: timed(8).end } },
        { summary: 'Chaque lundi', start: { dateTime: timed(9).start, timeZone: 'Europe/Paris' }, end: { dateTime: timed(9).end, timeZone: 'Europe/Paris' }, recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'] },
      ],
      { calendarId: f.calendarId },
    );
    await f.core.invoke(f.rep, 'actions.update', { id: conflict, patch: { title: 'Point CRM' } });
    await f.core.invoke(f.rep, 'actions.update', { id: editedInCrm, patch: { title: 'Edité CRM 2' } });
    await f.core.invoke(f.rep, 'actions.delete', { id: deleted });
    await new Promise((res) => setTimeout(res, 20));
    await f.cal.events.patch({ calendarId: f.calendarId, eventId: eventIdFor(conflict), requestBody: { summary: 'Point Google' } });
    await f.cal.events.delete({ calendarId: f.calendarId, eventId: eventIdFor(editedInCrm) });
    await f.cal.events.patch({ calendarId: f.calendarId, eventId: eventIdFor(editedInGoogle), requestBody: { summary: 'Edité Google 2' } });
    await f.core.invoke(f.rep, 'actions.delete', { id: editedInGoogle });
    await f.cal.events.delete({ calendarId: f.calendarId, eventId: eventIdFor(waiting) });
    const r = await f.sync();

    const rows = f.db.prepare('SELECT code, params, message FROM sync_log WHERE run_id = ? ORDER BY id').all(r.runId!) as { code: string | null; params: string | null; message: string }[];
    const codes = new Set(rows.map((row) => row.code));
    for (const code of ['agenda.conflict', 'agenda.deletedInGoogleEditedInCrm', 'agenda.deletedInCrmEditedInGoogle', 'agenda.createdInCrm', 'agenda.deletedInGoogle', 'agenda.pendingDeletion', 'run.skipped', 'agenda.run']) {
      expect(codes, code).toContain(code);
    }
    for (const row of rows) {
      expect(row.code, row.message).not.toBeNull();
      expect(row.code, row.message).not.toBe('text');
      // The sentence stored is the one its code and params render (what the CLI and older readers see).
      expect({ code: row.code, params: row.params === null ? {} : JSON.parse(row.params) as unknown, message: row.message }).toEqual(logTextOf(row.message));
    }
    // The report's decisions carry the code and params they were built with; the log reads them back.
    expect(r.decisions.map((d) => d.code).sort()).toEqual(['agenda.conflict', 'agenda.deletedInCrmEditedInGoogle', 'agenda.deletedInGoogleEditedInCrm']);
    expect(r.decisions.find((d) => d.code === 'agenda.conflict')!.params).toMatchObject({ title: 'Point CRM', field: 'title', winner: 'google', rule: 'newest' });
    const entries = f.core.invokeSync(f.rep, 'agendaSync.logEntries', { runId: r.runId! });
    expect(entries.map((e) => e.code)).toEqual(rows.map((row) => row.code));
  });
});

describe('rights', () => {
  it('a rep cannot run or preview a colleague’s sync; ADM can, with the colleague’s connection', async () => {
    for (const dryRun of [true, false]) {
      const reply = await f.core.call(f.colleague, 'agendaSync.run', { userId: f.repId, dryRun });
      expect(reply.ok ? null : reply.error.code).toBe('FORBIDDEN');
    }
    const pend = f.core.callSync(f.colleague, 'agendaSync.pendingDeletions', { userId: f.repId });
    expect(pend.ok ? null : pend.error.code).toBe('FORBIDDEN');
    await f.createAction({ title: 'X', period: timed(1) });
    const r = await f.sync({ conn: f.adm, userId: f.repId });
    expect(r.google.created).toBe(1);
    expect(r.userId).toBe(f.repId);
  });
});

/**
 * Agenda sync: the bugs the fault-injection test (fault-injection.test.ts) found, each as a
 * scenario — a run cut short between two steps, reminders the CRM cannot hold, reused action ids.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emit } from '../../electron/core/context';
import { EVENT_CRM_ID } from '../../electron/core/google/identity';
import { runAgendaSync, type EngineDeps } from '../../electron/core/sync/agenda/engine';
import { eventIdFor } from '../../electron/core/sync/agenda/mapping';
import { agendaFixture, timed, type AgendaFixture } from './agenda-fixture';
import { startFaultProxy } from './fault-proxy';

let f: AgendaFixture;
beforeEach(async () => {
  f = await agendaFixture();
});
afterEach(async () => {
  await f.close();
});

/** A run that is "killed" (its signal aborted) at the first progress event `when` accepts. */
function crashingRun(when: (p: { phase: string; done: number; total: number }) => boolean) {
  const abort = new AbortController();
  const broadcast = ((event: string, payload: { phase: string; done: number; total: number }) => {
    if (event === 'onSyncProgress' && when(payload)) abort.abort();
  }) as Emit;
  const deps: EngineDeps = { db: f.db, services: f.core.services, now: () => new Date(), broadcast, baseDelayMs: 1 };
  return runAgendaSync(deps, { userId: f.repId, startedBy: f.repId, trigger: 'manual', dryRun: false, signal: abort.signal });
}

describe('a run cut short between two steps', () => {
  it('stops at the next step when its signal is aborted, and the next run finishes the job without duplicates', async () => {
    const a = await f.createAction({ title: 'Poussée', period: timed(1) });
    // Killed once Google has answered the batch, before any answer is recorded.
    const r = await crashingRun((p) => p.phase === 'push' && p.done > 0);
    expect(r.status).toBe('cancelled');
    expect(f.db.prepare('SELECT count(*) AS n FROM sync_links').get()).toEqual({ n: 0 });
    expect(f.db.prepare('SELECT count(*) AS n FROM sync_tokens').get()).toEqual({ n: 0 });
    expect((await f.gEvents()).map((e) => e.id)).toEqual([eventIdFor(a)]);
    const again = await f.sync();
    expect(again.status).toBe('ok');
    expect(again.decisions).toEqual([expect.objectContaining({ kind: 'relinked', actionId: a })]);
    expect((await f.gEvents()).map((e) => e.id)).toEqual([eventIdFor(a)]);
    expect(f.db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 0 });
  });

  it('an event pulled from Google whose marking was cut short gets its CRM id at the next run', async () => {
    const ev = (await f.cal.events.insert({ calendarId: f.calendarId, requestBody: { summary: 'Du téléphone', start: { dateTime: timed(2).start }, end: { dateTime: timed(2).end } } })).data;
    // Killed after the action was created in the CRM, before the 'mark' batch went out.
    const r = await crashingRun((p) => p.phase === 'push' && p.done === 0);
    expect(r.status).toBe('cancelled');
    const [id] = f.actionIds();
    expect(f.action(id!).title).toBe('Du téléphone');
    expect((await f.cal.events.get({ calendarId: f.calendarId, eventId: ev.id! })).data.extendedProperties?.private?.[EVENT_CRM_ID]).toBeUndefined();
    // Nothing changed on either side since, yet the next run marks the event.
    const again = await f.sync();
    expect(again.status).toBe('ok');
    expect(again.google).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect((await f.cal.events.get({ calendarId: f.calendarId, eventId: ev.id! })).data.extendedProperties?.private?.[EVENT_CRM_ID]).toBe(String(id));
    const third = await f.sync();
    expect(third.requests).toBe(1);
  });
});

describe('reminders the CRM cannot hold', () => {
  it('turning the reminder off in the CRM leaves no popup in Google that would read as "on"', async () => {
    const id = await f.createAction({ title: 'Rappels', period: timed(3), reminder: { enabled: true, minutesBefore: 15 } });
    await f.sync();
    await f.cal.events.patch({
      calendarId: f.calendarId,
      eventId: eventIdFor(id),
      requestBody: { reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 60 }, { method: 'popup', minutes: 10 }, { method: 'email', minutes: 1440 }] } },
    });
    await f.sync();
    expect(f.action(id)).toMatchObject({ reminder: { enabled: true, minutesBefore: 10 } });
    await f.core.invoke(f.rep, 'actions.update', { id, patch: { reminder: { enabled: false, minutesBefore: 10 } } });
    await f.sync();
    const ev = (await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(id) })).data;
    expect(ev.reminders?.overrides).toEqual([{ method: 'email', minutes: 1440 }]);
    const again = await f.sync();
    expect(again.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(again.google).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(f.action(id)).toMatchObject({ reminder: { enabled: false, minutesBefore: 10 } });
  });
});

describe('action ids are never reused', () => {
  it('deleting the newest action then creating one before a sync: the old event goes, a new one comes, nothing mixed', async () => {
    await f.createAction({ title: 'Ancienne', period: timed(1) });
    const old = await f.createAction({ title: 'Supprimée', location: 'Lyon', period: timed(2) });
    await f.sync();
    await f.cal.events.patch({ calendarId: f.calendarId, eventId: eventIdFor(old), requestBody: { description: 'Notes du téléphone' } });
    await f.core.invoke(f.rep, 'actions.delete', { id: old });
    const fresh = await f.createAction({ title: 'Nouvelle', period: timed(4) });
    expect(fresh).toBeGreaterThan(old);
    const r = await f.sync();
    expect(r.status).toBe('ok');
    // The deleted action was edited in Google meanwhile: the edit wins, it comes back as a NEW action.
    const titles = f.actionIds().map((id) => f.action(id).title).sort();
    expect(titles).toEqual(['Ancienne', 'Nouvelle', 'Supprimée']);
    expect(f.action(fresh)).toMatchObject({ title: 'Nouvelle', location: '', description: '' });
    const events = (await f.gEvents()).filter((e) => e.status !== 'cancelled');
    expect(events.map((e) => e.summary).sort()).toEqual(['Ancienne', 'Nouvelle', 'Supprimée']);
    const markers = events.map((e) => e.extendedProperties?.private?.[EVENT_CRM_ID]);
    expect(new Set(markers).size).toBe(3);
    expect(events.find((e) => e.summary === 'Nouvelle')!.id).toBe(eventIdFor(fresh));
  });
});

describe('a reminder that was off', () => {
  it('switched on in the CRM while Google edits another field: both edits survive (no false conflict)', async () => {
    const id = await f.createAction({ title: 'Sans rappel', period: timed(2), reminder: { enabled: false, minutesBefore: 15 } });
    await f.sync();
    await f.core.invoke(f.rep, 'actions.update', { id, patch: { reminder: { enabled: true, minutesBefore: 1440 } } });
    await new Promise((res) => setTimeout(res, 20));
    await f.cal.events.patch({ calendarId: f.calendarId, eventId: eventIdFor(id), requestBody: { summary: 'Titre du téléphone' } });
    const r = await f.sync();
    expect(r.decisions.filter((d) => d.kind === 'conflict')).toEqual([]);
    expect(f.action(id)).toMatchObject({ title: 'Titre du téléphone', reminder: { enabled: true, minutesBefore: 1440 } });
    const ev = (await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(id) })).data;
    expect(ev.reminders?.overrides).toEqual([{ method: 'popup', minutes: 1440 }]);
  });
});

describe('quota answers to a whole batch', () => {
  it('a batch refused with 403 rateLimitExceeded is sent again after a backoff, not given up', async () => {
    const id = await f.createAction({ title: 'En lot', period: timed(1) });
    await f.emu.fault({ type: 'error', status: 403, count: 2, api: 'batch' });
    const deps: EngineDeps = { db: f.db, services: f.core.services, now: () => new Date(), broadcast: () => undefined, baseDelayMs: 1 };
    const r = await runAgendaSync(deps, { userId: f.repId, startedBy: f.repId, trigger: 'manual', dryRun: false });
    expect(r.status).toBe('ok');
    expect(r.google.created).toBe(1);
    expect((await f.gEvents()).map((e) => e.id)).toEqual([eventIdFor(id)]);
  });
});

describe('an answer lost after Google applied the write', () => {
  it('a conditional PATCH retried after its answer was lost meets its own etag (412): read, merged and sent again', async () => {
    const proxy = await startFaultProxy(f.emu.url);
    try {
      await f.core.invoke(f.adm, 'google.setClient', { rootUrl: proxy.url });
      const id = await f.createAction({ title: 'Avant', period: timed(2) });
      await f.sync();
      await f.core.invoke(f.rep, 'actions.update', { id, patch: { title: 'Titre CRM' } });
      await f.cal.events.patch({ calendarId: f.calendarId, eventId: eventIdFor(id), requestBody: { location: 'Lieu Google' } });
      // The batch's answer is lost once Google has applied it: sent again, its PATCH meets 412 (its
      // own etag); the engine re-reads and PATCHes alone — and that answer is lost too, so the
      // retried lone PATCH meets 412 once more.
      let lost = 0;
      const once = new Set<string>();
      proxy.trouble = {
        after: (r) => {
          const kind = r.path.startsWith('/batch/') ? 'batch' : r.method === 'PATCH' ? 'patch' : null;
          if (!kind || once.has(kind)) return null;
          once.add(kind);
          lost++;
          return 'lose';
        },
      };
      const deps: EngineDeps = { db: f.db, services: f.core.services, now: () => new Date(), broadcast: () => undefined, baseDelayMs: 1 };
      const r = await runAgendaSync(deps, { userId: f.repId, startedBy: f.repId, trigger: 'manual', dryRun: false });
      proxy.trouble = {};
      expect(lost).toBe(2);
      expect(r.errors).toEqual([]);
      expect(r.status).toBe('ok');
      expect(f.action(id)).toMatchObject({ title: 'Titre CRM', location: 'Lieu Google' });
      const ev = (await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(id) })).data;
      expect(ev).toMatchObject({ summary: 'Titre CRM', location: 'Lieu Google' });
      const again = await f.sync();
      expect(again.google).toEqual({ created: 0, updated: 0, deleted: 0 });
      expect(again.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
    } finally {
      await proxy.close();
    }
  });
});

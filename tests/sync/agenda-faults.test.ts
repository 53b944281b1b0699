/**
 * Agenda sync: the bugs the fault-injection test (fault-injection.test.ts) found, each as a
 * scenario — a run cut short between two steps, reminders the CRM cannot hold, reused action ids —
 * and the efficiency work's guarantees: runs a crash left 'running' are closed, pulled events are
 * not written back, automatic runs push without listing, a 412 between our read and our write.
 */
import { hostname } from 'node:os';
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

  it('a run killed after it created actions from Google, before its token was saved: closed as interrupted, then finished without duplicates', async () => {
    await f.cal.events.insert({ calendarId: f.calendarId, requestBody: { summary: 'Du téléphone', start: { dateTime: timed(2).start }, end: { dateTime: timed(2).end } } });
    const a = await f.createAction({ title: 'Du CRM', period: timed(3) });
    const first = await f.sync();
    expect(first.crm.created).toBe(1);
    // What a crash at that point leaves on disk: the actions, links and origins committed with
    // each creation; the run still 'running', no sync token, the CRM edit still in the outbox.
    f.db.prepare("UPDATE sync_runs SET status = 'running', finished_at = NULL, summary = '{}' WHERE id = ?").run(first.runId);
    f.db.prepare('DELETE FROM sync_tokens').run();
    f.db.prepare('DELETE FROM sync_log WHERE run_id = ?').run(first.runId);
    await f.core.invoke(f.rep, 'actions.update', { id: a, patch: { location: 'Lyon' } });
    const eventsBefore = await f.gEvents();
    const actionsBefore = f.actionIds();

    const again = await f.sync();
    expect(again.status).toBe('ok');
    expect(again.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(again.google).toEqual({ created: 0, updated: 1, deleted: 0 });
    expect(f.actionIds()).toEqual(actionsBefore);
    expect((await f.gEvents()).map((e) => e.id).sort()).toEqual(eventsBefore.map((e) => e.id).sort());
    expect((await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(a) })).data.location).toBe('Lyon');
    // The interrupted run is closed as failed, and its log says why.
    const log = f.core.invokeSync(f.rep, 'agendaSync.log', {});
    expect(log.find((r) => r.id === first.runId)).toMatchObject({ status: 'failed', errors: 1 });
    expect(log.find((r) => r.id === again.runId)).toMatchObject({ status: 'ok' });
    const entries = f.core.invokeSync(f.rep, 'agendaSync.logEntries', { runId: first.runId! });
    expect(entries).toEqual([expect.objectContaining({ level: 'error', message: expect.stringContaining('Run interrupted') })]);
    expect(f.logLines.some((l) => l.includes('agenda sync run interrupted'))).toBe(true);
    expect(f.db.prepare("SELECT count(*) AS n FROM sync_runs WHERE status = 'running'").get()).toEqual({ n: 0 });
  });

  it('a run another live process is doing right now is left running', async () => {
    // The parent of this test process is alive: it stands for the CLI syncing next to the app.
    const other = f.db
      .prepare("INSERT INTO sync_runs (user_id, started_by, scope, trigger, started_at, status, summary) VALUES (?, ?, 'agenda', 'manual', ?, 'running', ?)")
      .run(f.repId, f.repId, new Date().toISOString(), JSON.stringify({ pid: process.ppid, host: hostname() })).lastInsertRowid;
    const dead = f.db
      .prepare("INSERT INTO sync_runs (user_id, started_by, scope, trigger, started_at, status, summary) VALUES (?, ?, 'agenda', 'manual', ?, 'running', ?)")
      .run(f.repId, f.repId, new Date().toISOString(), JSON.stringify({ pid: process.pid, host: hostname() })).lastInsertRowid;
    const r = await f.sync();
    expect(r.status).toBe('ok');
    const status = (id: number | bigint) => (f.db.prepare('SELECT status FROM sync_runs WHERE id = ?').get(id) as { status: string }).status;
    expect(status(other)).toBe('running');
    // This process's own pid: no run of it is going on (the per-user lock), so that one was a crash.
    expect(status(dead)).toBe('failed');
    // A dry run writes nothing, not even this.
    f.db.prepare("UPDATE sync_runs SET status = 'running' WHERE id = ?").run(dead);
    await f.sync({ dryRun: true });
    expect(status(dead)).toBe('running');
  });
});

describe('events pulled from Google', () => {
  it('are never written back just to mark them: the marker goes on with their first real update', async () => {
    const ev = (await f.cal.events.insert({ calendarId: f.calendarId, requestBody: { summary: 'Du téléphone', start: { dateTime: timed(2).start }, end: { dateTime: timed(2).end } } })).data;
    const first = await f.sync();
    expect(first.google).toEqual({ created: 0, updated: 0, deleted: 0 });
    const [id] = f.actionIds();
    expect((await f.cal.events.get({ calendarId: f.calendarId, eventId: ev.id! })).data).toMatchObject({ etag: ev.etag });
    expect((await f.sync()).requests).toBe(1);
    await f.core.invoke(f.rep, 'actions.update', { id: id!, patch: { location: 'Cabinet' } });
    const r = await f.sync();
    expect(r.google).toEqual({ created: 0, updated: 1, deleted: 0 });
    // One listing page and one batch of one PATCH: the marker rode along with the update.
    expect(r.requests).toBe(2);
    const after = (await f.cal.events.get({ calendarId: f.calendarId, eventId: ev.id! })).data;
    expect(after).toMatchObject({ summary: 'Du téléphone', location: 'Cabinet' });
    expect(after.extendedProperties?.private?.[EVENT_CRM_ID]).toBe(String(id));
  });
});

describe('an event changed in Google between our read and our write', () => {
  it('the conditional PATCH meets 412: read again, merged field by field, nothing lost on either side', async () => {
    const proxy = await startFaultProxy(f.emu.url);
    try {
      await f.core.invoke(f.adm, 'google.setClient', { rootUrl: proxy.url });
      const id = await f.createAction({ title: 'Avant', location: 'Salle 1', period: timed(2), reminder: { enabled: true, minutesBefore: 15 } });
      await f.sync();
      await f.core.invoke(f.rep, 'actions.update', { id, patch: { title: 'Titre CRM', reminder: { enabled: true, minutesBefore: 30 } } });
      await new Promise((res) => setTimeout(res, 20));
      // The engine has listed (nothing changed in Google yet) and sends its PATCH with the etag it
      // knows; just before it reaches Google, the phone edits the same event (the title too).
      let raced = 0;
      proxy.trouble = {
        meanwhile: async (r) => {
          if (!r.path.startsWith('/batch/') || raced++ > 0) return;
          await f.cal.events.patch({ calendarId: f.calendarId, eventId: eventIdFor(id), requestBody: { summary: 'Titre téléphone', location: 'Visio', description: 'Lien envoyé' } });
        },
      };
      const before = (await f.emu.stats()) as { byStatus: Record<string, number> };
      const deps: EngineDeps = { db: f.db, services: f.core.services, now: () => new Date(), broadcast: () => undefined, baseDelayMs: 1 };
      const r = await runAgendaSync(deps, { userId: f.repId, startedBy: f.repId, trigger: 'manual', dryRun: false });
      proxy.trouble = {};
      const stats = (await f.emu.stats()) as { byStatus: Record<string, number> };
      expect(raced).toBeGreaterThan(0);
      expect((stats.byStatus['412'] ?? 0) - (before.byStatus['412'] ?? 0)).toBe(1);
      expect(r.status).toBe('ok');
      expect(r.errors).toEqual([]);
      // The title changed on both sides: the rule decides (the phone's edit is the newer) and it is logged.
      expect(r.decisions).toEqual([expect.objectContaining({ kind: 'conflict', actionId: id, message: expect.stringContaining('title changed on both sides during the sync') })]);
      const expected = { title: 'Titre téléphone', location: 'Visio', description: 'Lien envoyé', reminder: { enabled: true, minutesBefore: 30 } };
      expect(f.action(id)).toMatchObject(expected);
      const ev = (await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(id) })).data;
      expect(ev).toMatchObject({ summary: 'Titre téléphone', location: 'Visio', description: 'Lien envoyé' });
      expect(ev.reminders?.overrides).toEqual([{ method: 'popup', minutes: 30 }]);
      const entries = f.core.invokeSync(f.rep, 'agendaSync.logEntries', { runId: r.runId! });
      expect(entries.some((e) => e.level === 'warning' && e.message.includes('during the sync'))).toBe(true);
      const again = await f.sync();
      expect(again.google).toEqual({ created: 0, updated: 0, deleted: 0 });
      expect(again.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
    } finally {
      await proxy.close();
    }
  });
});

describe('automatic runs push without listing first', () => {
  const automatic = () => {
    const deps: EngineDeps = { db: f.db, services: f.core.services, now: () => new Date(), broadcast: () => undefined, baseDelayMs: 1 };
    return runAgendaSync(deps, { userId: f.repId, startedBy: null, trigger: 'automatic', dryRun: false });
  };

  it('an edit costs one request; an edit made in Google meanwhile meets If-Match (412) and both are kept', async () => {
    const a = await f.createAction({ title: 'Réunion', location: 'Salle 1', period: timed(2) });
    const b = await f.createAction({ title: 'Appel', period: timed(3) });
    await f.sync();
    await f.core.invoke(f.rep, 'actions.update', { id: a, patch: { title: 'Réunion CRM' } });
    let r = await automatic();
    expect(r.status).toBe('ok');
    expect(r.requests).toBe(1);
    expect(r.google).toEqual({ created: 0, updated: 1, deleted: 0 });
    expect((await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(a) })).data.summary).toBe('Réunion CRM');

    // Google changes another field of the same event; the automatic run does not list, so its
    // PATCH carries the etag it knows: 412, read, merged, sent again.
    await f.cal.events.patch({ calendarId: f.calendarId, eventId: eventIdFor(a), requestBody: { location: 'Visio' } });
    await f.core.invoke(f.rep, 'actions.update', { id: a, patch: { description: 'Ordre du jour' } });
    r = await automatic();
    expect(r.status).toBe('ok');
    expect(r.errors).toEqual([]);
    expect(f.action(a)).toMatchObject({ title: 'Réunion CRM', location: 'Visio', description: 'Ordre du jour' });
    expect((await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(a) })).data).toMatchObject({ summary: 'Réunion CRM', location: 'Visio', description: 'Ordre du jour' });

    // A deletion goes both ways: the listing tells whether Google edited the event meanwhile.
    await f.cal.events.patch({ calendarId: f.calendarId, eventId: eventIdFor(b), requestBody: { summary: 'Appel (modifié au téléphone)' } });
    await f.core.invoke(f.rep, 'actions.delete', { id: b });
    r = await automatic();
    expect(r.decisions).toEqual([expect.objectContaining({ kind: 'delete-vs-edit' })]);
    expect(f.actionIds().map((id) => f.action(id).title).sort()).toEqual(['Appel (modifié au téléphone)', 'Réunion CRM']);
    const again = await f.sync();
    expect(again.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(again.google).toEqual({ created: 0, updated: 0, deleted: 0 });
  });

  it('before any sync (or after a Reset) an automatic run lists first: nothing is duplicated', async () => {
    const ev = (await f.cal.events.insert({ calendarId: f.calendarId, requestBody: { summary: 'Du téléphone', start: { dateTime: timed(2).start }, end: { dateTime: timed(2).end } } })).data;
    await f.createAction({ title: 'Du CRM', period: timed(3) });
    await automatic();
    await f.core.invoke(f.rep, 'google.reset', { scope: 'calendar', inGoogle: 'keep' });
    await f.core.invoke(f.rep, 'actions.update', { id: f.actionIds().find((id) => f.action(id).title === 'Du téléphone')!, patch: { location: 'Ici' } });
    const r = await automatic();
    expect(r.decisions.filter((d) => d.kind === 'relinked')).toHaveLength(2);
    expect(f.actionIds()).toHaveLength(2);
    const events = await f.gEvents();
    expect(events).toHaveLength(2);
    expect(events.find((e) => e.id === ev.id)).toMatchObject({ location: 'Ici' });
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

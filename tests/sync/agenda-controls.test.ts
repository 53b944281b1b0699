/**
 * What the user sees and controls of the agenda sync (issue 5), through the core's channels
 * against the in-process emulator and the official Calendar client, both sides checked:
 * - the conflict rule, a per-user setting: the same-field conflict decided by each rule;
 * - cancelling a running sync, then a clean re-run (no duplicate);
 * - the sync badge each agenda block carries (actions.list).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionView, EventPayload, SyncReport } from '../../shared/contract';
import { eventIdFor } from '../../electron/core/sync/agenda/mapping';
import { agendaFixture, timed, type AgendaFixture } from './agenda-fixture';

let f: AgendaFixture;
afterEach(async () => {
  await f.close();
});

const wait = (ms: number) => new Promise((res) => setTimeout(res, ms));

describe('the conflict rule (Préférences → agenda)', () => {
  it('is "most recent change wins" by default; a bad value is refused naming the field, changing nothing', async () => {
    f = await agendaFixture();
    expect(f.core.invokeSync(f.rep, 'syncPrefs.get', {}).conflictRule).toBe('newest');
    const reply = f.core.callSync(f.rep, 'syncPrefs.update', { patch: { conflictRule: 'phone' } });
    expect(reply.ok ? null : reply.error).toMatchObject({ code: 'BAD_INPUT', field: 'patch.conflictRule' });
    expect(f.core.invokeSync(f.rep, 'syncPrefs.get', {}).conflictRule).toBe('newest');
    expect(f.core.invokeSync(f.rep, 'syncPrefs.update', { patch: { conflictRule: 'google' } }).conflictRule).toBe('google');
    expect(f.core.invokeSync(f.rep, 'syncPrefs.get', {}).conflictRule).toBe('google');
    // Stored in its column, checked by SQLite too.
    expect(() => f.db.prepare("UPDATE sync_prefs SET conflict_rule = 'phone' WHERE user_id = ?").run(f.repId)).toThrowError(/CHECK constraint failed/);
  });

  // The same field changed on both sides, Google's edit the more recent one (edited second).
  const cases = [
    { rule: 'newest', winner: 'Google', ruleText: 'rule: the most recent change wins' },
    { rule: 'crm', winner: 'CRM', ruleText: 'rule: the CRM wins' },
    { rule: 'google', winner: 'Google', ruleText: 'rule: Google wins' },
  ] as const;
  for (const c of cases) {
    it(`"${c.rule}": a title changed on both sides goes to the ${c.winner} side, on both sides, and the log says why`, async () => {
      f = await agendaFixture();
      await f.core.invoke(f.rep, 'syncPrefs.update', { patch: { conflictRule: c.rule } });
      const id = await f.createAction({ title: 'Point', location: 'A', period: timed(2) });
      await f.sync();
      await f.core.invoke(f.rep, 'actions.update', { id, patch: { title: 'Point CRM', location: 'B' } });
      await wait(20);
      await f.cal.events.patch({ calendarId: f.calendarId, eventId: eventIdFor(id), requestBody: { summary: 'Point Google', description: 'notes' } });

      const r = await f.sync();
      const title = c.winner === 'CRM' ? 'Point CRM' : 'Point Google';
      // The conflicting field follows the rule; fields changed on one side only merge as always.
      expect(f.action(id)).toMatchObject({ title, location: 'B', description: 'notes' });
      const ev = (await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(id) })).data;
      expect(ev).toMatchObject({ summary: title, location: 'B', description: 'notes' });
      expect(r.decisions).toEqual([
        {
          kind: 'conflict',
          actionId: id,
          googleId: eventIdFor(id),
          message: `« Point CRM »: title changed on both sides (CRM "Point CRM", Google "Point Google"); the ${c.winner} edit wins (${c.ruleText}).`,
          // The same line as data, for the UI's translation (issue 7).
          code: 'agenda.conflict',
          params: { title: 'Point CRM', field: 'title', crm: '"Point CRM"', google: '"Point Google"', winner: c.winner === 'CRM' ? 'crm' : 'google', rule: c.rule },
        },
      ]);
      const entries = f.core.invokeSync(f.rep, 'agendaSync.logEntries', { runId: r.runId! });
      expect(entries).toContainEqual(expect.objectContaining({ level: 'warning', actionId: id, message: r.decisions[0]!.message }));
      expect(f.core.invokeSync(f.rep, 'agendaSync.log', {})[0]).toMatchObject({ id: r.runId, conflicts: 1 });
      // Settled: the next run changes nothing.
      const again = await f.sync();
      expect(again.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
      expect(again.google).toEqual({ created: 0, updated: 0, deleted: 0 });
      expect(again.decisions).toEqual([]);
    });
  }

  it('"newest" gives the CRM a conflict the CRM edited last; "google" still gives it to Google', async () => {
    f = await agendaFixture();
    const a = await f.createAction({ title: 'Un', period: timed(2) });
    const b = await f.createAction({ title: 'Deux', period: timed(3) });
    await f.sync();
    await f.cal.events.patch({ calendarId: f.calendarId, eventId: eventIdFor(a), requestBody: { summary: 'Un Google' } });
    await wait(20);
    await f.core.invoke(f.rep, 'actions.update', { id: a, patch: { title: 'Un CRM' } });
    let r = await f.sync();
    expect(r.decisions.map((d) => d.message)).toEqual([expect.stringContaining('the CRM edit wins (rule: the most recent change wins)')]);
    expect(f.action(a).title).toBe('Un CRM');
    expect((await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(a) })).data.summary).toBe('Un CRM');

    await f.core.invoke(f.rep, 'syncPrefs.update', { patch: { conflictRule: 'google' } });
    await f.cal.events.patch({ calendarId: f.calendarId, eventId: eventIdFor(b), requestBody: { summary: 'Deux Google' } });
    await wait(20);
    await f.core.invoke(f.rep, 'actions.update', { id: b, patch: { title: 'Deux CRM' } });
    r = await f.sync();
    expect(r.decisions.map((d) => d.message)).toEqual([expect.stringContaining('the Google edit wins (rule: Google wins)')]);
    expect(f.action(b).title).toBe('Deux Google');
    expect((await f.cal.events.get({ calendarId: f.calendarId, eventId: eventIdFor(b) })).data.summary).toBe('Deux Google');
  });
});

describe('cancelling a running sync', () => {
  it('stops the run mid-push (status "cancelled", in the log); the re-run ends consistent, without duplicates', async () => {
    // Slow answers: the first sync of 250 actions takes three batches, long enough to cancel in.
    f = await agendaFixture({ emulator: { latencyMs: 40 } });
    const ids: number[] = [];
    for (let i = 0; i < 250; i++) ids.push(await f.createAction({ title: `Action ${i}`, period: timed(1 + (i % 40), 8 + (i % 9)) }));
    await f.cal.events.insert({ calendarId: f.calendarId, requestBody: { summary: 'Du téléphone', start: { dateTime: timed(3, 14).start }, end: { dateTime: timed(3, 15).start } } });

    let answer: Promise<unknown> | null = null;
    const off = f.core.onEvent((event, payload) => {
      const p = payload as EventPayload<'onSyncProgress'>;
      // Once the first batch of the push is answered, the user clicks Cancel.
      if (event === 'onSyncProgress' && p.phase === 'push' && p.done > 0 && !answer) answer = f.core.invoke(f.rep, 'agendaSync.cancel', {});
    });
    const report = await f.sync();
    off();
    expect(await answer).toEqual({ userId: f.repId, cancelled: 1 });
    expect(report.status).toBe('cancelled');
    // Asked for, not an error: the report counts none, the log says what happened.
    expect(report.errors).toEqual([]);
    const [run] = f.core.invokeSync(f.rep, 'agendaSync.log', {});
    expect(run).toMatchObject({ id: report.runId, status: 'cancelled', errors: 0 });
    const entries = f.core.invokeSync(f.rep, 'agendaSync.logEntries', { runId: report.runId! });
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'warning', message: 'The sync was cancelled: what was done is kept; the next sync does the rest.' }),
        expect.objectContaining({ level: 'warning', message: expect.stringMatching(/^Run cancelled: /) }),
      ]),
    );
    expect(f.events.some((e) => e.event === 'onSyncFinished' && (e.payload as EventPayload<'onSyncFinished'>).status === 'cancelled')).toBe(true);
    // Cut short: Google got part of the push, the CRM still has everything to send.
    const partial = (await f.gEvents()).filter((e) => e.summary?.startsWith('Action '));
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(ids.length);

    (f.emu.emulator.opts as { latencyMs: number }).latencyMs = 0;
    const rerun = await f.sync();
    expect(rerun.status).toBe('ok');
    const events = await f.gEvents();
    // Every action exactly once in Google, under its own id; the phone's event once in the CRM.
    expect(events.filter((e) => e.summary?.startsWith('Action ')).map((e) => e.id).sort()).toEqual(ids.map((id) => eventIdFor(id)).sort());
    expect(events).toHaveLength(ids.length + 1);
    const titles = f.actionIds().map((id) => f.action(id).title);
    expect(titles.filter((t) => t === 'Du téléphone')).toHaveLength(1);
    expect(titles).toHaveLength(ids.length + 1);
    for (const id of ids.slice(0, 5)) expect(events.find((e) => e.id === eventIdFor(id))?.summary).toBe(f.action(id).title);
    expect(f.db.prepare("SELECT count(*) AS n FROM outbox WHERE entity = 'action'").get()).toEqual({ n: 0 });
    const settled = await f.sync();
    expect(settled.google).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(settled.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
  });

  it('also stops the run waiting behind the running one', async () => {
    f = await agendaFixture({ emulator: { latencyMs: 40 } });
    for (let i = 0; i < 120; i++) await f.createAction({ title: `A${i}`, period: timed(1 + (i % 20)) });
    const first = f.sync();
    const second = f.sync({ dryRun: true });
    await new Promise<void>((resolve) => {
      const off = f.core.onEvent((event) => {
        if (event !== 'onSyncProgress') return;
        off();
        resolve();
      });
    });
    expect(await f.core.invoke(f.rep, 'agendaSync.cancel', {})).toEqual({ userId: f.repId, cancelled: 2 });
    const reports: SyncReport[] = await Promise.all([first, second]);
    expect(reports.map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('with nothing running: a clear NOT_FOUND; without the right on the colleague: FORBIDDEN; with it: allowed', async () => {
    f = await agendaFixture();
    const none = await f.core.call(f.rep, 'agendaSync.cancel', {});
    expect(none.ok ? null : none.error).toEqual({ code: 'NOT_FOUND', message: 'No agenda sync is running for you: there is nothing to cancel.' });
    const forbidden = await f.core.call(f.colleague, 'agendaSync.cancel', { userId: f.repId });
    expect(forbidden.ok ? null : forbidden.error.code).toBe('FORBIDDEN');
    const bad = await f.core.call(f.rep, 'agendaSync.cancel', { userId: 'me' });
    expect(bad.ok ? null : bad.error).toMatchObject({ code: 'BAD_INPUT', field: 'userId' });
    // ADM (and holders of the Agenda right) may cancel what they may run.
    const adm = await f.core.call(f.adm, 'agendaSync.cancel', { userId: f.repId });
    expect(adm.ok ? null : adm.error).toEqual({ code: 'NOT_FOUND', message: `No agenda sync is running for user ${f.repId}: there is nothing to cancel.` });
  });
});

describe('the sync badge on agenda blocks (actions.list)', () => {
  const week = (conn: string, userIds: number[]) =>
    f.core.invokeSync(conn, 'actions.list', { userIds, from: new Date(Date.now() - 2 * 86_400_000).toISOString(), to: new Date(Date.now() + 50 * 86_400_000).toISOString() });
  const stateOf = (views: ActionView[], id: number) => {
    const v = views.find((a) => a.id === id);
    if (!v) throw new Error(`action ${id} not listed`);
    return v.kind === 'full' ? v.sync : 'busy';
  };

  it('synced, waiting to be pushed, awaiting a deletion confirmation, failed at the last run — or nothing', async () => {
    f = await agendaFixture();
    await f.core.invoke(f.rep, 'syncPrefs.update', { patch: { monthsBefore: 1, monthsAfter: 3 } });
    const plain = await f.createAction({ title: 'Plain', period: timed(2) });
    const edited = await f.createAction({ title: 'Edited', period: timed(3) });
    const goneInGoogle = await f.createAction({ title: 'Gone in Google', period: timed(4) });
    const later = await f.createAction({ title: 'Forty days on', period: timed(40) });
    // Not pushed yet: waiting in the outbox.
    expect(stateOf(week(f.rep, [f.repId]), plain)).toBe('pending');
    await f.sync();
    let views = week(f.rep, [f.repId]);
    for (const id of [plain, edited, goneInGoogle, later]) expect(stateOf(views, id)).toBe('synced');

    await f.core.invoke(f.rep, 'actions.update', { id: edited, patch: { title: 'Edited again' } });
    await f.cal.events.delete({ calendarId: f.calendarId, eventId: eventIdFor(goneInGoogle) });
    // An action whose event id is taken in Google by an event the app did not make (outside
    // the window, so the pull does not bring it in): Google refuses the insert, the run reports it.
    const squatted = await f.createAction({ title: 'Squatted', period: timed(5) });
    await f.cal.events.insert({ calendarId: f.calendarId, requestBody: { id: eventIdFor(squatted), summary: 'Not ours', start: { dateTime: timed(400).start }, end: { dateTime: timed(400).end } } });
    views = week(f.rep, [f.repId]);
    expect(stateOf(views, edited)).toBe('pending');
    expect(stateOf(views, squatted)).toBe('pending');

    const r = await f.sync({});
    expect(r.status).toBe('partial');
    expect(r.errors).toEqual([
      {
        actionId: squatted,
        googleId: eventIdFor(squatted),
        message: `The event id ${eventIdFor(squatted)} is taken by another event in Google.`,
        code: 'agenda.idTaken',
        params: { googleId: eventIdFor(squatted) },
      },
    ]);
    expect(r.pendingDeletions).toBe(1);
    views = week(f.rep, [f.repId]);
    expect(stateOf(views, plain)).toBe('synced');
    expect(stateOf(views, edited)).toBe('synced');
    expect(stateOf(views, goneInGoogle)).toBe('deletion');
    expect(stateOf(views, squatted)).toBe('error');
    expect((await f.gEvents()).find((e) => e.id === eventIdFor(edited))?.summary).toBe('Edited again');

    // Once the run that failed is no longer the last one, its error is no longer shown.
    await f.cal.events.delete({ calendarId: f.calendarId, eventId: eventIdFor(squatted) });
    await f.sync();
    views = week(f.rep, [f.repId]);
    expect(stateOf(views, squatted)).toBe('synced');
    expect((await f.gEvents()).find((e) => e.id === eventIdFor(squatted))?.summary).toBe('Squatted');

    // Out of the window (it shrank to this month): still linked, no longer synced — no badge.
    await f.core.invoke(f.rep, 'syncPrefs.update', { patch: { monthsAfter: 0 } });
    expect(stateOf(week(f.rep, [f.repId]), later)).toBeNull();
    await f.core.invoke(f.rep, 'syncPrefs.update', { patch: { monthsAfter: 3 } });
    expect(stateOf(week(f.rep, [f.repId]), later)).toBe('synced');

    // Reset calendar forgets the links: the badges go (the in-memory link sets follow the file).
    await f.core.invoke(f.rep, 'google.reset', { scope: 'calendar', inGoogle: 'keep' });
    views = week(f.rep, [f.repId]);
    expect(stateOf(views, plain)).toBeNull();
    expect(stateOf(views, later)).toBeNull();
  });

  it('nothing for a colleague not connected to Google, for repeating actions, and no detail on busy slots', async () => {
    f = await agendaFixture();
    const mine = await f.createAction({ title: 'Mine', period: timed(2), private: true });
    await f.sync();
    const theirs = (await f.core.invoke(f.colleague, 'actions.create', { typeId: f.typeId, title: 'Theirs', period: timed(2) })).id;
    const at = new Date().toISOString();
    const series = Number(
      f.db
        .prepare(
          `INSERT INTO actions (owner_id, type_id, title, all_day, start_ms, end_ms, time_zone, series_id, created_at, updated_at)
           VALUES (?, ?, 'Weekly', 0, ?, ?, 'Europe/Paris', 'S1', ?, ?)`,
        )
        .run(f.repId, f.typeId, Date.parse(timed(6).start), Date.parse(timed(6).end), at, at).lastInsertRowid,
    );
    f.db.prepare("INSERT INTO outbox (entity, entity_id, owner_id, op, changed_fields, created_at) VALUES ('action', ?, ?, 'update', '[]', ?)").run(series, f.repId, at);

    // Never synced and not waiting either (written straight to the file, as the demo data is).
    const untouched = Number(
      f.db
        .prepare(
          `INSERT INTO actions (owner_id, type_id, title, all_day, start_ms, end_ms, time_zone, created_at, updated_at)
           VALUES (?, ?, 'Untouched', 0, ?, ?, 'Europe/Paris', ?, ?)`,
        )
        .run(f.repId, f.typeId, Date.parse(timed(7).start), Date.parse(timed(7).end), at, at).lastInsertRowid,
    );

    const views = week(f.adm, [f.repId, f.colleagueId]);
    expect(stateOf(views, mine)).toBe('synced');
    expect(stateOf(views, untouched)).toBeNull();
    expect(stateOf(views, theirs)).toBeNull();
    expect(stateOf(views, series)).toBeNull();

    // A colleague holding Agenda (not Visible) sees the private action as busy: no sync detail.
    f.db.prepare('INSERT INTO user_rights (holder_id, target_id, visible, agenda) VALUES (?, ?, 0, 1)').run(f.colleagueId, f.repId);
    const busy = week(f.colleague, [f.repId]).find((a) => a.id === mine)!;
    expect(busy).toEqual({ kind: 'busy', id: mine, ownerId: f.repId, period: expect.anything() });
  });
});

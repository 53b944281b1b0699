/**
 * The contacts sync and the outbox (issue 6): every contact change appends an outbox entry in its
 * own transaction (contacts/store.ts); the contacts sync drains the entries of what it pushed, in
 * the transaction that records the push, and prunes those of contacts on nobody's list — an edit
 * made while a run is going on keeps its entry and reaches Google at the next run. And a contacts
 * run a crash left 'running' is closed as failed when that user's next contacts run starts.
 */
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emit } from '../../electron/core/context';
import { updateContact } from '../../electron/core/contacts/store';
import { runContactsSync, type ContactsEngineDeps } from '../../electron/core/sync/contacts/engine';
import { contactsFixture, image, type ContactsFixture } from './contacts-fixture';
import type { SessionUser } from '../../shared/contract';

let f: ContactsFixture;
beforeEach(async () => {
  f = await contactsFixture();
});
afterEach(async () => {
  await f.close();
});

const outbox = (ids?: number[]) =>
  (f.db.prepare("SELECT entity_id AS id, op FROM outbox WHERE entity = 'contact' ORDER BY id").all() as { id: number; op: string }[]).filter((r) => !ids || ids.includes(r.id));

async function listed(n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(await f.createContact({ firstName: `Prénom${i}`, lastName: `Nom${i}`, email: `p${i}@exemple.fr` }));
  await f.add(ids);
  return ids;
}

describe('the contacts outbox', () => {
  it('is empty after a sync: creations, updates, a photo, a removal from the list and a contact on no list are all drained', async () => {
    const ids = await listed(3);
    const offList = await f.createContact({ lastName: 'Hors liste' });
    expect(outbox().length).toBeGreaterThanOrEqual(4);
    const first = await f.sync();
    expect(first).toMatchObject({ status: 'ok', google: { created: 3 } });
    expect(outbox()).toEqual([]);

    // Edits of each kind, then a sync: drained again.
    await f.core.invoke(f.rep, 'contacts.update', { id: ids[0]!, patch: { jobTitle: 'Gérante' } });
    await f.core.invoke(f.rep, 'contacts.setPhoto', { id: ids[1]!, photo: await image('jpeg', 64, 64) });
    await f.core.invoke(f.rep, 'contacts.update', { id: offList, patch: { comment: 'Vu à Nantes' } });
    await f.core.invoke(f.rep, 'contactSyncList.remove', { contactIds: [ids[2]!], deleteInGoogle: false });
    await f.core.invoke(f.rep, 'contacts.update', { id: ids[2]!, patch: { jobTitle: 'Acheteur' } });
    expect(outbox().map((r) => r.id).sort()).toEqual([ids[0]!, ids[1]!, ids[2]!, offList].sort());
    const second = await f.sync();
    expect(second).toMatchObject({ status: 'ok', google: { created: 0, updated: 1, photos: 1 } });
    expect(outbox()).toEqual([]);
    expect((await f.gContact(ids[0]!))?.organizations?.[0]?.title).toBe('Gérante');
    expect((await f.gContact(ids[1]!))?.photos?.some((p) => !p.default)).toBe(true);
  });

  it('keeps the entry of an edit made during a run, and that edit reaches Google at the next run', async () => {
    const [a, b] = await listed(2);
    await f.sync();
    await f.core.invoke(f.rep, 'contacts.update', { id: a!, patch: { jobTitle: 'Avant' } });
    const rep = f.core.invokeSync(f.rep, 'session.current', {}) as SessionUser;
    let edited = false;
    const broadcast = ((event: string, payload: unknown) => {
      // The user edits both contacts while the run pushes (after it read the list and the outbox).
      const p = payload as { phase?: string };
      if (event === 'onContactsSyncProgress' && p.phase === 'push' && !edited) {
        edited = true;
        updateContact(f.db, rep, a!, { jobTitle: 'Pendant' }, new Date().toISOString());
        updateContact(f.db, rep, b!, { phone: '01 02 03 04 05' }, new Date().toISOString());
      }
      f.core.broadcast(event as never, payload as never);
    }) as Emit;
    const deps: ContactsEngineDeps = { db: f.db, services: f.core.services, now: () => new Date(), broadcast };
    const during = await runContactsSync(deps, { userId: f.repId, startedBy: f.repId, dryRun: false });
    expect(during).toMatchObject({ status: 'ok', google: { updated: 1 } });
    expect(edited).toBe(true);
    // The run pushed what it read; the edits made meanwhile wait with their entries.
    expect((await f.gContact(a!))?.organizations?.[0]?.title).toBe('Avant');
    expect(outbox().map((r) => [r.id, r.op])).toEqual([
      [a!, 'update'],
      [b!, 'update'],
    ]);

    const next = await f.sync();
    expect(next).toMatchObject({ status: 'ok', google: { updated: 2 } });
    expect((await f.gContact(a!))?.organizations?.[0]?.title).toBe('Pendant');
    expect((await f.gContact(b!))?.phoneNumbers?.map((p) => p.value)).toEqual(['01 02 03 04 05']);
    expect(outbox()).toEqual([]);
  });

  it('keeps the entry of a contact Google refused, until a run pushes it', async () => {
    const [a] = await listed(1);
    await f.sync();
    await f.core.invoke(f.rep, 'contacts.update', { id: a!, patch: { jobTitle: 'Comptable' } });
    // The CRM checks e-mails when typed; an older or imported one may still be wrong.
    f.db.prepare("UPDATE contacts SET email = 'mauvais@@exemple' WHERE id = ?").run(a);
    const refused = await f.sync();
    expect(refused.status).toBe('partial');
    expect(outbox([a!])).toHaveLength(1);
    await f.core.invoke(f.rep, 'contacts.update', { id: a!, patch: { email: 'bonne@exemple.fr' } });
    expect(await f.sync()).toMatchObject({ status: 'ok', google: { updated: 1 } });
    expect(outbox()).toEqual([]);
  });
});

describe('a contacts run left running by a crash', () => {
  it('is closed as failed when the next contacts run starts, its log says why; the agenda\'s runs are not touched', async () => {
    await listed(2);
    const first = await f.sync();
    // What a crash leaves on disk: the run still 'running', naming this process's pid (no run of it
    // is going on: the per-user lock).
    f.db.prepare("UPDATE sync_runs SET status = 'running', finished_at = NULL, summary = ? WHERE id = ?").run(JSON.stringify({ pid: process.pid, host: hostname() }), first.runId);
    f.db.prepare('DELETE FROM sync_log WHERE run_id = ?').run(first.runId);
    const agendaRun = f.db
      .prepare("INSERT INTO sync_runs (user_id, started_by, scope, trigger, started_at, status, summary) VALUES (?, ?, 'agenda', 'manual', ?, 'running', '{}')")
      .run(f.repId, f.repId, new Date().toISOString()).lastInsertRowid;
    // Another live process's run (the parent of this test stands for the CLI) is left alone.
    const live = f.db
      .prepare("INSERT INTO sync_runs (user_id, started_by, scope, trigger, started_at, status, summary) VALUES (?, ?, 'contacts', 'manual', ?, 'running', ?)")
      .run(f.repId, f.repId, new Date().toISOString(), JSON.stringify({ pid: process.ppid, host: hostname() })).lastInsertRowid;

    // A dry run writes nothing, not even this.
    await f.sync({ dryRun: true });
    const status = (id: number | bigint) => (f.db.prepare('SELECT status FROM sync_runs WHERE id = ?').get(id) as { status: string }).status;
    expect(status(first.runId!)).toBe('running');

    const again = await f.sync();
    expect(again).toMatchObject({ status: 'ok', google: { created: 0, updated: 0 } });
    expect(status(first.runId!)).toBe('failed');
    expect(status(live)).toBe('running');
    expect(status(agendaRun)).toBe('running');
    const log = f.core.invokeSync(f.rep, 'contactsSync.log', {});
    expect(log.find((r) => r.id === first.runId)).toMatchObject({ status: 'failed', errors: 1 });
    expect(log.find((r) => r.id === again.runId)).toMatchObject({ status: 'ok' });
    const entries = f.core.invokeSync(f.rep, 'contactsSync.logEntries', { runId: first.runId! });
    expect(entries).toEqual([expect.objectContaining({ level: 'error', message: expect.stringContaining('Run interrupted: the app stopped during this sync') })]);
    expect(f.logLines.some((l) => l.includes('contacts sync run interrupted'))).toBe(true);
    // The new run says who runs it while it runs; once done, its summary is the report's.
    expect(JSON.parse((f.db.prepare('SELECT summary FROM sync_runs WHERE id = ?').get(again.runId) as { summary: string }).summary)).toMatchObject({ listed: 2 });
  });
});

/**
 * The contacts sync when things go wrong (issue 6): a crash between Google's create and our
 * link, answers lost after Google applied a write, quota and server errors, an expired sync
 * token, a Reset, a full account. No duplicate, nothing lost; both sides checked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emit } from '../../electron/core/context';
import { runContactsSync, type ContactsEngineDeps } from '../../electron/core/sync/contacts/engine';
import type { Clock } from '../../electron/core/sync/pacer';
import { CLIENT } from '../google/fixture';
import { connectWithoutBrowser } from './agenda-fixture';
import { contactsFixture, image, type ContactsFixture } from './contacts-fixture';
import { startFaultProxy, type FaultProxy } from './fault-proxy';

let f: ContactsFixture;
let proxy: FaultProxy;
let abort: AbortController;
/** Backoff and pacing cost no time here. */
let pacerMs = 0;
const clock: Clock = { now: () => pacerMs, sleep: (ms) => ((pacerMs += ms), new Promise((r) => setImmediate(r))) };
let deps: ContactsEngineDeps;

beforeEach(async () => {
  f = await contactsFixture({ emulator: { quotaPerMinute: 100_000, projectQuotaPerMinute: 100_000 } });
  proxy = await startFaultProxy(f.emu.url, { apiPrefixes: ['/v1/'] });
  await f.core.invoke(f.adm, 'google.setClient', { clientId: CLIENT.clientId, rootUrl: proxy.url });
  abort = new AbortController();
  deps = { db: f.db, services: f.core.services, now: () => new Date(), broadcast: ((event: string, payload: unknown) => f.core.broadcast(event as never, payload as never)) as Emit, clock, baseDelayMs: 1 };
});
afterEach(async () => {
  await proxy.close();
  await f.close();
});

const run = (signal?: AbortSignal) => runContactsSync(deps, { userId: f.repId, startedBy: f.repId, dryRun: false, signal });

async function listed(n: number, comment = ''): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(await f.createContact({ firstName: `Prénom${i}`, lastName: `Nom${i}`, comment }));
  await f.add(ids);
  return ids;
}

async function expectNoDuplicate(ids: number[]): Promise<void> {
  const all = await f.gContacts();
  expect(all).toHaveLength(ids.length);
  for (const id of ids) expect(await f.gContact(id)).toBeDefined();
}

describe('crashes and lost answers', () => {
  it('a crash between Google creating the contacts and the app recording them: the next run links them again, no duplicate', async () => {
    const ids = await listed(3, 'c');
    proxy.trouble = { after: (r) => (r.path.includes('batchCreateContacts') ? (abort.abort(), null) : null) };
    const crashed = await run(abort.signal);
    proxy.trouble = {};
    expect(crashed.status).toBe('cancelled');
    // Google has them; the app does not know their names yet.
    expect(await f.gContacts()).toHaveLength(3);
    expect(f.db.prepare("SELECT count(*) AS n FROM sync_links WHERE kind = 'contact' AND google_id LIKE 'people/%'").get()).toEqual({ n: 0 });

    const next = await run();
    expect(next).toMatchObject({ status: 'ok', google: { created: 0, updated: 0 } });
    expect(next.decisions.filter((d) => d.kind === 'relinked').map((d) => d.contactId).sort()).toEqual([...ids].sort());
    await expectNoDuplicate(ids);
    const third = await run();
    expect(third).toMatchObject({ status: 'ok', google: { created: 0, updated: 0 }, decisions: [] });
  });

  it('the answer to a creation is lost after Google made it: found by CRM id in the same run, no duplicate', async () => {
    const ids = await listed(4);
    let lost = 0;
    proxy.trouble = { after: (r) => (r.path.includes('batchCreateContacts') && lost++ === 0 ? 'lose' : null) };
    const r = await run();
    expect(r).toMatchObject({ status: 'ok', google: { created: 4 } });
    expect(lost).toBe(1);
    expect(f.core.invokeSync(f.rep, 'contactsSync.logEntries', { runId: r.runId! }).filter((e) => e.message.includes("Google's answer to its creation was lost"))).toHaveLength(4);
    await expectNoDuplicate(ids);
    expect((await run()).google).toMatchObject({ created: 0, updated: 0 });
  });

  it('the answer to an update is lost after Google applied it: the retry meets its own etag, reads, and records', async () => {
    const ids = await listed(2, 'avant');
    await run();
    for (const id of ids) await f.core.invoke(f.rep, 'contacts.update', { id, patch: { comment: 'après', jobTitle: 'Chef' } });
    let lost = 0;
    proxy.trouble = { after: (r) => (r.path.includes('batchUpdateContacts') && lost++ === 0 ? 'lose' : null) };
    const r = await run();
    expect(r).toMatchObject({ status: 'ok', errors: [] });
    expect(lost).toBeGreaterThan(1);
    // The retry met its own write: Google refused the stale etag, the engine read and recorded.
    const stats = (await f.emu.stats()) as { byRoute: Record<string, Record<string, number>> };
    expect(stats.byRoute['POST people.batchUpdateContacts']?.['400']).toBeGreaterThanOrEqual(1);
    for (const id of ids) expect((await f.gContact(id))!.biographies![0]!.value).toBe('après');
    expect((await run()).google).toMatchObject({ created: 0, updated: 0 });
    await expectNoDuplicate(ids);
  });

  it('a contact deleted in Google between the pull and the update is created again, photo included', async () => {
    const [id] = await listed(1, 'avec photo');
    await f.core.invoke(f.rep, 'contacts.setPhoto', { id: id!, photo: await image('png', 120, 90) });
    await run();
    const old = (await f.gContact(id!))!.resourceName!;
    await f.core.invoke(f.rep, 'contacts.update', { id: id!, patch: { jobTitle: 'Nouveau' } });
    // Deleted in Google while the run is under way: after its listing, before its update.
    proxy.trouble = {
      before: (r) => {
        if (r.path.includes('batchUpdateContacts')) {
          const rec = f.emu.emulator.state.contacts[f.repEmail]![old]!;
          rec.deleted = true;
          rec.person = {};
          rec.seq = f.emu.emulator.nextSeq();
        }
        return null;
      },
    };
    const r = await run();
    proxy.trouble = {};
    expect(r).toMatchObject({ status: 'ok', google: { created: 1, updated: 0, photos: 1 }, errors: [] });
    expect(r.decisions).toEqual([expect.objectContaining({ kind: 'recreated', contactId: id })]);
    const now = (await f.gContact(id!))!;
    expect(now.resourceName).not.toBe(old);
    expect(now.organizations![0]!.title).toBe('Nouveau');
    expect(now.biographies![0]!.value).toBe('avec photo');
    expect(now.photos![0]!.default).toBeUndefined();
  });

  it('429 with Retry-After, 503, 403 rate limits and dropped connections are retried: the run ends ok', async () => {
    const ids = await listed(3, 'x');
    await f.emu.fault({ type: 'error', status: 429, count: 2, api: 'people', retryAfterSeconds: 1 });
    await f.emu.fault({ type: 'error', status: 503, count: 1, api: 'people' });
    await f.emu.fault({ type: 'error', status: 403, count: 1, api: 'people' });
    await f.emu.fault({ type: 'drop', count: 1, api: 'people' });
    const r = await run();
    expect(r).toMatchObject({ status: 'ok', google: { created: 3 }, errors: [] });
    await expectNoDuplicate(ids);
  });
});

describe('sync tokens, Reset, limits', () => {
  it('an expired sync token means a full pass: Google edits and deletions made meanwhile are not lost', async () => {
    const [a, b] = await listed(2, 'v1');
    await run();
    const ga = (await f.gContact(a!))!;
    await f.ppl.people.updateContact({ resourceName: ga.resourceName!, updatePersonFields: 'biographies', requestBody: { etag: ga.etag, biographies: [{ value: 'v2 du téléphone' }] } });
    await f.ppl.people.deleteContact({ resourceName: (await f.gContact(b!))!.resourceName! });
    await f.emu.fault({ type: 'invalidateSyncTokens', email: f.repEmail });
    const r = await run();
    expect(r).toMatchObject({ status: 'ok', crm: { updated: 1 }, google: { created: 1 } });
    expect(f.contact(a!).comment).toBe('v2 du téléphone');
    expect(r.decisions).toEqual([expect.objectContaining({ kind: 'recreated', contactId: b })]);
    expect(f.core.invokeSync(f.rep, 'contactsSync.logEntries', { runId: r.runId! })).toContainEqual(expect.objectContaining({ level: 'warning', message: expect.stringContaining('sync token') }));
    await expectNoDuplicate([a!, b!]);
    expect((await run()).requests).toBe(1);
  });

  it('a sync token older than 7 days is refused by Google (EXPIRED_SYNC_TOKEN): full pass, the comment edited meanwhile comes in', async () => {
    const [a] = await listed(1, 'v1');
    await run();
    const ga = (await f.gContact(a!))!;
    await f.ppl.people.updateContact({ resourceName: ga.resourceName!, updatePersonFields: 'biographies', requestBody: { etag: ga.etag, biographies: [{ value: 'v2, une semaine après' }] } });
    f.emu.clock.advance(8 * 24 * 3600 * 1000);
    const r = await run();
    expect(r).toMatchObject({ status: 'ok', crm: { updated: 1 }, google: { created: 0, updated: 0 } });
    expect(f.contact(a!).comment).toBe('v2, une semaine après');
    const stats = (await f.emu.stats()) as { byRoute: Record<string, Record<string, number>> };
    expect(stats.byRoute['GET people.connections.list']?.['400']).toBe(1);
    expect((await run()).requests).toBe(1);
  });

  it('after a Reset of the account (kept in Google) and a new connection, the next sync links again, no duplicate', async () => {
    const ids = await listed(3, 'gardé');
    await run();
    await f.core.invoke(f.rep, 'google.reset', { scope: 'account', inGoogle: 'keep' });
    expect(f.db.prepare("SELECT count(*) AS n FROM sync_links WHERE kind = 'contact'").get()).toEqual({ n: 0 });
    await connectWithoutBrowser(f, f.repId, f.repEmail);
    await f.core.invoke(f.rep, 'contacts.update', { id: ids[0]!, patch: { jobTitle: 'Nouveau poste' } });
    const r = await run();
    expect(r).toMatchObject({ status: 'ok', google: { created: 0, updated: 1 } });
    expect(r.decisions.filter((d) => d.kind === 'relinked')).toHaveLength(3);
    await expectNoDuplicate(ids);
    expect((await f.gContact(ids[0]!))!.organizations![0]!.title).toBe('Nouveau poste');
  });

  it('a contact with the id of a deleted one is not taken for it: the old Google contact stays as it was', async () => {
    const [old] = await listed(1, 'ancien');
    await run();
    const before = (await f.gContact(old!))!;
    await f.core.invoke(f.rep, 'contacts.delete', { id: old! });
    await run();
    // SQLite hands the highest id out again; the stamp tells the two apart.
    const reborn = await f.createContact({ lastName: 'Nouveau', comment: 'neuf' });
    expect(reborn).toBe(old);
    await f.add([reborn]);
    await f.core.invoke(f.rep, 'google.reset', { scope: 'account', inGoogle: 'keep' });
    await connectWithoutBrowser(f, f.repId, f.repEmail);
    const r = await run();
    expect(r).toMatchObject({ status: 'ok', google: { created: 1, updated: 0 }, decisions: [] });
    const all = await f.gContacts();
    expect(all).toHaveLength(2);
    expect(all.find((p) => p.resourceName === before.resourceName)!.biographies![0]!.value).toBe('ancien');
  });

  it('a Google account that is full: what fits is created, the rest is reported clearly', async () => {
    await f.emu.seedContacts(f.repEmail, Array.from({ length: 23 }, (_, i) => ({ names: [{ givenName: `Perso${i}` }] })));
    f.emu.emulator.opts.maxContactsPerAccount = 25;
    const ids = await listed(4);
    const r = await run();
    expect(r.status).toBe('partial');
    expect(r.google.created).toBe(2);
    expect(r.errors).toHaveLength(2);
    for (const e of r.errors) expect(e.message).toMatch(/^« Prénom\d Nom\d » was not created: the Google account is full \(Google keeps about 25,000 contacts per account\)\.$/);
    expect((await f.gContacts()).filter((p) => p.clientData?.length)).toHaveLength(2);
    expect(ids).toHaveLength(4);
  });

  it('more than 25,000 contacts on a list: the run refuses with a clear message', async () => {
    const at = new Date().toISOString();
    f.db.transaction(() => {
      const ins = f.db.prepare("INSERT INTO contacts (last_name, created_at, updated_at) VALUES ('Masse', ?, ?)");
      const list = f.db.prepare('INSERT INTO contact_sync_list (user_id, contact_id, added_at) VALUES (?, ?, ?)');
      for (let i = 0; i < 25_001; i++) list.run(f.repId, Number(ins.run(at, at).lastInsertRowid), at);
    })();
    const r = await run();
    expect(r.status).toBe('failed');
    const message = `The contact sync list of ${f.repLogin} holds 25,001 contacts; Google keeps at most 25,000 per account. Take 1 off the list, then sync again.`;
    // The refusal has its own code, with its numbers as params: the UI says it in the user's language.
    const params = { login: f.repLogin, count: 25_001, max: 25_000, over: 1 };
    expect(r.errors).toEqual([{ contactId: null, googleId: null, message, code: 'contacts.listTooLong', params }]);
    expect(f.db.prepare("SELECT code, params, message FROM sync_log WHERE run_id = ? AND code = 'contacts.listTooLong'").all(r.runId)).toEqual([
      { code: 'contacts.listTooLong', params: JSON.stringify(params), message },
    ]);
    expect(r.requests).toBe(0);
    const one = await f.createContact({ lastName: 'De trop' });
    expect(await f.core.call(f.rep, 'contactSyncList.add', { contactIds: [one] })).toEqual({
      ok: false,
      error: { code: 'BAD_INPUT', field: 'contactIds', message: `contactIds: the sync list of ${f.repLogin} would hold 25,002 contacts; Google keeps at most 25,000 per account (it holds 25,001). Nothing was added.` },
    });
  });
});

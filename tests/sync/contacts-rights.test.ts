/**
 * The sync list's channels and their rights, checked in the core (issue 6): a rep cannot put
 * on their list a contact they may not see, nor touch a colleague's list without the right; a
 * manager holding Agenda on a rep, and ADM, may. Refused calls change nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dump } from '../helpers';
import { contactsFixture, type ContactsFixture } from './contacts-fixture';

let f: ContactsFixture;
beforeEach(async () => {
  f = await contactsFixture();
});
afterEach(async () => {
  await f.close();
});

function contactOfCompanyOf(userId: number): number {
  return (f.db.prepare('SELECT c.id FROM contacts c JOIN companies co ON co.id = c.company_id WHERE co.sales_rep_id = ? ORDER BY c.id LIMIT 1').get(userId) as { id: number }).id;
}

describe('rights on the sync list', () => {
  it('a rep cannot add a contact they may not see; the call names it and changes nothing', async () => {
    const theirs = contactOfCompanyOf(f.colleagueId);
    const mine = contactOfCompanyOf(f.repId);
    const before = dump(f.db);
    const r = await f.core.call(f.rep, 'contactSyncList.add', { contactIds: [mine, theirs, 999_999] });
    expect(r).toEqual({
      ok: false,
      error: { code: 'BAD_INPUT', field: 'contactIds', message: `contactIds: contacts ${theirs}, 999999 cannot be added: they do not exist or you may not see them. Nothing was added.` },
    });
    expect(dump(f.db)).toBe(before);
    expect(await f.core.invoke(f.rep, 'contactSyncList.add', { contactIds: [mine] })).toMatchObject({ added: 1, count: 1 });
  });

  it('a rep cannot read, fill, empty or sync a colleague\'s list', async () => {
    const c = await f.createContact({ lastName: 'Commun' });
    await f.core.invoke(f.colleague, 'contactSyncList.add', { contactIds: [c] });
    const before = dump(f.db);
    const forbidden = { ok: false, error: { code: 'FORBIDDEN', message: `You have no right to synchronise the contacts of user ${f.colleagueId}.` } };
    for (const [channel, input] of [
      ['contactSyncList.items', { userId: f.colleagueId }],
      ['contactSyncList.candidates', { userId: f.colleagueId }],
      ['contactSyncList.itemIds', { userId: f.colleagueId }],
      ['contactSyncList.candidateIds', { userId: f.colleagueId }],
      ['contactSyncList.add', { userId: f.colleagueId, contactIds: [c] }],
      ['contactSyncList.remove', { userId: f.colleagueId, contactIds: [c], deleteInGoogle: true }],
      ['contactsSync.run', { userId: f.colleagueId }],
      ['contactsSync.log', { userId: f.colleagueId }],
    ] as const) {
      expect(await f.core.call(f.rep, channel, input), channel).toEqual(forbidden);
    }
    expect(dump(f.db)).toBe(before);
  });

  it('a manager holding Agenda on a rep works on the rep\'s list and runs their sync with the rep\'s connection', async () => {
    const mine = contactOfCompanyOf(f.repId);
    expect(await f.core.invoke(f.manager, 'contactSyncList.add', { userId: f.repId, contactIds: [mine] })).toMatchObject({ userId: f.repId, added: 1 });
    const r = await f.sync({ conn: f.manager, userId: f.repId });
    expect(r).toMatchObject({ userId: f.repId, status: 'ok', google: { created: 1 } });
    expect(await f.gContact(mine)).toBeDefined();
    const runs = f.core.invokeSync(f.manager, 'contactsSync.log', { userId: f.repId });
    expect(runs[0]).toMatchObject({ userId: f.repId, status: 'ok' });
    expect(f.core.invokeSync(f.manager, 'contactsSync.logEntries', { runId: runs[0]!.id }).at(-1)!.message).toMatch(/^Run ok: 1 on the list/);
    expect(f.db.prepare('SELECT started_by FROM sync_runs WHERE id = ?').get(runs[0]!.id)).toEqual({ started_by: f.core.sessionUser(f.manager)!.id });
  });

  it('acting for a colleague, a manager adds only what both of them may see', async () => {
    // The manager holds Agenda, not Visible, on the second rep: that rep's companies are not theirs to see.
    const theirs = contactOfCompanyOf(f.colleagueId);
    const r = await f.core.call(f.manager, 'contactSyncList.add', { userId: f.colleagueId, contactIds: [theirs] });
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining(`or you) may not see them`) } });
    const shared = await f.createContact({ lastName: 'Sans société' });
    expect(await f.core.invoke(f.manager, 'contactSyncList.add', { userId: f.colleagueId, contactIds: [shared] })).toMatchObject({ added: 1 });
    const picker = await f.core.invoke(f.manager, 'contactSyncList.candidates', { userId: f.colleagueId, limit: 200 });
    expect(picker.items.some((c) => c.id === theirs)).toBe(false);
    // ADM may act for anyone, on what the owner sees.
    expect(await f.core.invoke(f.adm, 'contactSyncList.add', { userId: f.colleagueId, contactIds: [theirs] })).toMatchObject({ added: 1, count: 2 });
    // …but never on what the owner may not see.
    const repsOnly = contactOfCompanyOf(f.repId);
    expect(await f.core.call(f.adm, 'contactSyncList.add', { userId: f.colleagueId, contactIds: [repsOnly] })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
  });
});

describe('the list channels', () => {
  it('pages and searches the list; the picker shows visible contacts with whether each is on the list', async () => {
    const ids: number[] = [];
    for (const name of ['Arnaud', 'Bertin', 'Chevalier', 'Dupuis', 'Étienne']) ids.push(await f.createContact({ firstName: 'Jean', lastName: name }));
    await f.add(ids.slice(0, 4));
    const page = f.core.invokeSync(f.rep, 'contactSyncList.items', { offset: 1, limit: 2 });
    expect(page).toMatchObject({ userId: f.repId, count: 4, total: 4, lastSyncAt: null });
    expect(page.items.map((i) => i.lastName)).toEqual(['Bertin', 'Chevalier']);
    expect(page.items.every((i) => i.state === 'pending' && i.syncedAt === null)).toBe(true);
    const found = f.core.invokeSync(f.rep, 'contactSyncList.items', { query: 'chev' });
    expect(found).toMatchObject({ count: 4, total: 1, items: [expect.objectContaining({ id: ids[2] })] });

    const picker = f.core.invokeSync(f.rep, 'contactSyncList.candidates', { query: 'jean' });
    const mine = picker.items.filter((c) => ids.includes(c.id));
    expect(mine.map((c) => [c.lastName, c.onList])).toEqual([
      ['Arnaud', true],
      ['Bertin', true],
      ['Chevalier', true],
      ['Dupuis', true],
      ['Étienne', false],
    ]);
    const theirs = contactOfCompanyOf(f.colleagueId);
    const all = f.core.invokeSync(f.rep, 'contactSyncList.candidates', { limit: 200 });
    expect(all.total).toBeGreaterThan(all.items.length);
    expect(all.items.some((c) => c.id === theirs)).toBe(false);
  });

  it('"select all" takes the ids of every row the list or the picker shows for the query, in one call', async () => {
    const ids: number[] = [];
    for (const name of ['Arnaud', 'Bertin', 'Chevalier']) ids.push(await f.createContact({ firstName: 'Jeanne', lastName: name }));
    await f.add(ids.slice(0, 2));
    const listed = f.core.invokeSync(f.rep, 'contactSyncList.items', { limit: 500 });
    const all = f.core.invokeSync(f.rep, 'contactSyncList.itemIds', {});
    expect(all.userId).toBe(f.repId);
    expect([...all.ids].sort((a, b) => a - b)).toEqual(listed.items.map((i) => i.id).sort((a, b) => a - b));
    expect(f.core.invokeSync(f.rep, 'contactSyncList.itemIds', { query: 'bertin' }).ids).toEqual([ids[1]]);

    // The picker's: what it lists for the query, less what is on the list already.
    const picker = f.core.invokeSync(f.rep, 'contactSyncList.candidates', { query: 'jeanne' });
    const addable = f.core.invokeSync(f.rep, 'contactSyncList.candidateIds', { query: 'jeanne' }).ids;
    expect([...addable].sort((a, b) => a - b)).toEqual(picker.items.filter((c) => !c.onList).map((c) => c.id).sort((a, b) => a - b));
    expect(addable).toContain(ids[2]);
    expect(addable).not.toContain(ids[0]);
    const everyone = f.core.invokeSync(f.rep, 'contactSyncList.candidateIds', {});
    const pages: number[] = [];
    for (let offset = 0; ; offset += 200) {
      const page = f.core.invokeSync(f.rep, 'contactSyncList.candidates', { offset, limit: 200 });
      pages.push(...page.items.filter((c) => !c.onList).map((c) => c.id));
      if (offset + 200 >= page.total) break;
    }
    expect([...everyone.ids].sort((a, b) => a - b)).toEqual(pages.sort((a, b) => a - b));
    expect(everyone.ids).not.toContain(contactOfCompanyOf(f.colleagueId));
    // For a colleague's list, as a manager holding Agenda: what both may see.
    const forColleague = f.core.invokeSync(f.manager, 'contactSyncList.candidateIds', { userId: f.colleagueId });
    expect(forColleague.userId).toBe(f.colleagueId);
    expect(forColleague.ids).not.toContain(contactOfCompanyOf(f.colleagueId));
  });

  it('refuses bad input naming the field, and changes nothing', async () => {
    const before = dump(f.db);
    const cases: [string, unknown, string][] = [
      ['contactSyncList.add', { contactIds: [] }, 'contactIds: must name at least one contact'],
      ['contactSyncList.add', { contactIds: [0] }, 'contactIds.0: Too small: expected number to be >0'],
      ['contactSyncList.add', { contactIds: ['1'] }, 'contactIds.0: Invalid input: expected number, received string'],
      ['contactSyncList.remove', { contactIds: [1], deleteInGoogle: 'yes' }, 'deleteInGoogle: Invalid input: expected boolean, received string'],
      ['contactSyncList.items', { limit: 501 }, 'limit: Too big: expected number to be <=500'],
      ['contactSyncList.itemIds', { query: 'a', limit: 10 }, 'input: Unrecognized key: "limit"'],
      ['contactSyncList.candidateIds', { userId: 'me' }, 'userId: Invalid input: expected number, received string'],
      ['contactsSync.run', { dryRun: 1 }, 'dryRun: Invalid input: expected boolean, received number'],
      ['contactsSync.run', { userId: 1, extra: true }, 'input: Unrecognized key: "extra"'],
    ];
    for (const [channel, input, message] of cases) {
      const r = await f.core.call(f.rep, channel, input);
      expect(r, channel).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message } });
    }
    expect(dump(f.db)).toBe(before);
  });
});

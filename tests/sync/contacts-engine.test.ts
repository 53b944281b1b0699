/**
 * The contacts sync end to end (issue 6): the core's channels against the in-process emulator
 * through the official People client; every test checks both sides.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTACT_CRM_ID, CONTACT_CRM_STAMP } from '../../electron/core/google/identity';
import { logTextOf } from '../../electron/core/sync/logText';
import { contactsFixture, image, type ContactsFixture } from './contacts-fixture';

let f: ContactsFixture;
beforeEach(async () => {
  f = await contactsFixture();
});
afterEach(async () => {
  await f.close();
});

const ADDRESS = { line1: '12 rue des Lilas', line2: 'Bâtiment B', line3: '3e étage', postalCode: '69003', city: 'Lyon', country: 'France' };

/** A company of the rep (its contacts are theirs to see). */
function repCompany(): { id: number; name: string } {
  return f.db.prepare('SELECT id, name FROM companies WHERE sales_rep_id = ? ORDER BY id LIMIT 1').get(f.repId) as { id: number; name: string };
}

function logEntries(runId: number | null) {
  return f.core.invokeSync(f.rep, 'contactsSync.logEntries', { runId: runId! });
}

/**
 * Every line the run wrote carries its code and params (never `text`), stored with the sentence
 * they render; returns the codes, in order.
 */
function storedCodes(runId: number | null): string[] {
  const rows = f.db.prepare('SELECT code, params, message FROM sync_log WHERE run_id = ? ORDER BY id').all(runId!) as { code: string | null; params: string | null; message: string }[];
  for (const row of rows) {
    expect(row.code, row.message).not.toBeNull();
    expect(row.code, row.message).not.toBe('text');
    expect({ code: row.code, params: row.params === null ? {} : JSON.parse(row.params) as unknown, message: row.message }).toEqual(logTextOf(row.message));
  }
  return rows.map((row) => row.code!);
}

describe('first push', () => {
  it('creates every listed contact in Google with the one-way fields, the comment and its CRM id; a second run has nothing to do', async () => {
    const company = repCompany();
    const full = await f.createContact({
      civility: 'Mme',
      firstName: 'Élodie',
      lastName: 'Martin',
      companyId: company.id,
      jobTitle: 'Acheteuse',
      email: 'elodie.martin@example.fr',
      phone: '+33 4 72 00 00 01',
      mobile: '+33 6 12 34 56 78',
      address: ADDRESS,
      comment: 'Préfère le mardi.',
    });
    const bare = await f.createContact({ lastName: 'Durand' });
    const notListed = await f.createContact({ lastName: 'Absent' });
    const added = await f.add([full, bare, full]);
    expect(added).toMatchObject({ added: 2, alreadyOnList: 0, count: 2 });

    const r = await f.sync();
    expect(r).toMatchObject({ status: 'ok', listed: 2, google: { created: 2, updated: 0, deleted: 0, photos: 0 }, crm: { updated: 0 }, errors: [] });

    const p = (await f.gContact(full))!;
    expect(p.names).toHaveLength(1);
    expect(p.names![0]).toMatchObject({ unstructuredName: 'Élodie Martin', displayName: 'Élodie Martin' });
    expect(p.emailAddresses).toEqual([expect.objectContaining({ value: 'elodie.martin@example.fr', type: 'work' })]);
    expect(p.phoneNumbers!.map((x) => [x.type, x.value])).toEqual([['work', '+33 4 72 00 00 01'], ['mobile', '+33 6 12 34 56 78']]);
    expect(p.addresses).toEqual([expect.objectContaining({ type: 'work', streetAddress: '12 rue des Lilas', extendedAddress: 'Bâtiment B\n3e étage', postalCode: '69003', city: 'Lyon', country: 'France' })]);
    expect(p.organizations).toEqual([expect.objectContaining({ name: company.name, title: 'Acheteuse' })]);
    expect(p.biographies![0]!.value).toBe('Préfère le mardi.');
    // Civility and the separate first/last names are not synced: one name only.
    expect(JSON.stringify(p)).not.toContain('Mme');
    const created = (f.db.prepare('SELECT created_at FROM contacts WHERE id = ?').get(full) as { created_at: string }).created_at;
    expect(p.clientData).toEqual(expect.arrayContaining([expect.objectContaining({ key: CONTACT_CRM_ID, value: String(full) }), expect.objectContaining({ key: CONTACT_CRM_STAMP, value: created })]));
    const b = (await f.gContact(bare))!;
    expect(b.names![0]!.unstructuredName).toBe('Durand');
    expect(b.emailAddresses ?? []).toEqual([]);
    expect(b.biographies ?? []).toEqual([]);
    expect(await f.gContact(notListed)).toBeUndefined();
    expect(await f.gContacts()).toHaveLength(2);

    const list = f.core.invokeSync(f.rep, 'contactSyncList.items', {});
    expect(list.count).toBe(2);
    expect(list.lastSyncAt).toBe(r.finishedAt);
    expect(list.items.map((i) => [i.lastName, i.state, i.message])).toEqual([
      ['Durand', 'synced', null],
      ['Martin', 'synced', null],
    ]);

    const before = await f.requests();
    const again = await f.sync();
    expect(again).toMatchObject({ status: 'ok', requests: 1, google: { created: 0, updated: 0, photos: 0 }, crm: { updated: 0 } });
    expect(await f.requests()).toBe(before + 1);
    expect(f.core.invokeSync(f.rep, 'contactsSync.log', {})[0]).toMatchObject({ status: 'ok', google: { created: 0 } });
    expect(f.core.invokeSync(f.rep, 'contactsSync.log', {})[1]).toMatchObject({ status: 'ok', google: { created: 2 } });
  });

  it('a dry run says what would change and writes nothing on either side', async () => {
    const ids = [await f.createContact({ lastName: 'Un' }), await f.createContact({ lastName: 'Deux' })];
    await f.add(ids);
    const dry = await f.sync({ dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, runId: null, status: 'ok', google: { created: 2 } });
    expect(await f.gContacts()).toHaveLength(0);
    expect(f.db.prepare("SELECT count(*) AS n FROM sync_links WHERE kind = 'contact'").get()).toEqual({ n: 0 });
    expect(f.core.invokeSync(f.rep, 'contactSyncList.items', {}).items.map((i) => i.state)).toEqual(['pending', 'pending']);
    const real = await f.sync();
    expect(real.google.created).toBe(2);
  });
});

describe('edits', () => {
  it('an edit of each CRM → Google field in the CRM reaches Google; what the user added in Google stays; civility alone sends nothing', async () => {
    const company = repCompany();
    const id = await f.createContact({ firstName: 'Paul', lastName: 'Petit', email: 'paul@example.fr', phone: '01 02 03 04 05', mobile: '06 00 00 00 00', address: ADDRESS, jobTitle: 'Gérant', comment: 'x' });
    await f.add([id]);
    await f.sync();
    // The user adds a home phone and a private e-mail on their phone.
    const g0 = (await f.gContact(id))!;
    await f.ppl.people.updateContact({
      resourceName: g0.resourceName!,
      updatePersonFields: 'phoneNumbers,emailAddresses',
      requestBody: { etag: g0.etag, phoneNumbers: [...g0.phoneNumbers!, { value: '09 99 99 99 99', type: 'home' }], emailAddresses: [...g0.emailAddresses!, { value: 'paul@perso.fr', type: 'home' }] },
    });
    await f.sync();

    const edits: [string, Record<string, unknown>, (p: Awaited<ReturnType<ContactsFixture['gContact']>>) => unknown, unknown][] = [
      ['first name', { firstName: 'Pierre' }, (p) => p!.names![0]!.unstructuredName, 'Pierre Petit'],
      ['last name', { lastName: 'Grand' }, (p) => p!.names![0]!.unstructuredName, 'Pierre Grand'],
      ['e-mail', { email: 'pierre@example.fr' }, (p) => p!.emailAddresses!.map((e) => [e.type, e.value]), [['work', 'pierre@example.fr'], ['home', 'paul@perso.fr']]],
      ['phone', { phone: '01 11 11 11 11' }, (p) => p!.phoneNumbers!.find((x) => x.type === 'work')!.value, '01 11 11 11 11'],
      ['mobile', { mobile: '07 77 77 77 77' }, (p) => p!.phoneNumbers!.map((x) => [x.type, x.value]), [['work', '01 11 11 11 11'], ['mobile', '07 77 77 77 77'], ['home', '09 99 99 99 99']]],
      ['address', { address: { ...ADDRESS, line2: '', line3: '', postalCode: '75001', city: 'Paris' } }, (p) => p!.addresses![0], expect.objectContaining({ streetAddress: '12 rue des Lilas', postalCode: '75001', city: 'Paris', country: 'France' })],
      ['company', { companyId: company.id }, (p) => p!.organizations![0]!.name, company.name],
      ['job title', { jobTitle: 'Directeur' }, (p) => p!.organizations![0]!.title, 'Directeur'],
    ];
    for (const [label, patch, read, expected] of edits) {
      await f.core.invoke(f.rep, 'contacts.update', { id, patch });
      const r = await f.sync();
      expect(r.google, label).toMatchObject({ created: 0, updated: 1 });
      expect(read(await f.gContact(id)), label).toEqual(expected);
    }
    expect((await f.gContact(id))!.addresses![0]!.extendedAddress).toBeUndefined();
    expect((await f.gContact(id))!.biographies![0]!.value).toBe('x');

    await f.core.invoke(f.rep, 'contacts.update', { id, patch: { civility: 'M.' } });
    const civ = await f.sync();
    expect(civ.google).toMatchObject({ created: 0, updated: 0 });
    // Emptied in the CRM: gone from Google, the user's own entries kept.
    await f.core.invoke(f.rep, 'contacts.update', { id, patch: { email: '', mobile: '', jobTitle: '', companyId: null } });
    await f.sync();
    const last = (await f.gContact(id))!;
    expect(last.emailAddresses!.map((e) => e.value)).toEqual(['paul@perso.fr']);
    expect(last.phoneNumbers!.map((x) => x.value)).toEqual(['01 11 11 11 11', '09 99 99 99 99']);
    expect(last.organizations ?? []).toEqual([]);
  });

  it('a CRM → Google field edited in Google is set back to the CRM value at the next sync, and the log says so', async () => {
    const id = await f.createContact({ firstName: 'Léa', lastName: 'Roux', phone: '04 00 00 00 00', comment: 'Note' });
    await f.add([id]);
    await f.sync();
    const g = (await f.gContact(id))!;
    await f.ppl.people.updateContact({ resourceName: g.resourceName!, updatePersonFields: 'phoneNumbers,names', requestBody: { etag: g.etag, phoneNumbers: [{ value: '05 55 55 55 55', type: 'work' }], names: [{ givenName: 'Léa', familyName: 'Rousse' }] } });

    const r = await f.sync();
    expect(r.google.updated).toBe(1);
    expect(r.decisions).toEqual([expect.objectContaining({ kind: 'overwritten', contactId: id, message: expect.stringContaining('name, phone edited in Google') })]);
    const after = (await f.gContact(id))!;
    expect(after.phoneNumbers![0]!.value).toBe('04 00 00 00 00');
    expect(after.names![0]!.unstructuredName).toBe('Léa Roux');
    expect(f.contact(id)).toMatchObject({ phone: '04 00 00 00 00', lastName: 'Roux' });
    expect(logEntries(r.runId)).toContainEqual(expect.objectContaining({ level: 'warning', contactId: id, message: expect.stringContaining('were set back to its values') }));
    expect(storedCodes(r.runId)).toEqual(['contacts.overwritten', 'contacts.updatedInGoogle', 'contacts.run']);
  });
});

describe('the comment, both ways', () => {
  async function linked(comment: string): Promise<{ id: number; rn: string }> {
    const id = await f.createContact({ lastName: 'Blanc', comment });
    await f.add([id]);
    await f.sync();
    return { id, rn: (await f.gContact(id))!.resourceName! };
  }

  async function editInGoogle(rn: string, value: string): Promise<void> {
    const p = await f.ppl.people.get({ resourceName: rn, personFields: 'biographies' });
    await f.ppl.people.updateContact({ resourceName: rn, updatePersonFields: 'biographies', requestBody: { etag: p.data.etag, biographies: value ? [{ value }] : [] } });
  }

  it('edited in the CRM: sent to Google', async () => {
    const { id } = await linked('Avant');
    await f.core.invoke(f.rep, 'contacts.update', { id, patch: { comment: 'Après, côté CRM' } });
    const r = await f.sync();
    expect(r).toMatchObject({ google: { updated: 1 }, crm: { updated: 0 } });
    expect((await f.gContact(id))!.biographies![0]!.value).toBe('Après, côté CRM');
  });

  it('edited in Google: brought into the CRM, nothing sent back', async () => {
    const { id, rn } = await linked('Avant');
    await editInGoogle(rn, 'Après, côté téléphone');
    const r = await f.sync();
    expect(r).toMatchObject({ crm: { updated: 1 }, google: { updated: 0 } });
    expect(f.contact(id).comment).toBe('Après, côté téléphone');
    expect(f.events.some((e) => e.event === 'onContactsChanged' && (e.payload as { ids: number[] }).ids.includes(id))).toBe(true);
    const again = await f.sync();
    expect(again).toMatchObject({ crm: { updated: 0 }, google: { updated: 0 }, requests: 1 });
    // Cleared in Google: cleared in the CRM.
    await editInGoogle(rn, '');
    await f.sync();
    expect(f.contact(id).comment).toBe('');
  });

  it('edited on both sides: the newer edit wins, the other text is kept in the log', async () => {
    const { id, rn } = await linked('Base');
    await f.core.invoke(f.rep, 'contacts.update', { id, patch: { comment: 'CRM, plus ancien' } });
    await new Promise((r) => setTimeout(r, 5));
    await editInGoogle(rn, 'Google, plus récent');
    const r = await f.sync();
    expect(r.decisions).toEqual([expect.objectContaining({ kind: 'conflict', contactId: id, message: expect.stringContaining('the Google edit is newer and wins. The CRM text was: « CRM, plus ancien »') })]);
    expect(f.contact(id).comment).toBe('Google, plus récent');
    expect((await f.gContact(id))!.biographies![0]!.value).toBe('Google, plus récent');

    await editInGoogle(rn, 'Google, plus ancien');
    await new Promise((r) => setTimeout(r, 5));
    await f.core.invoke(f.rep, 'contacts.update', { id, patch: { comment: 'CRM, plus récent' } });
    const r2 = await f.sync();
    expect(r2.decisions).toEqual([expect.objectContaining({ kind: 'conflict', message: expect.stringContaining('the CRM edit is newer and wins. The Google text was: « Google, plus ancien »') })]);
    expect(f.contact(id).comment).toBe('CRM, plus récent');
    expect((await f.gContact(id))!.biographies![0]!.value).toBe('CRM, plus récent');
    expect(logEntries(r2.runId)).toContainEqual(expect.objectContaining({ level: 'warning', contactId: id }));
    expect(storedCodes(r2.runId)).toContain('contacts.conflict');
    expect(r2.decisions[0]).toMatchObject({ code: 'contacts.conflict', params: { winner: 'crm', lost: 'Google, plus ancien' } });
  });
});

describe('photos', () => {
  it('sends a photo added, changed and deleted in the CRM — re-encoded, only when it changed', async () => {
    const id = await f.createContact({ lastName: 'Photo' });
    await f.add([id]);
    await f.sync();
    const photoCalls = async () => {
      const s = (await f.emu.stats()) as { byRoute: Record<string, Record<string, number>> };
      return Object.entries(s.byRoute).filter(([k]) => k.includes('Photo')).reduce((n, [, v]) => n + Object.values(v).reduce((a, b) => a + b, 0), 0);
    };
    const defaultUrl = (await f.gContact(id))!.photos![0]!;
    expect(defaultUrl.default).toBe(true);

    const big = await image('jpeg', 3000, 2000);
    await f.core.invoke(f.rep, 'contacts.setPhoto', { id, photo: big });
    expect(f.core.invokeSync(f.rep, 'contacts.photo', { id })).toEqual(big);
    const added = await f.sync();
    expect(added.google).toMatchObject({ photos: 1, updated: 0 });
    const p1 = (await f.gContact(id))!.photos![0]!;
    expect(p1.default).toBeUndefined();
    expect(p1.url).toMatch(/^https:\/\/lh3\.googleusercontent\.com\/contacts\//);

    expect((await f.sync()).google.photos).toBe(0);
    const calls = await photoCalls();
    await f.core.invoke(f.rep, 'contacts.update', { id, patch: { jobTitle: 'Photographe' } });
    expect((await f.sync()).google).toMatchObject({ photos: 0, updated: 1 });
    expect(await photoCalls()).toBe(calls);

    await f.core.invoke(f.rep, 'contacts.setPhoto', { id, photo: await image('png', 200, 300, '#ff0000') });
    expect((await f.sync()).google.photos).toBe(1);
    const p2 = (await f.gContact(id))!.photos![0]!;
    expect(p2.url).not.toBe(p1.url);

    await f.core.invoke(f.rep, 'contacts.setPhoto', { id, photo: null });
    expect((await f.sync()).google.photos).toBe(1);
    expect((await f.gContact(id))!.photos![0]!.default).toBe(true);
    expect(f.contact(id).hasPhoto).toBe(false);
  });

  it('a corrupt photo is reported for its contact; its other fields and the other contacts go through', async () => {
    const good = await f.createContact({ lastName: 'Bonne', comment: 'ok' });
    const bad = await f.createContact({ lastName: 'Abîmée', email: 'abimee@example.fr' });
    await f.core.invoke(f.rep, 'contacts.setPhoto', { id: good, photo: await image('jpeg') });
    // A JPEG cut short: the right first bytes (the CRM accepts it), no image behind them.
    const full = Buffer.from((await image('jpeg')).data, 'base64');
    await f.core.invoke(f.rep, 'contacts.setPhoto', { id: bad, photo: { mimeType: 'image/jpeg', data: full.subarray(0, 200).toString('base64') } });
    await f.add([good, bad]);
    const r = await f.sync();
    expect(r.status).toBe('partial');
    expect(r.google).toMatchObject({ created: 2, photos: 1 });
    expect(r.errors).toEqual([
      {
        contactId: bad,
        googleId: expect.stringMatching(/^people\//),
        message: expect.stringMatching(/^« Abîmée »: its photo cannot be read as a JPEG or PNG image \(.+\): replace it in the CRM\. Its other fields were synced\.$/),
        // For the UI: the line and the app's own reason as codes, the library's words as the value.
        code: 'contacts.badPhoto',
        params: { name: 'Abîmée', reason: expect.any(String), reasonCode: 'unreadablePhoto', reasonValue: expect.stringMatching(/.+/) },
      },
    ]);
    expect((await f.gContact(good))!.photos![0]!.default).toBeUndefined();
    const g = (await f.gContact(bad))!;
    expect(g.photos![0]!.default).toBe(true);
    expect(g.emailAddresses![0]!.value).toBe('abimee@example.fr');
    const items = f.core.invokeSync(f.rep, 'contactSyncList.items', {}).items;
    expect(items.find((i) => i.id === bad)).toMatchObject({ state: 'error', message: r.errors[0]!.message, code: 'contacts.badPhoto', params: r.errors[0]!.params });
    expect(storedCodes(r.runId)).toEqual(expect.arrayContaining(['contacts.badPhoto', 'contacts.photoSent', 'contacts.run']));
    expect(items.find((i) => i.id === good)).toMatchObject({ state: 'synced', message: null });
  });

  it('refuses, naming the field, a photo that is not what it says or not an image, and changes nothing', async () => {
    const id = await f.createContact({ lastName: 'Refus' });
    const png = await image('png');
    const cases: [unknown, string][] = [
      [{ mimeType: 'image/jpeg', data: png.data }, 'photo.data: is not a JPEG image (it is a PNG)'],
      [{ mimeType: 'image/png', data: Buffer.from('GIF89a......').toString('base64') }, 'photo.data: is not a PNG image'],
      [{ mimeType: 'image/gif', data: png.data }, 'photo.mimeType: must be image/jpeg or image/png'],
      [{ mimeType: 'image/png', data: '%%%' }, 'photo.data: must be base64'],
    ];
    for (const [photo, message] of cases) {
      expect(await f.core.call(f.rep, 'contacts.setPhoto', { id, photo })).toEqual({ ok: false, error: { code: 'BAD_INPUT', message, field: message.split(':')[0] } });
    }
    expect(f.contact(id).hasPhoto).toBe(false);
    expect(f.db.prepare("SELECT count(*) AS n FROM outbox WHERE entity = 'contact' AND entity_id = ? AND changed_fields LIKE '%photo%'").get(id)).toEqual({ n: 0 });
  });
});

describe('removal and deletion', () => {
  it('removal leaves the Google contact alone; put back on the list, it is linked again, not duplicated', async () => {
    const keep = await f.createContact({ lastName: 'Reste', comment: 'v1' });
    await f.add([keep]);
    await f.sync();
    const rn = (await f.gContact(keep))!.resourceName!;
    const r = await f.core.invoke(f.rep, 'contactSyncList.remove', { contactIds: [keep] });
    expect(r).toMatchObject({ removed: 1, deletedInGoogle: 0, count: 0 });
    expect(f.events.some((e) => e.event === 'onContactSyncListChanged')).toBe(true);
    await f.sync();
    expect((await f.gContact(keep))!.resourceName).toBe(rn);

    // Meanwhile, both sides move on.
    await f.core.invoke(f.rep, 'contacts.update', { id: keep, patch: { phone: '01 23 45 67 89' } });
    const p = await f.ppl.people.get({ resourceName: rn, personFields: 'biographies' });
    await f.ppl.people.updateContact({ resourceName: rn, updatePersonFields: 'biographies', requestBody: { etag: p.data.etag, biographies: [{ value: 'v2 du téléphone' }] } });
    await f.sync();
    expect(f.contact(keep).comment).toBe('v1');

    await f.add([keep]);
    const back = await f.sync();
    expect(back.google.created).toBe(0);
    expect(await f.gContacts()).toHaveLength(1);
    const g = (await f.gContact(keep))!;
    expect(g.resourceName).toBe(rn);
    expect(g.phoneNumbers![0]!.value).toBe('01 23 45 67 89');
    expect(f.contact(keep).comment).toBe('v2 du téléphone');
  });

  it('removal with "delete in Google" deletes it there too', async () => {
    const a = await f.createContact({ lastName: 'Supprimé' });
    const b = await f.createContact({ lastName: 'Gardé' });
    await f.add([a, b]);
    await f.sync();
    const r = await f.core.invoke(f.rep, 'contactSyncList.remove', { contactIds: [a], deleteInGoogle: true });
    expect(r).toMatchObject({ removed: 1, deletedInGoogle: 1, count: 1 });
    expect(await f.gContact(a)).toBeUndefined();
    expect(await f.gContact(b)).toBeDefined();
    expect(f.db.prepare("SELECT count(*) AS n FROM sync_links WHERE kind = 'contact' AND crm_id = ?").get(a)).toEqual({ n: 0 });
    // The contact itself stays in the CRM.
    expect(f.contact(a).lastName).toBe('Supprimé');
    const again = await f.sync();
    expect(again.google).toMatchObject({ created: 0, deleted: 0 });
    expect(await f.gContact(a)).toBeUndefined();
  });

  it('refuses to remove contacts that are not on the list, naming them, and changes nothing', async () => {
    const on = await f.createContact({ lastName: 'Dessus' });
    const off = await f.createContact({ lastName: 'Dessous' });
    await f.add([on]);
    const r = await f.core.call(f.rep, 'contactSyncList.remove', { contactIds: [on, off] });
    expect(r).toEqual({ ok: false, error: { code: 'BAD_INPUT', field: 'contactIds', message: `contactIds: contact ${off} is not on the sync list of ${f.repLogin}. Nothing was removed.` } });
    expect(f.core.invokeSync(f.rep, 'contactSyncList.items', {}).count).toBe(1);
  });

  it('a contact deleted in Google is created again while it stays on the list, and the log says so', async () => {
    const id = await f.createContact({ lastName: 'Revenant', comment: 'toujours là' });
    await f.add([id]);
    await f.sync();
    const old = (await f.gContact(id))!.resourceName!;
    await f.ppl.people.deleteContact({ resourceName: old });
    const r = await f.sync();
    expect(r.google.created).toBe(1);
    expect(r.decisions).toEqual([expect.objectContaining({ kind: 'recreated', contactId: id, message: '« Revenant » had been deleted in Google while on the sync list: it was created again.' })]);
    const now = (await f.gContact(id))!;
    expect(now.resourceName).not.toBe(old);
    expect(now.biographies![0]!.value).toBe('toujours là');
    expect(f.contact(id).comment).toBe('toujours là');
    expect(logEntries(r.runId)).toContainEqual(expect.objectContaining({ contactId: id, message: expect.stringContaining('created again') }));
  });

  it('a contact deleted in the CRM leaves the list; its Google contact stays', async () => {
    const id = await f.createContact({ lastName: 'Effacé' });
    await f.add([id]);
    await f.sync();
    await f.core.invoke(f.rep, 'contacts.delete', { id });
    const r = await f.sync();
    expect(r).toMatchObject({ status: 'ok', listed: 0, skipped: [{ reason: 'deleted-in-crm', count: 1 }] });
    expect(await f.gContact(id)).toBeDefined();
    expect(f.db.prepare("SELECT count(*) AS n FROM sync_links WHERE kind = 'contact'").get()).toEqual({ n: 0 });
  });
});

describe('values', () => {
  it('accents, emoji, very long values and empty fields go through; an invalid e-mail is a clear error for that contact only', async () => {
    const long = 'é'.repeat(9_000) + ' 😀 fin';
    const fancy = await f.createContact({ firstName: 'Zoë 🌻', lastName: "D'Ébène-Çà", jobTitle: 'Ingénieure « qualité »', comment: long, address: { ...ADDRESS, line1: 'x'.repeat(200) } });
    const minimal = await f.createContact({ lastName: 'Seul', address: { line1: '', line2: '', line3: '', postalCode: '', city: '', country: '' } });
    const bad = await f.createContact({ lastName: 'Mauvais', email: 'ok@example.fr' });
    // The CRM checks e-mails when typed; an older or imported one may still be wrong.
    f.db.prepare("UPDATE contacts SET email = 'mauvais@@example' WHERE id = ?").run(bad);
    await f.add([fancy, minimal, bad]);
    const r = await f.sync();
    expect(r.status).toBe('partial');
    expect(r.google.created).toBe(2);
    expect(r.errors).toEqual([
      {
        contactId: bad,
        googleId: null,
        message: '« Mauvais » was not sent to Google: the e-mail address "mauvais@@example" is not valid: correct it in the CRM.',
        code: 'contacts.notSent',
        params: { name: 'Mauvais', reason: 'the e-mail address "mauvais@@example" is not valid: correct it in the CRM', reasonCode: 'badEmail', reasonValue: 'mauvais@@example' },
      },
    ]);
    const g = (await f.gContact(fancy))!;
    expect(g.names![0]!.unstructuredName).toBe("Zoë 🌻 D'Ébène-Çà");
    expect(g.biographies![0]!.value).toBe(long);
    expect(g.organizations![0]!.title).toBe('Ingénieure « qualité »');
    expect(g.addresses![0]!.streetAddress).toBe('x'.repeat(200));
    const m = (await f.gContact(minimal))!;
    expect(Object.keys(m).filter((k) => !['resourceName', 'etag', 'metadata', 'photos', 'names', 'clientData', 'memberships'].includes(k))).toEqual([]);
    expect(await f.gContact(bad)).toBeUndefined();
    expect(f.core.invokeSync(f.rep, 'contactSyncList.items', { query: 'mauvais' }).items).toEqual([expect.objectContaining({ id: bad, state: 'error', message: r.errors[0]!.message })]);

    // Corrected: it goes at the next sync, and nothing else moves.
    await f.core.invoke(f.rep, 'contacts.update', { id: bad, patch: { email: 'bon@example.fr' } });
    const fixed = await f.sync();
    expect(fixed).toMatchObject({ status: 'ok', google: { created: 1, updated: 0 } });
    expect((await f.gContact(bad))!.emailAddresses![0]!.value).toBe('bon@example.fr');
    expect(f.core.invokeSync(f.rep, 'contactSyncList.items', {}).items.every((i) => i.state === 'synced')).toBe(true);
  });
});

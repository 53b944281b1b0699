import type { people_v1 } from '@googleapis/people';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from './index';
import type { RunningEmulator } from './index';
import { connect, failure, reason, setup } from './testkit';

let emu: RunningEmulator;
let ppl: people_v1.People;
const ADA = 'ada@example.com';
const FIELDS = 'names,emailAddresses,phoneNumbers,biographies,clientData,externalIds,metadata';

// 1×1 PNG and a minimal JPEG header.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]).toString('base64');

beforeAll(async () => {
  emu = await startEmulator({ autoConsent: true, maxContactsPerAccount: 260, quotaPerMinute: 100_000 });
  await setup(emu);
  await emu.createAccount({ email: ADA, testUser: true });
  ({ ppl } = await connect(emu, ADA));
});
afterAll(() => emu.close());

const person = (given: string, family = 'Doe'): people_v1.Schema$Person => ({
  names: [{ givenName: given, familyName: family }],
  emailAddresses: [{ value: `${given.toLowerCase()}@acme.test`, type: 'work' }],
  clientData: [{ key: 'crmId', value: `crm-${given}` }],
  externalIds: [{ value: `ext-${given}`, type: 'crm' }],
});

describe('contacts CRUD', () => {
  it('creates, gets, updates (PATCH with etag) and deletes a contact', async () => {
    const created = await ppl.people.createContact({ personFields: FIELDS, requestBody: person('Grace', 'Hopper') });
    const rn = created.data.resourceName as string;
    expect(rn).toMatch(/^people\/c\d+$/);
    expect(created.data.names?.[0]?.displayName).toBe('Grace Hopper');
    expect(created.data.clientData?.[0]).toMatchObject({ key: 'crmId', value: 'crm-Grace' });
    expect(created.data.externalIds?.[0]).toMatchObject({ value: 'ext-Grace', type: 'crm' });
    expect(created.data.metadata?.sources?.[0]?.type).toBe('CONTACT');

    const got = await ppl.people.get({ resourceName: rn, personFields: 'names,emailAddresses' });
    expect(got.data.emailAddresses?.[0]?.value).toBe('grace@acme.test');
    expect(got.data.clientData).toBeUndefined(); // only the requested fields

    const upd = await ppl.people.updateContact({
      resourceName: rn,
      updatePersonFields: 'biographies,phoneNumbers',
      personFields: FIELDS,
      requestBody: { etag: got.data.etag, biographies: [{ value: 'COBOL' }], phoneNumbers: [{ value: '+33 1 23 45 67 89' }] },
    });
    expect(upd.data.biographies?.[0]?.value).toBe('COBOL');
    expect(upd.data.phoneNumbers?.[0]?.canonicalForm).toBe('+33123456789');
    expect(upd.data.names?.[0]?.givenName).toBe('Grace'); // not in the mask: untouched
    expect(upd.data.etag).not.toBe(got.data.etag);

    const stale = await failure(ppl.people.updateContact({ resourceName: rn, updatePersonFields: 'biographies', requestBody: { etag: got.data.etag, biographies: [{ value: 'x' }] } }));
    expect(stale.status).toBe(400);
    expect(stale.body.error.status).toBe('FAILED_PRECONDITION');
    expect(reason(stale)).toBe('failedPrecondition');

    const noEtag = await failure(ppl.people.updateContact({ resourceName: rn, updatePersonFields: 'biographies', requestBody: { biographies: [{ value: 'x' }] } }));
    expect(noEtag.status).toBe(400);
    const noMask = await failure(ppl.people.updateContact({ resourceName: rn, requestBody: { etag: upd.data.etag, biographies: [{ value: 'x' }] } }));
    expect(noMask.status).toBe(400);
    expect(noMask.body.error.message).toContain('updatePersonFields');
    const twoNames = await failure(ppl.people.updateContact({ resourceName: rn, updatePersonFields: 'names', requestBody: { etag: upd.data.etag, names: [{ givenName: 'A' }, { givenName: 'B' }] } }));
    expect(twoNames.status).toBe(400);
    const twoBios = await failure(ppl.people.createContact({ requestBody: { biographies: [{ value: 'a' }, { value: 'b' }] } }));
    expect(twoBios.status).toBe(400);

    const del = await ppl.people.deleteContact({ resourceName: rn });
    expect(del.status).toBe(200);
    const gone = await failure(ppl.people.get({ resourceName: rn, personFields: 'names' }));
    expect(gone.status).toBe(404);
    expect(gone.body.error.status).toBe('NOT_FOUND');
  });

  it('requires personFields and rejects unknown field paths', async () => {
    const c = await ppl.people.createContact({ requestBody: person('Alan', 'Turing') });
    const f1 = await failure(ppl.people.get({ resourceName: c.data.resourceName as string }));
    expect(f1.status).toBe(400);
    expect(f1.body.error.status).toBe('INVALID_ARGUMENT');
    const f2 = await failure(ppl.people.get({ resourceName: c.data.resourceName as string, personFields: 'names,shoeSize' }));
    expect(f2.status).toBe(400);
    const f3 = await failure(ppl.people.connections.list({ resourceName: 'people/me' }));
    expect(f3.status).toBe(400);
    expect(f3.body.error.message).toContain('personFields');
  });

  it('updates and deletes contact photos; refuses bytes that are not JPEG or PNG', async () => {
    const c = await ppl.people.createContact({ requestBody: person('Photo') });
    const rn = c.data.resourceName as string;
    const png = await ppl.people.updateContactPhoto({ resourceName: rn, requestBody: { photoBytes: PNG, personFields: 'photos' } });
    expect(png.data.person?.photos?.[0]?.url).toMatch(/^https:\/\/lh3\.googleusercontent\.com\/contacts\//);
    expect(png.data.person?.photos?.[0]?.default).toBeUndefined();
    const jpg = await ppl.people.updateContactPhoto({ resourceName: rn, requestBody: { photoBytes: JPEG } });
    expect(jpg.status).toBe(200);
    const bad = await failure(ppl.people.updateContactPhoto({ resourceName: rn, requestBody: { photoBytes: Buffer.from('GIF89a....').toString('base64') } }));
    expect(bad.status).toBe(400);
    const notB64 = await failure(ppl.people.updateContactPhoto({ resourceName: rn, requestBody: { photoBytes: '%%%' } }));
    expect(notB64.status).toBe(400);
    const del = await ppl.people.deleteContactPhoto({ resourceName: rn, personFields: 'photos' });
    expect(del.data.person?.photos?.[0]?.default).toBe(true);
  });
});

describe('names', () => {
  it('parses a name set only as unstructuredName into structured parts, keeping it as sent', async () => {
    const c = await ppl.people.createContact({ personFields: 'names', requestBody: { names: [{ unstructuredName: 'Jean-Pierre de la Fontaine' }] } });
    expect(c.data.names?.[0]).toMatchObject({ unstructuredName: 'Jean-Pierre de la Fontaine', givenName: 'Jean-Pierre de la', familyName: 'Fontaine', displayName: 'Jean-Pierre de la Fontaine' });
    const one = await ppl.people.createContact({ personFields: 'names', requestBody: { names: [{ unstructuredName: 'Zoé' }] } });
    expect(one.data.names?.[0]).toMatchObject({ unstructuredName: 'Zoé', givenName: 'Zoé', displayName: 'Zoé' });
    expect(one.data.names?.[0]?.familyName).toBeUndefined();
    // Structured parts only: the unstructured name is combined from them.
    const parts = await ppl.people.createContact({ personFields: 'names', requestBody: { names: [{ givenName: 'Ada', familyName: 'Lovelace' }] } });
    expect(parts.data.names?.[0]).toMatchObject({ unstructuredName: 'Ada Lovelace', displayName: 'Ada Lovelace' });
  });
});

describe('batches and limits', () => {
  it('batch-creates (≤ 200), batch-updates (≤ 200) and batch-deletes (≤ 500)', async () => {
    const tooMany = await failure(ppl.people.batchCreateContacts({ requestBody: { readMask: 'names', contacts: Array.from({ length: 201 }, (_, i) => ({ contactPerson: person(`N${i}`) })) } }));
    expect(tooMany.status).toBe(400);
    const noMask = await failure(ppl.people.batchCreateContacts({ requestBody: { contacts: [{ contactPerson: person('X') }] } }));
    expect(noMask.status).toBe(400);
    const created = await ppl.people.batchCreateContacts({ requestBody: { readMask: 'names,clientData', contacts: Array.from({ length: 5 }, (_, i) => ({ contactPerson: person(`B${i}`) })) } });
    const people = created.data.createdPeople?.map((p) => p.person as people_v1.Schema$Person) ?? [];
    expect(people).toHaveLength(5);
    const contacts = Object.fromEntries(people.map((p) => [p.resourceName as string, { etag: p.etag, names: [{ givenName: `${p.names?.[0]?.givenName}!` }] }]));
    const upd = await ppl.people.batchUpdateContacts({ requestBody: { contacts, updateMask: 'names', readMask: 'names' } });
    expect(Object.values(upd.data.updateResult ?? {}).map((r) => r.person?.names?.[0]?.givenName).sort()).toEqual(['B0!', 'B1!', 'B2!', 'B3!', 'B4!']);
    // A stale etag in the batch fails it as a whole.
    const stale = await failure(ppl.people.batchUpdateContacts({ requestBody: { contacts, updateMask: 'names', readMask: 'names' } }));
    expect(stale.status).toBe(400);
    const tooManyDeletes = await failure(ppl.people.batchDeleteContacts({ requestBody: { resourceNames: Array.from({ length: 501 }, (_, i) => `people/c${i}`) } }));
    expect(tooManyDeletes.status).toBe(400);
    const del = await ppl.people.batchDeleteContacts({ requestBody: { resourceNames: Object.keys(contacts) } });
    expect(del.status).toBe(200);
    const list = await ppl.people.connections.list({ resourceName: 'people/me', personFields: 'names', pageSize: 1000 });
    expect(list.data.connections?.some((c) => Object.keys(contacts).includes(c.resourceName as string))).toBe(false);
  });

  it('refuses contacts beyond the per-account limit', async () => {
    const list = await ppl.people.connections.list({ resourceName: 'people/me', personFields: 'names', pageSize: 1000 });
    const room = 260 - (list.data.totalPeople ?? 0);
    await emu.seedContacts(ADA, Array.from({ length: room }, (_, i) => person(`Fill${i}`)));
    const f = await failure(ppl.people.createContact({ requestBody: person('OneTooMany') }));
    expect(f.status).toBe(400);
    expect(f.body.error.status).toBe('FAILED_PRECONDITION');
  });
});

describe('connections.list and sync tokens', () => {
  let ppl2: people_v1.People;
  const BOB = 'bob@example.com';
  beforeAll(async () => {
    await emu.createAccount({ email: BOB, testUser: true });
    ({ ppl: ppl2 } = await connect(emu, BOB));
    await emu.seedContacts(BOB, Array.from({ length: 25 }, (_, i) => person(`P${i}`)));
  });

  it('pages with pageSize (1–1000) and gives nextSyncToken on the last page when asked', async () => {
    const big = await failure(ppl2.people.connections.list({ resourceName: 'people/me', personFields: 'names', pageSize: 1001 }));
    expect(big.status).toBe(400);
    const p1 = await ppl2.people.connections.list({ resourceName: 'people/me', personFields: 'names', pageSize: 10, requestSyncToken: true });
    expect(p1.data.connections).toHaveLength(10);
    expect(p1.data.nextSyncToken).toBeUndefined();
    expect(p1.data.totalPeople).toBe(25);
    const p2 = await ppl2.people.connections.list({ resourceName: 'people/me', personFields: 'names', pageSize: 10, requestSyncToken: true, pageToken: p1.data.nextPageToken as string });
    const p3 = await ppl2.people.connections.list({ resourceName: 'people/me', personFields: 'names', pageSize: 10, requestSyncToken: true, pageToken: p2.data.nextPageToken as string });
    expect(p3.data.connections).toHaveLength(5);
    expect(p3.data.nextPageToken).toBeUndefined();
    expect(p3.data.nextSyncToken).toBeTruthy();
    const mismatch = await failure(ppl2.people.connections.list({ resourceName: 'people/me', personFields: 'names,emailAddresses', pageSize: 10, pageToken: p1.data.nextPageToken as string }));
    expect(mismatch.status).toBe(400);
  });

  it('returns changes since a sync token, deleted contacts with metadata.deleted; tokens expire after 7 days', async () => {
    const full = await ppl2.people.connections.list({ resourceName: 'people/me', personFields: 'names', pageSize: 1000, requestSyncToken: true });
    const token = full.data.nextSyncToken as string;
    const [first, second] = full.data.connections ?? [];
    await ppl2.people.updateContact({ resourceName: first?.resourceName as string, updatePersonFields: 'names', requestBody: { etag: first?.etag, names: [{ givenName: 'Renamed' }] } });
    await ppl2.people.deleteContact({ resourceName: second?.resourceName as string });
    const inc = await ppl2.people.connections.list({ resourceName: 'people/me', personFields: 'names', syncToken: token, requestSyncToken: true });
    const byName = new Map(inc.data.connections?.map((c) => [c.resourceName, c]));
    expect(inc.data.connections).toHaveLength(2);
    expect(byName.get(first?.resourceName)?.names?.[0]?.givenName).toBe('Renamed');
    expect(byName.get(second?.resourceName)?.metadata?.deleted).toBe(true);
    const next = inc.data.nextSyncToken as string;
    expect(next).toBeTruthy();
    const empty = await ppl2.people.connections.list({ resourceName: 'people/me', personFields: 'names', syncToken: next, requestSyncToken: true });
    expect(empty.data.connections).toBeUndefined();

    emu.clock.advance(7 * 24 * 3600 * 1000 + 1000);
    await connect(emu, BOB).then((c) => (ppl2 = c.ppl));
    const expired = await failure(ppl2.people.connections.list({ resourceName: 'people/me', personFields: 'names', syncToken: next }));
    expect(expired.status).toBe(400);
    expect(expired.body.error.status).toBe('FAILED_PRECONDITION');
    expect(expired.body.error.details?.[0]?.reason).toBe('EXPIRED_SYNC_TOKEN');
  });
});

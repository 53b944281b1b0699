/**
 * A contacts-sync fixture: the Google fixture (demo CRM, in-process emulator) with the rep
 * connected without a browser, their demo sync list emptied so each test starts from a known
 * list, and an official People client on the emulator to read and edit "the phone's" side.
 */
import { people, type people_v1 } from '@googleapis/people';
import { OAuth2Client } from 'google-auth-library';
import sharp from 'sharp';
import { CONTACT_CRM_ID } from '../../electron/core/google/identity';
import type { Contact, ContactDraft, ContactsSyncReport } from '../../shared/contract';
import { CLIENT, fixture, type Fixture, type FixtureOptions } from '../google/fixture';
import { connectWithoutBrowser } from './agenda-fixture';

export const READ_FIELDS = 'names,emailAddresses,phoneNumbers,addresses,organizations,biographies,clientData,metadata,photos';

export interface ContactsFixture extends Fixture {
  ppl: people_v1.People;
  sync(options?: { dryRun?: boolean; conn?: string; userId?: number }): Promise<ContactsSyncReport>;
  /** A contact created through the core as the rep (visible to them: no company unless given). */
  createContact(draft: Partial<ContactDraft> & { lastName: string }): Promise<number>;
  add(ids: number[], conn?: string): Promise<unknown>;
  /** Every live contact of the rep's Google account, with the fields the sync writes. */
  gContacts(): Promise<people_v1.Schema$Person[]>;
  /** The rep's Google contact carrying this CRM id (fails the test when there are two). */
  gContact(contactId: number): Promise<people_v1.Schema$Person | undefined>;
  contact(id: number): Contact;
  requests(): Promise<number>;
}

export async function contactsFixture(opts: FixtureOptions = {}): Promise<ContactsFixture> {
  const f = await fixture(opts);
  f.db.prepare('DELETE FROM contact_sync_list WHERE user_id IN (?, ?)').run(f.repId, f.colleagueId);
  await connectWithoutBrowser(f, f.repId, f.repEmail);
  const t = await f.emu.mintTokens({ clientId: CLIENT.clientId, email: f.repEmail, scopes: ['https://www.googleapis.com/auth/contacts'] });
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: t.access_token });
  const ppl = people({ version: 'v1', auth: auth as never, rootUrl: `${f.emu.url}/`, retry: false });
  const all = async () => {
    const out: people_v1.Schema$Person[] = [];
    let pageToken: string | undefined;
    do {
      const r = await ppl.people.connections.list({ resourceName: 'people/me', personFields: READ_FIELDS, pageSize: 1000, pageToken });
      out.push(...(r.data.connections ?? []));
      pageToken = r.data.nextPageToken ?? undefined;
    } while (pageToken);
    return out;
  };
  return {
    ...f,
    ppl,
    sync: (o = {}) => f.core.invoke(o.conn ?? f.rep, 'contactsSync.run', { dryRun: o.dryRun ?? false, ...(o.userId ? { userId: o.userId } : {}) }),
    async createContact(draft) {
      const c = await f.core.invoke(f.rep, 'contacts.create', draft);
      return c.id;
    },
    add: (ids, conn) => f.core.invoke(conn ?? f.rep, 'contactSyncList.add', { contactIds: ids }),
    gContacts: all,
    async gContact(contactId) {
      const found = (await all()).filter((p) => p.clientData?.some((d) => d.key === CONTACT_CRM_ID && d.value === String(contactId)));
      if (found.length > 1) throw new Error(`contact ${contactId} has ${found.length} Google contacts`);
      return found[0];
    },
    contact(id) {
      return f.core.invokeSync(f.rep, 'contacts.get', { id });
    },
    async requests() {
      const s = (await f.emu.stats()) as { byAccount?: Record<string, { total?: number }> };
      return s.byAccount?.[f.repEmail]?.total ?? 0;
    },
  };
}

/** A real image of the given size and colour, as the CRM would store it. */
export async function image(kind: 'jpeg' | 'png', width = 800, height = 600, colour = '#3366cc'): Promise<{ mimeType: 'image/jpeg' | 'image/png'; data: string }> {
  const img = sharp({ create: { width, height, channels: 3, background: colour } });
  const bytes = kind === 'jpeg' ? await img.jpeg().toBuffer() : await img.png().toBuffer();
  return { mimeType: kind === 'jpeg' ? 'image/jpeg' : 'image/png', data: bytes.toString('base64') };
}

/**
 * `npm run bench -- contacts [--naive=200]`: the contacts sync against the emulator at 50 ms
 * latency and People's default quota (90 writes and 90 reads per minute per user), next to the
 * straightforward way (one official-client createContact / updateContact per contact, backing
 * off 1 s, 2 s, 4 s… on quota errors). For each scenario: requests sent, quota errors received,
 * wall time, peak RSS growth (the emulator runs in a process of its own, emulator/process.ts: its
 * memory and CPU are not ours, its service time still counts in the wall time), and the ratio of
 * wall time to the floor.
 *
 * The floor: ⌊(W − 1) / 90⌋ minutes for W quota-counted writes (a per-minute window lets 90
 * through at once), plus the round trips that must follow each other (the listing pages, then
 * the write requests, one after the other as People asks) at 50 ms each. The one-per-call way
 * is measured on `--naive` contacts only (at 90 a minute, 2,000 would take 22 minutes); its
 * per-contact cost scales linearly.
 */
import { people, type people_v1 } from '@googleapis/people';
import { OAuth2Client } from 'google-auth-library';
import { startEmulatorProcess } from '../emulator/process';
import { contactsFixture, type ContactsFixture } from '../tests/sync/contacts-fixture';
import { table } from './stats';

const LATENCY_MS = 50;
const QUOTA = 90;

interface Row extends Record<string, string | number> {
  scenario: string;
  way: string;
  requests: number;
  'quota errors': number;
  'wall s': number;
  'floor s': number;
  ratio: number;
  'RSS +MB': number;
}

const floorS = (writes: number, roundTrips: number) => Math.floor(Math.max(0, writes - 1) / QUOTA) * 60 + (roundTrips * LATENCY_MS) / 1000;

async function quotaErrors(f: ContactsFixture): Promise<number> {
  const s = (await f.emu.stats()) as { byStatus?: Record<string, number> };
  return (s.byStatus?.['429'] ?? 0) + (s.byStatus?.['403'] ?? 0);
}

async function measure(fn: () => Promise<unknown>): Promise<{ wall: number; rss: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const t0 = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return { wall: (performance.now() - t0) / 1000, rss: (peak - base) / 1024 / 1024 };
}

async function fresh(): Promise<ContactsFixture> {
  return contactsFixture({ emulator: { latencyMs: LATENCY_MS }, startEmulator: startEmulatorProcess });
}

/** N contacts in the CRM, on the rep's list (written straight to the file: the bench measures the sync). */
function addContacts(f: ContactsFixture, n: number): number[] {
  const ids: number[] = [];
  const at = new Date().toISOString();
  f.db.transaction(() => {
    const ins = f.db.prepare(
      `INSERT INTO contacts (civility, last_name, first_name, job_title, email, phone, mobile, address_line1, postal_code, city, country, comment, created_at, updated_at)
       VALUES ('M.', ?, ?, 'Acheteur', ?, '04 72 00 00 00', '06 12 34 56 78', '12 rue des Lilas', '69003', 'Lyon', 'France', ?, ?, ?)`,
    );
    const list = f.db.prepare('INSERT INTO contact_sync_list (user_id, contact_id, added_at) VALUES (?, ?, ?)');
    for (let i = 0; i < n; i++) {
      const id = Number(ins.run(`Nom${i}`, `Prénom${i}`, `contact${i}@example.fr`, i % 4 === 0 ? `Note ${i}` : '', at, at).lastInsertRowid);
      list.run(f.repId, id, at);
      ids.push(id);
    }
  })();
  return ids;
}

async function officialClient(f: ContactsFixture): Promise<people_v1.People> {
  const t = await f.emu.mintTokens({ clientId: 'crm-companion-test.apps.googleusercontent.com', email: f.repEmail, scopes: ['https://www.googleapis.com/auth/contacts'] });
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: t.access_token });
  return people({ version: 'v1', auth: auth as never, rootUrl: `${f.emu.url}/`, retry: false });
}

function naive() {
  let requests = 0;
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      requests++;
      try {
        return await fn();
      } catch (error) {
        const status = (error as { response?: { status?: number } }).response?.status ?? (error as { status?: number }).status;
        if ((status === 403 || status === 429) && attempt < 8) await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
        else throw error;
      }
    }
  };
  return { call, requests: () => requests };
}

export async function run(args: string[]): Promise<void> {
  const naiveN = Number(args.find((a) => a.startsWith('--naive='))?.split('=')[1] ?? 200);
  if (!(naiveN > 0)) throw new Error('--naive must be a positive number');
  const rows: Row[] = [];
  const row = (scenario: string, way: string, requests: number, errors: number, m: { wall: number; rss: number }, floor: number) =>
    rows.push({ scenario, way, requests, 'quota errors': errors, 'wall s': m.wall, 'floor s': floor, ratio: m.wall / floor, 'RSS +MB': m.rss });
  console.log(`Contacts sync benchmark: emulator at ${LATENCY_MS} ms, People ${QUOTA} writes and ${QUOTA} reads per minute per user; one-per-call on ${naiveN} contacts.`);

  // 1. Push 2,000 new contacts; 3. update 500; 4. pull comments with nothing changed.
  {
    const f = await fresh();
    const ids = addContacts(f, 2000);
    let requests = 0;
    const m = await measure(async () => (requests = (await f.sync()).requests));
    row('push 2,000 new', 'CRM Companion', requests, await quotaErrors(f), m, floorS(10, 1 + 10));
    // The next run reads back once what this one wrote (the token predates the writes).
    await f.sync();
    const at = new Date().toISOString();
    f.db.transaction(() => {
      const upd = f.db.prepare("UPDATE contacts SET job_title = 'Directeur', updated_at = ? WHERE id = ?");
      for (const id of ids.slice(0, 500)) upd.run(at, id);
    })();
    const e0 = await quotaErrors(f);
    let upd = 0;
    const um = await measure(async () => (upd = (await f.sync()).requests));
    row('update 500', 'CRM Companion', upd, (await quotaErrors(f)) - e0, um, floorS(3, 1 + 3));
    await f.sync();
    const e1 = await quotaErrors(f);
    let idle = 0;
    const im = await measure(async () => (idle = (await f.sync()).requests));
    row('pull comments, nothing changed', 'CRM Companion', idle, (await quotaErrors(f)) - e1, im, floorS(0, 1));
    await f.close();
  }
  // 2. Push 25,000 new contacts (Google's limit per account).
  {
    const f = await fresh();
    addContacts(f, 25_000);
    let report: Awaited<ReturnType<ContactsFixture['sync']>> | null = null;
    const m = await measure(async () => (report = await f.sync()));
    const r = report!;
    if (r.status !== 'ok') console.log(`  25,000: ${r.status} ${r.errors.slice(0, 3).map((e) => e.message).join(' | ')}`);
    row('push 25,000 new', 'CRM Companion', r.requests, await quotaErrors(f), m, floorS(125, 1 + 125));
    console.log(`  25,000: created ${r.google.created}, ${r.requests} requests (creates: ceil(25,000 / 200) = 125, + 1 listing page).`);
    await f.close();
  }
  // One contact per call through the official client.
  {
    const f = await fresh();
    const ppl = await officialClient(f);
    const nv = naive();
    const created: people_v1.Schema$Person[] = [];
    const m = await measure(async () => {
      for (let i = 0; i < naiveN; i++) {
        const res = await nv.call(() =>
          ppl.people.createContact({
            personFields: 'metadata',
            requestBody: { names: [{ unstructuredName: `Prénom${i} Nom${i}` }], emailAddresses: [{ value: `contact${i}@example.fr`, type: 'work' }], phoneNumbers: [{ value: '04 72 00 00 00', type: 'work' }] },
          }),
        );
        created.push(res.data);
      }
    });
    row(`push ${naiveN} new`, 'one call per contact', nv.requests(), await quotaErrors(f), m, floorS(naiveN, naiveN));
    const r0 = nv.requests();
    const e0 = await quotaErrors(f);
    const updates = created.slice(0, Math.min(naiveN, Math.ceil(naiveN / 4)));
    const um = await measure(async () => {
      for (const p of updates) {
        await nv.call(() => ppl.people.updateContact({ resourceName: p.resourceName!, updatePersonFields: 'organizations', requestBody: { etag: p.etag, organizations: [{ title: 'Directeur' }] } }));
      }
    });
    row(`update ${updates.length}`, 'one call per contact', nv.requests() - r0, (await quotaErrors(f)) - e0, um, floorS(updates.length, updates.length));
    await f.close();
  }

  console.log('');
  console.log(table(rows));
  console.log('\nTargets: creates in ceil(N/200) requests + listing pages; no quota errors; peak RSS growth under 200 MB at 25,000; nothing changed: one request.');
}

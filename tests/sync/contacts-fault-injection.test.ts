/**
 * Contacts sync under fault injection (issue 6, "Done when"): ROUNDS randomised rounds of edits
 * on both sides — the CRM through the core's channels (contacts, photos, the sync list: add,
 * remove keeping or deleting in Google), Google through the official People client (comments,
 * a CRM → Google field, deletions, the user's own contacts) — each followed by a sync under
 * random trouble: 5xx / 429 (Retry-After 0–1 s) / 403 rate limits / dropped connections (the
 * emulator's faults), errors, drops and answers lost AFTER Google applied the write at a rate
 * (a proxy between the engine and the emulator), an invalidated sync token, or a "process crash"
 * (the run's AbortSignal) after the k-th request or at the k-th progress event.
 * After final clean syncs it asserts: no Google contact is duplicated, every listed contact has
 * exactly one Google contact holding the CRM's fields, comment and photo state; no comment edit
 * was lost (the last one stands, or one made on the other side since the last clean sync won);
 * the user's own Google contacts are untouched; and one more sync changes nothing.
 *
 * Reproducible: one seeded PRNG, virtual time (the core, the emulator and the engine's pacer).
 * `FAULT_SEED=… FAULT_ROUNDS=… npx vitest run tests/sync/contacts-fault-injection` replays a run;
 * the seed is printed first and in every failure.
 */
import type { people_v1 } from '@googleapis/people';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Emit } from '../../electron/core/context';
import { CONTACT_CRM_ID } from '../../electron/core/google/identity';
import { runContactsSync, type ContactsEngineDeps } from '../../electron/core/sync/contacts/engine';
import { commentOfPerson, markerOf, ownedOfCrm, ownedOfPerson, type ContactRow } from '../../electron/core/sync/contacts/mapping';
import type { Clock } from '../../electron/core/sync/pacer';
import type { ContactsSyncReport } from '../../shared/contract';
import { CLIENT } from '../google/fixture';
import { contactsFixture, image, type ContactsFixture } from './contacts-fixture';
import { startFaultProxy, type FaultProxy, type Trouble } from './fault-proxy';

const SEED = process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) >>> 0 : Math.floor(Math.random() * 2 ** 32);
const ROUNDS = Number(process.env.FAULT_ROUNDS ?? 200);
const MAX_CONTACTS = 14;
console.log(`contacts fault-injection: seed ${SEED}, ${ROUNDS} rounds (replay with FAULT_SEED=${SEED})`);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const chance = (p: number) => rand() < p;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

let wall = Date.now();
const tick = () => void (wall += 200);
let pacerMs = 0;
const pacerClock: Clock = { now: () => pacerMs, sleep: (ms) => ((pacerMs += ms), new Promise((r) => setImmediate(r))) };

let f: ContactsFixture;
let proxy: FaultProxy;
let abort = new AbortController();
let progressEvents = 0;
let crashAtProgress = 0;
const broadcast = ((event: string) => {
  if (event === 'onContactsSyncProgress' && ++progressEvents === crashAtProgress) abort.abort();
}) as Emit;
let deps: ContactsEngineDeps;
let photos: { mimeType: 'image/jpeg' | 'image/png'; data: string }[] = [];

let seq = 0;
let round = 0;
const history: string[] = [];
const note = (line: string) => void history.push(`r${round}#${seq} ${line}`);
const ctx = () => `seed ${SEED}, round ${round} (replay: FAULT_SEED=${SEED} FAULT_ROUNDS=${ROUNDS})`;

interface Write {
  value: string;
  seq: number;
  side: 'crm' | 'google';
  /** A Google write a clean sync ran after while the contact was on the sync list: it reached the CRM. */
  carried?: boolean;
}
/** Comment writes per contact, both sides (a Google deletion voids Google's writes not yet synced). */
const commentWrites = new Map<number, Write[]>();
const deletedInCrm = new Set<number>();
const cleanSyncs: number[] = [0];
const lastCleanBefore = (s: number) => Math.max(...cleanSyncs.filter((c) => c < s));
let ownContacts = 0;

function write(id: number, w: Omit<Write, 'seq'>): void {
  commentWrites.set(id, [...(commentWrites.get(id) ?? []), { ...w, seq }]);
}

/**
 * A clean sync carries Google's comment writes into the CRM only for contacts on the sync list: a
 * contact taken off it (kept in Google) is not synced, so a write made there and then deleted in
 * Google never reached the CRM and is not one the sync could lose (seed 3000436843).
 */
function cleanSync(s: number): void {
  cleanSyncs.push(s);
  for (const id of onList()) for (const w of commentWrites.get(id) ?? []) if (w.side === 'google') w.carried = true;
}

/** Deleted in Google: what Google's user wrote there and no sync carried over is gone with it. */
function voidUncarried(id: number): void {
  commentWrites.set(id, (commentWrites.get(id) ?? []).filter((w) => w.side === 'crm' || w.carried === true));
}

function fail(problems: string[]): void {
  if (problems.length === 0) return;
  const ids = new Set([...problems.join(' ').matchAll(/\bcontact (\d+)/g)].map((m) => m[1]!));
  const story = history.filter((l, i) => i >= history.length - 12 || [...ids].some((id) => new RegExp(`\\b${id}\\b`).test(l)));
  expect.fail(`${ctx()}\n${problems.join('\n')}\n--- operations on these contacts, and the last ones ---\n${story.join('\n')}`);
}

// ------------------------------------------------------------------------------ the two sides

const repContacts = () => (f.db.prepare("SELECT id FROM contacts WHERE last_name LIKE 'Fi%' ORDER BY id").all() as { id: number }[]).map((r) => r.id);
const onList = () => new Set((f.db.prepare('SELECT contact_id AS id FROM contact_sync_list WHERE user_id = ?').all(f.repId) as { id: number }[]).map((r) => r.id));

async function allPeople(): Promise<people_v1.Schema$Person[]> {
  return f.gContacts();
}

async function crmEdit(): Promise<void> {
  seq++;
  tick();
  const ids = repContacts();
  const listed = onList();
  const op = ids.length < 3 ? 'create' : ids.length >= MAX_CONTACTS ? pick(['update', 'update', 'delete', 'remove'] as const) : pick(['create', 'update', 'update', 'update', 'photo', 'remove', 'add', 'delete'] as const);
  if (op === 'create') {
    const comment = pick(['', 'Premier contact', `Note ${seq}`]);
    const c = await f.core.invoke(f.rep, 'contacts.create', { firstName: pick(['Anne', 'Éric', 'Zoé 🌼', '']), lastName: `Fi${seq}`, email: chance(0.7) ? `c${seq}@example.fr` : '', phone: chance(0.5) ? `01 00 00 ${String(seq % 100).padStart(2, '0')} 00` : '', comment });
    write(c.id, { side: 'crm', value: comment });
    if (chance(0.8)) await f.core.invoke(f.rep, 'contactSyncList.add', { contactIds: [c.id] });
    note(`CRM create contact ${c.id}${onList().has(c.id) ? ' (listed)' : ''}`);
  } else if (op === 'update') {
    const id = pick(ids);
    const patch: Record<string, unknown> = {};
    for (const k of [pick(['firstName', 'email', 'phone', 'mobile', 'jobTitle', 'comment', 'comment']), pick(['comment', 'phone', 'lastName'])]) {
      if (k === 'firstName') patch.firstName = pick(['Paul', 'Léa', `P${seq}`]);
      if (k === 'lastName') patch.lastName = `Fi${seq}`;
      if (k === 'email') patch.email = pick(['', `e${seq}@example.fr`]);
      if (k === 'phone') patch.phone = pick(['', `04 00 00 00 ${String(seq % 100).padStart(2, '0')}`]);
      if (k === 'mobile') patch.mobile = pick(['', '06 12 34 56 78']);
      if (k === 'jobTitle') patch.jobTitle = pick(['', 'Acheteur', `Poste ${seq}`]);
      if (k === 'comment') patch.comment = pick(['', `CRM ${seq}`, 'Rappeler']);
    }
    const before = f.contact(id).comment;
    const c = await f.core.invoke(f.rep, 'contacts.update', { id, patch });
    if (patch.comment !== undefined && c.comment !== before) write(id, { side: 'crm', value: c.comment });
    note(`CRM update contact ${id} ${JSON.stringify(patch)}`);
  } else if (op === 'photo') {
    const id = pick(ids);
    const photo = chance(0.3) ? null : pick(photos);
    await f.core.invoke(f.rep, 'contacts.setPhoto', { id, photo });
    note(`CRM photo contact ${id} ${photo ? photo.mimeType : 'removed'}`);
  } else if (op === 'remove') {
    const id = pick([...listed].length > 0 ? [...listed] : ids);
    if (!listed.has(id)) return;
    const del = chance(0.4);
    await f.core.invoke(f.rep, 'contactSyncList.remove', { contactIds: [id], deleteInGoogle: del });
    if (del) voidUncarried(id);
    note(`CRM remove contact ${id}${del ? ' and delete in Google' : ''}`);
  } else if (op === 'add') {
    const off = ids.filter((id) => !listed.has(id));
    if (off.length === 0) return;
    const id = pick(off);
    await f.core.invoke(f.rep, 'contactSyncList.add', { contactIds: [id] });
    note(`CRM add contact ${id}`);
  } else {
    const id = pick(ids);
    await f.core.invoke(f.rep, 'contacts.delete', { id });
    deletedInCrm.add(id);
    note(`CRM delete contact ${id}`);
  }
}

async function googleEdit(): Promise<void> {
  seq++;
  tick();
  const people = await allPeople();
  const ours = people.filter((p) => markerOf(p) !== null);
  const op = ours.length === 0 ? 'own' : pick(['comment', 'comment', 'comment', 'phone', 'delete', 'own'] as const);
  if (op === 'own') {
    await f.ppl.people.createContact({ requestBody: { names: [{ givenName: `Perso ${seq}` }] } });
    ownContacts++;
    note('Google: a contact of the user\'s own');
    return;
  }
  const p = pick(ours);
  const id = markerOf(p)!.id;
  if (op === 'comment') {
    const value = pick(['', `Google ${seq}`, 'Vu au salon']);
    await f.ppl.people.updateContact({ resourceName: p.resourceName!, updatePersonFields: 'biographies', requestBody: { etag: p.etag, biographies: value ? [{ value }] : [] } });
    if (value !== commentOfPerson(p)) {
      const linked = f.db.prepare("SELECT 1 FROM sync_links WHERE user_id = ? AND kind = 'contact' AND google_id = ?").get(f.repId, p.resourceName);
      if (linked) write(id, { side: 'google', value });
    }
    note(`Google comment contact ${id} ${p.resourceName} → ${JSON.stringify(value)}`);
  } else if (op === 'phone') {
    await f.ppl.people.updateContact({ resourceName: p.resourceName!, updatePersonFields: 'phoneNumbers', requestBody: { etag: p.etag, phoneNumbers: [{ value: `09 ${seq}`, type: 'work' }] } });
    note(`Google phone contact ${id} ${p.resourceName}`);
  } else {
    await f.ppl.people.deleteContact({ resourceName: p.resourceName! });
    voidUncarried(id);
    note(`Google delete contact ${id} ${p.resourceName}`);
  }
}

// ------------------------------------------------------------------------------ syncs under trouble

type Mode = 'none' | 'error' | 'drop' | 'rate' | 'lost' | 'token' | 'crash-request' | 'crash-progress';

async function troubledSync(): Promise<ContactsSyncReport | null> {
  seq++;
  tick();
  const mode = pick<Mode>(['none', 'error', 'error', 'drop', 'rate', 'rate', 'lost', 'lost', 'token', 'crash-request', 'crash-request', 'crash-progress']);
  abort = new AbortController();
  progressEvents = 0;
  crashAtProgress = 0;
  const start = proxy.count.api;
  let detail = '';
  const trouble: Trouble = {};
  switch (mode) {
    case 'error': {
      const status = pick([500, 503, 429, 403] as const);
      const count = int(1, 4);
      await f.emu.fault({ type: 'error', status, count, api: 'people', ...(status === 429 ? { retryAfterSeconds: int(0, 1) } : {}) });
      detail = `${status}×${count}`;
      break;
    }
    case 'drop': {
      const count = int(1, 3);
      await f.emu.fault({ type: 'drop', count, api: 'people' });
      detail = `×${count}`;
      break;
    }
    case 'rate': {
      const rate = pick([0.1, 0.2, 0.3]);
      let streak = 0;
      trouble.before = () => {
        if (streak >= 3 || !chance(rate)) return null;
        streak++;
        return pick(['drop', { status: 503, reason: 'backendError' }, { status: 500, reason: 'backendError' }, { status: 429, reason: 'rateLimitExceeded', retryAfter: int(0, 1) }, { status: 403, reason: 'rateLimitExceeded' }] as const);
      };
      trouble.after = () => {
        if (streak < 3 && chance(rate / 2)) {
          streak++;
          return 'lose';
        }
        streak = 0;
        return null;
      };
      detail = `${rate}`;
      break;
    }
    case 'lost': {
      const k = int(1, 6);
      trouble.after = ({ n }) => (n - start === k ? 'lose' : null);
      detail = `answer ${k} lost`;
      break;
    }
    case 'token':
      await f.emu.fault({ type: 'invalidateSyncTokens', email: f.repEmail });
      break;
    case 'crash-request': {
      const k = int(1, 6);
      trouble.after = ({ n }) => {
        if (n - start === k) abort.abort();
        return null;
      };
      detail = `after request ${k}`;
      break;
    }
    case 'crash-progress':
      crashAtProgress = int(1, 4);
      detail = `at progress ${crashAtProgress}`;
      break;
  }
  proxy.trouble = trouble;
  let report: ContactsSyncReport | null = null;
  try {
    report = await runContactsSync(deps, { userId: f.repId, startedBy: f.repId, dryRun: false, signal: abort.signal });
  } catch (error) {
    note(`sync threw ${String(error)}`);
  }
  proxy.trouble = {};
  await f.emu.clearFaults();
  const s = seq;
  note(
    `sync [${mode} ${detail}] → ${report ? `${report.status} crm ${JSON.stringify(report.crm)} google ${JSON.stringify(report.google)}${report.errors.length ? ` errors ${report.errors.map((e) => e.message).join(' | ')}` : ''}` : 'thrown'}`,
  );
  for (const d of report?.decisions ?? []) note(`  ${d.kind} contact ${d.contactId ?? '-'}: ${d.message}`);
  crashAtProgress = 0;
  if (report?.status === 'ok') cleanSync(s);
  else if (!mode.startsWith('crash')) fail([`a sync under "${mode} ${detail}" ended ${report?.status ?? 'thrown'}: ${report?.errors.map((e) => e.message).join(' | ') ?? ''}`]);
  return report;
}

// ------------------------------------------------------------------------------ invariants

function duplicateProblems(people: people_v1.Schema$Person[]): string[] {
  const byKey = new Map<string, string[]>();
  for (const p of people) {
    const m = markerOf(p);
    if (!m) continue;
    const key = `${m.id}@${m.stamp ?? ''}`;
    byKey.set(key, [...(byKey.get(key) ?? []), p.resourceName!]);
  }
  const problems: string[] = [];
  for (const [key, names] of byKey) if (names.length > 1) problems.push(`contact ${key.split('@')[0]} has ${names.length} Google contacts: ${names.join(', ')}`);
  const links = f.db.prepare("SELECT google_id, count(*) AS n FROM sync_links WHERE user_id = ? AND kind = 'contact' GROUP BY google_id HAVING n > 1").all(f.repId) as { google_id: string; n: number }[];
  for (const l of links) problems.push(`Google contact ${l.google_id} is linked to ${l.n} contacts`);
  return problems;
}

async function finalChecks(): Promise<void> {
  const problems: string[] = [];
  const people = await allPeople();
  problems.push(...duplicateProblems(people));
  const listed = onList();
  const rows = new Map(
    (
      f.db
        .prepare(`SELECT c.*, co.name AS company_name FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE c.id IN (SELECT contact_id FROM contact_sync_list WHERE user_id = ?)`)
        .all(f.repId) as (ContactRow & { photo_sha256: string | null })[]
    ).map((r) => [r.id, r]),
  );
  for (const id of listed) {
    const row = rows.get(id)!;
    const mine = people.filter((p) => {
      const m = markerOf(p);
      return m?.id === id && m.stamp === row.created_at;
    });
    if (mine.length !== 1) {
      problems.push(`contact ${id} has ${mine.length} Google contacts`);
      continue;
    }
    const p = mine[0]!;
    const g = ownedOfPerson(p);
    const c = ownedOfCrm(row);
    if (JSON.stringify(g) !== JSON.stringify(c)) problems.push(`contact ${id}: Google holds ${JSON.stringify(g)}, the CRM ${JSON.stringify(c)}`);
    if (commentOfPerson(p) !== row.comment) problems.push(`contact ${id}: Google's comment ${JSON.stringify(commentOfPerson(p))}, the CRM's ${JSON.stringify(row.comment)}`);
    const hasPhoto = p.photos?.[0]?.default !== true;
    if (hasPhoto !== (row.photo_sha256 !== null)) problems.push(`contact ${id}: Google ${hasPhoto ? 'has' : 'has no'} photo, the CRM ${row.photo_sha256 ? 'has' : 'has none'}`);
    // No comment edit lost: the last one stands, or one from the other side since the last clean sync won.
    const writes = commentWrites.get(id) ?? [];
    const last = writes.at(-1);
    if (last && row.comment !== last.value) {
      const since = lastCleanBefore(last.seq);
      const won = writes.some((w) => w.side !== last.side && w.seq > since && w.value === row.comment);
      if (!won) problems.push(`contact ${id}: the last comment edit (${last.side}, #${last.seq}) ${JSON.stringify(last.value)} was lost: now ${JSON.stringify(row.comment)}`);
    }
  }
  const own = people.filter((p) => !p.clientData?.some((d) => d.key === CONTACT_CRM_ID));
  if (own.length !== ownContacts) problems.push(`the user's own Google contacts: ${own.length}, expected ${ownContacts}`);
  fail(problems);
}

beforeAll(async () => {
  f = await contactsFixture({ now: () => new Date(wall), emulator: { now: () => wall, quotaPerMinute: 1_000_000, projectQuotaPerMinute: 1_000_000 } });
  proxy = await startFaultProxy(f.emu.url, { apiPrefixes: ['/v1/'] });
  await f.core.invoke(f.adm, 'google.setClient', { clientId: CLIENT.clientId, rootUrl: proxy.url });
  deps = { db: f.db, services: f.core.services, now: () => new Date(wall), broadcast, clock: pacerClock, baseDelayMs: 1 };
  photos = [await image('jpeg', 64, 48, '#aa3311'), await image('png', 40, 40, '#11aa33')];
});

afterAll(async () => {
  await proxy?.close();
  await f?.close();
});

it(`survives ${ROUNDS} rounds of random edits, faults and crashes (seed ${SEED})`, { timeout: 300_000 }, async () => {
  const started = Date.now();
  for (round = 1; round <= ROUNDS; round++) {
    const ops: (() => Promise<void>)[] = [];
    for (let n = int(0, 3); n > 0; n--) ops.push(() => crmEdit());
    for (let n = int(0, 2); n > 0; n--) ops.push(() => googleEdit());
    while (ops.length > 0) await ops.splice(int(0, ops.length - 1), 1)[0]!();
    await troubledSync();
    fail(duplicateProblems(await allPeople()));
  }
  round = ROUNDS + 1;
  await f.emu.clearFaults();
  const clean = () => runContactsSync(deps, { userId: f.repId, startedBy: f.repId, dryRun: false });
  seq++;
  const r = await clean();
  note(`final sync → ${r.status} ${r.errors.map((e) => e.message).join(' | ')}`);
  if (r.status !== 'ok') fail([`the final clean sync ended ${r.status}: ${r.errors.map((e) => e.message).join(' | ')}`]);
  cleanSync(seq);
  await finalChecks();
  const last = await clean();
  if (last.status !== 'ok' || last.crm.updated + last.google.created + last.google.updated + last.google.photos !== 0) {
    fail([`a further sync still changed things: ${last.status} crm ${JSON.stringify(last.crm)} google ${JSON.stringify(last.google)} ${last.errors.map((e) => e.message).join(' | ')}`]);
  }
  console.log(`contacts fault-injection: seed ${SEED}, ${ROUNDS} rounds, ${proxy.count.api} engine requests, ${deletedInCrm.size} contacts deleted in the CRM, ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

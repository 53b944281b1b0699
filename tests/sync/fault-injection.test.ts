/**
 * Agenda sync under fault injection (issue 5, "Done when"): ROUNDS randomised rounds of edits on
 * both sides — the CRM through the core's channels (so the outbox is written), Google through the
 * official Calendar client on the emulator — each followed by a sync under random trouble:
 * 5xx / 429 (Retry-After 0–1 s) / 403 rateLimitExceeded / dropped connections (the emulator's
 * faults), errors and drops at a rate and answers lost AFTER Google applied the write (a proxy
 * between the engine and the emulator), an invalidated sync token, or a "process crash" between
 * two steps (the run's AbortSignal aborted after the k-th request or at the k-th progress event);
 * a third of the runs are automatic ones (CRM → Google, without listing Google first).
 * Pending deletions are answered at random; now and then (4% of rounds) the user does Reset
 * calendar (keep) once both sides agree, and the resync must re-link every pair as it was and
 * create nothing (events pulled from Google are found by their remembered origin, the others by
 * their CRM id). After a final clean sync it asserts: both sides agree
 * on every synced field, no Google event is duplicated, every in-window action has exactly one
 * event and every event one action, no CRM edit was lost, and one more sync changes nothing.
 *
 * Reproducible: everything random comes from one seeded PRNG, time is virtual (the core, the
 * emulator and the engine's pacer), event ids are ours. `FAULT_SEED=… FAULT_ROUNDS=… npx vitest
 * run tests/sync/fault-injection` replays a run; the seed is printed first and in every failure.
 */
import { writeFileSync } from 'node:fs';
import type { calendar_v3 } from '@googleapis/calendar';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Emit } from '../../electron/core/context';
import { periodBounds } from '../../electron/core/actions/period';
import { EVENT_CRM_ID } from '../../electron/core/google/identity';
import { resolveDeletions, runAgendaSync, syncWindow, type EngineDeps } from '../../electron/core/sync/agenda/engine';
import { crmIdOf, fieldsOfAction, fieldsOfEvent, SYNCED_FIELDS, type SyncedField, type SyncedFields } from '../../electron/core/sync/agenda/mapping';
import type { Clock } from '../../electron/core/sync/pacer';
import type { Action, SyncReport } from '../../shared/contract';
import { CALENDAR, CLIENT } from '../google/fixture';
import { agendaFixture, type AgendaFixture } from './agenda-fixture';
import { startFaultProxy, type FaultProxy, type Trouble } from './fault-proxy';

const SEED = process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) >>> 0 : Math.floor(Math.random() * 2 ** 32);
const ROUNDS = Number(process.env.FAULT_ROUNDS ?? 200);
const TZ = 'Europe/Paris';
const MAX_ACTIONS = 15;
const MAX_EVENTS = 15;
console.log(`fault-injection: seed ${SEED}, ${ROUNDS} rounds (replay with FAULT_SEED=${SEED})`);

// ------------------------------------------------------------------------------ randomness

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
const some = <T>(xs: readonly T[], min: number, max: number): T[] => {
  const pool = [...xs];
  const out: T[] = [];
  for (let n = int(min, Math.min(max, pool.length)); n > 0; n--) out.push(pool.splice(Math.floor(rand() * pool.length), 1)[0]!);
  return out;
};

// ------------------------------------------------------------------------------ virtual time

/** Wall time seen by the core (updated_at), the emulator (`updated`, tokens) and the engine. */
let wall = Date.now();
const tick = () => void (wall += 200);
/** The engine's pacer and backoff: sleeping only moves this clock on, so retries cost nothing. */
let pacerMs = 0;
const pacerClock: Clock = { now: () => pacerMs, sleep: (ms) => ((pacerMs += ms), new Promise((r) => setImmediate(r))) };

// ------------------------------------------------------------------------------ periods

const DAY = 86_400_000;
const base = Date.UTC(new Date(wall).getUTCFullYear(), new Date(wall).getUTCMonth(), new Date(wall).getUTCDate());
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const iso = (ms: number) => new Date(ms).toISOString();
const parisOffset = (ms: number) => new Intl.DateTimeFormat('en-US', { timeZone: TZ, timeZoneName: 'shortOffset' }).format(new Date(ms));
/** Days (from today) on which Paris changes its clocks, within the window (2 months back, 6 ahead). */
const dstDays: number[] = [];
for (let d = -50; d <= 170; d++) if (parisOffset(base + d * DAY + 12 * 3_600_000) !== parisOffset(base + (d - 1) * DAY + 12 * 3_600_000)) dstDays.push(d);

type P = SyncedFields['period'];
function randomPeriod(): P {
  const kind = rand();
  if (kind < 0.2 && dstDays.length > 0) {
    // Across a DST change in Paris: timed over the night of the change, or all-day around it.
    const d = pick(dstDays);
    if (chance(0.5)) return { allDay: false, start: iso(base + d * DAY - int(2, 5) * 3_600_000), end: iso(base + d * DAY + int(3, 9) * 3_600_000) };
    return { allDay: true, startDate: ymd(base + (d - 1) * DAY), endDate: ymd(base + (d + int(0, 1)) * DAY) };
  }
  const day = int(-40, 120);
  if (kind < 0.45) {
    const start = base + day * DAY;
    return { allDay: true, startDate: ymd(start), endDate: ymd(start + int(0, 2) * DAY) };
  }
  const start = base + day * DAY + int(6, 19) * 3_600_000 + pick([0, 30]) * 60_000;
  return { allDay: false, start: iso(start), end: iso(start + pick([30, 60, 90, 180]) * 60_000) };
}

/** The same period in Google's terms (all-day end exclusive), in a random zone. */
function googleTimes(p: P): { start: calendar_v3.Schema$EventDateTime; end: calendar_v3.Schema$EventDateTime } {
  if (p.allDay) return { start: { date: p.startDate }, end: { date: ymd(Date.parse(p.endDate) + DAY) } };
  const timeZone = pick([TZ, 'America/Los_Angeles', 'UTC']);
  return { start: { dateTime: p.start, timeZone }, end: { dateTime: p.end, timeZone } };
}

// ------------------------------------------------------------------------------ the world and its model

let f: AgendaFixture;
let proxy: FaultProxy;
let abort = new AbortController();
let progressEvents = 0;
let crashAtProgress = 0;
const broadcast = ((event: string) => {
  if (event === 'onSyncProgress' && ++progressEvents === crashAtProgress) abort.abort();
}) as Emit;
let deps: EngineDeps;

/** Sequence of every operation (edits, syncs), to order them. */
let seq = 0;
interface Write {
  value: unknown;
  seq: number;
  round: number;
}
/** The last value written by the CRM user per action and field. */
const crmWrites = new Map<number, Map<SyncedField, Write>>();
/** Every value Google's user wrote (as the CRM reads it), with the event and the action it was linked to then. */
const googleWrites: (Write & { eventId: string; actionId: number | null; field: SyncedField })[] = [];
const deletedInCrm = new Set<number>();
const deletedByAnswer = new Set<number>();
const recurring = new Set<string>();
let eventSeq = 0;
/** `seq` of every sync that finished cleanly (status ok, no errors). */
const cleanSyncs: number[] = [0];
function lastCleanBefore(s: number): number {
  let best = 0;
  for (const c of cleanSyncs) if (c < s) best = Math.max(best, c);
  return best;
}
let round = 0;
const history: string[] = [];

function note(line: string): void {
  history.push(`r${round}#${seq} ${line}`);
}

function recordCrm(a: Action, fields: readonly SyncedField[]): void {
  const f2 = fieldsOfAction(a);
  let m = crmWrites.get(a.id);
  if (!m) crmWrites.set(a.id, (m = new Map()));
  for (const k of fields) m.set(k, { value: f2[k], seq, round });
}

function recordGoogle(e: calendar_v3.Schema$Event, fields: readonly SyncedField[]): void {
  const g = fieldsOfEvent(e, -1);
  if ('skip' in g) return;
  const link = f.db.prepare("SELECT crm_id FROM sync_links WHERE user_id = ? AND kind = 'event' AND google_id = ?").get(f.repId, e.id) as { crm_id: number } | undefined;
  const actionId = link?.crm_id ?? crmIdOf(e);
  for (const k of fields) googleWrites.push({ eventId: e.id!, actionId, field: k, value: g[k], seq, round });
}

/** Equal as synced values; a disabled reminder read from Google (-1) carries no delay. */
function sameValue(field: SyncedField, a: unknown, b: unknown): boolean {
  if (field === 'reminder') {
    const x = a as SyncedFields['reminder'];
    const y = b as SyncedFields['reminder'];
    if (!x.enabled && !y.enabled && (x.minutesBefore === -1 || y.minutesBefore === -1)) return true;
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

const ctx = () => `seed ${SEED}, round ${round} (replay: FAULT_SEED=${SEED} FAULT_ROUNDS=${ROUNDS})`;

// ------------------------------------------------------------------------------ random edits

const WORDS = ['Visite', 'Réunion', 'Appel', 'Démo', 'Salon', 'Point', 'Relance', 'Déjeuner'];

function crmValue(field: SyncedField): unknown {
  switch (field) {
    case 'title':
      return `${pick(WORDS)} c${seq}`;
    case 'location':
      return pick(['', 'Lyon', 'Salle 2', 'Visio', `Bureau ${seq}`]);
    case 'period':
      return randomPeriod();
    case 'private':
      return chance(0.5);
    case 'reminder':
      return { enabled: chance(0.6), minutesBefore: pick([0, 5, 10, 15, 30, 60, 1440]) };
    case 'description':
      return pick(['', 'Notes', 'Ligne 1\nLigne 2', `Texte ${seq}`, 'Apporter le devis']);
  }
}

function googleValue(field: SyncedField): calendar_v3.Schema$Event {
  switch (field) {
    case 'title':
      return { summary: `${pick(WORDS)} g${seq}` };
    case 'location':
      return { location: pick(['', 'Nantes', 'Salle 4', `Client ${seq}`]) };
    case 'period':
      return googleTimes(randomPeriod());
    case 'private':
      return { visibility: pick(['default', 'private', 'public', 'confidential']) };
    case 'reminder':
      return {
        reminders: {
          useDefault: false,
          overrides: pick([[], [{ method: 'popup', minutes: pick([5, 20, 45]) }], [{ method: 'popup', minutes: 30 }, { method: 'email', minutes: 1440 }], [{ method: 'popup', minutes: 60 }, { method: 'popup', minutes: 10 }]]),
        },
      };
    case 'description':
      return { description: pick(['', 'Notes G', '<b>Gras</b> et<br>ligne', `<p>Para ${seq}</p>`, 'plain\ntext']) };
  }
}

function rowsOfRep(): { id: number; series_id: number | null }[] {
  return f.db.prepare('SELECT id, series_id FROM actions WHERE owner_id = ? ORDER BY id').all(f.repId) as { id: number; series_id: number | null }[];
}

async function crmEdit(): Promise<void> {
  seq++;
  tick();
  const ids = rowsOfRep().map((r) => r.id);
  const op = ids.length === 0 ? 'create' : ids.length >= MAX_ACTIONS ? pick(['update', 'update', 'delete'] as const) : pick(['create', 'update', 'update', 'update', 'duplicate', 'delete'] as const);
  if (op === 'create') {
    const input = Object.fromEntries(SYNCED_FIELDS.map((k) => [k, crmValue(k)]));
    const a = await f.core.invoke(f.rep, 'actions.create', { typeId: f.typeId, contactId: null, companyId: null, ...input });
    recordCrm(a, SYNCED_FIELDS);
    note(`CRM create ${a.id} ${JSON.stringify(fieldsOfAction(a))}`);
  } else if (op === 'update') {
    const id = pick(ids);
    const fields = some(SYNCED_FIELDS, 1, 3);
    const patch = Object.fromEntries(fields.map((k) => [k, crmValue(k)]));
    const a = await f.core.invoke(f.rep, 'actions.update', { id, patch });
    recordCrm(a, fields);
    note(`CRM update ${id} ${JSON.stringify(patch)}`);
  } else if (op === 'duplicate') {
    const id = pick(ids);
    const a = await f.core.invoke(f.rep, 'actions.duplicate', { id, shiftDays: int(0, 2) });
    recordCrm(a, SYNCED_FIELDS);
    note(`CRM duplicate ${id} → ${a.id}`);
  } else {
    const id = pick(ids);
    await f.core.invoke(f.rep, 'actions.delete', { id });
    deletedInCrm.add(id);
    note(`CRM delete ${id}`);
  }
}

async function googleEdit(events: calendar_v3.Schema$Event[]): Promise<void> {
  seq++;
  tick();
  const live = events.filter((e) => e.status !== 'cancelled' && !recurring.has(e.id!));
  const op = live.length === 0 ? 'insert' : live.length >= MAX_EVENTS ? pick(['patch', 'patch', 'delete'] as const) : pick(['insert', 'patch', 'patch', 'patch', 'delete'] as const);
  if (op === 'insert') {
    const id = `tst${(++eventSeq).toString(32).padStart(4, '0')}`;
    const body: calendar_v3.Schema$Event = { id };
    for (const k of SYNCED_FIELDS) Object.assign(body, googleValue(k));
    if (chance(0.05)) {
      // A recurring event: never synced, never linked.
      body.recurrence = ['RRULE:FREQ=WEEKLY;COUNT=3'];
      recurring.add(id);
    }
    const e = (await f.cal.events.insert({ calendarId: f.calendarId, requestBody: body })).data;
    if (!recurring.has(id)) recordGoogle(e, SYNCED_FIELDS);
    note(`Google insert ${id}${recurring.has(id) ? ' (recurring)' : ''}`);
    events.push(e);
  } else if (op === 'patch') {
    const target = pick(live);
    const fields = some(SYNCED_FIELDS, 1, 3);
    const body: calendar_v3.Schema$Event = {};
    for (const k of fields) Object.assign(body, googleValue(k));
    const e = (await f.cal.events.patch({ calendarId: f.calendarId, eventId: target.id!, requestBody: body })).data;
    recordGoogle(e, fields);
    note(`Google patch ${target.id} ${JSON.stringify(body)}`);
    Object.assign(target, e);
  } else {
    const target = pick(live);
    await f.cal.events.delete({ calendarId: f.calendarId, eventId: target.id! });
    note(`Google delete ${target.id} (crm ${crmIdOf(target) ?? '-'})`);
    target.status = 'cancelled';
  }
}

// ------------------------------------------------------------------------------ syncs under trouble

type Mode = 'none' | 'error' | 'drop' | 'rate' | 'lost' | 'token' | 'crash-request' | 'crash-progress';

async function troubledSync(): Promise<SyncReport | null> {
  seq++;
  tick();
  const mode = pick<Mode>(['none', 'error', 'error', 'drop', 'rate', 'rate', 'lost', 'lost', 'token', 'crash-request', 'crash-request', 'crash-progress', 'crash-progress']);
  abort = new AbortController();
  progressEvents = 0;
  crashAtProgress = 0;
  const start = proxy.count.api;
  const listingsBefore = proxy.count.listings;
  let detail = '';
  const trouble: Trouble = {};
  switch (mode) {
    case 'error': {
      const status = pick([500, 503, 429, 403] as const);
      const count = int(1, 4);
      await f.emu.fault({ type: 'error', status, count, api: 'api', ...(status === 429 ? { retryAfterSeconds: int(0, 1) } : {}) });
      detail = `${status}×${count}`;
      break;
    }
    case 'drop': {
      const count = int(1, 3);
      await f.emu.fault({ type: 'drop', count, api: 'api' });
      detail = `×${count}`;
      break;
    }
    case 'rate': {
      const rate = pick([0.1, 0.2, 0.3]);
      // At most 3 failures in a row, so the engine's 6 attempts always get through.
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
      // Google has done the k-th request; the process dies before it hears the answer.
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
  // A third of the runs are automatic ones: once a first sync is done they push without listing.
  const trigger = chance(1 / 3) ? 'automatic' : 'manual';
  detail += trigger === 'automatic' ? ' automatic' : '';
  let report: SyncReport | null = null;
  try {
    report = await runAgendaSync(deps, { userId: f.repId, startedBy: f.repId, trigger, dryRun: false, signal: abort.signal });
  } catch (error) {
    note(`sync threw ${String(error)}`);
  }
  proxy.trouble = {};
  await f.emu.clearFaults();
  const s = seq;
  note(`sync [${mode} ${detail}] → ${report ? `${report.status} crm ${JSON.stringify(report.crm)} google ${JSON.stringify(report.google)} pending ${report.pendingDeletions}${report.errors.length ? ` errors ${report.errors.map((e) => e.message).join(' | ')}` : ''}` : 'thrown'}`);
  for (const d of report?.decisions ?? []) note(`  ${d.kind} ${d.actionId ?? '-'} ${d.googleId ?? '-'}: ${d.message}`);
  crashAtProgress = 0;
  // Only a run that listed Google has brought Google's edits in: an automatic push without a
  // listing is no "clean sync" for the lost-edit check (Google's earlier edits are still to come).
  const listed = proxy.count.listings > listingsBefore;
  if (report?.status === 'ok' && report.errors.length === 0) {
    if (listed) cleanSyncs.push(s);
  } else if (!mode.startsWith('crash')) {
    // Every other kind of trouble is within what the engine retries: the run must end cleanly.
    fail([`a sync under "${mode} ${detail}" ended ${report?.status ?? 'thrown'}: ${report?.errors.map((e) => e.message).join(' | ') ?? ''}`]);
  }
  return report;
}

/** Answers pending deletions: each at random (delete / keep / later), or all the same way. */
async function answerDeletions(all?: 'delete' | 'keep'): Promise<void> {
  const rows = f.db.prepare('SELECT id, action_id FROM pending_deletions WHERE user_id = ? ORDER BY id').all(f.repId) as { id: number; action_id: number }[];
  const answer = new Map(rows.map((r) => [r, all ?? pick(['delete', 'keep', 'later', 'later'] as const)]));
  for (const decision of ['delete', 'keep'] as const) {
    const chosen = rows.filter((r) => answer.get(r) === decision);
    if (chosen.length === 0) continue;
    seq++;
    tick();
    await resolveDeletions(deps, f.repId, f.repId, chosen.map((r) => r.id), decision);
    if (decision === 'delete') for (const r of chosen) deletedByAnswer.add(r.action_id);
    note(`answer ${decision} ${chosen.map((r) => r.action_id).join(',')}`);
  }
}

// ------------------------------------------------------------------------------ Reset then resync

/** A sync without trouble; its seq counts as a clean sync when it ends ok. */
async function cleanSync(): Promise<SyncReport> {
  seq++;
  tick();
  await f.emu.clearFaults();
  proxy.trouble = {};
  abort = new AbortController();
  const r = await runAgendaSync(deps, { userId: f.repId, startedBy: f.repId, trigger: 'manual', dryRun: false });
  note(`clean sync → ${r.status} crm ${JSON.stringify(r.crm)} google ${JSON.stringify(r.google)}${r.errors.length ? ` errors ${r.errors.map((e) => e.message).join(' | ')}` : ''}`);
  if (r.status === 'ok' && r.errors.length === 0) cleanSyncs.push(seq);
  else fail([`a sync without trouble ended ${r.status}: ${r.errors.map((e) => e.message).join(' | ')}`]);
  return r;
}

/** The (action, event) links of actions in today's window. */
function inWindowLinks(): string[] {
  const win = syncWindow(new Date(wall), TZ, 2, 6);
  return (
    f.db
      .prepare(
        `SELECT l.crm_id, l.google_id FROM sync_links l JOIN actions a ON a.id = l.crm_id
          WHERE l.user_id = ? AND l.kind = 'event' AND a.end_ms > ? AND a.start_ms < ? ORDER BY l.crm_id`,
      )
      .all(f.repId, win.fromMs, win.toMs) as { crm_id: number; google_id: string }[]
  ).map((l) => `${l.crm_id}↔${l.google_id}`);
}

/**
 * Reset calendar (keep what is in Google) then a resync, once both sides agree: every in-window
 * pair is re-linked as it was — by the CRM id the event carries, or by the origin the store
 * remembers for events pulled from Google — and nothing is created on either side.
 */
async function resetAndResync(): Promise<void> {
  await cleanSync();
  // Reset forgets pending deletions (their actions would be pushed again): answer them first.
  if ((f.db.prepare('SELECT count(*) AS n FROM pending_deletions WHERE user_id = ?').get(f.repId) as { n: number }).n > 0) {
    await answerDeletions(pick(['delete', 'keep']));
    await cleanSync();
  }
  const before = inWindowLinks();
  seq++;
  tick();
  await f.core.invoke(f.rep, 'google.reset', { scope: 'calendar', inGoogle: 'keep' });
  note(`Reset calendar (keep) with ${before.length} in-window links`);
  const r = await cleanSync();
  const problems: string[] = [];
  if (r.crm.created > 0 || r.google.created > 0) problems.push(`the resync after a Reset created ${r.crm.created} action(s) and ${r.google.created} event(s)`);
  const after = inWindowLinks();
  if (JSON.stringify(after) !== JSON.stringify(before)) {
    const lost = before.filter((l) => !after.includes(l));
    const extra = after.filter((l) => !before.includes(l));
    problems.push(`the resync after a Reset did not re-link as before: lost ${lost.join(', ') || '-'}; new ${extra.join(', ') || '-'}`);
  }
  fail(problems);
  fail(duplicateProblems(await allEvents()));
}

// ------------------------------------------------------------------------------ invariants

async function allEvents(): Promise<calendar_v3.Schema$Event[]> {
  const out: calendar_v3.Schema$Event[] = [];
  let pageToken: string | undefined;
  do {
    const r = await f.cal.events.list({ calendarId: f.calendarId, maxResults: 2500, pageToken, showDeleted: true });
    out.push(...(r.data.items ?? []));
    pageToken = r.data.nextPageToken ?? undefined;
  } while (pageToken);
  return out;
}

/** Holds after every run, however it ended: no two live events carry the same CRM id, no two links the same event. */
function duplicateProblems(events: calendar_v3.Schema$Event[]): string[] {
  const problems: string[] = [];
  const byCrm = new Map<number, string[]>();
  for (const e of events) {
    if (e.status === 'cancelled') continue;
    const id = crmIdOf(e);
    if (id !== null) byCrm.set(id, [...(byCrm.get(id) ?? []), e.id!]);
  }
  for (const [id, ids] of byCrm) if (ids.length > 1) problems.push(`action ${id} has ${ids.length} events in Google: ${ids.join(', ')}`);
  const links = f.db.prepare("SELECT google_id, count(*) AS n FROM sync_links WHERE user_id = ? AND kind = 'event' GROUP BY google_id HAVING n > 1").all(f.repId) as { google_id: string; n: number }[];
  for (const l of links) problems.push(`event ${l.google_id} is linked to ${l.n} actions`);
  return problems;
}

function fail(problems: string[]): void {
  if (problems.length === 0) return;
  // The story of what the problems name (action and event ids), and the last operations.
  const ids = new Set([...problems.join(' ').matchAll(/\b(?:action|event) (\w+)/g)].map((m) => m[1]!));
  for (const id of [...ids]) {
    const l = f.db.prepare("SELECT crm_id, google_id FROM sync_links WHERE user_id = ? AND kind = 'event' AND (crm_id = ? OR google_id = ?)").get(f.repId, Number(id) || -1, id) as { crm_id: number; google_id: string } | undefined;
    if (l) ids.add(String(l.crm_id)).add(l.google_id);
  }
  const story = history.filter((l, i) => i >= history.length - 12 || [...ids].some((id) => new RegExp(`\\b${id}\\b`).test(l)));
  if (process.env.FAULT_HISTORY) writeFileSync(process.env.FAULT_HISTORY, history.join('\n'));
  expect.fail(`${ctx()}\n${problems.join('\n')}\n--- operations on these ids, and the last ones ---\n${story.join('\n')}`);
}

async function finalChecks(): Promise<void> {
  const problems: string[] = [];
  const events = await allEvents();
  problems.push(...duplicateProblems(events));
  const win = syncWindow(new Date(wall), TZ, 2, 6);
  const inWindow = (p: P) => {
    const b = periodBounds(p, TZ);
    return b.endMs > win.fromMs && b.startMs < win.toMs;
  };
  const links = f.db.prepare("SELECT crm_id, google_id FROM sync_links WHERE user_id = ? AND kind = 'event'").all(f.repId) as { crm_id: number; google_id: string }[];
  const linkOfAction = new Map(links.map((l) => [l.crm_id, l.google_id]));
  const actionOfEvent = new Map(links.map((l) => [l.google_id, l.crm_id]));
  const eventById = new Map(events.map((e) => [e.id!, e]));
  // Origins: kept by a Reset in google_origins, else on the pulled links themselves (migration 0006).
  const origins = new Map(
    (
      f.db
        .prepare("SELECT google_id, action_id FROM google_origins WHERE user_id = ? UNION ALL SELECT google_id, crm_id FROM sync_links WHERE user_id = ? AND kind = 'event' AND pulled = 1")
        .all(f.repId, f.repId) as { google_id: string; action_id: number }[]
    ).map((o) => [o.google_id, o.action_id]),
  );
  const actions = new Map<number, Action>();
  for (const r of rowsOfRep()) actions.set(r.id, f.core.invokeSync(f.rep, 'actions.get', { id: r.id }) as Action);

  // Every in-window, non-series action: exactly one live event, same fields.
  for (const a of actions.values()) {
    if (a.seriesId !== null || !inWindow(a.period)) continue;
    const gid = linkOfAction.get(a.id);
    const e = gid ? eventById.get(gid) : undefined;
    if (!gid || !e || e.status === 'cancelled') {
      problems.push(`action ${a.id} « ${a.title} » has no live event in Google (link ${gid ?? 'none'}, event ${e ? e.status : 'missing'})`);
      continue;
    }
    // Findable after a Reset: by the CRM id it carries, or (an event pulled from Google, not written
    // to since) as the origin the store remembers for the action.
    if (crmIdOf(e) !== a.id && origins.get(gid) !== a.id) {
      problems.push(`event ${gid} of action ${a.id} carries crmActionId ${e.extendedProperties?.private?.[EVENT_CRM_ID] ?? 'none'} and is not remembered as its origin either`);
    }
    const g = fieldsOfEvent(e, a.reminder.minutesBefore);
    if ('skip' in g) {
      problems.push(`event ${gid} of action ${a.id} is not syncable (${g.skip})`);
      continue;
    }
    const c = fieldsOfAction(a);
    for (const k of SYNCED_FIELDS) if (!sameValue(k, c[k], g[k])) problems.push(`action ${a.id} / event ${gid}: ${k} differs: CRM ${JSON.stringify(c[k])}, Google ${JSON.stringify(g[k])}`);
  }
  // Every live, non-recurring, in-window event: linked to exactly one existing action.
  for (const e of events) {
    if (e.status === 'cancelled' || recurring.has(e.id!)) continue;
    const g = fieldsOfEvent(e, 15);
    if ('skip' in g || !inWindow(g.period)) continue;
    const id = actionOfEvent.get(e.id!);
    if (id === undefined) problems.push(`event ${e.id} « ${e.summary} » is linked to no action`);
    else if (!actions.has(id)) problems.push(`event ${e.id} is linked to action ${id}, which does not exist`);
  }
  // No CRM edit lost: the last value the user wrote is there, or Google's user wrote that field
  // since the last clean sync before the edit (a later edit, or a concurrent one decided "newest").
  for (const [id, writes] of crmWrites) {
    if (deletedInCrm.has(id) || deletedByAnswer.has(id)) continue;
    const a = actions.get(id);
    if (!a) {
      problems.push(`action ${id} disappeared from the CRM (never deleted there nor answered "delete")`);
      continue;
    }
    const now = fieldsOfAction(a);
    const gw = googleWrites.filter((x) => x.actionId === id || x.eventId === linkOfAction.get(id));
    for (const [k, w] of writes) {
      if (sameValue(k, now[k], w.value)) continue;
      const superseded = gw.some((x) => x.field === k && x.seq > lastCleanBefore(w.seq) && sameValue(k, now[k], x.value));
      if (!superseded) problems.push(`action ${id}: the CRM edit of ${k} (round ${w.round}) to ${JSON.stringify(w.value)} was lost: now ${JSON.stringify(now[k])}`);
    }
  }
  const outbox = f.db.prepare("SELECT count(*) AS n FROM outbox WHERE entity = 'action' AND owner_id = ?").get(f.repId) as { n: number };
  if (outbox.n > 0) problems.push(`${outbox.n} outbox entries left after clean syncs`);
  const pending = f.db.prepare('SELECT count(*) AS n FROM pending_deletions WHERE user_id = ?').get(f.repId) as { n: number };
  if (pending.n > 0) problems.push(`${pending.n} pending deletions left`);
  fail(problems);
}


// ------------------------------------------------------------------------------ the test

beforeAll(async () => {
  f = await agendaFixture({ timeZone: TZ, now: () => new Date(wall), emulator: { now: () => wall, quotaPerMinute: 1_000_000, projectQuotaPerMinute: 1_000_000 } });
  proxy = await startFaultProxy(f.emu.url);
  await f.core.invoke(f.adm, 'google.setClient', { clientId: CLIENT.clientId, rootUrl: proxy.url });
  await f.core.invoke(f.rep, 'syncPrefs.update', { patch: { calendarName: CALENDAR, monthsBefore: 2, monthsAfter: 6, automaticSync: false } });
  deps = { db: f.db, services: f.core.services, now: () => new Date(wall), broadcast, clock: pacerClock, baseDelayMs: 1 };
});

afterAll(async () => {
  await proxy?.close();
  await f?.close();
});

it(`survives ${ROUNDS} rounds of random edits, faults and crashes (seed ${SEED})`, { timeout: 180_000 }, async () => {
  const started = Date.now();
  for (round = 1; round <= ROUNDS; round++) {
    const events = await allEvents();
    const ops: (() => Promise<void>)[] = [];
    for (let n = int(0, 3); n > 0; n--) ops.push(() => crmEdit());
    for (let n = int(0, 3); n > 0; n--) ops.push(() => googleEdit(events));
    // Interleave the two sides at random.
    while (ops.length > 0) await ops.splice(int(0, ops.length - 1), 1)[0]!();
    await troubledSync();
    fail(duplicateProblems(await allEvents()));
    if (chance(0.5)) await answerDeletions();
    if (chance(0.04)) await resetAndResync();
  }
  round = ROUNDS + 1;
  // The final clean syncs: faults cleared, every pending deletion answered the same way.
  await f.emu.clearFaults();
  abort = new AbortController();
  const clean = () => runAgendaSync(deps, { userId: f.repId, startedBy: f.repId, trigger: 'manual', dryRun: false });
  let r = await clean();
  note(`final sync 1 → ${r.status} ${r.errors.map((e) => e.message).join(' | ')}`);
  await answerDeletions(pick(['delete', 'keep']));
  r = await clean();
  note(`final sync 2 → ${r.status} crm ${JSON.stringify(r.crm)} google ${JSON.stringify(r.google)} ${r.errors.map((e) => e.message).join(' | ')}`);
  if (r.status !== 'ok') fail([`the final clean sync ended ${r.status}: ${r.errors.map((e) => e.message).join(' | ')}`]);
  await finalChecks();
  const last = await clean();
  const changes = [last.crm, last.google].flatMap((c) => [c.created, c.updated, c.deleted]);
  if (last.status !== 'ok' || changes.some((n) => n !== 0)) {
    fail([`a further sync still changed things: ${last.status} crm ${JSON.stringify(last.crm)} google ${JSON.stringify(last.google)} ${last.errors.map((e) => e.message).join(' | ')}`]);
  }
  if (process.env.FAULT_HISTORY) writeFileSync(process.env.FAULT_HISTORY, history.join('\n'));
  console.log(`fault-injection: seed ${SEED}, ${ROUNDS} rounds, ${proxy.count.api} engine requests, ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

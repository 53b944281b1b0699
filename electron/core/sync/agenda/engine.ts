/**
 * The agenda sync engine (FTC019 §3.3, BRIEF §3, issue 5): one run for one user, both ways.
 *
 * 1. Resolve the named calendar (cached in sync_calendars) and the window in the user's zone.
 * 2. Pull: incremental with the stored sync token, else (first run, Reset, 410) a full listing
 *    of the window; linked events missing from a full listing are fetched one by one, so a 410
 *    never loses a deletion.
 * 3. Plan, field by field against the snapshot of the last sync (merge.ts): CRM creations from
 *    new events, pending deletions, merges, Google creations/updates/deletions.
 * 4. Apply: CRM-only writes first, then Google writes in batches; each result is recorded in a
 *    short transaction of its own (never spanning an await) that also consumes the outbox
 *    entries it answers. Google is written BEFORE the link is recorded, with deterministic
 *    event ids, so a crash between the two is repaired by the next run (409 → re-link).
 * A dry run does steps 1–3 with reads only and reports what step 4 would do.
 */
import type { calendar_v3 } from '@googleapis/calendar';
import type { ActionPatch, SyncReport, SyncTrigger } from '../../../../shared/contract';
import { CrmError } from '../../../../shared/errors';
import type { CoreServices, Emit } from '../../context';
import type { Db } from '../../db/database';
import { describeGoogleError } from '../../google/errors';
import { EVENT_CRM_ID } from '../../google/identity';
import { calendarUnknownMessage, MESSAGES } from '../../google/test';
import { localMidnight, nextDay, periodBounds } from '../../actions/period';
import { deleteAction, getActionRow, insertAction, toAction, updateAction, type ActionRow } from '../../actions/store';
import { getSettings } from '../../settings/handlers';
import { getUser } from '../../users/store';
import type { BatchAnswer, BatchCall } from '../batch';
import type { Clock } from '../pacer';
import { getSyncPrefs } from '../prefs';
import { nearestEventColor } from './colors';
import { CalendarAccess, statusOf } from './google';
import { crmIdOf, eventIdFor, eventOfFields, fieldsOfAction, fieldsOfEvent, type GoogleEvent, type SyncedFields } from './mapping';
import { mergeFields } from './merge';

export interface EngineDeps {
  db: Db;
  services: CoreServices;
  now: () => Date;
  broadcast: Emit;
  clock?: Clock;
  baseDelayMs?: number;
}

export interface RunOptions {
  userId: number;
  startedBy: number | null;
  trigger: SyncTrigger;
  dryRun: boolean;
  signal?: AbortSignal;
}

/** What the link remembers of the last synced state: fields, colour, and Google's extras to keep. */
interface Snapshot {
  f: SyncedFields;
  c: string | null;
  r: calendar_v3.Schema$EventReminder[];
  x: Record<string, string>;
  /** Google's description as stored there (may be HTML). */
  d?: string | null;
}

interface Link {
  actionId: number;
  googleId: string;
  etag: string | null;
  snap: Snapshot | null;
}

type Level = 'info' | 'warning' | 'error';
interface LogLine {
  level: Level;
  actionId: number | null;
  googleId: string | null;
  message: string;
}

const MAX_TITLE = 255;

// ------------------------------------------------------------------------------ small helpers

function todayIn(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** [today − monthsBefore, today + monthsAfter] in the user's zone, as epoch ms [from, to). */
export function syncWindow(now: Date, timeZone: string, monthsBefore: number, monthsAfter: number): { fromMs: number; toMs: number } {
  const today = todayIn(now, timeZone);
  return { fromMs: localMidnight(addMonths(today, -monthsBefore), timeZone), toMs: localMidnight(nextDay(addMonths(today, monthsAfter)), timeZone) };
}

function snapOf(f: SyncedFields, c: string | null, e: GoogleEvent | null): Snapshot {
  const x: Record<string, string> = {};
  for (const [k, v] of Object.entries(e?.extendedProperties?.private ?? {})) if (typeof v === 'string') x[k] = v;
  return { f, c, r: e?.reminders?.overrides ?? [], x, d: e?.description ?? null };
}

function parseSnap(text: string): Snapshot | null {
  try {
    const s = JSON.parse(text) as Partial<Snapshot>;
    return s && s.f ? { f: s.f, c: s.c ?? null, r: s.r ?? [], x: s.x ?? {}, d: s.d ?? null } : null;
  } catch {
    return null;
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function eventFields(e: GoogleEvent, fallbackMinutes: number): SyncedFields | null {
  const f = fieldsOfEvent(e, fallbackMinutes);
  if ('skip' in f) return null;
  return { ...f, title: f.title.slice(0, MAX_TITLE) };
}

/**
 * The delay an event without popup is read with — Google holds none: the snapshot's when the
 * reminder was already off at the last sync (Google did not change it), else the CRM's own. Reading
 * it with the CRM's current delay made a CRM edit of an "off" reminder look like a Google change
 * too, and the "newest" rule could then throw the CRM edit away (found by the fault-injection test).
 */
function offDelay(row: ActionRow, base: SyncedFields | null): number {
  return base && !base.reminder.enabled ? base.reminder.minutesBefore : row.reminder_minutes;
}

/** Whether the private extended properties remembered of an event carry this action's id. */
function hasMarker(x: Record<string, string>, actionId: number): boolean {
  return x[EVENT_CRM_ID] === String(actionId);
}

function isRecurring(e: GoogleEvent): boolean {
  return (e.recurrence?.length ?? 0) > 0 || !!e.recurringEventId;
}

// ------------------------------------------------------------------------------ per-user lock

const running = new WeakMap<CoreServices, Map<number, Promise<unknown>>>();

/** Runs of one user never overlap (a second waits for the first). */
export async function withUserLock<T>(services: CoreServices, userId: number, fn: () => Promise<T>): Promise<T> {
  let map = running.get(services);
  if (!map) running.set(services, (map = new Map()));
  const before = map.get(userId) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(fn);
  map.set(userId, mine);
  try {
    return await mine;
  } finally {
    if (map.get(userId) === mine) map.delete(userId);
  }
}

// ------------------------------------------------------------------------------ the run

export async function runAgendaSync(deps: EngineDeps, opts: RunOptions): Promise<SyncReport> {
  return withUserLock(deps.services, opts.userId, () => runLocked(deps, opts));
}

async function runLocked(deps: EngineDeps, opts: RunOptions): Promise<SyncReport> {
  const { db } = deps;
  const startedAt = deps.now().toISOString();
  const report: SyncReport = {
    runId: null,
    userId: opts.userId,
    trigger: opts.trigger,
    dryRun: opts.dryRun,
    status: 'ok',
    startedAt,
    finishedAt: startedAt,
    crm: { created: 0, updated: 0, deleted: 0 },
    google: { created: 0, updated: 0, deleted: 0 },
    skipped: [],
    decisions: [],
    errors: [],
    pendingDeletions: 0,
    requests: 0,
  };
  const log: LogLine[] = [];
  if (!opts.dryRun) {
    report.runId = Number(
      db
        .prepare("INSERT INTO sync_runs (user_id, started_by, scope, trigger, started_at, status) VALUES (?, ?, 'agenda', ?, ?, 'running')")
        .run(opts.userId, opts.startedBy, opts.trigger, startedAt).lastInsertRowid,
    );
  }
  let g: CalendarAccess | null = null;
  try {
    g = await CalendarAccess.open(db, deps.services, opts.userId, { clock: deps.clock, baseDelayMs: deps.baseDelayMs, signal: opts.signal });
    await new Run(deps, opts, g, report, log).run();
    report.status = report.errors.length > 0 ? 'partial' : 'ok';
  } catch (error) {
    const cancelled = opts.signal?.aborted ?? false;
    report.status = cancelled ? 'cancelled' : 'failed';
    const message = error instanceof CrmError ? error.message : describeGoogleError(error).message;
    report.errors.push({ actionId: null, googleId: null, message });
    log.push({ level: 'error', actionId: null, googleId: null, message });
    deps.services.logger.log('warn', 'agenda sync failed', { userId: opts.userId, message });
  }
  if (g) {
    report.requests = g.requests;
    g.keepToken();
  }
  report.finishedAt = deps.now().toISOString();
  report.pendingDeletions = opts.dryRun
    ? report.pendingDeletions
    : (db.prepare('SELECT count(*) AS n FROM pending_deletions WHERE user_id = ?').get(opts.userId) as { n: number }).n;
  if (report.runId !== null) {
    const runId = report.runId;
    const summary = {
      crm: report.crm,
      google: report.google,
      skipped: report.skipped,
      conflicts: report.decisions.filter((d) => d.kind === 'conflict').length,
      errors: report.errors.length,
      requests: report.requests,
      pendingDeletions: report.pendingDeletions,
    };
    const at = report.finishedAt;
    const counts = `CRM +${report.crm.created} ~${report.crm.updated} −${report.crm.deleted}; Google +${report.google.created} ~${report.google.updated} −${report.google.deleted}; ${report.requests} request(s)`;
    db.transaction(() => {
      db.prepare('UPDATE sync_runs SET status = ?, finished_at = ?, summary = ? WHERE id = ?').run(report.status, at, JSON.stringify(summary), runId);
      const insert = db.prepare("INSERT INTO sync_log (run_id, level, entity, crm_id, google_id, message, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
      for (const l of log) insert.run(runId, l.level, l.actionId === null && l.googleId === null ? 'run' : 'action', l.actionId, l.googleId, l.message, at);
      for (const s of report.skipped) insert.run(runId, 'info', 'run', null, null, `Skipped ${s.count} (${s.reason}).`, at);
      insert.run(runId, report.status === 'ok' ? 'info' : report.status === 'partial' ? 'warning' : 'error', 'run', null, null, `Run ${report.status}: ${counts}.`, at);
    })();
  }
  deps.broadcast('onSyncProgress', { userId: opts.userId, phase: 'done', done: 1, total: 1 });
  deps.broadcast('onSyncFinished', { userId: opts.userId, runId: report.runId, status: report.status, pendingDeletions: report.pendingDeletions });
  if (!opts.dryRun && report.crm.created + report.crm.updated + report.crm.deleted > 0) deps.broadcast('onActionsChanged', { ownerIds: [opts.userId] });
  return report;
}

interface Pair {
  row: ActionRow;
  link: Link | null;
  googleId: string;
  event: GoogleEvent | null;
  base: SyncedFields | null;
  merged: SyncedFields;
  toCrm: (keyof SyncedFields)[];
  toGoogle: boolean;
  color: string | null;
}

type GoogleOp =
  | { kind: 'create'; row: ActionRow; fields: SyncedFields; color: string | null }
  | { kind: 'update'; pair: Pair }
  | { kind: 'delete'; link: Link }
  | { kind: 'revive'; row: ActionRow; googleId: string; fields: SyncedFields; color: string | null; existing: GoogleEvent | null }
  | { kind: 'mark'; actionId: number; googleId: string; etag: string | null; color: string | null };

class Run {
  private readonly db: Db;
  private readonly userId: number;
  private readonly at: string;
  private tz = 'Europe/Paris';
  private win = { fromMs: 0, toMs: 0 };
  private calendarId = '';
  private colorTransfer = false;
  private readonly links = new Map<number, Link>();
  private readonly byGoogle = new Map<string, Link>();
  private readonly outboxMax = new Map<number, number>();
  private readonly pending = new Set<number>();
  private readonly skipped = new Map<string, number>();
  private readonly typeColors = new Map<number, string>();

  constructor(
    private readonly deps: EngineDeps,
    private readonly opts: RunOptions,
    private readonly g: CalendarAccess,
    private readonly report: SyncReport,
    private readonly log: LogLine[],
  ) {
    this.db = deps.db;
    this.userId = opts.userId;
    this.at = deps.now().toISOString();
  }

  private skip(reason: 'recurring-google' | 'series-crm' | 'out-of-window' | 'invalid'): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
  }

  private decide(kind: SyncReport['decisions'][number]['kind'], actionId: number | null, googleId: string | null, message: string): void {
    this.report.decisions.push({ kind, actionId, googleId, message });
    this.log.push({ level: kind === 'conflict' || kind === 'delete-vs-edit' ? 'warning' : 'info', actionId, googleId, message });
  }

  private fail(actionId: number | null, googleId: string | null, message: string): void {
    this.report.errors.push({ actionId, googleId, message });
    this.log.push({ level: 'error', actionId, googleId, message });
  }

  /**
   * A cancelled run (the UI's Cancel, a shutdown; the fault-injection test's "process crash")
   * stops here, between two steps: every write before it was a short transaction of its own, and
   * whatever Google did that was not recorded yet is repaired by the next run (deterministic ids,
   * 409 → re-link, etag comparison). Throws the same error CalendarAccess throws when cancelled.
   */
  private checkpoint(): void {
    if (this.opts.signal?.aborted) throw new CrmError('CONFLICT', 'The sync was cancelled.');
  }

  private progress(phase: 'pull' | 'push', done: number, total: number): void {
    this.deps.broadcast('onSyncProgress', { userId: this.userId, phase, done, total });
  }

  private row(id: number): ActionRow | null {
    try {
      return getActionRow(this.db, id);
    } catch {
      return null;
    }
  }

  private inWindow(period: SyncedFields['period'], tz = this.tz): boolean {
    const { startMs, endMs } = periodBounds(period, tz);
    return endMs > this.win.fromMs && startMs < this.win.toMs;
  }

  private colorOf(row: ActionRow): string | null {
    if (!this.colorTransfer) return null;
    const hex = this.typeColors.get(row.type_id);
    return hex ? nearestEventColor(hex) : null;
  }

  /** Deletes the outbox entries of an action read at the start of the run (later ones stay). */
  private consumeOutbox(actionId: number): void {
    const max = this.outboxMax.get(actionId);
    if (max !== undefined) this.db.prepare("DELETE FROM outbox WHERE entity = 'action' AND entity_id = ? AND id <= ?").run(actionId, max);
  }

  private putLink(actionId: number, googleId: string, etag: string | null, snap: Snapshot): void {
    this.db
      .prepare(
        `INSERT INTO sync_links (user_id, kind, crm_id, google_id, etag, snapshot, synced_at) VALUES (?, 'event', ?, ?, ?, ?, ?)
         ON CONFLICT (user_id, kind, crm_id) DO UPDATE SET google_id = excluded.google_id, etag = excluded.etag, snapshot = excluded.snapshot, synced_at = excluded.synced_at`,
      )
      .run(this.userId, actionId, googleId, etag, JSON.stringify(snap), this.at);
  }

  private dropLink(actionId: number): void {
    this.db.prepare("DELETE FROM sync_links WHERE user_id = ? AND kind = 'event' AND crm_id = ?").run(this.userId, actionId);
  }

  private eventsPath(suffix = ''): string {
    return `/calendar/v3/calendars/${encodeURIComponent(this.calendarId)}/events${suffix}`;
  }

  // ---------------------------------------------------------------- 1. setup

  private async setup(): Promise<void> {
    const user = getUser(this.db, this.userId);
    this.tz = user.time_zone;
    const prefs = getSyncPrefs(this.db, this.userId, this.at);
    this.colorTransfer = prefs.colorTransfer;
    this.win = syncWindow(this.deps.now(), this.tz, prefs.monthsBefore, prefs.monthsAfter);
    for (const t of this.db.prepare('SELECT id, color FROM action_types').all() as { id: number; color: string }[]) this.typeColors.set(t.id, t.color);
    const name = prefs.calendarName.trim();
    if (!name) throw new CrmError('CONFLICT', MESSAGES.calendarNotSet);
    const cached = this.db.prepare('SELECT calendar_id AS id FROM sync_calendars WHERE user_id = ? AND calendar_name = ?').get(this.userId, name) as { id: string } | undefined;
    if (cached) {
      this.calendarId = cached.id;
    } else {
      const names: string[] = [];
      let pageToken: string | undefined;
      let found: string | null = null;
      do {
        const page: calendar_v3.Schema$CalendarList = await this.g.call(() => this.g.cal.calendarList.list({ maxResults: 250, pageToken }));
        for (const c of page.items ?? []) {
          if (c.summary) names.push(c.summary);
          if (c.summary === name && c.id && found === null) found = c.id;
        }
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken);
      if (found === null) throw new CrmError('CONFLICT', calendarUnknownMessage(name, names));
      this.calendarId = found;
      if (!this.opts.dryRun) {
        this.db
          .prepare(
            `INSERT INTO sync_calendars (user_id, calendar_name, calendar_id, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (user_id) DO UPDATE SET calendar_name = excluded.calendar_name, calendar_id = excluded.calendar_id, updated_at = excluded.updated_at`,
          )
          .run(this.userId, name, found, this.at);
      }
    }
    for (const r of this.db.prepare("SELECT crm_id, google_id, etag, snapshot FROM sync_links WHERE user_id = ? AND kind = 'event'").all(this.userId) as {
      crm_id: number;
      google_id: string;
      etag: string | null;
      snapshot: string;
    }[]) {
      const link: Link = { actionId: r.crm_id, googleId: r.google_id, etag: r.etag, snap: parseSnap(r.snapshot) };
      this.links.set(link.actionId, link);
      this.byGoogle.set(link.googleId, link);
    }
    for (const r of this.db
      .prepare(
        `SELECT o.entity_id AS id, max(o.id) AS max FROM outbox o WHERE o.entity = 'action'
           AND (o.owner_id = ? OR o.entity_id IN (SELECT id FROM actions WHERE owner_id = ?)) GROUP BY o.entity_id`,
      )
      .all(this.userId, this.userId) as { id: number; max: number }[]) {
      this.outboxMax.set(r.id, r.max);
    }
    for (const r of this.db.prepare('SELECT action_id FROM pending_deletions WHERE user_id = ?').all(this.userId) as { action_id: number }[]) this.pending.add(r.action_id);
  }

  // ---------------------------------------------------------------- 2. pull

  private async list(params: calendar_v3.Params$Resource$Events$List): Promise<{ items: GoogleEvent[]; nextSyncToken: string | null }> {
    const items: GoogleEvent[] = [];
    let pageToken: string | undefined;
    let nextSyncToken: string | null = null;
    let pages = 0;
    do {
      const page: calendar_v3.Schema$Events = await this.g.call(() => this.g.cal.events.list({ ...params, calendarId: this.calendarId, maxResults: 2500, pageToken }));
      items.push(...(page.items ?? []));
      pageToken = page.nextPageToken ?? undefined;
      nextSyncToken = page.nextSyncToken ?? nextSyncToken;
      this.progress('pull', ++pages, pageToken ? pages + 1 : pages);
    } while (pageToken);
    return { items, nextSyncToken };
  }

  private async pull(): Promise<{ events: GoogleEvent[]; nextSyncToken: string | null; full: boolean }> {
    const stored = this.db.prepare("SELECT token FROM sync_tokens WHERE user_id = ? AND kind = 'calendar' AND scope = ?").get(this.userId, this.calendarId) as
      | { token: string }
      | undefined;
    if (stored) {
      try {
        const r = await this.list({ syncToken: stored.token });
        return { events: r.items, nextSyncToken: r.nextSyncToken, full: false };
      } catch (error) {
        if (statusOf(error) !== 410) throw error;
        this.log.push({ level: 'warning', actionId: null, googleId: null, message: 'Google refused the sync token (410): full resync of the window.' });
      }
    }
    const r = await this.list({ timeMin: new Date(this.win.fromMs).toISOString(), timeMax: new Date(this.win.toMs).toISOString() });
    // A full listing omits deleted events: fetch linked in-window events it did not return.
    const seen = new Set(r.items.map((e) => e.id));
    for (const link of this.links.values()) {
      if (seen.has(link.googleId) || this.pending.has(link.actionId)) continue;
      const row = this.row(link.actionId);
      if (!row || !this.inWindow(toAction(row).period, row.time_zone)) continue;
      try {
        r.items.push(await this.g.call(() => this.g.cal.events.get({ calendarId: this.calendarId, eventId: link.googleId })));
      } catch (error) {
        const s = statusOf(error);
        if (s !== 404 && s !== 410) throw error;
        r.items.push({ id: link.googleId, status: 'cancelled' });
      }
    }
    return { events: r.items, nextSyncToken: r.nextSyncToken, full: true };
  }

  // ---------------------------------------------------------------- the run

  async run(): Promise<void> {
    await this.setup();
    this.checkpoint();
    const { events, nextSyncToken } = await this.pull();
    this.checkpoint();
    const dry = this.opts.dryRun;

    // Plan, Google side first.
    const googleChanged = new Map<number, GoogleEvent>();
    const relinks = new Map<number, GoogleEvent>();
    const newPending: Link[] = [];
    const crmCreates: { event: GoogleEvent; fields: SyncedFields; replaces: number | null }[] = [];
    const ops: GoogleOp[] = [];
    const handled = new Set<number>();
    for (const e of events) {
      if (!e.id) continue;
      const link = this.byGoogle.get(e.id);
      if (e.status === 'cancelled') {
        if (!link || this.pending.has(link.actionId)) continue;
        handled.add(link.actionId);
        const row = this.row(link.actionId);
        if (!row) {
          if (!dry) this.db.transaction(() => (this.dropLink(link.actionId), this.consumeOutbox(link.actionId)))();
          continue;
        }
        const crm = fieldsOfAction(toAction(row));
        if (link.snap && !same(crm, link.snap.f)) {
          this.decide('delete-vs-edit', row.id, e.id, `« ${row.title} » was deleted in Google but changed in the CRM since the last sync: the CRM edit wins, the event is re-created in Google.`);
          ops.push({ kind: 'revive', row, googleId: e.id, fields: crm, color: this.colorOf(row), existing: null });
        } else {
          newPending.push(link);
        }
        continue;
      }
      if (isRecurring(e)) {
        this.skip('recurring-google');
        continue;
      }
      if (link) {
        if (e.etag !== link.etag) googleChanged.set(link.actionId, e);
        continue;
      }
      const fields = eventFields(e, 15);
      if (!fields) {
        this.skip('invalid');
        continue;
      }
      const marked = crmIdOf(e);
      if (marked !== null && !this.links.has(marked) && !relinks.has(marked)) {
        const row = this.row(marked);
        if (row && row.owner_id === this.userId && row.series_id === null) {
          relinks.set(marked, e);
          this.decide('relinked', marked, e.id, `« ${row.title} » found in Google by its CRM id: linked again, no duplicate.`);
          continue;
        }
      }
      if (!this.inWindow(fields.period)) {
        this.skip('out-of-window');
        continue;
      }
      crmCreates.push({ event: e, fields, replaces: null });
    }

    // Then every action concerned: changed in the CRM, changed in Google, or never pushed.
    const candidates = new Set<number>([...this.outboxMax.keys(), ...googleChanged.keys(), ...relinks.keys()]);
    // Events still without their CRM id: an action created from Google whose marking was cut
    // short (a crash, or the 'mark' call failed). Marked now, else a Reset would duplicate them.
    for (const l of this.links.values()) if (l.snap && !hasMarker(l.snap.x, l.actionId)) candidates.add(l.actionId);
    for (const r of this.db
      .prepare(
        `SELECT id FROM actions a WHERE owner_id = ? AND end_ms > ? AND start_ms < ?
           AND NOT EXISTS (SELECT 1 FROM sync_links l WHERE l.user_id = a.owner_id AND l.kind = 'event' AND l.crm_id = a.id)`,
      )
      .all(this.userId, this.win.fromMs, this.win.toMs) as { id: number }[]) {
      candidates.add(r.id);
    }
    const crmOnly: Pair[] = [];
    for (const id of candidates) {
      if (handled.has(id) || this.pending.has(id)) continue;
      const row = this.row(id);
      const link = this.links.get(id) ?? null;
      if (!row) {
        if (!link) {
          if (!dry) this.db.transaction(() => this.consumeOutbox(id))();
          continue;
        }
        const e = googleChanged.get(id);
        const gf = e ? eventFields(e, 15) : null;
        if (e && gf && link.snap && !same(gf, link.snap.f)) {
          this.decide('delete-vs-edit', id, link.googleId, `« ${gf.title} » was deleted in the CRM but changed in Google since the last sync: the Google edit wins, the action is re-created in the CRM.`);
          crmCreates.push({ event: e, fields: gf, replaces: id });
        } else {
          ops.push({ kind: 'delete', link });
        }
        continue;
      }
      if (row.owner_id !== this.userId) continue;
      if (row.series_id !== null) {
        this.skip('series-crm');
        if (!dry) this.db.transaction(() => this.consumeOutbox(id))();
        continue;
      }
      const action = toAction(row);
      const crm = fieldsOfAction(action);
      const relink = relinks.get(id);
      if (!link && !relink) {
        if (!this.inWindow(action.period, row.time_zone)) {
          this.skip('out-of-window');
          if (!dry) this.db.transaction(() => this.consumeOutbox(id))();
          continue;
        }
        ops.push({ kind: 'create', row, fields: crm, color: this.colorOf(row) });
        continue;
      }
      const e = relink ?? googleChanged.get(id) ?? null;
      const base = relink ? null : (link?.snap?.f ?? null);
      const gf = e ? eventFields(e, offDelay(row, base)) : (link?.snap?.f ?? crm);
      if (!gf) {
        this.skip('invalid');
        continue;
      }
      const m = mergeFields(base, crm, gf, { rule: 'newest', crmUpdatedAt: Date.parse(row.updated_at), googleUpdatedAt: Date.parse(e?.updated ?? '') || 0 });
      for (const c of m.conflicts) {
        this.decide(
          'conflict',
          id,
          e?.id ?? link?.googleId ?? null,
          `« ${row.title} »: ${c.field} changed on both sides (CRM ${JSON.stringify(c.crm)}, Google ${JSON.stringify(c.google)}); the ${c.winner === 'crm' ? 'CRM' : 'Google'} edit is newer and wins.`,
        );
      }
      const color = this.colorOf(row);
      const markerMissing = e !== null ? crmIdOf(e) !== id : !!link?.snap && !hasMarker(link.snap.x, id);
      const colorChanged = this.colorTransfer && color !== (link?.snap?.c ?? null);
      const pair: Pair = {
        row,
        link,
        googleId: link?.googleId ?? e!.id!,
        event: e,
        base,
        merged: m.merged,
        toCrm: m.toCrm,
        toGoogle: m.toGoogle.length > 0 || colorChanged || markerMissing,
        color,
      };
      if (pair.toGoogle) ops.push({ kind: 'update', pair });
      else crmOnly.push(pair);
    }

    // Dry run: counts only.
    if (dry) {
      this.report.crm.created = crmCreates.length;
      this.report.crm.updated = [...crmOnly, ...ops.flatMap((o) => (o.kind === 'update' ? [o.pair] : []))].filter((p) => p.toCrm.length > 0).length;
      for (const o of ops) {
        if (o.kind === 'create' || o.kind === 'revive') this.report.google.created++;
        else if (o.kind === 'update' && this.countsAsGoogleUpdate(o.pair)) this.report.google.updated++;
        else if (o.kind === 'delete') this.report.google.deleted++;
      }
      this.report.pendingDeletions = this.pending.size + newPending.length;
      this.finishSkipped();
      return;
    }

    // Apply the CRM-only part.
    if (newPending.length > 0) {
      this.db.transaction(() => {
        const ins = this.db.prepare('INSERT INTO pending_deletions (user_id, action_id, google_id, detected_at) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, action_id) DO NOTHING');
        for (const l of newPending) ins.run(this.userId, l.actionId, l.googleId, this.at);
      })();
      for (const l of newPending) this.log.push({ level: 'info', actionId: l.actionId, googleId: l.googleId, message: 'Deleted in Google: waiting for the user to confirm the deletion in the CRM.' });
    }
    const typeId = this.defaultTypeId();
    for (const c of crmCreates) {
      this.checkpoint();
      const { newId: id, color } = this.db.transaction(() => {
        if (c.replaces !== null) {
          this.dropLink(c.replaces);
          this.consumeOutbox(c.replaces);
        }
        const newId = insertAction(
          this.db,
          { ownerId: this.userId, typeId, ...c.fields, timeZone: this.tz, seriesId: null, contactId: null, companyId: null },
          this.at,
          { outbox: false },
        );
        const row = getActionRow(this.db, newId);
        this.putLink(newId, c.event.id!, c.event.etag ?? null, snapOf(fieldsOfAction(toAction(row)), this.colorOf(row), c.event));
        return { newId, color: this.colorOf(row) };
      })();
      this.report.crm.created++;
      this.log.push({ level: 'info', actionId: id, googleId: c.event.id!, message: `Created in the CRM from Google: « ${c.fields.title} ».` });
      // Mark the event with its CRM id, so a Reset then a resync re-links instead of duplicating.
      ops.push({ kind: 'mark', actionId: id, googleId: c.event.id!, etag: c.event.etag ?? null, color });
    }
    for (const p of crmOnly) {
      this.checkpoint();
      this.recordPair(p, p.event ?? null);
    }

    // Google writes, batched.
    this.checkpoint();
    await this.applyGoogle(ops);

    // The token only moves on once everything it covers is recorded.
    this.checkpoint();
    if (nextSyncToken) {
      this.db
        .prepare(
          `INSERT INTO sync_tokens (user_id, kind, scope, token, updated_at) VALUES (?, 'calendar', ?, ?, ?)
           ON CONFLICT (user_id, kind, scope) DO UPDATE SET token = excluded.token, updated_at = excluded.updated_at`,
        )
        .run(this.userId, this.calendarId, nextSyncToken, this.at);
    }
    this.finishSkipped();
  }

  private countsAsGoogleUpdate(p: Pair): boolean {
    return p.link === null || !same(p.merged, p.event ? eventFields(p.event, p.merged.reminder.minutesBefore) : p.link.snap?.f) || (this.colorTransfer && p.color !== (p.link.snap?.c ?? null));
  }

  private finishSkipped(): void {
    this.report.skipped = [...this.skipped].map(([reason, count]) => ({ reason: reason as SyncReport['skipped'][number]['reason'], count }));
  }

  private defaultTypeId(): number {
    const id = getSettings(this.db).defaultActionTypeId;
    if (id !== null && this.typeColors.has(id)) return id;
    const first = this.db.prepare('SELECT id FROM action_types ORDER BY sort_order, id LIMIT 1').get() as { id: number } | undefined;
    if (!first) throw new CrmError('CONFLICT', 'No action type exists: events from Google cannot become actions.');
    return first.id;
  }

  /**
   * Records a merged pair: the CRM side gets the Google-won fields (without an outbox entry),
   * the link its new snapshot and etag, the outbox loses the entries this run answered. If the
   * action changed in the CRM during the run, only the link is left alone for the next run.
   */
  private recordPair(p: Pair, event: GoogleEvent | null): boolean {
    return this.db.transaction(() => {
      const now = this.row(p.row.id);
      if (!now || now.updated_at !== p.row.updated_at) return false;
      if (p.toCrm.length > 0) {
        const patch: Record<string, unknown> = {};
        for (const f of p.toCrm) patch[f] = p.merged[f];
        updateAction(this.db, p.row.id, patch as ActionPatch, this.at, { outbox: false });
        this.report.crm.updated++;
        this.log.push({ level: 'info', actionId: p.row.id, googleId: p.googleId, message: `Updated in the CRM from Google: ${p.toCrm.join(', ')}.` });
      }
      const stored = fieldsOfAction(toAction(getActionRow(this.db, p.row.id)));
      const prev = p.link?.snap ?? null;
      const snap = event ? snapOf(stored, p.color, event) : { f: stored, c: p.color, r: prev?.r ?? [], x: prev?.x ?? {}, d: prev?.d ?? null };
      this.putLink(p.row.id, p.googleId, event?.etag ?? p.link?.etag ?? null, snap);
      this.consumeOutbox(p.row.id);
      return true;
    })();
  }

  // ---------------------------------------------------------------- 4. Google writes

  private existingOf(p: Pair): GoogleEvent | null {
    if (p.event) return p.event;
    const s = p.link?.snap;
    return s ? { reminders: { useDefault: false, overrides: s.r }, extendedProperties: { private: s.x }, description: s.d ?? null } : null;
  }

  private callOf(op: GoogleOp, n: number): BatchCall {
    const id = `op${n}`;
    switch (op.kind) {
      case 'create':
        return { id, method: 'POST', path: this.eventsPath('?sendUpdates=none'), body: { id: eventIdFor(op.row.id), ...eventOfFields(op.fields, { actionId: op.row.id, timeZone: op.row.time_zone, colorId: op.color }) } };
      case 'revive':
        return { id, method: 'PATCH', path: this.eventsPath(`/${encodeURIComponent(op.googleId)}?sendUpdates=none`), body: { ...eventOfFields(op.fields, { actionId: op.row.id, timeZone: op.row.time_zone, colorId: op.color, existing: op.existing }), status: 'confirmed' } };
      case 'update': {
        const p = op.pair;
        const etag = p.event?.etag ?? p.link?.etag ?? null;
        return {
          id,
          method: 'PATCH',
          path: this.eventsPath(`/${encodeURIComponent(p.googleId)}?sendUpdates=none`),
          headers: etag ? { 'If-Match': etag } : {},
          body: eventOfFields(p.merged, { actionId: p.row.id, timeZone: p.row.time_zone, colorId: p.color, existing: this.existingOf(p) }),
        };
      }
      case 'delete':
        return { id, method: 'DELETE', path: this.eventsPath(`/${encodeURIComponent(op.link.googleId)}?sendUpdates=none`) };
      case 'mark':
        return {
          id,
          method: 'PATCH',
          path: this.eventsPath(`/${encodeURIComponent(op.googleId)}?sendUpdates=none`),
          headers: op.etag ? { 'If-Match': op.etag } : {},
          body: { extendedProperties: { private: { [EVENT_CRM_ID]: String(op.actionId) } }, ...(op.color ? { colorId: op.color } : {}) },
        };
    }
  }

  private async applyGoogle(ops: GoogleOp[]): Promise<void> {
    if (ops.length === 0) return;
    const calls = ops.map((op, i) => this.callOf(op, i));
    this.progress('push', 0, calls.length);
    const answers = await this.g.batch(calls, (done) => this.progress('push', done, calls.length));
    for (let i = 0; i < ops.length; i++) {
      this.checkpoint();
      const op = ops[i]!;
      const a = answers.get(calls[i]!.id) ?? { id: calls[i]!.id, status: 0, headers: {}, body: 'no answer' };
      try {
        await this.settle(op, a);
      } catch (error) {
        const actionId = op.kind === 'delete' ? op.link.actionId : op.kind === 'update' ? op.pair.row.id : op.kind === 'mark' ? op.actionId : op.row.id;
        this.fail(actionId, null, error instanceof CrmError ? error.message : describeGoogleError(error).message);
      }
    }
  }

  private async getEvent(eventId: string): Promise<GoogleEvent | null> {
    try {
      return await this.g.call(() => this.g.cal.events.get({ calendarId: this.calendarId, eventId }));
    } catch (error) {
      const s = statusOf(error);
      if (s === 404 || s === 410) return null;
      throw error;
    }
  }

  private async patch(eventId: string, body: GoogleEvent, etag: string | null): Promise<GoogleEvent> {
    return this.g.call(() =>
      this.g.cal.events.patch({ calendarId: this.calendarId, eventId, sendUpdates: 'none', requestBody: body }, etag ? { headers: { 'If-Match': etag } } : {}),
    );
  }

  private partError(a: BatchAnswer): string {
    const body = a.body as { error?: { message?: string } } | string | null;
    const msg = typeof body === 'object' && body?.error?.message ? body.error.message : typeof body === 'string' ? body.slice(0, 200) : '';
    return `Google answered ${a.status}${msg ? `: ${msg}` : ''}.`;
  }

  private async settle(op: GoogleOp, a: BatchAnswer): Promise<void> {
    const ok = a.status >= 200 && a.status < 300;
    const ev = ok && a.body && typeof a.body === 'object' ? (a.body as GoogleEvent) : null;
    switch (op.kind) {
      case 'create': {
        if (ok && ev) {
          this.db.transaction(() => {
            this.putLink(op.row.id, ev.id!, ev.etag ?? null, snapOf(op.fields, op.color, ev));
            this.consumeOutbox(op.row.id);
          })();
          this.report.google.created++;
          return;
        }
        if (a.status !== 409) return this.fail(op.row.id, null, this.partError(a));
        // The id exists: our own earlier insert (crash, retry) or an event deleted since.
        const googleId = eventIdFor(op.row.id);
        const existing = await this.getEvent(googleId);
        if (existing && existing.status !== 'cancelled' && crmIdOf(existing) !== op.row.id) {
          return this.fail(op.row.id, googleId, `The event id ${googleId} is taken by another event in Google.`);
        }
        const revived = existing?.status === 'cancelled';
        const body = { ...eventOfFields(op.fields, { actionId: op.row.id, timeZone: op.row.time_zone, colorId: op.color, existing }), status: 'confirmed' };
        const done = await this.patch(googleId, body, null);
        this.db.transaction(() => {
          this.putLink(op.row.id, googleId, done.etag ?? null, snapOf(op.fields, op.color, done));
          this.consumeOutbox(op.row.id);
        })();
        if (revived) {
          this.report.google.created++;
          this.decide('revived', op.row.id, googleId, `« ${op.row.title} »: its event had been deleted in Google; it was restored with the CRM's content.`);
        } else {
          this.decide('relinked', op.row.id, googleId, `« ${op.row.title} » already existed in Google (an earlier interrupted run): linked again, no duplicate.`);
        }
        return;
      }
      case 'revive': {
        if (!ok || !ev) return this.fail(op.row.id, op.googleId, this.partError(a));
        this.db.transaction(() => {
          this.putLink(op.row.id, op.googleId, ev.etag ?? null, snapOf(op.fields, op.color, ev));
          this.consumeOutbox(op.row.id);
        })();
        this.report.google.created++;
        return;
      }
      case 'delete': {
        if (!ok && a.status !== 404 && a.status !== 410) return this.fail(op.link.actionId, op.link.googleId, this.partError(a));
        this.db.transaction(() => {
          this.dropLink(op.link.actionId);
          this.consumeOutbox(op.link.actionId);
        })();
        this.report.google.deleted++;
        this.log.push({ level: 'info', actionId: op.link.actionId, googleId: op.link.googleId, message: 'Deleted in Google (deleted in the CRM).' });
        return;
      }
      case 'mark': {
        if (!ok || !ev) {
          // Not fatal: the link exists; the marker is added at the next update of the event.
          this.log.push({ level: 'warning', actionId: op.actionId, googleId: op.googleId, message: `Could not mark the event with its CRM id (${a.status}).` });
          return;
        }
        this.db.prepare("UPDATE sync_links SET etag = ?, snapshot = json_set(snapshot, '$.x', json(?)) WHERE user_id = ? AND kind = 'event' AND crm_id = ? AND etag IS ?").run(
          ev.etag ?? null,
          JSON.stringify(ev.extendedProperties?.private ?? {}),
          this.userId,
          op.actionId,
          op.etag,
        );
        return;
      }
      case 'update': {
        let p = op.pair;
        let result = ev;
        if (!ok) {
          if (a.status === 412) {
            // Changed in Google meanwhile: read it again, merge again, send again. A 412 again is
            // most often our own PATCH, applied but its answer lost and retried with the etag it
            // made stale (found by the fault-injection test): read, merge and send once more.
            for (let attempt = 1; ; attempt++) {
              const fresh = await this.getEvent(p.googleId);
              const gf = fresh && fresh.status !== 'cancelled' ? eventFields(fresh, offDelay(p.row, p.base)) : null;
              if (!fresh || !gf) return this.fail(p.row.id, p.googleId, 'The event changed in Google during the sync; it will be merged at the next sync.');
              const m = mergeFields(p.base, fieldsOfAction(toAction(p.row)), gf, { rule: 'newest', crmUpdatedAt: Date.parse(p.row.updated_at), googleUpdatedAt: Date.parse(fresh.updated ?? '') || 0 });
              p = { ...p, event: fresh, merged: m.merged, toCrm: m.toCrm };
              try {
                result = await this.patch(p.googleId, eventOfFields(p.merged, { actionId: p.row.id, timeZone: p.row.time_zone, colorId: p.color, existing: fresh }), fresh.etag ?? null);
                break;
              } catch (error) {
                if (statusOf(error) !== 412 || attempt >= 3) throw error;
              }
            }
          } else if (a.status === 404 || a.status === 410) {
            result = await this.patch(p.googleId, { ...eventOfFields(p.merged, { actionId: p.row.id, timeZone: p.row.time_zone, colorId: p.color, existing: this.existingOf(p) }), status: 'confirmed' }, null);
          } else {
            return this.fail(p.row.id, p.googleId, this.partError(a));
          }
        }
        if (!result) return this.fail(p.row.id, p.googleId, this.partError(a));
        const counted = this.countsAsGoogleUpdate(p);
        if (this.recordPair(p, result) && counted) {
          this.report.google.updated++;
          this.log.push({ level: 'info', actionId: p.row.id, googleId: p.googleId, message: `Updated in Google: « ${p.merged.title} ».` });
        }
        return;
      }
    }
  }
}

/** The user's answer to deletions made in Google (see agendaSync.resolveDeletions). */
export async function resolveDeletions(
  deps: EngineDeps,
  userId: number,
  startedBy: number,
  ids: number[] | 'all',
  decision: 'delete' | 'keep',
): Promise<{ deleted: number; kept: number }> {
  const { db } = deps;
  const at = deps.now().toISOString();
  const rows = (db.prepare('SELECT id, action_id, google_id FROM pending_deletions WHERE user_id = ?').all(userId) as { id: number; action_id: number; google_id: string }[]).filter(
    (r) => ids === 'all' || ids.includes(r.id),
  );
  if (ids !== 'all' && rows.length !== new Set(ids).size) throw new CrmError('NOT_FOUND', 'Some of these deletions are not waiting for an answer (already answered?).');
  if (rows.length === 0) return { deleted: 0, kept: 0 };
  db.transaction(() => {
    for (const r of rows) {
      db.prepare('DELETE FROM pending_deletions WHERE id = ?').run(r.id);
      db.prepare("DELETE FROM sync_links WHERE user_id = ? AND kind = 'event' AND crm_id = ?").run(userId, r.action_id);
      if (decision === 'delete') deleteAction(db, r.action_id, at, { outbox: false });
    }
  })();
  if (decision === 'delete') {
    deps.broadcast('onActionsChanged', { ownerIds: [userId] });
    return { deleted: rows.length, kept: 0 };
  }
  // Kept: unlinked now, the next run re-creates them (409 on their id → restored).
  await runAgendaSync(deps, { userId, startedBy, trigger: 'manual', dryRun: false });
  return { deleted: 0, kept: rows.length };
}

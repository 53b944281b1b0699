/**
 * The agenda sync engine (FTC019 §3.3, BRIEF §3, issue 5): one run for one user, both ways.
 *
 * 1. Resolve the named calendar (cached in sync_calendars) and the window in the user's zone;
 *    open the run's log row — while the first request travels, before any write (runHeld) — and
 *    close the user's runs a crash left 'running'.
 * 2. Pull: incremental with the stored sync token, else (first run, Reset, 410) a full listing
 *    of the window, page by page, each page's new events created in the CRM while the next page
 *    is on its way; linked events missing from a full listing are fetched one by one, so a 410
 *    never loses a deletion. An automatic run (CRM → Google) skips the pull once a first sync
 *    is done (pushOnly). Links are read for what the run handles, not all of them, except on a
 *    full listing.
 * 3. Plan, field by field against the snapshot of the last sync (merge.ts): CRM creations from
 *    new events, re-links after a Reset (by the CRM id an event carries, or by the event an
 *    action was pulled from: google_origins, where a Reset keeps the origins of the pulled links
 *    it drops), pending deletions, merges, Google creations/
 *    updates/deletions. Never-pushed actions are found in the window by an index range scan —
 *    on an incremental run only in the part that entered the window since the last clean run.
 * 4. Apply: CRM-only writes first, then Google writes in batches; results are recorded in short
 *    transactions (never spanning an await) that also consume the outbox entries they answer.
 *    Google is written BEFORE the link is recorded, with deterministic event ids, so a crash
 *    between the two is repaired by the next run (409 → re-link). Events pulled from Google are
 *    never written to just to mark them: they get the CRM id with their next real update.
 * A dry run does steps 1–3 with reads only and reports what step 4 would do.
 */
import type { calendar_v3 } from '@googleapis/calendar';
import type { ActionPatch, LogText, SyncChange, SyncReport, SyncTrigger } from '../../../../shared/contract';
import { CrmError } from '../../../../shared/errors';
import type { CoreServices, Emit } from '../../context';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database';
import { calendarUnknownMessage, MESSAGES } from '../../google/test';
import { localMidnight, nextDay, periodBounds } from '../../actions/period';
import { actionRowReader, actionRowsReader, actionStampsReader, deleteAction, insertPulledActions, toAction, updateAction, type ActionRow } from '../../actions/store';
import { getSettings } from '../../settings/handlers';
import type { BatchAnswer, BatchCall } from '../batch';
import type { Clock } from '../pacer';
import { appendOutbox } from '../outbox';
import { getSyncPrefs } from '../prefs';
import { line, lineOfFailure } from '../logText';
import { openRun, writeRunLog, type LogLevel, type RunLogLine } from '../runs';
import { nearestEventColor } from './colors';
import { CalendarAccess } from './google';
import { statusOf } from '../retry';
import { crmIdOf, eventIdFor, eventOfFields, fieldsOfAction, fieldsOfEvent, SYNCED_FIELDS, type GoogleEvent, type SyncedField, type SyncedFields } from './mapping';
import { cancellable } from './cancel';
import { parseListPage, peekNextPageToken } from './listPage';
import { mergeFields, type ConflictRule } from './merge';

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

interface LogLine {
  level: LogLevel;
  actionId: number | null;
  googleId: string | null;
  /** Built where it is written (logText.ts's `line`): code, params and the English message. */
  text: LogText;
}

const MAX_TITLE = 255;

/**
 * What the sync reads of an event; Google sends nothing else ("Partial response", Calendar API
 * performance guide): a 2,500-event page is about half the bytes to send, parse and hold.
 */
export const LIST_FIELDS =
  'nextPageToken,nextSyncToken,items(id,etag,status,updated,summary,location,description,start,end,visibility,reminders,extendedProperties,colorId,recurrence,recurringEventId)';

/** CRM creations from Google per transaction (a listing page): each commit writes the page's rows to the WAL. */
const CREATES_PER_TRANSACTION = 2500;

/**
 * Creations in the CRM logged one line each, per run: a first sync of a busy calendar creates
 * thousands of actions, and a line for each is both unreadable and ~5 µs of our own time per event
 * at the end of the run, where nothing overlaps it (bench/agenda.ts). Beyond this, each listing
 * page logs one line with how many more it created; the run's counts stay exact. Conflicts,
 * errors, skips, deletions and every other decision keep a line each.
 */
export const CREATED_LINES_PER_RUN = 100;

// ------------------------------------------------------------------------------ small helpers

/** One formatter per zone: making one costs ~0.1–0.3 ms, more than a whole idle run's SQL. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

function todayIn(now: Date, timeZone: string): string {
  let fmt = dayFormats.get(timeZone);
  if (!fmt) dayFormats.set(timeZone, (fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return fmt.format(now);
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
  // The window moves once a day: its two zoned midnights (~0.2 ms each, TZDate) are kept per day, zone and span.
  const key = `${timeZone}|${today}|${monthsBefore}|${monthsAfter}`;
  let win = windows.get(key);
  if (!win) {
    if (windows.size >= 64) windows.clear();
    windows.set(key, (win = { fromMs: localMidnight(addMonths(today, -monthsBefore), timeZone), toMs: localMidnight(nextDay(addMonths(today, monthsAfter)), timeZone) }));
  }
  return { ...win };
}

const windows = new Map<string, { fromMs: number; toMs: number }>();

function snapOf(f: SyncedFields, c: string | null, e: GoogleEvent | null): Snapshot {
  const x: Record<string, string> = {};
  const kept = e?.extendedProperties?.private;
  if (kept) for (const [k, v] of Object.entries(kept)) if (typeof v === 'string') x[k] = v;
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
  // A copy only when the title must be cut: this runs for every event of a listing.
  return f.title.length > MAX_TITLE ? { ...f, title: f.title.slice(0, MAX_TITLE) } : f;
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

/** Whether settle() records this answer without another request (see Run.applyGoogle). */
function needsNoRequest(op: GoogleOp, a: BatchAnswer): boolean {
  const okWithEvent = a.status >= 200 && a.status < 300 && !!a.body && typeof a.body === 'object';
  return op.kind === 'delete' || op.kind === 'revive' || okWithEvent;
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

// ------------------------------------------------------------------------------ statements

const statementCaches = new WeakMap<Db, Map<string, Statement>>();

/**
 * A statement prepared once per database, for every run: preparing costs ~20–50 µs, and an idle
 * startup sync prepared some twenty of them (of its ~5 ms of our own time, bench/agenda.ts).
 * A statement whose mode is changed (raw, pluck) must have SQL of its own.
 */
function prepared(db: Db, sql: string): Statement {
  let cache = statementCaches.get(db);
  if (!cache) statementCaches.set(db, (cache = new Map()));
  let s = cache.get(sql);
  if (!s) cache.set(sql, (s = db.prepare(sql)));
  return s;
}

// ------------------------------------------------------------------------------ WAL checkpoints

/** WAL pages a running sync lets pile up before SQLite checkpoints on its own (4 KB pages: 64 MB). */
const WAL_PAGES_DURING_SYNC = 16_384;
const walHolds = new WeakMap<Db, { runs: number; before: number }>();

/**
 * Keeps SQLite from checkpointing the WAL inside a sync's commits, and checkpoints once the run
 * has answered. With the default (every 1,000 pages), a commit that crosses the mark copies the
 * WAL into the database and syncs both files first: ~15 ms of a 10,000-event pull, on whatever
 * page it falls — the last one included, where nothing overlaps it (bench/agenda.ts). The same
 * work is done by a passive checkpoint after the run's reply and end event (it never waits for
 * readers, so it never blocks). Crash safety is the WAL's own: a commit is durable in the WAL
 * whether or not it was checkpointed (synchronous = NORMAL: a power cut may lose the last commits,
 * never corrupt the file; the next run redoes what was not recorded). Runs of several users share
 * the hold; the last one out restores the connection's setting.
 */
function holdCheckpoints(db: Db): () => void {
  let hold = walHolds.get(db);
  if (!hold) {
    hold = { runs: 0, before: db.pragma('wal_autocheckpoint', { simple: true }) as number };
    walHolds.set(db, hold);
    db.pragma(`wal_autocheckpoint = ${WAL_PAGES_DURING_SYNC}`);
  }
  hold.runs++;
  const held = hold;
  return () => {
    if (--held.runs > 0) return;
    walHolds.delete(db);
    db.pragma(`wal_autocheckpoint = ${held.before}`);
    // After the reply and the end event have left: the user does not wait for it.
    setImmediate(() => {
      if (!db.open || walHolds.has(db) || db.inTransaction) return;
      try {
        db.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // Nothing lost: SQLite checkpoints on its own at the next commit past the mark.
      }
    });
  };
}

// ------------------------------------------------------------------------------ the run

export async function runAgendaSync(deps: EngineDeps, opts: RunOptions): Promise<SyncReport> {
  // Cancellable (agendaSync.cancel) from the moment it is asked for, even while waiting for the lock.
  return cancellable(deps.services, opts.userId, opts.signal, (signal) => withUserLock(deps.services, opts.userId, () => runLocked(deps, { ...opts, signal })));
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
    changes: [],
  };
  const log: LogLine[] = [];
  const releaseCheckpoints = opts.dryRun ? null : holdCheckpoints(db);
  try {
    return await runHeld(deps, opts, report, log);
  } finally {
    releaseCheckpoints?.();
  }
}

async function runHeld(deps: EngineDeps, opts: RunOptions, report: SyncReport, log: LogLine[]): Promise<SyncReport> {
  const { db } = deps;
  const startedAt = report.startedAt;
  /**
   * The run's row in the sync log ('running', with who runs it), opened once, while the first
   * request is on its way (CalendarAccess's onFirstRequestSent) or before the run's first write,
   * whichever comes first — and at the latest when the run ends, so every run still has its row and
   * log. Opening it is a commit, and the first commit after a checkpoint also syncs the WAL's header
   * to disk (SQLite restarts the WAL): 1.5–7 ms that the 100-edit and idle runs spent before their
   * only request, now spent while it travels. Nothing of the run depends on it until the end. As
   * before, Runs of this user a crash left 'running' are closed as failed with it (runs.ts), inside
   * the user's lock. Crash safety is unchanged: the row records, it guards nothing — every write of
   * the run comes after it, and what Google did is repaired by the next run whatever the log says
   * (deterministic ids, 409 → re-link, If-Match). A crash in the instant between the first request
   * and the row leaves no "interrupted" line, as a crash before a run's first request did.
   */
  let openError: { error: unknown } | null = null;
  const openNow = (): void => {
    if (opts.dryRun || report.runId !== null || openError) return;
    try {
      report.runId = openRun(db, deps.services, { userId: opts.userId, startedBy: opts.startedBy, scope: 'agenda', trigger: opts.trigger, startedAt });
    } catch (error) {
      openError = { error };
    }
  };
  const ensureRun = (): void => {
    openNow();
    if (openError) throw openError.error;
  };
  let g: CalendarAccess | null = null;
  try {
    g = await CalendarAccess.open(db, deps.services, opts.userId, { clock: deps.clock, baseDelayMs: deps.baseDelayMs, signal: opts.signal, onFirstRequestSent: openNow });
    await new Run(deps, opts, g, report, log, ensureRun).run();
    report.status = report.errors.length > 0 ? 'partial' : 'ok';
  } catch (error) {
    const cancelled = opts.signal?.aborted ?? false;
    report.status = cancelled ? 'cancelled' : 'failed';
    if (cancelled) {
      // Asked for (agendaSync.cancel, a shutdown), not an error: the report and the log say so.
      log.push({ level: 'warning', actionId: null, googleId: null, text: line('run.cancelled', {}) });
    } else {
      const text = lineOfFailure(error);
      report.errors.push({ actionId: null, googleId: null, ...text });
      log.push({ level: 'error', actionId: null, googleId: null, text });
      deps.services.logger.log('warn', 'agenda sync failed', { userId: opts.userId, message: text.message });
    }
  }
  if (g) {
    report.requests = g.requests;
    g.keepToken();
  }
  // A run that neither sent a request nor wrote (refused early, cancelled at once) opens its row now.
  ensureRun();
  report.finishedAt = deps.now().toISOString();
  report.pendingDeletions = opts.dryRun
    ? report.pendingDeletions
    : (prepared(db, 'SELECT count(*) AS n FROM pending_deletions WHERE user_id = ?').get(opts.userId) as { n: number }).n;
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
    const counts = line('agenda.run', {
      status: report.status,
      crmCreated: report.crm.created,
      crmUpdated: report.crm.updated,
      crmDeleted: report.crm.deleted,
      googleCreated: report.google.created,
      googleUpdated: report.google.updated,
      googleDeleted: report.google.deleted,
      requests: report.requests,
    });
    db.transaction(() => {
      prepared(db, 'UPDATE sync_runs SET status = ?, finished_at = ?, summary = ? WHERE id = ?').run(report.status, at, JSON.stringify(summary), runId);
      const lines: RunLogLine[] = log.map((l) => ({ level: l.level, entity: l.actionId === null && l.googleId === null ? 'run' : 'action', crmId: l.actionId, googleId: l.googleId, text: l.text }));
      for (const s of report.skipped) lines.push({ level: 'info', entity: 'run', crmId: null, googleId: null, text: line('run.skipped', { count: s.count, reason: s.reason }) });
      lines.push({ level: report.status === 'ok' ? 'info' : report.status === 'failed' ? 'error' : 'warning', entity: 'run', crmId: null, googleId: null, text: counts });
      writeRunLog(db, runId, at, lines);
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
  /** Fields already decided as conflicts (and logged) for this pair. */
  conflicts: SyncedField[];
}

type GoogleOp =
  | { kind: 'create'; row: ActionRow; fields: SyncedFields; color: string | null }
  | { kind: 'update'; pair: Pair }
  | { kind: 'delete'; link: Link }
  | { kind: 'revive'; row: ActionRow; googleId: string; fields: SyncedFields; color: string | null; existing: GoogleEvent | null };

/** What the pull found, for the plan (engine step 3). */
interface Plan {
  googleChanged: Map<number, GoogleEvent>;
  relinks: Map<number, GoogleEvent>;
  newPending: Link[];
  /** `bounds`: the period's epoch bounds when classify() computed them already. */
  crmCreates: { event: GoogleEvent; fields: SyncedFields; replaces: number | null; bounds: { startMs: number; endMs: number } | null }[];
  ops: GoogleOp[];
  /** Actions whose Google deletion was dealt with. */
  handled: Set<number>;
}

interface LinkRow {
  crm_id: number;
  google_id: string;
  etag: string | null;
  snapshot: string;
}

const LINK_COLUMNS = 'crm_id, google_id, etag, snapshot';

class Run {
  private readonly db: Db;
  private readonly userId: number;
  private readonly at: string;
  private tz = 'Europe/Paris';
  private win = { fromMs: 0, toMs: 0 };
  private calendarId = '';
  private colorTransfer = false;
  /** How a field changed on both sides is decided: the user's setting (Préférences → agenda). */
  private rule: ConflictRule = 'newest';
  /**
   * Links read so far, by action and by event (null: known to have none). An incremental run
   * reads only those of what it handles; a full resync reads them all (loadAllLinks).
   */
  private readonly links = new Map<number, Link | null>();
  private readonly byGoogle = new Map<string, Link | null>();
  private allLinks = false;
  /** Origins by event id, on a full resync (else read one by one). */
  private origins: Map<string, number> | null = null;
  /** The window of the last clean run with a sync token (sync_calendars), null when unknown. */
  private lastWin: { fromMs: number; toMs: number } | null = null;
  private readonly outboxMax = new Map<number, number>();
  private readonly pending = new Set<number>();
  private readonly skipped = new Map<string, number>();
  private readonly typeColors = new Map<number, string>();
  private readonly eventColors = new Map<number, string | null>();
  /** Creations in the CRM logged one by one so far (CREATED_LINES_PER_RUN). */
  private createdLines = 0;

  constructor(
    private readonly deps: EngineDeps,
    private readonly opts: RunOptions,
    private readonly g: CalendarAccess,
    private readonly report: SyncReport,
    private readonly log: LogLine[],
    /** Opens the run's log row if not yet (runHeld): called before each write of the run. */
    private readonly ensureRun: () => void,
  ) {
    this.db = deps.db;
    this.userId = opts.userId;
    this.at = deps.now().toISOString();
  }

  private skip(reason: 'recurring-google' | 'series-crm' | 'out-of-window' | 'invalid'): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
  }

  private decide(kind: SyncReport['decisions'][number]['kind'], actionId: number | null, googleId: string | null, text: LogText): void {
    this.report.decisions.push({ kind, actionId, googleId, ...text });
    this.log.push({ level: kind === 'conflict' || kind === 'delete-vs-edit' ? 'warning' : 'info', actionId, googleId, text });
  }

  private fail(actionId: number | null, googleId: string | null, text: LogText): void {
    this.report.errors.push({ actionId, googleId, ...text });
    this.log.push({ level: 'error', actionId, googleId, text });
  }

  /** The conflicts mergeFields decided, each a line (`during`: decided again after a 412). */
  private decideConflicts(actionId: number, googleId: string | null, title: string, conflicts: readonly { field: string; crm: unknown; google: unknown; winner: 'crm' | 'google' }[], during: boolean): void {
    for (const c of conflicts) {
      const params = { title, field: c.field, crm: JSON.stringify(c.crm), google: JSON.stringify(c.google), winner: c.winner, rule: this.rule };
      this.decide('conflict', actionId, googleId, line('agenda.conflict', during ? { ...params, during: 1 } : params));
    }
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

  /** One transaction of the run's, after its log row (runHeld's ensureRun): every write of the run goes through here. */
  private write<T>(fn: () => T): T {
    this.ensureRun();
    return this.db.transaction(fn)();
  }

  private progress(phase: 'pull' | 'push', done: number, total: number): void {
    this.deps.broadcast('onSyncProgress', { userId: this.userId, phase, done, total });
  }

  /** The action as stored, or null (actionRowReader: its statement checked once per database, not per row). */
  private row(id: number): ActionRow | null {
    return actionRowReader(this.db)(id);
  }

  private inWindow(period: SyncedFields['period'], tz = this.tz): boolean {
    return this.boundsInWindow(periodBounds(period, tz));
  }

  /** inWindow for a period whose epoch bounds are known already. */
  private boundsInWindow({ startMs, endMs }: { startMs: number; endMs: number }): boolean {
    return endMs > this.win.fromMs && startMs < this.win.toMs;
  }

  private colorOf(row: ActionRow): string | null {
    return this.colorOfType(row.type_id);
  }

  private colorOfType(typeId: number): string | null {
    if (!this.colorTransfer) return null;
    let c = this.eventColors.get(typeId);
    if (c === undefined) {
      // Perceptual distance to the 11 colours: ~20 µs, once per type and run rather than per action.
      const hex = this.typeColors.get(typeId);
      this.eventColors.set(typeId, (c = hex ? nearestEventColor(hex) : null));
    }
    return c;
  }

  /** Deletes the outbox entries of an action read at the start of the run (later ones stay). */
  private consumeOutbox(actionId: number): void {
    const max = this.outboxMax.get(actionId);
    if (max !== undefined) this.prepare("DELETE FROM outbox WHERE entity = 'action' AND entity_id = ? AND id <= ?").run(actionId, max);
  }

  /** A statement of this run's database, prepared once per database (see prepared()); the hot ones run once per event or action. */
  private prepare(sql: string): Statement {
    return prepared(this.db, sql);
  }

  private remember(r: LinkRow): Link {
    const link: Link = { actionId: r.crm_id, googleId: r.google_id, etag: r.etag, snap: parseSnap(r.snapshot) };
    this.links.set(link.actionId, link);
    this.byGoogle.set(link.googleId, link);
    return link;
  }

  private linkOf(actionId: number): Link | null {
    const known = this.links.get(actionId);
    if (known !== undefined || this.allLinks) return known ?? null;
    const r = this.prepare(`SELECT ${LINK_COLUMNS} FROM sync_links WHERE user_id = ? AND kind = 'event' AND crm_id = ?`).get(this.userId, actionId) as LinkRow | undefined;
    if (r) return this.remember(r);
    this.links.set(actionId, null);
    return null;
  }

  private linkByGoogle(googleId: string): Link | null {
    const known = this.byGoogle.get(googleId);
    if (known !== undefined || this.allLinks) return known ?? null;
    const r = this.prepare(`SELECT ${LINK_COLUMNS} FROM sync_links WHERE user_id = ? AND kind = 'event' AND google_id = ?`).get(this.userId, googleId) as LinkRow | undefined;
    if (r) return this.remember(r);
    this.byGoogle.set(googleId, null);
    return null;
  }

  /** Every link of the user and every origin of the calendar, for a full resync (which looks at every event of the window anyway). */
  private loadAllLinks(): void {
    this.links.clear();
    this.byGoogle.clear();
    for (const r of this.prepare(`SELECT ${LINK_COLUMNS} FROM sync_links WHERE user_id = ? AND kind = 'event'`).all(this.userId) as LinkRow[]) this.remember(r);
    this.allLinks = true;
    this.origins = new Map();
    for (const [googleId, actionId] of this
      .prepare('SELECT google_id, action_id FROM google_origins WHERE user_id = ? AND calendar_id = ?')
      .raw(true)
      .all(this.userId, this.calendarId) as [string, number][]) {
      this.origins.set(googleId, actionId);
    }
  }

  /**
   * The action an event of this calendar was pulled into (migrations 0004, 0006), if any: asked for
   * unlinked events only, and an origin leaves its link for google_origins only when a Reset drops the link.
   */
  private originOf(googleId: string): number | null {
    if (this.origins) return this.origins.get(googleId) ?? null;
    const r = this.prepare('SELECT action_id AS id FROM google_origins WHERE user_id = ? AND calendar_id = ? AND google_id = ?').get(this.userId, this.calendarId, googleId) as
      | { id: number }
      | undefined;
    return r?.id ?? null;
  }

  private putLink(actionId: number, googleId: string, etag: string | null, snap: Snapshot): void {
    const before = this.links.get(actionId);
    const snapshot = JSON.stringify(snap);
    // The usual case, an update answered: the link read for the plan ties the action to this same
    // event, so only etag, snapshot and time change — a plain UPDATE by the link's unique key
    // rather than an upsert (which first tries the insert: both unique indexes, then the update).
    // `google_id = ?` in it and the count checked: a link changed or dropped meanwhile falls back
    // to the upsert, which writes the same row either way. `pulled` is left as it is, as the
    // upsert leaves it for the same event.
    const updated =
      before?.googleId === googleId &&
      this.prepare("UPDATE sync_links SET etag = ?, snapshot = ?, synced_at = ? WHERE user_id = ? AND kind = 'event' AND crm_id = ? AND google_id = ?").run(
        etag,
        snapshot,
        this.at,
        this.userId,
        actionId,
        googleId,
      ).changes === 1;
    if (!updated) {
      // A pulled link stays pulled while it ties the action to the same event (migration 0006).
      this.prepare(`INSERT INTO sync_links (user_id, kind, crm_id, google_id, etag, snapshot, synced_at) VALUES (?, 'event', ?, ?, ?, ?, ?)
         ON CONFLICT (user_id, kind, crm_id) DO UPDATE SET google_id = excluded.google_id, etag = excluded.etag, snapshot = excluded.snapshot, synced_at = excluded.synced_at,
           pulled = sync_links.pulled AND sync_links.google_id = excluded.google_id`,
      ).run(this.userId, actionId, googleId, etag, snapshot, this.at);
    }
    this.recorded({ actionId, googleId, etag, snap });
  }

  /** Remembers a link just written: the event it tied the action to before (if another) is unlinked in memory too. */
  private recorded(link: Link): void {
    const before = this.links.get(link.actionId);
    if (before && before.googleId !== link.googleId) this.byGoogle.set(before.googleId, null);
    this.links.set(link.actionId, link);
    this.byGoogle.set(link.googleId, link);
  }

  /**
   * putLink for the links of actions just created from Google events (a listing page's CRM
   * creations), marked as pulled: the event is the action's origin (migration 0006). One prepared
   * single-row upsert each: measured on 10,000 pulled events (file database, best of 3), 100-row
   * INSERTs cost 74–99 ms, single-row ones 52–55 ms.
   */
  private putPulledLinks(links: readonly Link[]): void {
    const ins = this.prepare(`INSERT INTO sync_links (user_id, kind, crm_id, google_id, etag, snapshot, synced_at, pulled) VALUES (?, 'event', ?, ?, ?, ?, ?, 1)
         ON CONFLICT (user_id, kind, crm_id) DO UPDATE SET google_id = excluded.google_id, etag = excluded.etag, snapshot = excluded.snapshot, synced_at = excluded.synced_at,
           pulled = 1`);
    for (const link of links) {
      ins.run(this.userId, link.actionId, link.googleId, link.etag, JSON.stringify(link.snap), this.at);
      this.recorded(link);
    }
  }

  private dropLink(actionId: number): void {
    this.prepare("DELETE FROM sync_links WHERE user_id = ? AND kind = 'event' AND crm_id = ?").run(this.userId, actionId);
    const before = this.links.get(actionId);
    if (before) this.byGoogle.set(before.googleId, null);
    this.links.set(actionId, null);
  }

  private eventsPath(suffix = ''): string {
    return `/calendar/v3/calendars/${encodeURIComponent(this.calendarId)}/events${suffix}`;
  }

  // ---------------------------------------------------------------- 1. setup

  private async setup(): Promise<void> {
    // Only the zone (getUser parses the whole row with zod: ~0.2 ms of an idle run); the same error when the user is gone.
    const zone = this.prepare('SELECT time_zone FROM users WHERE id = ? AND active = 1').pluck(true).get(this.userId) as string | undefined;
    if (typeof zone !== 'string') throw new CrmError('NOT_FOUND', `User ${this.userId} does not exist.`);
    this.tz = zone;
    const prefs = getSyncPrefs(this.db, this.userId, this.at);
    this.colorTransfer = prefs.colorTransfer;
    this.rule = prefs.conflictRule;
    this.win = syncWindow(this.deps.now(), this.tz, prefs.monthsBefore, prefs.monthsAfter);
    for (const t of this.prepare('SELECT id, color FROM action_types').all() as { id: number; color: string }[]) this.typeColors.set(t.id, t.color);
    const name = prefs.calendarName.trim();
    if (!name) throw new CrmError('CONFLICT', MESSAGES.calendarNotSet);
    const cached = this
      .prepare('SELECT calendar_id AS id, window_from_ms AS fromMs, window_to_ms AS toMs FROM sync_calendars WHERE user_id = ? AND calendar_name = ?')
      .get(this.userId, name) as { id: string; fromMs: number | null; toMs: number | null } | undefined;
    if (cached) {
      this.calendarId = cached.id;
      if (cached.fromMs !== null && cached.toMs !== null) this.lastWin = { fromMs: cached.fromMs, toMs: cached.toMs };
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
        this.ensureRun();
        this
          .prepare(
            `INSERT INTO sync_calendars (user_id, calendar_name, calendar_id, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (user_id) DO UPDATE SET calendar_name = excluded.calendar_name, calendar_id = excluded.calendar_id, updated_at = excluded.updated_at,
               window_from_ms = NULL, window_to_ms = NULL`,
          )
          .run(this.userId, name, found, this.at);
      }
    }
    for (const r of this
      .prepare(
        `SELECT o.entity_id AS id, max(o.id) AS max FROM outbox o WHERE o.entity = 'action'
           AND (o.owner_id = ? OR o.entity_id IN (SELECT id FROM actions WHERE owner_id = ?)) GROUP BY o.entity_id`,
      )
      .all(this.userId, this.userId) as { id: number; max: number }[]) {
      this.outboxMax.set(r.id, r.max);
    }
    for (const r of this.prepare('SELECT action_id FROM pending_deletions WHERE user_id = ?').all(this.userId) as { action_id: number }[]) this.pending.add(r.action_id);
  }

  // ---------------------------------------------------------------- 2. pull

  /**
   * Lists events page by page (maxResults 2500, only the fields the sync reads: "Partial
   * response", Calendar API performance guide; prettyPrint=false, the standard parameter: Google
   * indents its answers by default, and a 2,500-event page is then ~30% whitespace to receive,
   * decode and parse), handing each page to `onPage`. The next page is
   * asked for BEFORE this one is parsed and handed over, so its round trip overlaps the work on
   * this one: the answer comes as bytes, and its nextPageToken is read from them (listPage.ts)
   * before the page is decoded and parsed. A page that is not the JSON object Google sends is
   * refused with a clear error before anything of it is used. Returns the sync token of the last page.
   */
  private async list(params: calendar_v3.Params$Resource$Events$List, onPage: (items: GoogleEvent[]) => void): Promise<string | null> {
    // `responseType: 'arraybuffer'` only changes how a 2xx body is handed back: gaxios still turns an
    // error's body into JSON (GaxiosError), so statuses and reasons reach retry.ts and errors.ts as before.
    const fetchPage = (pageToken: string | undefined): Promise<Uint8Array> =>
      this.g
        .call(
          () =>
            this.g.cal.events.list(
              { ...params, calendarId: this.calendarId, maxResults: 2500, fields: LIST_FIELDS, prettyPrint: false, pageToken },
              { responseType: 'arraybuffer' },
            ) as unknown as Promise<{ data: ArrayBuffer }>,
        )
        .then((data) => new Uint8Array(data));
    let nextSyncToken: string | null = null;
    let pages = 0;
    let next: Promise<Uint8Array> | null = fetchPage(undefined);
    while (next) {
      const raw: Uint8Array = await next;
      const peeked = peekNextPageToken(raw);
      // The token could not be read ahead (none before `items`, as on a last page): parsed first.
      let page: calendar_v3.Schema$Events | null = peeked === undefined ? parseListPage(raw, undefined) : null;
      const token = peeked === undefined ? page!.nextPageToken : peeked;
      next = token ? fetchPage(token) : null;
      try {
        // Asking is not sending: the request leaves only once the client's own awaits (quota slot,
        // auth headers) have run, and parsing plus `onPage` is synchronous work of ~60–80 ms per
        // 2,500 events. Without this turn of the event loop, the next page was sent after that
        // work, not during it (CPU profile of bench/agenda.ts: ~80 ms idle per page).
        if (next) await new Promise<void>((resolve) => setImmediate(resolve));
        page ??= parseListPage(raw, peeked);
        nextSyncToken = page.nextSyncToken ?? nextSyncToken;
        this.progress('pull', ++pages, next ? pages + 1 : pages);
        onPage(page.items ?? []);
      } catch (error) {
        // Cancelled, failed or refused mid-listing: the run ends with no request of its own still out.
        await next?.catch(() => undefined);
        throw error;
      }
    }
    return nextSyncToken;
  }

  private storedToken(): string | null {
    const r = this.prepare("SELECT token FROM sync_tokens WHERE user_id = ? AND kind = 'calendar' AND scope = ?").get(this.userId, this.calendarId) as { token: string } | undefined;
    return r?.token ?? null;
  }

  /**
   * Automatic sync is CRM → Google (FTC019 §3.3.2): once a first sync has linked both sides (a
   * sync token exists), an automatic run pushes the outbox without listing Google first — one
   * round trip and one quota unit less per edit. Nothing can be lost by it: updates carry If-Match
   * with the stored etag, so an event changed in Google meanwhile answers 412 and is read, merged
   * and sent again; an event deleted there answers 404/410 and the CRM edit wins, as in a full run;
   * a creation meets 409 if its event exists. Deletions of linked events are the exception: one
   * edited in Google must follow the delete-vs-edit rule, which needs the listing — so with any of
   * them in the outbox the run goes both ways. Google's own changes wait for the next run that pulls.
   */
  private pushOnly(): boolean {
    if (this.opts.trigger !== 'automatic' || this.opts.dryRun || this.storedToken() === null) return false;
    // The outbox's actions and links, read once here for the plan too: a push-only run goes on to
    // plan without awaiting anything, so nothing can change them in between.
    const ids = [...this.outboxMax.keys()];
    const rows = this.readRows(ids);
    this.readLinks(ids);
    for (const id of ids) if (!rows.has(id) && this.linkOf(id) !== null) return false;
    this.planRows = rows;
    return true;
  }

  /**
   * The updated_at of the actions a batch's answers are about (null: gone), read once at the start
   * of the transaction that records them (applyGoogle; null outside it); recordPair's check reads them.
   */
  private nowStamps: Map<number, string | null> | null = null;

  /** What recording an update needs that no answer changes, by action, computed while its batch travels (applyGoogle). */
  private readonly preRecord = new Map<number, { stored: SyncedFields; counted: boolean }>();

  /** Rows read for the plan (pushOnly), by id; null: read them when planning. */
  private planRows: Map<number, ActionRow> | null = null;

  /** The actions that exist among `ids`, by id, in one statement (actionRowsReader). */
  private readRows(ids: readonly number[]): Map<number, ActionRow> {
    return actionRowsReader(this.db)(ids);
  }

  /**
   * Reads the links of the actions among `ids` not known yet in one statement (the ids as a JSON
   * array), as linkOf would one by one: 100 edits planned with 1 statement instead of 100.
   */
  private readLinks(ids: Iterable<number>): void {
    if (this.allLinks) return;
    const todo: number[] = [];
    for (const id of ids) if (!this.links.has(id)) todo.push(id);
    if (todo.length === 0) return;
    for (const r of this
      .prepare(`SELECT ${LINK_COLUMNS} FROM sync_links WHERE user_id = ? AND kind = 'event' AND crm_id IN (SELECT value FROM json_each(?))`)
      .all(this.userId, JSON.stringify(todo)) as LinkRow[]) {
      this.remember(r);
    }
    for (const id of todo) if (!this.links.has(id)) this.links.set(id, null);
  }

  /**
   * Pulls and classifies what Google changed: incremental with the stored sync token (one page
   * when nothing changed), else — first run, Reset, 410 — a full listing of the window, each page
   * classified (and its new events created in the CRM) while the next one is on its way.
   */
  private async pull(plan: Plan): Promise<{ nextSyncToken: string | null; full: boolean }> {
    const stored = this.storedToken();
    if (stored !== null) {
      try {
        // Collected first, classified once complete: a 410 on any page then leaves nothing half done.
        const items: GoogleEvent[] = [];
        const nextSyncToken = await this.list({ syncToken: stored }, (page) => {
          for (const e of page) items.push(e);
        });
        this.checkpoint();
        for (const e of items) this.classify(plan, e);
        return { nextSyncToken, full: false };
      } catch (error) {
        if (statusOf(error) !== 410) throw error;
        this.log.push({ level: 'warning', actionId: null, googleId: null, text: line('agenda.tokenRefused', {}) });
      }
    }
    this.loadAllLinks();
    // Links that existed before this listing: only those can be missing from it (a first sync has none).
    const linkedBefore = this.links.size;
    const seen = new Set<string>();
    const nextSyncToken = await this.list({ timeMin: new Date(this.win.fromMs).toISOString(), timeMax: new Date(this.win.toMs).toISOString() }, (page) => {
      for (const e of page) {
        if (e.id) seen.add(e.id);
        this.classify(plan, e);
      }
      this.applyCrmCreates(plan);
    });
    // A full listing omits deleted events: fetch the linked in-window events it did not return.
    if (linkedBefore === 0) return { nextSyncToken, full: true };
    const linked = this
      .prepare(
        `SELECT l.crm_id AS actionId, l.google_id AS googleId FROM sync_links l JOIN actions a ON a.id = l.crm_id
          WHERE l.user_id = ? AND l.kind = 'event' AND a.end_ms > ? AND a.start_ms < ?`,
      )
      .all(this.userId, this.win.fromMs, this.win.toMs) as { actionId: number; googleId: string }[];
    for (const link of linked) {
      if (seen.has(link.googleId) || this.pending.has(link.actionId)) continue;
      this.checkpoint();
      let e: GoogleEvent;
      try {
        e = await this.g.call(() => this.g.cal.events.get({ calendarId: this.calendarId, eventId: link.googleId }));
      } catch (error) {
        const s = statusOf(error);
        if (s !== 404 && s !== 410) throw error;
        e = { id: link.googleId, status: 'cancelled' };
      }
      this.classify(plan, e);
    }
    return { nextSyncToken, full: true };
  }

  /** What one event from Google means for the plan: a deletion, a change, a re-link, or a new action. */
  private classify(plan: Plan, e: GoogleEvent): void {
    if (!e.id) return;
    const dry = this.opts.dryRun;
    const link = this.linkByGoogle(e.id);
    if (e.status === 'cancelled') {
      if (!link || this.pending.has(link.actionId)) return;
      plan.handled.add(link.actionId);
      const row = this.row(link.actionId);
      if (!row) {
        if (!dry) this.write(() => (this.dropLink(link.actionId), this.consumeOutbox(link.actionId)));
        return;
      }
      const crm = fieldsOfAction(toAction(row));
      if (link.snap && !same(crm, link.snap.f)) {
        this.decide('delete-vs-edit', row.id, e.id, line('agenda.deletedInGoogleEditedInCrm', { title: row.title }));
        plan.ops.push({ kind: 'revive', row, googleId: e.id, fields: crm, color: this.colorOf(row), existing: null });
      } else {
        plan.newPending.push(link);
      }
      return;
    }
    if (isRecurring(e)) {
      this.skip('recurring-google');
      return;
    }
    if (link) {
      if (e.etag !== link.etag) plan.googleChanged.set(link.actionId, e);
      return;
    }
    const fields = eventFields(e, 15);
    if (!fields) {
      this.skip('invalid');
      return;
    }
    // Not linked (first sync, Reset, a crash before the link was recorded): ours if it carries
    // our CRM id, or if the store remembers it as the event an action was pulled from.
    for (const [actionId, code] of [
      [crmIdOf(e), 'agenda.relinkedById'],
      [this.originOf(e.id), 'agenda.relinkedByOrigin'],
    ] as const) {
      if (actionId === null || this.linkOf(actionId) || plan.relinks.has(actionId)) continue;
      const row = this.row(actionId);
      if (row && row.owner_id === this.userId && row.series_id === null) {
        plan.relinks.set(actionId, e);
        this.decide('relinked', actionId, e.id, line(code, { title: row.title }));
        return;
      }
    }
    // Computed once for the window and the insert: parsing the period again cost ~1 µs per event of a listing.
    const bounds = periodBounds(fields.period, this.tz);
    if (!this.boundsInWindow(bounds)) {
      this.skip('out-of-window');
      return;
    }
    plan.crmCreates.push({ event: e, fields, replaces: null, bounds });
  }

  /**
   * Actions of the window without a link: never pushed. A full run looks at the whole window; an
   * incremental one only at what entered it since the last clean run (days passing move the
   * window on) — everything else unlinked in the old window has an outbox entry, which already
   * makes it a candidate. Both are range scans of the actions_agenda index, not a load.
   */
  private unlinkedInWindow(full: boolean): number[] {
    const last = this.lastWin;
    let fromStart = Number.MIN_SAFE_INTEGER;
    if (!full && last && this.win.fromMs >= last.fromMs && this.win.toMs >= last.toMs) {
      if (this.win.toMs === last.toMs) return [];
      fromStart = last.toMs;
    }
    return (
      this
        .prepare(
          `SELECT id FROM actions a WHERE owner_id = ? AND start_ms >= ? AND start_ms < ? AND end_ms > ?
             AND NOT EXISTS (SELECT 1 FROM sync_links l WHERE l.user_id = a.owner_id AND l.kind = 'event' AND l.crm_id = a.id)`,
        )
        .all(this.userId, fromStart, this.win.toMs, this.win.fromMs) as { id: number }[]
    ).map((r) => r.id);
  }

  /**
   * Creates in the CRM the events the plan holds for it, up to a listing page per transaction (each
   * action commits with its link, which remembers the event as its origin, so a crash between
   * two never duplicates).
   */
  private applyCrmCreates(plan: Plan): void {
    if (this.opts.dryRun || plan.crmCreates.length === 0) return;
    const todo = plan.crmCreates.splice(0);
    const typeId = this.defaultTypeId();
    const color = this.colorOfType(typeId);
    for (let i = 0; i < todo.length; i += CREATES_PER_TRANSACTION) {
      this.checkpoint();
      const chunk = todo.slice(i, i + CREATES_PER_TRANSACTION);
      this.write(() => {
        for (const c of chunk) {
          if (c.replaces === null) continue;
          this.dropLink(c.replaces);
          this.consumeOutbox(c.replaces);
        }
        const ids = insertPulledActions(
          this.db,
          { ownerId: this.userId, typeId, timeZone: this.tz },
          chunk.map((c) => c.fields),
          this.at,
          chunk.map((c) => c.bounds),
        );
        // The fields as the CRM now holds them: insertPulledActions stores them as given (periods come
        // canonical from fieldsOfEvent, descriptions normalised), so they are not read back. The
        // pulled link remembers the event instead of marking it now (one quota-paced write per
        // event): a Reset keeps it as an origin, and a resync re-links by it. The CRM id (and the
        // type's colour, which the snapshot already counts as sent) go on with the next real
        // update of the event.
        this.putPulledLinks(chunk.map((c, k) => ({ actionId: ids[k]!, googleId: c.event.id!, etag: c.event.etag ?? null, snap: snapOf(c.fields, color, c.event) })));
        const listed = Math.max(0, Math.min(chunk.length, CREATED_LINES_PER_RUN - this.createdLines));
        for (let k = 0; k < listed; k++) this.log.push({ level: 'info', actionId: ids[k]!, googleId: chunk[k]!.event.id!, text: line('agenda.createdInCrm', { title: chunk[k]!.fields.title }) });
        if (listed < chunk.length) this.log.push({ level: 'info', actionId: null, googleId: null, text: line('agenda.createdInCrmMore', { count: chunk.length - listed }) });
        this.createdLines += listed;
        this.report.crm.created += chunk.length;
      });
    }
  }

  // ---------------------------------------------------------------- the run

  async run(): Promise<void> {
    await this.setup();
    this.checkpoint();
    const plan: Plan = { googleChanged: new Map(), relinks: new Map(), newPending: [], crmCreates: [], ops: [], handled: new Set() };
    // A first sync (no token: first run, Reset) looks at the whole window for actions never pushed:
    // scanned now, before the listing creates thousands of linked actions the scan would only skip.
    // An action created meanwhile has an outbox entry, which the next run reads.
    const unlinkedBefore = !this.opts.dryRun && this.storedToken() === null ? this.unlinkedInWindow(true) : null;
    const { nextSyncToken, full } = this.pushOnly() ? { nextSyncToken: null, full: false } : await this.pull(plan);
    this.checkpoint();
    const dry = this.opts.dryRun;
    const { googleChanged, relinks, newPending, crmCreates, ops, handled } = plan;

    // Then every action concerned: changed in the CRM, changed in Google, re-linked, or never pushed.
    const candidates = new Set<number>([...this.outboxMax.keys(), ...googleChanged.keys(), ...relinks.keys()]);
    for (const id of full && unlinkedBefore ? unlinkedBefore : this.unlinkedInWindow(full)) candidates.add(id);
    const crmOnly: Pair[] = [];
    // Every candidate's row and link in two statements, not two per candidate. Nothing below
    // awaits, and its only writes consume outbox entries: the rows stay as read.
    const rows = this.planRows ?? this.readRows([...candidates]);
    this.planRows = null;
    this.readLinks(candidates);
    for (const id of candidates) {
      if (handled.has(id) || this.pending.has(id)) continue;
      const row = rows.get(id) ?? null;
      const link = this.linkOf(id);
      if (!row) {
        if (!link) {
          if (!dry) this.write(() => this.consumeOutbox(id));
          continue;
        }
        const e = googleChanged.get(id);
        const gf = e ? eventFields(e, 15) : null;
        if (e && gf && link.snap && !same(gf, link.snap.f)) {
          this.decide('delete-vs-edit', id, link.googleId, line('agenda.deletedInCrmEditedInGoogle', { title: gf.title }));
          crmCreates.push({ event: e, fields: gf, replaces: id, bounds: null });
        } else {
          ops.push({ kind: 'delete', link });
        }
        continue;
      }
      if (row.owner_id !== this.userId) continue;
      if (row.series_id !== null) {
        this.skip('series-crm');
        if (!dry) this.write(() => this.consumeOutbox(id));
        continue;
      }
      const action = toAction(row);
      const crm = fieldsOfAction(action);
      const relink = relinks.get(id);
      if (!link && !relink) {
        if (!this.inWindow(action.period, row.time_zone)) {
          this.skip('out-of-window');
          if (!dry) this.write(() => this.consumeOutbox(id));
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
      const m = mergeFields(base, crm, gf, { rule: this.rule, crmUpdatedAt: Date.parse(row.updated_at), googleUpdatedAt: Date.parse(e?.updated ?? '') || 0 });
      this.decideConflicts(id, e?.id ?? link?.googleId ?? null, row.title, m.conflicts, false);
      const color = this.colorOf(row);
      // Re-linked: compared with the event's own colour. An event booked on the phone has none; like
      // its CRM id, the type's colour goes on with its next real update, never with a write of its own.
      const colorChanged = this.colorTransfer && color !== (link ? (link.snap?.c ?? null) : (relink?.colorId ?? color));
      // An event pulled from Google has no CRM id yet: it gets it with this update (eventOfFields),
      // never with a write of its own (its origin is remembered in the store meanwhile).
      const pair: Pair = {
        row,
        link,
        googleId: link?.googleId ?? e!.id!,
        event: e,
        base,
        merged: m.merged,
        toCrm: m.toCrm,
        toGoogle: m.toGoogle.length > 0 || colorChanged,
        color,
        conflicts: m.conflicts.map((c) => c.field),
      };
      if (pair.toGoogle) ops.push({ kind: 'update', pair });
      else crmOnly.push(pair);
    }

    // Dry run: the counts, and the items behind them (the wizard's preview lists them).
    if (dry) {
      const changes = this.report.changes;
      const item = (side: 'crm' | 'google', op: SyncChange['op'], actionId: number | null, googleId: string | null, f: SyncedFields | null, fields: string[] = []): SyncChange => ({
        side,
        op,
        actionId,
        googleId,
        title: f?.title ?? '',
        private: f?.private ?? false,
        start: f ? new Date(periodBounds(f.period, this.tz).startMs).toISOString() : null,
        allDay: f?.period.allDay ?? false,
        fields,
      });
      this.report.crm.created = crmCreates.length;
      for (const c of crmCreates) changes.push(item('crm', 'create', null, c.event.id ?? null, c.fields));
      const crmUpdated = [...crmOnly, ...ops.flatMap((o) => (o.kind === 'update' ? [o.pair] : []))].filter((p) => p.toCrm.length > 0);
      this.report.crm.updated = crmUpdated.length;
      for (const p of crmUpdated) changes.push(item('crm', 'update', p.row.id, p.googleId, p.merged, p.toCrm));
      for (const l of newPending) {
        const r = this.row(l.actionId);
        changes.push(item('crm', 'pendingDelete', l.actionId, l.googleId, r ? fieldsOfAction(toAction(r)) : (l.snap?.f ?? null)));
      }
      for (const o of ops) {
        if (o.kind === 'create' || o.kind === 'revive') {
          this.report.google.created++;
          changes.push(item('google', 'create', o.row.id, o.kind === 'revive' ? o.googleId : null, o.fields));
        } else if (o.kind === 'update' && this.countsAsGoogleUpdate(o.pair)) {
          this.report.google.updated++;
          const p = o.pair;
          const before = p.event ? eventFields(p.event, p.merged.reminder.minutesBefore) : (p.link?.snap?.f ?? null);
          const fields = before ? SYNCED_FIELDS.filter((k) => !same(before[k], p.merged[k])) : [];
          changes.push(item('google', 'update', p.row.id, p.googleId, p.merged, fields));
        } else if (o.kind === 'delete') {
          this.report.google.deleted++;
          changes.push(item('google', 'delete', o.link.actionId, o.link.googleId, o.link.snap?.f ?? null));
        }
      }
      this.report.pendingDeletions = this.pending.size + newPending.length;
      this.finishSkipped();
      return;
    }

    // Apply the CRM-only part.
    if (newPending.length > 0) {
      this.write(() => {
        const ins = this.prepare('INSERT INTO pending_deletions (user_id, action_id, google_id, detected_at) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, action_id) DO NOTHING');
        for (const l of newPending) ins.run(this.userId, l.actionId, l.googleId, this.at);
      });
      for (const l of newPending) this.log.push({ level: 'info', actionId: l.actionId, googleId: l.googleId, text: line('agenda.pendingDeletion', {}) });
    }
    this.applyCrmCreates(plan);
    for (const p of crmOnly) {
      this.checkpoint();
      this.recordPair(p, p.event ?? null);
    }

    // Google writes, batched.
    this.checkpoint();
    await this.applyGoogle(ops);

    // The token only moves on once everything it covers is recorded; the window only after a run
    // without errors (an action it failed to push and that has no outbox entry is looked at again).
    this.checkpoint();
    if (nextSyncToken) {
      const clean = this.report.errors.length === 0;
      this.write(() => {
        this
          .prepare(
            `INSERT INTO sync_tokens (user_id, kind, scope, token, updated_at) VALUES (?, 'calendar', ?, ?, ?)
             ON CONFLICT (user_id, kind, scope) DO UPDATE SET token = excluded.token, updated_at = excluded.updated_at`,
          )
          .run(this.userId, this.calendarId, nextSyncToken, this.at);
        if (clean) {
          this
            .prepare('UPDATE sync_calendars SET window_from_ms = ?, window_to_ms = ? WHERE user_id = ? AND calendar_id = ?')
            .run(this.win.fromMs, this.win.toMs, this.userId, this.calendarId);
        }
      });
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
    const first = this.prepare('SELECT id FROM action_types ORDER BY sort_order, id LIMIT 1').get() as { id: number } | undefined;
    if (!first) throw new CrmError('CONFLICT', 'No action type exists: events from Google cannot become actions.');
    return first.id;
  }

  /**
   * Records a merged pair: the CRM side gets the Google-won fields (without an outbox entry),
   * the link its new snapshot and etag, the outbox loses the entries this run answered. If the
   * action changed in the CRM during the run, only the link is left alone for the next run.
   */
  private recordPair(p: Pair, event: GoogleEvent | null): boolean {
    // Inside the transaction that records a batch's answers (applyGoogle), a pair with nothing to
    // write in the CRM is two statements — the link, then the outbox — each whole or nothing on its
    // own, so it goes without a savepoint of its own (~12 µs each, a hundred per batch): a failed
    // link leaves nothing of it written, as the savepoint's rollback did; a failed outbox delete
    // leaves the link recorded and the entry for the next run, which sends the same once more.
    if (p.toCrm.length === 0 && this.nowStamps !== null) return this.recordPairIn(p, event);
    return this.write(() => this.recordPairIn(p, event));
  }

  private recordPairIn(p: Pair, event: GoogleEvent | null): boolean {
    // The action as it is now: unchanged since the plan when its updated_at is the planned one
    // (read for the whole batch at once, applyGoogle), else read whole.
    const stamp = this.nowStamps?.get(p.row.id);
    let now: ActionRow | null = p.row;
    if (stamp === undefined) now = this.row(p.row.id);
    else if (stamp !== p.row.updated_at) now = null;
    if (!now || now.updated_at !== p.row.updated_at) return false;
    // Written below when Google won fields: a later read in this transaction must see it.
    this.nowStamps?.delete(p.row.id);
    if (p.toCrm.length > 0) {
      const patch: Record<string, unknown> = {};
      for (const f of p.toCrm) patch[f] = p.merged[f];
      updateAction(this.db, p.row.id, patch as ActionPatch, this.at, { outbox: false });
      this.report.crm.updated++;
      this.log.push({ level: 'info', actionId: p.row.id, googleId: p.googleId, text: line('agenda.updatedInCrm', { fields: p.toCrm.join(', ') }) });
    }
    // Unchanged since `now` was read unless the CRM side was just written; unchanged since the
    // plan when `now` is as planned (same updated_at), whose fields applyGoogle computed already.
    const pre = this.preRecord.get(p.row.id);
    const stored = p.toCrm.length > 0 ? fieldsOfAction(toAction(this.row(p.row.id)!)) : (pre?.stored ?? fieldsOfAction(toAction(now)));
    const prev = p.link?.snap ?? null;
    const snap = event ? snapOf(stored, p.color, event) : { f: stored, c: p.color, r: prev?.r ?? [], x: prev?.x ?? {}, d: prev?.d ?? null };
    this.putLink(p.row.id, p.googleId, event?.etag ?? p.link?.etag ?? null, snap);
    this.consumeOutbox(p.row.id);
    return true;
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
    }
  }

  private async applyGoogle(ops: GoogleOp[]): Promise<void> {
    if (ops.length === 0) return;
    const calls = ops.map((op, i) => this.callOf(op, i));
    // The progress bar's start is sent once the request has left (below) rather than before: an
    // event is checked against the contract (app.ts), and the bar shows the same "0 / n" a few
    // milliseconds later. Always before the answers' progress, whatever comes first.
    let started = false;
    const start = (): void => {
      if (started) return;
      started = true;
      this.progress('push', 0, calls.length);
    };
    const sending = this.g.batch(calls, (done) => (start(), this.progress('push', done, calls.length)));
    // Handled when awaited below; this only keeps a failure meanwhile from counting as unhandled.
    sending.catch(() => undefined);
    // While the batch travels, what recording an update needs that no answer changes: the fields
    // the CRM holds (as planned) and whether the report counts it. A turn of the event loop first
    // lets the request leave (asking is not sending: the clients' own awaits come first), so this
    // fills the wait instead of delaying the send. Used only for an action still as planned.
    await new Promise<void>((resolve) => setImmediate(resolve));
    start();
    for (const op of ops) {
      if (op.kind === 'update') this.preRecord.set(op.pair.row.id, { stored: fieldsOfAction(toAction(op.pair.row)), counted: this.countsAsGoogleUpdate(op.pair) });
    }
    const answers = await sending;
    const answerOf = (i: number): BatchAnswer => answers.get(calls[i]!.id) ?? { id: calls[i]!.id, status: 0, headers: {}, body: 'no answer' };
    this.checkpoint();
    // Answers that need no further request (the usual 2xx; a deletion, done or already done) are
    // recorded in ONE transaction: one commit per batch rather than one per event. settle() runs
    // to its end without awaiting anything for them, so their writes happen inside it; each one's
    // own transaction is a savepoint there (or a single statement: recordPair), so a failure of one
    // is reported without undoing others.
    const done: Promise<void>[] = [];
    const rest: number[] = [];
    this.write(() => {
      // Whether the actions these answers are about changed since the plan, in one read instead of a row each (recordPair).
      const ids = ops.flatMap((op) => (op.kind === 'update' ? [op.pair.row.id] : []));
      const stamps = actionStampsReader(this.db)(ids);
      this.nowStamps = new Map(ids.map((id) => [id, stamps.get(id) ?? null]));
      try {
        for (let i = 0; i < ops.length; i++) {
          if (needsNoRequest(ops[i]!, answerOf(i))) done.push(this.settleOrReport(ops[i]!, answerOf(i)));
          else rest.push(i);
        }
      } finally {
        this.nowStamps = null;
      }
    });
    await Promise.all(done);
    for (const i of rest) {
      this.checkpoint();
      await this.settleOrReport(ops[i]!, answerOf(i));
    }
  }

  private async settleOrReport(op: GoogleOp, a: BatchAnswer): Promise<void> {
    try {
      await this.settle(op, a);
    } catch (error) {
      const actionId = op.kind === 'delete' ? op.link.actionId : op.kind === 'update' ? op.pair.row.id : op.row.id;
      this.fail(actionId, null, lineOfFailure(error));
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

  /** A batch part Google refused, in Google's own words. */
  private partError(a: BatchAnswer): LogText {
    const body = a.body as { error?: { message?: string } } | string | null;
    const msg = typeof body === 'object' && body?.error?.message ? body.error.message : typeof body === 'string' ? body.slice(0, 200) : '';
    return line('google.answered', msg ? { status: a.status, detail: msg } : { status: a.status });
  }

  private async settle(op: GoogleOp, a: BatchAnswer): Promise<void> {
    const ok = a.status >= 200 && a.status < 300;
    const ev = ok && a.body && typeof a.body === 'object' ? (a.body as GoogleEvent) : null;
    switch (op.kind) {
      case 'create': {
        if (ok && ev) {
          this.write(() => {
            this.putLink(op.row.id, ev.id!, ev.etag ?? null, snapOf(op.fields, op.color, ev));
            this.consumeOutbox(op.row.id);
          });
          this.report.google.created++;
          return;
        }
        if (a.status !== 409) return this.fail(op.row.id, null, this.partError(a));
        // The id exists: our own earlier insert (crash, retry) or an event deleted since.
        const googleId = eventIdFor(op.row.id);
        const existing = await this.getEvent(googleId);
        if (existing && existing.status !== 'cancelled' && crmIdOf(existing) !== op.row.id) {
          return this.fail(op.row.id, googleId, line('agenda.idTaken', { googleId }));
        }
        const revived = existing?.status === 'cancelled';
        const body = { ...eventOfFields(op.fields, { actionId: op.row.id, timeZone: op.row.time_zone, colorId: op.color, existing }), status: 'confirmed' };
        const done = await this.patch(googleId, body, null);
        this.write(() => {
          this.putLink(op.row.id, googleId, done.etag ?? null, snapOf(op.fields, op.color, done));
          this.consumeOutbox(op.row.id);
        });
        if (revived) {
          this.report.google.created++;
          this.decide('revived', op.row.id, googleId, line('agenda.revived', { title: op.row.title }));
        } else {
          this.decide('relinked', op.row.id, googleId, line('agenda.relinkedAfterCrash', { title: op.row.title }));
        }
        return;
      }
      case 'revive': {
        if (!ok || !ev) return this.fail(op.row.id, op.googleId, this.partError(a));
        this.write(() => {
          this.putLink(op.row.id, op.googleId, ev.etag ?? null, snapOf(op.fields, op.color, ev));
          this.consumeOutbox(op.row.id);
        });
        this.report.google.created++;
        return;
      }
      case 'delete': {
        if (!ok && a.status !== 404 && a.status !== 410) return this.fail(op.link.actionId, op.link.googleId, this.partError(a));
        this.write(() => {
          this.dropLink(op.link.actionId);
          this.consumeOutbox(op.link.actionId);
        });
        this.report.google.deleted++;
        this.log.push({ level: 'info', actionId: op.link.actionId, googleId: op.link.googleId, text: line('agenda.deletedInGoogle', {}) });
        return;
      }
      case 'update': {
        let p = op.pair;
        let result = ev;
        let deletedInGoogle = false;
        if (!ok) {
          if (a.status === 412) {
            // Changed in Google meanwhile: read it again, merge again, send again. A 412 again is
            // most often our own PATCH, applied but its answer lost and retried with the etag it
            // made stale (found by the fault-injection test): read, merge and send once more.
            for (let attempt = 1; ; attempt++) {
              const fresh = await this.getEvent(p.googleId);
              if (!fresh || fresh.status === 'cancelled') {
                deletedInGoogle = true;
                break;
              }
              const gf = eventFields(fresh, offDelay(p.row, p.base));
              if (!gf) return this.fail(p.row.id, p.googleId, line('agenda.changedDuringSync', {}));
              const m = mergeFields(p.base, fieldsOfAction(toAction(p.row)), gf, { rule: this.rule, crmUpdatedAt: Date.parse(p.row.updated_at), googleUpdatedAt: Date.parse(fresh.updated ?? '') || 0 });
              // A field Google changed meanwhile that the CRM changed too is decided by the same rule, and logged.
              this.decideConflicts(p.row.id, p.googleId, p.row.title, m.conflicts.filter((x) => !p.conflicts.includes(x.field)), true);
              p = { ...p, event: fresh, merged: m.merged, toCrm: m.toCrm, conflicts: [...p.conflicts, ...m.conflicts.map((c) => c.field)] };
              try {
                result = await this.patch(p.googleId, eventOfFields(p.merged, { actionId: p.row.id, timeZone: p.row.time_zone, colorId: p.color, existing: fresh }), fresh.etag ?? null);
                break;
              } catch (error) {
                if (statusOf(error) !== 412 || attempt >= 3) throw error;
              }
            }
          } else if (a.status === 404 || a.status === 410) {
            deletedInGoogle = true;
          } else {
            return this.fail(p.row.id, p.googleId, this.partError(a));
          }
        }
        if (deletedInGoogle) {
          // Deleted in Google since the listing — or with no listing at all (an automatic run): the
          // same rule as when a listing shows it. No synced field changed in the CRM: the user is
          // asked; else the CRM edit wins and the event comes back.
          if (p.link?.snap && same(fieldsOfAction(toAction(p.row)), p.link.snap.f)) {
            const link = p.link;
            this.write(() => {
              this.prepare('INSERT INTO pending_deletions (user_id, action_id, google_id, detected_at) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, action_id) DO NOTHING').run(this.userId, link.actionId, link.googleId, this.at);
              this.consumeOutbox(link.actionId);
            });
            this.log.push({ level: 'info', actionId: link.actionId, googleId: link.googleId, text: line('agenda.pendingDeletion', {}) });
            return;
          }
          this.decide('delete-vs-edit', p.row.id, p.googleId, line('agenda.deletedInGoogleEditedInCrm', { title: p.row.title }));
          const revived = await this.patch(p.googleId, { ...eventOfFields(p.merged, { actionId: p.row.id, timeZone: p.row.time_zone, colorId: p.color, existing: this.existingOf(p) }), status: 'confirmed' }, null);
          if (this.recordPair(p, revived)) this.report.google.created++;
          return;
        }
        if (!result) return this.fail(p.row.id, p.googleId, this.partError(a));
        const counted = p === op.pair ? (this.preRecord.get(p.row.id)?.counted ?? this.countsAsGoogleUpdate(p)) : this.countsAsGoogleUpdate(p);
        if (this.recordPair(p, result) && counted) {
          this.report.google.updated++;
          this.log.push({ level: 'info', actionId: p.row.id, googleId: p.googleId, text: line('agenda.updatedInGoogle', { title: p.merged.title }) });
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
      // Kept: to be pushed again. The outbox says so, so that an incremental run finds it even if
      // the run below is cut short (it only looks for unlinked actions where the window moved).
      else appendOutbox(db, { entity: 'action', entityId: r.action_id, ownerId: userId, op: 'update', changedFields: [], at });
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

import { z } from 'zod';
import { CrmError } from '../../../shared/errors';
import type Database from 'better-sqlite3';
import type { Action, ActionCard, ActionPatch, ActionType, Period } from '../../../shared/contract';
import { syncStateReader, type SyncStateOf, type SyncWindows } from '../sync/agenda/cardSync';
import type { Db } from '../db/database';
import { appendOutbox } from '../sync/outbox';
import { periodBounds } from './period';

const Bool = z.union([z.literal(0), z.literal(1)]).transform((v) => v === 1);

/** A row of `actions`, parsed at the edge: nothing read from the file is trusted unchecked. */
export const ActionRow = z.object({
  id: z.number().int(),
  owner_id: z.number().int(),
  type_id: z.number().int(),
  title: z.string(),
  location: z.string(),
  all_day: Bool,
  start_ms: z.number().int(),
  end_ms: z.number().int(),
  start_date: z.string().nullable(),
  end_date: z.string().nullable(),
  time_zone: z.string(),
  private: Bool,
  reminder_enabled: Bool,
  reminder_minutes: z.number().int(),
  description: z.string(),
  series_id: z.string().nullable(),
  contact_id: z.number().int().nullable(),
  company_id: z.number().int().nullable(),
  updated_at: z.string(),
});
export type ActionRow = z.infer<typeof ActionRow>;

const COLUMNS = `id, owner_id, type_id, title, location, all_day, start_ms, end_ms, start_date, end_date, time_zone, private,
  reminder_enabled, reminder_minutes, description, series_id, contact_id, company_id, updated_at`;

export function rowPeriod(row: ActionRow): Period {
  if (row.all_day) {
    if (row.start_date === null || row.end_date === null) throw new Error(`Action ${row.id}: all-day without dates`);
    return { allDay: true, startDate: row.start_date, endDate: row.end_date };
  }
  return { allDay: false, start: new Date(row.start_ms).toISOString(), end: new Date(row.end_ms).toISOString() };
}

export function toAction(row: ActionRow): Action {
  return {
    kind: 'full',
    id: row.id,
    ownerId: row.owner_id,
    typeId: row.type_id,
    title: row.title,
    location: row.location,
    period: rowPeriod(row),
    private: row.private,
    reminder: { enabled: row.reminder_enabled, minutesBefore: row.reminder_minutes },
    description: row.description,
    seriesId: row.series_id,
    contactId: row.contact_id,
    companyId: row.company_id,
    updatedAt: row.updated_at,
  };
}

export function getActionRow(db: Db, id: number): ActionRow {
  const row = db.prepare(`SELECT ${COLUMNS} FROM actions WHERE id = ?`).get(id);
  if (row === undefined) throw new CrmError('NOT_FOUND', `Action ${id} does not exist.`);
  return ActionRow.parse(row);
}

/** Actions longer than this (four days) are found through the partial index `actions_long`. */
const LONG_MS = 345_600_000;

const CARD_COLUMNS = 'id, owner_id, type_id, title, location, all_day, start_ms, end_ms, start_date, end_date, private, series_id';

/**
 * The agenda query is the hot path (20 agendas × a week ≈ 2,000 rows per call), so its rows are
 * validated per statement rather than per row: `actions` is a STRICT table whose CHECK
 * constraints bound every column (types, 0/1 flags, non-empty titles, all-day dates present
 * exactly for all-day rows), so SQLite has checked each row on write, whoever wrote it. What is
 * left to check — that the statement reads exactly these columns with these declared types — is
 * checked with zod once, when the statement is prepared. Elsewhere rows are parsed one by one.
 */
const CARD_SHAPE: readonly [string, string][] = [
  ['id', 'INTEGER'],
  ['owner_id', 'INTEGER'],
  ['type_id', 'INTEGER'],
  ['title', 'TEXT'],
  ['location', 'TEXT'],
  ['all_day', 'INTEGER'],
  ['start_ms', 'INTEGER'],
  ['end_ms', 'INTEGER'],
  ['start_date', 'TEXT'],
  ['end_date', 'TEXT'],
  ['private', 'INTEGER'],
  ['series_id', 'TEXT'],
];
const StatementColumns = z.array(z.object({ name: z.string(), table: z.literal('actions'), type: z.string() }));

function checkedCardStatement(db: Db, sql: string, shape: readonly [string, string][] = CARD_SHAPE): Database.Statement {
  const stmt = db.prepare(sql).raw(true);
  const columns = StatementColumns.parse(stmt.columns()).map((c) => [c.name, c.type.toUpperCase()]);
  if (JSON.stringify(columns) !== JSON.stringify(shape)) throw new Error(`Agenda statement reads ${JSON.stringify(columns)}`);
  const strict = db.prepare("SELECT strict FROM pragma_table_list WHERE name = 'actions' AND schema = 'main'").get() as { strict: number } | undefined;
  if (strict?.strict !== 1) throw new Error('The actions table must be STRICT');
  return stmt;
}

type CardRow = [number, number, number, string, string, 0 | 1, number, number, string | null, string | null, 0 | 1, string | null];

/**
 * Builds cards from parsed rows. Timestamps repeat a lot in a week of many agendas (actions
 * start on the quarter hour), so each ISO string is made once per call and shared.
 */
function toCards(rows: readonly CardRow[], syncOf: SyncStateOf | null): ActionCard[] {
  const iso = new Map<number, string>();
  const isoOf = (ms: number) => {
    let text = iso.get(ms);
    if (text === undefined) iso.set(ms, (text = new Date(ms).toISOString()));
    return text;
  };
  return rows.map(([id, ownerId, typeId, title, location, allDay, startMs, endMs, startDate, endDate, priv, seriesId]) => {
    let period: Period;
    if (allDay) {
      if (startDate === null || endDate === null) throw new Error(`Action ${id}: all-day without dates`);
      period = { allDay: true, startDate, endDate };
    } else {
      period = { allDay: false, start: isoOf(startMs), end: isoOf(endMs) };
    }
    // Repeating actions are never synced: no badge, even while an edit of theirs sits in the outbox.
    const sync = syncOf && seriesId === null ? syncOf(id, ownerId, startMs, endMs) : null;
    return { kind: 'full', id, ownerId, typeId, title, location, period, private: priv === 1, seriesId, sync };
  });
}

interface RangeStatements {
  /** Every action starting in [from - LONG, to), read from the covering index. */
  normal: Database.Statement;
  /** The few long actions overlapping the range, which may start earlier. */
  long: Database.Statement;
}

const rangeStatements = new WeakMap<Db, Map<number, RangeStatements>>();

/**
 * Actions of `ownerIds` whose period overlaps [fromMs, toMs), ordered by start, each with its sync
 * badge: `syncWindows` holds the owners connected to Google and their sync windows
 * (sync/agenda/windows.ts); the badges are read with the rows (sync/agenda/cardSync.ts).
 */
export function listActionCards(db: Db, ownerIds: readonly number[], fromMs: number, toMs: number, syncWindows?: SyncWindows): ActionCard[] {
  let cache = rangeStatements.get(db);
  if (!cache) rangeStatements.set(db, (cache = new Map()));
  let stmts = cache.get(ownerIds.length);
  if (!stmts) {
    const marks = ownerIds.map(() => '?').join(', ');
    stmts = {
      normal: checkedCardStatement(
        db,
        `SELECT ${CARD_COLUMNS} FROM actions INDEXED BY actions_agenda WHERE owner_id IN (${marks}) AND start_ms < ? AND start_ms >= ? AND end_ms > ?`,
      ),
      long: checkedCardStatement(
        db,
        `SELECT ${CARD_COLUMNS} FROM actions INDEXED BY actions_long WHERE owner_id IN (${marks}) AND end_ms - start_ms > ${LONG_MS} AND end_ms > ? AND start_ms < ?`,
      ),
    };
    cache.set(ownerIds.length, stmts);
  }
  const rows = stmts.normal.all(...ownerIds, toMs, fromMs - LONG_MS, fromMs) as CardRow[];
  const long = stmts.long.all(...ownerIds, fromMs, toMs) as CardRow[];
  if (long.length > 0) {
    // A long action starting late enough was already found by the first query: keep it once.
    const seen = new Set(rows.map((r) => r[0]));
    for (const row of long) if (!seen.has(row[0])) rows.push(row);
  }
  rows.sort((a, b) => a[6] - b[6] || a[0] - b[0]);
  return toCards(rows, syncWindows && syncWindows.size > 0 && rows.length > 0 ? syncStateReader(db, syncWindows) : null);
}

/** The declared types of ActionRow's columns, in COLUMNS' order (see checkedCardStatement). */
const ROW_SHAPE: readonly [string, string][] = [
  ['id', 'INTEGER'],
  ['owner_id', 'INTEGER'],
  ['type_id', 'INTEGER'],
  ['title', 'TEXT'],
  ['location', 'TEXT'],
  ['all_day', 'INTEGER'],
  ['start_ms', 'INTEGER'],
  ['end_ms', 'INTEGER'],
  ['start_date', 'TEXT'],
  ['end_date', 'TEXT'],
  ['time_zone', 'TEXT'],
  ['private', 'INTEGER'],
  ['reminder_enabled', 'INTEGER'],
  ['reminder_minutes', 'INTEGER'],
  ['description', 'TEXT'],
  ['series_id', 'TEXT'],
  ['contact_id', 'INTEGER'],
  ['company_id', 'INTEGER'],
  ['updated_at', 'TEXT'],
];

type RawRow = [number, number, number, string, string, 0 | 1, number, number, string | null, string | null, string, 0 | 1, 0 | 1, number, string, string | null, number | null, number | null, string];

/**
 * Reads one action row by id, checked like the agenda query's rows (checkedCardStatement: the
 * STRICT table's types and CHECKs hold for every row; the statement's columns are checked once)
 * instead of with ActionRow.parse per row: the agenda sync reads each action it handles a few
 * times, and parsing them with zod was ~13 ms of the ~40 ms of CPU a 100-edit automatic run spent
 * (bench/agenda.ts, CPU profile).
 * Returns null for an unknown id. One reader per database.
 */
export const actionRowReader = perDb(makeRowReader);

/**
 * `make(db)` once per database: the check of a reader's statement (a zod parse and a pragma query,
 * ~0.3 ms) is done once per connection, not once per sync run.
 */
function perDb<T>(make: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<Db, T>();
  return (db) => {
    let it = made.get(db);
    if (it === undefined) made.set(db, (it = make(db)));
    return it;
  };
}

function makeRowReader(db: Db): (id: number) => ActionRow | null {
  const stmt = checkedCardStatement(db, `SELECT ${COLUMNS} FROM actions WHERE id = ?`, ROW_SHAPE);
  return (id) => {
    const r = stmt.get(id) as RawRow | undefined;
    return r === undefined ? null : rowOf(r);
  };
}

/**
 * actionRowReader for many ids at once: the rows that exist, by id, from ONE statement (the ids
 * go in as a JSON array, json_each) instead of one per id — the agenda sync reads every action it
 * plans for, and a statement call costs more than the row (100 edits: 100 calls → 1). Checked the
 * same way. One reader per database.
 */
export const actionRowsReader = perDb((db): ((ids: readonly number[]) => Map<number, ActionRow>) => {
  const stmt = checkedCardStatement(db, `SELECT ${COLUMNS} FROM actions WHERE id IN (SELECT value FROM json_each(?))`, ROW_SHAPE);
  return (ids) => {
    const out = new Map<number, ActionRow>();
    if (ids.length === 0) return out;
    for (const r of stmt.all(JSON.stringify(ids)) as RawRow[]) out.set(r[0], rowOf(r));
    return out;
  };
});

/**
 * The `updated_at` of the actions that exist among `ids`, by id, in one statement: what tells an
 * action changed since it was read (the agenda sync checks each action it records an answer for)
 * without reading and building whole rows. Checked like actionRowReader. One reader per database.
 */
export const actionStampsReader = perDb((db): ((ids: readonly number[]) => Map<number, string>) => {
  const stmt = checkedCardStatement(db, 'SELECT id, updated_at FROM actions WHERE id IN (SELECT value FROM json_each(?))', [
    ['id', 'INTEGER'],
    ['updated_at', 'TEXT'],
  ]);
  return (ids) => {
    const out = new Map<number, string>();
    if (ids.length === 0) return out;
    for (const [id, stamp] of stmt.all(JSON.stringify(ids)) as [number, string][]) out.set(id, stamp);
    return out;
  };
});

function rowOf(r: RawRow): ActionRow {
  const [rowId, owner_id, type_id, title, location, allDay, start_ms, end_ms, start_date, end_date, time_zone, priv, reminder, reminder_minutes, description, series_id, contact_id, company_id, updated_at] = r;
  return {
    id: rowId,
    owner_id,
    type_id,
    title,
    location,
    all_day: allDay === 1,
    start_ms,
    end_ms,
    start_date,
    end_date,
    time_zone,
    private: priv === 1,
    reminder_enabled: reminder === 1,
    reminder_minutes,
    description,
    series_id,
    contact_id,
    company_id,
    updated_at,
  };
}

export function listActionTypes(db: Db): ActionType[] {
  return z
    .array(z.object({ id: z.number().int(), code: z.string(), label: z.string(), color: z.string() }))
    .parse(db.prepare('SELECT id, code, label, color FROM action_types ORDER BY sort_order, label').all());
}

/**
 * Statements of the insert path, prepared once per database: preparing one costs more than running
 * it, and the agenda sync inserts thousands of actions at once (a 10,000-event pull spent a third
 * of a second preparing them, bench/agenda.ts).
 */
const insertStatements = new WeakMap<Db, Map<string, Database.Statement>>();

function prepared(db: Db, sql: string): Database.Statement {
  let cache = insertStatements.get(db);
  if (!cache) insertStatements.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}

function assertTypeExists(db: Db, typeId: number, field: string): void {
  if (prepared(db, 'SELECT 1 FROM action_types WHERE id = ?').get(typeId) === undefined) {
    throw new CrmError('BAD_INPUT', `${field}: action type ${typeId} does not exist`, field);
  }
}

function assertRefExists(db: Db, table: 'contacts' | 'companies', id: number | null, field: string): void {
  if (id !== null && prepared(db, `SELECT 1 FROM ${table} WHERE id = ?`).get(id) === undefined) {
    throw new CrmError('BAD_INPUT', `${field}: ${table === 'contacts' ? 'contact' : 'company'} ${id} does not exist`, field);
  }
}

export interface NewAction {
  ownerId: number;
  typeId: number;
  title: string;
  location: string;
  period: Period;
  timeZone: string;
  private: boolean;
  reminder: { enabled: boolean; minutesBefore: number };
  description: string;
  seriesId: string | null;
  contactId: number | null;
  companyId: number | null;
}

const ALL_FIELDS = ['typeId', 'title', 'location', 'period', 'private', 'reminder', 'description', 'contactId', 'companyId'] as const;

/**
 * Inserts an action and its outbox entry in one transaction. Without an outbox entry (an action
 * pulled from Google) and inside the caller's transaction, the insert is one statement, which
 * SQLite applies whole or not at all: it runs without a savepoint of its own — the sync creates
 * thousands in a row, and a savepoint and its release cost more than the insert itself.
 */
export function insertAction(db: Db, a: NewAction, at: string, options: { outbox?: boolean } = {}): number {
  const write = (): number => {
    assertTypeExists(db, a.typeId, 'typeId');
    assertRefExists(db, 'contacts', a.contactId, 'contactId');
    assertRefExists(db, 'companies', a.companyId, 'companyId');
    const { startMs, endMs } = periodBounds(a.period, a.timeZone);
    const info = prepared(
      db,
      // Numbered above every id ever deleted (migration 0003): an id is never given twice, as
      // Google events are named after it (agenda sync).
      `INSERT INTO actions (id, owner_id, type_id, title, location, all_day, start_ms, end_ms, start_date, end_date, time_zone, private,
           reminder_enabled, reminder_minutes, description, series_id, contact_id, company_id, created_at, updated_at)
         VALUES (max(coalesce((SELECT max(id) FROM actions), 0), coalesce((SELECT last_id FROM id_watermarks WHERE name = 'actions'), 0)) + 1,
           ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
        a.ownerId,
        a.typeId,
        a.title,
        a.location,
        a.period.allDay ? 1 : 0,
        startMs,
        endMs,
        a.period.allDay ? a.period.startDate : null,
        a.period.allDay ? a.period.endDate : null,
        a.timeZone,
        a.private ? 1 : 0,
        a.reminder.enabled ? 1 : 0,
        a.reminder.minutesBefore,
        a.description,
        a.seriesId,
        a.contactId,
        a.companyId,
        at,
        at,
      );
    const id = Number(info.lastInsertRowid);
    if (options.outbox !== false) appendOutbox(db, { entity: 'action', entityId: id, ownerId: a.ownerId, op: 'create', changedFields: ALL_FIELDS, at });
    return id;
  };
  return options.outbox === false && db.inTransaction ? write() : db.transaction(write)();
}

/** The fields of an action pulled from Google (the sync engine's SyncedFields). */
export interface PulledFields {
  title: string;
  location: string;
  period: Period;
  private: boolean;
  reminder: { enabled: boolean; minutesBefore: number };
  description: string;
}

/**
 * Inserts actions pulled from Google — one owner, type and zone; no series, contact, company or
 * outbox entry — inside the caller's transaction, and returns their ids in order. insertAction
 * per row did the same with a type check and two id subqueries per row; a first sync inserts
 * 2,500 per listing page, and the last page's inserts are in nobody's shadow (bench/agenda.ts).
 * The ids are numbered the same way (above every id ever given, migration 0003), from one read:
 * nothing else writes inside this transaction. `bounds[i]`, when given, is rows[i]'s period as
 * epoch ms (periodBounds) that the caller computed already: one parse of the period less per row.
 */
export function insertPulledActions(
  db: Db,
  common: { ownerId: number; typeId: number; timeZone: string },
  rows: readonly PulledFields[],
  at: string,
  bounds?: readonly ({ startMs: number; endMs: number } | null)[],
): number[] {
  if (!db.inTransaction) throw new Error('insertPulledActions must run inside the transaction that records the links of these actions');
  if (rows.length === 0) return [];
  assertTypeExists(db, common.typeId, 'typeId');
  const first = prepared(
    db,
    "SELECT max(coalesce((SELECT max(id) FROM actions), 0), coalesce((SELECT last_id FROM id_watermarks WHERE name = 'actions'), 0)) + 1",
  )
    .pluck(true)
    .get() as number;
  const insert = prepared(
    db,
    `INSERT INTO actions (id, owner_id, type_id, title, location, all_day, start_ms, end_ms, start_date, end_date, time_zone, private,
         reminder_enabled, reminder_minutes, description, series_id, contact_id, company_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?)`,
  );
  const ids = new Array<number>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const a = rows[i]!;
    const { startMs, endMs } = bounds?.[i] ?? periodBounds(a.period, common.timeZone);
    const id = first + i;
    insert.run(
      id,
      common.ownerId,
      common.typeId,
      a.title,
      a.location,
      a.period.allDay ? 1 : 0,
      startMs,
      endMs,
      a.period.allDay ? a.period.startDate : null,
      a.period.allDay ? a.period.endDate : null,
      common.timeZone,
      a.private ? 1 : 0,
      a.reminder.enabled ? 1 : 0,
      a.reminder.minutesBefore,
      a.description,
      at,
      at,
    );
    ids[i] = id;
  }
  return ids;
}

/**
 * Rows per multi-row INSERT in insertMany, far below SQLite's 32,766 bound parameters. Used for the
 * sync log. Not for `actions` (multi-row measured slower: 60 ms → 85–100 ms), nor for the sync links
 * and Google origins of pulled events: as upserts (ON CONFLICT) on a file database, one row per
 * statement measured faster (engine.ts putLinks).
 */
const ROWS_PER_STATEMENT = 100;

/**
 * Inserts `rows` with multi-row INSERTs of ROWS_PER_STATEMENT rows (the rest one by one, so a
 * handful of statements is prepared, not one per length). `head` is `INSERT INTO t (a, b, …)`,
 * `tail` what follows the VALUES (an ON CONFLICT clause, or ''). Runs in the caller's transaction.
 */
export function insertMany(db: Db, head: string, rows: readonly (readonly unknown[])[], tail = ''): void {
  if (rows.length === 0) return;
  const one = `(${rows[0]!.map(() => '?').join(', ')})`;
  const full = Math.floor(rows.length / ROWS_PER_STATEMENT) * ROWS_PER_STATEMENT;
  if (full > 0) {
    const many = prepared(db, `${head} VALUES ${Array<string>(ROWS_PER_STATEMENT).fill(one).join(', ')} ${tail}`);
    // The parameters laid out flat by hand, into one array reused for every statement:
    // `rows.slice(…).flat()` cost more than SQLite's own work on sync links (CPU profile of bench/agenda.ts).
    const width = rows[0]!.length;
    const params = new Array<unknown>(ROWS_PER_STATEMENT * width);
    for (let i = 0; i < full; i += ROWS_PER_STATEMENT) {
      let k = 0;
      for (let r = i; r < i + ROWS_PER_STATEMENT; r++) {
        const row = rows[r]!;
        for (let c = 0; c < width; c++) params[k++] = row[c];
      }
      many.run(params);
    }
  }
  const single = prepared(db, `${head} VALUES ${one} ${tail}`);
  for (let i = full; i < rows.length; i++) single.run(rows[i]);
}

/**
 * Applies a patch; returns the fields that really changed (none: nothing written, no outbox).
 * `outbox: false` is for changes that come FROM Google (the sync engine): they must not go back out.
 */
export function updateAction(db: Db, id: number, patch: ActionPatch, at: string, options: { outbox?: boolean } = {}): string[] {
  return db.transaction(() => {
    const before = getActionRow(db, id);
    const current = toAction(before);
    const changed: string[] = [];
    for (const key of Object.keys(patch) as (keyof ActionPatch)[]) {
      if (JSON.stringify(patch[key]) !== JSON.stringify(current[key])) changed.push(key);
    }
    if (changed.length === 0) return changed;
    if (patch.typeId !== undefined) assertTypeExists(db, patch.typeId, 'patch.typeId');
    if (patch.contactId !== undefined) assertRefExists(db, 'contacts', patch.contactId, 'patch.contactId');
    if (patch.companyId !== undefined) assertRefExists(db, 'companies', patch.companyId, 'patch.companyId');
    const next = { ...current, ...patch };
    const { startMs, endMs } = periodBounds(next.period, before.time_zone);
    db.prepare(
      `UPDATE actions SET type_id = ?, title = ?, location = ?, all_day = ?, start_ms = ?, end_ms = ?, start_date = ?, end_date = ?,
         private = ?, reminder_enabled = ?, reminder_minutes = ?, description = ?, contact_id = ?, company_id = ?,
         updated_at = ?, version = version + 1
       WHERE id = ?`,
    ).run(
      next.typeId,
      next.title,
      next.location,
      next.period.allDay ? 1 : 0,
      startMs,
      endMs,
      next.period.allDay ? next.period.startDate : null,
      next.period.allDay ? next.period.endDate : null,
      next.private ? 1 : 0,
      next.reminder.enabled ? 1 : 0,
      next.reminder.minutesBefore,
      next.description,
      next.contactId,
      next.companyId,
      at,
      id,
    );
    if (options.outbox !== false) appendOutbox(db, { entity: 'action', entityId: id, ownerId: before.owner_id, op: 'update', changedFields: changed, at });
    return changed;
  })();
}

export function deleteAction(db: Db, id: number, at: string, options: { outbox?: boolean } = {}): void {
  db.transaction(() => {
    const before = getActionRow(db, id);
    db.prepare('DELETE FROM actions WHERE id = ?').run(id);
    if (options.outbox !== false) appendOutbox(db, { entity: 'action', entityId: id, ownerId: before.owner_id, op: 'delete', changedFields: [], at });
  })();
}

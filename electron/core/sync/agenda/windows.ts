/**
 * The sync windows of the owners an agenda query shows, for the sync badges (cardSync.ts): only
 * owners connected to Google have one (the others' actions show no badge), computed exactly as
 * the engine does (engine.ts syncWindow: today − N months … today + M months in the owner's zone).
 */
import type Database from 'better-sqlite3';
import type { Db } from '../../db/database';
import { getSyncPrefs } from '../prefs';
import type { SyncWindow, SyncWindows } from './cardSync';
import { syncWindow } from './engine';

const MINUTE = 60_000;

/**
 * syncWindow builds an Intl.DateTimeFormat (~70 µs); twenty owners per agenda query would cost
 * 1.5 ms. Windows change once a day, so they are kept for the current minute, per zone and
 * months: at worst a badge follows the window's daily move a minute late.
 */
let memo: { minute: number; windows: Map<string, SyncWindow> } = { minute: -1, windows: new Map() };

function windowOf(now: Date, timeZone: string, monthsBefore: number, monthsAfter: number): SyncWindow {
  const minute = Math.floor(now.getTime() / MINUTE);
  if (memo.minute !== minute) memo = { minute, windows: new Map() };
  const key = `${timeZone}|${monthsBefore}|${monthsAfter}`;
  let win = memo.windows.get(key);
  if (!win) memo.windows.set(key, (win = syncWindow(now, timeZone, monthsBefore, monthsAfter)));
  return win;
}

const statements = new WeakMap<Db, Database.Statement>();

export function syncWindowsFor(db: Db, ownerIds: readonly number[], now: Date): SyncWindows {
  let stmt = statements.get(db);
  if (!stmt) {
    stmt = db
      .prepare(
        `SELECT u.id, u.time_zone, p.months_before, p.months_after FROM users u
           JOIN google_accounts g ON g.user_id = u.id AND g.refresh_token_sealed IS NOT NULL
           LEFT JOIN sync_prefs p ON p.user_id = u.id
         WHERE u.id IN (SELECT value FROM json_each(?))`,
      )
      .raw(true);
    statements.set(db, stmt);
  }
  const out = new Map<number, SyncWindow>();
  for (const [id, timeZone, before, after] of stmt.all(JSON.stringify(ownerIds)) as [number, string, number | null, number | null][]) {
    // A connected user who never saved their preferences has the table's defaults.
    const months = before === null || after === null ? getSyncPrefs(db, id, now.toISOString()) : { monthsBefore: before, monthsAfter: after };
    out.set(id, windowOf(now, timeZone, months.monthsBefore, months.monthsAfter));
  }
  return out;
}

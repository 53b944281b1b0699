import { z } from 'zod';
import { ConflictRule, type SyncPrefs } from '../../../shared/contract';
import type { Db } from '../db/database';

const Bool = z.union([z.literal(0), z.literal(1)]).transform((v) => v === 1);
const PrefsRow = z.object({
  user_id: z.number().int(),
  google_email: z.string(),
  calendar_name: z.string(),
  months_before: z.number().int(),
  months_after: z.number().int(),
  automatic_sync: Bool,
  startup_sync: Bool,
  color_transfer: Bool,
  conflict_rule: ConflictRule,
});

/** A user's sync preferences; users who never saved any get the defaults of the table. */
export function getSyncPrefs(db: Db, userId: number, at: string): SyncPrefs {
  db.prepare('INSERT INTO sync_prefs (user_id, updated_at) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING').run(userId, at);
  const r = PrefsRow.parse(db.prepare('SELECT * FROM sync_prefs WHERE user_id = ?').get(userId));
  return {
    userId: r.user_id,
    googleEmail: r.google_email,
    calendarName: r.calendar_name,
    monthsBefore: r.months_before,
    monthsAfter: r.months_after,
    automaticSync: r.automatic_sync,
    startupSync: r.startup_sync,
    colorTransfer: r.color_transfer,
    conflictRule: r.conflict_rule,
  };
}

const COLUMNS: Record<keyof Omit<SyncPrefs, 'userId'>, string> = {
  googleEmail: 'google_email',
  calendarName: 'calendar_name',
  monthsBefore: 'months_before',
  monthsAfter: 'months_after',
  automaticSync: 'automatic_sync',
  startupSync: 'startup_sync',
  colorTransfer: 'color_transfer',
  conflictRule: 'conflict_rule',
};

export function updateSyncPrefs(db: Db, userId: number, patch: Partial<Omit<SyncPrefs, 'userId'>>, at: string): SyncPrefs {
  return db.transaction(() => {
    getSyncPrefs(db, userId, at);
    const sets: string[] = [];
    const values: Record<string, unknown> = { userId, at };
    for (const [key, value] of Object.entries(patch) as [keyof typeof COLUMNS, unknown][]) {
      const col = COLUMNS[key];
      sets.push(`${col} = @${col}`);
      values[col] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    }
    db.prepare(`UPDATE sync_prefs SET ${sets.join(', ')}, updated_at = @at WHERE user_id = @userId`).run(values);
    return getSyncPrefs(db, userId, at);
  })();
}

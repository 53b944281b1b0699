import Database from 'better-sqlite3';
import { migrate } from './migrate';
import { migrations as appMigrations, type Migration } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  /** For tests of the migration machinery; the app always uses its own list. */
  migrations?: readonly Migration[];
  readonly?: boolean;
}

/**
 * Opens (creating if needed) the CRM store at `path` and migrates it. The caller decides the
 * path: this module never looks up Electron or OS folders. `:memory:` works for tests.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  try {
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    // A desktop app's working set: keep up to 32 MB of pages in memory.
    db.pragma('cache_size = -32768');
    if (!options.readonly) migrate(db, options.migrations ?? appMigrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Runs `fn` in a transaction: everything it writes commits together, or nothing does when it
 * throws (the error propagates). Nested calls become savepoints.
 */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn)();
}

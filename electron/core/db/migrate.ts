import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { Migration } from './migrations';

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

const AppliedRow = z.object({ id: z.number().int(), name: z.string(), checksum: z.string() });

export function checksumOf(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

/**
 * Brings the database up to the app's schema. Refuses (and changes nothing) when the file was
 * written by a newer app, or when a migration applied earlier has since been edited. Pending
 * migrations run in ONE transaction: a failure rolls all of them back, leaving the file as it was.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): { applied: number[] } {
  const ids = migrations.map((m) => m.id);
  ids.forEach((id, i) => {
    if (id !== i + 1) throw new MigrationError(`Migrations must be numbered 1, 2, 3… without gaps; found ${id} at position ${i + 1}.`);
  });

  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = z.array(AppliedRow).parse(db.prepare('SELECT id, name, checksum FROM schema_migrations ORDER BY id').all());

  const newest = applied.at(-1);
  if (newest && newest.id > migrations.length) {
    throw new MigrationError(
      `This database was written by a newer version of CRM Companion (schema ${newest.id} "${newest.name}"; this app knows up to ${migrations.length}). Update the app to open it.`,
    );
  }
  for (const row of applied) {
    const known = migrations[row.id - 1];
    if (!known || known.name !== row.name || checksumOf(known) !== row.checksum) {
      throw new MigrationError(
        `Migration ${row.id} "${row.name}" differs from the one applied to this database (edited after release?). Migrations are append-only: restore it and add a new one instead.`,
      );
    }
  }

  const pending = migrations.slice(applied.length);
  if (pending.length === 0) return { applied: [] };
  const record = db.prepare('INSERT INTO schema_migrations (id, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
  const run = db.transaction(() => {
    for (const m of pending) {
      try {
        db.exec(m.sql);
      } catch (error) {
        throw new MigrationError(`Migration ${m.id} "${m.name}" failed: ${(error as Error).message}. The database was left unchanged.`);
      }
      record.run(m.id, m.name, checksumOf(m), new Date().toISOString());
    }
  });
  run();
  return { applied: pending.map((m) => m.id) };
}

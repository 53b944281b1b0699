import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/db/database';
import { MigrationError, checksumOf } from '../../electron/core/db/migrate';
import { migrations } from '../../electron/core/db/migrations';
import { logTextOf, storedLogText } from '../../electron/core/sync/logText';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-mig-'));
  dirs.push(dir);
  return path.join(dir, 'crm.sqlite');
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function schemaOf(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT type || ':' || name AS n FROM sqlite_master ORDER BY n").all() as { n: string }[]).map((r) => r.n);
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  it('create every table of the store and record each migration with its checksum', () => {
    const file = tempFile();
    openDatabase(file).close();
    const names = schemaOf(file);
    for (const table of [
      'users', 'user_rights', 'companies', 'contacts', 'action_types', 'actions', 'sync_prefs', 'contact_sync_list', 'app_settings',
      'google_accounts', 'sync_links', 'sync_tokens', 'outbox', 'pending_deletions', 'sync_runs', 'sync_log', 'contacts_fts', 'schema_migrations',
    ]) {
      expect(names).toContain(`table:${table}`);
    }
    const db = new Database(file, { readonly: true });
    const applied = db.prepare('SELECT id, name, checksum FROM schema_migrations').all();
    db.close();
    expect(applied).toEqual(migrations.map((m) => ({ id: m.id, name: m.name, checksum: checksumOf(m) })));
  });

  it('makes every table STRICT, so SQLite refuses a value of the wrong type whoever writes it', () => {
    const db = openDatabase(tempFile());
    const loose = db.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND strict = 0 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'contacts_fts%' AND name <> 'schema_migrations'").all();
    expect(loose).toEqual([]);
    db.prepare("INSERT INTO users (login, display_name, password_hash, created_at) VALUES ('U', 'U', 'x', 'now')").run();
    db.prepare("INSERT INTO action_types (code, label, color) VALUES ('A', 'A', '#123456')").run();
    const insert = (start: unknown, allDay: number, startDate: string | null) =>
      db
        .prepare("INSERT INTO actions (owner_id, type_id, title, all_day, start_ms, end_ms, start_date, end_date, time_zone, created_at, updated_at) VALUES (1, 1, 'T', ?, ?, 9e12, ?, ?, 'Europe/Paris', 'now', 'now')")
        .run(allDay, start, startDate, startDate);
    expect(() => insert('demain', 0, null)).toThrowError(/cannot store TEXT value in INTEGER column actions.start_ms/);
    expect(() => insert(1000, 1, null)).toThrowError(/CHECK constraint failed/);
    expect(() => insert(1000, 1, '24/11/2026')).toThrowError(/CHECK constraint failed/);
    expect(() => insert(1000, 2, null)).toThrowError(/CHECK constraint failed/);
    expect(insert(1000, 1, '2026-11-24').changes).toBe(1);
    db.close();
  });

  it('opens with WAL and foreign keys on', () => {
    const db = openDatabase(tempFile());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('is a no-op on a database already up to date', () => {
    const file = tempFile();
    openDatabase(file).close();
    const before = schemaOf(file);
    openDatabase(file).close();
    expect(schemaOf(file)).toEqual(before);
  });

  it('rolls back every pending migration when one fails, leaving the file as it was', () => {
    const file = tempFile();
    openDatabase(file).close();
    const before = schemaOf(file);
    const broken = [
      ...migrations,
      { id: migrations.length + 1, name: 'adds_a_table', sql: 'CREATE TABLE added_by_good_migration (x INTEGER);' },
      { id: migrations.length + 2, name: 'broken', sql: 'ALTER TABLE actions ADD COLUMN colour TEXT; CREATE TABLE oops (;' },
    ];
    expect(() => openDatabase(file, { migrations: broken })).toThrowError(new RegExp(`Migration ${migrations.length + 2} "broken" failed: .*left unchanged`));
    expect(schemaOf(file)).toEqual(before);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT max(id) AS m FROM schema_migrations').get()).toEqual({ m: migrations.length });
    expect((db.prepare('PRAGMA table_info(actions)').all() as { name: string }[]).map((c) => c.name)).not.toContain('colour');
    db.close();
  });

  it('refuses a database written by a newer app, naming the schema', () => {
    const file = tempFile();
    const newer = [...migrations, { id: migrations.length + 1, name: 'from_the_future', sql: 'CREATE TABLE future (x);' }];
    openDatabase(file, { migrations: newer }).close();
    expect(() => openDatabase(file)).toThrowError(MigrationError);
    expect(() => openDatabase(file)).toThrowError(
      new RegExp(`written by a newer version of CRM Companion \\(schema ${migrations.length + 1} "from_the_future"; this app knows up to ${migrations.length}\\)`),
    );
  });

  it('refuses a migration edited after it was applied', () => {
    const file = tempFile();
    openDatabase(file).close();
    const edited = migrations.map((m) => (m.id === 1 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
    expect(() => openDatabase(file, { migrations: edited })).toThrowError(/Migration 1 "initial" differs from the one applied/);
  });

  it('0006 keeps the links and the origins of pulled events that a database already holds', () => {
    const file = tempFile();
    const before = openDatabase(file, { migrations: migrations.slice(0, 5) });
    before.prepare("INSERT INTO users (login, display_name, password_hash, created_at) VALUES ('U', 'U', 'x', 'now')").run();
    before.prepare("INSERT INTO action_types (code, label, color) VALUES ('A', 'A', '#123456')").run();
    before.prepare("INSERT INTO actions (owner_id, type_id, title, all_day, start_ms, end_ms, time_zone, created_at, updated_at) VALUES (1, 1, 'Dentiste', 0, 1000, 2000, 'Europe/Paris', 'now', 'now')").run();
    before.prepare("INSERT INTO sync_links (user_id, kind, crm_id, google_id, etag, snapshot, synced_at) VALUES (1, 'event', 1, 'phone1', 'e1', '{}', 'now')").run();
    before.prepare("INSERT INTO sync_links (user_id, kind, crm_id, google_id, etag, snapshot, synced_at) VALUES (1, 'contact', 7, 'people/c7', NULL, '{}', 'now')").run();
    before.prepare("INSERT INTO google_origins (user_id, calendar_id, google_id, action_id, created_at) VALUES (1, 'cal1', 'phone1', 1, 'now')").run();
    before.close();

    const db = openDatabase(file);
    // Nothing moved: the origin stays where the engine and Reset still look it up; the links are not marked pulled.
    expect(db.prepare('SELECT kind, crm_id, google_id, etag, pulled FROM sync_links ORDER BY kind').all()).toEqual([
      { kind: 'contact', crm_id: 7, google_id: 'people/c7', etag: null, pulled: 0 },
      { kind: 'event', crm_id: 1, google_id: 'phone1', etag: 'e1', pulled: 0 },
    ]);
    expect(db.prepare('SELECT user_id, calendar_id, google_id, action_id FROM google_origins').all()).toEqual([{ user_id: 1, calendar_id: 'cal1', google_id: 'phone1', action_id: 1 }]);
    expect(() => db.prepare("UPDATE sync_links SET pulled = 2 WHERE kind = 'event'").run()).toThrowError(/CHECK constraint failed/);
    db.close();
  });

  it('0007 keeps the sync log a database already holds readable as before, and stores codes with new lines', () => {
    const file = tempFile();
    const before = openDatabase(file, { migrations: migrations.slice(0, 6) });
    before.prepare("INSERT INTO users (login, display_name, password_hash, created_at) VALUES ('U', 'U', 'x', 'now')").run();
    before.prepare("INSERT INTO sync_runs (user_id, started_by, scope, trigger, started_at, status, summary) VALUES (1, 1, 'agenda', 'manual', 'now', 'ok', '{}')").run();
    const lines = [
      ['warning', 'action', 12, 'ev12', '« Dentiste »: title changed on both sides (CRM "Dentiste", Google "Dentiste 2"); the Google edit wins (rule: the most recent change wins).'],
      ['info', 'action', 13, 'ev13', 'Created in the CRM from Google: « Rendez-vous ».'],
      ['error', 'action', 14, 'ev14', 'Google answered 400: Invalid start time.'],
      ['error', 'run', null, null, 'Google cannot be reached (ECONNRESET): check the network connection.'],
      ['info', 'run', null, null, 'Run ok: CRM +1 ~0 −0; Google +0 ~0 −0; 3 request(s).'],
    ] as const;
    const insert = before.prepare("INSERT INTO sync_log (run_id, level, entity, crm_id, google_id, message, created_at) VALUES (1, ?, ?, ?, ?, ?, 'now')");
    for (const l of lines) insert.run(...l);
    const read = (db: Database.Database) => db.prepare('SELECT * FROM sync_log ORDER BY id').all() as Record<string, unknown>[];
    const old = read(before);
    before.close();

    const db = openDatabase(file);
    const rows = read(db) as (Record<string, unknown> & { code: string | null; params: string | null; message: string })[];
    // Every column kept; the new ones NULL: the row reads back as its sentence recognised, as before 0007.
    expect(rows).toEqual(old.map((r) => ({ ...r, code: null, params: null })));
    for (const r of rows) expect(storedLogText(r.code, r.params, r.message)).toEqual(logTextOf(r.message));
    expect(storedLogText(rows[0]!.code, rows[0]!.params, rows[0]!.message)).toMatchObject({ code: 'agenda.conflict', params: { title: 'Dentiste', winner: 'google', rule: 'newest' } });
    // New lines carry their code and params; params must be JSON.
    db.prepare("INSERT INTO sync_log (run_id, level, entity, crm_id, google_id, message, code, params, created_at) VALUES (1, 'info', 'run', NULL, NULL, 'Skipped 2 (series-crm).', 'run.skipped', '{\"count\":2,\"reason\":\"series-crm\"}', 'now')").run();
    expect(() => db.prepare("UPDATE sync_log SET params = 'not json' WHERE id = 1").run()).toThrowError(/CHECK constraint failed/);
    const last = read(db).at(-1) as { code: string; params: string; message: string };
    expect(storedLogText(last.code, last.params, last.message)).toEqual({ code: 'run.skipped', params: { count: 2, reason: 'series-crm' }, message: 'Skipped 2 (series-crm).' });
    db.close();
  });

  it('refuses a list with gaps in its numbering', () => {
    const gap = [...migrations, { id: migrations.length + 2, name: 'skipped', sql: 'SELECT 1;' }];
    expect(() => openDatabase(tempFile(), { migrations: gap })).toThrowError(/numbered 1, 2, 3/);
  });
});

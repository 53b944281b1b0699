import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Core } from '../electron/core/app';
import { openDatabase, type Db } from '../electron/core/db/database';
import { generateDemo, type DemoSummary } from '../electron/core/demo/generate';
import { createLogger } from '../electron/core/log';

/** The fixed "today" of the demo data in tests, so weeks and windows are stable. */
export const DEMO_NOW = new Date('2026-11-18T09:30:00.000Z');

let template: { file: string; summary: DemoSummary } | null = null;

/** A private copy of the demo database (generated once per test file, then copied). */
export function demoDb(): { db: Db; file: string; dir: string; summary: DemoSummary; cleanup: () => void } {
  if (!template || !existsSync(template.file)) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-template-'));
    const file = path.join(dir, 'demo.sqlite');
    const db = openDatabase(file);
    const summary = generateDemo(db, { now: DEMO_NOW });
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    template = { file, summary };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-test-'));
  const file = path.join(dir, 'crm.sqlite');
  copyFileSync(template.file, file);
  const db = openDatabase(file);
  return { db, file, dir, summary: template.summary, cleanup: () => (db.open && db.close(), rmSync(dir, { recursive: true, force: true })) };
}

export function silentCore(db: Db, now = DEMO_NOW): Core {
  return new Core({ db, now: () => now, logger: createLogger(() => undefined) });
}

/** A connection logged in as `login`, through the real login channel. */
export function loginAs(core: Core, login: string, password = 'demo'): string {
  const conn = core.newConnection();
  const reply = core.callSync(conn, 'session.login', { login, password });
  if (!reply.ok) throw new Error(`login ${login} failed: ${reply.error.message}`);
  return conn;
}

export function userId(db: Db, login: string): number {
  const row = db.prepare('SELECT id FROM users WHERE login = ?').get(login) as { id: number } | undefined;
  if (!row) throw new Error(`no user ${login}`);
  return row.id;
}

export function roles(summary: DemoSummary) {
  const reps = summary.users.filter((u) => u.role === 'rep').map((u) => u.login);
  const managers = summary.users.filter((u) => u.role === 'manager').map((u) => u.login);
  return { reps, managers };
}

/** Every row of every user table, to prove a refused call changed nothing. */
export function dump(db: Db): string {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'contacts_fts%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  return JSON.stringify(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}"`).all()]));
}

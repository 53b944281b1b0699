import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/db/database';
import { generateDemo } from '../../electron/core/demo/generate';
import { DEMO_NOW } from '../helpers';

describe('the demo database', () => {
  const db = openDatabase(':memory:');
  const summary = generateDemo(db, { now: DEMO_NOW });
  const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;

  it('holds a realistic French small business', () => {
    expect(summary.users.map((u) => u.role)).toEqual(['admin', 'manager', 'manager', 'rep', 'rep', 'rep']);
    expect(n('SELECT count(*) AS n FROM companies')).toBe(300);
    expect(n('SELECT count(*) AS n FROM contacts')).toBe(1500);
    expect(n('SELECT count(*) AS n FROM actions')).toBe(5000);
    expect(n("SELECT count(DISTINCT kind) AS n FROM companies")).toBe(3);
    expect(n('SELECT count(DISTINCT lower(color)) AS n FROM action_types')).toBe(8);
    expect(n('SELECT count(*) AS n FROM user_rights WHERE agenda = 1')).toBe(3);
  });

  it('gives every non-admin user a Google e-mail and the calendar "Agenda CRM"', () => {
    expect(n("SELECT count(*) AS n FROM sync_prefs WHERE calendar_name = 'Agenda CRM' AND google_email LIKE '%@%'")).toBe(5);
  });

  it('fills the reps\' contact sync lists with a few dozen contacts', () => {
    const perRep = db.prepare('SELECT count(*) AS n FROM contact_sync_list GROUP BY user_id').all() as { n: number }[];
    expect(perRep).toHaveLength(3);
    for (const r of perRep) expect(r.n).toBeGreaterThanOrEqual(24);
  });

  it('spreads actions over ±6 months with all-day, private and repeating ones, on weekdays', () => {
    const span = db.prepare('SELECT min(start_ms) AS lo, max(start_ms) AS hi FROM actions').get() as { lo: number; hi: number };
    const day = 86_400_000;
    expect(span.lo).toBeLessThan(DEMO_NOW.getTime() - 170 * day);
    expect(span.hi).toBeGreaterThan(DEMO_NOW.getTime() + 170 * day);
    expect(n('SELECT count(*) AS n FROM actions WHERE all_day = 1')).toBeGreaterThan(100);
    expect(n('SELECT count(*) AS n FROM actions WHERE private = 1')).toBeGreaterThan(300);
    expect(n('SELECT count(DISTINCT series_id) AS n FROM actions WHERE series_id IS NOT NULL')).toBeGreaterThan(20);
  });

  it('is the same for the same seed and date', () => {
    const other = openDatabase(':memory:');
    const again = generateDemo(other, { now: DEMO_NOW });
    expect(again.users.map((u) => u.login)).toEqual(summary.users.map((u) => u.login));
    const sample = (d: typeof db) => d.prepare('SELECT title, start_ms, owner_id FROM actions ORDER BY id LIMIT 50').all();
    expect(sample(other)).toEqual(sample(db));
  });

  it('refuses to fill a database that already has users', () => {
    expect(() => generateDemo(db, { now: DEMO_NOW })).toThrowError(/already has users/);
  });
});

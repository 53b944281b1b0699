/**
 * The store benchmark: the demo data scaled to 20 users, 100,000 actions and 20,000 contacts,
 * in a real SQLite file. Measures the multi-user week query (20 agendas side by side) and the
 * contact search in the store — the targets, p95 under 5 ms — and, for context, the same
 * through the full contract channel (input validation, rights, output validation).
 * The week query carries each block's sync badge (sync/agenda/cardSync.ts): it is measured with
 * nobody connected to Google, then with all 20 agendas synced — every in-window action linked,
 * 1% of all actions waiting in the outbox, some deletions to confirm and errors at the last run
 * (the target applies to that case, the one users with Google have).
 * Run with the flags of the app's core process (see package.json: a 64 MB young generation).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Faker, base, fr } from '@faker-js/faker';
import { Core } from '../electron/core/app';
import { listActionCards } from '../electron/core/actions/store';
import { syncWindowsFor } from '../electron/core/sync/agenda/windows';
import { searchContacts } from '../electron/core/contacts/store';
import { openDatabase, type Db } from '../electron/core/db/database';
import { generateDemo } from '../electron/core/demo/generate';
import { createLogger } from '../electron/core/log';
import { toSessionUser, findUserByLogin } from '../electron/core/users/store';
import { summarize, table, time } from './stats';

const TARGET_MS = 5;

export async function run(args: string[]): Promise<void> {
  const iterations = Number(args.find((a) => a.startsWith('--iterations='))?.split('=')[1] ?? 400);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-bench-'));
  const file = path.join(dir, 'bench.sqlite');
  try {
    const now = new Date('2026-11-18T09:30:00Z');
    const db = openDatabase(file);
    const [summary, genMs] = time(() => generateDemo(db, { now, reps: 16, managers: 3, companies: 4000, contacts: 20_000, actions: 100_000, syncListSize: 50 }));
    db.pragma('optimize');
    console.log(`Generated ${summary.users.length} users, ${summary.companies} companies, ${summary.contacts} contacts, ${summary.actions} actions in ${(genMs / 1000).toFixed(1)} s (${file}).`);

    const core = new Core({ db, now: () => now, logger: createLogger(() => undefined) });
    const adm = core.newConnection();
    core.impersonate(adm, 'ADM');
    const admUser = toSessionUser(findUserByLogin(db, 'ADM')!);
    const repLogin = summary.users.find((u) => u.role === 'rep')!.login;
    const rep = core.newConnection();
    core.impersonate(rep, repLogin);
    const repUser = toSessionUser(findUserByLogin(db, repLogin)!);
    const userIds = (db.prepare('SELECT id FROM users WHERE is_admin = 0 ORDER BY id').all() as { id: number }[]).map((r) => r.id);
    const twenty = [(db.prepare("SELECT id FROM users WHERE login = 'ADM'").get() as { id: number }).id, ...userIds].slice(0, 20);

    const faker = new Faker({ locale: [fr, base], seed: 7 });
    // Monday 00:00 Paris of random weeks within ±6 months.
    const weeks = Array.from({ length: iterations }, () => {
      const monday = Date.parse('2026-11-16T00:00:00+01:00') + faker.number.int({ min: -26, max: 26 }) * 7 * 86_400_000;
      return { from: new Date(monday).toISOString(), to: new Date(monday + 7 * 86_400_000).toISOString() };
    });
    const names = db.prepare('SELECT last_name, first_name, city FROM contacts ORDER BY random() LIMIT 200').all() as { last_name: string; first_name: string; city: string }[];
    const queries = Array.from({ length: iterations }, (_, i) => {
      const c = names[i % names.length]!;
      return faker.helpers.arrayElement([c.last_name.slice(0, 3), c.last_name, `${c.first_name.slice(0, 2)} ${c.last_name.slice(0, 4)}`, c.city.slice(0, 4), faker.string.alpha(2)]);
    });

    // Warm-up, then measure.
    for (let i = 0; i < 20; i++) core.invokeSync(adm, 'actions.list', { userIds: twenty, ...weeks[i]! });
    const rows: Record<string, string | number>[] = [];
    let weekRows = 0;
    const measure = (label: string, fn: (i: number) => unknown, targeted = true) => {
      // Start each series from a clean heap: the data generation above left garbage behind that
      // the app, which opens an existing file, never has.
      (globalThis as { gc?: () => void }).gc?.();
      const samples: number[] = [];
      for (let i = 0; i < iterations; i++) samples.push(time(() => fn(i))[1]);
      const s = summarize(samples);
      rows.push({
        measure: label,
        runs: s.n,
        'p50 ms': s.p50,
        'p95 ms': s.p95,
        'max ms': s.max,
        target: targeted ? `p95 < ${TARGET_MS} ms` : '(context)',
        verdict: targeted ? (s.p95 < TARGET_MS ? 'met' : 'MISSED') : '',
      });
    };
    // The query as actions.list makes it: the owners' sync windows, then the rows with their badges.
    const weekQuery = (i: number) => listActionCards(db, twenty, Date.parse(weeks[i]!.from), Date.parse(weeks[i]!.to), syncWindowsFor(db, twenty, now));
    measure('week, 20 users, store query, no Google', (i) => weekQuery(i), false);
    const badges = connectEveryone(db, twenty, now);
    for (let i = 0; i < 20; i++) weekQuery(i);
    measure('week, 20 users, store query, all synced', (i) => (weekRows += weekQuery(i).length));
    measure('week, 20 users, actions.list channel', (i) => core.invokeSync(adm, 'actions.list', { userIds: twenty, ...weeks[i]! }), false);
    measure('contact search (admin, 20,000), store', (i) => searchContacts(db, admUser, queries[i]!, 50, 0));
    measure('contact search (admin, 20,000), channel', (i) => core.invokeSync(adm, 'contacts.search', { query: queries[i]!, limit: 50 }), false);
    measure('contact search (rep, own + shared), channel', (i) => core.invokeSync(rep, 'contacts.search', { query: queries[i]!, limit: 50 }), false);
    measure('contact list, no query, page 10 (rep)', () => searchContacts(db, repUser, '', 50, 450), false);

    console.log(`\nWeek query: ${(weekRows / iterations).toFixed(0)} actions per 20-user week on average.`);
    console.log(`Sync state: ${badges.links} links, ${badges.outbox} outbox rows, ${badges.pending} deletions to confirm, ${badges.errors} errors at the last runs.\n`);
    console.log(table(rows));
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Every one of these users connected to Google and synced, as after their first sync plus a
 * little life: links for every in-window action (not repeating ones), 1% of actions edited and
 * not pushed yet, a few deletions made in Google to confirm, a last run with errors.
 */
function connectEveryone(db: Db, userIds: number[], now: Date): { links: number; outbox: number; pending: number; errors: number } {
  const at = now.toISOString();
  return db.transaction(() => {
    const account = db.prepare("INSERT OR REPLACE INTO google_accounts (user_id, email, refresh_token_sealed, scopes, connected_at) VALUES (?, ?, x'00', '', ?)");
    for (const id of userIds) account.run(id, `user${id}@example.com`, at);
    let links = 0;
    const link = db.prepare(
      `INSERT INTO sync_links (user_id, kind, crm_id, google_id, etag, snapshot, synced_at)
       SELECT owner_id, 'event', id, 'crm' || id || 'g0', '"1"', '{}', ? FROM actions WHERE owner_id = ? AND series_id IS NULL AND end_ms > ? AND start_ms < ?`,
    );
    for (const [id, win] of syncWindowsFor(db, userIds, now)) links += link.run(at, id, win.fromMs, win.toMs).changes;
    const owners = JSON.stringify(userIds);
    const outbox = db
      .prepare(`INSERT INTO outbox (entity, entity_id, owner_id, op, changed_fields, created_at) SELECT 'action', id, owner_id, 'update', '["title"]', ? FROM actions WHERE id % 100 = 0 AND owner_id IN (SELECT value FROM json_each(?))`)
      .run(at, owners).changes;
    const pending = db
      .prepare(
        `INSERT INTO pending_deletions (user_id, action_id, google_id, detected_at) SELECT l.user_id, l.crm_id, l.google_id, ? FROM sync_links l WHERE l.crm_id % 211 = 0 AND l.user_id IN (SELECT value FROM json_each(?))`,
      )
      .run(at, owners).changes;
    let errors = 0;
    const run = db.prepare("INSERT INTO sync_runs (user_id, scope, trigger, started_at, finished_at, status, summary) VALUES (?, 'agenda', 'automatic', ?, ?, 'partial', ?)");
    const log = db.prepare("INSERT INTO sync_log (run_id, level, entity, crm_id, google_id, message, created_at) VALUES (?, 'error', 'action', ?, NULL, 'Google answered 400.', ?)");
    for (const id of userIds) {
      const failing = (db.prepare('SELECT crm_id FROM sync_links WHERE user_id = ? AND crm_id % 53 = 0 LIMIT 3').all(id) as { crm_id: number }[]).map((r) => r.crm_id);
      const runId = Number(run.run(id, at, at, JSON.stringify({ errors: failing.length })).lastInsertRowid);
      for (const crmId of failing) log.run(runId, crmId, at);
      errors += failing.length;
    }
    return { links, outbox, pending, errors };
  })();
}

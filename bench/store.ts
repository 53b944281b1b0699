/**
 * The store benchmark: the demo data scaled to 20 users, 100,000 actions and 20,000 contacts,
 * in a real SQLite file. Measures the multi-user week query (20 agendas side by side) and the
 * contact search in the store — the targets, p95 under 5 ms — and, for context, the same
 * through the full contract channel (input validation, rights, output validation).
 * Run with the flags of the app's core process (see package.json: a 64 MB young generation).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Faker, base, fr } from '@faker-js/faker';
import { Core } from '../electron/core/app';
import { listActionCards } from '../electron/core/actions/store';
import { searchContacts } from '../electron/core/contacts/store';
import { openDatabase } from '../electron/core/db/database';
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

    const core = new Core({ db, logger: createLogger(() => undefined) });
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
    measure('week, 20 users, store query', (i) => (weekRows += listActionCards(db, twenty, Date.parse(weeks[i]!.from), Date.parse(weeks[i]!.to)).length));
    measure('week, 20 users, actions.list channel', (i) => core.invokeSync(adm, 'actions.list', { userIds: twenty, ...weeks[i]! }), false);
    measure('contact search (admin, 20,000), store', (i) => searchContacts(db, admUser, queries[i]!, 50, 0));
    measure('contact search (admin, 20,000), channel', (i) => core.invokeSync(adm, 'contacts.search', { query: queries[i]!, limit: 50 }), false);
    measure('contact search (rep, own + shared), channel', (i) => core.invokeSync(rep, 'contacts.search', { query: queries[i]!, limit: 50 }), false);
    measure('contact list, no query, page 10 (rep)', () => searchContacts(db, repUser, '', 50, 450), false);

    console.log(`\nWeek query: ${(weekRows / iterations).toFixed(0)} actions per 20-user week on average.\n`);
    console.log(table(rows));
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

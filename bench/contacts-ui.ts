/**
 * `npm run bench -- contacts-ui`: the contact sync list at Google's limit, 25,000 contacts, in a
 * real browser (issue 6: "25,000 rows must scroll smoothly"). A demo CRM with 26,000 contacts;
 * ADM's list holds 25,000 of them; the browser host; Debian's Chromium (or Playwright's) at
 * 1920×1080. We measure:
 *   - open: Agenda → Préférences until the list's first rows are painted with their data;
 *   - scroll: a fling through the list, the scroll box moved every frame (about 1,000 rows a
 *     second, far faster than a wheel), for 4 s: frame intervals (p50, p95, max, frames over
 *     50 ms) and how many rows were still waiting for their page when each frame was drawn;
 *   - End: the key in the list until the last contact is painted;
 *   - Ctrl+A: all 25,000 selected (the ids read in pages of 200);
 *   - search: a name typed until the list shows only its matches;
 *   - the options in the DOM (virtualisation: a screenful, not 25,000).
 * Numbers only: it never fails on timing. Flags: --no-build (use dist/renderer as it is).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { Core } from '../electron/core/app';
import { openDatabase } from '../electron/core/db/database';
import { generateDemo } from '../electron/core/demo/generate';
import { createLogger } from '../electron/core/log';
import { PROJECT_ROOT, RENDERER_DIR } from '../electron/host/paths';
import { startHost } from '../electron/host/server';
import { summarize, table, time } from './stats';

const LIST = 25_000;
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const BOX = '[data-testid=cs-list-box]';

// Plain JavaScript sent as text: a TypeScript function passed to page.evaluate would carry the
// `__name(...)` helper calls tsx (esbuild's keepNames) adds, which do not exist in the page.
const PROBE = `
window.__benchUntil = (src, timeout) => new Promise((resolve, reject) => {
  const test = new Function('return (' + src + ');');
  const t0 = performance.now();
  const tick = () => {
    if (test()) { requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0)); return; }
    if (performance.now() - t0 > timeout) reject(new Error('timed out waiting for ' + src));
    else requestAnimationFrame(tick);
  };
  tick();
});
window.__benchFling = (selector, step, duration) => new Promise((resolve) => {
  const box = document.querySelector(selector);
  const frames = [];
  const blank = [];
  const t0 = performance.now();
  let last = t0;
  let dir = 1;
  const tick = (now) => {
    frames.push(now - last);
    last = now;
    blank.push(box.querySelectorAll('[role=option][aria-busy=true]').length);
    if (box.scrollTop + box.clientHeight >= box.scrollHeight - 1) dir = -1;
    else if (box.scrollTop <= 0) dir = 1;
    box.scrollTop += dir * step;
    if (now - t0 < duration) requestAnimationFrame(tick);
    else resolve({ frames: frames.slice(1), blank, rows: box.querySelectorAll('[role=option]').length });
  };
  requestAnimationFrame(tick);
});
`;

/** Milliseconds from now until `predicate` (run in the page every frame) holds, then one more frame painted. */
function until(page: Page, predicate: string, timeoutMs = 30_000): Promise<number> {
  return page.evaluate(`window.__benchUntil(${JSON.stringify(predicate)}, ${timeoutMs})`) as Promise<number>;
}

/** Moves the list's scroll box every frame for `ms`; returns frame intervals and the rows shown without data. */
function fling(page: Page, pxPerFrame: number, ms: number): Promise<{ frames: number[]; blank: number[]; rows: number }> {
  return page.evaluate(`window.__benchFling(${JSON.stringify(BOX)}, ${pxPerFrame}, ${ms})`) as Promise<{ frames: number[]; blank: number[]; rows: number }>;
}

export async function run(args: string[]): Promise<void> {
  if (!args.includes('--no-build')) {
    const build = spawnSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('The renderer build failed.');
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-bench-contacts-ui-'));
  let browser: Browser | null = null;
  let close: (() => Promise<void>) | null = null;
  try {
    const db = openDatabase(path.join(dir, 'bench.sqlite'));
    const [summary, genMs] = time(() => generateDemo(db, { now: new Date(), reps: 6, managers: 2, companies: 3000, contacts: LIST + 1000, actions: 2000, syncListSize: 20 }));
    const adm = (db.prepare("SELECT id FROM users WHERE login = 'ADM'").get() as { id: number }).id;
    db.prepare('INSERT INTO contact_sync_list (user_id, contact_id, added_at) SELECT ?, id, ? FROM contacts ORDER BY id LIMIT ?').run(adm, new Date().toISOString(), LIST);
    db.pragma('optimize');
    console.log(`Generated ${summary.contacts} contacts in ${(genMs / 1000).toFixed(1)} s; ADM's sync list holds ${LIST.toLocaleString('en')} of them.`);
    const core = new Core({ db, logger: createLogger(() => undefined) });
    const host = await startHost({ core, staticDir: RENDERER_DIR, demo: true });
    close = () => host.close();

    const executablePath = existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined;
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(host.launchUrl);
    await page.evaluate(PROBE);
    await page.getByTestId('login-name').fill('ADM');
    await page.getByTestId('login-password').fill('demo');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor();

    const firstRowReady = `document.querySelector('${BOX} [role=option][data-id]') !== null`;
    const opens: number[] = [];
    for (let i = 0; i < 6; i++) {
      await page.getByTestId('nav-agenda').click();
      await page.getByTestId('week-grid').waitFor();
      await page.evaluate(() => new Promise((r) => setTimeout(r, 200)));
      const [, ms] = await Promise.all([page.getByTestId('nav-prefs').click(), until(page, firstRowReady)]);
      opens.push(ms);
    }
    await page.locator(BOX).scrollIntoViewIfNeeded();
    const total = await page.locator(BOX).getAttribute('data-total');

    // Warm-up fling (JIT, first pages), not counted. Then a brisk wheel (about 200 rows a
    // second) and a fling (about 1,000 rows a second).
    await fling(page, 400, 1000);
    const flings = [];
    for (const step of [130, 650]) flings.push({ step, ...(await fling(page, step, 4000)) });
    const f = flings[1]!;

    await page.locator(BOX).focus();
    await page.keyboard.press('Home');
    await until(page, `document.querySelector('${BOX}').scrollTop === 0`);
    const [, endMs] = await Promise.all([page.keyboard.press('End'), until(page, `document.querySelector('${BOX} [role=option][aria-posinset="${LIST}"][data-id]') !== null`)]);

    const [, allMs] = await Promise.all([page.keyboard.press('Control+a'), until(page, `document.querySelectorAll('${BOX} [role=option][aria-selected=true]').length > 0 && /25\\s?000/.test(document.querySelector('[data-testid=cs-list-selected]').textContent)`)]);
    await page.keyboard.press('Escape');

    const someName = (db.prepare('SELECT c.last_name AS n FROM contact_sync_list l JOIN contacts c ON c.id = l.contact_id WHERE l.user_id = ? ORDER BY l.contact_id DESC LIMIT 1').get(adm) as { n: string }).n;
    const matches = (db.prepare("SELECT count(*) AS n FROM contact_sync_list l JOIN contacts c ON c.id = l.contact_id WHERE l.user_id = ? AND c.id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)").get(adm, `"${someName}"*`) as { n: number }).n;
    const [, searchMs] = await Promise.all([
      page.getByTestId('cs-list-search').fill(someName),
      until(page, `document.querySelector('${BOX}').getAttribute('data-total') === '${matches}' && document.querySelector('${BOX} [role=option][data-id]') !== null`),
    ]);
    const domRows = await page.locator(`${BOX} [role=option]`).count();

    console.log(`List total shown: ${total}; options in the DOM: ${f.rows} while scrolling, ${domRows} after the search.\n`);
    const o = summarize(opens);
    console.log(
      table([
        { measure: 'open Préférences → first rows painted (ms)', n: o.n, p50: o.p50, p95: o.p95, max: o.max },
        ...flings.map((x) => {
          const fr = summarize(x.frames);
          return { measure: `scroll ${Math.round((x.step * 60) / 40)} rows/s, frame interval (ms)`, n: fr.n, p50: fr.p50, p95: fr.p95, max: fr.max };
        }),
        { measure: 'End → last contact painted (ms)', n: 1, p50: endMs, p95: endMs, max: endMs },
        { measure: 'Ctrl+A → 25,000 selected (ms)', n: 1, p50: allMs, p95: allMs, max: allMs },
        { measure: `search « ${someName} » → ${matches} rows (ms, incl. 200 ms debounce)`, n: 1, p50: searchMs, p95: searchMs, max: searchMs },
      ]),
    );
    console.log('');
    for (const x of flings) {
      const blankFrames = x.blank.filter((n) => n > 0).length;
      console.log(
        `Scroll at ${x.step} px a frame (${Math.round((x.step * 60) / 40)} rows/s at 60 fps): ${x.frames.length} frames in 4 s; over 50 ms: ${x.frames.filter((v) => v > 50).length}; drawn with rows still loading: ${blankFrames} (${((100 * blankFrames) / x.blank.length).toFixed(1)} %), at most ${Math.max(...x.blank)} rows.`,
      );
    }
  } finally {
    await browser?.close();
    await close?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

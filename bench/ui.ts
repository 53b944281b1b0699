/**
 * `npm run bench -- ui`: the multi-user agenda in a real browser (issue 7). The demo data scaled
 * to 20 users and 100,000 actions (as `bench -- store`), generated around today so the week the
 * app opens on is full; the browser host on it; Debian's Chromium (or Playwright's) at 1920×1080.
 * ADM shows all 20 agendas side by side (one column per user and day, 140 in all; the grid
 * scrolls sideways and only the columns in view are in the DOM), then we measure, from the click
 * to the first frame painted with the new week's blocks:
 *   - show the multi-user week: Contacts → Agenda (the view, kept hidden since it was last open,
 *     shows again and refreshes the week — what a user gets);
 *   - move to the next week (and back to the previous one);
 *   - the first week after signing in (users, types and the week loaded).
 * "Painted": the grid is visible, says it shows that week (`data-from`) and every block in the DOM
 * is one of the week's actions (the ids `actions.list` returns for it), then the next animation
 * frame has run and a task queued from it has started — the frame is on screen. Each sample is
 * split into request (click → response start: the host runs the query), download, renderer
 * (response end → DOM complete: JSON, store, React) and paint (DOM complete → painted). A short
 * traced pass then says where the renderer's time goes (scripting, style, layout, paint), for a
 * next-week move and for showing the week. Numbers only: it never fails on timing.
 *
 * Flags: --repeat=N (samples per measure, default 40), --no-build (use dist/renderer as it is),
 * --renderer=DIR (serve another build as it is, e.g. one of an earlier commit, to compare before and
 * after in the same conditions), --profile / --no-profile (the CPU profile by function; by default
 * only when over the target), --trace-names (the traced next-week time also by trace event name), --traced=N (moves traced, default 6), --tail (the slowest next-week moves).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { TZDate, tz } from '@date-fns/tz';
import { addDays, startOfWeek } from 'date-fns';
import { Core } from '../electron/core/app';
import { openDatabase } from '../electron/core/db/database';
import { generateDemo } from '../electron/core/demo/generate';
import { createLogger } from '../electron/core/log';
import { PROJECT_ROOT, RENDERER_DIR } from '../electron/host/paths';
import { startHost } from '../electron/host/server';
import { summarize, table, time } from './stats';

const TARGET_MS = 200;
const ZONE = 'Europe/Paris';
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

interface Sample {
  total: number;
  request: number;
  download: number;
  renderer: number;
  paint: number;
  blocks: number;
  bytes: number;
  /** Diagnostics (--tail): click → DOM complete, and the actions.list replies that ended during the move (any request). */
  dom?: number;
  replies?: number;
}

/** The page-side probe: clicks, watches the DOM for exactly `ids`, waits for the painted frame. */
declare global {
  interface Window {
    __benchClick?: (selector: string, ids: number[], from: string, timeoutMs: number) => Promise<{ t0: number; tDom: number; tPaint: number; response: { start: number; end: number; bytes: number } | null; blocks: number } | { error: string }>;
  }
}

// Plain JavaScript sent as text: a TypeScript function passed to page.evaluate would carry the
// `__name(...)` helper calls tsx (esbuild's keepNames) adds, which do not exist in the page.
const PROBE = `
window.__benchClick = (selector, ids, from, timeoutMs) => new Promise((resolve) => {
  const expected = new Set(ids.map(String));
  const el = document.querySelector(selector);
  if (!el) return resolve({ error: 'nothing matches ' + selector });
  // The number of blocks once the grid shows the period loaded (data-from) and every block in the
  // DOM is one of its actions, else -1. Only the columns in view are in the DOM (virtualised).
  const shown = () => {
    const grid = document.querySelector('[data-testid=week-grid]');
    if (!grid || grid.dataset.from !== from) return -1;
    const blocks = grid.querySelectorAll('[data-testid=action-block]');
    if (expected.size > 0 && blocks.length === 0) return -1;
    for (let i = 0; i < blocks.length; i++) {
      if (!expected.has(blocks[i].getAttribute('data-action-id') || '')) return -1;
    }
    // On screen, not a grid kept hidden while another screen was shown (React's Activity hides
    // it with display: none in an ancestor's own style; read there, not computed, so the probe
    // forces no style or layout of its own).
    for (let e = grid; e; e = e.parentElement) if (e.style.display === 'none' || e.hidden) return -1;
    return blocks.length;
  };
  performance.clearResourceTimings();
  let done = false;
  let t0 = 0;
  const finish = (tDom, blocks) => {
    done = true;
    observer.disconnect();
    clearTimeout(timer);
    // rAF runs just before the frame is drawn; a task queued from it starts once it is drawn.
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const tPaint = performance.now();
        // The reply to a request the click sent (not one fetched ahead of it, in the background).
        const entry = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/api/call/actions.list') && e.startTime >= t0).pop();
        resolve({ t0, tDom, tPaint, blocks, response: entry ? { start: entry.responseStart, end: entry.responseEnd, bytes: entry.encodedBodySize } : null });
      };
      channel.port2.postMessage(null);
    });
  };
  const observer = new MutationObserver(() => {
    if (done) return;
    const n = shown();
    if (n >= 0) finish(performance.now(), n);
  });
  // style: a hidden view shown again changes only its style attribute.
  observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['style'] });
  const timer = setTimeout(() => {
    if (done) return;
    done = true;
    observer.disconnect();
    const found = document.querySelectorAll('[data-testid=week-grid] [data-testid=action-block]').length;
    resolve({ error: "the week's " + expected.size + ' actions were not shown within ' + timeoutMs + ' ms (' + found + ' blocks in the DOM)' });
  }, timeoutMs);
  t0 = performance.now();
  el.click();
});
`;

function weekOf(start: TZDate) {
  return { from: new Date(+start).toISOString(), to: new Date(+addDays(start, 7)).toISOString() };
}

async function measureClick(page: Page, selector: string, week: { ids: number[]; from: string }): Promise<Sample> {
  const r = await page.evaluate(([sel, list, from]) => window.__benchClick!(sel, list, from, 30_000), [selector, week.ids, week.from] as const);
  if ('error' in r) throw new Error(r.error);
  // The reply counts only if it came before the DOM was complete (else the week was drawn from
  // what the store already held, and the reload's reply changed nothing visible).
  const res = r.response && r.response.end <= r.tDom ? r.response : null;
  // Read after the probe, from the buffer it cleared at the click: not part of the measure.
  const replies = await page.evaluate(([t0, t1]) => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/api/call/actions.list') && (e as PerformanceResourceTiming).responseEnd >= t0 && (e as PerformanceResourceTiming).responseEnd <= t1).length, [r.t0, r.tPaint] as const);
  return {
    dom: r.tDom - r.t0,
    replies,
    total: r.tPaint - r.t0,
    request: res ? res.start - r.t0 : NaN,
    download: res ? res.end - res.start : NaN,
    renderer: res ? r.tDom - res.end : NaN,
    paint: r.tPaint - r.tDom,
    blocks: r.blocks,
    bytes: res?.bytes ?? NaN,
  };
}

function row(label: string, samples: Sample[], targeted: boolean): Record<string, string | number> {
  const s = summarize(samples.map((x) => x.total));
  // A phase with no reply before the paint (the view drew the week it already held) shows as —.
  const med = (k: 'request' | 'download' | 'renderer' | 'paint'): number | string => {
    const p50 = summarize(samples.map((x) => x[k]).filter((v) => !Number.isNaN(v))).p50;
    return Number.isNaN(p50) ? '—' : p50;
  };
  return {
    measure: label,
    runs: String(s.n),
    'p50 ms': s.p50,
    'p95 ms': s.p95,
    'max ms': s.max,
    'request p50': med('request'),
    'download p50': med('download'),
    'renderer p50': med('renderer'),
    'paint p50': med('paint'),
    target: targeted ? `p95 < ${TARGET_MS} ms` : '(context)',
    verdict: targeted ? (s.p95 < TARGET_MS ? 'met' : 'MISSED') : '',
  };
}

/** Renderer main-thread time by kind, from a devtools timeline trace of `fn`. */
async function traced(browser: Browser, page: Page, fn: () => Promise<void>, byName?: Record<string, number>): Promise<Record<string, number>> {
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  await fn();
  const buffer = await browser.stopTracing();
  const trace = JSON.parse(buffer.toString('utf8')) as { traceEvents: Array<{ name: string; ph: string; dur?: number; pid: number; tid: number; args?: { data?: { frame?: string } } }> };
  const kinds: Record<string, string> = {
    FunctionCall: 'scripting',
    EvaluateScript: 'scripting',
    EventDispatch: 'scripting',
    TimerFire: 'scripting',
    FireAnimationFrame: 'scripting',
    RunMicrotasks: 'scripting',
    'v8.run': 'scripting',
    ParseHTML: 'parse',
    UpdateLayoutTree: 'style',
    RecalculateStyles: 'style',
    Layout: 'layout',
    PrePaint: 'paint',
    Paint: 'paint',
    Layerize: 'paint',
    UpdateLayer: 'paint',
    UpdateLayerTree: 'paint',
    Commit: 'paint',
    MinorGC: 'gc',
    MajorGC: 'gc',
    'V8.GC_SCAVENGER': 'gc',
  };
  // The renderer's main thread: where the page's own events (ParseHTML, Layout) run most.
  const counts = new Map<string, number>();
  for (const e of trace.traceEvents) if (e.name === 'Layout' || e.name === 'UpdateLayoutTree') counts.set(`${e.pid}:${e.tid}`, (counts.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
  const main = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const out: Record<string, number> = {};
  // Complete events nest (FunctionCall inside EventDispatch…): count each kind's outermost only.
  const events = trace.traceEvents.filter((e) => e.ph === 'X' && `${e.pid}:${e.tid}` === main && kinds[e.name]) as Array<{ name: string; ts?: number; dur?: number; tdur?: number }>;
  events.sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0));
  const openUntil: Record<string, number> = {};
  for (const e of events) {
    const kind = kinds[e.name]!;
    const ts = e.ts ?? 0;
    const dur = e.dur ?? 0;
    if (ts < (openUntil[kind] ?? -1)) continue;
    openUntil[kind] = ts + dur;
    out[kind] = (out[kind] ?? 0) + dur / 1000;
    // Diagnostics (--trace-names): the same outermost time by event name, to tell paint's parts apart.
    // Thread time (tdur) too: the CPU the event used, not inflated when another process takes the core.
    if (byName) {
      byName[e.name] = (byName[e.name] ?? 0) + dur / 1000;
      byName[`${e.name} (cpu)`] = (byName[`${e.name} (cpu)`] ?? 0) + (e.tdur ?? dur) / 1000;
    }
  }
  return out;
}

/**
 * Self time by function over `fn`, from the V8 CPU profiler (CDP), on a page served from an
 * unminified build so the names mean something.
 */
async function profiled(page: Page, fn: () => Promise<void>): Promise<Array<{ fn: string; ms: number }>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await fn();
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.detach();
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const deltas = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, i) => {
    const node = nodes.get(id);
    if (!node) return;
    const f = node.callFrame;
    const where = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'}${where ? ` (${where})` : ''}`;
    self.set(key, (self.get(key) ?? 0) + (deltas[i] ?? 0) / 1000);
  });
  return [...self.entries()].map(([name, ms]) => ({ fn: name, ms })).sort((a, b) => b.ms - a.ms);
}

export async function run(args: string[]): Promise<void> {
  const repeat = Number(args.find((a) => a.startsWith('--repeat='))?.split('=')[1] ?? 40);
  const profile = args.includes('--profile') ? true : args.includes('--no-profile') ? false : null;
  const rendererArg = args.find((a) => a.startsWith('--renderer='))?.split('=')[1];
  const staticDir = rendererArg ? path.resolve(rendererArg) : RENDERER_DIR;
  if (rendererArg && !existsSync(path.join(staticDir, 'index.html'))) throw new Error(`--renderer: no index.html in ${staticDir}`);
  if (!rendererArg && !args.includes('--no-build')) {
    // Measure the renderer as it is in the tree now, not a stale build.
    const build = spawnSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('The renderer build failed.');
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-bench-ui-'));
  let browser: Browser | null = null;
  let close: (() => Promise<void>) | null = null;
  try {
    const db = openDatabase(path.join(dir, 'bench.sqlite'));
    const [summary, genMs] = time(() => generateDemo(db, { now: new Date(), reps: 16, managers: 3, companies: 4000, contacts: 20_000, actions: 100_000, syncListSize: 50 }));
    db.pragma('optimize');
    console.log(`Generated ${summary.users.length} users, ${summary.contacts} contacts, ${summary.actions} actions around today in ${(genMs / 1000).toFixed(1)} s.`);
    const core = new Core({ db, logger: createLogger(() => undefined) });
    const host = await startHost({ core, staticDir, demo: true });
    if (rendererArg) console.log(`Renderer served from ${staticDir}.`);
    close = () => host.close();

    // What the app will show, from the core as ADM: the 20 agendas and each week's action ids.
    const adm = core.newConnection();
    core.impersonate(adm, 'ADM');
    const users = core.invokeSync(adm, 'users.list', {});
    const admId = users.find((u) => u.isSelf)!.id;
    const userIds = users.map((u) => u.id);
    const monday = startOfWeek(new TZDate(Date.now(), ZONE), { weekStartsOn: 1, in: tz(ZONE) });
    const idsCache = new Map<number, { ids: number[]; from: string }>();
    const idsOfWeek = (offset: number) => {
      let week = idsCache.get(offset);
      if (!week) {
        const range = weekOf(addDays(monday, offset * 7));
        week = { ids: core.invokeSync(adm, 'actions.list', { userIds, ...range }).map((a) => a.id), from: range.from };
        idsCache.set(offset, week);
      }
      return week;
    };

    const executablePath = existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined;
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'fr-FR', timezoneId: ZONE });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(host.launchUrl);
    // All 20 agendas picked, as ADM would have left them (the picker remembers per user).
    await page.evaluate(([key, ids]) => localStorage.setItem(key, JSON.stringify(ids)), [`crm.agenda.users.${admId}`, userIds] as const);
    await page.evaluate(PROBE);

    const signIn = async (): Promise<Sample> => {
      await page.getByTestId('login-name').fill('ADM');
      await page.getByTestId('login-password').fill('demo');
      return measureClick(page, '[data-testid=login-submit]', idsOfWeek(0));
    };
    const signOut = async () => {
      await page.getByTestId('logout').click();
      await page.getByTestId('login-form').waitFor();
    };

    const firstWeek: Sample[] = [];
    firstWeek.push(await signIn());
    const heads = await page.locator('.day-head .user-head').count();
    const gridWidth = await page.getByTestId('week-grid').evaluate((el) => ({ client: el.clientWidth, scroll: el.scrollWidth }));
    console.log(`Agendas side by side: ${userIds.length} (grid ${gridWidth.scroll} px wide in a ${gridWidth.client} px view: it scrolls sideways; ${heads} user columns of ${userIds.length * 7} in the DOM, the rest virtualised).`);
    const weekSizes = [0, 1, 2, 3].map((o) => idsOfWeek(o).ids.length);
    console.log(`Actions per 20-user week around today: ${weekSizes.join(', ')}.`);

    // Warm-up (JIT, caches), not counted.
    for (let i = 0; i < 3; i++) {
      await measureClick(page, '[data-testid=week-next]', idsOfWeek(i + 1));
    }
    for (let i = 3; i > 0; i--) await measureClick(page, '[data-testid=week-prev]', idsOfWeek(i - 1));

    const next: Sample[] = [];
    const prev: Sample[] = [];
    const show: Sample[] = [];
    const SPAN = 8;
    while (next.length < repeat) {
      for (let i = 0; i < SPAN && next.length < repeat; i++) next.push(await measureClick(page, '[data-testid=week-next]', idsOfWeek(i + 1)));
      const at = next.length % SPAN === 0 ? SPAN : next.length % SPAN;
      for (let i = at; i > 0; i--) prev.push(await measureClick(page, '[data-testid=week-prev]', idsOfWeek(i - 1)));
    }
    for (let i = 0; i < Math.max(10, Math.round(repeat / 2)); i++) {
      await page.getByTestId('nav-contacts').click();
      await page.getByTestId('contacts-table').waitFor();
      show.push(await measureClick(page, '[data-testid=nav-agenda]', idsOfWeek(0)));
    }
    for (let i = 0; i < 4; i++) {
      await signOut();
      firstWeek.push(await signIn());
    }

    const blocks = summarize(next.map((s) => s.blocks)).p50;
    const fetched = next.filter((s) => !Number.isNaN(s.request));
    const kb = summarize(fetched.map((s) => s.bytes)).p50 / 1024;
    const dom = await page.getByTestId('week-grid').evaluate((grid) => ({
      timed: grid.querySelectorAll('.week-body [data-testid=action-block]').length,
      allDay: grid.querySelectorAll('.all-day-row [data-testid=action-block]').length,
      busy: grid.querySelectorAll('.week-body .busy').length,
      badges: grid.querySelectorAll('.week-body .sync-badge').length,
      columns: grid.querySelectorAll('.week-body .user-col').length,
      elements: grid.querySelectorAll('*').length,
    }));
    console.log(`Blocks in the DOM per week: ${blocks.toFixed(0)} (median); now ${dom.timed} timed blocks and ${dom.allDay} all-day chips in ${dom.columns} columns (${dom.busy} busy blocks, ${dom.badges} sync badges), ${dom.elements} elements in the grid.`);
    console.log(`Next-week moves that waited for actions.list: ${fetched.length} of ${next.length}${fetched.length > 0 ? ` (reply ${kb.toFixed(0)} KiB)` : ''}; the others found the week fetched ahead.\n`);
    console.log('Phases (p50): request = click → first byte of actions.list (the host runs the query); renderer = reply → DOM complete');
    console.log('(JSON, store, React render and commit); paint = DOM complete → frame painted (style, layout, paint). The agenda fetches');
    console.log('the periods before and after the one shown in the background, and shows again at once what it holds: a move');
    console.log('to a period fetched ahead, or Contacts → Agenda, has no request phase (—).\n');
    console.log(
      table([
        row('show the 20-user week (Contacts → Agenda)', show, true),
        row('next week, 20 users', next, true),
        row('previous week, 20 users', prev, false),
        row('first week after signing in', firstWeek, false),
      ]),
    );

    if (args.includes('--tail')) {
      // Diagnostics: the slowest next-week moves, and whether a reply (fetched ahead or a reload) was handled during them.
      const worst = [...next].sort((a, b) => b.total - a.total).slice(0, 6);
      console.log('\nSlowest next-week moves (--tail):');
      console.log(table(worst.map((x) => ({ 'total ms': x.total, 'click → DOM ms': x.dom ?? NaN, 'DOM → painted ms': x.paint, 'replies during': x.replies ?? 0 }))));
      const withReply = next.filter((x) => (x.replies ?? 0) > 0);
      const p = (xs: Sample[]) => summarize(xs.map((x) => x.total));
      console.log(`Moves with a reply during them: ${withReply.length} of ${next.length} (p50 ${p(withReply).p50.toFixed(0)} ms); without: p50 ${p(next.filter((x) => !x.replies)).p50.toFixed(0)} ms.`);
    }

    // Where the renderer's main thread spends a next-week move (traced: slower than above).
    // --traced=N (diagnostics): more traced moves, for steadier figures.
    const TRACED = Number(args.find((a) => a.startsWith('--traced='))?.split('=')[1] ?? 6);
    const names: Record<string, number> | undefined = args.includes('--trace-names') ? {} : undefined;
    const parts = await traced(
      browser,
      page,
      async () => {
        for (let i = 0; i < TRACED; i++) await measureClick(page, '[data-testid=week-next]', idsOfWeek(i + 1));
      },
      names,
    );
    const totalTraced = Object.values(parts).reduce((a, b) => a + b, 0);
    console.log(`\nRenderer main thread per next-week move (traced, ${TRACED} moves; the tracing itself slows it down):`);
    console.log(
      table(
        Object.entries(parts)
          .sort((a, b) => b[1] - a[1])
          .map(([kind, ms]) => ({ kind, 'ms per move': ms / TRACED, share: `${((100 * ms) / totalTraced).toFixed(0)} %` })),
      ),
    );

    if (names) {
      console.log('\nBy event name (outermost of each kind, ms per move; cpu: thread time):');
      const cpu = Object.fromEntries(Object.entries(names).filter(([n]) => n.endsWith(' (cpu)')).map(([n, ms]) => [n.slice(0, -6), ms]));
      const rows = Object.entries(names).filter(([n]) => !n.endsWith(' (cpu)'));
      console.log(table(rows.sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ event: name, 'ms per move': ms / TRACED, 'cpu ms per move': (cpu[name] ?? NaN) / TRACED }))));
      const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0) / TRACED;
      console.log(`All: ${sum(Object.fromEntries(rows)).toFixed(1)} ms per move, cpu ${sum(cpu).toFixed(1)} ms.`);
    }

    // The same for showing the week (Contacts → Agenda: the week the moves above ended on), each
    // click traced on its own so the Contacts screen opening in between is not counted.
    const showParts: Record<string, number> = {};
    for (let i = 0; i < TRACED; i++) {
      await page.getByTestId('nav-contacts').click();
      await page.getByTestId('contacts-table').waitFor();
      const one = await traced(browser, page, async () => {
        await measureClick(page, '[data-testid=nav-agenda]', idsOfWeek(TRACED));
      });
      for (const [kind, ms] of Object.entries(one)) showParts[kind] = (showParts[kind] ?? 0) + ms;
    }
    const totalShow = Object.values(showParts).reduce((a, b) => a + b, 0);
    console.log(`\nRenderer main thread per Contacts → Agenda (traced, ${TRACED} times):`);
    console.log(
      table(
        Object.entries(showParts)
          .sort((a, b) => b[1] - a[1])
          .map(([kind, ms]) => ({ kind, 'ms per show': ms / TRACED, share: `${((100 * ms) / totalShow).toFixed(0)} %` })),
      ),
    );

    // Over the target (or --profile): which functions the time goes to, on an unminified build.
    const over = summarize(next.map((x) => x.total)).p95 >= TARGET_MS || summarize(show.map((x) => x.total)).p95 >= TARGET_MS;
    if (profile ?? over) {
      const plainDir = path.join(dir, 'renderer-unminified');
      const build = spawnSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error', '--minify', 'false', '--outDir', plainDir], { cwd: PROJECT_ROOT, stdio: 'inherit' });
      if (build.status !== 0) throw new Error('The unminified renderer build failed.');
      const plainHost = await startHost({ core, staticDir: plainDir, demo: true });
      const previousClose = close;
      close = async () => {
        await plainHost.close();
        await previousClose();
      };
      const plain = await context.newPage();
      await plain.goto(plainHost.launchUrl);
      await plain.evaluate(([key, ids]) => localStorage.setItem(key, JSON.stringify(ids)), [`crm.agenda.users.${admId}`, userIds] as const);
      await plain.evaluate(PROBE);
      await plain.getByTestId('login-name').fill('ADM');
      await plain.getByTestId('login-password').fill('demo');
      await measureClick(plain, '[data-testid=login-submit]', idsOfWeek(0));
      for (let i = 0; i < 2; i++) await measureClick(plain, '[data-testid=week-next]', idsOfWeek(i + 1));
      for (let i = 2; i > 0; i--) await measureClick(plain, '[data-testid=week-prev]', idsOfWeek(i - 1));
      const MOVES = 8;
      const top = await profiled(plain, async () => {
        for (let i = 0; i < MOVES; i++) await measureClick(plain, '[data-testid=week-next]', idsOfWeek(i + 1));
      });
      const all = top.reduce((a, b) => a + b.ms, 0);
      console.log(`\nCPU profile of ${MOVES} next-week moves (unminified build; self time per function, top 20 of ${(all / MOVES).toFixed(0)} ms per move):`);
      console.log(table(top.slice(0, 20).map((t) => ({ function: t.fn, 'ms per move': t.ms / MOVES, share: `${((100 * t.ms) / all).toFixed(1)} %` }))));
      // Contacts → Agenda (the week the moves above ended on), each click profiled on its own (not
      // the Contacts screen opening).
      const byFn = new Map<string, number>();
      for (let i = 0; i < MOVES; i++) {
        await plain.getByTestId('nav-contacts').click();
        await plain.getByTestId('contacts-table').waitFor();
        const one = await profiled(plain, async () => {
          await measureClick(plain, '[data-testid=nav-agenda]', idsOfWeek(MOVES));
        });
        for (const t of one) byFn.set(t.fn, (byFn.get(t.fn) ?? 0) + t.ms);
      }
      const showTop = [...byFn.entries()].map(([fn, ms]) => ({ fn, ms })).sort((a, b) => b.ms - a.ms);
      const allShow = showTop.reduce((a, b) => a + b.ms, 0);
      console.log(`\nCPU profile of ${MOVES} Contacts → Agenda (unminified build; self time per function, top 20 of ${(allShow / MOVES).toFixed(0)} ms per show):`);
      console.log(table(showTop.slice(0, 20).map((t) => ({ function: t.fn, 'ms per show': t.ms / MOVES, share: `${((100 * t.ms) / allShow).toFixed(1)} %` }))));
    }
    await context.close();
  } finally {
    await browser?.close();
    await close?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

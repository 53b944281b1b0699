/**
 * The multi-user agenda (issue 7) in the browser host against the Google emulator: a manager
 * shows three colleagues beside their own agenda, moves a colleague's action by dragging it with
 * the mouse (another day, another hour) and finds the new period in that colleague's Google
 * calendar (automatic sync on), resizes one by its bottom edge, is refused a drop into another
 * user's column, cancels a drag with Escape, creates an action by double-clicking an empty slot,
 * moves and resizes from the keyboard, walks the day, week and month views (« +N » opens the
 * day), moves actions to another day of the month by drag and by Alt+arrows, and moves the week's
 * all-day chips to another day (drag, Alt+→; still all day, span kept; Escape, another user and
 * an « Occupé » chip refused), and draws an all-day action over several days as one bar (one piece
 * per day, one focusable, with several agendas; rows that never overlap; Alt+↑ says it moves by
 * day). Screenshots of each view at 1280×720 and 1920×1080 go to
 * e2e/artifacts/screens/views-*.png.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import { TZDate } from '@date-fns/tz';
import type { Action } from '../shared/contract';
import type { AutomaticSync } from '../electron/core/sync/agenda/scheduler';
import { connectWithoutConsent, expect, firstTypeId, googleCalendar, login, startGoogleHost, test as base, useEmulatorClient, type GoogleHostFixture } from './google-fixtures';

const SCREENS = fileURLToPath(new URL('./artifacts/screens/', import.meta.url));
mkdirSync(SCREENS, { recursive: true });

const test = base.extend<object, { viewsHost: GoogleHostFixture }>({
  viewsHost: [
    async ({}, use) => {
      const h = await startGoogleHost({ startupSync: false });
      await use(h.fixture);
      await h.close();
    },
    { scope: 'worker' },
  ],
});

test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1280, height: 720 } });

const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENS}views-${name}.png` });

interface Setup {
  manager: string;
  managerId: number;
  /** The three reps, the first connected to Google. */
  reps: Array<{ login: string; id: number; email: string }>;
  auto: AutomaticSync;
  adm: string;
}

let setup: Setup;

test.beforeAll(async ({ viewsHost: host }) => {
  await useEmulatorClient(host);
  const manager = (host.db.prepare("SELECT u.login FROM users u JOIN user_rights r ON r.holder_id = u.id GROUP BY u.id ORDER BY count(*) DESC LIMIT 1").get() as { login: string }).login;
  const managerId = host.userId(manager);
  const reps = host.reps.slice(0, 3).map((r) => ({ login: r.login, id: host.userId(r.login), email: r.googleEmail }));
  expect(reps).toHaveLength(3);
  // The manager holds Agenda on all three (the demo shares the reps out between two managers).
  for (const r of reps) host.db.prepare('INSERT INTO user_rights (holder_id, target_id, visible, agenda) VALUES (?, ?, 0, 1) ON CONFLICT (holder_id, target_id) DO UPDATE SET agenda = 1').run(managerId, r.id);
  await connectWithoutConsent(host, reps[0]!.login);
  const adm = host.core.newConnection();
  host.core.impersonate(adm, 'ADM');
  setup = { manager, managerId, reps, auto: host.core.startAutomaticSync({ delayMs: 200, retryMs: 2000 }), adm };
});

test.afterAll(() => setup?.auto.stop());

/** The middle of what `l` shows, scrolled into view first: where a drag takes it or drops it. */
async function centre(l: Locator): Promise<{ x: number; y: number }> {
  await l.scrollIntoViewIfNeeded();
  const b = (await l.boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

const actionOf = (host: GoogleHostFixture, id: number): Action => host.core.invokeSync(setup.adm, 'actions.get', { id });

/** Shows the manager and the three reps, in the week view. */
async function openTeamWeek(page: Page, host: GoogleHostFixture) {
  await login(page, host, setup.manager);
  await page.getByTestId('nav-agenda').click();
  for (const r of setup.reps) {
    const box = page.locator(`[data-testid=user-option][data-user-id="${r.id}"]`);
    if (!(await box.isChecked())) await box.check();
  }
  await page.getByTestId('view-week').click();
  await expect(page.getByTestId('view-week')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('.day-head').first().locator('.user-head')).toHaveCount(4);
  await expect(page.getByTestId('week-grid')).toHaveAttribute('data-loading', 'false');
}

/** A plain timed block of `ownerId` (editable, not a series, Monday–Saturday, 08:00–16:00), moving forward week by week. */
async function blockOf(page: Page, ownerId: number, except: number[] = []): Promise<Locator> {
  for (let i = 0; i < 8; i++) {
    await expect(page.getByTestId('week-grid')).toHaveAttribute('data-loading', 'false');
    const id = await page.evaluate(
      ([owner, skip]) => {
        const blocks = Array.from(document.querySelectorAll<HTMLElement>(`.week-body .user-col[data-user-id="${owner}"] [data-testid=action-block].editable`));
        const nUsers = document.querySelectorAll('.day-head')[0]?.querySelectorAll('.user-head').length || 1;
        const ok = blocks.find((b) => {
          const col = Number(b.closest<HTMLElement>('.user-col')!.dataset.col);
          const top = b.offsetTop;
          const hourH = parseFloat(getComputedStyle(b.closest('.week-scroll')!).getPropertyValue('--hour-h'));
          if (skip.includes(Number(b.dataset.actionId)) || col >= 6 * nUsers || top < 8 * hourH || top > 16 * hourH || b.offsetHeight < hourH * 0.9) return false;
          // Not under another block where the mouse grabs it (its top and its bottom edge).
          b.scrollIntoView({ block: 'center', inline: 'center' });
          const r = b.getBoundingClientRect();
          const hit = (y: number) => document.elementFromPoint(r.x + r.width / 2, y)?.closest('[data-testid=action-block]') === b;
          return hit(r.y + 8) && hit(r.bottom - 3);
        });
        return ok ? Number(ok.dataset.actionId) : null;
      },
      [ownerId, except] as const,
    );
    if (id !== null) return page.locator(`.week-body [data-testid=action-block][data-action-id="${id}"]`);
    await page.getByTestId('week-next').click();
  }
  throw new Error(`no movable action of user ${ownerId} found`);
}

async function hourHeight(page: Page): Promise<number> {
  return page.getByTestId('week-grid').evaluate((el) => parseFloat(getComputedStyle(el).getPropertyValue('--hour-h')));
}

const addMinutes = (iso: string, min: number) => new Date(Date.parse(iso) + min * 60_000).toISOString();

test('a manager moves a colleague’s action by drag; the colleague’s Google calendar has the new period', async ({ page, viewsHost: host }) => {
  const rep = setup.reps[0]!;
  await openTeamWeek(page, host);
  await shot(page, 'team-week-1280');
  const block = await blockOf(page, rep.id);
  await block.scrollIntoViewIfNeeded();
  const id = Number(await block.getAttribute('data-action-id'));
  const before = actionOf(host, id);
  if (before.period.allDay) throw new Error('expected a timed action');
  const h = await hourHeight(page);
  const dayW = await page.locator('.week-body .day-col').first().evaluate((el) => el.getBoundingClientRect().width);
  const box = (await block.boundingBox())!;

  // A real mouse drag: one day right, one hour down; the preview follows, snapped to 15 minutes.
  await page.mouse.move(box.x + box.width / 2, box.y + 8);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + dayW / 2, box.y + 8 + h / 2, { steps: 5 });
  await page.mouse.move(box.x + box.width / 2 + dayW, box.y + 8 + h, { steps: 5 });
  await expect(page.getByTestId('drag-ghost')).toBeVisible();
  await expect(page.getByTestId('drag-ghost')).not.toHaveClass(/refused/);
  await shot(page, 'drag-preview-1280');
  await page.mouse.up();
  await expect(page.getByTestId('drag-ghost')).toHaveCount(0);

  const expected = { start: addMinutes(before.period.start, 25 * 60), end: addMinutes(before.period.end, 25 * 60) };
  await expect.poll(() => actionOf(host, id).period).toEqual({ allDay: false, ...expected });
  // The detail panel did not open: a drag is not a click.
  await expect(page.getByTestId('action-detail')).toHaveCount(0);
  await expect(page.getByTestId('grid-status')).toContainText('Action déplacée');

  // Automatic sync pushes it to the owner's calendar.
  const { cal, calendarId } = await googleCalendar(host, rep.email);
  await expect
    .poll(
      async () => {
        const r = await cal.events.list({ calendarId, privateExtendedProperty: [`crmActionId=${id}`] });
        const e = r.data.items?.[0];
        return e ? { start: new Date(e.start?.dateTime ?? '').toISOString(), end: new Date(e.end?.dateTime ?? '').toISOString() } : null;
      },
      { timeout: 20_000 },
    )
    .toEqual(expected);
});

test('resize by the bottom edge, a drop on another user refused, Escape cancels', async ({ page, viewsHost: host }) => {
  const rep = setup.reps[1]!;
  await openTeamWeek(page, host);
  const h = await hourHeight(page);

  // Resize: the bottom edge down by half an hour.
  const block = await blockOf(page, rep.id);
  await block.scrollIntoViewIfNeeded();
  const id = Number(await block.getAttribute('data-action-id'));
  const before = actionOf(host, id);
  if (before.period.allDay) throw new Error('expected a timed action');
  let box = (await block.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height - 3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height - 3 + h / 2, { steps: 6 });
  await expect(page.getByTestId('drag-ghost')).toBeVisible();
  await page.mouse.up();
  await expect.poll(() => actionOf(host, id).period).toEqual({ allDay: false, start: before.period.start, end: addMinutes(before.period.end, 30) });
  await expect(page.getByTestId('grid-status')).toContainText('Durée changée');

  // Into the next user's column: refused, nothing changes.
  const other = await blockOf(page, rep.id, [id]);
  await other.scrollIntoViewIfNeeded();
  const otherId = Number(await other.getAttribute('data-action-id'));
  const otherBefore = actionOf(host, otherId).period;
  const colW = await page.locator('.week-body .user-col').first().evaluate((el) => el.getBoundingClientRect().width);
  box = (await other.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 8);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + colW, box.y + 8, { steps: 6 });
  await expect(page.getByTestId('drag-ghost')).toHaveClass(/refused/);
  await expect(page.getByTestId('drag-ghost')).toHaveText('Autre agenda : refusé');
  await shot(page, 'drag-refused-1280');
  await page.mouse.up();
  await expect(page.getByTestId('grid-status')).toHaveText('Une action ne peut pas être déplacée dans l’agenda d’un autre utilisateur.');
  expect(actionOf(host, otherId).period).toEqual(otherBefore);

  // Escape in the middle of a drag: nothing saved.
  box = (await other.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 8);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + 8 + h, { steps: 6 });
  await expect(page.getByTestId('drag-ghost')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('drag-ghost')).toHaveCount(0);
  await page.mouse.up();
  await expect(page.getByTestId('grid-status')).toHaveText('Déplacement annulé');
  expect(actionOf(host, otherId).period).toEqual(otherBefore);
  await expect(page.getByTestId('action-detail')).toHaveCount(0);
});

test('double-click on an empty slot creates an action for that column’s user', async ({ page, viewsHost: host }) => {
  const rep = setup.reps[2]!;
  await openTeamWeek(page, host);
  const h = await hourHeight(page);
  // 07:15 on the first day, in the rep's column (the day opens on 07:00; the demo books from 08:00).
  const col = page.locator(`.week-body .day-col`).first().locator(`.user-col[data-user-id="${rep.id}"]`);
  const cbox = (await col.boundingBox())!;
  const body = (await page.locator('.week-body .body-cols').boundingBox())!;
  const y = body.y + 7.25 * h + 2;
  expect(await page.evaluate(([x, yy]) => document.elementFromPoint(x, yy)?.closest('[data-testid=action-block]') ?? null, [cbox.x + cbox.width / 2, y] as const)).toBeNull();
  await page.mouse.dblclick(cbox.x + cbox.width / 2, y);
  const panel = page.getByTestId('new-action');
  await expect(panel).toBeVisible();
  await expect(panel).toContainText('Nouvelle action');
  const form = panel.getByTestId('action-form');
  await expect(form.getByTestId('edit-title')).toBeFocused();
  await expect(form.getByTestId('edit-startTime')).toHaveValue('07:15');
  await expect(form.getByTestId('edit-endTime')).toHaveValue('08:15');
  await shot(page, 'create-1280');
  // An empty title is refused by the core, next to its field.
  await form.getByTestId('edit-save').click();
  await expect(form.getByTestId('edit-error-title')).toHaveText('Ce champ est obligatoire.');
  await form.getByTestId('edit-title').fill('Appel découverte (e2e)');
  await form.getByTestId('edit-save').click();
  await expect(panel).toHaveCount(0);
  const created = host.db.prepare("SELECT id, owner_id FROM actions WHERE title = 'Appel découverte (e2e)'").get() as { id: number; owner_id: number } | undefined;
  expect(created?.owner_id).toBe(rep.id);
  const block = page.locator(`[data-testid=action-block][data-action-id="${created!.id}"]`);
  await expect(block).toBeVisible();
  await expect(page.getByTestId('action-detail')).toBeVisible();
});

test('keyboard: arrows between blocks, Alt+arrows move, Alt+Shift resizes, PageDown and T', async ({ page, viewsHost: host }) => {
  const rep = setup.reps[1]!;
  await openTeamWeek(page, host);
  const block = await blockOf(page, rep.id);
  const id = Number(await block.getAttribute('data-action-id'));
  const before = actionOf(host, id);
  if (before.period.allDay) throw new Error('expected a timed action');
  await block.focus();
  await page.keyboard.press('Shift');
  // The hint is the description of the block's column (the group it is in), not of each block.
  await expect(block.locator('xpath=ancestor::*[@role="group"][1]')).toHaveAttribute('aria-describedby', 'agenda-move-hint');
  await expect(page.locator('#agenda-move-hint')).toContainText('Alt+flèches');
  await expect(block).toHaveCSS('outline-style', 'solid');

  await page.keyboard.press('Alt+ArrowDown');
  await expect.poll(() => actionOf(host, id).period).toEqual({ allDay: false, start: addMinutes(before.period.start, 15), end: addMinutes(before.period.end, 15) });
  const moved = page.locator(`.week-body [data-testid=action-block][data-action-id="${id}"]`);
  await expect(moved).toBeFocused();
  await page.keyboard.press('Alt+ArrowRight');
  await expect.poll(() => actionOf(host, id).period).toEqual({ allDay: false, start: addMinutes(before.period.start, 24 * 60 + 15), end: addMinutes(before.period.end, 24 * 60 + 15) });
  await expect(moved).toBeFocused();
  await page.keyboard.press('Alt+Shift+ArrowDown');
  await expect.poll(() => actionOf(host, id).period).toEqual({ allDay: false, start: addMinutes(before.period.start, 24 * 60 + 15), end: addMinutes(before.period.end, 24 * 60 + 30) });
  await expect(page.getByTestId('grid-status')).toContainText('Durée changée');

  // Arrows move the focus to another block.
  await moved.focus();
  await page.keyboard.press('ArrowLeft');
  // The focus moves on the next frame (the column may have to be scrolled into view first): wait
  // for a block other than the one focused before, not merely for any block.
  await expect
    .poll(() => page.evaluate((was) => {
      const el = document.activeElement;
      return el?.getAttribute('data-testid') === 'action-block' && el.getAttribute('data-action-id') !== String(was);
    }, id))
    .toBe(true);

  // PageDown: next week; T: back to today's week.
  const label = await page.getByTestId('week-label').textContent();
  await page.keyboard.press('PageDown');
  await expect(page.getByTestId('week-label')).not.toHaveText(label ?? '');
  await page.getByTestId('week-grid').focus();
  await page.keyboard.press('t');
  await expect(page.locator('.day-head.today')).toHaveCount(1);
});

test('Tab: the grid is one stop (a slot, then the block last focused); arrows move it; Enter on a slot creates', async ({ page, viewsHost: host }) => {
  await openTeamWeek(page, host);
  const grid = page.getByTestId('week-grid');
  // One slot or block of the grid is in the Tab order, whatever the number of columns and blocks
  // (the day names, which open a day, are the head's own stops).
  await expect(grid.locator('[tabindex="0"]')).toHaveCount(1);
  await expect(grid.locator('[data-testid=action-block]:not([tabindex="-1"])')).toHaveCount(0);
  const inGrid = () => page.evaluate(() => (document.activeElement?.closest('[data-testid=week-grid]') ? (document.activeElement as HTMLElement) : null) !== null);
  const focused = () => page.evaluate(() => ({ cls: document.activeElement?.className ?? '', col: Number(document.activeElement?.getAttribute('data-col')), user: Number(document.activeElement?.getAttribute('data-user-id')) }));

  // From the view switch, Tab reaches the grid's slot after the toolbar's controls and the day names.
  await page.getByTestId('view-week').focus();
  let tabs = 0;
  while (!(await page.evaluate(() => !!document.activeElement?.closest('.week-body'))) && tabs < 14) {
    await page.keyboard.press('Tab');
    tabs++;
  }
  expect(await inGrid()).toBe(true);
  const first = await focused();
  expect(first.cls).toContain('user-col');
  await expect(grid.locator('.user-col:focus')).toHaveCSS('outline-style', 'solid');

  // Arrows: the next column, then back; Tab then leaves the grid at once.
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await focused()).col).toBe(first.col + 1);
  await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => (await focused()).col).toBe(first.col);
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await focused()).col).toBe(first.col + 1);
  const slot = await focused();
  await expect(grid.locator('[tabindex="0"]')).toHaveAttribute('data-col', String(slot.col));
  await page.keyboard.press('Tab');
  expect(await inGrid()).toBe(false);
  await page.keyboard.press('Shift+Tab');
  await expect.poll(async () => (await focused()).col).toBe(slot.col);

  // Enter on the slot: a new action in that column's agenda.
  await page.keyboard.press('Enter');
  const panel = page.getByTestId('new-action');
  await expect(panel).toBeVisible();
  const name = (host.db.prepare('SELECT display_name FROM users WHERE id = ?').get(slot.user) as { display_name: string }).display_name;
  await expect(panel).toContainText(name);
  await panel.getByRole('button', { name: 'Fermer' }).click();
  await expect(panel).toHaveCount(0);

  // Down into a column that has actions: its first block becomes the grid's Tab stop.
  const col = await page.evaluate(() => {
    const b = document.querySelector<HTMLElement>('.week-body [data-testid=action-block]');
    return b ? Number(b.closest<HTMLElement>('.user-col')!.dataset.col) : -1;
  });
  expect(col).toBeGreaterThanOrEqual(0);
  await page.locator(`.week-body .user-col[data-col="${col}"]`).focus();
  await page.keyboard.press('ArrowDown');
  await expect.poll(async () => (await focused()).cls).toContain('action-block');
  const blockId = await page.evaluate(() => document.activeElement?.getAttribute('data-action-id'));
  await expect(grid.locator('[tabindex="0"]')).toHaveAttribute('data-action-id', blockId ?? '');
  // Up from a column's first block: its slot again.
  await page.keyboard.press('ArrowUp');
  await expect.poll(async () => (await focused()).cls).toContain('user-col');
});

test('day, week and month views at 1280×720 and 1920×1080; « +N » opens the day', async ({ page, viewsHost: host }) => {
  await openTeamWeek(page, host);
  for (const size of [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }]) {
    await page.setViewportSize(size);
    const tag = String(size.width);
    await page.getByTestId('view-week').click();
    const grid = page.getByTestId('week-grid');
    await expect(grid).toHaveAttribute('data-loading', 'false');
    await expect(grid.locator('.week-body [data-testid=action-block]').first()).toBeVisible();
    // The day opens on 07:00, its label just below the head, at both sizes.
    const h = await hourHeight(page);
    await expect.poll(() => grid.evaluate((el) => el.scrollTop)).toBe(7 * h - 8);
    await shot(page, `team-week-${tag}`);

    await page.getByTestId('view-day').click();
    await expect(page.getByTestId('week-grid')).toHaveAttribute('data-view', 'day');
    await expect(page.getByTestId('week-grid')).toHaveAttribute('data-loading', 'false');
    await shot(page, `team-day-${tag}`);

    await page.getByTestId('view-month').click();
    const month = page.getByTestId('month-grid');
    await expect(month).toBeVisible();
    await expect(month).toHaveAttribute('data-loading', 'false');
    await shot(page, `team-month-${tag}`);

    // Only my own agenda: the single-user week and month.
    await page.locator(`[data-testid=user-option][data-user-id="${setup.managerId}"]`).uncheck();
    for (const r of setup.reps.slice(1)) await page.locator(`[data-testid=user-option][data-user-id="${r.id}"]`).uncheck();
    await expect(month).toHaveAttribute('data-loading', 'false');
    await shot(page, `one-month-${tag}`);
    await page.getByTestId('view-week').click();
    await expect(page.getByTestId('week-grid')).toHaveAttribute('data-loading', 'false');
    await shot(page, `one-week-${tag}`);
    await page.getByTestId('view-day').click();
    await expect(page.getByTestId('week-grid')).toHaveAttribute('data-loading', 'false');
    await shot(page, `one-day-${tag}`);
    await page.locator(`[data-testid=user-option][data-user-id="${setup.managerId}"]`).check();
    for (const r of setup.reps.slice(1)) await page.locator(`[data-testid=user-option][data-user-id="${r.id}"]`).check();
  }

  // « +N » in the month opens that day in the day view.
  await page.getByTestId('view-month').click();
  await expect(page.getByTestId('month-grid')).toHaveAttribute('data-loading', 'false');
  const more = page.getByTestId('month-more').first();
  await expect(more).toBeVisible();
  const day = await more.evaluate((el) => el.closest<HTMLElement>('.month-cell')?.dataset.day);
  await more.click();
  await expect(page.getByTestId('view-day')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('.day-head')).toHaveAttribute('data-day', day ?? '');
  // The view is remembered for this user.
  await page.getByTestId('logout').click();
  await page.getByTestId('login-name').fill(setup.manager);
  await page.getByTestId('login-password').fill('demo');
  await page.getByTestId('login-password').press('Enter');
  await expect(page.getByTestId('view-day')).toHaveAttribute('aria-pressed', 'true');
});

test('month: one Tab stop; an action moves to another day by drag or Alt+arrows, at the same times; Escape cancels a drag', async ({ page, viewsHost: host }) => {
  await openTeamWeek(page, host);
  await page.getByTestId('view-month').click();
  const month = page.getByTestId('month-grid');
  await expect(month).toHaveAttribute('data-loading', 'false');
  const cells = await month.locator('.month-cell').count();

  // One Tab stop for the whole month (today's number at first), then the last focused.
  await expect(month.locator('[tabindex="0"]')).toHaveCount(1);
  await expect(month.locator('.month-cell.today .month-day')).toHaveAttribute('tabindex', '0');
  const inMonth = () => page.evaluate(() => !!document.activeElement?.closest('[data-testid=month-grid]'));
  await page.getByTestId('view-month').focus();
  for (let i = 0; i < 10 && !(await inMonth()); i++) await page.keyboard.press('Tab');
  await expect(month.locator('.month-cell.today .month-day')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  const stop = await page.evaluate(() => document.activeElement?.getAttribute('data-stop'));
  await expect(month.locator('[tabindex="0"]')).toHaveAttribute('data-stop', stop ?? '');
  await page.keyboard.press('Tab');
  expect(await inMonth()).toBe(false);
  await page.keyboard.press('Shift+Tab');
  await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-stop'))).toBe(stop);

  // Two timed actions of the manager's own, made here (the demo's days change with the date): early
  // in two days that are not full (so each shows, before the day's other timed actions), away from
  // the month's edges so a day later, a week earlier and a week later stay in the month shown.
  const free = await month.evaluate((el) =>
    Array.from(el.querySelectorAll<HTMLElement>('.month-cell'))
      .filter((c) => !c.querySelector('.month-more'))
      .map((c) => ({ index: Number(c.dataset.index), day: c.dataset.day ?? '' })),
  );
  const kCell = free.find((c) => c.index >= 7 && c.index % 7 < 6 && c.index + 7 < cells);
  const mCell = free.find((c) => kCell && c.index + 7 < cells && ![kCell.index, kCell.index - 6, kCell.index + 1].includes(c.index));
  expect(kCell && mCell).toBeTruthy();
  const own = host.core.newConnection();
  host.core.impersonate(own, setup.manager);
  const zone = (host.db.prepare('SELECT time_zone FROM users WHERE id = ?').get(setup.managerId) as { time_zone: string }).time_zone;
  const typeId = firstTypeId(host.db);
  const early = (day: string, title: string) => {
    const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
    const start = new TZDate(y, mo - 1, d, 0, 30, zone);
    const period = { allDay: false as const, start: start.toISOString(), end: new TZDate(y, mo - 1, d, 1, 0, zone).toISOString() };
    return host.core.invokeSync(own, 'actions.create', { typeId, title, period, private: false }).id;
  };
  const k = { id: early(kCell!.day, 'Mois e2e clavier'), index: kCell!.index };
  const m = { id: early(mCell!.day, 'Mois e2e souris'), index: mCell!.index };
  const DAY = 86_400_000; // no DST change in the weeks shown (December)
  const shiftedBy = (p: Action['period'], days: number) => (p.allDay ? p : { allDay: false, start: addMinutes(p.start, (days * DAY) / 60_000), end: addMinutes(p.end, (days * DAY) / 60_000) });
  const itemIn = (index: number, id: number) => month.locator(`.month-cell[data-index="${index}"] [data-action-id="${id}"]`);
  // The focus follows the item to its new day (onto the day's « +N » when the day is full).
  const focusedDay = () => page.evaluate(() => (document.activeElement?.closest('.month-cell') as HTMLElement | null)?.dataset.index ?? null);

  // Keyboard: Alt+→ a day later, Alt+↑ a week earlier.
  await expect(itemIn(k.index, k.id)).toHaveAttribute('data-editable', /.*/);
  const kBefore = actionOf(host, k.id).period;
  await itemIn(k.index, k.id).focus();
  await expect(itemIn(k.index, k.id)).toHaveAttribute('aria-describedby', /.+/);
  await page.keyboard.press('Alt+ArrowRight');
  await expect.poll(() => actionOf(host, k.id).period).toEqual(shiftedBy(kBefore, 1));
  await expect.poll(focusedDay).toBe(String(k.index + 1));
  await expect(page.getByTestId('grid-status')).toContainText('Action déplacée');
  await page.keyboard.press('Alt+ArrowUp');
  await expect.poll(() => actionOf(host, k.id).period).toEqual(shiftedBy(kBefore, -6));
  await expect.poll(focusedDay).toBe(String(k.index - 6));

  // Mouse: dragged a row down, a week later; a drag let go with Escape changes nothing.
  const mBefore = actionOf(host, m.id).period;
  const from = await centre(itemIn(m.index, m.id));
  const to = await centre(month.locator(`.month-cell[data-index="${m.index + 7}"]`));
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 6 });
  await expect(month.locator(`.month-cell[data-index="${m.index + 7}"]`)).toHaveClass(/drop-target/);
  await page.keyboard.press('Escape');
  await page.mouse.up();
  await expect(page.getByTestId('grid-status')).toHaveText('Déplacement annulé');
  expect(actionOf(host, m.id).period).toEqual(mBefore);

  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 6 });
  await shot(page, 'month-drag');
  await page.mouse.up();
  await expect.poll(() => actionOf(host, m.id).period).toEqual(shiftedBy(mBefore, 7));
  await expect(itemIn(m.index, m.id)).toHaveCount(0);
  for (const id of [k.id, m.id]) host.core.invokeSync(own, 'actions.delete', { id });
});

test('all-day chips: drag to another day (still all day, its span kept), refused on another user, Escape cancels, Alt+→, read-only refuses', async ({ page, viewsHost: host }) => {
  // A rep the manager holds Agenda on but not Visible: their private actions show as « Occupé ».
  const rep = setup.reps.find((r) => !(host.db.prepare('SELECT visible FROM user_rights WHERE holder_id = ? AND target_id = ?').get(setup.managerId, r.id) as { visible: number }).visible)!;
  await openTeamWeek(page, host);
  const keys = await page.locator('.week-head .day-head').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.day ?? ''));
  expect(keys).toHaveLength(7);
  const nUsers = 4;
  const ui = await page.locator('.day-head').first().locator('.user-head').evaluateAll((els, id) => els.findIndex((el) => el.getAttribute('data-user-id') === String(id)), rep.id);
  expect(ui).toBeGreaterThan(0);
  const colOf = (day: number) => day * nUsers + ui;

  // In the rep's agenda this week: a two-day fair (Tuesday–Wednesday), a day on Friday, a private day on Thursday.
  const conn = host.core.newConnection();
  host.core.impersonate(conn, rep.login);
  const typeId = firstTypeId(host.db);
  const allDay = (from: number, to: number) => ({ allDay: true as const, startDate: keys[from]!, endDate: keys[to]! });
  const create = (title: string, from: number, to: number, priv = false) => host.core.invokeSync(conn, 'actions.create', { typeId, title, period: allDay(from, to), private: priv }).id;
  const fair = create('Salon e2e sur deux jours', 1, 2);
  const day = create('Journée e2e', 4, 4);
  const hidden = create('Journée privée e2e', 3, 3, true);
  const grid = page.getByTestId('week-grid');
  const chip = (id: number, d: number) => grid.locator(`.all-day-row [data-action-id="${id}"][data-col="${colOf(d)}"]`);
  await expect(chip(fair, 1)).toBeVisible();
  await expect(chip(fair, 2)).toBeVisible();
  await expect(chip(fair, 1)).toHaveClass(/editable/);
  await expect(chip(fair, 1)).toHaveAttribute('aria-describedby', 'agenda-allday-move-hint');
  const colW = await page.locator('.week-body .user-col').first().evaluate((el) => el.getBoundingClientRect().width);
  const dayW = colW * nUsers;
  const ghosts = page.getByTestId('drag-ghost');

  // Drag the fair's Tuesday two days right: the preview covers Thursday and Friday, in the rep's columns.
  let from = await centre(chip(fair, 1));
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + dayW, from.y + 4, { steps: 5 });
  await page.mouse.move(from.x + 2 * dayW, from.y + 30, { steps: 5 });
  await expect(ghosts).toHaveCount(2);
  await expect(ghosts.first()).not.toHaveClass(/refused/);
  expect(await ghosts.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-col'))))).toEqual([colOf(3), colOf(4)]);
  await expect(ghosts.first()).toHaveText('Salon e2e sur deux jours');
  await expect(chip(fair, 1)).toHaveClass(/drag-source/);
  await shot(page, 'allday-drag-1280');
  await page.mouse.up();
  await expect(ghosts).toHaveCount(0);
  await expect.poll(() => actionOf(host, fair).period).toEqual(allDay(3, 4));
  await expect(page.getByTestId('grid-status')).toContainText('Action déplacée');
  await expect(page.getByTestId('action-detail')).toHaveCount(0);
  await expect(chip(fair, 3)).toBeVisible();
  await expect(chip(fair, 4)).toBeVisible();
  await expect(chip(fair, 1)).toHaveCount(0);

  // Onto another user's column: refused with the timed blocks' words, nothing saved.
  from = await centre(chip(fair, 3));
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x - colW, from.y, { steps: 5 });
  await expect(ghosts).toHaveCount(1);
  await expect(ghosts).toHaveClass(/refused/);
  await expect(ghosts).toHaveText('Autre agenda : refusé');
  await shot(page, 'allday-drag-refused-1280');
  await page.mouse.up();
  await expect(page.getByTestId('grid-status')).toHaveText('Une action ne peut pas être déplacée dans l’agenda d’un autre utilisateur.');
  expect(actionOf(host, fair).period).toEqual(allDay(3, 4));

  // Escape in the middle of a drag: nothing saved, the click that follows opens nothing.
  from = await centre(chip(fair, 3));
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x - dayW, from.y, { steps: 5 });
  await expect(ghosts).toHaveCount(2);
  await page.keyboard.press('Escape');
  await expect(ghosts).toHaveCount(0);
  await page.mouse.up();
  await expect(page.getByTestId('grid-status')).toHaveText('Déplacement annulé');
  expect(actionOf(host, fair).period).toEqual(allDay(3, 4));
  await expect(page.getByTestId('action-detail')).toHaveCount(0);

  // Keyboard: Alt+→ a day later, the focus follows the chip; Alt+← back.
  await chip(day, 4).focus();
  await page.keyboard.press('Alt+ArrowRight');
  await expect.poll(() => actionOf(host, day).period).toEqual(allDay(5, 5));
  await expect(chip(day, 5)).toBeFocused();
  await expect(page.getByTestId('grid-status')).toContainText('Action déplacée');
  await page.keyboard.press('Alt+ArrowLeft');
  await expect.poll(() => actionOf(host, day).period).toEqual(allDay(4, 4));
  await expect(chip(day, 4)).toBeFocused();
  await shot(page, 'allday-moved-1280');

  // A private action seen as « Occupé »: not draggable, Alt+→ says why.
  const busy = chip(hidden, 3);
  await expect(busy).toHaveText('Occupé');
  await expect(busy).not.toHaveClass(/editable/);
  await busy.focus();
  await page.keyboard.press('Alt+ArrowRight');
  await expect(page.getByTestId('grid-status')).toHaveText('Vous ne pouvez pas modifier cette action.');
  from = await centre(busy);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + dayW, from.y, { steps: 5 });
  await expect(ghosts).toHaveCount(0);
  await page.mouse.up();
  expect(actionOf(host, hidden).period).toEqual(allDay(3, 3));

  // The rep's agenda alone: wider columns, the fair one bar and its preview one bar; let go with Escape.
  const others = [setup.managerId, ...setup.reps.filter((r) => r.id !== rep.id).map((r) => r.id)];
  for (const id of others) await page.locator(`[data-testid=user-option][data-user-id="${id}"]`).uncheck();
  await expect(grid.locator('.week-body .user-col')).toHaveCount(7);
  await expect(grid).toHaveAttribute('data-loading', 'false');
  const alone = grid.locator(`.all-day-row [data-action-id="${fair}"][data-col="3"]`);
  from = await centre(alone);
  const oneDayW = await page.locator('.week-body .user-col').first().evaluate((el) => el.getBoundingClientRect().width);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + oneDayW, from.y + 60, { steps: 5 });
  await expect(ghosts).toHaveCount(1);
  await expect(ghosts).toHaveAttribute('data-span', '2');
  await expect(ghosts).toHaveText('Salon e2e sur deux jours');
  await shot(page, 'allday-drag-one-week-1280');
  await page.keyboard.press('Escape');
  await page.mouse.up();
  expect(actionOf(host, fair).period).toEqual(allDay(3, 4));
  for (const id of others) await page.locator(`[data-testid=user-option][data-user-id="${id}"]`).check();

  for (const id of [fair, day, hidden]) host.core.invokeSync(conn, 'actions.delete', { id });
});

/** `yyyy-MM-dd` `n` days after `key`. */
const dayAfter = (key: string, n: number) => new Date(Date.parse(`${key}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

test('all-day bars: one bar over the days an action covers, rows that never overlap, clipped at the week’s edges; Enter opens it, its drag previews one bar, Alt+↑ says how it moves', async ({ page, viewsHost: host }) => {
  const rep = setup.reps[1]!;
  await openTeamWeek(page, host);
  const grid = page.getByTestId('week-grid');
  const keys = await page.locator('.week-head .day-head').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.day ?? ''));
  expect(keys).toHaveLength(7);
  const conn = host.core.newConnection();
  host.core.impersonate(conn, rep.login);
  const typeId = firstTypeId(host.db);
  const span = (startDate: string, endDate: string) => ({ allDay: true as const, startDate, endDate });
  const create = (title: string, startDate: string, endDate: string) => host.core.invokeSync(conn, 'actions.create', { typeId, title, period: span(startDate, endDate), private: false }).id;
  // Tuesday–Thursday, Wednesday alone (under it), from the week before to Tuesday, Saturday into next week.
  const fair = create('Salon e2e trois jours', keys[1]!, keys[3]!);
  const talk = create('Conférence e2e mercredi', keys[2]!, keys[2]!);
  const before = create('Déplacement e2e depuis la semaine passée', dayAfter(keys[0]!, -2), keys[1]!);
  const after = create('Congé e2e jusqu’à la semaine prochaine', keys[5]!, dayAfter(keys[6]!, 2));
  const ids = [fair, talk, before, after];
  const focusable = (id: number) => grid.locator(`.all-day-row [data-testid=action-block][data-action-id="${id}"]`);
  const drawn = (id: number) => grid.locator(`.all-day-row [data-action-id="${id}"]`);
  const boxOf = async (l: Locator) => (await l.boundingBox())!;
  const overlap = (a: { x: number; y: number; width: number; height: number }, b: typeof a) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

  // Four agendas, users side by side inside each day: an agenda's days are not adjacent, so one
  // piece per day on one row, and one focusable element for the action.
  await expect(focusable(fair)).toHaveCount(1);
  await expect(drawn(fair)).toHaveCount(3);
  const ui = await page.locator('.day-head').first().locator('.user-head').evaluateAll((els, id) => els.findIndex((el) => el.getAttribute('data-user-id') === String(id)), rep.id);
  const pieces = await drawn(fair).evaluateAll((els) => els.map((el) => ({ col: Number((el as HTMLElement).dataset.col), top: el.getBoundingClientRect().top, hidden: el.getAttribute('aria-hidden') })));
  expect(pieces.map((p) => p.col)).toEqual([1, 2, 3].map((d) => d * 4 + ui));
  expect(new Set(pieces.map((p) => p.top)).size).toBe(1);
  expect(pieces.map((p) => p.hidden)).toEqual([null, 'true', 'true']);
  for (const [i, d] of [1, 2, 3].entries()) {
    // Each piece inside the rep's column of its day (the body's column has the same left and width).
    const c = await boxOf(grid.locator(`.week-body .user-col[data-col="${d * 4 + ui}"]`));
    const p = await boxOf(drawn(fair).nth(i));
    expect(p.x).toBeGreaterThanOrEqual(c.x);
    expect(p.x + p.width).toBeLessThanOrEqual(c.x + c.width + 0.5);
  }
  expect(overlap(await boxOf(drawn(fair).nth(1)), await boxOf(focusable(talk)))).toBe(false);
  await shot(page, 'allday-bars-team-1280');

  // The rep's agenda alone: the fair is one element from Tuesday's left edge to Thursday's right edge.
  const others = [setup.managerId, ...setup.reps.filter((r) => r.id !== rep.id).map((r) => r.id)];
  for (const id of others) await page.locator(`[data-testid=user-option][data-user-id="${id}"]`).uncheck();
  await expect(grid.locator('.week-body .user-col')).toHaveCount(7);
  await expect(grid).toHaveAttribute('data-loading', 'false');
  await expect(drawn(fair)).toHaveCount(1);
  await expect(focusable(fair)).toHaveCount(1);
  const days = grid.locator('.all-day-row .allday-cell');
  await expect(days).toHaveCount(7);
  const bar = await boxOf(focusable(fair));
  const tue = await boxOf(days.nth(1));
  const thu = await boxOf(days.nth(3));
  expect(Math.abs(bar.x - tue.x)).toBeLessThanOrEqual(4);
  expect(Math.abs(bar.x + bar.width - (thu.x + thu.width))).toBeLessThanOrEqual(4);
  expect(bar.width).toBeGreaterThan(2.5 * tue.width);
  await expect(focusable(fair)).toHaveText('Salon e2e trois jours');
  // Wednesday's talk on a row of its own, under the fair; the clipped bars reach the week's edges and say they go on.
  const talkBox = await boxOf(focusable(talk));
  expect(overlap(bar, talkBox)).toBe(false);
  expect(overlap(await boxOf(focusable(before)), bar)).toBe(false);
  await expect(focusable(before)).toHaveClass(/cont-before/);
  await expect(focusable(before)).not.toHaveClass(/cont-after/);
  expect(Math.abs((await boxOf(focusable(before))).x - (await boxOf(days.nth(0))).x)).toBeLessThanOrEqual(4);
  await expect(focusable(after)).toHaveClass(/cont-after/);
  const sun = await boxOf(days.nth(6));
  const afterBox = await boxOf(focusable(after));
  expect(Math.abs(afterBox.x + afterBox.width - (sun.x + sun.width))).toBeLessThanOrEqual(4);
  await shot(page, 'allday-bars-one-1280');

  // Enter opens it; Escape closes the editor.
  await focusable(fair).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('action-detail')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('action-detail')).toBeHidden();

  // Alt+↑ / Alt+↓: nothing moves, the grid says how an all-day action moves.
  await focusable(fair).focus();
  await page.keyboard.press('Alt+ArrowUp');
  await expect(page.getByTestId('grid-status')).toHaveText('Une action sur la journée entière se déplace d’un jour à la fois : Alt+flèche gauche ou droite.');
  await page.keyboard.press('Alt+ArrowDown');
  await expect(page.getByTestId('grid-status')).toHaveText('Une action sur la journée entière se déplace d’un jour à la fois : Alt+flèche gauche ou droite.');
  expect(actionOf(host, fair).period).toEqual(span(keys[1]!, keys[3]!));

  // Held by its middle (Wednesday) and dragged a day right: the preview is one bar, Wednesday to Friday.
  const ghosts = page.getByTestId('drag-ghost');
  const from = { x: (await boxOf(days.nth(2))).x + tue.width / 2, y: bar.y + bar.height / 2 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + tue.width, from.y + 40, { steps: 5 });
  await expect(ghosts).toHaveCount(1);
  await expect(ghosts).toHaveText('Salon e2e trois jours');
  const ghost = await boxOf(ghosts);
  const wed = await boxOf(days.nth(2));
  const fri = await boxOf(days.nth(4));
  expect(Math.abs(ghost.x - wed.x)).toBeLessThanOrEqual(4);
  expect(Math.abs(ghost.x + ghost.width - (fri.x + fri.width))).toBeLessThanOrEqual(4);
  await shot(page, 'allday-bar-drag-one-1280');
  await page.mouse.up();
  await expect.poll(() => actionOf(host, fair).period).toEqual(span(keys[2]!, keys[4]!));
  await expect(drawn(fair)).toHaveCount(1);
  await expect.poll(async () => Math.abs((await boxOf(focusable(fair))).x - wed.x)).toBeLessThanOrEqual(4);

  // Alt+← a day back, span kept, the focus stays on the bar.
  await focusable(fair).focus();
  await page.keyboard.press('Alt+ArrowLeft');
  await expect.poll(() => actionOf(host, fair).period).toEqual(span(keys[1]!, keys[3]!));
  await expect(focusable(fair)).toBeFocused();
  await expect(page.getByTestId('grid-status')).toContainText('Action déplacée');

  for (const id of others) await page.locator(`[data-testid=user-option][data-user-id="${id}"]`).check();
  for (const id of ids) host.core.invokeSync(conn, 'actions.delete', { id });
});

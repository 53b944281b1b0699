/**
 * Automated accessibility check (issue 7): axe-core (through @axe-core/playwright) on every
 * screen the app has today, in French, in the browser host against the Google emulator — login,
 * the agenda week (one user, a team, the detail panel), contacts and a contact card,
 * synchronisation (preview, report, log, the manual sync wizard's steps), preferences with the Google card (connected, Test
 * report, manual connection), ADM's Google form and settings, the rights screen, and the dialogs
 * (Reset, deletions asked about after a sync), the contact sync list (issue 6: the panel beside the
 * contacts, its menus, the card in Préférences, the picker, the remove dialog, a report). Any serious
 * or critical violation fails the test.
 * Each screen is also photographed at 1280×720 and 1920×1080 (artifacts/screens/a11y-*.png) and
 * checked for layout breaks: nothing spills sideways out of the top bar, a page, a card, a
 * toolbar, a form footer, a dialog or a side panel.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import {
  connectWithoutConsent,
  expect,
  googleCalendar,
  login,
  startGoogleHost,
  test as googleTest,
  useEmulatorClient,
  type GoogleHostFixture,
} from './google-fixtures';

const SCREENS = fileURLToPath(new URL('./artifacts/screens/', import.meta.url));
mkdirSync(SCREENS, { recursive: true });
const SIZES = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

/** A host of its own: these tests connect users and sync, which the other suites must not see. */
const test = googleTest.extend<object, { a11yHost: GoogleHostFixture }>({
  a11yHost: [
    async ({}, use) => {
      const h = await startGoogleHost({ startupSync: false });
      await use(h.fixture);
      await h.close();
    },
    { scope: 'worker' },
  ],
});

test.use({ viewport: SIZES[0], locale: 'fr-FR' });

/** Two frames: what the last change rendered has been laid out and painted. */
const settled = (page: Page) => page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));

/** Containers whose content spills sideways (a page that scrolls sideways, a cut-off bar). */
function layoutBreaks(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > window.innerWidth + 1) out.push(`the document is ${root.scrollWidth}px wide in a ${window.innerWidth}px window`);
    const selectors = ['.shell', '.topbar', '.topnav', '.topbar-end', '.page', '.page-head', '.card', '.toolbar', '.agenda-side', '.form-footer', '.dialog', '.side-panel', '.login-card'];
    for (const selector of selectors) {
      document.querySelectorAll<HTMLElement>(selector).forEach((el, i) => {
        if (el.scrollWidth > el.clientWidth + 1) out.push(`${selector}[${i}] spills ${el.scrollWidth - el.clientWidth}px sideways`);
      });
    }
    return out;
  });
}

/**
 * Runs axe on the page as it is (dialogs included: they are portals in the same document), then
 * photographs it at both sizes and checks the layout at each. Soft: every screen is reported.
 */
async function audit(page: Page, name: string) {
  await settled(page);
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes
      .slice(0, 6)
      .map((n) => `    ${n.target.join(' ')} — ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`)
      .join('\n')}`);
  expect.soft(blocking, `axe: serious or critical violations on « ${name} »`).toEqual([]);
  const before = page.viewportSize();
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await settled(page);
    await page.screenshot({ path: `${SCREENS}a11y-${name}-${size.width}.png` });
    expect.soft(await layoutBreaks(page), `layout of « ${name} » at ${size.width}×${size.height}`).toEqual([]);
  }
  if (before) await page.setViewportSize(before);
  await settled(page);
}

async function logout(page: Page) {
  await page.getByTestId('logout').click();
  await expect(page.getByTestId('login-form')).toBeVisible();
}

/** Moves forward until the week shows timed blocks (the demo spreads actions over ±6 months). */
async function weekWithBlocks(page: Page) {
  const blocks = page.locator('[data-testid=week-grid] .day-col [data-testid=action-block]:not(.busy)');
  for (let i = 0; i < 6; i++) {
    await expect(page.locator('.toolbar-note')).not.toHaveText(/Chargement/);
    if ((await blocks.count()) > 0) return blocks;
    await page.getByTestId('week-next').click();
  }
  throw new Error('no week with timed actions found');
}

test.describe('accessibility (axe) and layout, in French', () => {
  test.beforeAll(async ({ a11yHost }) => {
    // The first rep is connected to their Google account; the second is not.
    await useEmulatorClient(a11yHost);
    await connectWithoutConsent(a11yHost, a11yHost.reps[0]!.login);
  });

  test('login, agenda, contacts, synchronisation, preferences and the dialogs of a connected rep', async ({ page, a11yHost }) => {
    // Some thirty screens, each audited and photographed at two sizes: more than the default minute.
    test.setTimeout(180_000);
    // Some twenty screens, each checked at two sizes: more than the default minute on a busy machine.
    test.setTimeout(150_000);
    const rep = a11yHost.reps[0]!;
    await page.goto(a11yHost.launchUrl);
    await expect(page.getByTestId('login-form')).toBeVisible();
    await audit(page, 'login');
    await page.getByTestId('login-name').fill(rep.login);
    await page.getByTestId('login-password').fill('pas-le-bon');
    await page.getByTestId('login-password').press('Enter');
    await expect(page.getByTestId('login-error')).toHaveText('Identifiant ou mot de passe incorrect.');
    await audit(page, 'login-error');

    await login(page, a11yHost, rep.login);
    await expect(page.getByTestId('week-grid')).toBeVisible();
    const blocks = await weekWithBlocks(page);
    await audit(page, 'agenda-week');
    await blocks.first().click();
    await expect(page.getByTestId('action-detail')).toBeVisible();
    await expect(page.getByTestId('action-detail')).not.toContainText('Chargement');
    await audit(page, 'agenda-detail');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('action-detail')).toBeHidden();
    // The day and month views (issue 7), then back to the week.
    await page.getByTestId('view-day').click();
    await expect(page.getByTestId('week-grid')).toHaveAttribute('data-view', 'day');
    await expect(page.getByTestId('week-grid')).toHaveAttribute('data-loading', 'false');
    await audit(page, 'agenda-day');
    await page.getByTestId('view-month').click();
    await expect(page.getByTestId('month-grid')).toHaveAttribute('data-loading', 'false');
    await audit(page, 'agenda-month');
    await page.getByTestId('view-week').click();
    await expect(page.getByTestId('week-grid')).toHaveAttribute('data-view', 'week');

    await page.getByTestId('nav-contacts').click();
    await expect(page.getByTestId('contacts-table').locator('tbody tr').first()).toBeVisible();
    await audit(page, 'contacts');
    await page.getByTestId('contacts-table').locator('tbody tr').first().click();
    await expect(page.getByTestId('contact-detail')).toBeVisible();
    await audit(page, 'contact-card');
    await page.keyboard.press('Escape');

    // Synchronisation: the screen, a preview, a real run with its report and the log.
    await page.getByTestId('nav-sync').click();
    await expect(page.getByTestId('agenda-sync-card')).toBeVisible();
    await audit(page, 'sync');
    await page.getByTestId('sync-preview').click();
    await expect(page.getByTestId('sync-report')).toHaveAttribute('data-dry-run', 'true');
    await audit(page, 'sync-preview');
    await page.getByTestId('sync-now').click();
    await expect(page.getByTestId('sync-report')).toHaveAttribute('data-dry-run', 'false', { timeout: 30_000 });
    await expect(page.getByTestId('sync-run').first()).toBeVisible();
    await page.getByTestId('sync-run').first().getByRole('button').click();
    await expect(page.getByTestId('sync-entries').or(page.getByTestId('sync-entries-empty'))).toBeVisible();
    await audit(page, 'sync-report');
    // The manual sync wizard (issue 7): whom and what, the preview, the run, the report.
    await expect(page.getByTestId('sync-wizard')).toHaveAttribute('data-step', 'pick');
    await expect(page.getByTestId('wizard-user')).not.toHaveCount(0);
    await page.getByTestId('wizard-user').first().getByTestId('wizard-pick-agenda').check();
    await audit(page, 'wizard-pick');
    await page.getByTestId('wizard-preview').click();
    await expect(page.locator('[data-testid^=wizard-part-][data-state=done]').first()).toBeVisible({ timeout: 30_000 });
    await audit(page, 'wizard-preview');
    await page.getByTestId('wizard-run').click();
    await expect(page.getByTestId('sync-wizard')).toHaveAttribute('data-step', 'report', { timeout: 30_000 });
    await audit(page, 'wizard-report');

    // Préférences: the connected Google card, a Test report, the Reset dialog.
    await page.getByTestId('nav-prefs').click();
    await expect(page.getByTestId('google-status')).toHaveAttribute('data-connected', 'true');
    await audit(page, 'prefs-connected');
    await page.getByTestId('google-test').click();
    await expect(page.getByTestId('google-test-summary')).toBeVisible({ timeout: 20_000 });
    await audit(page, 'prefs-test-report');
    await page.getByTestId('google-reset').click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await audit(page, 'dialog-reset');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toBeHidden();

    // Events deleted "on the phone": the agenda's sync icon asks about them in a dialog.
    const { cal, calendarId } = await googleCalendar(a11yHost, rep.googleEmail);
    const events = (await cal.events.list({ calendarId, maxResults: 2500 })).data.items ?? [];
    const linked = events.filter((e) => e.extendedProperties?.private?.crmActionId && e.start?.dateTime);
    expect(linked.length).toBeGreaterThanOrEqual(2);
    for (const e of linked.slice(0, 2)) await cal.events.delete({ calendarId, eventId: e.id! });
    await page.getByTestId('nav-agenda').click();
    await page.getByTestId('agenda-sync').click();
    const dialog = page.getByTestId('deletions-dialog');
    await expect(dialog).toBeVisible({ timeout: 20_000 });
    await audit(page, 'dialog-deletions');
    await dialog.getByTestId('deletion-row').first().getByTestId('deletion-keep').click({ modifiers: ['Control'] });
    await expect(dialog).toBeHidden();
  });

  test('the contact sync list: beside the contacts, the menus, the card in Préférences, the picker, the remove dialog, a report', async ({ page, a11yHost }) => {
    const rep = a11yHost.reps[0]!;
    await login(page, a11yHost, rep.login);
    await page.getByTestId('nav-contacts').click();
    const rows = page.getByTestId('contacts-table').locator('tbody tr');
    await expect(rows.first()).toBeVisible();
    if ((await page.getByTestId('cs-panel').count()) === 0) await page.getByTestId('cs-panel-toggle').click();
    await expect(page.getByTestId('cs-panel-list-box').locator('[role=option]').first()).toBeVisible();
    await audit(page, 'contacts-sync-panel');
    await rows.nth(1).click({ modifiers: ['Control'] });
    await rows.nth(2).focus();
    await page.keyboard.press('Shift+F10');
    await expect(page.getByRole('menu')).toBeVisible();
    await expect(page.getByRole('menuitem').first()).toBeFocused();
    await audit(page, 'contacts-sync-contact-menu');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('menu')).toBeHidden();
    await rows.first().click();
    await expect(page.getByTestId('contact-detail')).toBeVisible();
    await audit(page, 'contacts-sync-panel-card');
    await page.keyboard.press('Escape');

    await page.getByTestId('nav-prefs').click();
    const box = page.getByTestId('cs-list-box');
    await expect(box.locator('[role=option]').first()).toBeVisible();
    await box.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await expect(box.locator('[aria-selected=true]')).toHaveCount(2);
    await box.scrollIntoViewIfNeeded();
    await audit(page, 'prefs-contact-sync');
    await page.keyboard.press('Shift+F10');
    await expect(page.getByRole('menu')).toBeVisible();
    await expect(page.getByRole('menuitem').first()).toBeFocused();
    await audit(page, 'prefs-contact-sync-menu');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Delete');
    await expect(page.getByTestId('cs-remove-dialog')).toBeVisible();
    await audit(page, 'dialog-contact-sync-remove');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('cs-remove-dialog')).toBeHidden();
    await page.getByTestId('cs-list-add').click();
    await expect(page.getByTestId('cs-picker').locator('[role=option]').first()).toBeVisible();
    await page.getByTestId('cs-picker-box').focus();
    await page.keyboard.press('ArrowDown');
    await audit(page, 'dialog-contact-sync-picker');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('cs-picker')).toBeHidden();
    await page.getByTestId('cs-sync-now').click();
    await expect(page.getByTestId('cs-report')).toHaveAttribute('data-dry-run', 'false', { timeout: 30_000 });
    await page.getByTestId('cs-run').first().getByRole('button').click();
    await expect(page.getByTestId('cs-entries').or(page.getByTestId('cs-entries-empty'))).toBeVisible();
    await audit(page, 'prefs-contact-sync-report');
  });

  test('manual connection of a rep who is not connected, and a manager\'s team week', async ({ page, a11yHost }) => {
    const rep = a11yHost.reps[1]!;
    await login(page, a11yHost, rep.login);
    await page.getByTestId('nav-prefs').click();
    await expect(page.getByTestId('google-status')).toHaveAttribute('data-connected', 'false');
    await audit(page, 'prefs-not-connected');
    await page.getByTestId('google-manual').click();
    await expect(page.getByTestId('google-manual-panel')).toBeVisible();
    await audit(page, 'prefs-manual');
    await page.getByTestId('google-cancel').click();
    await expect(page.getByTestId('google-manual-panel')).toBeHidden();
    await logout(page);

    const manager = a11yHost.db.prepare("SELECT u.login FROM users u JOIN user_rights r ON r.holder_id = u.id GROUP BY u.id ORDER BY count(*) DESC LIMIT 1").get() as { login: string };
    await login(page, a11yHost, manager.login);
    const options = page.getByTestId('user-picker').locator('input[type=checkbox]');
    const n = await options.count();
    for (let i = 1; i < Math.min(n, 3); i++) await options.nth(i).check();
    await expect(page.locator('.day-head').first().locator('.user-head')).toHaveCount(Math.min(n, 3));
    await weekWithBlocks(page);
    await audit(page, 'agenda-team');
    // A new action from the keyboard: Enter on an empty slot opens the prefilled form.
    await page.locator('.week-body .user-col').first().focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('new-action')).toBeVisible();
    await audit(page, 'agenda-team-new-action');
    await page.getByTestId('new-action').getByRole('button', { name: 'Fermer' }).click();
    await page.getByTestId('view-day').click();
    await expect(page.getByTestId('week-grid')).toHaveAttribute('data-loading', 'false');
    await audit(page, 'agenda-team-day');
    await page.getByTestId('view-month').click();
    await expect(page.getByTestId('month-grid')).toHaveAttribute('data-loading', 'false');
    await audit(page, 'agenda-team-month');
  });

  test('ADM: the Google form, the settings, the rights screen', async ({ page, a11yHost }) => {
    await login(page, a11yHost, a11yHost.admin);
    await page.getByTestId('nav-prefs').click();
    await expect(page.getByTestId('admin-google-form')).toBeVisible();
    await expect(page.getByTestId('settings-form')).toBeVisible();
    await audit(page, 'prefs-admin');
    await page.getByTestId('admin-google-form').scrollIntoViewIfNeeded();
    await page.getByTestId('admin-google-rootUrl').fill('pas une adresse');
    await page.getByTestId('admin-google-save').click();
    await expect(page.getByTestId('field-error-rootUrl')).toBeVisible();
    await audit(page, 'prefs-admin-error');

    await page.getByTestId('nav-rights').click();
    await expect(page.getByTestId('rights-detail')).toBeVisible();
    await audit(page, 'rights');
    await page.getByTestId('rights-row').first().getByTestId('rights-agenda').click();
    await expect(page.getByTestId('rights-pending')).toBeVisible();
    await audit(page, 'rights-unsaved');
    await page.getByTestId('rights-discard').click();
  });
});

/**
 * The renderer shell in a real browser, on the browser host and a fresh demo database:
 * login, the week view in type colours, FR/EN, contact search, preferences that persist.
 * Screenshots of every screen go to e2e/artifacts/screens/ for a human look.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, login as signIn, test, type HostFixture } from './fixtures';

const SCREENS = fileURLToPath(new URL('./artifacts/screens/', import.meta.url));
mkdirSync(SCREENS, { recursive: true });
const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENS}${name}.png` });

/** Calls the contract over the HTTP bridge with the page's session cookie. */
async function call<T>(page: Page, channel: string, input: unknown = {}): Promise<T> {
  const reply = await page.evaluate(
    async ([ch, body]) => {
      const res = await fetch(`/api/call/${ch}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return res.json();
    },
    [channel, input] as const,
  );
  if (!reply.ok) throw new Error(`${channel}: ${JSON.stringify(reply.error)}`);
  return reply.result as T;
}

/** Any uncaught error in the page fails the test (a render crash would otherwise show as a blank page). */
function failOnPageErrors(page: Page) {
  page.on('pageerror', (error) => {
    throw new Error(`uncaught error in the page: ${error.message}\n${error.stack ?? ''}`);
  });
}

async function login(page: Page, host: HostFixture, user: string) {
  failOnPageErrors(page);
  await signIn(page, host, user);
}

function hexToRgb(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

/** Moves forward week by week until the grid shows timed action blocks (the demo spreads them over ±6 months). */
async function weekWithActions(page: Page) {
  const blocks = page.locator('[data-testid=week-grid] .day-col [data-testid=action-block]:not(.busy)');
  for (let i = 0; i < 6; i++) {
    await expect(page.getByTestId('week-label')).toBeVisible();
    await expect(page.locator('.toolbar-note')).not.toHaveText(/Chargement|Loading/);
    if ((await blocks.count()) > 0) return blocks;
    await page.getByTestId('week-next').click();
  }
  throw new Error('no week with timed actions found');
}

test.describe('renderer shell', () => {
  test('login: wrong password is refused in French, then a rep sees their week in type colours', async ({ page, host }) => {
    const rep = host.users.reps[0] as string;
    failOnPageErrors(page);
    await page.goto(host.launchUrl);
    await page.getByTestId('login-name').fill(rep);
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-password').press('Enter');
    await expect(page.getByTestId('login-error')).toHaveText('Identifiant ou mot de passe incorrect.');
    await expect(page.getByText('Base de démonstration : mot de passe « demo »')).toBeVisible();
    await shot(page, '01-login-error');

    await page.getByTestId('login-password').fill('demo');
    await page.getByTestId('login-password').press('Enter');
    await expect(page.getByTestId('week-grid')).toBeVisible();
    await expect(page.getByTestId('week-label')).toHaveText(/^Semaine du \d{1,2} \S+ \d{4}$/);

    const me = await call<{ id: number; displayName: string }>(page, 'session.current');
    await expect(page.getByTestId('current-user')).toContainText(me.displayName);
    const types = await call<Array<{ id: number; color: string }>>(page, 'actionTypes.list');
    const colorOf = new Map(types.map((t) => [t.id, t.color]));

    const blocks = await weekWithActions(page);
    const count = await blocks.count();
    for (let i = 0; i < Math.min(count, 10); i++) {
      const block = blocks.nth(i);
      // The block's action, as the core has it: mine, drawn in its type's colour.
      const action = await call<{ ownerId: number; typeId: number }>(page, 'actions.get', { id: Number(await block.getAttribute('data-action-id')) });
      expect(action.ownerId).toBe(me.id);
      const typeId = action.typeId;
      const expected = colorOf.get(typeId);
      expect(expected, `type ${typeId} exists`).toBeTruthy();
      await expect(block).toHaveCSS('background-color', hexToRgb(expected as string));
    }
    // The grid shows what the core returns for that week, no more, no less.
    const shown = await page.locator('[data-testid=week-grid] [data-testid=action-block]').evaluateAll((els) => new Set(els.map((e) => e.getAttribute('data-action-id'))).size);
    expect(shown).toBeGreaterThan(0);
    await expect(page.locator('.toolbar-note')).toHaveText(new RegExp(`^${shown} actions? cette semaine$`));
    await shot(page, '02-agenda-week');

    await blocks.first().click();
    const detail = page.getByTestId('action-detail');
    await expect(detail).toBeVisible();
    await expect(detail).toContainText('Type');
    await expect(detail).toContainText('Période');
    // The panel edits the action (e2e/agenda-sync.spec.ts); its reminder and description come from
    // `actions.get` (the week only lists what blocks show).
    await expect(detail).not.toContainText('Chargement');
    await expect(detail.getByTestId('edit-reminderMinutes')).toHaveValue(/^\d+$/);
    await expect(detail.getByTestId('edit-title')).toHaveValue((await detail.getAttribute('aria-label')) ?? '');
    await shot(page, '03-agenda-detail');
    await page.keyboard.press('Escape');
    await expect(detail).toBeHidden();
  });

  test('a manager shows colleagues side by side', async ({ page, host }) => {
    await login(page, host, host.users.managers[0] as string);
    await expect(page.getByTestId('week-grid')).toBeVisible();
    const users = await call<Array<{ id: number; isSelf: boolean }>>(page, 'users.list');
    expect(users[0]?.isSelf).toBe(true);
    const picker = page.getByTestId('user-picker');
    await expect(picker.locator('input[type=checkbox]')).toHaveCount(users.length);
    for (const u of users.slice(1, 3)) await picker.locator(`input[data-user-id="${u.id}"]`).check();
    const shownIds = users.slice(0, 3).map((u) => String(u.id));
    await expect(page.locator('.day-head').first().locator('.user-head')).toHaveCount(shownIds.length);
    await weekWithActions(page);
    // A block's agenda is its column's (timed blocks and all-day chips alike).
    const owners = await page.locator('[data-testid=week-grid] [data-testid=action-block]').evaluateAll((els) => [...new Set(els.map((e) => e.closest('[data-user-id]')?.getAttribute('data-user-id')))]);
    for (const owner of owners) expect(shownIds).toContain(owner);
    await shot(page, '04-agenda-team');
  });

  test('FR → EN switches the whole shell and is remembered', async ({ page, host }) => {
    await login(page, host, host.users.reps[1] as string);
    await expect(page.getByTestId('nav-prefs')).toHaveText('Préférences');
    await page.getByTestId('lang-en').click();
    await expect(page.getByTestId('nav-agenda')).toHaveText('Agenda');
    await expect(page.getByTestId('nav-prefs')).toHaveText('Preferences');
    await expect(page.getByTestId('logout')).toHaveText('Log out');
    await expect(page.getByTestId('week-label')).toHaveText(/^Week of [A-Z][a-z]+ \d{1,2}, \d{4}$/);
    await shot(page, '05-agenda-en');
    await page.reload();
    await expect(page.getByTestId('nav-prefs')).toHaveText('Preferences');
    await page.getByTestId('logout').click();
    await expect(page.getByTestId('login-form')).toContainText('Sign in');
    await page.getByTestId('lang-fr').click();
    await expect(page.getByTestId('login-form')).toContainText('Connexion');
  });

  test('contacts: the search narrows the list and shows the total; a row opens its card', async ({ page, host }) => {
    await login(page, host, host.users.reps[0] as string);
    await page.getByTestId('nav-contacts').click();
    const table = page.getByTestId('contacts-table');
    const total = page.getByTestId('contacts-total');
    await expect(table.locator('tbody tr')).toHaveCount(50);
    const parseTotal = async () => Number(((await total.textContent()) ?? '').split('sur')[1]?.replace(/\D/g, ''));
    await expect(total).toHaveText(/^1–50 sur [\d\s\u202f\u00a0]+$/);
    const all = await parseTotal();
    expect(all).toBe((await call<{ total: number }>(page, 'contacts.search', { query: '' })).total);
    expect(all).toBeGreaterThan(50);
    await shot(page, '06-contacts');

    const lastName = ((await table.locator('tbody tr').first().locator('td').first().textContent()) ?? '').trim();
    await page.getByTestId('contacts-search').fill(lastName);
    await expect.poll(parseTotal).toBeLessThan(all);
    const narrowed = await parseTotal();
    expect(narrowed).toBeGreaterThan(0);
    await expect(table.locator('tbody tr')).toHaveCount(Math.min(50, narrowed));

    await table.locator('tbody tr').first().click();
    const card = page.getByTestId('contact-detail');
    await expect(card).toBeVisible();
    await expect(card).toContainText('Adresse');
    await shot(page, '07-contact-card');

    await page.getByTestId('contacts-search').fill('zzzz-nobody-matches');
    await expect(page.getByTestId('contacts-empty')).toHaveText('Aucun contact ne correspond à « zzzz-nobody-matches ».');
    await expect(total).toHaveText('0–0 sur 0');
  });

  test('synchronisation shows the contact sync list, kept in Préférences', async ({ page, host }) => {
    await login(page, host, host.users.reps[0] as string);
    await page.getByTestId('nav-sync').click();
    const list = await call<{ count: number; lastSyncAt: string | null }>(page, 'contactSyncList.items', { limit: 1 });
    expect(list.count).toBeGreaterThan(0);
    await expect(page.getByTestId('sync-count')).toContainText(String(list.count));
    if (list.lastSyncAt === null) await expect(page.getByTestId('sync-last')).toHaveText('Jamais');
    await shot(page, '08-sync');
    await page.getByTestId('sync-manage-contacts').click();
    await expect(page.getByTestId('cs-count')).toHaveText(String(list.count));
    await expect(page.getByTestId('cs-list-box')).toHaveAttribute('data-total', String(list.count));
    await expect(page.getByTestId('cs-list-box').locator('[role=option]').first()).toBeVisible();
  });

  test('preferences: a bad e-mail is flagged next to its field; a saved change survives a reload', async ({ page, host }) => {
    await login(page, host, host.users.reps[2] as string);
    await page.getByTestId('nav-prefs').click();
    const form = page.getByTestId('prefs-form');
    await expect(form).toBeVisible();
    await expect(page.getByTestId('settings-form')).toHaveCount(0);

    await page.getByTestId('prefs-googleEmail').fill('pas-une-adresse');
    await page.getByTestId('prefs-save').click();
    await expect(page.getByTestId('field-error-googleEmail')).toBeVisible();
    await shot(page, '09-prefs-error');

    await page.getByTestId('prefs-googleEmail').fill('commercial.test@example.fr');
    await page.getByTestId('prefs-calendarName').fill('Agenda CRM (test)');
    await page.getByTestId('prefs-monthsAfter').fill('6');
    await page.getByTestId('prefs-colorTransfer').uncheck();
    await page.getByTestId('prefs-save').click();
    await expect(page.getByTestId('prefs-saved')).toHaveText(/Préférences enregistrées/);
    await shot(page, '10-prefs-saved');

    await page.reload();
    await expect(page.getByTestId('prefs-form')).toBeVisible();
    await expect(page.getByTestId('prefs-googleEmail')).toHaveValue('commercial.test@example.fr');
    await expect(page.getByTestId('prefs-calendarName')).toHaveValue('Agenda CRM (test)');
    await expect(page.getByTestId('prefs-monthsAfter')).toHaveValue('6');
    await expect(page.getByTestId('prefs-colorTransfer')).not.toBeChecked();
  });

  test('ADM sees the « Dossier » settings', async ({ page, host }) => {
    await login(page, host, host.users.admin);
    await page.getByTestId('nav-prefs').click();
    const settings = page.getByTestId('settings-form');
    await expect(settings).toContainText('Dossier');
    await expect(page.getByTestId('settings-defaultActionType').locator('option')).not.toHaveCount(1);
    await shot(page, '11-prefs-admin');
  });
});

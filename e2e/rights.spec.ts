/**
 * The rights screen (issue 7; FTC019 §3.6), in the browser host: ADM grants a manager *Agenda*
 * on a rep with the keyboard, nothing ticked is lost when looking at another user, a refusal of
 * the core is shown next to its row and keeps the tick; the manager then sees that rep's agenda;
 * a rep has no such screen (and the core refuses the call). The grant is taken back at the end:
 * the host fixture is shared by every file of the worker. Screenshots: artifacts/screens/rights-*.png.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import { expect, login, test, type HostFixture } from './fixtures';

const SCREENS = fileURLToPath(new URL('./artifacts/screens/', import.meta.url));
mkdirSync(SCREENS, { recursive: true });
const SIZES = { small: { width: 1280, height: 720 }, large: { width: 1920, height: 1080 } } as const;

/** The page at 1280×720, and at 1920×1080 too when `both`. */
async function shot(page: Page, name: string, both = false) {
  await page.setViewportSize(SIZES.small);
  await page.screenshot({ path: `${SCREENS}rights-${name}.png` });
  if (both) {
    await page.setViewportSize(SIZES.large);
    await page.screenshot({ path: `${SCREENS}rights-${name}-1920.png` });
    await page.setViewportSize(SIZES.small);
  }
}

function failOnPageErrors(page: Page) {
  page.on('pageerror', (error) => {
    throw new Error(`uncaught error in the page: ${error.message}\n${error.stack ?? ''}`);
  });
}

const displayName = (host: HostFixture, login: string) => (host.db.prepare('SELECT display_name FROM users WHERE login = ?').get(login) as { display_name: string }).display_name;
const rightRow = (host: HostFixture, holder: string, target: string) =>
  host.db.prepare('SELECT visible, agenda FROM user_rights WHERE holder_id = ? AND target_id = ?').get(host.userId(holder), host.userId(target)) ?? null;

async function logout(page: Page) {
  await page.getByTestId('logout').click();
  await expect(page.getByTestId('login-form')).toBeVisible();
}

/** Tabs forward until `target` has the focus (the keyboard path a user would take). */
async function tabTo(page: Page, target: Locator, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error('the control was not reached with Tab');
}

test.use({ viewport: SIZES.small });

test('ADM grants a manager Agenda on a rep; the manager then sees that agenda; a rep has no rights screen', async ({ page, host }) => {
  failOnPageErrors(page);
  const manager = host.users.managers[0]!;
  const otherManager = host.users.managers[1]!;
  const rep = host.users.reps[2]!; // in the other manager's team: the first manager holds nothing on them
  const rep1 = host.users.reps[0]!;
  const [managerName, repName, rep1Name] = [displayName(host, manager), displayName(host, rep), displayName(host, rep1)];
  expect(rightRow(host, manager, rep)).toBeNull();

  await login(page, host, host.users.admin);
  await page.getByTestId('nav-rights').click();
  await expect(page).toHaveURL(/#\/rights$/);
  const view = page.getByTestId('rights-view');
  await expect(view.getByRole('heading', { level: 1 })).toHaveText('Droits des utilisateurs');
  // ADM is not among the holders: they already see every agenda.
  await expect(page.getByTestId('rights-user').filter({ hasText: 'Administrateur' })).toHaveCount(0);
  const userCount = (host.db.prepare('SELECT count(*) AS n FROM users WHERE active = 1 AND is_admin = 0').get() as { n: number }).n;
  await expect(page.getByTestId('rights-user')).toHaveCount(userCount);

  // The manager's rights, as the demo made them: Agenda on their team, nothing on the rep.
  const managerButton = page.locator(`[data-testid=rights-user][data-login="${manager}"]`);
  await managerButton.click();
  await expect(managerButton).toHaveAttribute('aria-current', 'true');
  const detail = page.getByTestId('rights-detail');
  await expect(detail.getByRole('heading', { level: 2 })).toHaveText(`Droits de ${managerName}`);
  const agendaBox = detail.getByRole('checkbox', { name: `Agenda de ${repName}`, exact: true });
  const visibleBox = detail.getByRole('checkbox', { name: `Visible sur ${repName}`, exact: true });
  await expect(agendaBox).not.toBeChecked();
  await expect(visibleBox).not.toBeChecked();
  await expect(detail.getByRole('checkbox', { name: `Agenda de ${rep1Name}`, exact: true })).toBeChecked();
  await expect(detail.getByRole('checkbox', { name: `Visible sur ${rep1Name}`, exact: true })).toBeChecked();
  await shot(page, '01-admin', true);

  // Keyboard: from the selected user, Tab reaches the box, with a visible focus ring; Space ticks it.
  await managerButton.focus();
  await tabTo(page, agendaBox);
  await expect(agendaBox).toHaveCSS('outline-style', 'solid');
  await page.keyboard.press('Space');
  await expect(agendaBox).toBeChecked();
  const row = page.locator(`[data-testid=rights-row][data-login="${rep}"]`);
  await expect(row).toHaveAttribute('data-changed', 'true');
  await expect(page.getByTestId('rights-pending')).toHaveText('1 modification non enregistrée');
  expect(rightRow(host, manager, rep)).toBeNull();

  // Looking at another user loses nothing: the tick is still there on the way back, and the
  // list marks the manager as having unsaved changes.
  await page.locator(`[data-testid=rights-user][data-login="${otherManager}"]`).click();
  await expect(detail).toHaveAttribute('data-holder-id', String(host.userId(otherManager)));
  await expect(managerButton.getByTestId('rights-unsaved')).toHaveText(/1 modification non enregistrée/);
  // Going to another screen and back loses nothing either.
  await page.getByTestId('nav-agenda').click();
  await expect(page.getByTestId('week-grid')).toBeVisible();
  await page.getByTestId('nav-rights').click();
  await managerButton.click();
  await expect(agendaBox).toBeChecked();
  await shot(page, '02-unsaved');

  await page.getByTestId('rights-save').click();
  await expect(page.getByTestId('rights-saved')).toHaveText(`✓ Droits de ${managerName} enregistrés.`);
  await expect(row).toHaveAttribute('data-changed', 'false');
  await expect(managerButton.getByTestId('rights-unsaved')).toHaveCount(0);
  expect(rightRow(host, manager, rep)).toEqual({ visible: 0, agenda: 1 });
  await shot(page, '03-saved', true);

  // A refusal of the core: the colleague left the company meanwhile. The error is shown next to
  // the row, the tick is kept, nothing is written; « Annuler les modifications » drops it.
  const otherRow = page.locator(`[data-testid=rights-row][data-login="${rep1}"]`);
  await page.locator(`[data-testid=rights-user][data-login="${otherManager}"]`).click();
  await otherRow.getByTestId('rights-visible').check();
  host.db.prepare('UPDATE users SET active = 0 WHERE id = ?').run(host.userId(rep1));
  try {
    await page.getByTestId('rights-save').click();
    await expect(otherRow.getByTestId('rights-row-error')).toHaveText("Refusé : L'élément demandé n'existe plus.");
    await expect(page.getByTestId('rights-error')).toContainText('0 enregistré(s), 1 refusé(s)');
    await expect(otherRow.getByTestId('rights-visible')).toBeChecked();
    await expect(otherRow.getByTestId('rights-visible')).toHaveAttribute('aria-invalid', 'true');
    expect(rightRow(host, otherManager, rep1)).toBeNull();
    await shot(page, '04-refused');
  } finally {
    host.db.prepare('UPDATE users SET active = 1 WHERE id = ?').run(host.userId(rep1));
  }
  await page.getByTestId('rights-discard').click();
  await expect(otherRow.getByTestId('rights-visible')).not.toBeChecked();
  await expect(otherRow.getByTestId('rights-row-error')).toHaveCount(0);

  // The same screen in English.
  await page.getByTestId('lang-en').click();
  await expect(view.getByRole('heading', { level: 1 })).toHaveText('User rights');
  await expect(page.getByTestId('nav-rights')).toHaveText('Rights');
  await shot(page, '05-en');
  await page.getByTestId('lang-fr').click();

  // The manager now sees the rep's agenda, with the Agenda badge; no rights screen for them.
  await logout(page);
  await login(page, host, manager);
  await expect(page.getByTestId('nav-rights')).toHaveCount(0);
  const option = page.getByTestId('user-picker').locator(`input[data-user-id="${host.userId(rep)}"]`);
  await expect(option).toHaveCount(1);
  await option.check();
  const repBlocks = page.locator(`[data-testid=week-grid] [data-user-id="${host.userId(rep)}"] [data-testid=action-block]`);
  for (let i = 0; i < 6 && (await repBlocks.count()) === 0; i++) {
    await expect(page.locator('.toolbar-note')).not.toHaveText(/Chargement/);
    if ((await repBlocks.count()) > 0) break;
    await page.getByTestId('week-next').click();
  }
  await expect(repBlocks.first()).toBeVisible();
  await shot(page, '06-manager-agenda');
  // Typing the screen's address shows the agenda instead.
  await page.goto(`${host.url}/#/rights`);
  await expect(page.getByTestId('week-grid')).toBeVisible();
  await expect(page.getByTestId('rights-view')).toHaveCount(0);

  // A rep: no tab, no screen, and the core refuses the call itself, changing nothing.
  await logout(page);
  await login(page, host, rep1);
  await expect(page.getByTestId('nav-prefs')).toBeVisible();
  await expect(page.getByTestId('nav-rights')).toHaveCount(0);
  await page.goto(`${host.url}/#/rights`);
  await expect(page.getByTestId('week-grid')).toBeVisible();
  await expect(page.getByTestId('rights-view')).toHaveCount(0);
  const rightsBefore = host.db.prepare('SELECT * FROM user_rights ORDER BY holder_id, target_id').all();
  const forged = await page.request.post(`${host.url}/api/call/users.setRights`, {
    data: { holderId: host.userId(rep1), targetId: host.userId(host.users.reps[1]!), visible: true, agenda: true },
  });
  expect(forged.status()).toBe(403);
  expect(await forged.json()).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Only the administrator (ADM) may do this.' } });
  expect(host.db.prepare('SELECT * FROM user_rights ORDER BY holder_id, target_id').all()).toEqual(rightsBefore);

  // ADM takes the grant back (the fixture is shared with the other files of this worker).
  await logout(page);
  await login(page, host, host.users.admin);
  await page.getByTestId('nav-rights').click();
  await managerButton.click();
  await agendaBox.uncheck();
  await page.getByTestId('rights-save').click();
  await expect(page.getByTestId('rights-saved')).toBeVisible();
  expect(rightRow(host, manager, rep)).toBeNull();
});

test('a manager already signed in sees a right ADM grants, and loses one ADM takes back, without signing in again', async ({ page, browser, host }) => {
  failOnPageErrors(page);
  const manager = host.users.managers[1]!; // the demo gives them Agenda on the third rep only
  const rep = host.users.reps[0]!;
  const repId = host.userId(rep);
  expect(rightRow(host, manager, rep)).toBeNull();
  await login(page, host, manager);
  await expect(page.getByTestId('week-grid')).toBeVisible();
  const option = page.getByTestId('user-picker').locator(`input[data-user-id="${repId}"]`);
  await expect(option).toHaveCount(0);

  // ADM, in another window, grants the manager Agenda on the rep.
  const admin = await browser.newContext({ viewport: SIZES.small });
  try {
    const adm = await admin.newPage();
    await login(adm, host, host.users.admin);
    await adm.getByTestId('nav-rights').click();
    await adm.locator(`[data-testid=rights-user][data-login="${manager}"]`).click();
    const agendaBox = adm.getByTestId('rights-detail').getByRole('checkbox', { name: `Agenda de ${displayName(host, rep)}`, exact: true });
    await agendaBox.check();
    await adm.getByTestId('rights-save').click();
    await expect(adm.getByTestId('rights-saved')).toBeVisible();
    expect(rightRow(host, manager, rep)).toEqual({ visible: 0, agenda: 1 });

    // The manager's agenda offers the rep at once; picked, the rep's column shows.
    await expect(option).toHaveCount(1);
    await option.check();
    const repHead = page.locator(`[data-testid=week-grid] .user-head[data-user-id="${repId}"]`);
    await expect(repHead.first()).toBeVisible();

    // ADM takes it back: the rep leaves the picker and the grid.
    await agendaBox.uncheck();
    await adm.getByTestId('rights-save').click();
    await expect(adm.getByTestId('rights-saved')).toBeVisible();
    expect(rightRow(host, manager, rep)).toBeNull();
    await expect(option).toHaveCount(0);
    await expect(repHead).toHaveCount(0);
  } finally {
    host.db.prepare('DELETE FROM user_rights WHERE holder_id = ? AND target_id = ?').run(host.userId(manager), repId);
    await admin.close();
  }
});

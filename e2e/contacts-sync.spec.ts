/**
 * The contact sync list in the browser host against the Google emulator (issue 6; FTC019 §3.4):
 * a connected rep opens the sync list beside the contacts and fills it — three contacts dragged
 * at once with the mouse, one dragged from the keyboard, one through a contact's context menu
 * (right-click) and one through it from the keyboard (Shift+F10), two through the list's own
 * context menu « Ajouter… » (the picker; Escape there is a cancel: nothing added); a contact the
 * core refuses shows the core's sentence and adds nothing. « Synchroniser les contacts maintenant » sends them, with its progress bar and
 * report, and the official People client finds each one in the emulator, once. Removing one
 * leaves it in Google; removing one with « supprimer aussi dans Google » deletes it there.
 * The same screens in English. Screenshots: e2e/artifacts/screens/contacts-sync-*.png (1280×720).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import { people, type people_v1 } from '@googleapis/people';
import { OAuth2Client } from 'google-auth-library';
import { CONTACT_CRM_ID } from '../electron/core/google/identity';
import { CLIENT, connectWithoutConsent, expect, login, startGoogleHost, test as googleTest, useEmulatorClient, type GoogleHostFixture, type GoogleRep } from './google-fixtures';

const SCREENS = fileURLToPath(new URL('./artifacts/screens/', import.meta.url));
mkdirSync(SCREENS, { recursive: true });
const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENS}contacts-sync-${name}.png` });

/** A host of its own: these tests change a rep's sync list and Google account. */
const test = googleTest.extend<object, { csHost: GoogleHostFixture }>({
  csHost: [
    async ({}, use) => {
      const h = await startGoogleHost({ startupSync: false });
      await use(h.fixture);
      await h.close();
    },
    { scope: 'worker' },
  ],
});

test.use({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR' });
test.describe.configure({ mode: 'serial' });

interface Row {
  id: number;
  first_name: string;
  last_name: string;
  email: string;
}

function repOf(host: GoogleHostFixture): GoogleRep {
  const rep = host.reps[0];
  if (!rep) throw new Error('no rep with a Google account in the demo');
  return rep;
}

/** The rep's sync list, as the database holds it. */
function listIds(host: GoogleHostFixture): number[] {
  const userId = host.userId(repOf(host).login);
  return (host.db.prepare('SELECT contact_id AS id FROM contact_sync_list WHERE user_id = ? ORDER BY contact_id').all(userId) as { id: number }[]).map((r) => r.id);
}

function contactRow(host: GoogleHostFixture, id: number): Row {
  return host.db.prepare('SELECT id, first_name, last_name, email FROM contacts WHERE id = ?').get(id) as Row;
}

/** The official People client on the rep's emulator account. */
async function peopleClient(host: GoogleHostFixture): Promise<people_v1.People> {
  const tokens = await host.emu.mintTokens({ clientId: CLIENT.clientId, email: repOf(host).googleEmail, scopes: ['https://www.googleapis.com/auth/contacts'] });
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: tokens.access_token });
  return people({ version: 'v1', auth: auth as never, rootUrl: `${host.emu.url}/`, retry: false });
}

/** Every live contact of the rep's Google account, by the CRM id it carries. */
async function googleByCrmId(host: GoogleHostFixture): Promise<Map<number, people_v1.Schema$Person[]>> {
  const ppl = await peopleClient(host);
  const out = new Map<number, people_v1.Schema$Person[]>();
  let pageToken: string | undefined;
  do {
    const r = await ppl.people.connections.list({ resourceName: 'people/me', personFields: 'names,emailAddresses,clientData,metadata', pageSize: 1000, pageToken });
    for (const p of r.data.connections ?? []) {
      const crm = p.clientData?.find((d) => d.key === CONTACT_CRM_ID)?.value;
      if (!crm) continue;
      const list = out.get(Number(crm)) ?? [];
      list.push(p);
      out.set(Number(crm), list);
    }
    pageToken = r.data.nextPageToken ?? undefined;
  } while (pageToken);
  return out;
}

/** Slows every Google answer so a run lasts long enough to be seen (and photographed). */
function googleLatency(host: GoogleHostFixture, ms: number) {
  (host.emu.emulator.opts as { latencyMs: number }).latencyMs = ms;
}

const tableRows = (page: Page) => page.getByTestId('contacts-table').locator('tbody tr');
const rowId = async (row: Locator) => Number(await row.getAttribute('data-contact-id'));

/** Drags with the mouse in small steps (dnd-kit starts a drag past 6 px). */
async function mouseDrag(page: Page, from: Locator, to: Locator, during?: () => Promise<void>) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('nothing to drag from or to');
  await page.mouse.move(a.x + a.width / 3, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 3 + 12, a.y + a.height / 2 + 4, { steps: 3 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  if (during) await during();
  await page.mouse.up();
}

async function openContactsWithPanel(page: Page) {
  await page.getByTestId('nav-contacts').click();
  await expect(tableRows(page).first()).toBeVisible();
  if ((await page.getByTestId('cs-panel').count()) === 0) await page.getByTestId('cs-panel-toggle').click();
  await expect(page.getByTestId('cs-panel')).toBeVisible();
}

test.describe('contact sync list', () => {
  test.beforeAll(async ({ csHost }) => {
    await useEmulatorClient(csHost);
    await connectWithoutConsent(csHost, repOf(csHost).login);
    // A known start: the demo's list emptied.
    csHost.db.prepare('DELETE FROM contact_sync_list WHERE user_id = ?').run(csHost.userId(repOf(csHost).login));
  });

  test('fill it: drag three contacts at once, one from the keyboard, both context menus, the picker; a refusal says why', async ({ page, csHost }) => {
    await login(page, csHost, repOf(csHost).login);
    await page.getByTestId('nav-contacts').click();
    await expect(tableRows(page).first()).toBeVisible();
    await page.getByTestId('cs-panel-toggle').click();
    const panel = page.getByTestId('cs-panel');
    await expect(panel).toBeVisible();
    await expect(page.getByTestId('cs-panel-list-empty')).toBeVisible();
    await expect(page.getByTestId('cs-panel-count')).toHaveText('0');
    await shot(page, '01-panel-empty');

    // Three at once: a click (opens the card, over the list), Shift+click two rows down.
    const rows = tableRows(page);
    const picked = [await rowId(rows.nth(0)), await rowId(rows.nth(1)), await rowId(rows.nth(2))];
    await rows.nth(0).click();
    await expect(page.getByTestId('contact-detail')).toBeVisible();
    await rows.nth(2).click({ modifiers: ['Shift'] });
    for (let i = 0; i < 3; i++) await expect(rows.nth(i)).toHaveAttribute('aria-selected', 'true');
    await mouseDrag(page, rows.nth(1), page.getByTestId('cs-drop'), async () => {
      // While dragging, the card steps aside and the list shows where to drop.
      await expect(page.getByTestId('cs-drag-chip')).toHaveText('3 contacts');
      await expect(panel).toHaveAttribute('data-over', 'true');
      await shot(page, '02-dragging-three');
    });
    await expect(page.getByTestId('cs-panel-count')).toHaveText('3');
    expect(listIds(csHost)).toEqual([...picked].sort((a, b) => a - b));
    const names = picked.map((id) => contactRow(csHost, id)).map((c) => [c.last_name, c.first_name].filter(Boolean).join(' '));
    await expect(page.getByTestId('contacts-cs-notice')).toHaveText(`3 contacts ajoutés à la liste : ${names.join(', ')}. La liste compte 3 contacts.Fermer ce message`);
    await expect(page.getByTestId('contact-detail')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('contact-detail')).toBeHidden();
    for (const id of picked) await expect(page.getByTestId('cs-panel-list-box').locator(`[data-id="${id}"]`)).toBeVisible();
    await expect(page.getByTestId('cs-panel-list-box').locator('[data-state="pending"]')).toHaveCount(3);

    // From the keyboard: the grip of the fourth row, Space, → onto the list, Space.
    const fourth = await rowId(rows.nth(3));
    await rows.nth(3).getByTestId('contact-grip').focus();
    await page.keyboard.press('Space');
    await expect(page.getByTestId('cs-drag-chip')).toBeVisible();
    await page.keyboard.press('ArrowRight');
    await expect(panel).toHaveAttribute('data-over', 'true');
    await page.keyboard.press('Space');
    await expect(page.getByTestId('cs-panel-count')).toHaveText('4');
    expect(listIds(csHost)).toContain(fourth);

    // A contact's context menu, right-click: « Contact à synchroniser ».
    const fifth = await rowId(rows.nth(4));
    await rows.nth(4).click({ button: 'right' });
    const menu = page.getByRole('menu', { name: 'Actions sur le contact' });
    await expect(menu).toBeVisible();
    await expect(menu.getByRole('menuitem')).toHaveText(['Contact à synchroniser', 'Ouvrir la fiche']);
    await shot(page, '03-contact-menu');
    await menu.getByRole('menuitem', { name: 'Contact à synchroniser' }).click();
    await expect(page.getByTestId('cs-panel-count')).toHaveText('5');
    expect(listIds(csHost)).toContain(fifth);

    // The same menu from the keyboard: Shift+F10 on the row, Enter on its first item.
    const sixth = await rowId(rows.nth(5));
    await rows.nth(5).focus();
    await page.keyboard.press('Shift+F10');
    await expect(menu).toBeVisible();
    await expect(menu.getByRole('menuitem', { name: 'Contact à synchroniser' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('cs-panel-count')).toHaveText('6');
    expect(listIds(csHost)).toContain(sixth);
    await expect(rows.nth(5)).toBeFocused();

    // A contact the rep may no longer see (its company just went to a colleague): the core
    // refuses it, names it, and nothing is added.
    const repId = csHost.userId(repOf(csHost).login);
    let refused: { id: number; companyId: number } | null = null;
    for (let i = 6; i < 20 && !refused; i++) {
      const id = await rowId(rows.nth(i));
      const c = csHost.db.prepare('SELECT c.company_id AS companyId FROM contacts c JOIN companies co ON co.id = c.company_id WHERE c.id = ? AND co.sales_rep_id = ?').get(id, repId) as { companyId: number } | undefined;
      if (c) refused = { id, companyId: c.companyId };
    }
    if (!refused) throw new Error('no contact of one of the rep’s companies on the first page');
    const colleague = csHost.userId(csHost.reps[1]!.login);
    csHost.db.prepare('UPDATE companies SET sales_rep_id = ? WHERE id = ?').run(colleague, refused.companyId);
    try {
      await page.locator(`[data-contact-id="${refused.id}"]`).click({ button: 'right' });
      await menu.getByRole('menuitem', { name: 'Contact à synchroniser' }).click();
      await expect(page.getByTestId('contacts-cs-refused')).toBeVisible();
      await expect(page.getByTestId('contacts-cs-refused-message')).toHaveText(`contact ${refused.id} cannot be added: they do not exist or you may not see them. Nothing was added.`);
      const r = contactRow(csHost, refused.id);
      await expect(page.getByTestId('contacts-cs-refused')).toContainText(`${[r.last_name, r.first_name].filter(Boolean).join(' ')} : refusé par le CRM, rien n’a été changé. Sa réponse :`);
      await shot(page, '04-refused');
    } finally {
      csHost.db.prepare('UPDATE companies SET sales_rep_id = ? WHERE id = ?').run(repId, refused.companyId);
    }
    await expect(page.getByTestId('cs-panel-count')).toHaveText('6');
    expect(listIds(csHost)).toHaveLength(6);

    // The list's own context menu in Préférences: « Ajouter… » opens the picker of the
    // contacts the rep can see; two picked with click and Ctrl+click.
    await page.getByTestId('nav-prefs').click();
    const card = page.getByTestId('contact-sync-card');
    await expect(card).toBeVisible();
    await expect(page.getByTestId('cs-count')).toHaveText('6');
    await page.getByTestId('cs-list-box').locator('[role=option]').first().click({ button: 'right' });
    const listMenu = page.getByRole('menu', { name: 'Actions sur la liste à synchroniser' });
    await expect(listMenu).toBeVisible();
    await listMenu.getByRole('menuitem', { name: 'Ajouter…' }).click();
    const picker = page.getByTestId('cs-picker');
    await expect(picker).toBeVisible();
    await expect(picker.getByRole('option').first()).toBeVisible();
    const onList = picker.locator('[role=option][aria-disabled=true]');
    // Those already on the list cannot be picked again.
    const firstOnList = contactRow(csHost, picked[0]!);
    await picker.getByTestId('cs-picker-search').fill(firstOnList.last_name);
    await expect(onList.first()).toBeVisible();
    await expect(onList.first()).toContainText('Déjà dans la liste');
    await picker.getByTestId('cs-picker-search').fill('');
    const free = picker.locator('[role=option]:not([aria-disabled])');
    await expect(free.first()).toBeVisible();
    // Ctrl+A picks every contact that may still be added, not only the rows read so far; a click then picks one alone.
    const pickerTotal = Number((await picker.getByTestId('cs-picker-total').textContent())!.replace(/\D/g, ''));
    expect(pickerTotal).toBeGreaterThan(200);
    await free.first().click();
    await page.keyboard.press('Control+a');
    await expect(picker.getByTestId('cs-picker-add')).toHaveText(`Ajouter ${pickerTotal - 6} contacts`);
    const pickA = Number(await free.nth(0).getAttribute('data-id'));
    const pickB = Number(await free.nth(2).getAttribute('data-id'));
    await free.nth(0).click();
    await free.nth(2).click({ modifiers: ['Control'] });
    await expect(picker.getByTestId('cs-picker-add')).toHaveText('Ajouter 2 contacts');
    await shot(page, '05-picker');

    // Escape is a cancel, as « Annuler » is: the picker closes, the two picked are not added, and
    // it opens again with nothing picked.
    const beforeEscape = listIds(csHost);
    // From the list, where the picking was done.
    expect(await page.evaluate(() => Boolean(document.activeElement?.closest('[data-testid=cs-picker-box]')))).toBe(true);
    await page.keyboard.press('Escape');
    await expect(picker).toBeHidden();
    await expect(page.getByTestId('cs-count')).toHaveText('6');
    await page.getByTestId('cs-list-add').click();
    await expect(picker).toBeVisible();
    await expect(free.first()).toBeVisible();
    await expect(picker.locator('[role=option][aria-selected=true]')).toHaveCount(0);
    await expect(picker.getByTestId('cs-picker-add')).toHaveText('Ajouter');
    await expect(picker.getByTestId('cs-picker-add')).toBeDisabled();
    expect(listIds(csHost)).toEqual(beforeEscape);
    await expect(page.getByTestId('cs-count')).toHaveText('6');
    await free.nth(0).click();
    await free.nth(2).click({ modifiers: ['Control'] });
    await expect(picker.getByTestId('cs-picker-add')).toHaveText('Ajouter 2 contacts');
    expect([Number(await free.nth(0).getAttribute('data-id')), Number(await free.nth(2).getAttribute('data-id'))]).toEqual([pickA, pickB]);
    await picker.getByTestId('cs-picker-add').click();
    await expect(picker).toBeHidden();
    await expect(page.getByTestId('cs-count')).toHaveText('8');
    expect(listIds(csHost)).toEqual(expect.arrayContaining([pickA, pickB]));
    await expect(page.getByTestId('cs-list-notice')).toContainText('2 contacts ajoutés à la liste');
  });

  test('sync now: progress bar, report, every contact once in Google (official People client), a refused one with its reason, the log', async ({ page, csHost }) => {
    const box = page.getByTestId('cs-list-box');
    const ids = listIds(csHost);
    expect(ids).toHaveLength(8);
    // One e-mail Google will not take (typed before the CRM checked e-mails): that contact
    // fails with its reason, the others go through.
    const bad = ids[ids.length - 1]!;
    csHost.db.prepare("UPDATE contacts SET email = 'ancien@@adresse' WHERE id = ?").run(bad);
    const good = ids.filter((id) => id !== bad);
    await login(page, csHost, repOf(csHost).login);
    await page.getByTestId('nav-prefs').click();
    await expect(box.locator('[role=option]')).toHaveCount(8);
    await expect(box.locator('[data-state="pending"]')).toHaveCount(8);
    await expect(page.getByTestId('cs-last-sync')).toHaveText('Jamais');
    await page.getByTestId('contact-sync-card').scrollIntoViewIfNeeded();
    await shot(page, '06-prefs-to-send');

    // Cancel while Google is still answering the first read: the run stops, says so, and sends
    // nothing; the next run below sends everything, once.
    googleLatency(csHost, 1500);
    try {
      await page.getByTestId('cs-sync-now').click();
      await expect(page.getByTestId('cs-progress')).toHaveAttribute('data-phase', 'pull');
      await page.getByTestId('cs-cancel').click();
      await expect(page.getByTestId('cs-report')).toHaveAttribute('data-status', 'cancelled', { timeout: 15_000 });
      await expect(page.getByTestId('cs-progress')).toBeHidden();
      await expect(page.getByTestId('cs-report')).toContainText('Synchronisation annulée');
    } finally {
      googleLatency(csHost, 0);
    }
    expect((await googleByCrmId(csHost)).size).toBe(0);
    await expect(box.locator('[data-state="pending"]')).toHaveCount(8);

    googleLatency(csHost, 400);
    try {
      await page.getByTestId('cs-sync-now').click();
      await expect(page.getByTestId('cs-progress')).toBeVisible();
      await expect(page.getByRole('progressbar', { name: 'Synchronisation des contacts avec Google' })).toBeVisible();
      await page.getByTestId('cs-progress').scrollIntoViewIfNeeded();
      await shot(page, '07-progress');
    } finally {
      googleLatency(csHost, 0);
    }
    const report = page.getByTestId('cs-report');
    await expect(report).toHaveAttribute('data-status', 'partial', { timeout: 30_000 });
    await expect(page.getByTestId('cs-progress')).toBeHidden();
    await expect(report.getByTestId('cs-report-google').locator('[data-count=created] dd')).toHaveText('7');
    const b = contactRow(csHost, bad);
    // Said in the user's language, the app's own reason included (the log too, below).
    const reason = `« ${[b.first_name, b.last_name].filter(Boolean).join(' ')} » n’a pas été envoyé à Google : l’adresse e-mail « ancien@@adresse » n’est pas valide : corrigez-la dans le CRM.`;
    await expect(report.getByTestId('cs-report-errors')).toContainText(reason);
    await expect(box.locator('[data-state="synced"]')).toHaveCount(7);
    const badRow = box.locator(`[data-id="${bad}"]`);
    await expect(badRow.getByTestId('cs-state')).toHaveAttribute('data-state', 'error');
    await expect(badRow.getByTestId('cs-state-message')).toHaveText(reason);
    await expect(page.getByTestId('cs-last-sync')).not.toHaveText('Jamais');
    await report.scrollIntoViewIfNeeded();
    await shot(page, '08-report');

    // Google's side, read with the official client: each contact once, by its CRM id, with
    // the CRM's name (first + last as one name) and e-mail.
    const google = await googleByCrmId(csHost);
    for (const id of good) {
      const found = google.get(id) ?? [];
      expect(found, `contact ${id} in Google`).toHaveLength(1);
      const c = contactRow(csHost, id);
      expect(found[0]!.names?.[0]?.unstructuredName).toBe([c.first_name, c.last_name].filter(Boolean).join(' '));
      if (c.email) expect(found[0]!.emailAddresses?.[0]?.value).toBe(c.email);
    }
    expect([...google.keys()].sort((a, b) => a - b)).toEqual(good);

    // The log: the run, its entries.
    const run = page.getByTestId('cs-run').first();
    await expect(run).toHaveAttribute('data-status', 'partial');
    await expect(run.locator('[data-col=google-created]')).toHaveText('7');
    await run.getByRole('button').click();
    await expect(page.getByTestId('cs-entries').locator('[data-level=error]')).toContainText(reason);
    await page.getByTestId('cs-log').scrollIntoViewIfNeeded();
    await shot(page, '09-log');
  });

  test('remove: kept in Google by default; deleted there when asked', async ({ page, csHost }) => {
    await login(page, csHost, repOf(csHost).login);
    await page.getByTestId('nav-prefs').click();
    const box = page.getByTestId('cs-list-box');
    await expect(box.locator('[role=option]')).toHaveCount(8);
    const [keep, drop] = listIds(csHost) as [number, number];

    // Ctrl+A and the menu's « Tout sélectionner » select the whole list; Escape lets it go.
    await box.locator(`[data-id="${keep}"]`).click();
    await page.keyboard.press('Control+a');
    await expect(page.getByTestId('cs-list-selected')).toHaveText('8 sélectionnés');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('cs-list-selected')).toHaveText('');
    await box.locator(`[data-id="${keep}"]`).click({ button: 'right' });
    await page.getByTestId('cs-menu-select-all').click();
    await expect(page.getByTestId('cs-list-selected')).toHaveText('8 sélectionnés');

    // The first: click, Delete, the box « supprimer aussi » left unticked.
    await box.locator(`[data-id="${keep}"]`).click();
    await page.keyboard.press('Delete');
    const dialog = page.getByTestId('cs-remove-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('heading')).toHaveText('Retirer ce contact de la liste ?');
    await expect(dialog.getByTestId('cs-remove-delete-google')).not.toBeChecked();
    const k = contactRow(csHost, keep);
    await expect(dialog.getByTestId('cs-remove-names')).toHaveText([k.last_name, k.first_name].filter(Boolean).join(' '));
    await shot(page, '10-remove-dialog');
    await dialog.getByTestId('cs-remove-confirm').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('cs-count')).toHaveText('7');
    await expect(page.getByTestId('cs-list-notice')).toContainText('1 contact retiré de la liste. Il reste dans Google Contacts.');
    expect(listIds(csHost)).not.toContain(keep);
    expect((await googleByCrmId(csHost)).get(keep)).toHaveLength(1);

    // The second: right-click, « Retirer… » in the list's menu, « supprimer aussi dans Google » ticked.
    await box.locator(`[data-id="${drop}"]`).click({ button: 'right' });
    await page.getByRole('menu', { name: 'Actions sur la liste à synchroniser' }).getByRole('menuitem', { name: 'Retirer le contact sélectionné…' }).click();
    await expect(dialog).toBeVisible();
    await dialog.getByTestId('cs-remove-delete-google').check();
    await expect(dialog.getByTestId('cs-remove-confirm')).toHaveText('Retirer et supprimer dans Google');
    await shot(page, '11-remove-delete-in-google');
    await dialog.getByTestId('cs-remove-confirm').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('cs-count')).toHaveText('6');
    await expect(page.getByTestId('cs-list-notice')).toContainText('1 contact retiré de la liste. 1 supprimé aussi dans Google Contacts.');
    expect(listIds(csHost)).not.toContain(drop);
    const google = await googleByCrmId(csHost);
    expect(google.get(drop)).toBeUndefined();
    expect(google.get(keep)).toHaveLength(1);
    await expect(box.locator('[role=option]')).toHaveCount(6);
  });

  test('in English: the card, the panel, the menus, the dialogs', async ({ page, csHost }) => {
    await login(page, csHost, repOf(csHost).login);
    await page.getByTestId('lang-en').click();
    await page.getByTestId('nav-prefs').click();
    const card = page.getByTestId('contact-sync-card');
    await expect(card.getByRole('heading', { name: 'Contacts to sync', level: 2 })).toBeVisible();
    await expect(page.getByTestId('cs-sync-now')).toHaveText('Sync contacts now');
    await expect(page.getByTestId('cs-list-box').locator('[data-state="synced"]').first()).toContainText('Synced');
    await card.scrollIntoViewIfNeeded();
    await shot(page, '12-prefs-en');
    await page.getByTestId('cs-list-box').locator('[role=option]').first().click();
    await page.keyboard.press('Delete');
    await expect(page.getByTestId('cs-remove-dialog').getByRole('heading')).toHaveText('Remove this contact from the list?');
    await expect(page.getByTestId('cs-remove-delete-google')).not.toBeChecked();
    await shot(page, '13-remove-dialog-en');
    await page.getByTestId('cs-remove-cancel').click();

    await openContactsWithPanel(page);
    await expect(page.getByTestId('cs-panel').getByRole('heading', { level: 2 })).toContainText('Contacts to sync');
    await tableRows(page).nth(8).click({ button: 'right' });
    await expect(page.getByRole('menu', { name: 'Actions on the contact' }).getByRole('menuitem')).toHaveText(['Contact to sync', 'Open the card']);
    await shot(page, '14-contacts-en');
    await page.keyboard.press('Escape');
    await page.getByTestId('cs-panel-list-add').click();
    await expect(page.getByTestId('cs-picker').getByRole('heading')).toHaveText('Add contacts to sync');
    await shot(page, '15-picker-en');
    await page.getByTestId('cs-picker-cancel').click();
  });
});

/**
 * Agenda sync in the browser host against the Google emulator (issue 5; FTC019 §3.3, §3.6): a
 * rep edits an action in the agenda's detail panel (from the keyboard; the core's field errors
 * shown next to the fields, nothing typed lost), clicks « Synchroniser maintenant » and finds
 * every edited field in Google (read with the official client); the blocks' sync badges; the
 * conflict rule in Préférences; events deleted in Google are asked about at the next startup
 * sync, one by one or all at once (« Appliquer à toutes », or Ctrl held as in the seed), and
 * asked only once; Cancel beside the progress bar stops a run, the next one ends without
 * duplicates; the sync log shows the runs. Screenshots go to e2e/artifacts/screens/sync-*.png
 * (1280×720).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import type { calendar_v3 } from '@googleapis/calendar';
import { TZDate } from '@date-fns/tz';
import { DEMO_CALENDAR, connectWithoutConsent, expect, firstTypeId, googleCalendar, login, test, useEmulatorClient, type GoogleHostFixture, type GoogleRep } from './google-fixtures';
import { listAllEvents } from '../tests/google/events';

const SCREENS = fileURLToPath(new URL('./artifacts/screens/', import.meta.url));
mkdirSync(SCREENS, { recursive: true });

test.use({ viewport: { width: 1280, height: 720 } });
test.describe.configure({ mode: 'serial' });

const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENS}sync-${name}.png` });

/** The rep these tests sync (the last one: the connection tests use the first ones). */
function repOf(host: GoogleHostFixture): GoogleRep {
  const rep = host.reps[host.reps.length - 1];
  if (!rep) throw new Error('no rep with a Google account in the demo');
  return rep;
}

const crmIdOf = (e: calendar_v3.Schema$Event): number | null => {
  const v = e.extendedProperties?.private?.crmActionId;
  return v ? Number(v) : null;
};

/** Slows every Google answer so a run lasts long enough to be seen (and photographed). */
function googleLatency(host: GoogleHostFixture, ms: number) {
  (host.emu.emulator.opts as { latencyMs: number }).latencyMs = ms;
}

async function openSync(page: Page) {
  await page.getByTestId('nav-sync').click();
  await expect(page.getByTestId('agenda-sync-card')).toBeVisible();
}

/** Logs out and in again: the app "opens" and the startup sync runs. */
async function reopen(page: Page, host: GoogleHostFixture, loginName: string) {
  await page.getByTestId('logout').click();
  await expect(page.getByTestId('login-form')).toBeVisible();
  await page.getByTestId('login-name').fill(loginName);
  await page.getByTestId('login-password').fill('demo');
  await page.getByTestId('login-password').press('Enter');
  await expect(page.getByTestId('current-user')).toBeVisible();
}

/** The instant of a wall-clock time in Paris (the demo users' zone) on a `yyyy-MM-dd` date. */
function parisInstant(date: string, time: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [h, min] = time.split(':').map(Number) as [number, number];
  return new Date(+new TZDate(y, m - 1, d, h, min, 'Europe/Paris')).toISOString();
}

/**
 * Opens a plain timed action of the shown week in the detail panel from the keyboard, and edits
 * it: first with two mistakes the core refuses (an empty title, then an end before the start),
 * each shown next to its field with everything typed kept, then right. Returns what was saved.
 */
async function editInPanel(page: Page): Promise<{ id: number; title: string; date: string }> {
  await page.getByTestId('nav-agenda').click();
  const grid = page.getByTestId('week-grid');
  await expect(grid).toBeVisible();
  const plain = grid.locator('.week-body [data-testid=action-block]:not(.busy):not([data-series])');
  if ((await plain.count()) === 0) await page.getByTestId('week-next').click();
  const block = plain.first();
  await expect(block).toBeVisible();
  // Never synced yet and nothing waiting: no badge.
  await expect(block.getByTestId('sync-badge')).toHaveCount(0);
  const id = Number(await block.getAttribute('data-action-id'));
  await block.focus();
  await page.keyboard.press('Enter');
  const panel = page.getByTestId('action-detail');
  const form = panel.getByTestId('action-form');
  await expect(form).toBeVisible();
  const date = await form.getByTestId('edit-startDate').inputValue();

  const title = `Rendez-vous signé (e2e ${Date.now() % 10_000})`;
  await form.getByTestId('edit-title').fill('');
  await form.getByTestId('edit-location').fill('Lyon, 12 rue Mercière');
  await form.getByTestId('edit-endDate').fill(date);
  await form.getByTestId('edit-startTime').fill('14:00');
  await form.getByTestId('edit-endTime').fill('13:00');
  await form.getByTestId('edit-private').check();
  await form.getByTestId('edit-reminderOn').check();
  await form.getByTestId('edit-reminderMinutes').fill('25');
  await form.getByTestId('edit-description').fill('Apporter le devis signé.\nDeux exemplaires.');
  // Escape does not throw away what was typed.
  await page.keyboard.press('Escape');
  await expect(form).toBeVisible();
  await form.getByTestId('edit-save').click();
  await expect(form.getByTestId('edit-error-title')).toHaveText('Ce champ est obligatoire.');
  await expect(form.getByTestId('edit-title')).toBeFocused();
  await expect(form.getByTestId('edit-title')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByTestId('edit-location')).toHaveValue('Lyon, 12 rue Mercière');
  await expect(form.getByTestId('edit-description')).toHaveValue('Apporter le devis signé.\nDeux exemplaires.');
  await shot(page, 'edit-01-title-error');

  await page.keyboard.type(title);
  await expect(form.getByTestId('edit-error-title')).toHaveCount(0);
  await page.keyboard.press('Enter');
  await expect(form.getByTestId('edit-error-endTime')).toHaveText('La fin doit être après le début.');
  await expect(form.getByTestId('edit-title')).toHaveValue(title);
  await expect(form.getByTestId('edit-reminderMinutes')).toHaveValue('25');
  await shot(page, 'edit-02-period-error');

  await form.getByTestId('edit-endTime').fill('15:30');
  await form.getByTestId('edit-save').click();
  await expect(form.getByTestId('edit-saved')).toHaveText('✓ Action enregistrée.');
  await expect(panel.getByRole('heading', { name: title })).toBeVisible();
  // The block shows the change, waiting to be pushed (automatic sync is off for this rep).
  const edited = page.locator(`[data-testid=action-block][data-action-id="${id}"]`);
  await expect(edited).toContainText(title);
  await expect(edited).toHaveAttribute('data-sync', 'pending');
  await expect(panel.getByTestId('detail-sync')).toHaveText('Modification en attente d’envoi vers Google');
  await shot(page, 'edit-03-saved');

  // The same panel in English.
  await page.getByTestId('lang-en').click();
  await expect(form.getByTestId('edit-save')).toHaveText('Save');
  await expect(form.getByText('All day')).toBeVisible();
  await shot(page, 'edit-04-en');
  await page.getByTestId('lang-fr').click();
  await panel.getByRole('button', { name: 'Fermer' }).click();
  await expect(panel).toBeHidden();
  return { id, title, date };
}

test.describe('Agenda sync', () => {
  test.beforeAll(async ({ syncHost }) => {
    const rep = repOf(syncHost);
    await useEmulatorClient(syncHost);
    await connectWithoutConsent(syncHost, rep.login);
    const conn = syncHost.core.newConnection();
    const reply = syncHost.core.callSync(conn, 'session.login', { login: rep.login, password: 'demo' });
    if (!reply.ok) throw new Error(reply.error.message);
    await syncHost.core.invoke(conn, 'syncPrefs.update', {
      patch: { googleEmail: rep.googleEmail, calendarName: DEMO_CALENDAR, monthsBefore: 1, monthsAfter: 2, automaticSync: false, startupSync: false },
    });
  });

  test('a changed action reaches Google with « Synchroniser maintenant »; the preview writes nothing; the log shows the run', async ({ page, syncHost }) => {
    const rep = repOf(syncHost);
    const { cal, calendarId } = await googleCalendar(syncHost, rep.googleEmail);
    expect(await listAllEvents(cal, calendarId)).toHaveLength(0);

    await login(page, syncHost, rep.login);
    await openSync(page);
    await expect(page.getByTestId('sync-log-empty')).toContainText('Aucune synchronisation');
    await shot(page, '01-empty');

    // Preview: counts per side, nothing written.
    await page.getByTestId('sync-preview').click();
    const report = page.getByTestId('sync-report');
    await expect(report).toHaveAttribute('data-dry-run', 'true');
    await expect(report).toContainText('Aperçu');
    await expect(report).toContainText('Rien n’a été modifié');
    const toCreate = Number(await page.getByTestId('sync-report-google').locator('[data-count=created] dd').innerText());
    expect(toCreate).toBeGreaterThan(0);
    await shot(page, '02-preview');
    expect(await listAllEvents(cal, calendarId)).toHaveLength(0);
    await expect(page.getByTestId('sync-log-empty')).toBeVisible();

    // The rep edits an action in the agenda's detail panel (opened from the keyboard).
    const edit = await editInPanel(page);
    const target = { id: edit.id };
    const newTitle = edit.title;
    await openSync(page);

    // The progress bar is seen while Google answers (slowed down), then goes away.
    googleLatency(syncHost, 40);
    await page.getByTestId('sync-now').click();
    const progress = page.getByTestId('sync-progress');
    await expect(progress).toBeVisible();
    const bar = progress.getByRole('progressbar', { name: 'Synchronisation de l’agenda avec Google' });
    await expect(page.getByTestId('sync-now')).toBeDisabled();
    // Pushing the first sync's events, batch by batch, paced to the quota.
    // Text and maximum read in one go: two expects in a row could race the run's end in between.
    await expect
      .poll(() => bar.evaluate((el) => `${el.getAttribute('aria-valuetext')} | max ${el.getAttribute('aria-valuemax')}`, undefined, { timeout: 1_000 }).catch(() => 'gone'), { timeout: 20_000 })
      .toMatch(/^Envoi vers Google… [1-9]\d* \/ (\d+) \| max \1$/);
    await shot(page, '03-progress');
    await expect(progress).toBeHidden({ timeout: 30_000 });
    googleLatency(syncHost, 0);

    await expect(report).toHaveAttribute('data-dry-run', 'false');
    await expect(report).toHaveAttribute('data-status', 'ok');
    await expect(report).toContainText('Résultat de la synchronisation');
    await shot(page, '04-report');

    const events = await listAllEvents(cal, calendarId);
    expect(events.length).toBeGreaterThanOrEqual(toCreate);
    // Every field edited in the panel, as Google holds it.
    const pushed = events.find((e) => crmIdOf(e) === target.id);
    expect(pushed?.summary).toBe(newTitle);
    expect(pushed?.location).toBe('Lyon, 12 rue Mercière');
    expect(Date.parse(pushed!.start!.dateTime!)).toBe(Date.parse(parisInstant(edit.date, '14:00')));
    expect(Date.parse(pushed!.end!.dateTime!)).toBe(Date.parse(parisInstant(edit.date, '15:30')));
    expect(pushed?.visibility).toBe('private');
    expect(pushed?.reminders?.overrides).toEqual([{ method: 'popup', minutes: 25 }]);
    expect(pushed?.description).toBe('Apporter le devis signé.\nDeux exemplaires.');

    // The log: one manual run, its entries open on click.
    const run = page.getByTestId('sync-run').first();
    await expect(run).toHaveAttribute('data-status', 'ok');
    await expect(run).toHaveAttribute('data-trigger', 'manual');
    await expect(run).toContainText('Manuelle');
    await expect(run.locator('[data-col=google-created]')).toHaveText(String(events.length));
    await run.getByRole('button').click();
    await expect(run.getByRole('button')).toHaveAttribute('aria-expanded', 'true');
    const entries = page.getByTestId('sync-entries').or(page.getByTestId('sync-entries-empty'));
    await expect(entries).toBeVisible();
    await entries.scrollIntoViewIfNeeded();
    await shot(page, '05-log');

    // Same screen in English.
    await page.getByTestId('lang-en').click();
    await expect(page.getByTestId('sync-now')).toHaveText('Sync now');
    await expect(run).toContainText('Manual');
    await entries.scrollIntoViewIfNeeded();
    await shot(page, '06-log-en');
    await page.getByTestId('lang-fr').click();

    // Back in the agenda, the blocks say they are synced (the edited one too).
    await page.getByTestId('nav-agenda').click();
    const edited = page.locator(`[data-testid=action-block][data-action-id="${target.id}"]`);
    await expect(edited).toHaveAttribute('data-sync', 'synced');
    await expect(edited.getByTestId('sync-badge')).toHaveAccessibleName('Synchronisée avec Google');
    await expect(edited).toHaveAccessibleName(/Synchronisée avec Google/);
    await shot(page, '07-agenda-synced');
  });

  test('events deleted in Google are asked about at the next startup sync; « Appliquer à toutes »; asked once', async ({ page, syncHost }) => {
    const rep = repOf(syncHost);
    const { cal, calendarId } = await googleCalendar(syncHost, rep.googleEmail);
    await login(page, syncHost, rep.login);

    // Startup sync on, through the Préférences form (labels as in the seed).
    await page.getByTestId('nav-prefs').click();
    const form = page.getByTestId('prefs-form');
    await expect(form).toContainText('Nom Calendrier');
    await expect(form).toContainText('Début agenda');
    await expect(form).toContainText('Fin agenda');
    await expect(form).toContainText('Transfert couleur Actions');
    await page.getByTestId('prefs-startupSync').check();
    // The conflict rule: « la plus récente l'emporte » until the rep chooses otherwise.
    const rules = page.getByTestId('prefs-conflictRule');
    await expect(rules).toContainText('En cas de modification des deux côtés');
    await expect(rules.getByRole('radio', { name: /La modification la plus récente l’emporte/ })).toBeChecked();
    await rules.getByRole('radio', { name: /Google l’emporte/ }).check();
    await page.getByTestId('prefs-save').click();
    await expect(page.getByTestId('prefs-saved')).toBeVisible();
    expect(syncHost.db.prepare('SELECT conflict_rule AS r, startup_sync AS s FROM sync_prefs WHERE user_id = ?').get(syncHost.userId(rep.login))).toEqual({ r: 'google', s: 1 });
    await rules.scrollIntoViewIfNeeded();
    await shot(page, 'prefs-conflict-rule');

    // On "the phone": three events deleted.
    const linked = (await listAllEvents(cal, calendarId)).filter((e) => crmIdOf(e) !== null && e.start?.dateTime);
    const gone = linked.slice(0, 3);
    expect(gone).toHaveLength(3);
    for (const e of gone) await cal.events.delete({ calendarId, eventId: e.id! });
    const goneIds = gone.map((e) => crmIdOf(e)!);

    await reopen(page, syncHost, rep.login);
    const dialog = page.getByTestId('deletions-dialog');
    await expect(dialog).toBeVisible({ timeout: 20_000 });
    await expect(dialog).toHaveAttribute('role', 'dialog');
    await expect(dialog.getByTestId('deletion-row')).toHaveCount(3);
    for (const id of goneIds) await expect(dialog.locator(`[data-testid=deletion-row][data-action-id="${id}"]`)).toBeVisible();
    await expect(dialog).toContainText('Supprimer de l’agenda CRM');
    await expect(dialog).toContainText('Conserver (recréer dans Google)');
    await shot(page, 'deletions-07-dialog');

    // The first one is kept (it comes back in Google)...
    const [keptId, ...deletedIds] = goneIds as [number, ...number[]];
    await dialog.locator(`[data-testid=deletion-row][data-action-id="${keptId}"]`).getByTestId('deletion-keep').click();
    await expect(dialog.getByTestId('deletion-row')).toHaveCount(2);
    // ...the other two deleted at once with « Appliquer à toutes ».
    await dialog.getByTestId('apply-all').check();
    await shot(page, 'deletions-08-apply-all');
    await dialog.getByTestId('deletion-row').first().getByTestId('deletion-delete').click();
    await expect(dialog).toBeHidden();

    const exists = (id: number) => !!syncHost.db.prepare('SELECT 1 FROM actions WHERE id = ?').get(id);
    expect(exists(keptId)).toBe(true);
    for (const id of deletedIds) expect(exists(id)).toBe(false);

    // The kept action is back in Google after the next sync at the latest.
    await openSync(page);
    await page.getByTestId('sync-now').click();
    await expect(page.getByTestId('sync-report')).toHaveAttribute('data-dry-run', 'false');
    await expect.poll(async () => (await listAllEvents(cal, calendarId)).some((e) => crmIdOf(e) === keptId && e.status !== 'cancelled')).toBe(true);
    const afterIds = (await listAllEvents(cal, calendarId)).filter((e) => e.status !== 'cancelled').map(crmIdOf);
    for (const id of deletedIds) expect(afterIds).not.toContain(id);
    const startupRun = page.getByTestId('sync-run').filter({ hasText: 'Au démarrage' }).first();
    await expect(startupRun).toBeVisible();
    await page.getByTestId('sync-log').scrollIntoViewIfNeeded();
    await shot(page, 'deletions-09-log');

    // Asked once: the next opening does not ask again.
    await reopen(page, syncHost, rep.login);
    await expect(page.getByTestId('sync-progress')).toBeHidden({ timeout: 20_000 });
    await expect(dialog).toBeHidden();
  });

  test('from the agenda, the sync icon syncs the agenda shown; Ctrl-click answers every deletion', async ({ page, syncHost }) => {
    const rep = repOf(syncHost);
    const { cal, calendarId } = await googleCalendar(syncHost, rep.googleEmail);
    await login(page, syncHost, rep.login);
    await expect(page.getByTestId('sync-progress')).toBeHidden({ timeout: 20_000 });
    await page.getByTestId('nav-agenda').click();
    const button = page.getByTestId('agenda-sync');
    await expect(button).toHaveAccessibleName('Synchroniser avec Google les agendas affichés');

    const linked = (await listAllEvents(cal, calendarId)).filter((e) => crmIdOf(e) !== null && e.start?.dateTime);
    const gone = linked.slice(0, 2);
    for (const e of gone) await cal.events.delete({ calendarId, eventId: e.id! });
    const goneIds = gone.map((e) => crmIdOf(e)!);

    await button.click();
    const dialog = page.getByTestId('deletions-dialog');
    await expect(dialog).toBeVisible({ timeout: 20_000 });
    await expect(dialog.getByTestId('deletion-row')).toHaveCount(2);
    await shot(page, 'deletions-10-agenda');
    // The seed's CTRL key: one click answers all.
    await dialog.getByTestId('deletion-row').first().getByTestId('deletion-keep').click({ modifiers: ['Control'] });
    await expect(dialog).toBeHidden();
    for (const id of goneIds) expect(syncHost.db.prepare('SELECT 1 FROM actions WHERE id = ?').get(id)).toBeTruthy();

    await page.getByTestId('nav-sync').click();
    await expect(page.getByTestId('sync-run').filter({ hasText: 'Depuis l’agenda' }).first()).toBeVisible();
  });

  test('Cancel next to the progress bar stops a running sync; the next one ends consistent, without duplicates', async ({ page, syncHost }) => {
    // Another rep of this host, with a quota of their own (the runs above used much of the
    // first rep's minute), their agenda emptied and 120 new actions to push: two batches.
    const rep = syncHost.reps[0]!;
    const userId = syncHost.userId(rep.login);
    await connectWithoutConsent(syncHost, rep.login);
    syncHost.db.prepare('DELETE FROM actions WHERE owner_id = ?').run(userId);
    const conn = syncHost.core.newConnection();
    const reply = syncHost.core.callSync(conn, 'session.login', { login: rep.login, password: 'demo' });
    if (!reply.ok) throw new Error(reply.error.message);
    await syncHost.core.invoke(conn, 'syncPrefs.update', { patch: { googleEmail: rep.googleEmail, calendarName: DEMO_CALENDAR, automaticSync: false, startupSync: false } });
    const typeId = firstTypeId(syncHost.db);
    const ids: number[] = [];
    for (let i = 0; i < 120; i++) {
      const start = Date.now() + (1 + (i % 30)) * 86_400_000;
      const a = await syncHost.core.invoke(conn, 'actions.create', { typeId, title: `Tournée ${i}`, period: { allDay: false, start: new Date(start).toISOString(), end: new Date(start + 3_600_000).toISOString() } });
      ids.push(a.id);
    }
    const { cal, calendarId } = await googleCalendar(syncHost, rep.googleEmail);

    await login(page, syncHost, rep.login);
    await openSync(page);
    // Both batches answer slowly: time to see the first one done, and to cancel during the second.
    await syncHost.emu.fault({ type: 'slow', delayMs: 4000, count: 2, api: 'batch' });
    await page.getByTestId('sync-now').click();
    const progress = page.getByTestId('sync-progress');
    const bar = progress.getByRole('progressbar');
    await expect(bar).toHaveAttribute('aria-valuetext', /^Envoi vers Google… 100 \/ 120$/, { timeout: 20_000 });
    const cancel = progress.getByTestId('sync-cancel');
    await expect(cancel).toHaveAccessibleName('Annuler la synchronisation en cours');
    await shot(page, 'cancel-11-running');
    await cancel.click();
    const report = page.getByTestId('sync-report');
    await expect(report).toHaveAttribute('data-status', 'cancelled', { timeout: 20_000 });
    await expect(report.getByTestId('sync-status')).toHaveText('Annulée');
    await expect(report.getByTestId('sync-report-cancelled')).toContainText('ce qui a déjà été fait est conservé');
    await expect(progress).toBeHidden();
    await expect(page.getByTestId('sync-run').first()).toHaveAttribute('data-status', 'cancelled');
    await expect(page.getByTestId('sync-run').first()).toContainText('Annulée');
    await shot(page, 'cancel-12-report');

    await page.getByTestId('sync-now').click();
    await expect(report).toHaveAttribute('data-status', 'ok', { timeout: 30_000 });
    const events = (await listAllEvents(cal, calendarId)).filter((e) => e.status !== 'cancelled');
    // Each action once in Google, nothing else.
    expect(events.map(crmIdOf).sort((a, b) => a! - b!)).toEqual(ids);
    await page.getByTestId('nav-agenda').click();
    await expect(page.locator('[data-testid=action-block][data-sync=pending]')).toHaveCount(0);
  });

  test('a big pull lists its first 100 creations one by one, then says how many more, in French and English', async ({ page, syncHost }) => {
    // 130 events booked on the phone: the startup sync (on since the deletions test) creates them all.
    const rep = repOf(syncHost);
    const { calendarId } = await googleCalendar(syncHost, rep.googleEmail);
    const phone = Array.from({ length: 130 }, (_, i) => {
      const start = Date.now() + (1 + (i % 20)) * 86_400_000;
      return { summary: `Appel client ${i}`, start: { dateTime: new Date(start).toISOString() }, end: { dateTime: new Date(start + 1_800_000).toISOString() } };
    });
    await syncHost.emu.seedEvents(rep.googleEmail, phone, { calendarId });
    await login(page, syncHost, rep.login);
    await expect(page.getByTestId('sync-progress')).toBeHidden({ timeout: 20_000 });
    await openSync(page);

    const run = page.getByTestId('sync-run').filter({ has: page.locator('[data-col=crm-created]', { hasText: /^130$/ }) });
    await expect(run).toHaveCount(1);
    await run.getByRole('button').click();
    const entries = page.getByTestId('sync-entries');
    await expect(entries).toBeVisible();
    await expect(entries.getByTestId('sync-entry').filter({ hasText: /^.*Créée dans le CRM depuis Google : « Appel client \d+ »\.$/ })).toHaveCount(100);
    const more = entries.getByTestId('sync-entry').filter({ hasText: 'autres événements' });
    await expect(more).toHaveCount(1);
    await expect(more.locator('.entry-message')).toHaveText('30 autres événements créés dans le CRM depuis Google (non détaillés un par un).');
    await expect(more.locator('.entry-message')).not.toHaveAttribute('lang', 'en');
    await more.scrollIntoViewIfNeeded();
    await shot(page, 'log-13-created-more');

    await page.getByTestId('lang-en').click();
    const moreEn = entries.getByTestId('sync-entry').filter({ hasText: 'more events created' });
    await expect(moreEn.locator('.entry-message')).toHaveText('30 more events created in the CRM from Google (not listed one by one).');
    await moreEn.scrollIntoViewIfNeeded();
    await shot(page, 'log-14-created-more-en');
    await page.getByTestId('lang-fr').click();
  });
});

/**
 * Agenda sync in the browser host against the Google emulator (issue 5; FTC019 §3.3, §3.6): a
 * rep changes an action, clicks « Synchroniser maintenant » and finds it in Google (read with the
 * official client); events deleted in Google are asked about at the next startup sync, one by one
 * or all at once (« Appliquer à toutes », or Ctrl held as in the seed), and asked only once; the
 * sync log shows the runs. Screenshots go to e2e/artifacts/screens/sync-*.png (1280×720).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import type { calendar_v3 } from '@googleapis/calendar';
import { DEMO_CALENDAR, connectWithoutConsent, expect, googleCalendar, login, test, useEmulatorClient, type GoogleHostFixture, type GoogleRep } from './google-fixtures';

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

/** Calls the core through the page's HTTP bridge, as the signed-in user. */
async function call<T>(page: Page, host: GoogleHostFixture, channel: string, input: unknown): Promise<T> {
  const res = await page.request.post(`${host.url}/api/call/${channel}`, { data: input });
  const body = (await res.json()) as { ok: boolean; result?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${channel}: ${body.error?.message ?? res.status()}`);
  return body.result as T;
}

async function allEvents(cal: calendar_v3.Calendar, calendarId: string): Promise<calendar_v3.Schema$Event[]> {
  const out: calendar_v3.Schema$Event[] = [];
  let pageToken: string | undefined;
  do {
    const r = await cal.events.list({ calendarId, maxResults: 2500, pageToken });
    out.push(...(r.data.items ?? []));
    pageToken = r.data.nextPageToken ?? undefined;
  } while (pageToken);
  return out;
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
    expect(await allEvents(cal, calendarId)).toHaveLength(0);

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
    expect(await allEvents(cal, calendarId)).toHaveLength(0);
    await expect(page.getByTestId('sync-log-empty')).toBeVisible();

    // The rep changes an action (no editing UI yet: through the HTTP bridge, as the UI will).
    const now = Date.now();
    const week = await call<Array<{ id: number; kind: string; seriesId: string | null; title: string }>>(page, syncHost, 'actions.list', {
      userIds: [syncHost.userId(rep.login)],
      from: new Date(now).toISOString(),
      to: new Date(now + 14 * 86_400_000).toISOString(),
    });
    const target = week.find((a) => a.kind === 'full' && a.seriesId === null);
    expect(target, 'a plain action in the next two weeks').toBeTruthy();
    const newTitle = `Rendez-vous signé (e2e ${now % 10_000})`;
    await call(page, syncHost, 'actions.update', { id: target!.id, patch: { title: newTitle, location: 'Lyon, 12 rue Mercière' } });

    // The progress bar is seen while Google answers (slowed down), then goes away.
    googleLatency(syncHost, 40);
    await page.getByTestId('sync-now').click();
    const progress = page.getByTestId('sync-progress');
    await expect(progress).toBeVisible();
    const bar = progress.getByRole('progressbar', { name: 'Synchronisation de l’agenda avec Google' });
    await expect(page.getByTestId('sync-now')).toBeDisabled();
    // Pushing the first sync's events, batch by batch, paced to the quota.
    await expect(bar).toHaveAttribute('aria-valuetext', /^Envoi vers Google… [1-9]\d* \/ \d+$/, { timeout: 20_000 });
    await expect(bar).toHaveAttribute('aria-valuemax', /^\d+$/);
    await shot(page, '03-progress');
    await expect(progress).toBeHidden({ timeout: 30_000 });
    googleLatency(syncHost, 0);

    await expect(report).toHaveAttribute('data-dry-run', 'false');
    await expect(report).toHaveAttribute('data-status', 'ok');
    await expect(report).toContainText('Résultat de la synchronisation');
    await shot(page, '04-report');

    const events = await allEvents(cal, calendarId);
    expect(events.length).toBeGreaterThanOrEqual(toCreate);
    const pushed = events.find((e) => crmIdOf(e) === target!.id);
    expect(pushed?.summary).toBe(newTitle);
    expect(pushed?.location).toBe('Lyon, 12 rue Mercière');

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
    await page.getByTestId('prefs-save').click();
    await expect(page.getByTestId('prefs-saved')).toBeVisible();

    // On "the phone": three events deleted.
    const linked = (await allEvents(cal, calendarId)).filter((e) => crmIdOf(e) !== null && e.start?.dateTime);
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
    await expect.poll(async () => (await allEvents(cal, calendarId)).some((e) => crmIdOf(e) === keptId && e.status !== 'cancelled')).toBe(true);
    const afterIds = (await allEvents(cal, calendarId)).filter((e) => e.status !== 'cancelled').map(crmIdOf);
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

    const linked = (await allEvents(cal, calendarId)).filter((e) => crmIdOf(e) !== null && e.start?.dateTime);
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
});

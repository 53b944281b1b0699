/**
 * Connecting users to Google (issue 4; FTC019 §3.1, §3.2, §3.5), in the browser host against
 * the Google emulator: ADM enters the OAuth client; a rep connects through the emulator's real
 * consent page; Test turns green; then each failure users meet is provoked and its message is
 * checked in French and in English. Screenshots go to e2e/artifacts/screens/google-*.png.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from '@playwright/test';
import { CLIENT, OUTSIDER, expect, login, test, type GoogleHostFixture } from './google-fixtures';
import { putGoogleClientSettings } from '../electron/core/google/settings';

const SCREENS = fileURLToPath(new URL('./artifacts/screens/', import.meta.url));
mkdirSync(SCREENS, { recursive: true });

const SIZES = { small: { width: 1280, height: 720 }, large: { width: 1920, height: 1080 } } as const;

/** The Préférences pane at this state; `both` adds the 1920×1080 view. */
async function shot(page: Page, name: string, options: { both?: boolean; target?: Locator } = {}) {
  const before = page.viewportSize();
  await page.setViewportSize(SIZES.small);
  if (options.target) await options.target.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENS}google-${name}.png` });
  if (options.both) {
    await page.setViewportSize(SIZES.large);
    if (options.target) await options.target.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENS}google-${name}-1920.png` });
  }
  if (before) await page.setViewportSize(before);
}

async function openPrefs(page: Page) {
  await page.getByTestId('nav-prefs').click();
  await expect(page.getByTestId('google-card')).toBeVisible();
  await expect(page.getByTestId('google-status')).not.toHaveText(/Vérification|Checking/);
}

/** The same element says `fr` in French and `en` in English (and the page is back in French). */
async function inBothLanguages(page: Page, target: Locator, fr: string | RegExp, en: string | RegExp) {
  await expect(target).toContainText(fr);
  await page.getByTestId('lang-en').click();
  await expect(target).toContainText(en);
  await page.getByTestId('lang-fr').click();
  await expect(target).toContainText(fr);
}

/** Clicks Tester and waits for this run's report. */
async function runTest(page: Page) {
  const reply = page.waitForResponse((r) => r.url().endsWith('/api/call/google.test'));
  await page.getByTestId('google-test').click();
  await reply;
  await expect(page.getByTestId('google-test')).toBeEnabled();
  await expect(page.getByTestId('google-test-summary')).toBeVisible();
}

const check = (page: Page, id: string) => page.locator(`[data-testid=google-check][data-check-id=${id}]`);

async function expectCheck(page: Page, id: string, status: string, problem?: string) {
  const row = check(page, id);
  await expect(row).toHaveAttribute('data-status', status);
  if (problem !== undefined) await expect(row).toHaveAttribute('data-problem', problem);
  return row;
}

/** Clicks Connexion and returns the consent page the app opened in a new tab. */
async function openConsent(page: Page): Promise<Page> {
  const popup = page.context().waitForEvent('page');
  await page.getByTestId('google-connect').click();
  const consent = await popup;
  await consent.waitForLoadState();
  await expect(consent.locator('#client')).toHaveText(CLIENT.clientId);
  return consent;
}

/** Runs `fn` as ADM in a separate browser session, on the Préférences pane. */
async function asAdmin(browser: Browser, host: GoogleHostFixture, fn: (page: Page) => Promise<void>) {
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await login(page, host, host.admin);
    await openPrefs(page);
    await expect(page.getByTestId('admin-google-form')).toBeVisible();
    await fn(page);
  } finally {
    await context.close();
  }
}

async function saveAdmin(page: Page, fields: { clientId?: string; secret?: string; rootUrl?: string }) {
  if (fields.clientId !== undefined) await page.getByTestId('admin-google-clientId').fill(fields.clientId);
  if (fields.secret !== undefined) await page.getByTestId('admin-google-secret').fill(fields.secret);
  if (fields.rootUrl !== undefined) await page.getByTestId('admin-google-rootUrl').fill(fields.rootUrl);
  await page.getByTestId('admin-google-save').click();
  await expect(page.getByTestId('admin-google-saved')).toBeVisible();
}

async function savePrefs(page: Page, fields: { googleEmail?: string; calendarName?: string }) {
  if (fields.googleEmail !== undefined) await page.getByTestId('prefs-googleEmail').fill(fields.googleEmail);
  if (fields.calendarName !== undefined) await page.getByTestId('prefs-calendarName').fill(fields.calendarName);
  await page.getByTestId('prefs-save').click();
  await expect(page.getByTestId('prefs-saved')).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

test.describe('Google connection', () => {
  test('ADM enters the client ID, the write-only secret and Google’s address', async ({ page, gHost }) => {
    await login(page, gHost, gHost.admin);
    await openPrefs(page);
    const form = page.getByTestId('admin-google-form');
    await expect(form).toContainText('Authentification Google');
    await expect(page.getByTestId('admin-google-secret-state')).toHaveText(/Non défini/);
    // No OS keyring in this run: the key-file fallback is announced.
    await expect(page.getByTestId('admin-google-storage-warning')).toBeVisible();

    await page.getByTestId('admin-google-clientId').fill(CLIENT.clientId);
    await page.getByTestId('admin-google-secret').fill(CLIENT.clientSecret);
    await page.getByTestId('admin-google-rootUrl').fill('pas une adresse');
    await page.getByTestId('admin-google-save').click();
    await expect(page.getByTestId('field-error-rootUrl')).toHaveText(/http\(s\)/);
    await expect(page.getByTestId('admin-google-rootUrl')).toHaveAttribute('aria-invalid', 'true');

    await page.getByTestId('admin-google-rootUrl').fill(gHost.emu.url);
    await expect(page.getByTestId('admin-google-publishing-testing')).toBeChecked();
    await expect(form).toContainText('7 jours');
    await page.getByTestId('admin-google-save').click();
    await expect(page.getByTestId('admin-google-saved')).toHaveText(/Authentification enregistrée/);
    await expect(page.getByTestId('admin-google-secret-state')).toHaveText(/Défini/);
    await expect(page.getByTestId('admin-google-secret')).toHaveValue('');
    await shot(page, '01-admin', { both: true, target: form });

    await page.reload();
    await openPrefs(page);
    await expect(page.getByTestId('admin-google-clientId')).toHaveValue(CLIENT.clientId);
    await expect(page.getByTestId('admin-google-rootUrl')).toHaveValue(gHost.emu.url);
    await expect(page.getByTestId('admin-google-secret')).toHaveValue('');
    await expect(page.getByTestId('admin-google-secret-state')).toHaveText(/Défini/);
    // The secret never comes back to the page.
    const body = await page.evaluate(async () => (await fetch('/api/call/google.getClient', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).text());
    expect(body).not.toContain(CLIENT.clientSecret);
    expect(body).toContain('"secretSet":true');
    await page.getByTestId('lang-en').click();
    await expect(form).toContainText('Google authentication');
    await expect(page.getByTestId('admin-google-secret-state')).toHaveText(/Set/);
    await shot(page, '01-admin-en', { target: form });
    await page.getByTestId('lang-fr').click();
  });

  test('a rep who refuses on Google’s page is told what it means; Test says 403 access_denied', async ({ page, gHost }) => {
    const rep = gHost.reps[0]!;
    await login(page, gHost, rep.login);
    await openPrefs(page);
    await expect(page.getByTestId('google-login')).toHaveText(rep.googleEmail);
    await expect(page.getByTestId('google-status')).toHaveText('Non connecté');
    await shot(page, '02-not-connected', { both: true });

    const consent = await openConsent(page);
    await expect(page.getByTestId('google-pending')).toContainText(/En attente de votre accord.*expire dans \d+:\d\d/);
    await expect(page.getByTestId('google-cancel')).toBeVisible();
    await shot(page, '03-pending');
    await consent.locator('#deny').click();
    await expect(consent.locator('body')).toContainText('Accès refusé');
    await consent.close();

    const outcome = page.getByTestId('google-outcome');
    await expect(outcome).toHaveAttribute('data-outcome', 'denied');
    await inBothLanguages(page, outcome, "Vous avez refusé l'accès", 'You refused access on Google’s page');
    await expect(page.getByTestId('google-status')).toHaveText('Non connecté');

    await runTest(page);
    const row = await expectCheck(page, 'connected', 'fail', 'ACCESS_DENIED');
    await inBothLanguages(page, row, "Erreur d'autorisation. 403 access_denied", 'Authorisation error. 403 access_denied');
    await expect(row).toContainText("L'utilisateur n'est pas déclaré dans la liste des utilisateurs test");
    await expectCheck(page, 'calendar', 'skipped');
    await shot(page, '04-denied', { target: page.getByTestId('google-checks') });
  });

  test('the rep connects through Google’s consent page (Allow) and Test turns green', async ({ page, gHost }) => {
    const rep = gHost.reps[0]!;
    await login(page, gHost, rep.login);
    await openPrefs(page);
    const consent = await openConsent(page);
    await expect(consent.locator('input[name=email]:checked')).toHaveValue(rep.googleEmail);
    await consent.locator('#allow').click();
    await expect(consent.locator('body')).toContainText('Connexion réussie');
    await consent.close();

    await expect(page.getByTestId('google-status')).toHaveAttribute('data-connected', 'true');
    await expect(page.getByTestId('google-status')).toHaveText(new RegExp(`^Connecté en tant que ${rep.googleEmail.replace(/\./g, '\\.')} depuis le \\d{1,2} \\S+ \\d{4} à \\d\\d:\\d\\d$`));
    await expect(page.getByTestId('google-outcome')).toHaveAttribute('data-outcome', 'connected');
    await expect(page.getByTestId('google-pending')).toHaveCount(0);

    await runTest(page);
    await expect(page.getByTestId('google-test-summary')).toHaveAttribute('data-ok', 'true');
    await expect(page.locator('[data-testid=google-check][data-status=fail]')).toHaveCount(0);
    for (const id of ['connected', 'token', 'email', 'calendarApi', 'calendar', 'contacts', 'clock']) await expectCheck(page, id, 'pass');
    // The app is in Testing status: a warning, not a failure.
    const client = await expectCheck(page, 'client', 'warn');
    await inBothLanguages(page, client, '7 jours', '7 days');
    await inBothLanguages(page, page.getByTestId('google-test-summary'), 'Tout fonctionne', 'Everything works');
    await shot(page, '05-connected-green', { both: true, target: page.getByTestId('google-checks') });
    // Once the app is published (« En production »), every check is green.
    putGoogleClientSettings(gHost.db, { publishing: 'production' });
    await runTest(page);
    for (const id of ['client', 'connected', 'token', 'email', 'calendarApi', 'calendar', 'contacts', 'clock']) await expectCheck(page, id, 'pass');
    await expect(page.locator('[data-testid=google-check]:not([data-status=pass])')).toHaveCount(0);
    putGoogleClientSettings(gHost.db, { publishing: 'testing' });
    await page.getByTestId('lang-en').click();
    await expect(page.getByTestId('google-status')).toHaveText(/^Connected as .* since [A-Z][a-z]+ \d{1,2}, \d{4} at \d\d:\d\d$/);
    await shot(page, '05-connected-green-en', { target: page.getByTestId('google-checks') });
    await page.getByTestId('lang-fr').click();
  });

  test('a wrong client secret (ADM changed it) is reported as such', async ({ page, browser, gHost }) => {
    await asAdmin(browser, gHost, (adm) => saveAdmin(adm, { secret: 'GOCSPX-not-the-right-one' }));
    await login(page, gHost, gHost.reps[0]!.login);
    await openPrefs(page);
    await runTest(page);
    const row = await expectCheck(page, 'token', 'fail', 'INVALID_CLIENT');
    await inBothLanguages(page, row, "Google refuse l'identifiant client ou le code secret", 'Google rejects the app’s client ID or secret');
    await expect(row).toContainText('Que faire');
    await shot(page, '06-invalid-client', { target: page.getByTestId('google-checks') });
    await asAdmin(browser, gHost, (adm) => saveAdmin(adm, { secret: CLIENT.clientSecret }));
    await runTest(page);
    await expect(page.getByTestId('google-test-summary')).toHaveAttribute('data-ok', 'true');
  });

  test('an unknown calendar name lists the account’s calendars; an empty one says so', async ({ page, gHost }) => {
    await login(page, gHost, gHost.reps[0]!.login);
    await openPrefs(page);
    await savePrefs(page, { calendarName: 'Agenda Perso' });
    await runTest(page);
    const row = await expectCheck(page, 'calendar', 'fail', 'CALENDAR_UNKNOWN');
    await inBothLanguages(page, row, 'Le calendrier recherché « Agenda Perso » est inconnu', 'The calendar « Agenda Perso » is unknown');
    await inBothLanguages(page, row.getByTestId('google-check-detail'), /^Agendas du compte : .*« Agenda CRM »/, /^Calendars of the account: .*« Agenda CRM »/);
    await inBothLanguages(page, row.getByTestId('google-check-solution'), "Vérifier le nom de l'Agenda dans Google", 'Check the calendar’s name in Google');
    await shot(page, '07-calendar-unknown', { both: true, target: page.getByTestId('google-checks') });

    await savePrefs(page, { calendarName: '' });
    await runTest(page);
    const empty = await expectCheck(page, 'calendar', 'fail', 'CALENDAR_NOT_SET');
    await inBothLanguages(page, empty, 'Nom du calendrier non renseigné', 'Calendar name not set');
    await expect(empty).toContainText("Renseigner le nom de l'agenda Google dans le CRM");
    await shot(page, '08-calendar-not-set', { target: page.getByTestId('google-checks') });

    await savePrefs(page, { calendarName: 'Agenda CRM' });
    await runTest(page);
    await expectCheck(page, 'calendar', 'pass');
  });

  test('Google’s quota used up: try again in a minute', async ({ page, gHost }) => {
    await login(page, gHost, gHost.reps[0]!.login);
    await openPrefs(page);
    await gHost.emu.fault({ type: 'error', status: 429, count: 1, api: 'calendar', retryAfterSeconds: 60 });
    await runTest(page);
    const row = await expectCheck(page, 'calendarApi', 'fail', 'QUOTA_EXCEEDED');
    await inBothLanguages(page, row, 'Le quota de requêtes Google est épuisé', 'Google’s request quota is used up');
    await inBothLanguages(page, row, 'Réessayez dans une minute', 'Try again in a minute');
    await shot(page, '09-quota', { target: page.getByTestId('google-checks') });
    await gHost.emu.clearFaults();
  });

  test('network down (Google’s address answers nothing)', async ({ page, browser, gHost }) => {
    await asAdmin(browser, gHost, (adm) => saveAdmin(adm, { rootUrl: gHost.deadUrl }));
    await login(page, gHost, gHost.reps[0]!.login);
    await openPrefs(page);
    await runTest(page);
    const row = await expectCheck(page, 'token', 'fail', 'NETWORK');
    await inBothLanguages(page, row, 'Google ne peut pas être joint', 'Google cannot be reached');
    await inBothLanguages(page, row, 'proxy', 'proxy');
    await shot(page, '10-network', { target: page.getByTestId('google-checks') });
    await asAdmin(browser, gHost, (adm) => saveAdmin(adm, { rootUrl: gHost.emu.url }));
  });

  test('an expired refresh token; the rep reconnects by the manual connection', async ({ page, gHost }) => {
    await login(page, gHost, gHost.reps[0]!.login);
    await openPrefs(page);
    await gHost.emu.fault({ type: 'expireRefreshTokens' });
    await runTest(page);
    const row = await expectCheck(page, 'token', 'fail', 'INVALID_GRANT');
    await inBothLanguages(page, row, 'La connexion à Google a expiré', 'The connection to Google has expired');
    await inBothLanguages(page, row, '7 jours', '7 days');
    await inBothLanguages(page, row, '6 mois', '6 months');
    await shot(page, '11-invalid-grant', { target: page.getByTestId('google-checks') });

    // Manual connection: copy the URL, open it "elsewhere", Allow, paste back where it stopped.
    await page.getByTestId('google-manual').click();
    const urlField = page.getByTestId('google-manual-url');
    await expect(urlField).toHaveValue(new RegExp(`^${gHost.emu.url}/o/oauth2/v2/auth\\?`));
    await expect(page.getByTestId('google-pending')).toHaveAttribute('data-mode', 'manual');
    const consentUrl = await urlField.inputValue();

    await page.getByTestId('google-manual-paste').fill('n’importe quoi');
    await page.getByTestId('google-manual-submit').click();
    const fieldError = page.getByTestId('field-error-pasted');
    await expect(fieldError).toContainText("Ce texte n'est ni l'adresse de la page");
    await expect(page.getByTestId('google-manual-paste')).toHaveAttribute('aria-invalid', 'true');
    await shot(page, '12-manual', { both: true, target: page.getByTestId('google-manual-panel') });

    // The other browser cannot reach this computer's 127.0.0.1: it stops on an error page.
    const other = await page.context().newPage();
    let landed = '';
    await other.route('**/o/oauth2/v2/auth/decision', async (route) => {
      // Google redirects to the loopback address; that browser gets no answer from it.
      const response = await route.fetch({ maxRedirects: 0 });
      landed = response.headers()['location'] ?? '';
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Ce site est inaccessible</h1>' });
    });
    await other.goto(consentUrl);
    await other.locator('#allow').click();
    await expect(other.locator('h1')).toHaveText('Ce site est inaccessible');
    expect(landed).toContain('code=');
    await other.close();

    await page.getByTestId('google-manual-paste').fill(landed);
    await page.getByTestId('google-manual-submit').click();
    await expect(page.getByTestId('google-status')).toHaveAttribute('data-connected', 'true');
    await expect(page.getByTestId('google-manual-panel')).toHaveCount(0);
    await expect(page.getByTestId('google-outcome')).toHaveAttribute('data-outcome', 'connected');
    await runTest(page);
    await expect(page.getByTestId('google-test-summary')).toHaveAttribute('data-ok', 'true');
  });

  test('a Google account that is not a test user meets Google’s 403 page; the app explains', async ({ page, gHost }) => {
    await login(page, gHost, gHost.reps[1]!.login);
    await openPrefs(page);
    await savePrefs(page, { googleEmail: OUTSIDER });
    await expect(page.getByTestId('google-login')).toHaveText(OUTSIDER);
    const consent = await openConsent(page);
    await consent.locator('#allow').click();
    await expect(consent.locator('#error')).toContainText('403: access_denied');
    await consent.close();

    await page.getByTestId('google-cancel').click();
    const outcome = page.getByTestId('google-outcome');
    await expect(outcome).toHaveAttribute('data-outcome', 'cancelled');
    await inBothLanguages(page, outcome, 'Vous n\'êtes pas déclaré dans la liste des utilisateurs test', 'You are not on the app’s list of test users');
    await runTest(page);
    const row = await expectCheck(page, 'connected', 'fail', 'NOT_CONNECTED');
    await inBothLanguages(page, row, 'Les informations sur le compte utilisateur ne sont pas accessibles', 'The user account’s information cannot be reached');
    await shot(page, '13-not-test-user', { both: true, target: outcome });
  });

  test('another Google account than the one entered is refused, naming both', async ({ page, gHost }) => {
    const rep = gHost.reps[2]!;
    const other = gHost.reps[0]!.googleEmail;
    await login(page, gHost, rep.login);
    await openPrefs(page);
    const consent = await openConsent(page);
    await consent.getByLabel(other).check();
    await consent.locator('#allow').click();
    await expect(consent.locator('body')).toContainText('La connexion a échoué');
    await consent.close();

    const outcome = page.getByTestId('google-outcome');
    await expect(outcome).toHaveAttribute('data-problem', 'EMAIL_MISMATCH');
    await inBothLanguages(page, outcome, `Le compte Google ${other} n'est pas celui renseigné (${rep.googleEmail})`, `The Google account ${other} is not the one entered (${rep.googleEmail})`);
    await expect(page.getByTestId('google-status')).toHaveText('Non connecté');
    await shot(page, '14-email-mismatch', { target: outcome });
  });

  test('Reset Cal. keeps what is in Google; Reset deletes it and forgets the account', async ({ page, gHost }) => {
    await login(page, gHost, gHost.reps[0]!.login);
    await openPrefs(page);
    await expect(page.getByTestId('google-status')).toHaveAttribute('data-connected', 'true');

    const opener = page.getByTestId('google-reset-calendar');
    await opener.click();
    const dialog = page.getByTestId('reset-dialog');
    await expect(dialog).toBeVisible();
    await expect(page.getByRole('dialog', { name: "Réinitialiser l'agenda Google" })).toBeVisible();
    await expect(dialog).toContainText('« Agenda CRM »');
    // Focus stays in the dialog; Escape closes it and gives focus back.
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(opener).toBeFocused();

    await opener.click();
    await page.getByTestId('reset-confirm').click();
    await expect(dialog).toContainText('Choisissez une réponse.');
    await page.getByTestId('reset-keep').check();
    await shot(page, '15-reset-dialog', { both: true });
    await page.getByTestId('reset-confirm').click();
    await expect(dialog).toHaveCount(0);
    const result = page.getByTestId('google-reset-result');
    await inBothLanguages(page, result, /Réinitialisation faite : \d+ liens? oubliés?/, /Reset done: \d+ links? forgotten/);
    await expect(result).toContainText('0 élément supprimé de Google');
    await expect(page.getByTestId('google-status')).toHaveAttribute('data-connected', 'true');

    await page.getByTestId('google-reset').click();
    await expect(page.getByRole('dialog', { name: 'Réinitialiser la connexion Google' })).toBeVisible();
    await expect(dialog).toContainText(gHost.reps[0]!.googleEmail);
    await page.getByTestId('reset-delete').check();
    await page.getByTestId('reset-confirm').click();
    await expect(dialog).toHaveCount(0);
    await expect(result).toContainText('Réinitialisation faite : accès retiré chez Google');
    await expect(page.getByTestId('google-status')).toHaveText('Non connecté');
    await shot(page, '16-reset-done', { target: result });
    await page.getByTestId('lang-en').click();
    await expect(result).toContainText('Reset done: access revoked at Google');
    await page.getByTestId('lang-fr').click();
  });

  test('the client secret never reaches a log line', async ({ gHost }) => {
    expect(gHost.logs.length).toBeGreaterThan(0);
    for (const line of gHost.logs) expect(line).not.toContain(CLIENT.clientSecret);
  });
});

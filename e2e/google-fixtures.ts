/**
 * Playwright fixtures for the Google connection: each worker gets the browser host on a fresh
 * demo database, a Core with real services (secrets sealed with a key file, no system browser:
 * the page opens the consent URL itself), and the Google emulator in-process with a desktop
 * OAuth client and one Google account per demo user (test users), plus one account that is not
 * on the test-users list. The app is not pointed at the emulator: ADM does that in the UI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { OAuth2Client } from 'google-auth-library';
import { Core } from '../electron/core/app';
import { putGoogleAccount } from '../electron/core/google/accounts';
import { REQUESTED_SCOPES } from '../electron/core/google/identity';
import { openDatabase, type Db } from '../electron/core/db/database';
import { DEMO_CALENDAR, generateDemo } from '../electron/core/demo/generate';
import { createLogger } from '../electron/core/log';
import { createNodeSealer, type NodeSealer } from '../electron/core/secrets-node';
import { RENDERER_DIR } from '../electron/host/launch';
import { startHost } from '../electron/host/server';
import { startEmulator, type RunningEmulator } from '../emulator/index';

export const CLIENT = { clientId: 'crm-e2e-desktop.apps.googleusercontent.com', clientSecret: 'GOCSPX-e2e-secret' };
/** A Google account that exists but is not on the Testing app's test-users list. */
export const OUTSIDER = 'externe.nontest@example.org';

export interface GoogleRep {
  login: string;
  googleEmail: string;
}

export interface GoogleHostFixture {
  url: string;
  launchUrl: string;
  admin: string;
  /** Reps with a Google e-mail in their preferences (each has an account in the emulator). */
  reps: GoogleRep[];
  db: Db;
  emu: RunningEmulator;
  /** A dead 127.0.0.1 port ("network down"). */
  deadUrl: string;
  /** Log lines the core wrote (to check no token or secret leaks into them). */
  logs: string[];
  userId(login: string): number;
  /** The core behind the host, for setting up state without the UI. */
  core: Core;
  /** The core's sealer (to store a refresh token as the consent flow would). */
  secrets: NodeSealer;
}

/** Starts a demo CRM file, the emulator, a Core with secrets and the browser host. */
export async function startGoogleHost(options: { startupSync: boolean }): Promise<{ fixture: GoogleHostFixture; close(): Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-e2e-google-'));
  const dbFile = path.join(dir, 'crm.sqlite');
  const db = openDatabase(dbFile);
  const summary = generateDemo(db);
  // The connection tests are about connecting: no startup sync pushing the demo agenda meanwhile.
  if (!options.startupSync) db.prepare('UPDATE sync_prefs SET startup_sync = 0').run();
  const emu = await startEmulator({ port: 0, latencyMs: 0 });
  await emu.registerClient({ clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, publishing: 'testing' });
  const reps: GoogleRep[] = [];
  for (const u of summary.users) {
    if (u.role !== 'rep' || !u.googleEmail) continue;
    reps.push({ login: u.login, googleEmail: u.googleEmail });
    await emu.createAccount({ email: u.googleEmail, name: u.login, calendars: [DEMO_CALENDAR], testUser: true });
  }
  await emu.createAccount({ email: OUTSIDER, name: 'Compte externe', calendars: [DEMO_CALENDAR], testUser: false });

  // A port that was free a moment ago and has nobody listening now.
  const probe = await startEmulator({ port: 0 });
  const deadUrl = probe.url;
  await probe.close();

  const logs: string[] = [];
  const secrets = await createNodeSealer({ keyDir: dir, id: dbFile, keyring: null });
  const core = new Core({
    db,
    logger: createLogger((line) => logs.push(String(line))),
    services: { secrets, openExternal: () => Promise.resolve() },
  });
  const host = await startHost({ core, staticDir: RENDERER_DIR, demo: true });
  const userId = (login: string) => (db.prepare('SELECT id FROM users WHERE login = ?').get(login) as { id: number }).id;
  return {
    fixture: { url: host.url, launchUrl: host.launchUrl, admin: 'ADM', reps, db, emu, deadUrl, logs, userId, core, secrets },
    async close() {
      await host.close();
      await emu.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `gHost` for the connection tests; `syncHost`, a second independent one, for the agenda sync
 * tests (worker fixtures are shared by every file of a worker: each suite gets its own state).
 */
export const test = base.extend<object, { gHost: GoogleHostFixture; syncHost: GoogleHostFixture }>({
  gHost: [
    async ({}, use) => {
      const h = await startGoogleHost({ startupSync: false });
      await use(h.fixture);
      await h.close();
    },
    { scope: 'worker' },
  ],
  syncHost: [
    async ({}, use) => {
      const h = await startGoogleHost({ startupSync: true });
      await use(h.fixture);
      await h.close();
    },
    { scope: 'worker' },
  ],
});

/** Opens the launch link (which sets the connection cookie) and logs in through the form. */
export async function login(page: Page, host: GoogleHostFixture, loginName: string, password = 'demo'): Promise<void> {
  page.on('pageerror', (error) => {
    throw new Error(`uncaught error in the page: ${error.message}\n${error.stack ?? ''}`);
  });
  await page.goto(host.launchUrl);
  const form = page.getByTestId('login-form');
  await expect(form).toBeVisible();
  await page.getByTestId('login-name').fill(loginName);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-password').press('Enter');
  await expect(page.getByTestId('current-user')).toBeVisible();
}

/** ADM points the app at the emulator with the e2e OAuth client (what the ADM form does). */
export async function useEmulatorClient(host: GoogleHostFixture): Promise<void> {
  const conn = host.core.newConnection();
  const reply = host.core.callSync(conn, 'session.login', { login: host.admin, password: 'demo' });
  if (!reply.ok) throw new Error(`ADM login failed: ${reply.error.message}`);
  await host.core.invoke(conn, 'google.setClient', { clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, publishing: 'testing', rootUrl: host.emu.url });
}

/**
 * Connects a rep to their emulator account without the consent page: tokens minted by the
 * emulator's admin API, the refresh token sealed and stored as the OAuth flow would store it.
 */
export async function connectWithoutConsent(host: GoogleHostFixture, login: string): Promise<void> {
  const rep = host.reps.find((r) => r.login === login);
  if (!rep) throw new Error(`${login} is not a rep with a Google account`);
  const tokens = await host.emu.mintTokens({ clientId: CLIENT.clientId, email: rep.googleEmail, scopes: REQUESTED_SCOPES.filter((sc) => sc.startsWith('https://')) });
  putGoogleAccount(host.db, {
    userId: host.userId(login),
    email: rep.googleEmail,
    sealedRefreshToken: await host.secrets.seal(tokens.refresh_token),
    scopes: REQUESTED_SCOPES,
    connectedAt: new Date().toISOString(),
  });
}

/** The official Calendar client on a rep's emulator account, and the id of their named calendar. */
export async function googleCalendar(host: GoogleHostFixture, email: string, name = DEMO_CALENDAR): Promise<{ cal: calendar_v3.Calendar; calendarId: string }> {
  const tokens = await host.emu.mintTokens({ clientId: CLIENT.clientId, email, scopes: ['https://www.googleapis.com/auth/calendar'] });
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: tokens.access_token });
  const cal = calendar({ version: 'v3', auth: auth as never, rootUrl: `${host.emu.url}/`, retry: false });
  const list = await cal.calendarList.list();
  const found = (list.data.items ?? []).find((c) => c.summary === name);
  if (!found?.id) throw new Error(`no calendar named ${name} for ${email}`);
  return { cal, calendarId: found.id };
}

/** The first action type (by the order the CRM lists them): the type the specs give the actions they make. */
export function firstTypeId(db: Db): number {
  return (db.prepare('SELECT id FROM action_types ORDER BY sort_order LIMIT 1').get() as { id: number }).id;
}

export { DEMO_CALENDAR, expect };

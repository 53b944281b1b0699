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
import { Core } from '../electron/core/app';
import { openDatabase, type Db } from '../electron/core/db/database';
import { DEMO_CALENDAR, generateDemo } from '../electron/core/demo/generate';
import { createLogger } from '../electron/core/log';
import { createNodeSealer } from '../electron/core/secrets-node';
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
}

export const test = base.extend<object, { gHost: GoogleHostFixture }>({
  gHost: [
    async ({}, use) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-e2e-google-'));
      const dbFile = path.join(dir, 'crm.sqlite');
      const db = openDatabase(dbFile);
      const summary = generateDemo(db);
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
      await use({ url: host.url, launchUrl: host.launchUrl, admin: 'ADM', reps, db, emu, deadUrl, logs, userId });
      await host.close();
      await emu.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
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

export { expect };

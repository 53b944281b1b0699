/**
 * Playwright fixtures: each worker gets the browser host on a fresh demo database (generated
 * for today, so the current week is full), served on 127.0.0.1 with a random port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { Core } from '../electron/core/app';
import { openDatabase, type Db } from '../electron/core/db/database';
import { generateDemo } from '../electron/core/demo/generate';
import { createLogger } from '../electron/core/log';
import { RENDERER_DIR } from '../electron/host/launch';
import { startHost } from '../electron/host/server';

export interface HostFixture {
  url: string;
  launchUrl: string;
  users: { admin: string; reps: string[]; managers: string[] };
  /** Read-only look at the database behind the host, to check what a test did (or did not) change. */
  db: Db;
  userId(login: string): number;
}

export const test = base.extend<object, { host: HostFixture }>({
  host: [
    async ({}, use) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-e2e-'));
      const db = openDatabase(path.join(dir, 'crm.sqlite'));
      const summary = generateDemo(db);
      const core = new Core({ db, logger: createLogger(() => undefined) });
      const host = await startHost({ core, staticDir: RENDERER_DIR, demo: true });
      const users = {
        admin: 'ADM',
        reps: summary.users.filter((u) => u.role === 'rep').map((u) => u.login),
        managers: summary.users.filter((u) => u.role === 'manager').map((u) => u.login),
      };
      const userId = (login: string) => (db.prepare('SELECT id FROM users WHERE login = ?').get(login) as { id: number }).id;
      await use({ url: host.url, launchUrl: host.launchUrl, users, db, userId });
      await host.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
});

/** Opens the launch link (which sets the connection cookie) and logs in through the form. */
export async function login(page: Page, host: HostFixture, loginName: string, password = 'demo'): Promise<void> {
  await page.goto(host.launchUrl);
  const form = page.getByTestId('login-form');
  await expect(form).toBeVisible();
  await form.locator('input').first().fill(loginName);
  await form.locator('input[type="password"]').fill(password);
  await form.locator('input[type="password"]').press('Enter');
  await expect(page.getByTestId('current-user')).toBeVisible();
}

export { expect };

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENT, startDemoGoogle } from '../../electron/host/demo-google';
import { getGoogleClientSettings } from '../../electron/core/google/settings';
import { Core } from '../../electron/core/app';
import { createLogger } from '../../electron/core/log';
import { createNodeSealer } from '../../electron/core/secrets-node';
import { DEMO_NOW, demoDb } from '../helpers';

const env = demoDb();
const secrets = await createNodeSealer({ keyDir: env.dir, id: env.file, keyring: null });
const core = new Core({ db: env.db, now: () => DEMO_NOW, logger: createLogger(() => undefined), services: { secrets } });
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-demo-google-'));
afterAll(() => {
  env.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

async function calendarOf(root: string, email: string) {
  const res = await fetch(`${root}/__emulator/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: DEMO_CLIENT.clientId, email, scopes: ['https://www.googleapis.com/auth/calendar'] }),
  });
  const tokens = (await res.json()) as { access_token: string };
  const auth = new OAuth2Client({ clientId: DEMO_CLIENT.clientId });
  auth.setCredentials({ access_token: tokens.access_token });
  return calendar({ version: 'v3', auth: auth as unknown as calendar_v3.Options['auth'], rootUrl: `${root}/` });
}

describe('the demo\'s Google', () => {
  it('registers every demo user with their calendar and a few phone-booked events, and points the app at it', async () => {
    const google = await startDemoGoogle({ core, dataDir, log: () => undefined });
    try {
      const emails = env.summary.users.filter((u) => u.googleEmail).map((u) => u.googleEmail);
      expect(google.accounts).toEqual(emails);
      const cal = await calendarOf(google.url, emails[0]!);
      const list = await cal.calendarList.list();
      const named = list.data.items?.find((c) => c.summary === 'Agenda CRM');
      expect(named).toBeDefined();
      const events = await cal.events.list({ calendarId: named!.id! });
      expect(events.data.items?.map((e) => e.summary)).toEqual(expect.arrayContaining(['Déjeuner avec un client', 'Visite showroom']));
      expect(events.data.items).toHaveLength(4);
      const settings = getGoogleClientSettings(env.db);
      expect(settings).toMatchObject({ rootUrl: google.url, clientId: DEMO_CLIENT.clientId, publishing: 'testing' });
      // Stored sealed, so a fresh demo can connect without ADM typing the secret.
      expect(settings.sealedSecret).not.toContain(DEMO_CLIENT.clientSecret);
      expect(await secrets.open(settings.sealedSecret!)).toBe(DEMO_CLIENT.clientSecret);
    } finally {
      await google.close();
    }
  });

  it('keeps its state across a restart without seeding twice', async () => {
    const google = await startDemoGoogle({ core, dataDir, log: () => undefined });
    try {
      const email = env.summary.users.find((u) => u.googleEmail)!.googleEmail!;
      const cal = await calendarOf(google.url, email);
      const named = (await cal.calendarList.list()).data.items!.find((c) => c.summary === 'Agenda CRM')!;
      expect((await cal.events.list({ calendarId: named.id! })).data.items).toHaveLength(4);
    } finally {
      await google.close();
    }
  });
});

/**
 * The demo's Google: starts the emulator (emulator/, run as its own process, as one would run
 * LocalStack) beside the browser host, registers a desktop OAuth client and a Google account
 * for every demo user who has a Google e-mail — with the calendar named in their preferences and
 * a few events and contacts of their own, as if booked on their phone — and points the app at it.
 * The emulator keeps its state in `dataDir`, so connections and sync tokens survive a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { TZDate } from '@date-fns/tz';
import { addDays, startOfWeek } from 'date-fns';
import { z } from 'zod';
import type { Core } from '../core/app';
import { putGoogleClientSettings } from '../core/google/settings';
import { PROJECT_ROOT } from './paths';

export const DEMO_CLIENT = {
  clientId: 'crm-companion-demo.apps.googleusercontent.com',
  clientSecret: 'demo-client-secret',
  publishing: 'testing' as const,
};

export interface DemoGoogle {
  url: string;
  accounts: string[];
  close(): Promise<void>;
}

async function startEmulatorProcess(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'emulator', 'main.ts'), '--port', '0', '--data', dataDir], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`The Google emulator did not start within 30 s.${err ? ` ${err.trim()}` : ''}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The Google emulator stopped (exit ${code}).${err ? ` ${err.trim()}` : ''}`));
    });
  });
  return { url, child };
}

async function admin(url: string, method: 'GET' | 'POST', route: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}/__emulator/${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`Google emulator: ${method} /__emulator/${route} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

const DemoUser = z.object({ login: z.string(), display_name: z.string(), google_email: z.string(), calendar_name: z.string() });

/** A few events a rep booked on their phone this week and next, in Paris time. */
function phoneEvents(index: number, now: Date) {
  const monday = startOfWeek(new TZDate(now.getTime(), 'Europe/Paris'), { weekStartsOn: 1 });
  const at = (dayOffset: number, hour: number, minutes: number) => {
    const d = addDays(monday, dayOffset);
    return new TZDate(d.getFullYear(), d.getMonth(), d.getDate(), hour, minutes, 0, 0, 'Europe/Paris').toISOString();
  };
  const titles = ['Déjeuner avec un client', 'Appel de suivi (pris sur mobile)', 'Visite showroom', 'Point fournisseur'];
  return titles.map((summary, k) => {
    const day = (index + k * 2) % 10;
    const hour = 9 + ((index + k) % 8);
    return {
      summary,
      location: k === 2 ? 'Lyon' : '',
      start: { dateTime: at(day, hour, 0), timeZone: 'Europe/Paris' },
      end: { dateTime: at(day, hour + 1, 0), timeZone: 'Europe/Paris' },
    };
  });
}

export async function startDemoGoogle(options: { core: Core; dataDir: string; log: (line: string) => void; now?: Date }): Promise<DemoGoogle> {
  const { url, child } = await startEmulatorProcess(options.dataDir);
  const stopChild = () => child.kill('SIGTERM');
  process.once('exit', stopChild);
  try {
    await admin(url, 'POST', 'clients', DEMO_CLIENT);
    const state = z.object({ accounts: z.number() }).passthrough().parse(await admin(url, 'GET', 'state'));
    const users = z
      .array(DemoUser)
      .parse(
        options.core.db
          .prepare(
            `SELECT u.login, u.display_name, p.google_email, p.calendar_name FROM users u JOIN sync_prefs p ON p.user_id = u.id
             WHERE p.google_email <> '' ORDER BY u.id`,
          )
          .all(),
      );
    const fresh = state.accounts === 0;
    for (const [i, u] of users.entries()) {
      await admin(url, 'POST', 'accounts', { email: u.google_email, name: u.display_name, calendars: u.calendar_name ? [u.calendar_name] : [], testUser: true });
      if (!fresh) continue;
      // Seeded once: a restart keeps what the demo users did since.
      if (u.calendar_name) await admin(url, 'POST', `accounts/${encodeURIComponent(u.google_email)}/events`, { calendar: u.calendar_name, events: phoneEvents(i, options.now ?? new Date()) });
      await admin(url, 'POST', `accounts/${encodeURIComponent(u.google_email)}/contacts`, {
        contacts: [
          { names: [{ givenName: 'Nathalie', familyName: `Perrin ${i + 1}` }], emailAddresses: [{ value: `nathalie.perrin${i + 1}@example.fr` }], biographies: [{ value: 'Contact ajouté depuis le téléphone' }] },
          { names: [{ givenName: 'Karim', familyName: `Benali ${i + 1}` }], phoneNumbers: [{ value: '06 12 34 56 78', type: 'mobile' }] },
        ],
      });
    }
    // The secret is sealed like one ADM typed, so a fresh demo can connect out of the box.
    const sealedSecret = await options.core.services.secrets.seal(DEMO_CLIENT.clientSecret);
    putGoogleClientSettings(options.core.db, { rootUrl: url, clientId: DEMO_CLIENT.clientId, publishing: DEMO_CLIENT.publishing, sealedSecret });
    options.log(`Google emulator at ${url} (${users.length} demo accounts${fresh ? ', seeded' : ''}; state in ${options.dataDir}).`);
    return {
      url,
      accounts: users.map((u) => u.google_email),
      close: () =>
        new Promise<void>((resolve) => {
          process.removeListener('exit', stopChild);
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
}

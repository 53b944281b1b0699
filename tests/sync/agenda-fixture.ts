/**
 * An agenda-sync fixture: the Google fixture (demo CRM, in-process emulator) with the rep
 * connected without a browser (a minted refresh token, sealed like Connect does), their demo
 * actions removed so each test starts from a known agenda, and a Calendar client on the
 * emulator to read and edit "the phone's" side.
 */
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { OAuth2Client } from 'google-auth-library';
import { putGoogleAccount } from '../../electron/core/google/accounts';
import { REQUESTED_SCOPES } from '../../electron/core/google/identity';
import type { SyncReport } from '../../shared/contract';
import { CALENDAR, CLIENT, fixture, type Fixture, type FixtureOptions } from '../google/fixture';
import { listAllEvents } from '../google/events';

export interface AgendaFixture extends Fixture {
  cal: calendar_v3.Calendar;
  calendarId: string;
  typeId: number;
  sync(options?: { dryRun?: boolean; conn?: string; userId?: number }): Promise<SyncReport>;
  gEvents(): Promise<calendar_v3.Schema$Event[]>;
  createAction(input: Record<string, unknown>): Promise<number>;
  action(id: number): Record<string, unknown> & { title: string; period: unknown; description: string };
  actionIds(): number[];
  requests(): Promise<number>;
}

export async function connectWithoutBrowser(f: Fixture, userId: number, email: string): Promise<void> {
  const t = await f.emu.mintTokens({ clientId: CLIENT.clientId, email, scopes: REQUESTED_SCOPES.filter((s) => s.startsWith('https://')) });
  putGoogleAccount(f.db, { userId, email, sealedRefreshToken: await f.sealer.seal(t.refresh_token!), scopes: REQUESTED_SCOPES, connectedAt: new Date().toISOString() });
}

export async function agendaFixture(opts: FixtureOptions & { timeZone?: string } = {}): Promise<AgendaFixture> {
  const f = await fixture(opts);
  f.db.prepare('DELETE FROM actions WHERE owner_id IN (?, ?)').run(f.repId, f.colleagueId);
  f.db.prepare('DELETE FROM outbox').run();
  if (opts.timeZone) f.db.prepare('UPDATE users SET time_zone = ? WHERE id = ?').run(opts.timeZone, f.repId);
  await connectWithoutBrowser(f, f.repId, f.repEmail);
  await f.core.invoke(f.rep, 'syncPrefs.update', { patch: { calendarName: CALENDAR, automaticSync: false } });
  const t = await f.emu.mintTokens({ clientId: CLIENT.clientId, email: f.repEmail, scopes: ['https://www.googleapis.com/auth/calendar'] });
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: t.access_token });
  const cal = calendar({ version: 'v3', auth: auth as never, rootUrl: `${f.emu.url}/` });
  const calendarId = (await cal.calendarList.list()).data.items!.find((c) => c.summary === CALENDAR)!.id!;
  const typeId = (f.db.prepare('SELECT id FROM action_types ORDER BY sort_order LIMIT 1').get() as { id: number }).id;
  return {
    ...f,
    cal,
    calendarId,
    typeId,
    sync: (o = {}) => f.core.invoke(o.conn ?? f.rep, 'agendaSync.run', { dryRun: o.dryRun ?? false, ...(o.userId ? { userId: o.userId } : {}) }),
    gEvents: () => listAllEvents(cal, calendarId),
    async createAction(input) {
      const a = await f.core.invoke(f.rep, 'actions.create', { typeId, location: '', private: false, reminder: { enabled: false, minutesBefore: 15 }, description: '', contactId: null, companyId: null, ...input });
      return a.id;
    },
    action(id) {
      return f.core.invokeSync(f.rep, 'actions.get', { id }) as never;
    },
    actionIds() {
      return (f.db.prepare('SELECT id FROM actions WHERE owner_id = ? ORDER BY id').all(f.repId) as { id: number }[]).map((r) => r.id);
    },
    async requests() {
      const s = (await f.emu.stats()) as { byAccount?: Record<string, { total?: number }> };
      return s.byAccount?.[f.repEmail]?.total ?? 0;
    },
  };
}

/** An hour on day `days` from now at `hour` UTC. */
export function timed(days: number, hour = 9, hours = 1): { allDay: false; start: string; end: string } {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  d.setUTCHours(hour, 0, 0, 0);
  return { allDay: false, start: d.toISOString(), end: new Date(d.getTime() + hours * 3_600_000).toISOString() };
}

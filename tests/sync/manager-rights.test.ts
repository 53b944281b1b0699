/**
 * Managers and the manual sync (issue 7, FTC019 §3.6), proved in the core: a rep cannot sync,
 * preview, cancel or read the log of a colleague's agenda or contacts without the right (the
 * exact error, nothing changed); a manager holding *Agenda* can — through the colleague's own
 * connection, whose token no channel, error, event or log line ever carries; a colleague's
 * private actions stay « Busy » (no title, no details) in previews, reports and the log unless
 * the manager holds *Visible*. Also: `contactsSync.cancel`, and the log's codes (logText.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { putGoogleAccount } from '../../electron/core/google/accounts';
import { REQUESTED_SCOPES } from '../../electron/core/google/identity';
import { LOG_CODES, logTextOf, redactTitle } from '../../electron/core/sync/logText';
import { dump } from '../helpers';
import { CALENDAR, CLIENT } from '../google/fixture';
import { agendaFixture, timed, type AgendaFixture } from './agenda-fixture';

let f: AgendaFixture;
/** The colleague's refresh token in clear, and as stored: neither may ever reach a caller. */
let secrets: string[];

beforeEach(async () => {
  f = await agendaFixture();
  // The second rep connected too (the manager holds Agenda on them, not Visible).
  const t = await f.emu.mintTokens({ clientId: CLIENT.clientId, email: f.colleagueEmail, scopes: REQUESTED_SCOPES.filter((s) => s.startsWith('https://')) });
  const sealed = await f.sealer.seal(t.refresh_token!);
  putGoogleAccount(f.db, { userId: f.colleagueId, email: f.colleagueEmail, sealedRefreshToken: sealed, scopes: REQUESTED_SCOPES, connectedAt: new Date().toISOString() });
  await f.core.invoke(f.colleague, 'syncPrefs.update', { patch: { calendarName: CALENDAR, automaticSync: false } });
  f.db.prepare('DELETE FROM contact_sync_list WHERE user_id = ?').run(f.colleagueId);
  secrets = [t.refresh_token!, sealed, CLIENT.clientSecret];
});
afterEach(async () => {
  await f.close();
});

const managerId = () => f.core.sessionUser(f.manager)!.id;

/** An action of the colleague, created as them. */
async function colleagueAction(title: string, extra: Record<string, unknown> = {}): Promise<number> {
  const a = await f.core.invoke(f.colleague, 'actions.create', {
    typeId: f.typeId,
    title,
    period: timed(2),
    location: 'Cabinet Dr Martin',
    private: false,
    reminder: { enabled: false, minutesBefore: 15 },
    description: 'Bilan annuel',
    contactId: null,
    companyId: null,
    ...extra,
  });
  return a.id;
}

function expectNoSecret(what: unknown, label: string): void {
  const text = JSON.stringify(what);
  for (const s of secrets) expect(text.includes(s), `${label} carries a secret`).toBe(false);
}

describe('a rep without the right', () => {
  it('cannot sync, preview, cancel, answer or read the log of a colleague: the exact error, nothing changed', async () => {
    await colleagueAction('Visite client');
    const run = await f.core.invoke(f.colleague, 'agendaSync.run', {});
    const before = dump(f.db);
    const agenda = { ok: false, error: { code: 'FORBIDDEN', message: `You have no right to synchronise the agenda of user ${f.colleagueId}.` } };
    const contacts = { ok: false, error: { code: 'FORBIDDEN', message: `You have no right to synchronise the contacts of user ${f.colleagueId}.` } };
    for (const [channel, input, expected] of [
      ['agendaSync.run', { userId: f.colleagueId }, agenda],
      ['agendaSync.run', { userId: f.colleagueId, dryRun: true }, agenda],
      ['agendaSync.cancel', { userId: f.colleagueId }, agenda],
      ['agendaSync.log', { userId: f.colleagueId }, agenda],
      ['agendaSync.logEntries', { runId: run.runId! }, agenda],
      ['agendaSync.pendingDeletions', { userId: f.colleagueId }, agenda],
      ['agendaSync.resolveDeletions', { userId: f.colleagueId, ids: 'all', decision: 'delete' }, agenda],
      ['contactsSync.run', { userId: f.colleagueId }, contacts],
      ['contactsSync.run', { userId: f.colleagueId, dryRun: true }, contacts],
      ['contactsSync.cancel', { userId: f.colleagueId }, contacts],
      ['contactsSync.log', { userId: f.colleagueId }, contacts],
    ] as const) {
      expect(await f.core.call(f.rep, channel, input), `${channel} ${JSON.stringify(input)}`).toEqual(expected);
    }
    expect(dump(f.db)).toBe(before);
  });

  it('finds only themself among the users they may sync; a manager finds their team, connected or not', async () => {
    const mine = f.core.invokeSync(f.rep, 'sync.targets', {});
    expect(mine.map((t) => [t.userId, t.isSelf, t.connected])).toEqual([[f.repId, true, true]]);
    const team = f.core.invokeSync(f.manager, 'sync.targets', {});
    expect(team[0]).toMatchObject({ userId: managerId(), isSelf: true, connected: false });
    expect(team.find((t) => t.userId === f.repId)).toMatchObject({ connected: true, seePrivate: true, calendarName: CALENDAR });
    expect(team.find((t) => t.userId === f.colleagueId)).toMatchObject({ connected: true, seePrivate: false });
    // Exactly the colleagues the manager holds Agenda on.
    const held = (f.db.prepare('SELECT target_id FROM user_rights WHERE holder_id = ? AND agenda = 1').all(managerId()) as { target_id: number }[]).map((r) => r.target_id);
    expect(team.filter((t) => !t.isSelf).map((t) => t.userId).sort()).toEqual(held.sort());
    expectNoSecret(team, 'sync.targets');
  });
});

describe('a manager holding Agenda on a colleague', () => {
  it('previews, runs and reads the log of the colleague\'s agenda and contacts with the colleague\'s connection, never seeing its token', async () => {
    const visit = await colleagueAction('Visite client');
    const contact = (await f.core.invoke(f.colleague, 'contacts.create', { lastName: 'Partagé', firstName: 'Jean' })).id;
    await f.core.invoke(f.colleague, 'contactSyncList.add', { contactIds: [contact] });

    const seen: unknown[] = [];
    const dryA = await f.core.invoke(f.manager, 'agendaSync.run', { userId: f.colleagueId, dryRun: true });
    const dryC = await f.core.invoke(f.manager, 'contactsSync.run', { userId: f.colleagueId, dryRun: true });
    expect(dryA).toMatchObject({ userId: f.colleagueId, dryRun: true, google: { created: 1 } });
    expect(dryA.changes).toEqual(expect.arrayContaining([expect.objectContaining({ side: 'google', op: 'create', actionId: visit, title: 'Visite client' })]));
    expect(dryC.changes).toEqual([{ side: 'google', op: 'create', contactId: contact, googleId: null, name: 'Jean Partagé' }]);
    // A dry run wrote nothing, on either side.
    expect(await f.gEvents()).toEqual([]);

    const runA = await f.core.invoke(f.manager, 'agendaSync.run', { userId: f.colleagueId });
    const runC = await f.core.invoke(f.manager, 'contactsSync.run', { userId: f.colleagueId });
    // The run does what the preview said.
    for (const [dry, run] of [
      [dryA, runA],
      [dryC, runC],
    ] as const) {
      expect(run.status).toBe('ok');
      expect({ crm: run.crm, google: run.google }).toEqual({ crm: dry.crm, google: dry.google });
    }
    // Through the colleague's account, started by the manager.
    expect(f.db.prepare('SELECT user_id, started_by FROM sync_runs WHERE id = ?').get(runA.runId)).toEqual({ user_id: f.colleagueId, started_by: managerId() });
    const stats = (await f.emu.stats()) as { byAccount?: Record<string, { total?: number }> };
    expect(stats.byAccount?.[f.colleagueEmail]?.total ?? 0).toBeGreaterThan(0);

    const logA = f.core.invokeSync(f.manager, 'agendaSync.log', { userId: f.colleagueId });
    const entriesA = f.core.invokeSync(f.manager, 'agendaSync.logEntries', { runId: logA[0]!.id });
    const logC = f.core.invokeSync(f.manager, 'contactsSync.log', { userId: f.colleagueId });
    const entriesC = f.core.invokeSync(f.manager, 'contactsSync.logEntries', { runId: logC[0]!.id });
    expect(entriesA.at(-1)).toMatchObject({ code: 'agenda.run', params: { status: 'ok', googleCreated: 1 } });
    expect(entriesC.at(-1)).toMatchObject({ code: 'contacts.run', params: { status: 'ok', googleCreated: 1, listed: 1 } });
    seen.push(dryA, dryC, runA, runC, logA, entriesA, logC, entriesC, f.core.invokeSync(f.manager, 'sync.targets', {}));
    // The Google connection channels of a colleague are ADM's only: refused, and without the token.
    const conn = await f.core.call(f.manager, 'google.connection', { userId: f.colleagueId });
    expect(conn).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    seen.push(conn);
    // A failing run (Google unreachable for the colleague) says why — still without the token.
    f.db.prepare('UPDATE sync_prefs SET calendar_name = ? WHERE user_id = ?').run('Inconnu', f.colleagueId);
    f.db.prepare('DELETE FROM sync_calendars WHERE user_id = ?').run(f.colleagueId);
    const failed = await f.core.invoke(f.manager, 'agendaSync.run', { userId: f.colleagueId });
    expect(failed.status).toBe('failed');
    expect(failed.errors[0]!.message).toContain('Inconnu');
    seen.push(failed);
    expectNoSecret(seen, 'what the manager received');
    expectNoSecret(f.events, 'the events');
    expectNoSecret(f.logLines, 'the log');
  });

  it('sees a colleague\'s private actions as « Busy » in the preview, the report and the log, unless Visible', async () => {
    const secret = await colleagueAction('Rendez-vous médecin', { private: true });
    await colleagueAction('Visite client');
    const preview = await f.core.invoke(f.manager, 'agendaSync.run', { userId: f.colleagueId, dryRun: true });
    const hidden = preview.changes.find((c) => c.actionId === secret);
    expect(hidden).toMatchObject({ title: 'Busy', private: true, fields: [] });
    expect(JSON.stringify(preview)).not.toMatch(/médecin|Dr Martin|Bilan annuel/);
    // The colleague themself sees it.
    const own = await f.core.invoke(f.colleague, 'agendaSync.run', { dryRun: true });
    expect(own.changes.find((c) => c.actionId === secret)?.title).toBe('Rendez-vous médecin');

    // Changed on both sides: the conflict is decided and logged, the title still hidden from the manager.
    await f.core.invoke(f.manager, 'agendaSync.run', { userId: f.colleagueId });
    const link = f.db.prepare("SELECT google_id FROM sync_links WHERE crm_id = ? AND kind = 'event'").get(secret) as { google_id: string };
    const t = await f.emu.mintTokens({ clientId: CLIENT.clientId, email: f.colleagueEmail, scopes: ['https://www.googleapis.com/auth/calendar'] });
    const { calendar } = await import('@googleapis/calendar');
    const { OAuth2Client } = await import('google-auth-library');
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: t.access_token });
    const cal = calendar({ version: 'v3', auth: auth as never, rootUrl: `${f.emu.url}/` });
    const calendarId = (await cal.calendarList.list()).data.items!.find((c) => c.summary === CALENDAR)!.id!;
    await cal.events.patch({ calendarId, eventId: link.google_id, requestBody: { summary: 'Rendez-vous médecin (Google)' } });
    await f.core.invoke(f.colleague, 'actions.update', { id: secret, patch: { title: 'Rendez-vous médecin (CRM)' } });
    const conflictPreview = await f.core.invoke(f.manager, 'agendaSync.run', { userId: f.colleagueId, dryRun: true });
    expect(conflictPreview.decisions).toEqual([expect.objectContaining({ kind: 'conflict', actionId: secret, code: 'agenda.conflict', params: expect.objectContaining({ title: 'Busy', field: 'title' }) })]);
    const run = await f.core.invoke(f.manager, 'agendaSync.run', { userId: f.colleagueId });
    expect(run.decisions).toHaveLength(1);
    const entries = f.core.invokeSync(f.manager, 'agendaSync.logEntries', { runId: run.runId! });
    expect(entries.some((e) => e.code === 'agenda.conflict')).toBe(true);
    expect(JSON.stringify([run, entries])).not.toMatch(/médecin/);
    // The colleague's own log keeps the real title.
    const ownEntries = f.core.invokeSync(f.colleague, 'agendaSync.logEntries', { runId: run.runId! });
    expect(JSON.stringify(ownEntries)).toMatch(/médecin/);

    // With Visible, the manager sees it all.
    f.db.prepare('UPDATE user_rights SET visible = 1 WHERE holder_id = ? AND target_id = ?').run(managerId(), f.colleagueId);
    const visible = f.core.invokeSync(f.manager, 'agendaSync.logEntries', { runId: run.runId! });
    expect(JSON.stringify(visible)).toMatch(/médecin/);
  });
});

describe('contactsSync.cancel', () => {
  it('stops a running contacts sync; the next run ends it with no duplicate', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push((await f.core.invoke(f.rep, 'contacts.create', { lastName: `Annulé ${i}`, email: `a${i}@example.org` })).id);
    await f.core.invoke(f.rep, 'contactSyncList.add', { contactIds: ids });
    expect(await f.core.call(f.rep, 'contactsSync.cancel', {})).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No contacts sync is running for you: there is nothing to cancel.' },
    });
    (f.emu.emulator.opts as { latencyMs: number }).latencyMs = 150;
    const running = f.core.invoke(f.rep, 'contactsSync.run', {});
    await new Promise((r) => setTimeout(r, 200));
    // The colleague may not; the manager (Agenda on the rep) may.
    expect(await f.core.call(f.colleague, 'contactsSync.cancel', { userId: f.repId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await f.core.invoke(f.manager, 'contactsSync.cancel', { userId: f.repId })).toEqual({ userId: f.repId, cancelled: 1 });
    const cancelled = await running;
    expect(cancelled.status).toBe('cancelled');
    (f.emu.emulator.opts as { latencyMs: number }).latencyMs = 0;
    const entries = f.core.invokeSync(f.rep, 'contactsSync.logEntries', { runId: cancelled.runId! });
    expect(entries.some((e) => e.code === 'run.cancelled')).toBe(true);

    const again = await f.core.invoke(f.rep, 'contactsSync.run', {});
    expect(again.status).toBe('ok');
    // Every contact once in Google (gContact fails on a duplicate), the list all synced.
    const { people: peopleApi } = await import('@googleapis/people');
    const { OAuth2Client } = await import('google-auth-library');
    const t = await f.emu.mintTokens({ clientId: CLIENT.clientId, email: f.repEmail, scopes: ['https://www.googleapis.com/auth/contacts'] });
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: t.access_token });
    const ppl = peopleApi({ version: 'v1', auth: auth as never, rootUrl: `${f.emu.url}/` });
    const all = (await ppl.people.connections.list({ resourceName: 'people/me', personFields: 'clientData', pageSize: 1000 })).data.connections ?? [];
    const crmIds = all.flatMap((p) => (p.clientData ?? []).filter((d) => d.key === 'crmContactId').map((d) => Number(d.value)));
    expect(crmIds.filter((id) => ids.includes(id)).sort((a, b) => a - b)).toEqual(ids);
    const items = f.core.invokeSync(f.rep, 'contactSyncList.items', { limit: 100 });
    expect(items.items.every((c) => c.state === 'synced')).toBe(true);
  });
});

describe('the sync log as data', () => {
  it('gives each engine sentence a code and params, and a redacted line loses its title', () => {
    const conflict = logTextOf('« Déjeuner »: title changed on both sides (CRM "A", Google "B"); the Google edit wins (rule: the most recent change wins).');
    expect(conflict).toMatchObject({ code: 'agenda.conflict', params: { title: 'Déjeuner', field: 'title', crm: '"A"', google: '"B"', winner: 'google', rule: 'newest' } });
    expect(redactTitle(conflict, 'Busy').message).toBe('« Busy »: title changed on both sides (CRM …, Google …); the Google edit wins (rule: the most recent change wins).');
    expect(logTextOf('Run ok: CRM +1 ~2 −3; Google +4 ~5 −6; 7 request(s).')).toMatchObject({ code: 'agenda.run', params: { status: 'ok', crmCreated: 1, googleDeleted: 6, requests: 7 } });
    expect(logTextOf('Something Google said.')).toEqual({ code: 'text', params: { text: 'Something Google said.' }, message: 'Something Google said.' });
    expect(new Set(LOG_CODES).size).toBe(LOG_CODES.length);
  });
});

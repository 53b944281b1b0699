/**
 * Reset and Reset calendar (FTC019 §3.5.3): both scopes, keeping or deleting what the app
 * created in Google — asserted on both sides, the CRM file and the emulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getGoogleAccount } from '../../electron/core/google/accounts';
import { CONTACT_CRM_ID, EVENT_CRM_ID } from '../../electron/core/google/identity';
import { CALENDAR, connectVia, fixture, type Fixture } from './fixture';

let f: Fixture;
afterEach(async () => f?.close());

const ev = (summary: string, crmId?: number) => ({
  summary,
  start: { dateTime: '2030-01-07T09:00:00Z' },
  end: { dateTime: '2030-01-07T10:00:00Z' },
  ...(crmId === undefined ? {} : { extendedProperties: { private: { [EVENT_CRM_ID]: String(crmId) } } }),
});
const person = (name: string, crmId?: number) => ({
  names: [{ givenName: name }],
  ...(crmId === undefined ? {} : { clientData: [{ key: CONTACT_CRM_ID, value: String(crmId) }] }),
});

async function setup(): Promise<void> {
  f = await fixture();
  expect((await connectVia(f, f.rep)).outcome).toBe('connected');
  await f.emu.seedEvents(f.repEmail, [ev('from CRM 1', 1), ev('from CRM 2', 2), ev('booked on the phone')], { calendar: CALENDAR });
  await f.emu.seedEvents(f.repEmail, [ev('other calendar, from CRM', 3)], { calendar: 'Perso' });
  await f.emu.seedContacts(f.repEmail, [person('Crm One', 1), person('Crm Two', 2), person('Phone Friend')]);
  const at = new Date().toISOString();
  const link = f.db.prepare('INSERT INTO sync_links (user_id, kind, crm_id, google_id, synced_at) VALUES (?, ?, ?, ?, ?)');
  for (const [kind, n] of [['event', 3], ['contact', 2]] as const) for (let i = 1; i <= n; i++) link.run(f.repId, kind, i, `${kind}${i}`, at);
  link.run(f.colleagueId, 'event', 1, 'colleague-event', at);
  const token = f.db.prepare('INSERT INTO sync_tokens (user_id, kind, token, updated_at) VALUES (?, ?, ?, ?)');
  token.run(f.repId, 'calendar', 'cal-sync', at);
  token.run(f.repId, 'contacts', 'ppl-sync', at);
  const action = f.db.prepare('SELECT id FROM actions WHERE owner_id = ? LIMIT 1').get(f.repId) as { id: number };
  f.db.prepare('INSERT INTO pending_deletions (user_id, action_id, google_id, detected_at) VALUES (?, ?, ?, ?)').run(f.repId, action.id, 'gone', at);
}

const count = (sql: string, ...args: unknown[]) => (f.db.prepare(sql).get(...args) as { n: number }).n;
const rows = () => ({
  eventLinks: count("SELECT count(*) n FROM sync_links WHERE user_id = ? AND kind = 'event'", f.repId),
  contactLinks: count("SELECT count(*) n FROM sync_links WHERE user_id = ? AND kind = 'contact'", f.repId),
  colleagueLinks: count('SELECT count(*) n FROM sync_links WHERE user_id = ?', f.colleagueId),
  tokens: (f.db.prepare('SELECT kind FROM sync_tokens WHERE user_id = ? ORDER BY kind').all(f.repId) as { kind: string }[]).map((r) => r.kind),
  pending: count('SELECT count(*) n FROM pending_deletions WHERE user_id = ?', f.repId),
  account: getGoogleAccount(f.db, f.repId) !== null,
});

describe('google.reset', () => {
  it('calendar scope, keep: drops only the agenda links, tokens and pending deletions; Google untouched; still connected', async () => {
    await setup();
    const r = await f.core.invoke(f.rep, 'google.reset', { scope: 'calendar', inGoogle: 'keep' });
    expect(r).toMatchObject({ revoked: false, linksDropped: 3, deletedInGoogle: 0, connection: { connected: true } });
    expect(rows()).toEqual({ eventLinks: 0, contactLinks: 2, colleagueLinks: 1, tokens: ['contacts'], pending: 0, account: true });
    expect(await remainingEvents()).toEqual({ agenda: ['booked on the phone', 'from CRM 1', 'from CRM 2'], perso: ['other calendar, from CRM'] });
    expect(await remainingContacts()).toEqual(['Crm One', 'Crm Two', 'Phone Friend']);
    expect((await f.core.invoke(f.rep, 'google.test', {})).ok).toBe(true);
  });

  it('calendar scope, delete: deletes the marked events of the named calendar only', async () => {
    await setup();
    const r = await f.core.invoke(f.rep, 'google.reset', { scope: 'calendar', inGoogle: 'delete' });
    expect(r).toMatchObject({ revoked: false, linksDropped: 3, deletedInGoogle: 2 });
    expect(await remainingContacts()).toEqual(['Crm One', 'Crm Two', 'Phone Friend']);
    expect(await remainingEvents()).toEqual({ agenda: ['booked on the phone'], perso: ['other calendar, from CRM'] });
    expect(rows().contactLinks).toBe(2);
  });

  it('account scope, keep: revokes at Google and forgets everything of this user only', async () => {
    await setup();
    const r = await f.core.invoke(f.rep, 'google.reset', { scope: 'account', inGoogle: 'keep' });
    expect(r).toMatchObject({ revoked: true, linksDropped: 5, deletedInGoogle: 0, connection: { connected: false, accountEmail: null } });
    expect(rows()).toEqual({ eventLinks: 0, contactLinks: 0, colleagueLinks: 1, tokens: [], pending: 0, account: false });
    expect(Object.values(f.emu.emulator.state.refreshTokens).every((t) => t.email !== f.repEmail || t.revoked)).toBe(true);
    expect(await remainingEvents()).toEqual({ agenda: ['booked on the phone', 'from CRM 1', 'from CRM 2'], perso: ['other calendar, from CRM'] });
    expect(await remainingContacts()).toEqual(['Crm One', 'Crm Two', 'Phone Friend']);
  });

  it('account scope, delete: deletes the marked events and contacts, then revokes', async () => {
    await setup();
    const r = await f.core.invoke(f.rep, 'google.reset', { scope: 'account', inGoogle: 'delete' });
    expect(r).toMatchObject({ revoked: true, linksDropped: 5, deletedInGoogle: 4 });
    expect(await remainingEvents()).toEqual({ agenda: ['booked on the phone'], perso: ['other calendar, from CRM'] });
    expect(await remainingContacts()).toEqual(['Phone Friend']);
  });

  it('delete without a connection is refused and changes nothing', async () => {
    await setup();
    await f.core.invoke(f.rep, 'google.reset', { scope: 'account', inGoogle: 'keep' });
    f.db.prepare("INSERT INTO sync_links (user_id, kind, crm_id, google_id, synced_at) VALUES (?, 'event', 9, 'x', '2026-01-01T00:00:00Z')").run(f.repId);
    await expect(f.core.invoke(f.rep, 'google.reset', { scope: 'calendar', inGoogle: 'delete' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(rows().eventLinks).toBe(1);
  });
});

/** What is left in Google, read with a fresh token through the official client. */
async function remainingEvents() {
  const { calendar } = await import('@googleapis/calendar');
  const { OAuth2Client } = await import('google-auth-library');
  const t = await f.emu.mintTokens({ clientId: 'crm-companion-test.apps.googleusercontent.com', email: f.repEmail, scopes: ['https://www.googleapis.com/auth/calendar'] });
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: t.access_token });
  const cal = calendar({ version: 'v3', auth: auth as never, rootUrl: `${f.emu.url}/` });
  const list = (await cal.calendarList.list()).data.items!;
  const out: Record<string, string[]> = {};
  for (const [key, name] of [['agenda', CALENDAR], ['perso', 'Perso']] as const) {
    const id = list.find((c) => c.summary === name)!.id!;
    out[key] = ((await cal.events.list({ calendarId: id })).data.items ?? []).map((e) => e.summary ?? '').sort();
  }
  return out;
}

async function remainingContacts() {
  const { people } = await import('@googleapis/people');
  const { OAuth2Client } = await import('google-auth-library');
  const t = await f.emu.mintTokens({ clientId: 'crm-companion-test.apps.googleusercontent.com', email: f.repEmail, scopes: ['https://www.googleapis.com/auth/contacts'] });
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: t.access_token });
  const ppl = people({ version: 'v1', auth: auth as never, rootUrl: `${f.emu.url}/` });
  const res = await ppl.people.connections.list({ resourceName: 'people/me', personFields: 'names', pageSize: 100 });
  return (res.data.connections ?? []).map((p) => p.names?.[0]?.givenName ?? '').sort();
}


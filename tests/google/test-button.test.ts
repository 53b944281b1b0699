/**
 * The Test button (FTC019 §3.5): each failure provoked against the emulator, with its problem
 * code and English message.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestCheck, TestReport } from '../../shared/contract';
import { MESSAGES, calendarUnknownMessage } from '../../electron/core/google/test';
import { CALENDAR, connectVia, consent, fixture, flowResult, type Fixture, type FixtureOptions } from './fixture';

let f: Fixture;
afterEach(async () => f?.close());

async function connected(opts: FixtureOptions = {}): Promise<Fixture> {
  f = await fixture(opts);
  expect((await connectVia(f, f.rep)).outcome).toBe('connected');
  return f;
}

const test = (conn = f.rep, input: Record<string, unknown> = {}) => f.core.invoke(conn, 'google.test', input);
const check = (r: TestReport, id: TestCheck['id']) => r.checks.find((c) => c.id === id)!;
const statuses = (r: TestReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));

async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('google.test', () => {
  it('all green once connected (app in production)', async () => {
    await connected();
    const r = await test();
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.id)).toEqual(['client', 'connected', 'token', 'email', 'calendarApi', 'calendar', 'contacts', 'clock']);
    expect(r.checks.every((c) => c.status === 'pass')).toBe(true);
    expect(check(r, 'calendar').params).toEqual({ calendar: CALENDAR });
  });

  it('an app in Testing status gets a warning about the 7-day rule, still ok', async () => {
    await connected({ publishing: 'testing' });
    const r = await test();
    expect(r.ok).toBe(true);
    expect(check(r, 'client')).toMatchObject({ status: 'warn', message: MESSAGES.testingStatus });
  });

  it('CLIENT_NOT_SET, then everything else skipped', async () => {
    f = await fixture({ setClient: false });
    const r = await test();
    expect(r.ok).toBe(false);
    expect(check(r, 'client')).toMatchObject({ status: 'fail', problem: 'CLIENT_NOT_SET', message: MESSAGES.clientNotSet });
    expect(r.checks.slice(1).every((c) => c.status === 'skipped')).toBe(true);
  });

  it('NOT_CONNECTED: « Les informations sur le compte utilisateur ne sont pas accessibles »', async () => {
    f = await fixture();
    const r = await test();
    expect(check(r, 'connected')).toMatchObject({ status: 'fail', problem: 'NOT_CONNECTED', message: MESSAGES.notConnected });
    expect(statuses(r)).toMatchObject({ client: 'pass', token: 'skipped', calendar: 'skipped', clock: 'skipped' });
  });

  it('INVALID_CLIENT after ADM changes the secret', async () => {
    await connected();
    await f.core.invoke(f.adm, 'google.setClient', { clientSecret: 'a-wrong-secret' });
    const r = await test();
    expect(check(r, 'token')).toMatchObject({ status: 'fail', problem: 'INVALID_CLIENT', message: MESSAGES.invalidClient });
    expect(statuses(r)).toMatchObject({ email: 'skipped', calendarApi: 'skipped', contacts: 'skipped' });
  });

  it('INVALID_GRANT when the refresh token expired (fault) or its 7 days ran out (Testing app)', async () => {
    await connected();
    await f.emu.fault({ type: 'expireRefreshTokens' });
    let r = await test();
    expect(check(r, 'token')).toMatchObject({ status: 'fail', problem: 'INVALID_GRANT', message: MESSAGES.invalidGrant });
    expect(MESSAGES.invalidGrant).toMatch(/7 days.*6 months.*Connect again/);
    await f.close();

    await connected({ publishing: 'testing' });
    f.emu.clock.advance(8 * 24 * 3600 * 1000);
    r = await test();
    expect(check(r, 'token')).toMatchObject({ status: 'fail', problem: 'INVALID_GRANT' });
  });

  it('EMAIL_MISMATCH when the login e-mail no longer matches the connected account', async () => {
    await connected();
    f.core.invokeSync(f.rep, 'syncPrefs.update', { patch: { googleEmail: 'someone.else@example.com' } });
    const r = await test();
    expect(check(r, 'email')).toMatchObject({ status: 'fail', problem: 'EMAIL_MISMATCH', params: { accountEmail: f.repEmail, loginEmail: 'someone.else@example.com' } });
  });

  it('CALENDAR_API_DISABLED: « Aucun calendrier n\'a été trouvé sur le serveur »', async () => {
    await connected();
    await f.emu.fault({ type: 'error', status: 403, reason: 'accessNotConfigured', api: 'calendar', count: 1 });
    const r = await test();
    expect(check(r, 'calendarApi')).toMatchObject({ status: 'fail', problem: 'CALENDAR_API_DISABLED', message: MESSAGES.calendarApiDisabled });
    expect(statuses(r)).toMatchObject({ calendar: 'skipped', contacts: 'pass' });
  });

  it('CONTACTS_API_DISABLED', async () => {
    await connected();
    await f.emu.fault({ type: 'error', status: 403, reason: 'accessNotConfigured', api: 'people', count: 1 });
    const r = await test();
    expect(check(r, 'contacts')).toMatchObject({ status: 'fail', problem: 'CONTACTS_API_DISABLED', message: MESSAGES.contactsApiDisabled });
    expect(check(r, 'calendar').status).toBe('pass');
  });

  it('CALENDAR_NOT_SET: « Nom du calendrier non renseigné »', async () => {
    await connected();
    f.core.invokeSync(f.rep, 'syncPrefs.update', { patch: { calendarName: '' } });
    const r = await test();
    expect(check(r, 'calendar')).toMatchObject({ status: 'fail', problem: 'CALENDAR_NOT_SET', message: MESSAGES.calendarNotSet });
  });

  it('CALENDAR_UNKNOWN: « Le calendrier recherché « X » est inconnu », listing the account\'s calendars', async () => {
    await connected();
    f.core.invokeSync(f.rep, 'syncPrefs.update', { patch: { calendarName: 'Mon Calendrier' } });
    const r = await test();
    const c = check(r, 'calendar');
    expect(c).toMatchObject({ status: 'fail', problem: 'CALENDAR_UNKNOWN', params: { calendar: 'Mon Calendrier' } });
    expect(c.params.calendars).toEqual(expect.arrayContaining([CALENDAR, 'Perso']));
    expect(c.message).toBe(calendarUnknownMessage('Mon Calendrier', c.params.calendars as string[]));
    expect(c.message).toMatch(/^The calendar « Mon Calendrier » is unknown/);
  });

  it('QUOTA_EXCEEDED on 429 and on 403 rateLimitExceeded', async () => {
    await connected();
    await f.emu.fault({ type: 'error', status: 429, api: 'calendar', count: 1 });
    let r = await test();
    expect(check(r, 'calendarApi')).toMatchObject({ status: 'fail', problem: 'QUOTA_EXCEEDED' });
    await f.emu.fault({ type: 'error', status: 403, api: 'people', count: 1 });
    r = await test();
    expect(check(r, 'contacts')).toMatchObject({ status: 'fail', problem: 'QUOTA_EXCEEDED' });
    expect(check(r, 'contacts').message).toMatch(/quota is exhausted/);
  });

  it('CLOCK_SKEW when this computer\'s clock is off by more than 5 minutes', async () => {
    await connected({ now: () => new Date(Date.now() + 12 * 60_000) });
    const r = await test();
    expect(check(r, 'clock')).toMatchObject({ status: 'warn', problem: 'CLOCK_SKEW', params: { minutes: 12 } });
    expect(check(r, 'clock').message).toMatch(/12 minutes ahead/);
    expect(r.ok).toBe(true);
  });

  it('NETWORK when Google cannot be reached', async () => {
    await connected();
    await f.core.invoke(f.adm, 'google.setClient', { rootUrl: `http://127.0.0.1:${await deadPort()}` });
    const r = await test();
    expect(check(r, 'token')).toMatchObject({ status: 'fail', problem: 'NETWORK' });
    expect(check(r, 'token').message).toMatch(/cannot be reached \(ECONNREFUSED\)/);
  });

  it('a user not on the test list gets Google\'s 403 access_denied page; the attempt stays pending until cancelled', async () => {
    f = await fixture({ publishing: 'testing' });
    await f.emu.createAccount({ email: f.repEmail, calendars: [CALENDAR], testUser: false });
    const pending = await f.core.invoke(f.rep, 'google.connect', {});
    const page = await consent(pending.consentUrl);
    expect(page.status).toBe(403);
    expect(page.text).toContain('403: access_denied');
    expect((await f.core.invoke(f.rep, 'google.connection', {})).pending?.flowId).toBe(pending.flowId);
    await f.core.invoke(f.rep, 'google.cancelConnect', { flowId: pending.flowId });
    expect(await flowResult(f.core.services, pending.flowId)).toBeNull();
    expect(check(await test(), 'connected')).toMatchObject({ problem: 'NOT_CONNECTED' });
  });
});

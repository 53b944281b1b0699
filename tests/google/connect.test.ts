/**
 * Connecting to Google (FTC019 §3.2, BRIEF §2) against the emulator over real HTTP: browser and
 * manual modes, the checks on the redirect, and the loopback listener's lifetime.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getGoogleAccount } from '../../electron/core/google/accounts';
import { REQUIRED_SCOPES } from '../../electron/core/google/identity';
import { CALENDAR, connectError, connectVia, consent, consentRedirect, eventsOf, fixture, flowAddress, flowResult, loopbackPort, type Fixture } from './fixture';

let f: Fixture;
afterEach(async () => f?.close());

describe('google.connect, browser mode', () => {
  it('opens the consent URL (PKCE S256, state, login_hint, offline, calendar + contacts), stores the sealed token and closes the listener', async () => {
    f = await fixture();
    const pending = await f.core.invoke(f.rep, 'google.connect', {});
    expect(f.opened).toEqual([pending.consentUrl]);
    const u = new URL(pending.consentUrl);
    expect(u.origin + u.pathname).toBe(`${f.emu.url}/o/oauth2/v2/auth`);
    const q = u.searchParams;
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(q.get('login_hint')).toBe(f.repEmail);
    expect(q.get('access_type')).toBe('offline');
    expect(q.get('prompt')).toBe('consent');
    expect(q.get('scope')!.split(' ')).toEqual(expect.arrayContaining([...REQUIRED_SCOPES, 'openid', 'email']));
    expect(q.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth2callback$/);
    expect(flowAddress(f.core.services, pending.flowId)).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    expect((await f.core.invoke(f.rep, 'google.connection', {})).pending).toEqual(pending);

    const done = flowResult(f.core.services, pending.flowId)!;
    const page = await consent(pending.consentUrl);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Connexion réussie, vous pouvez fermer cet onglet');
    expect(page.text).toContain('Connected, you may close this tab');
    expect(await done).toEqual({ outcome: 'connected', problem: null, message: null });

    const status = await f.core.invoke(f.rep, 'google.connection', {});
    expect(status).toMatchObject({ userId: f.repId, loginEmail: f.repEmail, connected: true, accountEmail: f.repEmail, pending: null });
    expect(status.scopes).toEqual(expect.arrayContaining(REQUIRED_SCOPES));
    const account = getGoogleAccount(f.db, f.repId)!;
    expect(account.sealedRefreshToken).toMatch(/^v1:/);
    expect(await f.sealer.open(account.sealedRefreshToken!)).toMatch(/^1\/\/emu-/);
    expect(eventsOf(f, 'onGoogleConnection')).toEqual([{ userId: f.repId, flowId: pending.flowId, outcome: 'connected', problem: null, params: {}, message: null }]);
    expect(await connectError(loopbackPort(pending.consentUrl))).toBe('ECONNREFUSED');
  });

  it('Deny → denied, nothing stored, listener closed', async () => {
    f = await fixture({ emulator: { autoConsent: false } });
    const pending = await f.core.invoke(f.rep, 'google.connect', {});
    const done = flowResult(f.core.services, pending.flowId)!;
    // The emulator's consent page posts its form; Cancel is decision=deny.
    const form = new URLSearchParams({ request: new URL(pending.consentUrl).search.slice(1), email: f.repEmail, decision: 'deny' });
    const res = await fetch(`${f.emu.url}/o/oauth2/v2/auth/decision`, { method: 'POST', body: form, redirect: 'follow' });
    expect(await res.text()).toContain('Access refused');
    expect(await done).toMatchObject({ outcome: 'denied', problem: 'ACCESS_DENIED' });
    expect(getGoogleAccount(f.db, f.repId)).toBeNull();
    expect(await connectError(loopbackPort(pending.consentUrl))).toBe('ECONNREFUSED');
    // Test then shows the seed's "403 access_denied".
    const report = await f.core.invoke(f.rep, 'google.test', {});
    expect(report.checks.find((c) => c.id === 'connected')).toMatchObject({ status: 'fail', problem: 'ACCESS_DENIED' });
  });

  it('refuses another Google account than the login e-mail (EMAIL_MISMATCH), storing nothing', async () => {
    f = await fixture({ emulator: { autoConsent: false } });
    const pending = await f.core.invoke(f.rep, 'google.connect', {});
    const done = flowResult(f.core.services, pending.flowId)!;
    const form = new URLSearchParams({ request: new URL(pending.consentUrl).search.slice(1), email: f.colleagueEmail, decision: 'allow' });
    const res = await fetch(`${f.emu.url}/o/oauth2/v2/auth/decision`, { method: 'POST', body: form, redirect: 'follow' });
    expect(res.status).toBe(200);
    const r = await done;
    expect(r).toMatchObject({ outcome: 'failed', problem: 'EMAIL_MISMATCH', params: { accountEmail: f.colleagueEmail, loginEmail: f.repEmail } });
    expect(r.message).toContain(f.colleagueEmail);
    expect(r.message).toContain(f.repEmail);
    expect(getGoogleAccount(f.db, f.repId)).toBeNull();
    expect(await connectError(loopbackPort(pending.consentUrl))).toBe('ECONNREFUSED');
  });

  it('refuses a grant without calendar or contacts (granular consent)', async () => {
    f = await fixture({ emulator: { autoConsent: false } });
    const pending = await f.core.invoke(f.rep, 'google.connect', {});
    const done = flowResult(f.core.services, pending.flowId)!;
    // The user unticked Contacts: the emulator grants what the request lists.
    const request = new URL(pending.consentUrl).searchParams;
    request.set('scope', 'https://www.googleapis.com/auth/calendar openid email');
    const form = new URLSearchParams({ request: request.toString(), email: f.repEmail, decision: 'allow' });
    await fetch(`${f.emu.url}/o/oauth2/v2/auth/decision`, { method: 'POST', body: form, redirect: 'follow' });
    const r = await done;
    expect(r).toMatchObject({ outcome: 'failed', problem: 'SCOPES_MISSING' });
    expect(r.message).toContain('contacts');
    expect(getGoogleAccount(f.db, f.repId)).toBeNull();
  });

  it('refuses to start without a login e-mail or without the client', async () => {
    f = await fixture({ setClient: false });
    await expect(f.core.invoke(f.rep, 'google.connect', {})).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('client ID and secret are not set') });
    await f.core.invoke(f.adm, 'google.setClient', { clientId: 'x.apps.googleusercontent.com', clientSecret: 'y', rootUrl: f.emu.url });
    f.core.invokeSync(f.rep, 'syncPrefs.update', { patch: { googleEmail: '' } });
    await expect(f.core.invoke(f.rep, 'google.connect', {})).rejects.toMatchObject({ code: 'BAD_INPUT', field: 'googleEmail' });
  });
});

describe('the loopback listener', () => {
  it('answers 400 to a wrong or missing state and keeps listening', async () => {
    f = await fixture();
    const pending = await f.core.invoke(f.rep, 'google.connect', {});
    const port = loopbackPort(pending.consentUrl);
    for (const q of ['?code=4/abc&state=forged', '?code=4/abc', '?error=access_denied&state=nope']) {
      const res = await fetch(`http://127.0.0.1:${port}/oauth2callback${q}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('does not belong to the connection in progress');
    }
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    expect(await connectError(port)).toBeNull();
    expect((await f.core.invoke(f.rep, 'google.connection', {})).pending?.flowId).toBe(pending.flowId);
    // The real answer still completes it.
    const done = flowResult(f.core.services, pending.flowId)!;
    await consent(pending.consentUrl);
    expect((await done).outcome).toBe('connected');
  });

  it('closes after an error from the token endpoint (wrong secret)', async () => {
    f = await fixture();
    await f.core.invoke(f.adm, 'google.setClient', { clientSecret: 'not-the-secret' });
    const pending = await f.core.invoke(f.rep, 'google.connect', {});
    const done = flowResult(f.core.services, pending.flowId)!;
    await consent(pending.consentUrl);
    expect(await done).toMatchObject({ outcome: 'failed', problem: 'INVALID_CLIENT' });
    expect(await connectError(loopbackPort(pending.consentUrl))).toBe('ECONNREFUSED');
    expect((await f.core.invoke(f.rep, 'google.connection', {})).connected).toBe(false);
  });

  it('closes on timeout', async () => {
    f = await fixture({ connectTimeoutMs: 150 });
    const pending = await f.core.invoke(f.rep, 'google.connect', {});
    expect(await flowResult(f.core.services, pending.flowId)).toMatchObject({ outcome: 'timeout' });
    expect(await connectError(loopbackPort(pending.consentUrl))).toBe('ECONNREFUSED');
    expect((await f.core.invoke(f.rep, 'google.connection', {})).pending).toBeNull();
    expect(eventsOf(f, 'onGoogleConnection').at(-1)).toMatchObject({ flowId: pending.flowId, outcome: 'timeout' });
  });

  it('closes on cancel, and a new connect cancels the previous one', async () => {
    f = await fixture();
    const first = await f.core.invoke(f.rep, 'google.connect', {});
    const second = await f.core.invoke(f.rep, 'google.connect', {});
    expect(await flowResult(f.core.services, first.flowId)).toBeNull();
    expect(eventsOf(f, 'onGoogleConnection')[0]).toMatchObject({ flowId: first.flowId, outcome: 'cancelled' });
    expect(await connectError(loopbackPort(first.consentUrl))).toBe('ECONNREFUSED');
    expect(await f.core.invoke(f.rep, 'google.cancelConnect', { flowId: second.flowId })).toEqual({ cancelled: true });
    expect(await connectError(loopbackPort(second.consentUrl))).toBe('ECONNREFUSED');
    expect(await f.core.invoke(f.rep, 'google.cancelConnect', { flowId: second.flowId })).toEqual({ cancelled: false });
  });
});

describe('manual connection', () => {
  it('accepts the URL the browser ended on; the consent URL is not opened', async () => {
    f = await fixture();
    const pending = await f.core.invoke(f.rep, 'google.connect', { mode: 'manual' });
    expect(pending.mode).toBe('manual');
    expect(f.opened).toEqual([]);
    const landed = await consentRedirect(pending.consentUrl);
    const status = await f.core.invoke(f.rep, 'google.completeManual', { flowId: pending.flowId, pasted: `  ${landed.toString()}\n` });
    expect(status).toMatchObject({ connected: true, accountEmail: f.repEmail, pending: null });
    expect(await connectError(loopbackPort(pending.consentUrl))).toBe('ECONNREFUSED');
  });

  it('accepts the bare code', async () => {
    f = await fixture();
    const pending = await f.core.invoke(f.rep, 'google.connect', { mode: 'manual' });
    const code = (await consentRedirect(pending.consentUrl)).searchParams.get('code')!;
    expect(await f.core.invoke(f.rep, 'google.completeManual', { flowId: pending.flowId, pasted: code })).toMatchObject({ connected: true });
  });

  it('refuses junk and another attempt\'s URL with BAD_INPUT, keeping the attempt open', async () => {
    f = await fixture();
    const pending = await f.core.invoke(f.rep, 'google.connect', { mode: 'manual' });
    await expect(f.core.invoke(f.rep, 'google.completeManual', { flowId: pending.flowId, pasted: 'hello world' })).rejects.toMatchObject({ code: 'BAD_INPUT', field: 'pasted' });
    await expect(
      f.core.invoke(f.rep, 'google.completeManual', { flowId: pending.flowId, pasted: 'http://127.0.0.1:1/oauth2callback?state=other&code=4/abcdefghij' }),
    ).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('another connection attempt') });
    expect((await f.core.invoke(f.rep, 'google.connection', {})).pending?.flowId).toBe(pending.flowId);
    // A code Google does not know: the flow ends (failed), the reply says why.
    await expect(f.core.invoke(f.rep, 'google.completeManual', { flowId: pending.flowId, pasted: '4/0not-a-real-code' })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('invalid_grant') });
    await expect(f.core.invoke(f.rep, 'google.completeManual', { flowId: pending.flowId, pasted: '4/0again-a-code' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a pasted access_denied ends the attempt as denied', async () => {
    f = await fixture();
    const pending = await f.core.invoke(f.rep, 'google.connect', { mode: 'manual' });
    const state = new URL(pending.consentUrl).searchParams.get('state')!;
    await expect(f.core.invoke(f.rep, 'google.completeManual', { flowId: pending.flowId, pasted: `http://127.0.0.1:9/oauth2callback?error=access_denied&state=${state}` })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(eventsOf(f, 'onGoogleConnection').at(-1)).toMatchObject({ outcome: 'denied', problem: 'ACCESS_DENIED' });
  });

  it('reconnecting replaces the token and keeps the calendar name', async () => {
    f = await fixture();
    expect((await connectVia(f, f.rep)).outcome).toBe('connected');
    const first = getGoogleAccount(f.db, f.repId)!.sealedRefreshToken;
    expect((await connectVia(f, f.rep)).outcome).toBe('connected');
    expect(getGoogleAccount(f.db, f.repId)!.sealedRefreshToken).not.toBe(first);
    expect(f.core.invokeSync(f.rep, 'syncPrefs.get', {}).calendarName).toBe(CALENDAR);
  });
});

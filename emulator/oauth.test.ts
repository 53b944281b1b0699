import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from './index';
import type { RunningEmulator } from './index';
import { SCOPES } from './oauth';
import { ALL_SCOPES, CLIENT_ID, CLIENT_SECRET, REDIRECT, apis, authorize, connect, failure, oauthClient, rawCalendar, reason, setup } from './testkit';

let emu: RunningEmulator;
const ADA = 'ada@example.com';
const EVE = 'eve@example.com'; // not a test user

beforeAll(async () => {
  emu = await startEmulator({ autoConsent: true });
  await setup(emu);
  await emu.createAccount({ email: ADA, name: 'Ada Lovelace', calendars: ['Work'], testUser: true });
  await emu.createAccount({ email: EVE, testUser: false });
});
afterAll(() => emu.close());

async function tokenError(p: Promise<unknown>): Promise<{ status: number; error: string; description: string }> {
  const f = await failure(p);
  const body = f.body as unknown as { error: string; error_description: string };
  return { status: f.status, error: body.error, description: body.error_description };
}

describe('authorization code flow with PKCE', () => {
  it('exchanges a code for tokens through OAuth2Client and the APIs accept them', async () => {
    const auth = oauthClient(emu);
    const { code, verifier, state, location } = await authorize(emu, auth, ADA);
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe(state);
    const { tokens } = await auth.getToken({ code, codeVerifier: verifier });
    expect(tokens.access_token).toMatch(/^ya29\./);
    expect(tokens.refresh_token).toMatch(/^1\/\//);
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.scope?.split(' ')).toEqual(expect.arrayContaining([SCOPES.calendar, SCOPES.contacts]));
    expect(tokens.id_token).toBeTruthy();
    auth.setCredentials(tokens);
    const { cal } = apis(emu, auth);
    const list = await cal.calendarList.list();
    expect(list.status).toBe(200);
    expect(list.data.items?.map((c) => c.id)).toContain(ADA);
  });

  it('rejects a wrong code verifier, a missing verifier, a replayed code and a bad code with invalid_grant', async () => {
    const auth = oauthClient(emu);
    const a = await authorize(emu, auth, ADA);
    expect(await tokenError(auth.getToken({ code: a.code, codeVerifier: 'x'.repeat(50) }))).toMatchObject({ status: 400, error: 'invalid_grant', description: 'Invalid code verifier.' });
    const b = await authorize(emu, auth, ADA);
    expect(await tokenError(auth.getToken({ code: b.code }))).toMatchObject({ status: 400, error: 'invalid_grant', description: 'Missing code verifier.' });
    const c = await authorize(emu, auth, ADA);
    const { tokens } = await auth.getToken({ code: c.code, codeVerifier: c.verifier });
    expect(await tokenError(auth.getToken({ code: c.code, codeVerifier: c.verifier }))).toMatchObject({ status: 400, error: 'invalid_grant' });
    // A replayed code revokes what it produced (RFC 6749 §4.1.2).
    const replayed = oauthClient(emu);
    replayed.setCredentials({ refresh_token: tokens.refresh_token });
    expect(await tokenError(replayed.refreshAccessToken())).toMatchObject({ status: 400, error: 'invalid_grant' });
    expect(await tokenError(auth.getToken({ code: '4/not-a-code', codeVerifier: c.verifier }))).toMatchObject({ status: 400, error: 'invalid_grant' });
  });

  it('expires codes after ten minutes of the emulated clock', async () => {
    const auth = oauthClient(emu);
    const a = await authorize(emu, auth, ADA);
    emu.clock.advance(11 * 60 * 1000);
    expect(await tokenError(auth.getToken({ code: a.code, codeVerifier: a.verifier }))).toMatchObject({ status: 400, error: 'invalid_grant' });
  });

  it('answers invalid_client for a wrong secret or an unknown client', async () => {
    const good = oauthClient(emu);
    const a = await authorize(emu, good, ADA);
    const wrong = oauthClient(emu, { secret: 'nope' });
    expect(await tokenError(wrong.getToken({ code: a.code, codeVerifier: a.verifier }))).toMatchObject({ status: 401, error: 'invalid_client' });
    const unknown = oauthClient(emu, { clientId: 'who.apps.googleusercontent.com' });
    expect(await tokenError(unknown.getToken({ code: a.code, codeVerifier: a.verifier }))).toMatchObject({ status: 401, error: 'invalid_client' });
  });

  it('refuses a redirect_uri that differs from the authorization request', async () => {
    const auth = oauthClient(emu);
    const a = await authorize(emu, auth, ADA);
    expect(await tokenError(auth.getToken({ code: a.code, codeVerifier: a.verifier, redirect_uri: 'http://127.0.0.1:1/other' }))).toMatchObject({ status: 400, error: 'redirect_uri_mismatch' });
  });

  it('answers 403 access_denied to an account that is not a test user of a Testing client', async () => {
    const auth = oauthClient(emu);
    const url = auth.generateAuthUrl({ scope: ALL_SCOPES, login_hint: EVE, state: 's' });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('access_denied');
  });

  it('shows errors for unknown clients and non-loopback redirects instead of redirecting', async () => {
    const bad = new OAuth2Client({ clientId: 'nobody', clientSecret: 'x', redirectUri: REDIRECT, endpoints: { oauth2AuthBaseUrl: `${emu.url}/o/oauth2/v2/auth` } });
    const r1 = await fetch(bad.generateAuthUrl({ scope: ALL_SCOPES }), { redirect: 'manual' });
    expect(r1.status).toBe(401);
    expect(await r1.text()).toContain('invalid_client');
    const remote = new OAuth2Client({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: 'https://evil.example.com/cb', endpoints: { oauth2AuthBaseUrl: `${emu.url}/o/oauth2/v2/auth` } });
    const r2 = await fetch(remote.generateAuthUrl({ scope: ALL_SCOPES }), { redirect: 'manual' });
    expect(r2.status).toBe(400);
    expect(await r2.text()).toContain('redirect_uri_mismatch');
  });
});

describe('tokens', () => {
  it('refreshes an access token, and the refresh token of a Testing client dies after 7 days', async () => {
    const { auth } = await connect(emu, ADA);
    const first = auth.credentials.access_token;
    const r = await auth.refreshAccessToken();
    expect(r.credentials.access_token).toBeTruthy();
    expect(r.credentials.access_token).not.toBe(first);
    emu.clock.advance(7 * 24 * 3600 * 1000 + 1000);
    expect(await tokenError(auth.refreshAccessToken())).toMatchObject({ status: 400, error: 'invalid_grant', description: 'Token has been expired or revoked.' });
  });

  it('gives production clients refresh tokens that do not expire', async () => {
    await emu.registerClient({ clientId: 'prod-client', clientSecret: 'prod-secret', publishing: 'production' });
    const auth = new OAuth2Client({ clientId: 'prod-client', clientSecret: 'prod-secret', redirectUri: REDIRECT, endpoints: { oauth2AuthBaseUrl: `${emu.url}/o/oauth2/v2/auth`, oauth2TokenUrl: `${emu.url}/token` } });
    const a = await authorize(emu, auth, EVE); // production apps accept any account
    const { tokens } = await auth.getToken({ code: a.code, codeVerifier: a.verifier });
    auth.setCredentials(tokens);
    emu.clock.advance(30 * 24 * 3600 * 1000);
    const r = await auth.refreshAccessToken();
    expect(r.credentials.access_token).toMatch(/^ya29\./);
  });

  it('expires access tokens after 3600 s with a Google 401, and OAuth2Client refreshes on failure', async () => {
    const { cal, auth } = await connect(emu, ADA);
    const token = auth.credentials.access_token as string;
    emu.clock.advance(3601 * 1000);
    const f = await failure(rawCalendar(emu, token).calendarList.list());
    expect(f.status).toBe(401);
    expect(reason(f)).toBe('authError');
    expect(f.body.error.status).toBe('UNAUTHENTICATED');
    // forceRefreshOnFailure: the client refreshes and retries transparently.
    const list = await cal.calendarList.list();
    expect(list.status).toBe(200);
    expect(auth.credentials.access_token).not.toBe(token);
  });

  it('answers 401 required without credentials and 403 insufficientPermissions without the scope', async () => {
    const f1 = await failure(rawCalendar(emu).calendarList.list());
    expect(f1.status).toBe(401);
    expect(reason(f1)).toBe('required');
    const { cal, ppl } = await connect(emu, ADA, [SCOPES.contactsReadonly]);
    const f2 = await failure(cal.events.list({ calendarId: 'primary' }));
    expect(f2.status).toBe(403);
    expect(reason(f2)).toBe('insufficientPermissions');
    const f3 = await failure(ppl.people.createContact({ requestBody: { names: [{ givenName: 'X' }] } }));
    expect(f3.status).toBe(403);
    expect(reason(f3)).toBe('insufficientPermissions');
  });

  it('revokes a refresh token and the access tokens minted from it', async () => {
    const { auth } = await connect(emu, ADA);
    const refresh = auth.credentials.refresh_token as string;
    const access = auth.credentials.access_token as string;
    await auth.revokeToken(refresh);
    const f = await failure(rawCalendar(emu, access).calendarList.list());
    expect(f.status).toBe(401);
    expect(await tokenError(auth.refreshAccessToken())).toMatchObject({ error: 'invalid_grant' });
    expect(await tokenError(auth.revokeToken(refresh))).toMatchObject({ status: 400, error: 'invalid_token' });
  });

  it('expires refresh tokens on demand (fault injection)', async () => {
    const { auth } = await connect(emu, ADA);
    await emu.fault({ type: 'expireRefreshTokens', email: ADA });
    expect(await tokenError(auth.refreshAccessToken())).toMatchObject({ status: 400, error: 'invalid_grant' });
  });

  it('tells the app who signed in: people/me with emailAddresses, and userinfo', async () => {
    const { ppl, auth } = await connect(emu, ADA);
    const me = await ppl.people.get({ resourceName: 'people/me', personFields: 'emailAddresses,names' });
    expect(me.data.emailAddresses?.[0]?.value).toBe(ADA);
    expect(me.data.names?.[0]?.displayName).toBe('Ada Lovelace');
    const info = await auth.request<{ email: string; sub: string }>({ url: `${emu.url}/oauth2/v3/userinfo` });
    expect(info.data.email).toBe(ADA);
    // Without an e-mail scope the address is not disclosed.
    const noEmail = await connect(emu, ADA, [SCOPES.contacts]);
    const me2 = await noEmail.ppl.people.get({ resourceName: 'people/me', personFields: 'emailAddresses' });
    expect(me2.data.emailAddresses).toBeUndefined();
  });

  it('mints tokens through the admin API for headless runs', async () => {
    const t = await emu.mintTokens({ clientId: CLIENT_ID, email: ADA, scopes: [SCOPES.calendarReadonly] });
    expect(t.refresh_token).toMatch(/^1\/\//);
    const cal = rawCalendar(emu, t.access_token);
    expect((await cal.calendarList.list()).status).toBe(200);
    const f = await failure(cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'x', start: { date: '2030-01-01' }, end: { date: '2030-01-02' } } }));
    expect(f.status).toBe(403);
    expect(reason(f)).toBe('insufficientPermissions');
    await expect(emu.mintTokens({ clientId: CLIENT_ID, email: 'ghost@example.com', scopes: ['email'] })).rejects.toThrow(/404/);
  });
});

describe('admin', () => {
  it('resets everything and records statistics per account', async () => {
    const other = await startEmulator({ autoConsent: true });
    try {
      await setup(other);
      await other.createAccount({ email: ADA });
      const { cal } = await connect(other, ADA);
      await cal.colors.get();
      await failure(cal.events.get({ calendarId: 'primary', eventId: 'nothere1' }));
      const stats = await other.stats();
      expect(stats.byAccount[ADA]?.byRoute['GET calendar.colors.get']?.['200']).toBe(1);
      expect(stats.byAccount[ADA]?.byRoute['GET calendar.events.get']?.['404']).toBe(1);
      expect(stats.byRoute['POST oauth.token']?.['200']).toBe(1);
      await other.reset();
      expect((await other.inspect()).accounts).toBe(0);
      expect(await failure(cal.colors.get()).then((f) => f.status)).toBe(401);
    } finally {
      await other.close();
    }
  });
});

/**
 * Helpers for the conformance suite: connect the official Google clients to an emulator.
 * The browser part of OAuth (the consent page) is walked with `--auto-consent` here; the real
 * page is covered by the Playwright test e2e/emulator-oauth.spec.ts.
 */
import { calendar } from '@googleapis/calendar';
import type { calendar_v3 } from '@googleapis/calendar';
import { people } from '@googleapis/people';
import type { people_v1 } from '@googleapis/people';
import { OAuth2Client } from 'google-auth-library';
import type { RunningEmulator } from './index';
import { SCOPES } from './oauth';

export const CLIENT_ID = 'crm-companion-test.apps.googleusercontent.com';
export const CLIENT_SECRET = 'GOCSPX-test-secret';
export const REDIRECT = 'http://127.0.0.1:53682/oauth2callback';
export const ALL_SCOPES = [SCOPES.calendar, SCOPES.contacts, SCOPES.email, 'openid'];

export function oauthClient(emu: RunningEmulator, opts: { secret?: string; clientId?: string } = {}): OAuth2Client {
  return new OAuth2Client({
    clientId: opts.clientId ?? CLIENT_ID,
    clientSecret: opts.secret ?? CLIENT_SECRET,
    redirectUri: REDIRECT,
    endpoints: {
      oauth2AuthBaseUrl: `${emu.url}/o/oauth2/v2/auth`,
      oauth2TokenUrl: `${emu.url}/token`,
      oauth2RevokeUrl: `${emu.url}/revoke`,
    },
    forceRefreshOnFailure: true,
  });
}

/** Walk the authorization endpoint with auto-consent (emulator started with autoConsent). */
export async function authorize(
  emu: RunningEmulator,
  client: OAuth2Client,
  email: string,
  scopes: string[] = ALL_SCOPES,
): Promise<{ code: string; verifier: string; state: string; location: URL }> {
  const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
  const state = `st-${Math.random().toString(36).slice(2)}`;
  const url = client.generateAuthUrl({
    access_type: 'offline',
    scope: scopes,
    state,
    login_hint: email,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256' as never,
  });
  const res = await fetch(url, { redirect: 'manual' });
  const loc = res.headers.get('location');
  if (res.status !== 302 || !loc) throw new Error(`authorize: ${res.status} ${await res.text()}`);
  const location = new URL(loc);
  return { code: location.searchParams.get('code') ?? '', verifier: codeVerifier ?? '', state, location };
}

export interface Connected {
  auth: OAuth2Client;
  cal: calendar_v3.Calendar;
  ppl: people_v1.People;
}

export async function connect(emu: RunningEmulator, email: string, scopes: string[] = ALL_SCOPES): Promise<Connected> {
  const auth = oauthClient(emu);
  const { code, verifier } = await authorize(emu, auth, email, scopes);
  const { tokens } = await auth.getToken({ code, codeVerifier: verifier });
  auth.setCredentials(tokens);
  return apis(emu, auth);
}

/**
 * googleapis-common bundles its own copy of google-auth-library, so the two OAuth2Client types
 * differ nominally (private fields) while being the same at run time: cast at the boundary.
 */
export function asAuth(a: OAuth2Client): calendar_v3.Options['auth'] & people_v1.Options['auth'] {
  return a as unknown as calendar_v3.Options['auth'] & people_v1.Options['auth'];
}

export function apis(emu: RunningEmulator, auth: OAuth2Client): Connected {
  return {
    auth,
    cal: calendar({ version: 'v3', auth: asAuth(auth), rootUrl: `${emu.url}/`, retry: false }),
    ppl: people({ version: 'v1', auth: asAuth(auth), rootUrl: `${emu.url}/`, retry: false }),
  };
}

/** Run a client call expected to fail; return the HTTP status and Google's error body. */
export async function failure(p: Promise<unknown>): Promise<{ status: number; body: { error: { code: number; message: string; status?: string; errors?: { reason: string; domain?: string }[]; details?: { reason?: string }[] } } & Record<string, unknown>; headers: Headers | Record<string, string> }> {
  try {
    await p;
  } catch (e) {
    const err = e as { status?: number; response?: { status: number; data: unknown; headers: Headers | Record<string, string> } };
    if (err.response) {
      const data = typeof err.response.data === 'string' ? (JSON.parse(err.response.data) as never) : (err.response.data as never);
      return { status: err.response.status, body: data, headers: err.response.headers };
    }
    throw e;
  }
  throw new Error('expected the call to fail');
}

export function reason(f: { body: { error: { errors?: { reason: string }[] } } }): string | undefined {
  return f.body.error.errors?.[0]?.reason;
}

export async function setup(emu: RunningEmulator, publishing: 'testing' | 'production' = 'testing'): Promise<void> {
  await emu.registerClient({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, publishing });
}

/** A Calendar client with a fixed bearer token (or none): nothing refreshes behind the test's back. */
export function rawCalendar(emu: RunningEmulator, token?: string): calendar_v3.Calendar {
  if (token === undefined) return calendar({ version: 'v3', rootUrl: `${emu.url}/`, retry: false });
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: token });
  return calendar({ version: 'v3', auth: asAuth(auth), rootUrl: `${emu.url}/`, retry: false });
}

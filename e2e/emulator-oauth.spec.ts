/**
 * The emulator's OAuth consent flow in a real browser: Allow → loopback redirect with the right
 * state → PKCE code exchange through google-auth-library; Deny → access_denied; a non-test user
 * of a Testing client → 403 access_denied.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { OAuth2Client } from 'google-auth-library';
import { startEmulator } from '../emulator/index';
import type { RunningEmulator } from '../emulator/index';

const CLIENT_ID = 'e2e-desktop.apps.googleusercontent.com';
const CLIENT_SECRET = 'GOCSPX-e2e';
const ADA = 'ada@example.com';
const EVE = 'eve@example.com';
const SCOPES = ['https://www.googleapis.com/auth/calendar', 'https://www.googleapis.com/auth/contacts', 'email'];

let emu: RunningEmulator;
let loopback: Server;
let redirectUri = '';
let received: URL[] = [];

test.beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  await emu.registerClient({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, publishing: 'testing' });
  await emu.createAccount({ email: ADA, name: 'Ada Lovelace', testUser: true });
  await emu.createAccount({ email: EVE, name: 'Eve', testUser: false });
  loopback = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (u.pathname === '/oauth2callback') received.push(u); // the browser also asks for /favicon.ico
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<p id="done">You may close this window.</p>');
  });
  await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
  redirectUri = `http://127.0.0.1:${(loopback.address() as AddressInfo).port}/oauth2callback`;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => loopback.close(() => resolve()));
  await emu.close();
});

test.beforeEach(() => {
  received = [];
});

function client(): OAuth2Client {
  return new OAuth2Client({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri,
    endpoints: { oauth2AuthBaseUrl: `${emu.url}/o/oauth2/v2/auth`, oauth2TokenUrl: `${emu.url}/token`, oauth2RevokeUrl: `${emu.url}/revoke` },
  });
}

async function authUrl(c: OAuth2Client, state: string): Promise<{ url: string; verifier: string }> {
  const { codeVerifier, codeChallenge } = await c.generateCodeVerifierAsync();
  const url = c.generateAuthUrl({ access_type: 'offline', scope: SCOPES, state, code_challenge: codeChallenge, code_challenge_method: 'S256' as never });
  return { url, verifier: codeVerifier ?? '' };
}

test('Allow redirects to the loopback listener with the state and a code that PKCE exchanges', async ({ page }) => {
  const c = client();
  const { url, verifier } = await authUrl(c, 'state-allow-123');
  await page.goto(url);
  await expect(page.locator('#client')).toHaveText(CLIENT_ID);
  await page.getByLabel(/Ada Lovelace/).check();
  await page.locator('#allow').click();
  await expect(page.locator('#done')).toBeVisible();
  expect(received).toHaveLength(1);
  const cb = received[0] as URL;
  expect(cb.pathname).toBe('/oauth2callback');
  expect(cb.searchParams.get('state')).toBe('state-allow-123');
  const code = cb.searchParams.get('code') ?? '';
  expect(code).not.toBe('');
  const { tokens } = await c.getToken({ code, codeVerifier: verifier });
  expect(tokens.access_token).toMatch(/^ya29\./);
  expect(tokens.refresh_token).toBeTruthy();
  // The code is single-use.
  await expect(c.getToken({ code, codeVerifier: verifier })).rejects.toThrow(/invalid_grant/);
});

test('Deny redirects with error=access_denied and the state', async ({ page }) => {
  const { url } = await authUrl(client(), 'state-deny-456');
  await page.goto(url);
  await page.locator('#deny').click();
  await expect(page.locator('#done')).toBeVisible();
  const cb = received[0] as URL;
  expect(cb.searchParams.get('error')).toBe('access_denied');
  expect(cb.searchParams.get('state')).toBe('state-deny-456');
  expect(cb.searchParams.get('code')).toBeNull();
});

test('a user who is not on the test list of a Testing client gets 403 access_denied', async ({ page }) => {
  const { url } = await authUrl(client(), 'state-eve');
  await page.goto(url);
  await page.getByLabel(/Eve/).check();
  const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes('/o/oauth2/v2/auth/decision')), page.locator('#allow').click()]);
  expect(response.status()).toBe(403);
  await expect(page.locator('#error')).toContainText('403');
  await expect(page.locator('#error')).toContainText('access_denied');
  expect(received).toHaveLength(0);
});

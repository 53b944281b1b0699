/**
 * OAuth 2.0 for desktop apps: authorization endpoint with a consent page, token endpoint
 * (authorization code + PKCE, refresh), revocation, userinfo, and the bearer check of every API.
 *
 * Sources: "OAuth 2.0 for Mobile & Desktop Apps" (loopback redirect, PKCE, token responses),
 * "Using OAuth 2.0 to Access Google APIs" (refresh token expiration: 7 days for "Testing" apps;
 * access tokens live one hour), RFC 6749 §5.2 (token error bodies), RFC 7636 (PKCE).
 */
import { createHash, createHmac } from 'node:crypto';
import type { Emulator, EmuRequest, EmuResponse } from './context';
import { ApiError, OAuthError } from './errors';
import { formBody, html, json, redirect } from './http';
import type { Call, Route } from './http';
import { randomToken } from './state';
import type { AccessTokenRec, AccountRec, ClientRec } from './state';

const G = 'https://www.googleapis.com/auth/';
export const SCOPES = {
  calendar: `${G}calendar`,
  calendarEvents: `${G}calendar.events`,
  calendarReadonly: `${G}calendar.readonly`,
  calendarEventsReadonly: `${G}calendar.events.readonly`,
  contacts: `${G}contacts`,
  contactsReadonly: `${G}contacts.readonly`,
  email: `${G}userinfo.email`,
  profile: `${G}userinfo.profile`,
  userEmailsRead: `${G}user.emails.read`,
  openid: 'openid',
} as const;

export const ACCESS_TOKEN_TTL_S = 3600;
export const TESTING_REFRESH_TTL_MS = 7 * 24 * 3600 * 1000;
const CODE_TTL_MS = 10 * 60 * 1000;

/** `email` and `profile` are aliases of the userinfo scopes (OpenID Connect, "Scopes"). */
export function normalizeScopes(raw: string): string[] {
  const out = new Set<string>();
  for (const s of raw.split(/[\s+]+/).filter(Boolean)) {
    if (s === 'email') out.add(SCOPES.email);
    else if (s === 'profile') out.add(SCOPES.profile);
    else out.add(s);
  }
  return [...out];
}

export function subjectOf(email: string): string {
  const h = createHash('sha256').update(email).digest();
  return (BigInt('0x' + h.subarray(0, 8).toString('hex')) % 10n ** 21n).toString().padStart(21, '1');
}

function isLoopback(uri: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function errorPage(status: number, error: string, detail: string): EmuResponse {
  return html(
    status,
    `<!doctype html><html><head><title>Error ${status}: ${escapeHtml(error)}</title></head><body>` +
      `<h1 id="error">Access blocked: Error ${status}: ${escapeHtml(error)}</h1><p id="detail">${escapeHtml(detail)}</p></body></html>`,
  );
}

interface AuthRequest {
  client: ClientRec;
  redirectUri: string;
  scopes: string[];
  state: string | null;
  challenge: string | null;
  challengeMethod: string | null;
  loginHint: string | null;
}

/** Validate the authorization request; errors before a trusted redirect_uri are shown as a page. */
function parseAuthRequest(emu: Emulator, q: URLSearchParams): AuthRequest | EmuResponse {
  const clientId = q.get('client_id');
  if (!clientId) return errorPage(400, 'invalid_request', 'Missing required parameter: client_id');
  const client = emu.state.clients[clientId];
  if (!client) return errorPage(401, 'invalid_client', 'The OAuth client was not found.');
  const redirectUri = q.get('redirect_uri');
  if (!redirectUri) return errorPage(400, 'invalid_request', 'Missing required parameter: redirect_uri');
  // Desktop clients accept any loopback IP redirect (http://127.0.0.1:port, [::1], localhost).
  if (!isLoopback(redirectUri)) return errorPage(400, 'redirect_uri_mismatch', `Invalid redirect_uri for a desktop client: ${redirectUri}`);
  if (q.get('response_type') !== 'code') return errorPage(400, 'invalid_request', 'Invalid response_type: only "code" is supported.');
  const scopes = normalizeScopes(q.get('scope') ?? '');
  if (scopes.length === 0) return errorPage(400, 'invalid_request', 'Missing required parameter: scope');
  const challenge = q.get('code_challenge');
  let method = q.get('code_challenge_method');
  if (challenge) {
    method ??= 'plain'; // RFC 7636 §4.3: plain is the default
    if (method !== 'S256' && method !== 'plain') return errorPage(400, 'invalid_request', 'Invalid code_challenge_method.');
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) return errorPage(400, 'invalid_request', 'Invalid code_challenge.');
  }
  return {
    client,
    redirectUri,
    scopes,
    state: q.get('state'),
    challenge: challenge ?? null,
    challengeMethod: challenge ? method : null,
    loginHint: q.get('login_hint'),
  };
}

function withParams(uri: string, params: Record<string, string | null>): string {
  const u = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== null) u.searchParams.set(k, v);
  return u.toString();
}

function decide(emu: Emulator, ar: AuthRequest, email: string | null, allow: boolean): EmuResponse {
  if (!allow) return redirect(withParams(ar.redirectUri, { error: 'access_denied', state: ar.state }));
  const account: AccountRec | undefined = email ? emu.state.accounts[email.toLowerCase()] : undefined;
  if (!account) return errorPage(400, 'invalid_request', 'Choose an account.');
  // "Testing" apps: only listed test users may authorize (OAuth consent screen, "Testing").
  if (ar.client.publishing === 'testing' && !account.testUser) {
    return errorPage(
      403,
      'access_denied',
      `${ar.client.clientId} has not completed the Google verification process. The app is currently being tested, and can only be accessed by developer-approved testers.`,
    );
  }
  const code = `4/emu-${randomToken(24)}`;
  emu.state.codes[code] = {
    code,
    clientId: ar.client.clientId,
    email: account.email,
    scopes: ar.scopes,
    redirectUri: ar.redirectUri,
    challenge: ar.challenge,
    challengeMethod: ar.challengeMethod,
    expiresAt: emu.now() + CODE_TTL_MS,
    used: false,
    issued: [],
  };
  emu.changed();
  return redirect(withParams(ar.redirectUri, { state: ar.state, code, scope: ar.scopes.join(' ') }));
}

function consentPage(emu: Emulator, ar: AuthRequest, rawQuery: string): EmuResponse {
  const accounts = Object.values(emu.state.accounts);
  const hint = ar.loginHint?.toLowerCase();
  const items = accounts
    .map((a, i) => {
      const checked = a.email === hint || (!hint && i === 0) ? ' checked' : '';
      const id = `account-${i}`;
      return `<li><label for="${id}"><input type="radio" id="${id}" name="email" value="${escapeHtml(a.email)}"${checked}> ${escapeHtml(a.name)} &lt;${escapeHtml(a.email)}&gt;</label></li>`;
    })
    .join('\n');
  const scopes = ar.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('');
  return html(
    200,
    `<!doctype html><html><head><meta charset="utf-8"><title>Sign in - Google Accounts (emulator)</title></head><body>
<h1>Choose an account</h1><p>to continue to <b id="client">${escapeHtml(ar.client.clientId)}</b></p>
<form method="POST" action="/o/oauth2/v2/auth/decision">
<input type="hidden" name="request" value="${escapeHtml(rawQuery)}">
<ul id="accounts">${items || '<li>No accounts: create one with POST /__emulator/accounts</li>'}</ul>
<p>This app wants to:</p><ul id="scopes">${scopes}</ul>
<button type="submit" name="decision" value="deny" id="deny">Cancel</button>
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
</form></body></html>`,
  );
}

function authorize(c: Call): EmuResponse {
  const ar = parseAuthRequest(c.emu, c.req.query);
  if ('status' in ar) return ar;
  if (c.emu.opts.autoConsent && ar.loginHint && c.emu.state.accounts[ar.loginHint.toLowerCase()]) {
    return decide(c.emu, ar, ar.loginHint, true);
  }
  return consentPage(c.emu, ar, c.req.query.toString());
}

function decision(c: Call): EmuResponse {
  const form = formBody(c.req);
  const ar = parseAuthRequest(c.emu, new URLSearchParams(form.get('request') ?? ''));
  if ('status' in ar) return ar;
  return decide(c.emu, ar, form.get('email'), form.get('decision') === 'allow');
}

function b64url(obj: unknown): string {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

function idToken(emu: Emulator, clientId: string, email: string, scopes: string[]): string | undefined {
  if (!scopes.includes('openid')) return undefined;
  const now = Math.floor(emu.now() / 1000);
  const payload: Record<string, unknown> = { iss: 'https://accounts.google.com', aud: clientId, azp: clientId, sub: subjectOf(email), iat: now, exp: now + ACCESS_TOKEN_TTL_S };
  if (scopes.includes(SCOPES.email)) Object.assign(payload, { email, email_verified: true });
  const head = b64url({ alg: 'HS256', typ: 'JWT' });
  const body = b64url(payload);
  const sig = createHmac('sha256', emu.state.secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

function mintAccess(emu: Emulator, clientId: string, email: string, scopes: string[], refresh: string | null): AccessTokenRec {
  const rec: AccessTokenRec = {
    token: `ya29.emu-${randomToken(32)}`,
    clientId,
    email,
    scopes,
    expiresAt: emu.now() + ACCESS_TOKEN_TTL_S * 1000,
    refreshToken: refresh,
    revoked: false,
  };
  emu.state.accessTokens[rec.token] = rec;
  // Keep the table small: drop access tokens that expired over a day ago.
  const cutoff = emu.now() - 24 * 3600 * 1000;
  for (const [k, v] of Object.entries(emu.state.accessTokens)) if (v.expiresAt < cutoff) delete emu.state.accessTokens[k];
  return rec;
}

function authenticateClient(emu: Emulator, req: EmuRequest, form: URLSearchParams): ClientRec {
  let clientId = form.get('client_id');
  let secret = form.get('client_secret');
  const basic = req.headers.authorization;
  if (basic?.toLowerCase().startsWith('basic ')) {
    const [id, sec] = Buffer.from(basic.slice(6), 'base64').toString('utf8').split(':');
    clientId = decodeURIComponent(id ?? '');
    secret = decodeURIComponent(sec ?? '');
  }
  if (!clientId) throw new OAuthError(400, 'invalid_request', 'Could not determine client ID from request.');
  const client = emu.state.clients[clientId];
  if (!client) throw new OAuthError(401, 'invalid_client', 'The OAuth client was not found.');
  if (!secret) throw new OAuthError(400, 'invalid_request', 'client_secret is missing.');
  if (secret !== client.clientSecret) throw new OAuthError(401, 'invalid_client', 'Unauthorized');
  return client;
}

function revokeRefresh(emu: Emulator, token: string): void {
  const rt = emu.state.refreshTokens[token];
  if (rt) rt.revoked = true;
  for (const at of Object.values(emu.state.accessTokens)) if (at.refreshToken === token) at.revoked = true;
}

function tokenEndpoint(c: Call): EmuResponse {
  const { emu, req } = c;
  const form = formBody(req);
  const grant = form.get('grant_type');
  if (!grant) throw new OAuthError(400, 'unsupported_grant_type', 'Invalid grant_type: ');
  if (grant !== 'authorization_code' && grant !== 'refresh_token') {
    throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grant}`);
  }
  const client = authenticateClient(emu, req, form);
  const now = emu.now();
  if (grant === 'authorization_code') {
    const code = form.get('code');
    if (!code) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: code');
    const rec = emu.state.codes[code];
    if (!rec || rec.clientId !== client.clientId) throw new OAuthError(400, 'invalid_grant', 'Malformed auth code.');
    if (rec.used) {
      // RFC 6749 §4.1.2: a replayed code revokes the tokens it produced.
      for (const t of rec.issued) revokeRefresh(emu, t);
      emu.changed();
      throw new OAuthError(400, 'invalid_grant', 'Bad Request');
    }
    if (rec.expiresAt <= now) throw new OAuthError(400, 'invalid_grant', 'Bad Request');
    if (form.get('redirect_uri') !== rec.redirectUri) throw new OAuthError(400, 'redirect_uri_mismatch', 'Bad Request');
    if (rec.challenge) {
      const verifier = form.get('code_verifier');
      if (!verifier) throw new OAuthError(400, 'invalid_grant', 'Missing code verifier.');
      const computed = rec.challengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (computed !== rec.challenge) throw new OAuthError(400, 'invalid_grant', 'Invalid code verifier.');
    }
    rec.used = true;
    const refresh = `1//emu-${randomToken(32)}`;
    const testing = client.publishing === 'testing';
    emu.state.refreshTokens[refresh] = {
      token: refresh,
      clientId: client.clientId,
      email: rec.email,
      scopes: rec.scopes,
      issuedAt: now,
      expiresAt: testing ? now + TESTING_REFRESH_TTL_MS : null,
      revoked: false,
    };
    rec.issued.push(refresh);
    const at = mintAccess(emu, client.clientId, rec.email, rec.scopes, refresh);
    emu.changed();
    return json(200, {
      access_token: at.token,
      expires_in: ACCESS_TOKEN_TTL_S - 1,
      refresh_token: refresh,
      ...(testing ? { refresh_token_expires_in: TESTING_REFRESH_TTL_MS / 1000 - 1 } : {}),
      scope: rec.scopes.join(' '),
      token_type: 'Bearer',
      ...(idToken(emu, client.clientId, rec.email, rec.scopes) ? { id_token: idToken(emu, client.clientId, rec.email, rec.scopes) } : {}),
    }, { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate' });
  }
  const token = form.get('refresh_token');
  if (!token) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
  const rt = emu.state.refreshTokens[token];
  if (!rt || rt.revoked || (rt.expiresAt !== null && rt.expiresAt <= now)) {
    throw new OAuthError(400, 'invalid_grant', 'Token has been expired or revoked.');
  }
  if (rt.clientId !== client.clientId) throw new OAuthError(400, 'unauthorized_client', 'Unauthorized');
  const at = mintAccess(emu, client.clientId, rt.email, rt.scopes, token);
  emu.changed();
  const id = idToken(emu, client.clientId, rt.email, rt.scopes);
  return json(200, {
    access_token: at.token,
    expires_in: ACCESS_TOKEN_TTL_S - 1,
    ...(rt.expiresAt !== null ? { refresh_token_expires_in: Math.max(0, Math.floor((rt.expiresAt - now) / 1000)) } : {}),
    scope: rt.scopes.join(' '),
    token_type: 'Bearer',
    ...(id ? { id_token: id } : {}),
  });
}

/** "OAuth 2.0 for Mobile & Desktop Apps", Revoking a token: an access or refresh token. */
function revokeEndpoint(c: Call): EmuResponse {
  const token = c.req.query.get('token') ?? formBody(c.req).get('token');
  const { emu } = c;
  const at = token ? emu.state.accessTokens[token] : undefined;
  const rt = token ? emu.state.refreshTokens[token] : undefined;
  if (!token || (!at && !rt) || at?.revoked || rt?.revoked) {
    throw new OAuthError(400, 'invalid_token', 'Token expired or revoked');
  }
  if (rt) revokeRefresh(emu, rt.token);
  if (at) {
    at.revoked = true;
    if (at.refreshToken) revokeRefresh(emu, at.refreshToken);
  }
  emu.changed();
  return json(200, {});
}

/**
 * The bearer check of every API (Calendar "Handle API errors": 401 Invalid Credentials; 403
 * insufficientPermissions when the token lacks the scope).
 */
export function authenticate(emu: Emulator, req: EmuRequest, scopes: readonly string[] | undefined): AccessTokenRec {
  const header = req.headers.authorization;
  let token: string | null = null;
  if (header && /^bearer\s+/i.test(header)) token = header.replace(/^bearer\s+/i, '').trim();
  else token = req.query.get('access_token');
  const authOpts = { location: 'Authorization', locationType: 'header', headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' } };
  if (!token) {
    throw new ApiError(401, 'required', 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.', authOpts);
  }
  const rec = emu.state.accessTokens[token];
  if (!rec || rec.revoked || rec.expiresAt <= emu.now() || !emu.state.accounts[rec.email]) {
    throw new ApiError(401, 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.', authOpts);
  }
  if (scopes && !scopes.some((s) => rec.scopes.includes(s))) {
    throw new ApiError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', {
      headers: { 'www-authenticate': `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${scopes.join(' ')}"` },
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: 'googleapis.com' }],
    });
  }
  return rec;
}

function userinfo(c: Call): EmuResponse {
  const auth = c.auth as AccessTokenRec;
  const account = c.emu.state.accounts[auth.email] as AccountRec;
  const out: Record<string, unknown> = { sub: subjectOf(account.email) };
  if (auth.scopes.includes(SCOPES.profile)) Object.assign(out, { name: account.name, given_name: account.name.split(' ')[0] });
  if (auth.scopes.includes(SCOPES.email)) Object.assign(out, { email: account.email, email_verified: true });
  return json(200, out);
}

const USERINFO_SCOPES = [SCOPES.email, SCOPES.profile, SCOPES.openid];

export const oauthRoutes: Route[] = [
  { method: 'GET', pattern: /^\/o\/oauth2\/(?:v2\/)?auth$/, name: 'oauth.authorize', api: 'oauth', handler: authorize },
  { method: 'POST', pattern: /^\/o\/oauth2\/v2\/auth\/decision$/, name: 'oauth.decision', api: 'oauth', handler: decision },
  { method: 'POST', pattern: /^\/(?:token|oauth2\/v4\/token)$/, name: 'oauth.token', api: 'oauth', handler: tokenEndpoint },
  { method: 'POST', pattern: /^\/(?:revoke|o\/oauth2\/revoke)$/, name: 'oauth.revoke', api: 'oauth', handler: revokeEndpoint },
  { method: 'GET', pattern: /^\/(?:revoke|o\/oauth2\/revoke)$/, name: 'oauth.revoke', api: 'oauth', handler: revokeEndpoint },
  { method: 'GET', pattern: /^\/oauth2\/v[123]\/userinfo$/, name: 'oauth.userinfo', api: 'oauth', scopes: USERINFO_SCOPES, handler: userinfo },
];

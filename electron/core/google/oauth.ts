/**
 * Connecting a user to Google (FTC019 §3.2, BRIEF §2), the way Google asks installed apps to do
 * it today ("OAuth 2.0 for Mobile & Desktop Apps",
 * https://developers.google.com/identity/protocols/oauth2/native-app):
 * - a loopback redirect on 127.0.0.1 with a random port (the copy/paste "OOB" flow was shut down
 *   on 2023-01-31), listening only while a connection is pending;
 * - PKCE with S256 (RFC 7636) and a random `state` (RFC 6749 §10.12) checked on the redirect;
 * - `access_type=offline` + `prompt=consent` so Google returns a refresh token every time;
 * - `login_hint` with the e-mail the user entered, and a check that the account that consented
 *   is that one (a different account is refused, nothing is stored).
 * The "manual connection" of the seed becomes: open the consent URL in any browser, then paste
 * back the address the browser ended on (or the bare code).
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CrmError } from '../../../shared/errors';
import type { PendingConnection } from '../../../shared/contract';
import type { AsyncContext, CoreServices } from '../context';
import { putGoogleAccount } from './accounts';
import { clientConfig, oauthClient, type GoogleClientConfig } from './client';
import { describeGoogleError } from './errors';
import { REQUESTED_SCOPES, REQUIRED_SCOPES } from './identity';

export const CALLBACK_PATH = '/oauth2callback';
export const DEFAULT_CONNECT_TIMEOUT_MS = 5 * 60 * 1000;

export type FlowOutcome = 'connected' | 'denied' | 'failed' | 'timeout' | 'cancelled';
export interface FlowResult {
  outcome: FlowOutcome;
  problem: string | null;
  /** Values the UI's message needs (never a token). */
  params?: Record<string, string>;
  message: string | null;
}

interface Flow {
  readonly id: string;
  readonly userId: number;
  readonly mode: 'browser' | 'manual';
  readonly state: string;
  readonly verifier: string;
  readonly loginEmail: string;
  readonly redirectUri: string;
  readonly pending: PendingConnection;
  readonly server: Server;
  readonly cfg: GoogleClientConfig;
  readonly ctx: AsyncContext;
  timer: NodeJS.Timeout | null;
  /** Set once a code or an outcome arrived: later redirects and pastes are turned away. */
  settling: boolean;
  readonly result: Promise<FlowResult>;
  resolve: (r: FlowResult) => void;
}

interface Registry {
  flows: Map<string, Flow>;
  /** The last attempt's outcome per user, for Test ("403 access_denied" after a Deny). */
  last: Map<number, FlowResult>;
}

// One registry per Core (its services object): flows outlive the call that started them.
const registries = new WeakMap<CoreServices, Registry>();
function registry(services: CoreServices): Registry {
  let r = registries.get(services);
  if (!r) registries.set(services, (r = { flows: new Map(), last: new Map() }));
  return r;
}

export function pendingFlowOf(services: CoreServices, userId: number): PendingConnection | null {
  for (const f of registry(services).flows.values()) if (f.userId === userId) return f.pending;
  return null;
}

export function lastOutcomeOf(services: CoreServices, userId: number): FlowResult | null {
  return registry(services).last.get(userId) ?? null;
}

export function flowOwner(services: CoreServices, flowId: string): number | null {
  return registry(services).flows.get(flowId)?.userId ?? null;
}

/** Resolves when the flow ends (the CLI waits on this). */
export function flowResult(services: CoreServices, flowId: string): Promise<FlowResult> | null {
  return registry(services).flows.get(flowId)?.result ?? null;
}

/** The loopback listener's address (for tests: it must be 127.0.0.1). */
export function flowAddress(services: CoreServices, flowId: string): AddressInfo | null {
  return (registry(services).flows.get(flowId)?.server.address() as AddressInfo | null) ?? null;
}

const b64url = (b: Buffer) => b.toString('base64url');

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page the browser shows at the end: in French and English, as the app is. */
function page(res: ServerResponse, status: number, fr: string, en: string): void {
  const body = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>CRM Companion</title>
<style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;line-height:1.5}</style></head>
<body><h1>CRM Companion</h1><p lang="fr">${escapeHtml(fr)}</p><p lang="en">${escapeHtml(en)}</p></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', connection: 'close' });
  res.end(body);
}

function sameState(a: string | null, b: string): boolean {
  if (a === null) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What a paste back means; see parsePasted. */
export type Pasted = { kind: 'code'; code: string } | { kind: 'error'; error: string };

const CODE = /^[A-Za-z0-9/_.~+-]{8,2048}$/;

/**
 * The manual connection's input: the full address the browser ended on (its `state` must be
 * this attempt's), just its query string, or the bare authorization code. Pure, for unit tests.
 */
export function parsePasted(pasted: string, expectedState: string): Pasted {
  const text = pasted.trim();
  if (!text) throw new CrmError('BAD_INPUT', 'Nothing was pasted: paste the address your browser ended on, or the code.', 'pasted');
  let query: URLSearchParams | null = null;
  if (/^https?:\/\//i.test(text)) {
    try {
      query = new URL(text).searchParams;
    } catch {
      throw new CrmError('BAD_INPUT', 'The pasted text starts like an address but is not a valid one.', 'pasted');
    }
  } else if (/(^|[?&])(code|state|error)=/.test(text)) {
    query = new URLSearchParams(text.slice(text.indexOf('?') + 1));
  }
  if (query) {
    const state = query.get('state');
    if (state === null) throw new CrmError('BAD_INPUT', 'The pasted address has no "state": copy the whole address from the browser\'s address bar.', 'pasted');
    if (!sameState(state, expectedState)) {
      throw new CrmError('BAD_INPUT', 'The pasted address belongs to another connection attempt (its "state" does not match): use the address of this attempt, or start again.', 'pasted');
    }
    const error = query.get('error');
    if (error !== null) return { kind: 'error', error };
    const code = query.get('code');
    if (code === null || !CODE.test(code)) throw new CrmError('BAD_INPUT', 'The pasted address has no authorization code: finish the consent in the browser first, then copy the address.', 'pasted');
    return { kind: 'code', code };
  }
  let code = text;
  if (/%[0-9A-Fa-f]{2}/.test(code)) {
    try {
      code = decodeURIComponent(code);
    } catch {
      // keep as is: the check below refuses it
    }
  }
  if (!CODE.test(code)) {
    throw new CrmError('BAD_INPUT', 'This is neither the address your browser ended on nor an authorization code: copy the whole address from the address bar.', 'pasted');
  }
  return { kind: 'code', code };
}

function settle(flow: Flow, result: FlowResult): void {
  const reg = registry(flow.ctx.services);
  if (!reg.flows.has(flow.id)) return;
  reg.flows.delete(flow.id);
  reg.last.set(flow.userId, result);
  if (flow.timer) clearTimeout(flow.timer);
  // Stop listening now; a browser still waiting for its page gets it, then the socket closes
  // ("connection: close" on every page). A stuck socket is cut after a few seconds.
  flow.server.close();
  flow.server.closeIdleConnections();
  setTimeout(() => flow.server.closeAllConnections(), 5000).unref();
  flow.ctx.services.logger.log(result.outcome === 'connected' ? 'info' : 'warn', 'google connection ended', {
    userId: flow.userId,
    flowId: flow.id,
    outcome: result.outcome,
    problem: result.problem,
  });
  flow.resolve(result);
  flow.ctx.broadcast('onGoogleConnection', { userId: flow.userId, flowId: flow.id, outcome: result.outcome, problem: result.problem, params: result.params ?? {}, message: result.message });
}

const fail = (problem: string, message: string): FlowResult => ({ outcome: 'failed', problem, message });

/** The error names Google may send back on the redirect (RFC 6749 §4.1.2.1); anything else is shown as "other". */
function safeErrorName(e: string): string {
  return /^[a-z_]{1,40}$/.test(e) ? e : 'other';
}

/** Exchange the code, check the grant and the account, store the sealed refresh token. */
async function complete(flow: Flow, pasted: Pasted): Promise<FlowResult> {
  if (pasted.kind === 'error') {
    if (pasted.error === 'access_denied') {
      return { outcome: 'denied', problem: 'ACCESS_DENIED', message: 'Access was refused in Google\'s consent page (403 access_denied): nothing was stored.' };
    }
    return fail('GOOGLE_ERROR', `Google ended the consent with the error "${safeErrorName(pasted.error)}": nothing was stored.`);
  }
  const { ctx } = flow;
  const auth = oauthClient(flow.cfg, flow.redirectUri);
  let tokens;
  try {
    ({ tokens } = await auth.getToken({ code: pasted.code, codeVerifier: flow.verifier, redirect_uri: flow.redirectUri }));
  } catch (error) {
    const d = describeGoogleError(error);
    return fail(d.problem, `Google refused the authorization code: ${d.message}`);
  }
  const revoke = async () => {
    // Do not leave a grant we will not use alive at Google (best effort).
    if (tokens.refresh_token) await auth.revokeToken(tokens.refresh_token).catch(() => undefined);
  };
  // Users may untick a permission on the consent page (granular consent): check what was granted.
  const granted = (tokens.scope ?? '').split(/\s+/).filter(Boolean);
  const missing = REQUIRED_SCOPES.filter((s) => !granted.includes(s));
  if (missing.length > 0) {
    await revoke();
    return fail('SCOPES_MISSING', `Google granted access without ${missing.map((s) => s.replace('https://www.googleapis.com/auth/', '')).join(' and ')}: connect again and tick every permission.`);
  }
  if (!tokens.refresh_token || !tokens.access_token) return fail('GOOGLE_ERROR', 'Google did not return a refresh token: connect again.');
  let email: string;
  try {
    auth.setCredentials({ access_token: tokens.access_token });
    const info = await auth.request<{ email?: string }>({ url: flow.cfg.endpoints.userinfoUrl, retry: false });
    if (!info.data.email) throw new Error('no e-mail');
    email = info.data.email.toLowerCase();
  } catch (error) {
    await revoke();
    const d = describeGoogleError(error);
    return fail(d.problem === 'GOOGLE_ERROR' ? 'GOOGLE_ERROR' : d.problem, `The Google account's e-mail could not be read: ${d.message}`);
  }
  if (email !== flow.loginEmail.toLowerCase()) {
    await revoke();
    return {
      ...fail(
        'EMAIL_MISMATCH',
        `You signed in to Google as ${email}, but the login e-mail in your preferences is ${flow.loginEmail}: nothing was stored. Sign in with ${flow.loginEmail}, or change the login e-mail.`,
      ),
      params: { accountEmail: email, loginEmail: flow.loginEmail },
    };
  }
  let sealed: string;
  try {
    sealed = await ctx.services.secrets.seal(tokens.refresh_token);
  } catch {
    await revoke();
    return fail('GOOGLE_ERROR', 'The token could not be encrypted on this machine: nothing was stored.');
  }
  const at = ctx.now().toISOString();
  ctx.db.transaction(() => putGoogleAccount(ctx.db, { userId: flow.userId, email, sealedRefreshToken: sealed, scopes: granted, connectedAt: at }))();
  return { outcome: 'connected', problem: null, message: null };
}

async function run(flow: Flow, pasted: Pasted): Promise<FlowResult> {
  flow.settling = true;
  if (flow.timer) clearTimeout(flow.timer);
  let result: FlowResult;
  try {
    result = await complete(flow, pasted);
  } catch {
    result = fail('GOOGLE_ERROR', 'The connection failed unexpectedly; nothing was stored.');
  }
  settle(flow, result);
  return result;
}

function onRequest(flow: Flow, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', flow.redirectUri);
  if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) return page(res, 404, 'Page introuvable.', 'Not found.');
  // Anything without this attempt's state may come from another site: refuse, keep listening.
  if (!sameState(url.searchParams.get('state'), flow.state)) {
    return page(res, 400, 'Cette réponse ne correspond pas à la connexion en cours.', 'This answer does not belong to the connection in progress.');
  }
  if (flow.settling) return page(res, 409, 'Cette connexion est déjà traitée.', 'This connection is already being handled.');
  const error = url.searchParams.get('error');
  const code = url.searchParams.get('code');
  const pasted: Pasted | null = error !== null ? { kind: 'error', error } : code ? { kind: 'code', code } : null;
  if (!pasted) return page(res, 400, 'Réponse de Google incomplète.', 'Incomplete answer from Google.');
  void run(flow, pasted).then((r) => {
    if (r.outcome === 'connected') page(res, 200, 'Connexion réussie, vous pouvez fermer cet onglet.', 'Connected, you may close this tab.');
    else if (r.outcome === 'denied') page(res, 200, 'Accès refusé : rien n\'a été enregistré. Vous pouvez fermer cet onglet.', 'Access refused: nothing was stored. You may close this tab.');
    else page(res, 200, 'La connexion a échoué ; le détail est affiché dans CRM Companion. Vous pouvez fermer cet onglet.', `The connection failed: ${r.message ?? ''} You may close this tab.`);
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // Only the loopback interface: nothing else on the network can reach the listener.
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts a connection for `userId` (rights already checked). A previous pending one is cancelled. */
export async function startFlow(ctx: AsyncContext, userId: number, mode: 'browser' | 'manual', loginEmail: string): Promise<PendingConnection> {
  if (!loginEmail) {
    throw new CrmError('BAD_INPUT', 'Enter the Google login e-mail in the synchronisation preferences before connecting.', 'googleEmail');
  }
  const cfg = await clientConfig(ctx.db, ctx.services);
  for (const f of [...registry(ctx.services).flows.values()]) {
    if (f.userId === userId) settle(f, { outcome: 'cancelled', problem: null, message: 'A new connection attempt replaced this one.' });
  }
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const state = b64url(randomBytes(24));
  const server = createServer();
  const port = await listen(server);
  const redirectUri = `http://127.0.0.1:${port}${CALLBACK_PATH}`;
  const consentUrl = oauthClient(cfg, redirectUri).generateAuthUrl({
    access_type: 'offline',
    prompt: 'consent',
    scope: REQUESTED_SCOPES,
    state,
    login_hint: loginEmail,
    include_granted_scopes: true,
    code_challenge: challenge,
    code_challenge_method: 'S256' as never,
  });
  const timeoutMs = ctx.services.google.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const startedAt = ctx.now();
  let resolve!: (r: FlowResult) => void;
  const result = new Promise<FlowResult>((r) => (resolve = r));
  const flow: Flow = {
    id: randomUUID(),
    userId,
    mode,
    state,
    verifier,
    loginEmail,
    redirectUri,
    pending: { flowId: '', mode, consentUrl, startedAt: startedAt.toISOString(), expiresAt: new Date(startedAt.getTime() + timeoutMs).toISOString() },
    server,
    cfg,
    ctx,
    timer: null,
    settling: false,
    result,
    resolve,
  };
  (flow.pending as { flowId: string }).flowId = flow.id;
  server.on('request', (req, res) => onRequest(flow, req, res));
  flow.timer = setTimeout(() => {
    if (!flow.settling) {
      settle(flow, { outcome: 'timeout', problem: null, message: `No answer from Google's consent page within ${Math.round(timeoutMs / 1000)} s: start the connection again.` });
    }
  }, timeoutMs);
  registry(ctx.services).flows.set(flow.id, flow);
  ctx.services.logger.log('info', 'google connection started', { userId, flowId: flow.id, mode, port });
  if (mode === 'browser') {
    try {
      await ctx.services.openExternal(consentUrl);
    } catch {
      // Headless or no default browser: the URL is in the reply; the UI offers manual mode.
      ctx.services.logger.log('warn', 'could not open the browser for the consent page', { flowId: flow.id });
    }
  }
  return flow.pending;
}

export function cancelFlow(services: CoreServices, flowId: string): boolean {
  const flow = registry(services).flows.get(flowId);
  if (!flow) return false;
  settle(flow, { outcome: 'cancelled', problem: null, message: 'The connection was cancelled.' });
  return true;
}

/** The manual connection's second step. */
export async function completeManualFlow(services: CoreServices, flowId: string, pasted: string): Promise<FlowResult> {
  const flow = registry(services).flows.get(flowId);
  if (!flow) throw new CrmError('NOT_FOUND', 'This connection attempt has ended (done, cancelled or timed out): start a new one.');
  if (flow.settling) throw new CrmError('CONFLICT', 'This connection is already being completed.');
  const parsed = parsePasted(pasted, flow.state);
  return run(flow, parsed);
}

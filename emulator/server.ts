/**
 * The HTTP front: body limits, routing, auth, faults, quotas, latency and statistics.
 * Whatever a request contains, the answer is a Google-shaped response, never a crash.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmuRequest, EmuResponse, Emulator, Fault } from './context';
import { ApiError, OAuthError } from './errors';
import { parseFields, selectFields } from './fields';
import { json } from './http';
import type { Call, Route } from './http';
import { authenticate } from './oauth';
import type { AccessTokenRec } from './state';

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

function errorResponse(err: unknown): EmuResponse {
  if (err instanceof ApiError) return json(err.code, err.body(), err.opts.headers ?? {});
  if (err instanceof OAuthError) return json(err.status, { error: err.error, error_description: err.message });
  const message = err instanceof Error ? err.message : String(err);
  return json(500, new ApiError(500, 'backendError', `Backend Error: ${message}`).body());
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function faultResponse(status: number, retryAfter: number | null, reason: Fault['reason'] = 'rateLimitExceeded', api: string = 'api'): EmuResponse {
  const headers: Record<string, string> = retryAfter !== null ? { 'retry-after': String(retryAfter) } : {};
  switch (status) {
    case 429:
      return json(429, new ApiError(429, 'rateLimitExceeded', 'Rate Limit Exceeded', { domain: 'usageLimits' }).body(), headers);
    case 403:
      if (reason === 'accessNotConfigured') return accessNotConfigured(api);
      return json(403, new ApiError(403, 'rateLimitExceeded', 'Rate Limit Exceeded', { domain: 'usageLimits' }).body(), headers);
    case 503:
      return json(503, new ApiError(503, 'backendError', 'The service is currently unavailable.').body(), headers);
    default:
      return json(status, new ApiError(status, 'backendError', 'Backend Error').body(), headers);
  }
}

/**
 * What Google answers when the API is not enabled in the client's Cloud project ("Handle API
 * errors"; People adds a google.rpc.ErrorInfo SERVICE_DISABLED).
 */
function accessNotConfigured(api: string): EmuResponse {
  const name = api === 'people' ? 'People API' : 'Google Calendar API';
  return json(
    403,
    new ApiError(403, 'accessNotConfigured', `${name} has not been used in project 000000000000 before or it is disabled. Enable it by visiting the Google Cloud console, then retry.`, {
      domain: 'usageLimits',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'SERVICE_DISABLED', domain: 'googleapis.com' }],
    }).body(),
  );
}

export class Dispatcher {
  constructor(
    private readonly emu: Emulator,
    private readonly routes: Route[],
  ) {}

  /** One call, top-level or a batch part. Never throws. */
  async dispatch(req: EmuRequest, top: boolean): Promise<EmuResponse> {
    let route: Route | undefined;
    let params: string[] = [];
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(req.path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== req.method) continue;
      route = r;
      try {
        params = m.slice(1).map((p) => decodeURIComponent(p ?? ''));
      } catch {
        params = m.slice(1).map((p) => p ?? '');
      }
      break;
    }
    let email: string | null = null;
    let res: EmuResponse;
    try {
      if (!route) {
        throw pathMatched
          ? new ApiError(405, 'httpMethodNotAllowed', `Method ${req.method} is not allowed for ${req.path}`)
          : new ApiError(404, 'notFound', `Not Found: ${req.method} ${req.path}`);
      }
      if (!top && (route.api === 'batch' || route.api === 'admin' || route.api === 'oauth')) {
        throw new ApiError(400, 'invalid', 'Only API calls may be nested in a batch request.');
      }
      let auth: AccessTokenRec | null = null;
      if (route.scopes) {
        try {
          auth = authenticate(this.emu, req, route.scopes);
        } catch (e) {
          // Attribute 403s (valid token, missing scope) to their account in the statistics.
          const tok = (req.headers.authorization ?? '').replace(/^bearer\s+/i, '');
          email = this.emu.state.accessTokens[tok]?.email ?? null;
          throw e;
        }
        email = auth.email;
      }
      if (top && route.api !== 'admin') {
        const fault = this.emu.takeFault(route.api, email);
        if (fault?.type === 'drop') {
          this.emu.record(req.method, route.name, 0, email);
          return { status: 0, headers: {}, body: '', drop: true };
        }
        if (fault?.type === 'slow') await sleep(fault.delayMs);
        if (fault?.type === 'error') {
          res = faultResponse(fault.status, fault.retryAfterSeconds, fault.reason, route.api);
          this.emu.record(req.method, route.name, res.status, email);
          return res;
        }
      }
      if (auth && route.quota) this.emu.chargeQuota(route.quota, auth.email, auth.clientId);
      // Partial response (Calendar): a bad selection is refused before anything is done.
      const fieldsParam = route.api === 'calendar' ? req.query.get('fields') : null;
      const selection = fieldsParam !== null ? parseFields(fieldsParam) : null;
      const call: Call = {
        emu: this.emu,
        req,
        params,
        auth,
        dispatch: (inner, authHeader) =>
          this.dispatch({ ...inner, headers: { authorization: authHeader, ...inner.headers } }, false),
      };
      res = await route.handler(call);
      // The standard parameter prettyPrint (default true): false answers without indentation or line breaks.
      const indent = req.query.get('prettyPrint') === 'false' ? undefined : 2;
      if (res.deferred) {
        res = { status: res.status, headers: res.headers, body: JSON.stringify(selection ? selectFields(res.value, selection) : res.value, null, indent) };
      } else if (selection && res.status >= 200 && res.status < 300 && res.body !== '') {
        const value = res.value !== undefined ? res.value : (JSON.parse(res.body.toString()) as unknown);
        res = { ...res, body: JSON.stringify(selectFields(value, selection), null, indent), value: undefined };
      } else if (indent === undefined && res.value !== undefined && res.body !== '') {
        res = { ...res, body: JSON.stringify(res.value), value: undefined };
      }
    } catch (err) {
      res = errorResponse(err);
    }
    this.emu.record(req.method, route?.name ?? 'unknown', res.status, email);
    return res;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_BODY_BYTES) {
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        done = true;
        resolve('too-large');
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, r: EmuResponse, close = false): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...r.headers };
  if (close) headers.connection = 'close';
  res.writeHead(r.status, headers);
  res.end(r.body);
}

export function createHttpServer(emu: Emulator, dispatcher: Dispatcher): Server {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const body = await readBody(req);
        if (body === 'too-large') {
          const err = new ApiError(413, 'uploadTooLarge', `Request payload size exceeds the limit: ${MAX_BODY_BYTES} bytes.`);
          emu.record(req.method ?? 'GET', 'unknown', 413, null);
          send(res, json(413, err.body()), true);
          return;
        }
        let url: URL;
        try {
          url = new URL(req.url ?? '/', 'http://127.0.0.1');
        } catch {
          send(res, json(400, new ApiError(400, 'badRequest', 'Malformed URL').body()));
          return;
        }
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        const emuReq: EmuRequest = { method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, query: url.searchParams, headers, body };
        const isAdmin = url.pathname.startsWith('/__emulator/');
        if (!isAdmin && emu.opts.latencyMs > 0) await sleep(emu.opts.latencyMs);
        const t0 = performance.now();
        const r = await dispatcher.dispatch(emuReq, true);
        if (r.drop) {
          req.socket.destroy();
          return;
        }
        send(res, r);
        if (!isAdmin) emu.recordService(emu.state.accessTokens[(headers.authorization ?? '').replace(/^bearer\s+/i, '')]?.email ?? null, performance.now() - t0);
      } catch (err) {
        send(res, errorResponse(err));
      }
    })();
  });
  // Idle connections are closed by the client first (undici: 4 s), never under its feet by the
  // server (Node's default 5 s): over a loaded machine the two timers raced, and a request sent on
  // a connection the server was closing failed with "other side closed". Google keeps them longer too.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

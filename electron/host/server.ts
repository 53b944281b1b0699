/**
 * The browser host: the core in plain Node, serving the built renderer and the contract over
 * HTTP on 127.0.0.1 only. It exists because the Electron binary cannot run everywhere, and it is
 * how the renderer is tested in a real browser.
 *
 * Security: a random launch token is printed once as part of the URL; opening that URL trades it
 * for an HttpOnly, SameSite=Strict cookie naming this browser's connection. Every other request
 * needs that cookie, a Host header naming this server (no DNS rebinding) and, when the browser
 * sends one, an Origin equal to ours. The contract is reached only through `POST /api/call/<channel>`
 * with a JSON body: one route per contract channel, nothing else is forwarded.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { eventNames, type EventName } from '../../shared/contract';
import { HTTP_API_PREFIX, HTTP_EVENTS_PATH } from '../../shared/transport';
import type { Core } from '../core/app';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp';

export interface HostOptions {
  core: Core;
  /** Folder of the built renderer (vite's outDir). */
  staticDir: string;
  port?: number;
  /** Marks the page so the login screen can show the demo password hint. */
  demo?: boolean;
  /** For tests; otherwise random. */
  launchToken?: string;
}

export interface Host {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** The URL to open once: it carries the launch token. */
  readonly launchUrl: string;
  close(): Promise<void>;
}

const COOKIE = 'crm_conn';
const MAX_BODY = 1024 * 1024;



const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: http.ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { ok: false, error: { code, message } });
}

const STATUS_OF: Record<string, number> = {
  BAD_INPUT: 400,
  UNKNOWN_CHANNEL: 404,
  UNAUTHENTICATED: 401,
  BAD_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INTERNAL: 500,
};

export async function startHost(options: HostOptions): Promise<Host> {
  const { core } = options;
  const launchToken = options.launchToken ?? randomBytes(24).toString('base64url');
  /** cookie value → core connection id */
  const connections = new Map<string, string>();
  const streams = new Map<http.ServerResponse, string>();
  let port = 0;

  const indexPath = path.join(options.staticDir, 'index.html');
  const indexHtml = () => {
    if (!existsSync(indexPath)) return null;
    const html = readFileSync(indexPath, 'utf8');
    return options.demo ? html.replace('<html', '<html data-demo="1"') : html;
  };

  const unsubscribe = core.onEvent((event: EventName, payload) => {
    const chunk = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const [res, connectionId] of streams) if (core.sessionUser(connectionId)) res.write(chunk);
  });

  const securityHeaders = {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };

  const server = http.createServer((req, res) => {
    for (const [k, v] of Object.entries(securityHeaders)) res.setHeader(k, v);
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return sendError(res, 421, 'FORBIDDEN', 'Unexpected Host header.');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) {
      return sendError(res, 403, 'FORBIDDEN', 'Requests from other origins are refused.');
    }
    if (req.headers['sec-fetch-site'] === 'cross-site') return sendError(res, 403, 'FORBIDDEN', 'Cross-site requests are refused.');

    const url = new URL(req.url ?? '/', `http://${host}`);

    // Trading the launch token for a connection cookie.
    const offered = url.searchParams.get('launch');
    if (offered !== null) {
      if (req.method !== 'GET' || !sameSecret(offered, launchToken)) return sendError(res, 403, 'FORBIDDEN', 'This launch link is not valid.');
      const cookie = randomBytes(24).toString('base64url');
      connections.set(cookie, core.newConnection());
      res.writeHead(303, { location: '/', 'set-cookie': `${COOKIE}=${cookie}; HttpOnly; SameSite=Strict; Path=/`, 'cache-control': 'no-store' });
      return res.end();
    }

    const cookie = parseCookies(req.headers.cookie).get(COOKIE);
    const connectionId = cookie === undefined ? undefined : connections.get(cookie);
    if (connectionId === undefined) {
      if (url.pathname.startsWith('/api/')) return sendError(res, 401, 'UNAUTHENTICATED', 'Open the link printed when the host started.');
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end('CRM Companion: open the link printed in the terminal when the host started (it carries a one-time launch token).\n');
    }

    if (url.pathname.startsWith(HTTP_API_PREFIX)) return handleCall(req, res, connectionId, url.pathname.slice(HTTP_API_PREFIX.length));
    if (url.pathname === HTTP_EVENTS_PATH && req.method === 'GET') return handleEvents(req, res, connectionId);
    if (url.pathname.startsWith('/api/')) return sendError(res, 404, 'UNKNOWN_CHANNEL', 'No such route.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'BAD_INPUT', 'Method not allowed.');
    return serveStatic(res, url.pathname);
  });

  function handleCall(req: http.IncomingMessage, res: http.ServerResponse, connectionId: string, channel: string): void {
    if (req.method !== 'POST') return sendError(res, 405, 'BAD_INPUT', 'Use POST with a JSON body.');
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') return sendError(res, 415, 'BAD_INPUT', 'The body must be application/json.');
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    const tooLarge = () => {
      aborted = true;
      chunks.length = 0;
      res.setHeader('connection', 'close');
      sendError(res, 413, 'BAD_INPUT', `The body exceeds ${MAX_BODY} bytes.`);
    };
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) tooLarge();
    // Past the limit the rest is read and dropped (never buffered), so the client gets its 413.
    req.on('data', (chunk: Buffer) => {
      if (aborted) return;
      size += chunk.length;
      if (size > MAX_BODY) tooLarge();
      else chunks.push(chunk);
    });
    req.on('end', async () => {
      if (aborted) return;
      let input: unknown;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        input = text.length === 0 ? {} : JSON.parse(text);
      } catch {
        return sendError(res, 400, 'BAD_INPUT', 'The body is not valid JSON.');
      }
      const reply = await core.call(connectionId, channel, input);
      sendJson(res, reply.ok ? 200 : (STATUS_OF[reply.error.code] ?? 500), reply);
    });
  }

  function handleEvents(req: http.IncomingMessage, res: http.ServerResponse, connectionId: string): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`: connected; events: ${eventNames.join(', ')}\n\n`);
    streams.set(res, connectionId);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      streams.delete(res);
    });
  }

  function serveStatic(res: http.ServerResponse, pathname: string): void {
    const root = path.resolve(options.staticDir);
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return sendError(res, 400, 'BAD_INPUT', 'Malformed path.');
    }
    const file = path.resolve(root, `.${decoded}`);
    const inside = file === root || file.startsWith(root + path.sep);
    if (inside && file !== root && existsSync(file) && statSync(file).isFile() && path.basename(file) !== 'index.html') {
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      createReadStream(file).pipe(res);
      return;
    }
    // The app is a single page: every other path gets index.html.
    const html = indexHtml();
    if (html === null) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('CRM Companion: the renderer is not built. Run `npm run build:renderer`.\n');
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    launchUrl: `${url}/?launch=${launchToken}`,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        for (const res of streams.keys()) res.end();
        streams.clear();
        for (const id of connections.values()) core.closeConnection(id);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A proxy between the app and the Google emulator, for fault injection the emulator cannot do by
 * itself: it counts API requests (to "crash" the engine after the k-th one), answers errors or
 * drops connections on demand, and can LOSE an answer after the emulator applied the request —
 * the dropped connection that hurts, since a retry then meets its own earlier write (409, 412).
 * Point the app at it with `google.setClient({ rootUrl: proxy.url })`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  /** 1-based count of API requests (Calendar and batch) since the proxy started. */
  n: number;
  method: string;
  path: string;
}

export interface Trouble {
  /** Per API request, before it reaches Google: drop the connection, or answer this error. */
  before?: (r: ProxiedRequest) => 'drop' | { status: number; reason: string; retryAfter?: number } | null;
  /** Per API request, after Google answered: 'lose' destroys the connection instead of answering. */
  after?: (r: ProxiedRequest) => 'lose' | null;
  /** Per API request, Google's answer body as the app receives it instead (a malformed answer); null keeps it. */
  body?: (r: ProxiedRequest, body: Buffer) => Buffer | null;
  /** Per API request, awaited before it is passed on: someone else's change lands in Google between the engine's read and its write. */
  meanwhile?: (r: ProxiedRequest) => Promise<void>;
}

export interface FaultProxy {
  url: string;
  /** What to do to the next requests; `{}` lets everything through. */
  trouble: Trouble;
  /** API requests, and event listings among them (`GET …/events`), since the proxy started. */
  readonly count: { api: number; listings: number };
  close(): Promise<void>;
}

const HOP = ['host', 'connection', 'keep-alive', 'content-length', 'content-encoding', 'transfer-encoding'];

/** `apiPrefixes`: the paths counted and troubled as API requests (default: Calendar and batch; add '/v1/' for People). */
export function startFaultProxy(target: string, options: { apiPrefixes?: string[] } = {}): Promise<FaultProxy> {
  const prefixes = options.apiPrefixes ?? ['/calendar/', '/batch/'];
  const count = { api: 0, listings: 0 };
  let trouble: Trouble = {};
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const path = req.url ?? '/';
        const method = req.method ?? 'GET';
        const api = prefixes.some((p) => path.startsWith(p));
        const r: ProxiedRequest = { n: api ? ++count.api : 0, method, path };
        if (method === 'GET' && /^\/calendar\/v3\/calendars\/[^/]+\/events(\?|$)/.test(path)) count.listings++;
        const before = api ? (trouble.before?.(r) ?? null) : null;
        if (before === 'drop') return void req.socket.destroy();
        if (before) {
          const body = JSON.stringify({ error: { code: before.status, message: 'Injected', errors: [{ domain: 'usageLimits', reason: before.reason, message: 'Injected' }] } });
          res.writeHead(before.status, { 'content-type': 'application/json', ...(before.retryAfter !== undefined ? { 'retry-after': String(before.retryAfter) } : {}) });
          return void res.end(body);
        }
        if (api && trouble.meanwhile) await trouble.meanwhile(r);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !HOP.includes(k)) headers[k] = v;
        const upstream = await fetch(`${target}${path}`, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks) });
        const answered = Buffer.from(await upstream.arrayBuffer());
        if (api && trouble.after?.(r) === 'lose') return void req.socket.destroy();
        const body = (api ? trouble.body?.(r, answered) : null) ?? answered;
        const out: Record<string, string> = {};
        upstream.headers.forEach((v, k) => {
          if (!HOP.includes(k)) out[k] = v;
        });
        res.writeHead(upstream.status, out);
        res.end(body);
      })().catch(() => req.socket.destroy());
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        get trouble() {
          return trouble;
        },
        set trouble(t: Trouble) {
          trouble = t;
        },
        count,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    ),
  );
}

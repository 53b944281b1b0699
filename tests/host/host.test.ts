import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../electron/host/server';
import { demoDb, dump, roles, silentCore } from '../helpers';

let env: ReturnType<typeof demoDb>;
let host: Host;
let staticDir: string;
let cookie: string;
let rep: string;

/** A raw request, so tests control every header (fetch would add or refuse some). */
function request(
  method: string,
  pathname: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(host.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: url.port, method, path: pathname, headers: { host: url.host, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

const call = (channel: string, input: unknown, headers: Record<string, string> = {}) =>
  request('POST', `/api/call/${channel}`, { headers: { 'content-type': 'application/json', cookie, ...headers }, body: JSON.stringify(input) });

beforeAll(async () => {
  env = demoDb();
  rep = roles(env.summary).reps[0]!;
  staticDir = mkdtempSync(path.join(os.tmpdir(), 'crm-static-'));
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><html lang="fr"><body>app</body></html>');
  writeFileSync(path.join(staticDir, 'app.js'), 'console.log(1)');
  host = await startHost({ core: silentCore(env.db), staticDir, launchToken: 'test-launch-token-0123456789', demo: true });
  const launch = await request('GET', '/?launch=test-launch-token-0123456789');
  expect(launch.status).toBe(303);
  const setCookie = launch.headers['set-cookie']?.[0] ?? '';
  expect(setCookie).toMatch(/^crm_conn=[\w-]+; HttpOnly; SameSite=Strict; Path=\/$/);
  cookie = setCookie.split(';')[0]!;
});
afterAll(async () => {
  await host.close();
  env.cleanup();
  rmSync(staticDir, { recursive: true, force: true });
});

describe('the browser host', () => {
  it('listens on 127.0.0.1 only and prints a launch URL carrying the token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.launchUrl).toBe(`${host.url}/?launch=test-launch-token-0123456789`);
  });

  it('refuses every request without the launch cookie', async () => {
    expect((await request('GET', '/')).status).toBe(403);
    const api = await request('POST', '/api/call/session.login', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: rep, password: 'demo' }) });
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body)).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: 'Open the link printed when the host started.' } });
    expect((await request('POST', '/api/call/session.login', { headers: { 'content-type': 'application/json', cookie: 'crm_conn=forged' }, body: '{}' })).status).toBe(401);
  });

  it('refuses a wrong launch token', async () => {
    const res = await request('GET', '/?launch=guess');
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('refuses other origins, cross-site fetches and foreign Host headers (DNS rebinding)', async () => {
    expect((await call('session.current', {}, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await call('session.current', {}, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await call('session.current', {}, { host: `evil.example:${new URL(host.url).port}` })).status).toBe(421);
    expect((await call('session.current', {}, { origin: host.url })).status).toBe(200);
  });

  it('serves the renderer with a strict CSP and the demo mark', async () => {
    const page = await request('GET', '/agenda', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html data-demo="1" lang="fr">');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    const js = await request('GET', '/app.js', { headers: { cookie } });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const traversal = await request('GET', '/../../etc/passwd', { headers: { cookie } });
    expect(traversal.body).not.toContain('root:');
  });

  it('carries the contract: login, then calls as that user', async () => {
    const login = await call('session.login', { login: rep, password: 'demo' });
    expect(login.status).toBe(200);
    expect(JSON.parse(login.body)).toMatchObject({ ok: true, result: { login: rep } });
    const search = await call('contacts.search', { query: '', limit: 2 });
    expect(JSON.parse(search.body)).toMatchObject({ ok: true, result: { items: [{}, {}] } });
  });

  it('rejects bad payloads sent straight to the bridge, changing nothing', async () => {
    await call('session.login', { login: rep, password: 'demo' });
    const before = dump(env.db);
    const bad = await call('actions.create', { typeId: 1, title: 'x', period: { allDay: false, start: 'demain', end: 'après' } });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', field: 'period.start' } });
    const notJson = await request('POST', '/api/call/actions.create', { headers: { 'content-type': 'application/json', cookie }, body: '{"typeId":' });
    expect(JSON.parse(notJson.body)).toEqual({ ok: false, error: { code: 'BAD_INPUT', message: 'The body is not valid JSON.' } });
    const wrongType = await request('POST', '/api/call/actions.create', { headers: { 'content-type': 'text/plain', cookie }, body: 'x' });
    expect(wrongType.status).toBe(415);
    const body = Buffer.alloc(2 * 1024 * 1024, 32);
    const huge = await request('POST', '/api/call/contacts.search', { headers: { 'content-type': 'application/json', 'content-length': String(body.length), cookie }, body });
    expect(huge.status).toBe(413);
    const unknown = await call('admin.dropEverything', {});
    expect(unknown.status).toBe(404);
    const get = await request('GET', '/api/call/contacts.search', { headers: { cookie } });
    expect(get.status).toBe(405);
    expect(dump(env.db)).toBe(before);
  });

  it('pushes contract events to logged-in browsers over server-sent events', async () => {
    await call('session.login', { login: rep, password: 'demo' });
    const url = new URL(host.url);
    const received = new Promise<string>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: url.port, path: '/api/events', headers: { host: url.host, cookie } }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString('utf8');
          if (text.includes('event: onActionsChanged')) {
            req.destroy();
            resolve(text);
          }
        });
        res.once('data', () => void call('actions.create', { typeId: 1, title: 'Événement poussé', period: { allDay: true, startDate: '2026-11-24', endDate: '2026-11-24' } }));
      });
      req.on('error', reject);
    });
    const text = await received;
    expect(text).toMatch(/event: onActionsChanged\ndata: \{"ownerIds":\[\d+\]\}/);
  });
});

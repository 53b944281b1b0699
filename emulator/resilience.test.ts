/**
 * Batch, quotas, injected faults, latency, statistics and bad input.
 * Raw HTTP is used only where the official clients cannot go: batch, admin, and malformed input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from './index';
import type { RunningEmulator } from './index';
import { connect, failure, rawCalendar, reason, setup } from './testkit';

const ADA = 'ada@example.com';
const BOB = 'bob@example.com';

interface PartOut {
  contentId: string | null;
  status: number;
  body: unknown;
}

function buildBatch(parts: { id: string; method: string; path: string; body?: unknown }[], boundary = 'batch_boundary'): string {
  return (
    parts
      .map((p) => {
        const body = p.body === undefined ? '' : JSON.stringify(p.body);
        const head = `${p.method} ${p.path} HTTP/1.1\r\n${body ? 'Content-Type: application/json\r\n' : ''}`;
        return `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <${p.id}>\r\n\r\n${head}\r\n${body}\r\n`;
      })
      .join('') + `--${boundary}--\r\n`
  );
}

function parseBatch(contentType: string, text: string): PartOut[] {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1] ?? '';
  return text
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((chunk) => {
      const contentId = /Content-ID: <([^>]+)>/i.exec(chunk)?.[1] ?? null;
      const status = Number(/HTTP\/1\.1 (\d{3})/.exec(chunk)?.[1]);
      const json = chunk.slice(chunk.indexOf('{'), chunk.lastIndexOf('}') + 1);
      return { contentId, status, body: json ? (JSON.parse(json) as unknown) : null };
    });
}

async function sendBatch(emu: RunningEmulator, token: string | null, payload: string): Promise<Response> {
  return fetch(`${emu.url}/batch/calendar/v3`, {
    method: 'POST',
    headers: { 'content-type': 'multipart/mixed; boundary=batch_boundary', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: payload,
  });
}

const ev = (summary: string): unknown => ({ summary, start: { dateTime: '2030-06-01T10:00:00Z' }, end: { dateTime: '2030-06-01T11:00:00Z' } });

describe('batch', () => {
  let emu: RunningEmulator;
  let token = '';
  beforeAll(async () => {
    emu = await startEmulator({ autoConsent: true });
    await setup(emu);
    await emu.createAccount({ email: ADA });
    token = (await connect(emu, ADA)).auth.credentials.access_token as string;
  });
  afterAll(() => emu.close());

  it('answers each part in order and echoes Content-ID as response-…', async () => {
    const res = await sendBatch(emu, token, buildBatch([
      { id: 'item1', method: 'POST', path: '/calendar/v3/calendars/primary/events', body: ev('Batch 1') },
      { id: 'item2', method: 'GET', path: '/calendar/v3/calendars/primary/events/doesnotexist' },
      { id: 'item3', method: 'POST', path: '/calendar/v3/calendars/primary/events', body: { summary: 'no times' } },
      { id: 'item4', method: 'GET', path: '/calendar/v3/calendars/primary/events?maxResults=10' },
    ]));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary=/);
    const parts = parseBatch(res.headers.get('content-type') ?? '', await res.text());
    expect(parts.map((p) => p.contentId)).toEqual(['response-item1', 'response-item2', 'response-item3', 'response-item4']);
    expect(parts.map((p) => p.status)).toEqual([200, 404, 400, 200]);
    expect((parts[0]?.body as { summary: string }).summary).toBe('Batch 1');
    expect((parts[3]?.body as { items: unknown[] }).items).toHaveLength(1);
  });

  it('refuses more than 1000 parts, non-multipart bodies, and applies auth per part', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ id: `i${i}`, method: 'GET', path: '/calendar/v3/colors' }));
    const r1 = await sendBatch(emu, token, buildBatch(many));
    expect(r1.status).toBe(400);
    expect(((await r1.json()) as { error: { code: number } }).error.code).toBe(400);
    const r2 = await fetch(`${emu.url}/batch/calendar/v3`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{}' });
    expect(r2.status).toBe(400);
    const r3 = await sendBatch(emu, null, buildBatch([{ id: 'a', method: 'GET', path: '/calendar/v3/colors' }]));
    const parts = parseBatch(r3.headers.get('content-type') ?? '', await r3.text());
    expect(parts[0]?.status).toBe(401);
  });

  it('counts every part in the statistics, per account', async () => {
    const before = await emu.stats();
    const n = before.byAccount[ADA]?.byRoute['GET calendar.colors.get']?.['200'] ?? 0;
    await sendBatch(emu, token, buildBatch(Array.from({ length: 7 }, (_, i) => ({ id: `c${i}`, method: 'GET', path: '/calendar/v3/colors' }))));
    const after = await emu.stats();
    expect(after.byAccount[ADA]?.byRoute['GET calendar.colors.get']?.['200']).toBe(n + 7);
    expect(after.byRoute['POST batch.calendar']?.['200']).toBeGreaterThan(0);
  });
});

describe('quotas', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ autoConsent: true, quotaPerMinute: 5, projectQuotaPerMinute: 8 });
    await setup(emu);
    await emu.createAccount({ email: ADA });
    await emu.createAccount({ email: BOB });
  });
  afterAll(() => emu.close());

  it('limits each user per sliding minute (403 userRateLimitExceeded), then the project (403 rateLimitExceeded)', async () => {
    const { cal } = await connect(emu, ADA);
    for (let i = 0; i < 5; i++) expect((await cal.colors.get()).status).toBe(200);
    const f = await failure(cal.colors.get());
    expect(f.status).toBe(403);
    expect(reason(f)).toBe('userRateLimitExceeded');
    expect(f.body.error.errors?.[0]?.domain).toBe('usageLimits');
    const bob = await connect(emu, BOB);
    for (let i = 0; i < 3; i++) expect((await bob.cal.colors.get()).status).toBe(200);
    const p = await failure(bob.cal.colors.get());
    expect(p.status).toBe(403);
    expect(reason(p)).toBe('rateLimitExceeded');
    emu.clock.advance(61_000);
    expect((await cal.colors.get()).status).toBe(200);
  });

  it('counts batch parts against the quota and answers People with 429', async () => {
    emu.clock.advance(61_000);
    const { auth, ppl } = await connect(emu, ADA);
    const res = await sendBatch(emu, auth.credentials.access_token as string, buildBatch(Array.from({ length: 7 }, (_, i) => ({ id: `q${i}`, method: 'GET', path: '/calendar/v3/colors' }))));
    const parts = parseBatch(res.headers.get('content-type') ?? '', await res.text());
    expect(parts.map((p) => p.status)).toEqual([200, 200, 200, 200, 200, 403, 403]);
    for (let i = 0; i < 5; i++) await ppl.people.connections.list({ resourceName: 'people/me', personFields: 'names' });
    const f = await failure(ppl.people.connections.list({ resourceName: 'people/me', personFields: 'names' }));
    expect(f.status).toBe(429);
    expect(f.body.error.status).toBe('RESOURCE_EXHAUSTED');
  });
});

describe('faults, latency and bad input', () => {
  let emu: RunningEmulator;
  let token = '';
  beforeAll(async () => {
    emu = await startEmulator({ autoConsent: true, latencyMs: 120 });
    await setup(emu);
    await emu.createAccount({ email: ADA });
    token = (await connect(emu, ADA)).auth.credentials.access_token as string;
  });
  afterAll(() => emu.close());

  it('fails the next N requests with 500/503, 429 + Retry-After, 403 rateLimitExceeded', async () => {
    // A fixed token: OAuth2Client with forceRefreshOnFailure would refresh and retry after a 403.
    const cal = rawCalendar(emu, token);
    await emu.fault({ type: 'error', status: 503, count: 2 });
    expect((await failure(cal.colors.get())).status).toBe(503);
    expect((await failure(cal.colors.get())).status).toBe(503);
    expect((await cal.colors.get()).status).toBe(200);
    await emu.fault({ type: 'error', status: 429, retryAfterSeconds: 7, count: 1 });
    const r = await failure(cal.colors.get());
    expect(r.status).toBe(429);
    const h = r.headers as { get?: (k: string) => string | null } & Record<string, string>;
    const retryAfter = typeof h.get === 'function' ? h.get('retry-after') : h['retry-after'];
    expect(retryAfter).toBe('7');
    await emu.fault({ type: 'error', status: 403, count: 1 });
    const q = await failure(cal.colors.get());
    expect(q.status).toBe(403);
    expect(reason(q)).toBe('rateLimitExceeded');
    await emu.fault({ type: 'error', status: 500, count: 1, api: 'people' });
    expect((await cal.colors.get()).status).toBe(200); // scoped to People
  });

  it('drops connections, slows responses, fails at a rate, and clears faults', async () => {
    const { cal } = await connect(emu, ADA);
    await emu.fault({ type: 'drop', count: 1 });
    await expect(cal.colors.get()).rejects.toThrow();
    await emu.fault({ type: 'slow', delayMs: 300, count: 1 });
    const t0 = Date.now();
    await cal.colors.get();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    await emu.fault({ type: 'error', status: 500, rate: 1 });
    expect((await failure(cal.colors.get())).status).toBe(500);
    expect((await failure(cal.colors.get())).status).toBe(500);
    await emu.clearFaults();
    expect((await cal.colors.get()).status).toBe(200);
  });

  it('adds --latency-ms to every API request', async () => {
    const { cal } = await connect(emu, ADA);
    const t0 = Date.now();
    await cal.colors.get();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(115);
  });

  it('answers malformed JSON, wrong content types, huge bodies and unknown routes with Google-shaped errors', async () => {
    const post = (body: string, type: string): Promise<Response> =>
      fetch(`${emu.url}/calendar/v3/calendars/primary/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
    const bad = await post('{"summary": ', 'application/json');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { errors: { reason: string }[] } }).error.errors[0]?.reason).toBe('parseError');
    const text = await post('hello', 'text/plain');
    expect(text.status).toBe(400);
    expect(((await text.json()) as { error: { errors: { reason: string }[] } }).error.errors[0]?.reason).toBe('badContent');
    const huge = await post(' '.repeat(11 * 1024 * 1024), 'application/json');
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: number } }).error.code).toBe(413);
    const unknown = await fetch(`${emu.url}/calendar/v3/nothing/here`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { status: string } }).error.status).toBe('NOT_FOUND');
    const method = await fetch(`${emu.url}/calendar/v3/colors`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(method.status).toBe(405);
    const adminBad = await fetch(`${emu.url}/__emulator/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email": 3}' });
    expect(adminBad.status).toBe(400);
  });
});

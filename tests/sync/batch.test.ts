import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index';
import { decodeBatch, encodeBatch, sendBatch, type BatchCall } from '../../electron/core/sync/batch';

let emu: RunningEmulator;
let token: string;
const email = 'batch.user@example.fr';

beforeAll(async () => {
  emu = await startEmulator();
  await emu.registerClient({ clientId: 'batch-client', clientSecret: 's', publishing: 'production' });
  await emu.createAccount({ email, calendars: ['Agenda CRM'] });
  token = (await emu.mintTokens({ clientId: 'batch-client', email, scopes: ['https://www.googleapis.com/auth/calendar'] })).access_token;
});
afterAll(() => emu.close());

const event = (summary: string, day: string, id?: string) => ({
  ...(id ? { id } : {}),
  summary,
  start: { dateTime: `${day}T09:00:00+01:00`, timeZone: 'Europe/Paris' },
  end: { dateTime: `${day}T10:00:00+01:00`, timeZone: 'Europe/Paris' },
});

describe('Calendar batch requests', () => {
  it('encodes parts that round-trip through a decoder', () => {
    const { body, contentType } = encodeBatch([{ id: 'a1', method: 'POST', path: '/calendar/v3/calendars/primary/events', body: { summary: 'Été' } }], 'b0undary');
    expect(contentType).toBe('multipart/mixed; boundary=b0undary');
    expect(body).toContain('Content-ID: <a1>\r\n\r\nPOST /calendar/v3/calendars/primary/events HTTP/1.1\r\n');
    expect(body).toContain(`Content-Length: ${Buffer.byteLength('{"summary":"Été"}')}`);
    const answer = ['--x', 'Content-Type: application/http', 'Content-ID: <response-a1>', '', 'HTTP/1.1 200 OK', 'Content-Type: application/json', '', '{"id":"e1"}', '--x--', ''].join('\r\n');
    expect(decodeBatch(answer, 'multipart/mixed; boundary=x')).toEqual([{ id: 'a1', status: 200, headers: { 'content-type': 'application/json' }, body: { id: 'e1' } }]);
  });

  it('decodes answers with CRLF or LF line breaks, empty and non-JSON bodies, headers of any case, and refuses a part without a status line', () => {
    const part = (nl: string, id: string, status: string, head: string[], body: string) =>
      ['Content-Type: application/http', `Content-ID: <response-${id}>`, '', `HTTP/1.1 ${status}`, ...head, '', body].join(nl);
    for (const nl of ['\r\n', '\n']) {
      const text = [
        'preamble',
        `--b7${nl}${part(nl, 'op0', '200 OK', ['Content-Type: application/json; charset=UTF-8', 'ETag: "e1"'], '{"id":"e1","summary":"Été\\n--b"}')}`,
        `${nl}--b7${nl}${part(nl, 'op1', '204 No Content', [], '')}`,
        `${nl}--b7${nl}${part(nl, 'op2', '412 Precondition Failed', ['content-type: application/json'], '{"error":{"code":412}}')}`,
        `${nl}--b7${nl}${part(nl, 'op3', '500 Internal', ['Content-Type: text/plain'], 'oops: not json')}`,
        `${nl}--b7${nl}${part(nl, 'op4', '502 Bad Gateway', ['Content-Type: application/json'], '{not json')}`,
        `${nl}--b7--${nl}epilogue`,
      ].join('');
      expect(decodeBatch(text, 'multipart/mixed; boundary="b7"')).toEqual([
        { id: 'op0', status: 200, headers: { 'content-type': 'application/json; charset=UTF-8', etag: '"e1"' }, body: { id: 'e1', summary: 'Été\n--b' } },
        { id: 'op1', status: 204, headers: {}, body: '' },
        { id: 'op2', status: 412, headers: { 'content-type': 'application/json' }, body: { error: { code: 412 } } },
        { id: 'op3', status: 500, headers: { 'content-type': 'text/plain' }, body: 'oops: not json' },
        { id: 'op4', status: 502, headers: { 'content-type': 'application/json' }, body: '{not json' },
      ]);
    }
    expect(decodeBatch('no boundary here', 'multipart/mixed; boundary=zz')).toEqual([]);
    expect(() => decodeBatch('--zz\r\nContent-ID: <response-a>\r\n\r\nnot a status\r\n\r\n{}\r\n--zz--', 'multipart/mixed; boundary=zz')).toThrowError(/no HTTP status line/);
    expect(() => decodeBatch('', 'multipart/mixed')).toThrowError(/no multipart boundary/);
  });

  it('refuses empty, oversized and ambiguous batches', () => {
    expect(() => encodeBatch([])).toThrowError(/at least one call/);
    const many = Array.from({ length: 1001 }, (_, i): BatchCall => ({ id: `c${i}`, method: 'GET', path: '/x' }));
    expect(() => encodeBatch(many)).toThrowError(/at most 1000 calls \(got 1001\)/);
    expect(() => encodeBatch([{ id: 'a', method: 'GET', path: '/x' }, { id: 'a', method: 'GET', path: '/x' }])).toThrowError(/Duplicate batch call id "a"/);
  });

  it('sends inserts, an invalid call and a duplicate id in one request; answers come back in order', async () => {
    const cal = calendar({ version: 'v3', rootUrl: `${emu.url}/`, auth: Object.assign(new OAuth2Client(), { credentials: { access_token: token } }) as unknown as calendar_v3.Options['auth'] });
    const calendarId = (await cal.calendarList.list()).data.items!.find((c) => c.summary === 'Agenda CRM')!.id!;
    const path = `/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events`;
    const before = (await emu.stats()).total;
    const answers = await sendBatch({
      url: `${emu.url}/batch/calendar/v3`,
      accessToken: token,
      calls: [
        { id: 'ok-1', method: 'POST', path, body: event('Réunion équipe', '2027-01-05', 'crm1g0') },
        { id: 'bad', method: 'POST', path, body: { summary: 'sans dates' } },
        { id: 'ok-2', method: 'POST', path, body: event('Visite client', '2027-01-06') },
        { id: 'dup', method: 'POST', path, body: event('Réunion équipe (bis)', '2027-01-05', 'crm1g0') },
      ],
    });
    expect(answers.map((a) => [a.id, a.status])).toEqual([
      ['ok-1', 200],
      ['bad', 400],
      ['ok-2', 200],
      ['dup', 409],
    ]);
    expect(answers[0]!.body).toMatchObject({ id: 'crm1g0', summary: 'Réunion équipe' });
    const listed = (await cal.events.list({ calendarId })).data.items!.map((e) => e.summary).sort();
    expect(listed).toEqual(['Réunion équipe', 'Visite client']);
    expect((await emu.stats()).total - before).toBeGreaterThanOrEqual(2);
  });

  it('reports a refused batch with its status, for the caller to retry', async () => {
    await expect(sendBatch({ url: `${emu.url}/batch/calendar/v3`, accessToken: 'expired-or-wrong', calls: [{ id: 'x', method: 'GET', path: '/calendar/v3/users/me/calendarList' }] }).then(
      (answers) => answers[0]!.status,
    )).resolves.toBe(401);
  });
});

/**
 * Calendar batch requests ("Sending Batch Requests", Calendar API guides): one HTTP request
 * carrying up to 1,000 calls as `multipart/mixed`, each part an `application/http` request
 * with a `Content-ID`, answered in order with `Content-ID: <response-…>`. Written by hand
 * because the official Node client (@googleapis/calendar) has no batch support (BRIEF §7).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

export const MAX_BATCH_PARTS = 1000;

export interface BatchCall {
  /** Echoed back as the answer's id. */
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query under the API root, e.g. `/calendar/v3/calendars/x/events?sendUpdates=none`. */
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface BatchAnswer {
  id: string;
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the part was JSON, else the raw text (empty for 204). */
  body: unknown;
}

/**
 * The multipart body of `calls`. Built by appending to one string, not as an array of lines
 * joined at the end: for 100 PATCHes (~65 KB) that was ~1–5 ms in a fresh process against ~1 ms,
 * all of it before the batch can leave (bench/agenda.ts, 100 edits). Buffer parts per call were
 * no faster than one Buffer.from of the string (post()).
 */
export function encodeBatch(calls: readonly BatchCall[], boundary = `batch_${randomBytes(12).toString('hex')}`): { body: string; contentType: string } {
  if (calls.length === 0) throw new Error('A batch needs at least one call.');
  if (calls.length > MAX_BATCH_PARTS) throw new Error(`A batch holds at most ${MAX_BATCH_PARTS} calls (got ${calls.length}).`);
  const ids = new Set<string>();
  let body = '';
  for (const call of calls) {
    if (ids.has(call.id)) throw new Error(`Duplicate batch call id "${call.id}".`);
    if (!/^[\w.-]+$/.test(call.id)) throw new Error(`Batch call id "${call.id}" must be letters, digits, ".", "_" or "-".`);
    ids.add(call.id);
    const json = call.body === undefined ? null : JSON.stringify(call.body);
    body += `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <${call.id}>\r\n\r\n${call.method} ${call.path} HTTP/1.1\r\n`;
    if (call.headers) for (const [k, v] of Object.entries(call.headers)) body += `${k}: ${v}\r\n`;
    if (json !== null) body += `Content-Type: application/json; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\n`;
    body += `\r\n${json ?? ''}\r\n`;
  }
  body += `--${boundary}--\r\n`;
  return { body, contentType: `multipart/mixed; boundary=${boundary}` };
}

function boundaryOf(contentType: string): string {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  if (!b) throw new Error(`The batch answer has no multipart boundary (Content-Type: ${contentType}).`);
  return b;
}

/** Where the first blank line (CRLF or LF) at or after `from` ends, and where its head ends; -1s when there is none. */
function blankLine(text: string, from: number, to: number): { headEnd: number; restStart: number } {
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) {
    const j = text.charCodeAt(i + 1) === 13 ? i + 2 : i + 1;
    if (j < to && text.charCodeAt(j) === 10) return { headEnd: i > from && text.charCodeAt(i - 1) === 13 ? i - 1 : i, restStart: j + 1 };
  }
  return { headEnd: to, restStart: to };
}

/** Header lines of text[from, to) by lower-cased name (each line "Name: value"; others skipped). */
function headers(text: string, from: number, to: number, out: Record<string, string> = {}): Record<string, string> {
  let at = from;
  while (at < to) {
    let eol = text.indexOf('\n', at);
    if (eol < 0 || eol > to) eol = to;
    const colon = text.indexOf(':', at);
    if (colon > at && colon < eol) out[text.slice(at, colon).trim().toLowerCase()] = text.slice(colon + 1, eol).trim();
    at = eol + 1;
  }
  return out;
}

/**
 * Parses a batch answer; each part's id is its Content-ID without the `response-` prefix. Read
 * by index rather than by splitting and regular expressions: a 100-part answer (~90 KB) is decoded
 * after its last byte arrives, where nothing overlaps it, and the split-and-replace version cost
 * 1–6 ms there (copies of every part, regular expressions still cold in a fresh process) against
 * ~0.5 ms of JSON.parse (bench/agenda.ts, 100 edits). Same rules: parts end at the next boundary,
 * head and body split at the first blank line (CRLF or LF), one trailing line break dropped.
 */
export function decodeBatch(text: string, contentType: string): BatchAnswer[] {
  const delimiter = `--${boundaryOf(contentType)}`;
  const answers: BatchAnswer[] = [];
  for (let at = text.indexOf(delimiter); at >= 0; ) {
    let start = at + delimiter.length;
    if (text.startsWith('--', start)) break;
    const next = text.indexOf(delimiter, start);
    const end = next < 0 ? text.length : next;
    at = next;
    // The line break after the boundary.
    if (text.charCodeAt(start) === 13 && text.charCodeAt(start + 1) === 10) start += 2;
    else if (text.charCodeAt(start) === 10) start += 1;
    const outer = blankLine(text, start, end);
    const outerHeaders = headers(text, start, outer.headEnd);
    const id = (outerHeaders['content-id'] ?? '').replace(/^<|>$/g, '').replace(/^response-/, '');
    const inner = blankLine(text, outer.restStart, end);
    let eol = text.indexOf('\n', outer.restStart);
    if (eol < 0 || eol > inner.headEnd) eol = inner.headEnd;
    const statusLine = text.slice(outer.restStart, eol).replace(/\r$/, '');
    const status = Number(/^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine)?.[1]);
    if (!Number.isInteger(status)) throw new Error(`A batch answer part has no HTTP status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
    const partHeaders = headers(text, eol + 1, inner.headEnd);
    let bodyEnd = end;
    if (bodyEnd > inner.restStart && text.charCodeAt(bodyEnd - 1) === 10) bodyEnd -= bodyEnd - 1 > inner.restStart && text.charCodeAt(bodyEnd - 2) === 13 ? 2 : 1;
    const bodyText = inner.restStart < bodyEnd ? text.slice(inner.restStart, bodyEnd) : '';
    let body: unknown = bodyText;
    if ((partHeaders['content-type'] ?? '').includes('json') && bodyText.trim() !== '') {
      try {
        body = JSON.parse(bodyText);
      } catch {
        body = bodyText;
      }
    }
    answers.push({ id, status, headers: partHeaders, body });
  }
  return answers;
}

function errorReason(text: string): string | null {
  try {
    const reason = (JSON.parse(text) as { error?: { errors?: { reason?: unknown }[] } }).error?.errors?.[0]?.reason;
    return typeof reason === 'string' ? reason : null;
  } catch {
    return null;
  }
}

/** A batch's HTTP answer: status, the headers the caller reads, the body as text. */
interface RawAnswer {
  status: number;
  header(name: string): string | null;
  text: string;
}

/**
 * POSTs with node:http(s) and the global keep-alive agents. undici's fetch, used before, costs
 * ~1.5–2 ms more per request (its web streams and dispatch; measured locally on a 60 KB batch
 * and an 80 KB answer), and a 100-edit automatic run has only its one batch around which our own
 * work counts (bench/agenda.ts). Failures keep Node's network error codes (ECONNRESET, …), which
 * retry.ts reads; no answer within 5 minutes counts as a dropped connection (undici's own limit).
 */
function post(url: string, headers: Record<string, string>, body: string, signal: AbortSignal | undefined): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const target = new URL(url);
    const payload = Buffer.from(body, 'utf8');
    const req = (target.protocol === 'https:' ? https : http).request(
      target,
      { method: 'POST', headers: { ...headers, 'content-length': String(payload.length) }, signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const header = (name: string): string | null => {
            const v = res.headers[name];
            return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
          };
          resolve({ status: res.statusCode ?? 0, header, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.setTimeout(300_000, () => req.destroy(Object.assign(new Error('The batch request timed out.'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Sends one batch and returns the answers in the calls' order. Throws on a failure of the batch
 * itself (network, 401, 429/5xx of the whole request) with `status` (and Google's `reason`) set,
 * for the caller's retry. `fetch`, when given, is used instead of node:http (tests).
 */
export async function sendBatch(options: {
  url: string;
  accessToken: string;
  calls: readonly BatchCall[];
  fetch?: typeof fetch;
  signal?: AbortSignal;
}): Promise<BatchAnswer[]> {
  const { body, contentType } = encodeBatch(options.calls);
  const headers = { authorization: `Bearer ${options.accessToken}`, 'content-type': contentType };
  let res: RawAnswer;
  if (options.fetch) {
    const r = await options.fetch(options.url, { method: 'POST', headers, body, signal: options.signal });
    res = { status: r.status, header: (name) => r.headers.get(name), text: await r.text() };
  } else {
    res = await post(options.url, headers, body, options.signal);
  }
  const text = res.text;
  if (res.status < 200 || res.status > 299) {
    const error = new Error(`Batch request failed with HTTP ${res.status}.`) as Error & { status: number; retryAfter: string | null; reason: string | null };
    error.status = res.status;
    error.retryAfter = res.header('retry-after');
    // Google's reason tells a 403 rate limit (retry later) from a 403 refusal (don't).
    error.reason = errorReason(text);
    throw error;
  }
  const answers = decodeBatch(text, res.header('content-type') ?? '');
  const byId = new Map(answers.map((a) => [a.id, a]));
  return options.calls.map((c) => byId.get(c.id) ?? { id: c.id, status: 0, headers: {}, body: 'missing from the batch answer' });
}

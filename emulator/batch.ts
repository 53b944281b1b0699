/**
 * `POST /batch/calendar/v3`: multipart/mixed batches ("Sending Batch Requests", Calendar guides):
 * at most 1000 calls, each an `application/http` part, answered in order, each counted against
 * quota, `Content-ID: <x>` echoed as `Content-ID: <response-x>`. The outer Authorization header
 * applies to parts that carry none.
 */
import { STATUS_CODES } from 'node:http';
import type { EmuRequest, EmuResponse } from './context';
import { ApiError, badRequest } from './errors';
import type { Call, Route } from './http';
import { randomToken } from './state';

const MAX_PARTS = 1000;

interface Part {
  contentId: string | null;
  req: EmuRequest | null;
}

function splitHead(text: string): { head: string; body: string } {
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { head: text, body: '' };
  return { head: text.slice(0, m.index), body: text.slice(m.index + m[0].length) };
}

function headersOf(head: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function parseParts(body: string, boundary: string): Part[] {
  const delimiter = `--${boundary}`;
  const chunks = body.split(delimiter);
  const parts: Part[] = [];
  for (let i = 1; i < chunks.length; i++) {
    let chunk = chunks[i] as string;
    if (chunk.startsWith('--')) break; // closing delimiter
    chunk = chunk.replace(/^\r?\n/, '');
    const outer = splitHead(chunk);
    const outerHeaders = headersOf(outer.head);
    const contentId = outerHeaders['content-id'] ?? null;
    const inner = splitHead(outer.body.replace(/\r?\n$/, ''));
    const [requestLine, ...headerLines] = inner.head.split(/\r?\n/);
    const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/.exec((requestLine ?? '').trim());
    if (!m) {
      parts.push({ contentId, req: null });
      continue;
    }
    let url: URL;
    try {
      url = new URL(m[2] as string, 'http://127.0.0.1');
    } catch {
      parts.push({ contentId, req: null });
      continue;
    }
    const headers = headersOf(headerLines.join('\n'));
    const text = inner.body.replace(/\r?\n$/, '');
    parts.push({ contentId, req: { method: m[1] as string, path: url.pathname, query: url.searchParams, headers, body: Buffer.from(text, 'utf8') } });
  }
  return parts;
}

function partResponse(r: EmuResponse): string {
  const lines = [`HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? ''}`];
  for (const [k, v] of Object.entries(r.headers)) lines.push(`${k}: ${v}`);
  const body = typeof r.body === 'string' ? r.body : r.body.toString('utf8');
  lines.push(`content-length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

async function batch(c: Call): Promise<EmuResponse> {
  const type = c.req.headers['content-type'] ?? '';
  const m = /^multipart\/mixed\s*;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  if (!m) throw badRequest('Batch requests must be multipart/mixed with a boundary.', 'badContent');
  const boundary = (m[1] ?? m[2]) as string;
  const parts = parseParts(c.req.body.toString('utf8'), boundary);
  if (parts.length === 0) throw badRequest('The batch request contains no parts.', 'invalid');
  if (parts.length > MAX_PARTS) throw badRequest(`A batch request may contain at most ${MAX_PARTS} calls.`, 'tooManyParts');
  const outer = c.req.headers.authorization;
  const out: string[] = [];
  const resBoundary = `batch_${randomToken(12)}`;
  for (const p of parts) {
    let r: EmuResponse;
    if (!p.req) r = { status: 400, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify(new ApiError(400, 'invalid', 'Malformed batch part.').body()) };
    else if (!p.req.path.startsWith('/calendar/v3/')) {
      r = { status: 400, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify(new ApiError(400, 'invalid', 'Only Calendar API calls may be sent to /batch/calendar/v3.').body()) };
    } else r = await c.dispatch(p.req, outer);
    const id = p.contentId ? p.contentId.replace(/^<(.*)>$/, '$1') : null;
    out.push(`--${resBoundary}\r\nContent-Type: application/http\r\n${id !== null ? `Content-ID: <response-${id}>\r\n` : ''}\r\n${partResponse(r)}\r\n`);
  }
  out.push(`--${resBoundary}--\r\n`);
  return { status: 200, headers: { 'content-type': `multipart/mixed; boundary=${resBoundary}` }, body: out.join('') };
}

export const batchRoutes: Route[] = [{ method: 'POST', pattern: /^\/batch\/calendar\/v3$/, name: 'batch.calendar', api: 'batch', handler: batch }];

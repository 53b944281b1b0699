/**
 * Routing types and HTTP helpers shared by every API module.
 */
import type { ApiName, EmuRequest, EmuResponse, Emulator, QuotaBucket } from './context';
import { ApiError } from './errors';
import type { AccessTokenRec } from './state';

export interface Call {
  emu: Emulator;
  req: EmuRequest;
  params: string[];
  auth: AccessTokenRec | null;
  /** Dispatch a nested request (batch parts), counted like a top-level one. */
  dispatch: (req: EmuRequest, authHeader: string | undefined) => Promise<EmuResponse>;
}

export interface Route {
  method: string;
  pattern: RegExp;
  name: string;
  api: ApiName;
  /** Any one of these scopes grants access; absent → no bearer token needed. */
  scopes?: readonly string[];
  quota?: QuotaBucket;
  handler: (c: Call) => EmuResponse | Promise<EmuResponse>;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): EmuResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=UTF-8', ...headers },
    body: status === 204 || status === 304 ? '' : JSON.stringify(body, null, 2),
    ...(status === 204 || status === 304 ? {} : { value: body }),
  };
}

/**
 * Like json(200, body) for large answers (a 2,500-event page): the text is written by the front
 * once it has applied `fields` (Dispatcher.dispatch), not written whole and then cut down.
 */
export function jsonDeferred(body: unknown): EmuResponse {
  return { status: 200, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: '', value: body, deferred: true };
}

export function html(status: number, body: string, headers: Record<string, string> = {}): EmuResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body };
}

export function redirect(location: string): EmuResponse {
  return { status: 302, headers: { location, 'content-type': 'text/html; charset=utf-8' }, body: '' };
}

/**
 * The JSON body of an API call: absent → undefined; a non-JSON content type → 400 badContent;
 * malformed → 400 parseError (Calendar "Handle API errors").
 */
export function jsonBody(req: EmuRequest): unknown {
  if (req.body.length === 0) return undefined;
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type && !type.includes('json')) {
    throw new ApiError(400, 'badContent', `Unsupported content with type: ${type.split(';')[0]}`);
  }
  try {
    return JSON.parse(req.body.toString('utf8')) as unknown;
  } catch {
    throw new ApiError(400, 'parseError', 'Parse Error');
  }
}

export function formBody(req: EmuRequest): URLSearchParams {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const text = req.body.toString('utf8');
  if (type.includes('json')) {
    const out = new URLSearchParams();
    try {
      const obj = JSON.parse(text) as unknown;
      if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
        for (const [k, v] of Object.entries(obj)) if (typeof v === 'string') out.set(k, v);
      }
    } catch {
      /* treated as empty: the endpoint reports what is missing */
    }
    return out;
  }
  return new URLSearchParams(text);
}

export function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ApiError(400, 'invalidParameter', `Invalid boolean value for parameter '${name}': ${v}`, {
    location: name,
    locationType: 'parameter',
  });
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) {
    throw new ApiError(400, 'invalidParameter', `Invalid value '${v}'. Values must match the following regular expression: '-?\\d+'`, {
      location: name,
      locationType: 'parameter',
    });
  }
  return Number(v);
}

export function encodeToken(obj: unknown): string {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

export function decodeToken(tok: string): unknown {
  try {
    return JSON.parse(Buffer.from(tok, 'base64url').toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

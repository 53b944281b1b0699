/**
 * A listing page read from Google's raw answer (bytes), so that the next page can be asked for
 * BEFORE this one is decoded and parsed. The next request needs only `nextPageToken`, which
 * Google (and the emulator) writes before `items`, within the first few hundred bytes; decoding and
 * parsing a 2,500-event page (~1 MB) costs ~10–15 ms, which sat on the chain of round trips, each
 * of which must wait for the previous page's token (bench/agenda.ts, CPU profile of the pull).
 * No JSON library reads one top-level key of a document without parsing the whole, hence the
 * small scanner below; the whole page is still parsed (JSON.parse) and checked against it.
 */
import { CrmError } from '../../../../shared/errors';
import type { calendar_v3 } from '@googleapis/calendar';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const NEXT_PAGE_TOKEN = Buffer.from('nextPageToken');
const ITEMS = Buffer.from('items');

/** The message of a listing answer that is not a JSON object as Google sends it: nothing of the page is recorded. */
export const MALFORMED_PAGE = "Google's answer to the event listing is not valid (not the JSON object it sends): nothing of that page was recorded; the next sync lists again.";

function malformed(): CrmError {
  return new CrmError('CONFLICT', MALFORMED_PAGE);
}

/** The index just past the string starting at `start` (a quote), or -1 when it never ends. */
function endOfString(b: Uint8Array, start: number): number {
  for (let i = start + 1; i < b.length; i++) {
    const c = b[i]!;
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

function isKey(b: Uint8Array, start: number, end: number, key: Buffer): boolean {
  if (end - start - 2 !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (b[start + 1 + k] !== key[k]) return false;
  return true;
}

/**
 * The top-level `nextPageToken` of a listing answer, read without parsing the page: a string, or
 * null when the object has none; undefined when that cannot be told before `items` (or the bytes
 * are not an object) — the caller then parses the page first. Strings are skipped with their
 * escapes, and only keys of the outermost object count (an event's own properties may use any key).
 */
export function peekNextPageToken(b: Uint8Array): string | null | undefined {
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === QUOTE) {
      const end = endOfString(b, i);
      if (end < 0) return undefined;
      if (depth === 1 && expectKey) {
        if (isKey(b, i, end, ITEMS)) return undefined;
        if (isKey(b, i, end, NEXT_PAGE_TOKEN)) {
          let v = end;
          while (v < b.length && b[v] !== COLON) v++;
          v++;
          while (v < b.length && b[v] !== QUOTE) {
            // Not a string value: let the full parse say what it is.
            if (b[v] !== 0x20 && b[v] !== 0x0a && b[v] !== 0x0d && b[v] !== 0x09) return undefined;
            v++;
          }
          const vEnd = v < b.length ? endOfString(b, v) : -1;
          if (vEnd < 0) return undefined;
          try {
            return JSON.parse(Buffer.from(b.buffer, b.byteOffset + v, vEnd - v).toString('utf8')) as string;
          } catch {
            return undefined;
          }
        }
        expectKey = false;
      }
      i = end - 1;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      expectKey = depth === 1;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      if (depth <= 0) return depth === 0 ? null : undefined;
    } else if (c === COMMA && depth === 1) {
      expectKey = true;
    }
  }
  return undefined;
}

/**
 * The page, parsed and checked: a JSON object whose `items`, if any, is an array, and whose
 * `nextPageToken` is the one `peeked` read (if it read one). Anything else is refused with a clear
 * error before any of it is used.
 */
export function parseListPage(b: Uint8Array, peeked: string | null | undefined): calendar_v3.Schema$Events {
  let page: unknown;
  try {
    page = JSON.parse(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8'));
  } catch {
    throw malformed();
  }
  if (typeof page !== 'object' || page === null || Array.isArray(page)) throw malformed();
  const p = page as calendar_v3.Schema$Events;
  if (p.items !== undefined && p.items !== null && !Array.isArray(p.items)) throw malformed();
  if (p.nextPageToken !== undefined && p.nextPageToken !== null && typeof p.nextPageToken !== 'string') throw malformed();
  if (peeked !== undefined && (p.nextPageToken ?? null) !== peeked) throw malformed();
  return p;
}

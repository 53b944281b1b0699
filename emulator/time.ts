/**
 * Dates, RFC 3339 and IANA time zones with nothing but `Intl`.
 */

export interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

const fmtCache = new Map<string, Intl.DateTimeFormat>();

/**
 * Zones already found valid. Building an Intl.DateTimeFormat costs ~0.1 ms, and every event of a
 * listing is checked: 10,000 events took a second per page (bench/agenda.ts), which no Google
 * answer does. Only valid names are kept, so the set stays as small as the zones in use.
 */
const validZones = new Set<string>();

export function isValidTimeZone(tz: string): boolean {
  if (!tz || tz.length > 64) return false;
  if (validZones.has(tz)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    validZones.add(tz);
    return true;
  } catch {
    return false;
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    fmtCache.set(tz, f);
  }
  return f;
}

export function wallOf(ms: number, tz: string): Wall {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return { y: p.year ?? 1970, mo: p.month ?? 1, d: p.day ?? 1, h: (p.hour ?? 0) % 24, mi: p.minute ?? 0, s: p.second ?? 0 };
}

export function offsetMinutes(ms: number, tz: string): number {
  const w = wallOf(ms, tz);
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/** The instant at which the wall clock of `tz` shows `w` (the later one in a DST gap). */
export function zonedToUtc(w: Wall, tz: string): number {
  const guess = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  const off1 = offsetMinutes(guess, tz);
  let t = guess - off1 * 60000;
  const off2 = offsetMinutes(t, tz);
  if (off2 !== off1) t = guess - off2 * 60000;
  return t;
}

const pad = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0');

export function formatInZone(ms: number, tz: string): string {
  const w = wallOf(ms, tz);
  const off = offsetMinutes(ms, tz);
  const zone = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}${zone}`;
}

export function formatDate(w: { y: number; mo: number; d: number }): string {
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/;

/** `{wall, offsetMin}`; offsetMin is null when the string carries no offset. */
export function parseDateTime(s: string): { wall: Wall; offsetMin: number | null; ms: number | null } | null {
  const m = RFC3339.exec(s);
  if (!m) return null;
  const wall: Wall = { y: +m[1]!, mo: +m[2]!, d: +m[3]!, h: +m[4]!, mi: +m[5]!, s: +m[6]! };
  if (!validWall(wall)) return null;
  const frac = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
  const z = m[8];
  if (!z) return { wall, offsetMin: null, ms: null };
  const offsetMin = z.toUpperCase() === 'Z' ? 0 : (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(4, 6)));
  const ms = Date.UTC(wall.y, wall.mo - 1, wall.d, wall.h, wall.mi, wall.s) + frac - offsetMin * 60000;
  return { wall, offsetMin, ms };
}

function validWall(w: Wall): boolean {
  if (w.mo < 1 || w.mo > 12 || w.d < 1 || w.h > 23 || w.mi > 59 || w.s > 60) return false;
  return w.d <= daysInMonth(w.y, w.mo);
}

export function parseDate(s: string): { y: number; mo: number; d: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const w = { y: +m[1]!, mo: +m[2]!, d: +m[3]!, h: 0, mi: 0, s: 0 };
  return validWall(w) ? { y: w.y, mo: w.mo, d: w.d } : null;
}

export function daysInMonth(y: number, mo: number): number {
  return new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/** Day number since the epoch of a calendar date (for date arithmetic without zones). */
export function dayNumber(y: number, mo: number, d: number): number {
  return Math.floor(Date.UTC(y, mo - 1, d) / 86400000);
}

export function fromDayNumber(n: number): { y: number; mo: number; d: number } {
  const dt = new Date(n * 86400000);
  return { y: dt.getUTCFullYear(), mo: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
}

/** 0 = Monday … 6 = Sunday */
export function weekdayOf(dayNum: number): number {
  return (((dayNum + 3) % 7) + 7) % 7;
}

/**
 * Calendar API v3: calendarList, calendars, colors and events (with recurrence and sync).
 * Sources: the Calendar API reference ("Events", "Events: list", "Events: insert", "Events: patch",
 * "Events: instances", "Colors"), the guides "Synchronize resources efficiently", "Extended
 * properties", "Handle API errors", "Create events" (conferenceData), and BRIEF §7.
 */
import { createHash } from 'node:crypto';
import type { Emulator, EmuResponse } from './context';
import { ApiError, badRequest, notFound, required } from './errors';
import { boolParam, intParam, json, jsonBody, jsonDeferred } from './http';
import type { Call, Route } from './http';
import { SCOPES } from './oauth';
import { RecurrenceError, expand, parseRecurrence, validateRecurrenceDates } from './rrule';
import { signToken, verifyToken } from './signed';
import { isObject, randomEventId, rfc3339 } from './state';
import type { AccessTokenRec, CalendarRec, EventRec, Json, JsonObject, State } from './state';
import { dayNumber, formatDate, formatInZone, fromDayNumber, isValidTimeZone, parseDate, parseDateTime, wallOf, zonedToUtc } from './time';
import type { Wall } from './time';

const READ = [SCOPES.calendar, SCOPES.calendarReadonly, SCOPES.calendarEvents, SCOPES.calendarEventsReadonly];
const WRITE = [SCOPES.calendar, SCOPES.calendarEvents];
const LIST_READ = [SCOPES.calendar, SCOPES.calendarReadonly];

/** "Colors: get" — the real palettes. Event colours: BRIEF §7. */
export const EVENT_COLORS: Record<string, string> = {
  '1': '#a4bdfc', '2': '#7ae7bf', '3': '#dbadff', '4': '#ff887c', '5': '#fbd75b', '6': '#ffb878',
  '7': '#46d6db', '8': '#e1e1e1', '9': '#5484ed', '10': '#51b749', '11': '#dc2127',
};
export const CALENDAR_COLORS: Record<string, string> = {
  '1': '#ac725e', '2': '#d06b64', '3': '#f83a22', '4': '#fa573c', '5': '#ff7537', '6': '#ffad46',
  '7': '#42d692', '8': '#16a765', '9': '#7bd148', '10': '#b3dc6c', '11': '#fbe983', '12': '#fad165',
  '13': '#92e1c0', '14': '#9fe1e7', '15': '#9fc6e7', '16': '#4986e7', '17': '#9a9cff', '18': '#b99aff',
  '19': '#c2c2c2', '20': '#cabdbf', '21': '#cca6ac', '22': '#f691b2', '23': '#cd74e6', '24': '#a47ae2',
};

const DEFAULT_REMINDERS = [{ method: 'popup', minutes: 10 }];
const MAX_PAGE = 2500;
const DEFAULT_PAGE = 250;
const MAX_INSTANCES = 1000;

// ---------------------------------------------------------------- calendars

function calendarFor(c: Call, rawId: string): CalendarRec {
  const auth = c.auth as AccessTokenRec;
  const id = rawId === 'primary' ? auth.email : rawId;
  const cal = c.emu.state.calendars[id];
  if (!cal || cal.owner !== auth.email) throw notFound();
  return cal;
}

function calendarEtag(cal: CalendarRec): string {
  return `"${cal.etagSeq}"`;
}

function listEntry(cal: CalendarRec): JsonObject {
  return {
    kind: 'calendar#calendarListEntry',
    etag: calendarEtag(cal),
    id: cal.id,
    summary: cal.summary,
    ...(cal.description ? { description: cal.description } : {}),
    timeZone: cal.timeZone,
    colorId: cal.colorId,
    backgroundColor: CALENDAR_COLORS[cal.colorId] ?? '#9fe1e7',
    foregroundColor: '#000000',
    selected: true,
    accessRole: 'owner',
    defaultReminders: cal.primary ? DEFAULT_REMINDERS : [],
    ...(cal.primary ? { primary: true, notificationSettings: { notifications: [] } } : {}),
    conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
  };
}

function calendarResource(cal: CalendarRec): JsonObject {
  return {
    kind: 'calendar#calendar',
    etag: calendarEtag(cal),
    id: cal.id,
    summary: cal.summary,
    ...(cal.description ? { description: cal.description } : {}),
    timeZone: cal.timeZone,
    conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
  };
}

function calendarList(c: Call): EmuResponse {
  const auth = c.auth as AccessTokenRec;
  const account = c.emu.state.accounts[auth.email];
  const items = (account?.calendars ?? []).map((id) => c.emu.state.calendars[id]).filter((x): x is CalendarRec => !!x).map(listEntry);
  return json(200, { kind: 'calendar#calendarList', etag: `"${c.emu.state.seq}"`, nextSyncToken: signToken(c.emu, { k: 'cl', s: c.emu.state.seq }), items });
}

function calendarListGet(c: Call): EmuResponse {
  return json(200, listEntry(calendarFor(c, c.params[0] ?? '')));
}

function calendarsGet(c: Call): EmuResponse {
  return json(200, calendarResource(calendarFor(c, c.params[0] ?? '')));
}

function colorsGet(_c: Call): EmuResponse {
  const pal = (src: Record<string, string>): JsonObject =>
    Object.fromEntries(Object.entries(src).map(([k, v]) => [k, { background: v, foreground: '#1d1d1d' }]));
  return json(200, { kind: 'calendar#colors', updated: '2012-02-14T00:00:00.000Z', calendar: pal(CALENDAR_COLORS), event: pal(EVENT_COLORS) });
}

// ---------------------------------------------------------------- event validation

interface When {
  allDay: boolean;
  /** Start instant (all-day: midnight in the zone). */
  ms: number;
  wall: Wall;
  tz: string;
  out: JsonObject;
}

function parseWhen(v: unknown, which: 'start' | 'end', calTz: string): When {
  if (!isObject(v)) throw required(`Missing ${which} time.`);
  const tzIn = v.timeZone;
  if (tzIn !== undefined && tzIn !== null && (typeof tzIn !== 'string' || !isValidTimeZone(tzIn))) {
    throw badRequest(`Invalid time zone definition for ${which} time.`, 'invalid');
  }
  const tz = typeof tzIn === 'string' ? tzIn : calTz;
  if (typeof v.date === 'string' && v.dateTime === undefined) {
    const d = parseDate(v.date);
    if (!d) throw badRequest(`Invalid value for: Invalid format: "${v.date}"`, 'invalid');
    const wall = { ...d, h: 0, mi: 0, s: 0 };
    return { allDay: true, ms: zonedToUtc(wall, tz), wall, tz, out: { date: v.date } };
  }
  if (typeof v.dateTime === 'string' && (v.date === undefined || v.date === null)) {
    const p = parseDateTime(v.dateTime);
    if (!p) throw badRequest(`Invalid value for: Invalid format: "${v.dateTime}"`, 'invalid');
    if (p.ms === null && typeof tzIn !== 'string') throw required(`Missing time zone definition for ${which} time.`);
    const ms = p.ms ?? zonedToUtc(p.wall, tz);
    const out: JsonObject = { dateTime: formatInZone(ms, tz) };
    if (typeof tzIn === 'string') out.timeZone = tzIn;
    return { allDay: false, ms, wall: wallOf(ms, tz), tz, out };
  }
  if (v.date !== undefined && v.dateTime !== undefined) throw badRequest(`Invalid ${which} time: date and dateTime are exclusive.`, 'invalid');
  throw required(`Missing ${which} time.`);
}

/**
 * parseWhen's instant alone, without the formatted output it also builds (three Intl calls per
 * time): the same checks, the same ms, and a throw where parseWhen throws.
 */
function whenMs(v: unknown, calTz: string): number {
  if (!isObject(v)) throw new Error('no time');
  const tzIn = v.timeZone;
  if (tzIn !== undefined && tzIn !== null && (typeof tzIn !== 'string' || !isValidTimeZone(tzIn))) throw new Error('bad zone');
  const tz = typeof tzIn === 'string' ? tzIn : calTz;
  if (typeof v.date === 'string' && v.dateTime === undefined) {
    const d = parseDate(v.date);
    if (!d) throw new Error('bad date');
    return zonedToUtc({ ...d, h: 0, mi: 0, s: 0 }, tz);
  }
  if (typeof v.dateTime === 'string' && (v.date === undefined || v.date === null)) {
    const p = parseDateTime(v.dateTime);
    if (!p) throw new Error('bad dateTime');
    if (p.ms === null && typeof tzIn !== 'string') throw new Error('no zone');
    return p.ms ?? zonedToUtc(p.wall, tz);
  }
  throw new Error('no time');
}

function str(body: Record<string, unknown>, key: string, max = 8192): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`Invalid value for: ${key}`, 'invalid');
  if (v.length > max) throw badRequest(`The value of ${key} is too long.`, 'invalid');
  return v;
}

function enumField(body: Record<string, unknown>, key: string, allowed: string[]): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v)) throw badRequest(`Invalid value for: ${key}`, 'invalid');
  return v;
}

/** Reminders: "Events" reference — ≤ 5 overrides, minutes 0–40320, method email|popup. */
function parseReminders(v: unknown): JsonObject {
  if (v === undefined || v === null) return { useDefault: true };
  if (!isObject(v)) throw badRequest('Invalid value for: reminders', 'invalid');
  const useDefault = v.useDefault === undefined ? false : v.useDefault;
  if (typeof useDefault !== 'boolean') throw badRequest('Invalid value for: reminders.useDefault', 'invalid');
  const overrides = v.overrides ?? [];
  if (!Array.isArray(overrides)) throw badRequest('Invalid value for: reminders.overrides', 'invalid');
  if (useDefault && overrides.length > 0) {
    throw badRequest('Cannot specify both default reminders and overrides at the same time.', 'cannotUseDefaultRemindersAndSpecifyOverride');
  }
  if (overrides.length > 5) throw badRequest('The maximum number of override reminders is 5.', 'tooManyReminders');
  const out: Json[] = overrides.map((o: unknown) => {
    if (!isObject(o)) throw badRequest('Invalid reminder.', 'invalid');
    if (o.method !== 'popup' && o.method !== 'email') throw required('Missing or invalid reminder method.');
    if (typeof o.minutes !== 'number' || !Number.isInteger(o.minutes) || o.minutes < 0 || o.minutes > 40320) {
      throw badRequest('Invalid reminder minutes value: must be between 0 and 40320.', 'invalid');
    }
    return { method: o.method, minutes: o.minutes };
  });
  return overrides.length > 0 || !useDefault ? { useDefault: false, ...(out.length ? { overrides: out } : {}) } : { useDefault: true };
}

/** "Extended properties" guide: longer keys (> 44) are dropped, longer values (> 1024) truncated. */
function parseExtended(v: unknown): JsonObject | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw badRequest('Invalid value for: extendedProperties', 'invalid');
  const out: JsonObject = {};
  for (const scope of ['private', 'shared'] as const) {
    const m = v[scope];
    if (m === undefined || m === null) continue;
    if (!isObject(m)) throw badRequest(`Invalid value for: extendedProperties.${scope}`, 'invalid');
    const props: JsonObject = {};
    for (const [k, val] of Object.entries(m)) {
      if (val === null) continue;
      if (typeof val !== 'string') throw badRequest(`Invalid value for: extendedProperties.${scope}.${k}`, 'invalid');
      if (k.length > 44 || k.length === 0) continue;
      props[k] = val.slice(0, 1024);
    }
    if (Object.keys(props).length) out[scope] = props;
  }
  return Object.keys(out).length ? out : undefined;
}

function meetCode(seed: string): string {
  const h = createHash('sha256').update(seed).digest();
  const letters = [...h.subarray(0, 10)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
  return `${letters.slice(0, 3)}-${letters.slice(3, 7)}-${letters.slice(7, 10)}`;
}

/** "Create events" → conferenceData with conferenceDataVersion=1 and a createRequest. */
function parseConference(v: unknown, version: number, existing: Json | undefined, eventId: string): JsonObject | undefined {
  if (version < 1) return isObject(existing) ? (existing as JsonObject) : undefined;
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw badRequest('Invalid value for: conferenceData', 'invalid');
  const cr = v.createRequest;
  if (isObject(cr)) {
    if (isObject(existing) && isObject(existing.createRequest) && existing.createRequest.requestId === cr.requestId) return existing as JsonObject;
    const type = isObject(cr.conferenceSolutionKey) ? cr.conferenceSolutionKey.type : undefined;
    if (type !== 'hangoutsMeet') throw badRequest('Invalid conference type value.', 'invalid');
    if (typeof cr.requestId !== 'string' || !cr.requestId) throw required('Missing conferenceData.createRequest.requestId.');
    const code = meetCode(`${eventId}:${cr.requestId}`);
    return {
      createRequest: { requestId: cr.requestId, conferenceSolutionKey: { type: 'hangoutsMeet' }, status: { statusCode: 'success' } },
      entryPoints: [{ entryPointType: 'video', uri: `https://meet.google.com/${code}`, label: `meet.google.com/${code}` }],
      conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet', iconUri: 'https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png' },
      conferenceId: code,
    };
  }
  return JSON.parse(JSON.stringify(v)) as JsonObject;
}

const PASSTHROUGH = ['attendees', 'source', 'guestsCanModify', 'guestsCanInviteOthers', 'guestsCanSeeOtherGuests', 'anyoneCanAddSelf', 'locked', 'attachments'] as const;

/** Only base32hex (a-v, 0-9), 5–1024 characters ("Events: insert", id). */
export function validEventId(id: string): boolean {
  return /^[a-v0-9]{5,1024}$/.test(id);
}

interface BuildCtx {
  emu: Emulator;
  cal: CalendarRec;
  id: string;
  existing: JsonObject | null;
  conferenceDataVersion: number;
}

function buildEvent(input: unknown, b: BuildCtx): JsonObject {
  if (!isObject(input)) throw required('Missing event resource.');
  const start = parseWhen(input.start, 'start', b.cal.timeZone);
  const end = parseWhen(input.end, 'end', b.cal.timeZone);
  if (start.allDay !== end.allDay) throw badRequest('Start and end times must either both be date or both be dateTime.', 'invalid');
  const endMs = end.allDay ? dayNumber(end.wall.y, end.wall.mo, end.wall.d) : end.ms;
  const startMs = start.allDay ? dayNumber(start.wall.y, start.wall.mo, start.wall.d) : start.ms;
  // All-day ends are exclusive: the end date must be after the start date.
  if (endMs < startMs || (start.allDay && endMs === startMs)) throw badRequest('The specified time range is empty.', 'timeRangeEmpty');
  let recurrence: string[] | undefined;
  if (input.recurrence !== undefined && input.recurrence !== null) {
    if (!Array.isArray(input.recurrence) || !input.recurrence.every((l) => typeof l === 'string')) throw badRequest('Invalid value for: recurrence', 'invalid');
    recurrence = input.recurrence as string[];
    if (recurrence.length > 0) {
      if (!start.allDay && !(isObject(input.start) && typeof input.start.timeZone === 'string')) {
        throw required('Missing time zone definition for start time.'); // recurring events need start.timeZone
      }
      try {
        validateRecurrenceDates(parseRecurrence(recurrence), start.tz, start.allDay);
      } catch (e) {
        if (e instanceof RecurrenceError) throw badRequest(`Invalid recurrence rule: ${e.message}`, 'invalid');
        throw e;
      }
    } else recurrence = undefined;
  }
  const colorId = input.colorId;
  if (colorId !== undefined && colorId !== null && (typeof colorId !== 'string' || !EVENT_COLORS[colorId])) {
    throw badRequest('Invalid value for: colorId', 'invalid');
  }
  const now = rfc3339(b.emu.now());
  const ex = b.existing;
  const email = b.cal.owner;
  const ev: JsonObject = {
    kind: 'calendar#event',
    id: b.id,
    status: enumField(input, 'status', ['confirmed', 'tentative', 'cancelled']) ?? 'confirmed',
    htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${b.id} ${b.cal.id}`).toString('base64url')}`,
    created: (ex?.created as string | undefined) ?? now,
    updated: now,
  };
  for (const k of ['summary', 'description', 'location'] as const) {
    const v = str(input, k);
    if (v !== undefined) ev[k] = v;
  }
  if (typeof colorId === 'string') ev.colorId = colorId;
  ev.creator = (ex?.creator as Json | undefined) ?? { email, self: true };
  ev.organizer = (ex?.organizer as Json | undefined) ?? { email, displayName: b.cal.summary, self: true };
  ev.start = start.out;
  ev.end = end.out;
  if (recurrence) ev.recurrence = recurrence;
  for (const k of ['recurringEventId', 'originalStartTime'] as const) if (ex?.[k] !== undefined) ev[k] = ex[k] as Json;
  const transparency = enumField(input, 'transparency', ['opaque', 'transparent']);
  if (transparency === 'transparent') ev.transparency = transparency; // "opaque" is the default and omitted
  const visibility = enumField(input, 'visibility', ['default', 'public', 'private', 'confidential']);
  if (visibility && visibility !== 'default') ev.visibility = visibility;
  ev.iCalUID = (ex?.iCalUID as string | undefined) ?? (typeof input.iCalUID === 'string' ? input.iCalUID : `${b.id}@google.com`);
  const seqChanged = ex && (JSON.stringify(ex.start) !== JSON.stringify(ev.start) || JSON.stringify(ex.end) !== JSON.stringify(ev.end));
  ev.sequence = typeof ex?.sequence === 'number' ? ex.sequence + (seqChanged ? 1 : 0) : 0;
  for (const k of PASSTHROUGH) if (input[k] !== undefined && input[k] !== null) ev[k] = JSON.parse(JSON.stringify(input[k])) as Json;
  if (Array.isArray(ev.attendees)) {
    ev.attendees = (ev.attendees as Json[]).map((a) => {
      if (!isObject(a) || typeof a.email !== 'string') throw required('Missing attendee email.');
      return { responseStatus: 'needsAction', ...(a as JsonObject) };
    });
  }
  const ext = parseExtended(input.extendedProperties);
  if (ext) ev.extendedProperties = ext;
  const conf = parseConference(input.conferenceData, b.conferenceDataVersion, ex?.conferenceData, b.id);
  if (conf) {
    ev.conferenceData = conf;
    const video = Array.isArray(conf.entryPoints) ? conf.entryPoints.find((e) => isObject(e) && e.entryPointType === 'video') : undefined;
    if (isObject(video) && typeof video.uri === 'string' && video.uri.startsWith('https://meet.google.com/')) ev.hangoutLink = video.uri;
  }
  ev.reminders = parseReminders(input.reminders);
  ev.eventType = 'default';
  return ev;
}

// ---------------------------------------------------------------- storage helpers

function eventsOf(emu: Emulator, calId: string): Record<string, EventRec> {
  return (emu.state.events[calId] ??= {});
}

function present(rec: EventRec): JsonObject {
  const { kind: _k, ...rest } = rec.data;
  return { kind: 'calendar#event', etag: `"${rec.seq}"`, ...rest };
}

/** A cancelled event as returned to an incremental sync: only the id is guaranteed. */
function tombstone(rec: EventRec): JsonObject {
  const out: JsonObject = { kind: 'calendar#event', etag: `"${rec.seq}"`, id: rec.data.id as string, status: 'cancelled' };
  if (rec.data.recurringEventId) out.recurringEventId = rec.data.recurringEventId;
  if (rec.data.originalStartTime) out.originalStartTime = rec.data.originalStartTime;
  return out;
}

function checkIfMatch(c: Call, rec: EventRec): void {
  const ifMatch = c.req.headers['if-match'];
  if (ifMatch && ifMatch !== '*' && ifMatch !== `"${rec.seq}"`) {
    throw new ApiError(412, 'conditionNotMet', 'Precondition Failed', { location: 'If-Match', locationType: 'header' });
  }
}

function save(emu: Emulator, calId: string, id: string, data: JsonObject, prev: EventRec | undefined): EventRec {
  const rec: EventRec = { calendarId: calId, data, seq: emu.nextSeq(), order: prev?.order ?? emu.nextOrder() };
  eventsOf(emu, calId)[id] = rec;
  emu.changed();
  return rec;
}

// ---------------------------------------------------------------- recurrence

interface Occurrence {
  id: string;
  startKey: number;
  data: JsonObject;
}

function instanceSuffix(start: JsonObject): string {
  if (typeof start.date === 'string') return start.date.replace(/-/g, '');
  const p = parseDateTime(String(start.dateTime));
  const ms = p?.ms ?? 0;
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Expand a recurring master into its instances (exceptions applied) up to `untilMs`. */
function occurrences(emu: Emulator, cal: CalendarRec, master: EventRec, untilArg: number | null, includeCancelled: boolean): { occ: Occurrence; rec: EventRec | null }[] {
  const d = master.data;
  const start = d.start as JsonObject;
  const end = d.end as JsonObject;
  const allDay = typeof start.date === 'string';
  const tz = (typeof start.timeZone === 'string' ? start.timeZone : cal.timeZone) as string;
  const s = parseWhen(start, 'start', tz);
  const e = parseWhen(end, 'end', tz);
  const durMs = e.ms - s.ms;
  const durDays = dayNumber(e.wall.y, e.wall.mo, e.wall.d) - dayNumber(s.wall.y, s.wall.mo, s.wall.d);
  // Without timeMax, unbounded series are expanded two years past now (or past their start).
  const untilMs = untilArg ?? Math.max(emu.now(), s.ms) + 2 * 365 * 86400000;
  let keys: number[];
  try {
    keys = expand({ start: s.wall, allDay, tz, recurrence: parseRecurrence((d.recurrence as string[]) ?? []), endMs: untilMs, max: MAX_INSTANCES });
  } catch {
    keys = [allDay ? dayNumber(s.wall.y, s.wall.mo, s.wall.d) : s.ms];
  }
  const store = eventsOf(emu, cal.id);
  const out: { occ: Occurrence; rec: EventRec | null }[] = [];
  for (const key of keys) {
    let st: JsonObject;
    let en: JsonObject;
    if (allDay) {
      st = { date: formatDate(fromDayNumber(key)) };
      en = { date: formatDate(fromDayNumber(key + durDays)) };
    } else {
      st = { dateTime: formatInZone(key, tz), timeZone: tz };
      en = { dateTime: formatInZone(key + durMs, tz), ...(typeof end.timeZone === 'string' ? { timeZone: end.timeZone } : { timeZone: tz }) };
    }
    const id = `${d.id as string}_${instanceSuffix(st)}`;
    const exception = store[id];
    if (exception) {
      if (exception.data.status === 'cancelled' && !includeCancelled) continue;
      out.push({ occ: { id, startKey: key, data: exception.data }, rec: exception });
      continue;
    }
    const { recurrence: _r, ...rest } = d;
    out.push({
      occ: { id, startKey: key, data: { ...rest, id, start: st, end: en, recurringEventId: d.id as string, originalStartTime: st } },
      rec: null,
    });
  }
  return out;
}

function presentOcc(master: EventRec, o: { occ: Occurrence; rec: EventRec | null }): JsonObject {
  if (o.rec) return present(o.rec);
  const { kind: _k, ...rest } = o.occ.data;
  return { kind: 'calendar#event', etag: `"${master.seq}"`, ...rest };
}

/** Find an event by id: stored, or a not-yet-materialised instance of a recurring event. */
function findEvent(emu: Emulator, cal: CalendarRec, id: string): { rec: EventRec | null; data: JsonObject; master: EventRec | null } | null {
  const store = eventsOf(emu, cal.id);
  const rec = store[id];
  if (rec) return { rec, data: rec.data, master: null };
  const m = /^(.+)_(\d{8}(?:T\d{6}Z)?)$/.exec(id);
  if (!m) return null;
  const master = store[m[1]!];
  if (!master || !master.data.recurrence || master.data.status === 'cancelled') return null;
  const suffix = m[2]!;
  const y = +suffix.slice(0, 4), mo = +suffix.slice(4, 6), d = +suffix.slice(6, 8);
  const until = suffix.length > 8 ? Date.UTC(y, mo - 1, d, +suffix.slice(9, 11), +suffix.slice(11, 13), +suffix.slice(13, 15)) + 1 : Date.UTC(y, mo - 1, d) + 2 * 86400000;
  const occ = occurrences(emu, cal, master, until, true).find((o) => o.occ.id === id);
  if (!occ) return null;
  return { rec: null, data: occ.occ.data, master };
}

// ---------------------------------------------------------------- handlers

function cdv(c: Call): number {
  const v = intParam(c.req.query, 'conferenceDataVersion') ?? 0;
  if (v < 0 || v > 1) throw badRequest(`Invalid conferenceDataVersion: ${v}`, 'invalid');
  return v;
}

function eventsInsert(c: Call): EmuResponse {
  const cal = calendarFor(c, c.params[0] ?? '');
  const body = jsonBody(c.req);
  if (!isObject(body)) throw required('Missing event resource.');
  let id = randomEventId();
  if (body.id !== undefined && body.id !== null) {
    if (typeof body.id !== 'string' || !validEventId(body.id)) throw badRequest('Invalid resource id value.', 'invalid');
    id = body.id;
    if (eventsOf(c.emu, cal.id)[id]) throw new ApiError(409, 'duplicate', 'The requested identifier already exists.');
  }
  const data = buildEvent(body, { emu: c.emu, cal, id, existing: null, conferenceDataVersion: cdv(c) });
  return json(200, present(save(c.emu, cal.id, id, data, undefined)));
}

function eventsGet(c: Call): EmuResponse {
  const cal = calendarFor(c, c.params[0] ?? '');
  const found = findEvent(c.emu, cal, c.params[1] ?? '');
  if (!found) throw notFound();
  const etag = `"${(found.rec ?? found.master)?.seq}"`;
  if (c.req.headers['if-none-match'] === etag) return { status: 304, headers: { etag }, body: '' };
  const out = found.rec ? present(found.rec) : { kind: 'calendar#event', etag, ...found.data };
  return json(200, out, { etag });
}

/** Deep merge for PATCH: objects merge (extendedProperties per key), arrays and times replace. */
function mergePatch(base: JsonObject, patch: Record<string, unknown>): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (k === 'extendedProperties' && isObject(v) && isObject(base[k])) {
      const cur = base[k] as JsonObject;
      const merged: JsonObject = { ...cur };
      for (const scope of ['private', 'shared']) {
        const pv = v[scope];
        if (pv === null) delete merged[scope];
        else if (isObject(pv)) merged[scope] = { ...(isObject(cur[scope]) ? (cur[scope] as JsonObject) : {}), ...(pv as JsonObject) };
      }
      out[k] = merged;
    } else if (isObject(v) && isObject(base[k]) && (k === 'reminders' || k === 'source')) {
      out[k] = { ...(base[k] as JsonObject), ...(v as JsonObject) };
    } else out[k] = v as Json;
  }
  return out;
}

function writeEvent(c: Call, mode: 'update' | 'patch'): EmuResponse {
  const cal = calendarFor(c, c.params[0] ?? '');
  const id = c.params[1] ?? '';
  const found = findEvent(c.emu, cal, id);
  if (!found) throw notFound();
  if (found.rec) checkIfMatch(c, found.rec);
  else if (found.master) checkIfMatch(c, found.master);
  const body = jsonBody(c.req);
  if (!isObject(body)) throw required('Missing event resource.');
  const base = found.data;
  const input = mode === 'patch' ? mergePatch(base, body) : { ...body };
  if (mode === 'update' && base.recurringEventId) {
    input.recurringEventId = base.recurringEventId;
  }
  if (input.reminders === undefined && mode === 'update') delete input.reminders;
  const data = buildEvent(input, { emu: c.emu, cal, id, existing: base, conferenceDataVersion: cdv(c) });
  if (base.recurringEventId) {
    data.recurringEventId = base.recurringEventId;
    data.originalStartTime = base.originalStartTime as Json;
    delete data.recurrence;
  }
  return json(200, present(save(c.emu, cal.id, id, data, found.rec ?? undefined)));
}

function eventsDelete(c: Call): EmuResponse {
  const cal = calendarFor(c, c.params[0] ?? '');
  const id = c.params[1] ?? '';
  const found = findEvent(c.emu, cal, id);
  if (!found) throw notFound();
  if (found.rec) checkIfMatch(c, found.rec);
  if (found.data.status === 'cancelled') throw new ApiError(410, 'deleted', 'Resource has been deleted');
  const data: JsonObject = { ...found.data, status: 'cancelled', updated: rfc3339(c.emu.now()) };
  save(c.emu, cal.id, id, data, found.rec ?? undefined);
  // Deleting a recurring series cancels its stored exceptions too.
  if (found.data.recurrence) {
    for (const [eid, rec] of Object.entries(eventsOf(c.emu, cal.id))) {
      if (rec.data.recurringEventId === id && rec.data.status !== 'cancelled') save(c.emu, cal.id, eid, { ...rec.data, status: 'cancelled' }, rec);
    }
  }
  return { status: 204, headers: {}, body: '' };
}

// ---------------------------------------------------------------- list & sync

const SYNC_INCOMPATIBLE = ['timeMin', 'timeMax', 'orderBy', 'q', 'iCalUID', 'updatedMin', 'privateExtendedProperty', 'sharedExtendedProperty'];

function timeParam(q: URLSearchParams, name: string): number | null {
  const v = q.get(name);
  if (v === null) return null;
  const p = parseDateTime(v);
  if (!p || p.ms === null) throw badRequest(`Bad Request: ${name} must be an RFC3339 timestamp with a time zone offset.`, 'badRequest', { location: name, locationType: 'parameter' });
  return p.ms;
}

function pageSize(q: URLSearchParams): number {
  const n = intParam(q, 'maxResults');
  if (n === undefined) return DEFAULT_PAGE;
  if (n < 1) throw badRequest(`Invalid value '${n}'. Values must be within the range: [1, 2500]`, 'invalidParameter', { location: 'maxResults', locationType: 'parameter' });
  return Math.min(n, MAX_PAGE); // "The page size can never be larger than 2500 events."
}

function extendedFilters(q: URLSearchParams, name: string): [string, string][] {
  return q.getAll(name).map((f) => {
    const i = f.indexOf('=');
    if (i <= 0) throw badRequest(`Invalid ${name} value: ${f}. Expected propertyName=value.`, 'invalid', { location: name, locationType: 'parameter' });
    return [f.slice(0, i), f.slice(i + 1)];
  });
}

/**
 * An event's [start, end) in ms, kept per stored event body: bodies are never changed once saved
 * (a write saves a new one), and a listing needs every event's range, page after page. Keyed by
 * the calendar's zone too, which all-day and zone-less times depend on.
 */
const ranges = new WeakMap<JsonObject, { tz: string; range: [number, number] }>();

function eventRange(cal: CalendarRec, data: JsonObject): [number, number] {
  const known = ranges.get(data);
  if (known && known.tz === cal.timeZone) return known.range;
  let range: [number, number];
  try {
    range = [whenMs(data.start, cal.timeZone), whenMs(data.end, cal.timeZone)];
  } catch {
    range = [0, 0];
  }
  ranges.set(data, { tz: cal.timeZone, range });
  return range;
}

function matchesText(data: JsonObject, q: string): boolean {
  const hay = [data.summary, data.description, data.location, ...(Array.isArray(data.attendees) ? data.attendees.map((a) => (isObject(a) ? a.email : '')) : [])]
    .filter((x) => typeof x === 'string')
    .join(' ')
    .toLowerCase();
  return q.toLowerCase().split(/\s+/).filter(Boolean).every((w) => hay.includes(w));
}

function fingerprint(q: URLSearchParams, cal: string): string {
  const entries = [...q.entries()].filter(([k]) => k !== 'pageToken' && k !== 'maxResults').sort();
  return createHash('sha256').update(cal + JSON.stringify(entries)).digest('base64url').slice(0, 16);
}

interface Item {
  data: JsonObject;
  /** The event as answered; made only for the items of the page (a page of 2,500 out of 10,000 presents 2,500). */
  out: () => JsonObject;
  order: number;
  sortStart: number;
  updated: string;
}

/**
 * The last listing's matching events, sorted, kept while nothing changes (same state, no write
 * since: `seq`, the same sync epoch and clock), so that the next pages of that listing are cut
 * from it instead of filtering and sorting every event of the calendar again for each page. A
 * listing that expanded a series without an end (its horizon follows the clock) is not kept.
 */
const listings = new WeakMap<State, { key: string; items: Item[] }>();

function listEvents(c: Call, instancesOf: string | null): EmuResponse {
  const { emu } = c;
  const q = c.req.query;
  const cal = calendarFor(c, c.params[0] ?? '');
  const email = cal.owner;
  const epoch = emu.state.syncEpoch[email] ?? 0;
  const max = pageSize(q);
  const syncTokenRaw = instancesOf ? null : q.get('syncToken');
  const pageTokenRaw = q.get('pageToken');
  let syncFrom: number | null = null;
  if (syncTokenRaw !== null) {
    for (const p of SYNC_INCOMPATIBLE) {
      if (q.has(p)) throw badRequest(`The ${p} parameter cannot be used together with syncToken.`, 'invalid', { location: p, locationType: 'parameter' });
    }
    const tok = verifyToken(emu, syncTokenRaw);
    if (!tok || tok.k !== 'ev' || tok.c !== cal.id || tok.e !== epoch || typeof tok.s !== 'number') {
      throw new ApiError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.');
    }
    syncFrom = tok.s;
  }
  let offset = 0;
  let snapshot = emu.state.seq;
  const fp = fingerprint(q, cal.id + (instancesOf ?? ''));
  if (pageTokenRaw !== null) {
    const tok = verifyToken(emu, pageTokenRaw);
    if (!tok || tok.k !== 'pg' || tok.f !== fp || typeof tok.o !== 'number' || typeof tok.s !== 'number') {
      throw badRequest('Invalid page token value.', 'invalid', { location: 'pageToken', locationType: 'parameter' });
    }
    if (tok.e !== epoch) throw new ApiError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.');
    offset = tok.o;
    snapshot = tok.s;
  }
  const timeMin = timeParam(q, 'timeMin');
  const timeMax = timeParam(q, 'timeMax');
  if (timeMin !== null && timeMax !== null && timeMin >= timeMax) throw badRequest('The specified time range is empty.', 'timeRangeEmpty');
  const singleEvents = instancesOf !== null || (boolParam(q, 'singleEvents') ?? false);
  const orderBy = q.get('orderBy');
  if (orderBy !== null && orderBy !== 'startTime' && orderBy !== 'updated') throw badRequest(`Invalid value for orderBy: ${orderBy}`, 'invalidParameter');
  if (orderBy === 'startTime' && !singleEvents) throw badRequest('The requested ordering is not available for the particular query.', 'badRequest');
  const updatedMin = timeParam(q, 'updatedMin');
  const showDeleted = syncFrom !== null || updatedMin !== null || (boolParam(q, 'showDeleted') ?? false);
  const text = q.get('q');
  const iCalUID = q.get('iCalUID');
  const priv = extendedFilters(q, 'privateExtendedProperty');
  const shared = extendedFilters(q, 'sharedExtendedProperty');
  const horizon = timeMax;

  let followsClock = false;
  const cacheKey = `${fp}|${emu.state.seq}|${epoch}|${emu.state.clockOffsetMs}|${syncFrom}`;
  const cached = listings.get(emu.state);
  const items: Item[] = cached?.key === cacheKey ? cached.items : collect();
  if (cached?.key !== cacheKey && !followsClock) listings.set(emu.state, { key: cacheKey, items });
  const page = items.slice(offset, offset + max);
  const more = offset + max < items.length;
  const body: JsonObject = {
    kind: 'calendar#events',
    etag: `"${snapshot}"`,
    summary: cal.summary,
    ...(cal.description ? { description: cal.description } : {}),
    updated: rfc3339(emu.now()),
    timeZone: cal.timeZone,
    accessRole: 'owner',
    defaultReminders: cal.primary ? DEFAULT_REMINDERS : [],
  };
  // "Synchronize resources efficiently": nextSyncToken only on the last page.
  if (more) body.nextPageToken = signToken(emu, { k: 'pg', f: fp, o: offset + max, s: snapshot, e: epoch });
  else if (!instancesOf) body.nextSyncToken = signToken(emu, { k: 'ev', c: cal.id, s: snapshot, e: epoch, t: emu.now() });
  body.items = page.map((i) => i.out());
  return jsonDeferred(body);

  function collect(): Item[] {
    const store = eventsOf(emu, cal.id);
    let recs = Object.values(store);
    if (instancesOf) {
      const master = store[instancesOf];
      if (!master) throw notFound();
      recs = [master];
  }
    const keep = (rec: EventRec | null, data: JsonObject, seqOwner: EventRec): boolean => {
      if (syncFrom !== null && seqOwner.seq <= syncFrom && (!rec || rec.seq <= syncFrom)) return false;
      if (data.status === 'cancelled' && !showDeleted) return false;
      if (text && !matchesText(data, text)) return false;
      if (iCalUID && data.iCalUID !== iCalUID) return false;
      if (updatedMin !== null && Date.parse(String(data.updated)) < updatedMin) return false;
      const ext = isObject(data.extendedProperties) ? data.extendedProperties : {};
      for (const [k, v] of priv) if (!isObject(ext.private) || ext.private[k] !== v) return false;
      for (const [k, v] of shared) if (!isObject(ext.shared) || ext.shared[k] !== v) return false;
      if (timeMin !== null || timeMax !== null) {
        const [s, e] = eventRange(cal, data);
        if (timeMin !== null && e <= timeMin && !(s === e && s >= timeMin)) return false;
        if (timeMax !== null && s >= timeMax) return false;
      }
      return true;
    };
    const items: Item[] = [];
    for (const rec of recs) {
      const d = rec.data;
      const isMaster = Array.isArray(d.recurrence) && d.recurrence.length > 0;
      if (d.recurringEventId && (singleEvents || instancesOf)) continue; // exceptions come through their master
      if (isMaster && singleEvents && d.status !== 'cancelled') {
        if (horizon === null) followsClock = true;
        for (const o of occurrences(emu, cal, rec, horizon, showDeleted)) {
          const data = o.occ.data;
          if (!keep(o.rec, data, rec)) continue;
          const tomb = syncFrom !== null && data.status === 'cancelled' ? o.rec : null;
          const out = tomb ? () => tombstone(tomb) : () => presentOcc(rec, o);
          items.push({ data, out, order: rec.order + o.occ.startKey / 1e15, sortStart: eventRange(cal, data)[0], updated: String(data.updated) });
        }
        continue;
      }
      if (isMaster && (timeMin !== null || timeMax !== null) && d.status !== 'cancelled') {
        // A series matches a window when one of its occurrences does.
        if (horizon === null) followsClock = true;
        const occ = occurrences(emu, cal, rec, horizon, false);
        const hit = occ.some((o) => {
          const [s, e] = eventRange(cal, o.occ.data);
          return (timeMin === null || e > timeMin) && (timeMax === null || s < timeMax);
        });
        if (!hit) continue;
        if (!keep(rec, { ...d, start: { dateTime: '1970-01-01T00:00:00Z' }, end: { dateTime: '9999-12-31T00:00:00Z' } }, rec)) continue;
      } else if (!keep(rec, d, rec)) continue;
      const out = syncFrom !== null && d.status === 'cancelled' ? () => tombstone(rec) : () => present(rec);
      items.push({ data: d, out, order: rec.order, sortStart: eventRange(cal, d)[0], updated: String(d.updated) });
  }
    if (orderBy === 'startTime') items.sort((a, b) => a.sortStart - b.sortStart || a.order - b.order);
    else if (orderBy === 'updated') items.sort((a, b) => a.updated.localeCompare(b.updated) || a.order - b.order);
    else items.sort((a, b) => a.order - b.order);
  return items;
  }
}

export const calendarRoutes: Route[] = [
  { method: 'GET', pattern: /^\/calendar\/v3\/users\/me\/calendarList$/, name: 'calendar.calendarList.list', api: 'calendar', scopes: LIST_READ, quota: 'calendar', handler: calendarList },
  { method: 'GET', pattern: /^\/calendar\/v3\/users\/me\/calendarList\/([^/]+)$/, name: 'calendar.calendarList.get', api: 'calendar', scopes: LIST_READ, quota: 'calendar', handler: calendarListGet },
  { method: 'GET', pattern: /^\/calendar\/v3\/colors$/, name: 'calendar.colors.get', api: 'calendar', scopes: READ, quota: 'calendar', handler: colorsGet },
  { method: 'GET', pattern: /^\/calendar\/v3\/calendars\/([^/]+)$/, name: 'calendar.calendars.get', api: 'calendar', scopes: LIST_READ, quota: 'calendar', handler: calendarsGet },
  { method: 'GET', pattern: /^\/calendar\/v3\/calendars\/([^/]+)\/events$/, name: 'calendar.events.list', api: 'calendar', scopes: READ, quota: 'calendar', handler: (c) => listEvents(c, null) },
  { method: 'POST', pattern: /^\/calendar\/v3\/calendars\/([^/]+)\/events$/, name: 'calendar.events.insert', api: 'calendar', scopes: WRITE, quota: 'calendar', handler: eventsInsert },
  { method: 'GET', pattern: /^\/calendar\/v3\/calendars\/([^/]+)\/events\/([^/]+)\/instances$/, name: 'calendar.events.instances', api: 'calendar', scopes: READ, quota: 'calendar', handler: (c) => listEvents(c, c.params[1] ?? '') },
  { method: 'GET', pattern: /^\/calendar\/v3\/calendars\/([^/]+)\/events\/([^/]+)$/, name: 'calendar.events.get', api: 'calendar', scopes: READ, quota: 'calendar', handler: eventsGet },
  { method: 'PUT', pattern: /^\/calendar\/v3\/calendars\/([^/]+)\/events\/([^/]+)$/, name: 'calendar.events.update', api: 'calendar', scopes: WRITE, quota: 'calendar', handler: (c) => writeEvent(c, 'update') },
  { method: 'PATCH', pattern: /^\/calendar\/v3\/calendars\/([^/]+)\/events\/([^/]+)$/, name: 'calendar.events.patch', api: 'calendar', scopes: WRITE, quota: 'calendar', handler: (c) => writeEvent(c, 'patch') },
  { method: 'DELETE', pattern: /^\/calendar\/v3\/calendars\/([^/]+)\/events\/([^/]+)$/, name: 'calendar.events.delete', api: 'calendar', scopes: WRITE, quota: 'calendar', handler: eventsDelete },
];

/** Seed helper for the admin route: insert an event for an account, validated like the API. */
export function seedEvent(emu: Emulator, calId: string, input: unknown): JsonObject {
  const cal = emu.state.calendars[calId];
  if (!cal) throw notFound(`Unknown calendar: ${calId}`);
  let id = randomEventId();
  if (isObject(input) && typeof input.id === 'string') {
    if (!validEventId(input.id)) throw badRequest('Invalid resource id value.', 'invalid');
    if (eventsOf(emu, cal.id)[input.id]) throw new ApiError(409, 'duplicate', 'The requested identifier already exists.');
    id = input.id;
  }
  const data = buildEvent(input, { emu, cal, id, existing: null, conferenceDataVersion: 1 });
  return present(save(emu, cal.id, id, data, undefined));
}

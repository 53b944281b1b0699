/**
 * CRM action ↔ Google event, field by field (FTC019 §3.3.3, BRIEF §3):
 * title ↔ summary, location, period (timed: dateTime + the action's IANA zone; all-day: dates,
 * Google's end exclusive), private ↔ visibility "private", reminder on/off + delay ↔ ONE popup
 * override (other Google reminders are kept), description ↔ description (HTML read as text),
 * action type → colorId (one way). Repeating actions and recurring events are not synced.
 */
import type { calendar_v3 } from '@googleapis/calendar';
import type { Action, Period } from '../../../../shared/contract';
import { nextDay, shiftDate } from '../../actions/period';
import { EVENT_CRM_ID } from '../../google/identity';
import { normalizeText, readableDescription, sameDescription } from './description';

export type GoogleEvent = calendar_v3.Schema$Event;

/** The fields synced both ways, as the merge compares them. */
export interface SyncedFields {
  title: string;
  location: string;
  period: Period;
  private: boolean;
  reminder: { enabled: boolean; minutesBefore: number };
  description: string;
}

export const SYNCED_FIELDS = ['title', 'location', 'period', 'private', 'reminder', 'description'] as const satisfies readonly (keyof SyncedFields)[];
export type SyncedField = (typeof SYNCED_FIELDS)[number];

export function fieldsOfAction(a: Pick<Action, SyncedField>): SyncedFields {
  // Compared as text normalised like Google's side, so trailing blanks never cause a push.
  return { title: a.title, location: a.location, period: a.period, private: a.private, reminder: { ...a.reminder }, description: normalizeText(a.description) };
}

/**
 * A deterministic, valid Google event id for a CRM action (base32hex: a–v, 0–9; 5–1024 chars,
 * "Events: insert", id). Retrying an insert with the same id answers 409 instead of creating a
 * second event. `generation` moves on when an id is burnt (Google keeps deleted ids reserved).
 */
export function eventIdFor(actionId: number, generation = 0): string {
  return `crm${actionId.toString(32)}g${generation.toString(32)}`;
}

export type NotSyncable = { skip: 'recurring' | 'cancelled' | 'no-time' };

/** What an event says in the CRM's terms; `fallbackMinutes` is used when Google has no popup. */
export function fieldsOfEvent(e: GoogleEvent, fallbackMinutes: number): SyncedFields | NotSyncable {
  if (e.status === 'cancelled') return { skip: 'cancelled' };
  if ((e.recurrence && e.recurrence.length > 0) || e.recurringEventId) return { skip: 'recurring' };
  let period: Period;
  if (e.start?.date && e.end?.date) {
    // Google's all-day end date is exclusive; the CRM's is the last day.
    const last = e.end.date > e.start.date ? shiftDate(e.end.date, -1) : e.start.date;
    period = { allDay: true, startDate: e.start.date, endDate: last };
  } else if (e.start?.dateTime && e.end?.dateTime) {
    const start = Date.parse(e.start.dateTime);
    let end = Date.parse(e.end.dateTime);
    if (!Number.isFinite(start) || !Number.isFinite(end)) return { skip: 'no-time' };
    if (end <= start) end = start + 60_000;
    period = { allDay: false, start: new Date(start).toISOString(), end: new Date(end).toISOString() };
  } else {
    return { skip: 'no-time' };
  }
  const popup = firstPopup(e.reminders?.overrides);
  return {
    title: (e.summary ?? '').trim() || '(sans titre)',
    location: e.location ?? '',
    period,
    private: e.visibility === 'private' || e.visibility === 'confidential',
    reminder: popup ? { enabled: true, minutesBefore: popup.minutes } : { enabled: false, minutesBefore: fallbackMinutes },
    description: readableDescription(e.description),
  };
}

function firstPopup(overrides: calendar_v3.Schema$EventReminder[] | undefined): { minutes: number } | null {
  // Most events have none: no arrays made for them (this runs for every event of a listing).
  if (!overrides || overrides.length === 0) return null;
  const popups = overrides.filter((o) => o.method === 'popup' && typeof o.minutes === 'number');
  popups.sort((a, b) => (a.minutes ?? 0) - (b.minutes ?? 0));
  return popups[0] ? { minutes: popups[0].minutes! } : null;
}

export interface EventOptions {
  actionId: number;
  timeZone: string;
  /** colorId when colour transfer is on, else undefined (Google's calendar colour). */
  colorId?: string | null;
  /** The event as Google has it, to keep what the CRM cannot represent (other reminders…). */
  existing?: GoogleEvent | null;
}

/** The event body for insert/update. */
export function eventOfFields(f: SyncedFields, o: EventOptions): GoogleEvent {
  const keptReminders = keptOverrides(o.existing?.reminders?.overrides, f.reminder);
  const overrides = f.reminder.enabled ? [{ method: 'popup', minutes: f.reminder.minutesBefore }, ...keptReminders] : keptReminders;
  const body: GoogleEvent = {
    summary: f.title,
    location: f.location,
    // Google's own (HTML) text is kept when it reads the same: no ping-pong (description.ts).
    description: o.existing?.description != null && sameDescription(f.description, o.existing.description) ? o.existing.description : f.description,
    visibility: f.private ? 'private' : 'default',
    // At most 5 overrides (Calendar API, "reminders.overrides[]").
    reminders: { useDefault: false, overrides: overrides.slice(0, 5) },
    extendedProperties: { ...(o.existing?.extendedProperties ?? {}), private: { ...(o.existing?.extendedProperties?.private ?? {}), [EVENT_CRM_ID]: String(o.actionId) } },
    ...(o.colorId ? { colorId: o.colorId } : {}),
  };
  if (f.period.allDay) {
    body.start = { date: f.period.startDate };
    body.end = { date: nextDay(f.period.endDate) };
  } else {
    body.start = { dateTime: f.period.start, timeZone: o.timeZone };
    body.end = { dateTime: f.period.end, timeZone: o.timeZone };
  }
  return body;
}

/**
 * Google reminders the CRM does not own, kept when the CRM writes the event: e-mails, and the
 * popups other than the first — but only those that still read as "not the CRM's". Google's first
 * popup (the smallest delay, fieldsOfEvent) IS the CRM's reminder, so a kept popup must come after
 * the CRM's own one; when the CRM's reminder is off, no popup can be kept, or the event would read
 * back as "on" with the kept delay (found by the fault-injection test: the CRM's "off" was lost,
 * and the two sides never agreed again).
 */
function keptOverrides(overrides: calendar_v3.Schema$EventReminder[] | undefined, crm: SyncedFields['reminder']): calendar_v3.Schema$EventReminder[] {
  const all = overrides ?? [];
  const first = firstPopup(all);
  let skipped = false;
  return all.filter((o) => {
    if (o.method !== 'popup') return true;
    if (!skipped && first && o.minutes === first.minutes) {
      skipped = true;
      return false;
    }
    return crm.enabled && (o.minutes ?? 0) > crm.minutesBefore;
  });
}

/** The CRM action id an event carries, if this app created it. */
export function crmIdOf(e: GoogleEvent): number | null {
  const raw = e.extendedProperties?.private?.[EVENT_CRM_ID];
  const id = raw === undefined ? NaN : Number(raw);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/**
 * A hand-written subset of RFC 5545 recurrence (no recurrence library is installed):
 * RRULE with FREQ=DAILY|WEEKLY|MONTHLY|YEARLY, INTERVAL, COUNT, UNTIL, BYDAY (with ordinals for
 * MONTHLY/YEARLY), BYMONTHDAY, BYMONTH, WKST (accepted, Monday weeks); EXDATE and RDATE lines.
 * Other parts (BYSETPOS, BYWEEKNO, BYYEARDAY, BYHOUR, …) are refused with 400 rather than
 * expanded wrongly. Expansion happens on the wall clock of the event's time zone, as Google does
 * (a 09:00 weekly meeting stays at 09:00 across DST changes).
 */
import { dayNumber, daysInMonth, fromDayNumber, parseDate, weekdayOf, zonedToUtc } from './time';
import type { Wall } from './time';

const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

export interface Rule {
  freq: 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
  interval: number;
  count: number | null;
  /** UNTIL as an instant (ms) for timed events or a day number for all-day ones. */
  until: { ms: number | null; day: number | null } | null;
  byDay: { n: number; wd: number }[];
  byMonthDay: number[];
  byMonth: number[];
}

export interface Recurrence {
  rules: Rule[];
  exdates: string[];
  rdates: string[];
}

export class RecurrenceError extends Error {}

function parseUntil(v: string): { ms: number | null; day: number | null } {
  let m = /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (m) return { ms: null, day: dayNumber(+m[1]!, +m[2]!, +m[3]!) };
  m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z?$/.exec(v);
  if (m) return { ms: Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!), day: dayNumber(+m[1]!, +m[2]!, +m[3]!) };
  throw new RecurrenceError(`Invalid UNTIL: ${v}`);
}

function ints(v: string, min: number, max: number): number[] {
  return v.split(',').map((x) => {
    if (!/^[+-]?\d{1,3}$/.test(x)) throw new RecurrenceError(`Invalid number: ${x}`);
    const n = Number(x);
    if (n === 0 || Math.abs(n) > max || n < min) throw new RecurrenceError(`Out of range: ${x}`);
    return n;
  });
}

export function parseRule(text: string): Rule {
  const rule: Rule = { freq: 'DAILY', interval: 1, count: null, until: null, byDay: [], byMonthDay: [], byMonth: [] };
  let freqSeen = false;
  for (const part of text.split(';')) {
    if (!part) continue;
    const [k, v] = part.split('=');
    if (!k || v === undefined || v === '') throw new RecurrenceError(`Malformed rule part: ${part}`);
    switch (k.toUpperCase()) {
      case 'FREQ':
        if (!['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'].includes(v)) throw new RecurrenceError(`Unsupported FREQ: ${v}`);
        rule.freq = v as Rule['freq'];
        freqSeen = true;
        break;
      case 'INTERVAL':
        if (!/^\d{1,4}$/.test(v) || Number(v) < 1) throw new RecurrenceError('Invalid INTERVAL');
        rule.interval = Number(v);
        break;
      case 'COUNT':
        if (!/^\d{1,5}$/.test(v) || Number(v) < 1) throw new RecurrenceError('Invalid COUNT');
        rule.count = Number(v);
        break;
      case 'UNTIL':
        rule.until = parseUntil(v);
        break;
      case 'BYDAY':
        rule.byDay = v.split(',').map((x) => {
          const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(x);
          if (!m) throw new RecurrenceError(`Invalid BYDAY: ${x}`);
          return { n: m[1] ? Number(m[1]) : 0, wd: DAYS.indexOf(m[2]!) };
        });
        break;
      case 'BYMONTHDAY':
        rule.byMonthDay = ints(v, -31, 31);
        break;
      case 'BYMONTH':
        rule.byMonth = ints(v, 1, 12);
        break;
      case 'WKST':
        if (!DAYS.includes(v)) throw new RecurrenceError('Invalid WKST');
        break;
      default:
        throw new RecurrenceError(`Unsupported rule part: ${k}`);
    }
  }
  if (!freqSeen) throw new RecurrenceError('Missing FREQ');
  if (rule.count !== null && rule.until !== null) throw new RecurrenceError('COUNT and UNTIL are exclusive');
  return rule;
}

export function parseRecurrence(lines: string[]): Recurrence {
  const out: Recurrence = { rules: [], exdates: [], rdates: [] };
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) throw new RecurrenceError(`Invalid recurrence line: ${line}`);
    const name = line.slice(0, colon).split(';')[0]!.toUpperCase();
    const value = line.slice(colon + 1);
    if (name === 'RRULE') out.rules.push(parseRule(value));
    else if (name === 'EXDATE') out.exdates.push(line);
    else if (name === 'RDATE') out.rdates.push(line);
    else throw new RecurrenceError(`Unsupported recurrence line: ${name}`);
  }
  return out;
}

/** Candidate days (day numbers, ascending) of one period of the rule. */
function periodDays(rule: Rule, k: number, start: { y: number; mo: number; d: number }, startDay: number): number[] {
  const days: number[] = [];
  const monthDays = (y: number, mo: number): number[] => {
    const dim = daysInMonth(y, mo);
    const out: number[] = [];
    if (rule.byMonthDay.length > 0) {
      for (const md of rule.byMonthDay) {
        const d = md > 0 ? md : dim + md + 1;
        if (d >= 1 && d <= dim) out.push(dayNumber(y, mo, d));
      }
    } else if (rule.byDay.length > 0) {
      const first = dayNumber(y, mo, 1);
      for (const { n, wd } of rule.byDay) {
        const matches: number[] = [];
        for (let d = 0; d < dim; d++) if (weekdayOf(first + d) === wd) matches.push(first + d);
        if (n === 0) out.push(...matches);
        else {
          const pick = n > 0 ? matches[n - 1] : matches[matches.length + n];
          if (pick !== undefined) out.push(pick);
        }
      }
    } else if (start.d <= dim) out.push(dayNumber(y, mo, start.d));
    return out;
  };
  switch (rule.freq) {
    case 'DAILY': {
      const d = startDay + k * rule.interval;
      const { mo } = fromDayNumber(d);
      if (rule.byDay.length > 0 && !rule.byDay.some((b) => b.wd === weekdayOf(d))) break;
      if (rule.byMonth.length > 0 && !rule.byMonth.includes(mo)) break;
      days.push(d);
      break;
    }
    case 'WEEKLY': {
      const weekStart = startDay - weekdayOf(startDay) + k * rule.interval * 7;
      const wds = rule.byDay.length > 0 ? rule.byDay.map((b) => b.wd) : [weekdayOf(startDay)];
      for (const wd of wds) days.push(weekStart + wd);
      break;
    }
    case 'MONTHLY': {
      const total = start.y * 12 + (start.mo - 1) + k * rule.interval;
      const y = Math.floor(total / 12);
      const mo = (total % 12) + 1;
      if (rule.byMonth.length > 0 && !rule.byMonth.includes(mo)) break;
      days.push(...monthDays(y, mo));
      break;
    }
    case 'YEARLY': {
      const y = start.y + k * rule.interval;
      const months = rule.byMonth.length > 0 ? rule.byMonth : [start.mo];
      for (const mo of months) {
        if (rule.byMonthDay.length === 0 && rule.byDay.length === 0) {
          if (start.d <= daysInMonth(y, mo)) days.push(dayNumber(y, mo, start.d));
        } else days.push(...monthDays(y, mo));
      }
      break;
    }
  }
  return [...new Set(days)].sort((a, b) => a - b);
}

export interface ExpandInput {
  /** Wall clock of the first start in `tz` (time part ignored for all-day events). */
  start: Wall;
  allDay: boolean;
  tz: string;
  recurrence: Recurrence;
  /** Stop once starts pass this instant. */
  endMs: number;
  max: number;
}

function parseDateList(line: string, tz: string, allDay: boolean): number[] {
  const colon = line.indexOf(':');
  const params = line.slice(0, colon).split(';').slice(1);
  const tzParam = params.find((p) => p.toUpperCase().startsWith('TZID='))?.slice(5) ?? tz;
  const out: number[] = [];
  for (const v of line.slice(colon + 1).split(',')) {
    let m = /^(\d{4})(\d{2})(\d{2})$/.exec(v);
    if (m) {
      out.push(allDay ? dayNumber(+m[1]!, +m[2]!, +m[3]!) : zonedToUtc({ y: +m[1]!, mo: +m[2]!, d: +m[3]!, h: 0, mi: 0, s: 0 }, tzParam));
      continue;
    }
    m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/.exec(v);
    if (!m) throw new RecurrenceError(`Invalid date in ${line}`);
    const w = { y: +m[1]!, mo: +m[2]!, d: +m[3]!, h: +m[4]!, mi: +m[5]!, s: +m[6]! };
    if (allDay) out.push(dayNumber(w.y, w.mo, w.d));
    else out.push(m[7] ? Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) : zonedToUtc(w, tzParam));
  }
  return out;
}

export function validateRecurrenceDates(rec: Recurrence, tz: string, allDay: boolean): void {
  for (const l of [...rec.exdates, ...rec.rdates]) parseDateList(l, tz, allDay);
  if (rec.rules.length === 0 && rec.rdates.length === 0) throw new RecurrenceError('No RRULE or RDATE');
}

/**
 * Occurrence starts, ascending: instants (ms) for timed events, day numbers for all-day ones.
 */
export function expand(input: ExpandInput): number[] {
  const { start, allDay, tz, recurrence } = input;
  const startDay = dayNumber(start.y, start.mo, start.d);
  const toKey = (day: number): number => {
    if (allDay) return day;
    const { y, mo, d } = fromDayNumber(day);
    return zonedToUtc({ y, mo, d, h: start.h, mi: start.mi, s: start.s }, tz);
  };
  const firstKey = toKey(startDay);
  const endKey = allDay ? Math.floor(input.endMs / 86400000) + 1 : input.endMs;
  const found = new Set<number>([firstKey]);
  for (const rule of recurrence.rules) {
    let n = 1; // DTSTART is the first instance (RFC 5545 §3.8.5.3)
    let steps = 0;
    outer: for (let k = 0; steps < 200_000; k++) {
      steps++;
      const days = periodDays(rule, k, start, startDay);
      let beyond = false;
      for (const day of days) {
        if (day < startDay) continue;
        const key = toKey(day);
        if (key === firstKey) continue;
        if (rule.until) {
          const limit = allDay ? rule.until.day : (rule.until.ms ?? (rule.until.day !== null ? zonedToUtc({ ...fromDayNumber(rule.until.day), h: 23, mi: 59, s: 59 }, tz) : null));
          if (limit !== null && key > limit) break outer;
        }
        if (rule.count !== null && n >= rule.count) break outer;
        if (key > endKey) {
          beyond = true;
          break;
        }
        found.add(key);
        n++;
        if (found.size >= input.max * 2 + 10) break outer;
      }
      if (beyond) break;
      // Stop a rule that can never match again (e.g. BYMONTHDAY=31 with FREQ=MONTHLY still matches).
      if (k > 50_000) break;
    }
  }
  for (const l of recurrence.rdates) for (const key of parseDateList(l, tz, allDay)) if (key <= endKey) found.add(key);
  const excluded = new Set<number>();
  for (const l of recurrence.exdates) for (const key of parseDateList(l, tz, allDay)) excluded.add(key);
  return [...found].filter((k) => !excluded.has(k)).sort((a, b) => a - b).slice(0, input.max);
}

export { parseDate };

import type { TFunction } from 'i18next';
import { TZDate } from '@date-fns/tz';
import type { ActionView, Period } from '../../../shared/contract';
import { dayKey, fmt, fmtDate } from './dates';

/** An action's period in one line, in the user's zone (all-day periods have no zone). */
export function periodText(t: TFunction, p: ActionView['period'], timeZone: string): string {
  if (p.allDay) {
    return p.startDate === p.endDate
      ? t('agenda.detail.allDayOne', { date: fmtDate(p.startDate, t('formats.dayLong')) })
      : t('agenda.detail.allDayFromTo', { from: fmtDate(p.startDate, t('formats.date')), to: fmtDate(p.endDate, t('formats.date')) });
  }
  const start = Date.parse(p.start);
  const end = Date.parse(p.end);
  return dayKey(start, timeZone) === dayKey(end, timeZone)
    ? `${fmt(start, t('formats.dayLong'), timeZone)}, ${fmt(start, t('formats.time'), timeZone)} – ${fmt(end, t('formats.time'), timeZone)}`
    : t('agenda.detail.fromTo', { from: fmt(start, t('formats.dateTime'), timeZone), to: fmt(end, t('formats.dateTime'), timeZone) });
}

/** The same days, or the same instants (`…Z` and `…+01:00` spellings of one instant are the same). */
export function samePeriod(a: Period, b: Period): boolean {
  if (a.allDay) return b.allDay && a.startDate === b.startDate && a.endDate === b.endDate;
  return !b.allDay && Date.parse(a.start) === Date.parse(b.start) && Date.parse(a.end) === Date.parse(b.end);
}

/** `yyyy-MM-dd` + `days` (calendar days, no zone). */
function addDate(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** `instant` moved `days` calendar days in `zone`, at the same wall-clock time (DST-aware). */
function addWallDays(instant: number, days: number, zone: string): number {
  const w = new TZDate(instant, zone);
  return +new TZDate(w.getFullYear(), w.getMonth(), w.getDate() + days, w.getHours(), w.getMinutes(), w.getSeconds(), zone);
}

/**
 * The period moved `days` days (a drop on another day of the month): all-day dates shift by whole
 * days; a timed period keeps its wall-clock start and end in `zone` — a 09:00–10:00 meeting moved
 * across a DST change is still 09:00–10:00 — unless that would not leave it a positive length
 * (an end in a skipped hour), then it keeps its length.
 */
export function shiftDays(p: Period, days: number, zone: string): Period {
  if (p.allDay) return { allDay: true, startDate: addDate(p.startDate, days), endDate: addDate(p.endDate, days) };
  const start = Date.parse(p.start);
  const end = Date.parse(p.end);
  const newStart = addWallDays(start, days, zone);
  let newEnd = addWallDays(end, days, zone);
  if (newEnd <= newStart) newEnd = newStart + (end - start);
  return { allDay: false, start: new Date(newStart).toISOString(), end: new Date(newEnd).toISOString() };
}

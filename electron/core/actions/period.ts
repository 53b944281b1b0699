import { TZDate } from '@date-fns/tz';
import { addDays, format } from 'date-fns';
import type { Period } from '../../../shared/contract';

/** Epoch milliseconds of local midnight starting `date` (YYYY-MM-DD) in the IANA zone `timeZone`. */
export function localMidnight(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new TZDate(y, m - 1, d, 0, 0, 0, 0, timeZone).getTime();
}

/** Stored bounds of a period: all-day periods cover local midnight .. midnight after endDate. */
export function periodBounds(period: Period, timeZone: string): { startMs: number; endMs: number } {
  if (!period.allDay) return { startMs: Date.parse(period.start), endMs: Date.parse(period.end) };
  return { startMs: localMidnight(period.startDate, timeZone), endMs: localMidnight(nextDay(period.endDate), timeZone) };
}

export function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return format(addDays(new Date(y, m - 1, d), 1), 'yyyy-MM-dd');
}

export function shiftDate(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return format(addDays(new Date(y, m - 1, d), days), 'yyyy-MM-dd');
}

/** Moves a period by whole days, keeping local wall-clock times across DST changes. */
export function shiftPeriod(period: Period, days: number, timeZone: string): Period {
  if (days === 0) return period;
  if (period.allDay) return { allDay: true, startDate: shiftDate(period.startDate, days), endDate: shiftDate(period.endDate, days) };
  const shift = (iso: string) => addDays(new TZDate(Date.parse(iso), timeZone), days).toISOString();
  return { allDay: false, start: new Date(shift(period.start)).toISOString(), end: new Date(shift(period.end)).toISOString() };
}

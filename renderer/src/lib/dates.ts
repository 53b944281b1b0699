import { TZDate, tz } from '@date-fns/tz';
import { addDays, format, startOfWeek } from 'date-fns';
import { currentLanguage, dateLocale } from '../i18n';

/** The browser's zone, used until a session tells us the user's own. */
export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/Paris';

export function validTimeZone(zone: string | undefined): string {
  if (!zone) return browserTimeZone();
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return browserTimeZone();
  }
}

/** Monday 00:00 (wall clock, in `zone`) of the week holding `instant`. */
export function weekStartOf(instant: Date | number, zone: string): TZDate {
  return startOfWeek(new TZDate(+instant, zone), { weekStartsOn: 1, in: tz(zone) });
}

export function weekDays(weekStart: TZDate): TZDate[] {
  return Array.from({ length: 7 }, (_, i) => addDays(weekStart, i));
}

/** `yyyy-MM-dd` of an instant as seen in `zone`. */
export function dayKey(instant: Date | number, zone: string): string {
  return format(new TZDate(+instant, zone), 'yyyy-MM-dd');
}

/** Formats an instant in `zone` with the current language's date-fns locale. */
export function fmt(instant: Date | number, pattern: string, zone: string): string {
  return format(new TZDate(+instant, zone), pattern, { locale: dateLocale(currentLanguage()) });
}

/** Formats a calendar date (`yyyy-MM-dd`, no zone) with the current language's locale. */
export function fmtDate(isoDate: string, pattern: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  return format(new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1), pattern, { locale: dateLocale(currentLanguage()) });
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(currentLanguage() === 'fr' ? 'fr-FR' : 'en-US').format(n);
}

/**
 * The instant of a wall-clock date and time (`yyyy-MM-dd`, `HH:mm`) in `zone` (DST-aware), as an
 * ISO string in UTC; null when either part is not a complete value (an input left half-filled).
 */
export function zonedInstant(date: string, time: string, zone: string): string | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return null;
  const at = new TZDate(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]), zone);
  return Number.isNaN(+at) ? null : new Date(+at).toISOString();
}

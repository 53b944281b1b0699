import type { TFunction } from 'i18next';
import type { ActionView } from '../../../shared/contract';
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

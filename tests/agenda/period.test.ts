/**
 * Moving an action by whole days (the month view's drag and Alt+arrows, renderer/src/lib/period.ts):
 * all-day dates shift as dates; a timed action keeps its wall-clock times in the user's zone across
 * DST changes, in Europe/Paris and America/Los_Angeles.
 */
import { describe, expect, it, vi } from 'vitest';
import { TZDate } from '@date-fns/tz';

// period.ts formats through lib/dates, whose i18n module touches the DOM: not needed here.
vi.mock('../../renderer/src/i18n', () => ({ currentLanguage: () => 'fr', dateLocale: () => undefined }));
const { samePeriod, shiftDays } = await import('../../renderer/src/lib/period');

function at(day: string, hm: string, zone: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const [h, min] = hm.split(':').map(Number) as [number, number];
  return new Date(+new TZDate(y, m - 1, d, h, min, zone)).toISOString();
}

describe('shiftDays', () => {
  it('shifts all-day dates, across months and years, inclusive end kept', () => {
    expect(shiftDays({ allDay: true, startDate: '2026-12-30', endDate: '2027-01-02' }, 3, 'Europe/Paris')).toEqual({ allDay: true, startDate: '2027-01-02', endDate: '2027-01-05' });
    expect(shiftDays({ allDay: true, startDate: '2027-03-01', endDate: '2027-03-01' }, -1, 'America/Los_Angeles')).toEqual({ allDay: true, startDate: '2027-02-28', endDate: '2027-02-28' });
  });

  for (const [zone, before, after] of [
    ['Europe/Paris', '2027-03-26', '2027-03-29'], // clocks go forward on Sunday 28 March
    ['Europe/Paris', '2026-10-23', '2026-10-26'], // and back on Sunday 25 October
    ['America/Los_Angeles', '2027-03-12', '2027-03-15'], // forward on Sunday 14 March
    ['America/Los_Angeles', '2026-10-30', '2026-11-02'], // back on Sunday 1 November
  ] as const) {
    it(`keeps 09:00–10:30 in ${zone} when moved across the DST change (${before} → ${after})`, () => {
      const moved = shiftDays({ allDay: false, start: at(before, '09:00', zone), end: at(before, '10:30', zone) }, 3, zone);
      expect(moved).toEqual({ allDay: false, start: at(after, '09:00', zone), end: at(after, '10:30', zone) });
      // And back again.
      expect(shiftDays(moved, -3, zone)).toEqual({ allDay: false, start: at(before, '09:00', zone), end: at(before, '10:30', zone) });
    });
  }

  it('keeps both wall-clock ends of an action over midnight', () => {
    const zone = 'Europe/Paris';
    const p = { allDay: false as const, start: at('2027-03-27', '22:00', zone), end: at('2027-03-28', '06:00', zone) };
    // Saturday night into the short Sunday: 7 h; a week earlier it lasts 8 h, still 22:00 → 06:00.
    expect(shiftDays(p, -7, zone)).toEqual({ allDay: false, start: at('2027-03-20', '22:00', zone), end: at('2027-03-21', '06:00', zone) });
  });

  it('keeps the length when the end would fall in a skipped hour before the start', () => {
    const zone = 'Europe/Paris';
    // 01:30–02:45 on 21 March, moved a week on: 02:45 does not exist on 28 March (02:00 → 03:00).
    const p = { allDay: false as const, start: at('2027-03-21', '01:30', zone), end: at('2027-03-21', '02:45', zone) };
    const moved = shiftDays(p, 7, zone);
    expect(moved.allDay).toBe(false);
    if (moved.allDay) return;
    expect(moved.start).toBe(at('2027-03-28', '01:30', zone));
    expect(Date.parse(moved.end) - Date.parse(moved.start)).toBeGreaterThan(0);
  });
});

describe('samePeriod (the editor and the grid send no period that did not change)', () => {
  it('compares instants, not their spelling, and all-day dates as dates', () => {
    const timed = { allDay: false, start: '2026-12-07T08:00:00.000Z', end: '2026-12-07T09:00:00.000Z' } as const;
    expect(samePeriod(timed, { allDay: false, start: '2026-12-07T09:00:00+01:00', end: '2026-12-07T10:00:00+01:00' })).toBe(true);
    expect(samePeriod(timed, { ...timed, end: '2026-12-07T09:15:00.000Z' })).toBe(false);
    const day = { allDay: true, startDate: '2026-12-07', endDate: '2026-12-08' } as const;
    expect(samePeriod(day, { ...day })).toBe(true);
    expect(samePeriod(day, { ...day, endDate: '2026-12-07' })).toBe(false);
    expect(samePeriod(day, timed)).toBe(false);
    expect(samePeriod(timed, day)).toBe(false);
  });
});

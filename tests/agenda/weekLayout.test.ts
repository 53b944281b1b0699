/**
 * The agenda's pure layout (renderer/src/lib/weekLayout.ts): columns per (day, user), lanes of
 * overlapping actions, actions crossing midnight, all-day spans, the month's day lists — and the
 * two DST changes of Europe/Paris, where a day lasts 23 or 25 hours but the grid keeps wall-clock
 * minutes.
 */
import { describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import type { ActionView, Period } from '../../shared/contract';
import { daysFrom, layoutDays, layoutDaysCached, layoutMonth, MIN_VISUAL_MINUTES, type TimedSegment } from '../../renderer/src/lib/weekLayout';

const ZONE = 'Europe/Paris';

let nextId = 1;
function action(ownerId: number, period: Period, extra: Partial<{ id: number; title: string }> = {}): ActionView {
  const id = extra.id ?? nextId++;
  return { kind: 'full', id, ownerId, typeId: 1, title: extra.title ?? `Action ${id}`, location: '', period, private: false, seriesId: null, sync: null };
}
/** A timed period from wall-clock `yyyy-MM-dd HH:mm` in Paris. */
function at(day: string, hm: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const [h, min] = hm.split(':').map(Number) as [number, number];
  return new Date(+new TZDate(y, m - 1, d, h, min, ZONE)).toISOString();
}
const timed = (day: string, from: string, to: string, endDay = day): Period => ({ allDay: false, start: at(day, from), end: at(endDay, to) });
const utc = (start: string, end: string): Period => ({ allDay: false, start, end });
const allDay = (startDate: string, endDate: string): Period => ({ allDay: true, startDate, endDate });

function week(monday: string, n = 7) {
  const [y, m, d] = monday.split('-').map(Number) as [number, number, number];
  return daysFrom(new TZDate(y, m - 1, d, ZONE), n);
}
const brief = (s: TimedSegment) => ({ id: s.action.id, start: s.startMin, end: s.endMin, lane: s.lane, lanes: s.lanes, from: s.startLabel, to: s.endLabel });

describe('layoutDays', () => {
  it('puts each action in its (day, user) column and skips agendas not shown', () => {
    const { bounds, keys } = week('2026-06-01');
    const a = action(10, timed('2026-06-01', '09:00', '10:00'));
    const b = action(20, timed('2026-06-02', '14:00', '15:30'));
    const hidden = action(30, timed('2026-06-02', '14:00', '15:30'));
    const out = layoutDays([a, b, hidden], bounds, keys, [10, 20], ZONE);
    expect([...out.timed.keys()].sort((x, y) => x - y)).toEqual([0, 3]);
    expect(out.timed.get(0)?.map(brief)).toEqual([{ id: a.id, start: 540, end: 600, lane: 0, lanes: 1, from: '09:00', to: '10:00' }]);
    expect(out.timed.get(3)?.map(brief)).toEqual([{ id: b.id, start: 840, end: 930, lane: 0, lanes: 1, from: '14:00', to: '15:30' }]);
    expect(out.timed.get(3)?.[0]?.col).toBe(3);
    expect(out.allDay.size).toBe(0);
    expect(out.maxAllDay).toBe(0);
  });

  it('gives overlapping actions side-by-side lanes, one lane count per cluster, the first free lane reused', () => {
    const { bounds, keys } = week('2026-06-01');
    const d = '2026-06-03';
    const a = action(1, timed(d, '09:00', '10:00'));
    const b = action(1, timed(d, '09:30', '10:30'));
    const c = action(1, timed(d, '10:00', '11:00'));
    const alone = action(1, timed(d, '12:00', '12:30'));
    const out = layoutDays([c, alone, b, a], bounds, keys, [1], ZONE);
    expect(out.timed.get(2)?.map((s) => [s.action.id, s.lane, s.lanes])).toEqual([
      [a.id, 0, 2],
      [b.id, 1, 2],
      [c.id, 0, 2],
      [alone.id, 0, 1],
    ]);
  });

  it('counts a short action as MIN_VISUAL_MINUTES long, so its title is not covered by the next', () => {
    const { bounds, keys } = week('2026-06-01');
    const d = '2026-06-01';
    const call = action(1, timed(d, '14:00', '14:05'));
    const next = action(1, timed(d, '14:10', '14:30'));
    const out = layoutDays([call, next], bounds, keys, [1], ZONE);
    expect(MIN_VISUAL_MINUTES).toBeGreaterThan(10);
    expect(out.timed.get(0)?.map((s) => [s.action.id, s.lane, s.lanes])).toEqual([
      [call.id, 0, 2],
      [next.id, 1, 2],
    ]);
  });

  it('splits an action crossing midnight into two segments that say they continue', () => {
    const { bounds, keys } = week('2026-06-01');
    const night = action(1, timed('2026-06-02', '22:00', '02:00', '2026-06-03'));
    const out = layoutDays([night], bounds, keys, [1], ZONE);
    const [tue] = out.timed.get(1) ?? [];
    const [wed] = out.timed.get(2) ?? [];
    expect(tue && { ...brief(tue), before: tue.continuesBefore, after: tue.continuesAfter }).toEqual({ id: night.id, start: 1320, end: 1440, lane: 0, lanes: 1, from: '22:00', to: '…', before: false, after: true });
    expect(wed && { ...brief(wed), before: wed.continuesBefore, after: wed.continuesAfter }).toEqual({ id: night.id, start: 0, end: 120, lane: 0, lanes: 1, from: '…', to: '02:00', before: true, after: false });
  });

  it('keeps the part of an action that started before the period, and ignores one that ended before it', () => {
    const { bounds, keys } = week('2026-06-01');
    const before = action(1, timed('2026-05-31', '23:00', '01:30', '2026-06-01'));
    const gone = action(1, timed('2026-05-31', '20:00', '21:00'));
    const out = layoutDays([before, gone], bounds, keys, [1], ZONE);
    expect(out.timed.get(0)?.map(brief)).toEqual([{ id: before.id, start: 0, end: 90, lane: 0, lanes: 1, from: '…', to: '01:30' }]);
    expect([...out.timed.keys()]).toEqual([0]);
  });

  it('lists an all-day span on each day it covers (inclusive end), clipped to the period, by row', () => {
    const { bounds, keys } = week('2026-06-01');
    const fair = action(2, allDay('2026-06-03', '2026-06-05'), { id: 900 });
    const early = action(2, allDay('2026-05-28', '2026-06-01'), { id: 901 });
    const other = action(1, allDay('2026-06-04', '2026-06-04'), { id: 899 });
    const late = action(2, allDay('2026-06-07', '2026-06-10'), { id: 902 });
    const out = layoutDays([late, fair, early, other], bounds, keys, [1, 2], ZONE);
    const ids = (col: number) => (out.allDay.get(col) ?? []).map((a) => a.id);
    // Columns: day × 2 users + user index (user 2 is index 1).
    expect(ids(1)).toEqual([901]);
    expect(ids(3)).toEqual([]);
    expect(ids(5)).toEqual([900]);
    expect(ids(6)).toEqual([899]);
    expect(ids(7)).toEqual([900]);
    expect(ids(9)).toEqual([900]);
    expect(ids(11)).toEqual([]);
    expect(ids(13)).toEqual([902]);
    expect(out.maxAllDay).toBe(1);
    expect(out.timed.size).toBe(0);
    // Two on one day: the row grows.
    const two = layoutDays([fair, action(2, allDay('2026-06-04', '2026-06-04'), { id: 903 })], bounds, keys, [1, 2], ZONE);
    expect((two.allDay.get(7) ?? []).map((a) => a.id)).toEqual([900, 903]);
    expect(two.maxAllDay).toBe(2);
  });

  it('draws an all-day action as one bar over its days with one agenda, in rows that never overlap; clipped bars say they continue', () => {
    const { bounds, keys } = week('2026-06-01');
    const fair = action(1, allDay('2026-06-02', '2026-06-04'), { id: 910 });
    const early = action(1, allDay('2026-05-28', '2026-06-02'), { id: 911 });
    const thursday = action(1, allDay('2026-06-04', '2026-06-04'), { id: 912 });
    const late = action(1, allDay('2026-06-06', '2026-06-12'), { id: 913 });
    const friday = action(1, allDay('2026-06-05', '2026-06-05'), { id: 914 });
    const out = layoutDays([late, fair, friday, thursday, early], bounds, keys, [1], ZONE);
    const bars = out.allDayBars.map((b) => ({ id: b.action.id, col: b.col, span: b.span, row: b.row, before: b.continuesBefore, after: b.continuesAfter, first: b.first }));
    expect(bars).toEqual([
      { id: 911, col: 0, span: 2, row: 0, before: true, after: false, first: true },
      { id: 912, col: 3, span: 1, row: 0, before: false, after: false, first: true },
      { id: 914, col: 4, span: 1, row: 0, before: false, after: false, first: true },
      { id: 913, col: 5, span: 2, row: 0, before: false, after: true, first: true },
      { id: 910, col: 1, span: 3, row: 1, before: false, after: false, first: true },
    ]);
    // As many rows as the most actions on one day (Tuesday and Thursday: two).
    expect(out.maxAllDay).toBe(2);
    // Each column lists what covers it, by row; each action's first bar is found by its id.
    expect((out.allDay.get(3) ?? []).map((a) => a.id)).toEqual([912, 910]);
    expect(out.allDayFirst.get(910)?.col).toBe(1);
    // No two bars of a row share a column.
    for (let row = 0; row < out.maxAllDay; row++) {
      const cols = out.allDayBars.filter((b) => b.row === row).flatMap((b) => Array.from({ length: b.span }, (_, i) => b.col + i));
      expect(new Set(cols).size).toBe(cols.length);
    }
  });

  it('with several agendas, an all-day action is one piece per day (its days are not adjacent columns), on one row, the first focusable', () => {
    const { bounds, keys } = week('2026-06-01');
    const fair = action(2, allDay('2026-06-02', '2026-06-04'), { id: 920 });
    const day = action(2, allDay('2026-06-03', '2026-06-03'), { id: 921 });
    const out = layoutDays([day, fair], bounds, keys, [1, 2], ZONE);
    expect(out.allDayBars.map((b) => [b.action.id, b.col, b.span, b.row, b.continuesBefore, b.continuesAfter, b.first])).toEqual([
      [920, 3, 1, 0, false, true, true],
      [920, 5, 1, 0, true, true, false],
      [920, 7, 1, 0, true, false, false],
      [921, 5, 1, 1, false, false, true],
    ]);
    expect(out.allDayFirst.get(920)?.col).toBe(3);
    expect(out.maxAllDay).toBe(2);
  });

  it('spring forward (last Sunday of March): a 23-hour day keeps wall-clock minutes', () => {
    // 2026-03-29 in Paris: 02:00 CET jumps to 03:00 CEST.
    const { bounds, keys } = week('2026-03-23');
    expect(keys[6]).toBe('2026-03-29');
    expect((bounds[7] as number) - (bounds[6] as number)).toBe(23 * 3600_000);
    // 01:30 CET (00:30Z) to 03:30 CEST (01:30Z): one hour long, drawn from 01:30 to 03:30.
    const across = action(1, utc('2026-03-29T00:30:00.000Z', '2026-03-29T01:30:00.000Z'));
    const morning = action(1, timed('2026-03-29', '10:00', '11:00'));
    const evening = action(1, timed('2026-03-29', '23:00', '00:30', '2026-03-30'));
    const out = layoutDays([across, morning, evening], bounds, keys, [1], ZONE);
    expect(out.timed.get(6)?.map(brief)).toEqual([
      { id: across.id, start: 90, end: 210, lane: 0, lanes: 1, from: '01:30', to: '03:30' },
      { id: morning.id, start: 600, end: 660, lane: 0, lanes: 1, from: '10:00', to: '11:00' },
      { id: evening.id, start: 1380, end: 1440, lane: 0, lanes: 1, from: '23:00', to: '…' },
    ]);
    expect(morning.period.allDay === false && morning.period.start).toBe('2026-03-29T08:00:00.000Z');
  });

  it('fall back (last Sunday of October): a 25-hour day, both 02:30s at 02:30', () => {
    // 2026-10-25 in Paris: 03:00 CEST goes back to 02:00 CET.
    const { bounds, keys } = week('2026-10-19');
    expect(keys[6]).toBe('2026-10-25');
    expect((bounds[7] as number) - (bounds[6] as number)).toBe(25 * 3600_000);
    const first = action(1, utc('2026-10-25T00:30:00.000Z', '2026-10-25T00:45:00.000Z'));
    const second = action(2, utc('2026-10-25T01:30:00.000Z', '2026-10-25T01:45:00.000Z'));
    const morning = action(1, timed('2026-10-25', '10:00', '11:00'));
    const out = layoutDays([first, second, morning], bounds, keys, [1, 2], ZONE);
    expect(out.timed.get(12)?.map(brief)).toEqual([
      { id: first.id, start: 150, end: 165, lane: 0, lanes: 1, from: '02:30', to: '02:45' },
      { id: morning.id, start: 600, end: 660, lane: 0, lanes: 1, from: '10:00', to: '11:00' },
    ]);
    expect(out.timed.get(13)?.map(brief)).toEqual([{ id: second.id, start: 150, end: 165, lane: 0, lanes: 1, from: '02:30', to: '02:45' }]);
    expect(morning.period.allDay === false && morning.period.start).toBe('2026-10-25T09:00:00.000Z');
    // The Monday after is an ordinary day again.
    const monday = daysFrom(new TZDate(2026, 9, 26, ZONE), 1);
    const m = action(1, timed('2026-10-26', '08:15', '09:00'));
    expect(layoutDays([m], monday.bounds, monday.keys, [1], ZONE).timed.get(0)?.map(brief)).toEqual([{ id: m.id, start: 495, end: 540, lane: 0, lanes: 1, from: '08:15', to: '09:00' }]);
  });
});

describe('layoutMonth', () => {
  it('lists each day all-day first, then by start and agenda order; a continued day has no time', () => {
    const { bounds, keys } = week('2026-06-01');
    const trip = action(2, timed('2026-06-01', '18:00', '09:00', '2026-06-02'), { id: 50 });
    const meeting = action(1, timed('2026-06-02', '09:00', '10:00'), { id: 51 });
    const sameTime = action(2, timed('2026-06-02', '09:00', '09:30'), { id: 52 });
    const fair = action(1, allDay('2026-06-02', '2026-06-03'), { id: 53 });
    const hidden = action(3, timed('2026-06-02', '08:00', '09:00'), { id: 54 });
    const out = layoutMonth([meeting, sameTime, trip, fair, hidden], bounds, keys, [1, 2], ZONE);
    const day = (key: string) => (out.get(key) ?? []).map((i) => [i.action.id, i.time]);
    expect(day('2026-06-01')).toEqual([[50, '18:00']]);
    expect(day('2026-06-02')).toEqual([
      [53, ''],
      [50, ''],
      [51, '09:00'],
      [52, '09:00'],
    ]);
    expect(day('2026-06-03')).toEqual([[53, '']]);
    expect(day('2026-06-04')).toEqual([]);
  });

  it('gives wall-clock times on both DST Sundays', () => {
    const march = week('2026-03-23');
    const october = week('2026-10-19');
    const spring = action(1, utc('2026-03-29T01:15:00.000Z', '2026-03-29T02:00:00.000Z'));
    const fall = action(1, utc('2026-10-25T01:15:00.000Z', '2026-10-25T02:00:00.000Z'));
    expect(layoutMonth([spring], march.bounds, march.keys, [1], ZONE).get('2026-03-29')?.map((i) => i.time)).toEqual(['03:15']);
    expect(layoutMonth([fall], october.bounds, october.keys, [1], ZONE).get('2026-10-25')?.map((i) => i.time)).toEqual(['02:15']);
  });
});

describe('layoutDaysCached', () => {
  it('gives the layout done ahead for the same listing, days, agendas and zone, and a new one when any differs', () => {
    const w = week('2026-06-01');
    const listing = [action(10, timed('2026-06-01', '09:00', '10:00')), action(20, timed('2026-06-02', '14:00', '15:30'))];
    const ahead = layoutDaysCached(listing, w.bounds, w.keys, [10, 20], ZONE);
    // The grid asks again with its own (equal) range: the very layout laid out ahead.
    const again = week('2026-06-01');
    expect(layoutDaysCached(listing, again.bounds, again.keys, [10, 20], ZONE)).toBe(ahead);
    expect(ahead).toEqual(layoutDays(listing, w.bounds, w.keys, [10, 20], ZONE));
    // Another set of agendas, other days, or another listing of the same period: laid out anew.
    const onlyOne = layoutDaysCached(listing, w.bounds, w.keys, [20], ZONE);
    expect(onlyOne).not.toBe(ahead);
    expect([...onlyOne.timed.keys()]).toEqual([1]);
    const next = week('2026-06-08');
    expect(layoutDaysCached(listing, next.bounds, next.keys, [10, 20], ZONE).timed.size).toBe(0);
    expect(layoutDaysCached([...listing], w.bounds, w.keys, [10, 20], ZONE)).not.toBe(ahead);
  });
});

/**
 * Pure layout of a period of actions for the agenda's day, week and month views.
 *
 * Day and week: which (day, user) column each timed action falls in, its vertical span in
 * wall-clock minutes (in the viewer's zone) and a side-by-side lane for overlapping ones (greedy:
 * each action takes the first lane free at its start; a cluster of overlapping actions shares one
 * lane count); all-day actions per column. Month: each day's actions in display order.
 *
 * Everything a block shows that depends only on the action (its times as `HH:mm`) is computed
 * here once, so rendering a block formats nothing: with 20 agendas a week holds ~2,000 blocks.
 * Memoised by the caller (`useMemo`) on the inputs.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, format } from 'date-fns';
import type { ActionView } from '../../../shared/contract';

export interface TimedSegment {
  action: ActionView;
  /** Minutes since the day's midnight, wall clock. */
  startMin: number;
  endMin: number;
  /** `HH:mm` of the action's start and end (wall clock, viewer's zone); `…` when it continues. */
  startLabel: string;
  endLabel: string;
  /** Continues from the previous day / into the next day. */
  continuesBefore: boolean;
  continuesAfter: boolean;
  lane: number;
  lanes: number;
  /** Column index (day × shown users + user), for keyboard navigation and dragging. */
  col: number;
}

/**
 * An all-day action in the « Journée » row: one bar over the grid columns it covers, as Google
 * Calendar draws it. The grid's columns are days × users with the users side by side inside each
 * day (TimeGrid), so an agenda's consecutive days are adjacent columns only when one agenda is
 * shown: then an action spanning days is one bar (clipped to the days shown); with several agendas
 * its days are not contiguous and it is one piece per day, all on the same row, only the first
 * piece being the action's focusable element.
 */
export interface AllDayBar {
  action: ActionView;
  /** First grid column covered and how many adjacent columns the bar spans. */
  col: number;
  span: number;
  /** Row in the all-day row (0 = top): an action keeps its row over all its days, and bars of one agenda that share a day never share a row. */
  row: number;
  /** The action covers days before / after this bar (outside the days shown, or, with several agendas, the neighbouring day's piece). */
  continuesBefore: boolean;
  continuesAfter: boolean;
  /** The action's first bar in the days shown: its one focusable element. */
  first: boolean;
}

export interface DaysLayout {
  /** Column index (`dayIndex * users + userIndex`) → timed segments laid out. */
  timed: Map<number, TimedSegment[]>;
  /** Column index → all-day items covering that day, by row. */
  allDay: Map<number, ActionView[]>;
  /** The all-day bars, in display order (row by row, left to right). */
  allDayBars: AllDayBar[];
  /** Action id → its first bar (the focusable one). */
  allDayFirst: Map<number, AllDayBar>;
  /** Rows of all-day bars (sizes the all-day row). */
  maxAllDay: number;
}

/** Shortest visual duration, so a 5-minute call still shows its title and does not overlap the next. */
export const MIN_VISUAL_MINUTES = 20;

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));
export const minutesLabel = (min: number): string => `${pad(Math.floor(min / 60) % 24)}:${pad(min % 60)}`;

/**
 * Wall-clock minutes of instants within one day, without a `TZDate` per instant: the day's
 * midnight and the zone's offset over the day; only a day with a DST change asks the zone again.
 */
function dayClock(dayStart: number, dayEnd: number, zone: string): (ms: number) => number {
  const steady = dayEnd - dayStart === 86_400_000;
  if (steady) return (ms) => Math.floor((ms - dayStart) / 60_000);
  return (ms) => {
    const d = new TZDate(ms, zone);
    return d.getHours() * 60 + d.getMinutes();
  };
}

function layoutCell(segments: TimedSegment[]): void {
  segments.sort((a, b) => a.startMin - b.startMin || b.endMin - a.endMin || a.action.id - b.action.id);
  let cluster: TimedSegment[] = [];
  let laneEnds: number[] = [];
  let clusterEnd = -1;
  const close = () => {
    for (const s of cluster) s.lanes = laneEnds.length;
    cluster = [];
    laneEnds = [];
  };
  for (const s of segments) {
    const visualEnd = Math.max(s.endMin, s.startMin + MIN_VISUAL_MINUTES);
    if (s.startMin >= clusterEnd) close();
    let lane = laneEnds.findIndex((end) => end <= s.startMin);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(visualEnd);
    } else laneEnds[lane] = visualEnd;
    s.lane = lane;
    cluster.push(s);
    clusterEnd = Math.max(clusterEnd, visualEnd);
  }
  close();
}

/** The `n` days from `start` (a zoned midnight): their instants (n + 1 bounds) and `yyyy-MM-dd` keys. */
export function daysFrom(start: TZDate, n: number): { days: TZDate[]; bounds: number[]; keys: string[] } {
  const days = Array.from({ length: n }, (_, i) => addDays(start, i));
  const bounds = Array.from({ length: n + 1 }, (_, i) => +addDays(start, i));
  const keys = days.map((d) => format(d, 'yyyy-MM-dd'));
  return { days, bounds, keys };
}

/**
 * `layoutDays`, kept per listing (the array the store holds for a period) and per days, agendas
 * and zone: the store lays out the periods it fetches ahead while the browser is idle, so a move
 * to the next week finds its layout done and only renders. Weak: a listing dropped from the
 * store's cache takes its layouts with it.
 */
const laidOut = new WeakMap<readonly ActionView[], Map<string, DaysLayout>>();
export function layoutDaysCached(actions: readonly ActionView[], bounds: readonly number[], keys: readonly string[], userIds: readonly number[], zone: string): DaysLayout {
  const key = `${bounds[0]}|${keys.length}|${userIds.join(',')}|${zone}`;
  let byKey = laidOut.get(actions);
  const held = byKey?.get(key);
  if (held) return held;
  const value = layoutDays(actions, bounds, keys, userIds, zone);
  if (!byKey) laidOut.set(actions, (byKey = new Map()));
  // A listing is shown with one set of agendas at a time: keep the last few, not every choice.
  if (byKey.size >= 4) byKey.delete(byKey.keys().next().value as string);
  byKey.set(key, value);
  return value;
}

/** Lays out `days` (bounds: n + 1 zoned midnights; keys: their dates) for the shown users. */
export function layoutDays(actions: readonly ActionView[], bounds: readonly number[], keys: readonly string[], userIds: readonly number[], zone: string): DaysLayout {
  const timed = new Map<number, TimedSegment[]>();
  const allDay = new Map<number, ActionView[]>();
  const userIndex = new Map(userIds.map((id, i) => [id, i]));
  const nUsers = userIds.length;
  const nDays = keys.length;
  const clocks = keys.map((_, d) => dayClock(bounds[d] as number, bounds[d + 1] as number, zone));
  /** Per shown user: all-day actions with the first and last shown day they cover. */
  const spans: Array<Array<{ action: ActionView; from: number; to: number }>> = userIds.map(() => []);

  for (const action of actions) {
    const ui = userIndex.get(action.ownerId);
    if (ui === undefined) continue;
    const p = action.period;
    if (p.allDay) {
      let from = -1;
      let to = -1;
      for (let d = 0; d < nDays; d++) {
        const key = keys[d] as string;
        if (key < p.startDate || key > p.endDate) continue;
        if (from < 0) from = d;
        to = d;
      }
      if (from >= 0) spans[ui]?.push({ action, from, to });
      continue;
    }
    const start = Date.parse(p.start);
    const end = Date.parse(p.end);
    for (let d = 0; d < nDays; d++) {
      const dayStart = bounds[d] as number;
      const dayEnd = bounds[d + 1] as number;
      if (!(start < dayEnd && end > dayStart)) continue;
      const clock = clocks[d] as (ms: number) => number;
      const continuesBefore = start < dayStart;
      const continuesAfter = end > dayEnd;
      const startMin = continuesBefore ? 0 : clock(start);
      const rawEnd = end >= dayEnd ? 1440 : clock(end);
      const endMin = rawEnd <= startMin ? Math.min(1440, startMin + 1) : rawEnd;
      const col = d * nUsers + ui;
      const seg: TimedSegment = {
        action,
        startMin,
        endMin,
        startLabel: continuesBefore ? '…' : minutesLabel(startMin),
        endLabel: continuesAfter ? '…' : minutesLabel(rawEnd),
        continuesBefore,
        continuesAfter,
        lane: 0,
        lanes: 1,
        col,
      };
      const list = timed.get(col);
      if (list) list.push(seg);
      else timed.set(col, [seg]);
    }
  }
  for (const segments of timed.values()) layoutCell(segments);
  const { bars, rows } = layoutAllDay(spans, keys, nUsers);
  const allDayFirst = new Map<number, AllDayBar>();
  for (const bar of bars) {
    if (bar.first) allDayFirst.set(bar.action.id, bar);
    for (let c = bar.col; c < bar.col + bar.span; c += 1) {
      const list = allDay.get(c);
      if (list) list.push(bar.action);
      else allDay.set(c, [bar.action]);
    }
  }
  return { timed, allDay, allDayBars: bars, allDayFirst, maxAllDay: rows };
}

/**
 * Rows for each agenda's all-day actions: by first day, the longer first, then by id, each takes
 * the first row free on its first day (interval greedy: as many rows as the most actions on one
 * day). Then their bars: one per action with a single agenda, one per day with several.
 */
function layoutAllDay(spans: Array<Array<{ action: ActionView; from: number; to: number }>>, keys: readonly string[], nUsers: number): { bars: AllDayBar[]; rows: number } {
  const bars: AllDayBar[] = [];
  let rows = 0;
  const firstKey = keys[0] as string;
  const lastKey = keys[keys.length - 1] as string;
  spans.forEach((list, ui) => {
    list.sort((a, b) => a.from - b.from || b.to - a.to || a.action.id - b.action.id);
    const rowEnds: number[] = [];
    for (const { action, from, to } of list) {
      let row = rowEnds.findIndex((end) => end < from);
      if (row === -1) row = rowEnds.push(to) - 1;
      else rowEnds[row] = to;
      const p = action.period as Extract<ActionView['period'], { allDay: true }>;
      const before = p.startDate < firstKey;
      const after = p.endDate > lastKey;
      if (nUsers === 1) {
        bars.push({ action, col: from, span: to - from + 1, row, continuesBefore: before, continuesAfter: after, first: true });
        continue;
      }
      for (let d = from; d <= to; d++) {
        bars.push({ action, col: d * nUsers + ui, span: 1, row, continuesBefore: d > from || before, continuesAfter: d < to || after, first: d === from });
      }
    }
    rows = Math.max(rows, rowEnds.length);
  });
  bars.sort((a, b) => a.row - b.row || a.col - b.col);
  return { bars, rows };
}

export interface MonthItem {
  action: ActionView;
  /** `HH:mm` of the start on this day; '' for all-day actions and days it continues over. */
  time: string;
}

/** Each day's actions (all-day first, then by start), for the month grid. */
export function layoutMonth(actions: readonly ActionView[], bounds: readonly number[], keys: readonly string[], userIds: readonly number[], zone: string): Map<string, MonthItem[]> {
  const out = new Map<string, Array<MonthItem & { sort: number }>>();
  const shown = new Set(userIds);
  const order = new Map(userIds.map((id, i) => [id, i]));
  const clocks = keys.map((_, d) => dayClock(bounds[d] as number, bounds[d + 1] as number, zone));
  const push = (key: string, item: MonthItem & { sort: number }) => {
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  };
  for (const action of actions) {
    if (!shown.has(action.ownerId)) continue;
    const p = action.period;
    if (p.allDay) {
      for (const key of keys) if (key >= p.startDate && key <= p.endDate) push(key, { action, time: '', sort: -1 });
      continue;
    }
    const start = Date.parse(p.start);
    const end = Date.parse(p.end);
    for (let d = 0; d < keys.length; d++) {
      const dayStart = bounds[d] as number;
      if (!(start < (bounds[d + 1] as number) && end > dayStart)) continue;
      const startMin = start < dayStart ? 0 : (clocks[d] as (ms: number) => number)(start);
      push(keys[d] as string, { action, time: start < dayStart ? '' : minutesLabel(startMin), sort: startMin });
    }
  }
  for (const list of out.values()) list.sort((a, b) => a.sort - b.sort || (order.get(a.action.ownerId) ?? 0) - (order.get(b.action.ownerId) ?? 0) || a.action.id - b.action.id);
  return out as Map<string, MonthItem[]>;
}

/**
 * Pure layout of a week of actions: which day/user cell each action falls in, its vertical span
 * in wall-clock minutes (in the user's zone), and a side-by-side lane for overlapping ones
 * (greedy: each action takes the first lane free at its start; a cluster of overlapping actions
 * shares one lane count). Memoised by the caller (`useMemo`) on the inputs.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, format } from 'date-fns';
import type { ActionView } from '../../../shared/contract';

export interface TimedSegment {
  action: ActionView;
  /** Minutes since the day's midnight, wall clock. */
  startMin: number;
  endMin: number;
  /** Continues from the previous day / into the next day. */
  continuesBefore: boolean;
  continuesAfter: boolean;
  lane: number;
  lanes: number;
}

export interface WeekLayout {
  /** Cell key `${dayIndex}:${userId}` → timed segments laid out. */
  timed: Map<string, TimedSegment[]>;
  /** Cell key → all-day items covering that day. */
  allDay: Map<string, ActionView[]>;
  /** Largest number of all-day items in one cell (sizes the all-day row). */
  maxAllDay: number;
}

export const cellKey = (dayIndex: number, userId: number): string => `${dayIndex}:${userId}`;

/** Shortest visual duration, so a 5-minute call still shows its title and does not overlap the next. */
const MIN_VISUAL_MINUTES = 20;

function wallMinutes(ms: number, zone: string): number {
  const d = new TZDate(ms, zone);
  return d.getHours() * 60 + d.getMinutes();
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

export function layoutWeek(actions: readonly ActionView[], weekStart: TZDate, userIds: readonly number[], zone: string): WeekLayout {
  const timed = new Map<string, TimedSegment[]>();
  const allDay = new Map<string, ActionView[]>();
  const shown = new Set(userIds);
  const bounds = Array.from({ length: 8 }, (_, i) => +addDays(weekStart, i));
  const dayKeys = Array.from({ length: 7 }, (_, i) => format(addDays(weekStart, i), 'yyyy-MM-dd'));

  for (const action of actions) {
    if (!shown.has(action.ownerId)) continue;
    const p = action.period;
    if (p.allDay) {
      for (let d = 0; d < 7; d++) {
        const key = dayKeys[d] as string;
        if (key < p.startDate || key > p.endDate) continue;
        const k = cellKey(d, action.ownerId);
        const list = allDay.get(k);
        if (list) list.push(action);
        else allDay.set(k, [action]);
      }
      continue;
    }
    const start = Date.parse(p.start);
    const end = Date.parse(p.end);
    for (let d = 0; d < 7; d++) {
      const dayStart = bounds[d] as number;
      const dayEnd = bounds[d + 1] as number;
      if (!(start < dayEnd && end > dayStart)) continue;
      const continuesBefore = start < dayStart;
      const continuesAfter = end > dayEnd;
      const startMin = continuesBefore ? 0 : wallMinutes(start, zone);
      let endMin = end >= dayEnd ? 1440 : wallMinutes(end, zone);
      if (endMin <= startMin) endMin = Math.min(1440, startMin + 1);
      const k = cellKey(d, action.ownerId);
      const seg: TimedSegment = { action, startMin, endMin, continuesBefore, continuesAfter, lane: 0, lanes: 1 };
      const list = timed.get(k);
      if (list) list.push(seg);
      else timed.set(k, [seg]);
    }
  }
  for (const segments of timed.values()) layoutCell(segments);
  let maxAllDay = 0;
  for (const list of allDay.values()) {
    list.sort((a, b) => a.id - b.id);
    maxAllDay = Math.max(maxAllDay, list.length);
  }
  return { timed, allDay, maxAllDay };
}

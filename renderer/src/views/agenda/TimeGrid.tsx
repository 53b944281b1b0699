/**
 * The day and week views: a time axis and one column per (day, shown user) — users side by side
 * inside each day, so a manager reads "who is free on Tuesday at 10" at a glance. Columns have a
 * readable minimum width; when they do not fit, the grid scrolls sideways with the time axis and
 * the day/user headers sticky, and only the columns in view (plus a few) are in the DOM
 * (@tanstack/react-virtual, horizontal): a 20-agenda week is ~140 columns and ~2,000 blocks.
 *
 * Editing on the grid (only on actions the viewer may change; the core checks it again):
 * drag a block to move it (time and day; another user's column is refused: no reassignment),
 * drag its bottom edge to resize, both snapping to 15 minutes with a live preview and Escape to
 * cancel; from the keyboard, Alt+arrows move a focused block (15 minutes / a day) and
 * Alt+Shift+↑/↓ change its end. An all-day action is one bar over the days it covers (one piece
 * per day when several agendas are shown: see lib/weekLayout.ts AllDayBar); it moves the same way
 * to another day, whole (its span kept, still all day): by drag along the « Journée » row, or
 * Alt+←/→ by a day (Alt+↑/↓ say so). What may
 * move and where is lib/gridEdit.ts's, as for the month. Double-click an empty slot to create an
 * action there.
 * Arrows move the focus between blocks, PageUp/PageDown change period, T goes to today.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent as ReactKeyboardEvent, type MouseEvent as ReactMouseEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { TZDate } from '@date-fns/tz';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import type { ActionSyncState, ActionType, ActionView, Period, UserSummary } from '../../../../shared/contract';
import { LockIcon, SyncStateIcon } from '../../components/Icons';
import { textColorOn } from '../../lib/color';
import { fmt } from '../../lib/dates';
import { allDayVerticalRefusal, dropRefused, movable, refusal } from '../../lib/gridEdit';
import { initials, shortName } from '../../lib/names';
import { periodText as dayPeriodText, samePeriod, shiftDays } from '../../lib/period';
import { MIN_VISUAL_MINUTES, minutesLabel, type AllDayBar, type DaysLayout, type TimedSegment } from '../../lib/weekLayout';
import { useAgenda } from '../../stores/agenda';

const FIRST_HOUR = 7;
const LAST_HOUR = 20;
const MIN_HOUR_HEIGHT = 40;
const GUTTER_W = 56;
const SNAP = 15;
const HOURS = Array.from({ length: 24 }, (_, h) => h);
/** Narrowest readable column when several agendas are side by side (week / day). */
const MIN_COL_WEEK = 44;
const MIN_COL_DAY = 96;
/** Overlapping blocks narrower than this cascade (each shifted a little) instead of splitting the column. */
const MIN_LANE_W = 40;
/** Heights of the head: day names, user names (several agendas), one all-day row of bars. */
const DAY_NAME_H = 37;
const USER_HEADS_H = 21;
const ALLDAY_CHIP_H = 22;
/**
 * The hours are sized for an all-day row of two chips whatever the period holds, so the hour
 * height (and the scroll position) stays the same from one period to the next.
 */
const ALLDAY_RESERVED = 8 + 2 * ALLDAY_CHIP_H;

/** Last measured sizes: a remounted grid starts right, without a second render. */
let lastSize = { width: typeof window === 'undefined' ? 1280 : window.innerWidth - 300, height: 700 };
let sizeMeasured = false;

export interface BlockLabels {
  busy: string;
  private: string;
  sync: Record<ActionSyncState, string>;
  hintId: string;
  /** The description of a chip that moves (Alt+←/→, drag to another day). */
  allDayHintId: string;
}

interface Props {
  view: 'day' | 'week';
  days: TZDate[];
  keys: string[];
  users: UserSummary[];
  layout: DaysLayout;
  typesById: Map<number, ActionType>;
  timeZone: string;
  todayKey: string;
  selectedId: number | null;
  loadedFrom: string;
  loading: boolean;
  canEdit(ownerId: number): boolean;
  onSelect(id: number): void;
}

interface Drag {
  id: number;
  /** `day`: an all-day chip, moved whole by whole days along the all-day row. */
  mode: 'move' | 'resize' | 'day';
  action: ActionView;
  /** The grid column it was picked up in (a chip: the column under the pointer, a bar spans several). */
  from: number;
  /** The timed block's segment (move, resize); null for a chip. */
  seg: TimedSegment | null;
  pointerId: number;
  x0: number;
  y0: number;
  started: boolean;
  /** Preview: target column, minutes in that day (timed; a chip: `top` is its row), and the period it would save. */
  col: number;
  top: number;
  bottom: number;
  period: Period | null;
  refused: boolean;
  /** Escape pressed: nothing more happens, the coming click is swallowed. */
  cancelled?: boolean;
}

const snap = (min: number) => Math.round(min / SNAP) * SNAP;

/**
 * The grid column an element of the grid stands for: a slot and an all-day chip carry it, a timed
 * block is its column's child (one attribute less to write on each of ~1,000 blocks per week).
 */
function colOf(el: HTMLElement): string | undefined {
  return el.dataset.col ?? (el.classList.contains('action-block') ? el.parentElement?.dataset.col : undefined);
}

/** The timed block of action `id` in column `col` (an action over midnight has one per day). */
const blockSelector = (id: number, col: number) => `.week-body .user-col[data-col="${col}"] > [data-action-id="${id}"]`;
/** The all-day chip of action `id` starting in column `col`: its focusable bar (lib/weekLayout.ts AllDayBar `first`). */
const chipSelector = (id: number, col: number) => `.all-day-row [data-testid=action-block][data-action-id="${id}"][data-col="${col}"]`;

/** The lock icon (as LockIcon draws it) as a CSS image in `color`, for a pseudo-element. */
function lockImage(color: string): string {
  const svg = `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><path d='M4.5 7V5a3.5 3.5 0 017 0v2M3.5 7h9a.5.5 0 01.5.5v6a.5.5 0 01-.5.5h-9a.5.5 0 01-.5-.5v-6a.5.5 0 01.5-.5z' stroke='${color}' stroke-width='1.5' fill='none' stroke-linejoin='round'/></svg>`;
  return `url("data:image/svg+xml,${encodeURIComponent(svg)}")`;
}

/** A wall-clock time `minutes` after midnight of `day` + `dayOffset` days, in `zone` (overflow rolls over, DST-aware). */
function wallInstant(day: TZDate, dayOffset: number, minutes: number, zone: string): number {
  return +new TZDate(day.getFullYear(), day.getMonth(), day.getDate() + dayOffset, 0, minutes, zone);
}

/** The indexes of the days shown (`keys`, `yyyy-MM-dd`) that the all-day `period` covers. */
function daysCovered(keys: readonly string[], period: Period): number[] {
  return period.allDay ? keys.flatMap((k, d) => (k >= period.startDate && k <= period.endDate ? [d] : [])) : [];
}

function isoPeriod(start: number, end: number): Period {
  return { allDay: false, start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

export function TimeGrid({ view, days, keys, users, layout, typesById, timeZone, todayKey, selectedId, loadedFrom, loading, canEdit, onSelect }: Props) {
  const { t, i18n } = useTranslation();
  const scrollRef = useRef<HTMLDivElement>(null);
  const colsRef = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState(lastSize);
  const [drag, setDrag] = useState<Drag | null>(null);
  const dragRef = useRef<Drag | null>(null);
  const justDragged = useRef(false);
  const [message, setMessage] = useState('');
  /**
   * The block to focus after a keyboard move; `leaving`: the column it moves out of (the old block
   * stays there until the store updates); `chip`: an all-day chip, and the column it lands in.
   */
  const refocus = useRef<{ id: number; leaving: number | null; chip?: number } | null>(null);
  const focusedCol = useRef(-1);
  /**
   * The grid's one Tab stop (roving tabindex): the slot or block that last had the focus, at
   * first the first agenda's column of today (or of the first day). Arrows move it; Tab leaves
   * the grid for the next control.
   */
  const todayIndex = keys.indexOf(todayKey);
  const [rove, setRove] = useState<{ col: number; id: number | null }>({ col: -1, id: null });

  const nUsers = Math.max(1, users.length);
  const nCols = days.length * nUsers;
  const roveCol = rove.col >= 0 && rove.col < nCols ? rove.col : Math.max(0, todayIndex) * nUsers;
  const roveCols = useRef(roveCol);
  roveCols.current = roveCol;
  const minCol = users.length > 1 ? (view === 'day' ? MIN_COL_DAY : MIN_COL_WEEK) : 0;
  const colW = Math.max(minCol, (size.width - GUTTER_W) / nCols);
  const colsW = colW * nCols;
  const headH = DAY_NAME_H + (users.length > 1 ? USER_HEADS_H : 0) + 1;
  const available = size.height - headH - ALLDAY_RESERVED;
  const hourHeight = Math.max(MIN_HOUR_HEIGHT, Math.floor((available - 8) / (LAST_HOUR - FIRST_HOUR)));

  // Sizes from the scroller only: its size does not change with the period shown, so moving to
  // another week never measures, re-renders or scrolls again. Read at mount only the first time:
  // reading it lays the whole new grid out in the middle of React's commit. Later mounts start
  // from the last size measured, and the observer (it reports after the frame's own layout)
  // corrects it if the window changed while the agenda was closed.
  useLayoutEffect(() => {
    const scroller = scrollRef.current;
    if (!scroller) return;
    const measure = () => {
      const next = { width: scroller.clientWidth, height: scroller.clientHeight };
      lastSize = next;
      sizeMeasured = true;
      setSize((s) => (s.width === next.width && s.height === next.height ? s : next));
    };
    if (!sizeMeasured) measure();
    const ro = new ResizeObserver(measure);
    ro.observe(scroller);
    return () => ro.disconnect();
  }, []);

  // Open on 07:00 (its label just visible); again when the hour size or the view changes.
  const scrolledFor = useRef<string | null>(null);
  const scrollKey = `${hourHeight}:${view}`;
  useLayoutEffect(() => {
    const scroller = scrollRef.current;
    if (scroller && scrolledFor.current !== scrollKey) {
      scroller.scrollTop = FIRST_HOUR * hourHeight - 8;
      scrolledFor.current = scrollKey;
    }
  }, [scrollKey, hourHeight]);

  // The focused column and the Tab stop's stay in the DOM when scrolled out of view.
  const rangeExtractor = useCallback((range: Range) => {
    const out = defaultRangeExtractor(range);
    for (const f of [focusedCol.current, roveCols.current]) {
      if (f >= 0 && f < range.count && !out.includes(f)) out.push(f);
    }
    out.sort((a, b) => a - b);
    return out;
  }, []);
  const virtualizer = useVirtualizer({
    horizontal: true,
    count: nCols,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => colW,
    paddingStart: GUTTER_W,
    // One column each side: each holds ~25 blocks in a busy team week.
    overscan: 1,
    initialRect: { width: size.width, height: size.height },
    rangeExtractor,
  });
  useLayoutEffect(() => virtualizer.measure(), [colW, nCols, virtualizer]);
  const visible = virtualizer.getVirtualItems().map((v) => v.index);
  const visibleByDay = useMemo(() => {
    const out: number[][] = days.map(() => []);
    for (const c of visible) out[Math.floor(c / nUsers)]?.push(c % nUsers);
    return out;
  }, [visible.join(','), days.length, nUsers]);

  const labels = useMemo<BlockLabels>(
    () => ({
      busy: t('agenda.busy'),
      private: t('agenda.private'),
      sync: { synced: t('syncBadge.synced'), pending: t('syncBadge.pending'), deletion: t('syncBadge.deletion'), error: t('syncBadge.error') },
      hintId: 'agenda-move-hint',
      allDayHintId: 'agenda-allday-move-hint',
    }),
    [t, i18n.language],
  );

  // Each column's name for screen readers says whose agenda and which day: the days formatted
  // once per period and the sentence asked of i18next once, not for each column at each render.
  const dayLabels = useMemo(() => days.map((d) => fmt(d, t('formats.dayLong'), timeZone)), [days, t, timeZone, i18n.language]);
  const slotLabel = useMemo(() => {
    const sentence = t('agenda.grid.slot', { name: '\u0001', day: '\u0002' });
    return (name: string, day: string) => sentence.replace('\u0001', () => name).replace('\u0002', () => day);
  }, [t, i18n.language]);

  const segById = useCallback(
    (id: number, col: number): TimedSegment | undefined => layout.timed.get(col)?.find((s) => s.action.id === id),
    [layout],
  );

  // After a keyboard move, the focus follows the block (it may now be in another column).
  useEffect(() => {
    const target = refocus.current;
    if (target === null) return;
    const el =
      target.chip !== undefined
        ? scrollRef.current?.querySelector<HTMLElement>(chipSelector(target.id, target.chip))
        : [...(scrollRef.current?.querySelectorAll<HTMLElement>(`.week-body [data-action-id="${target.id}"]`) ?? [])].find(
            (b) => target.leaving === null || colOf(b) !== String(target.leaving),
          );
    if (el && document.activeElement !== el) {
      el.focus();
      el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }
    if (el) refocus.current = null;
  });

  const save = useCallback((id: number, period: Period, announce: string) => {
    setMessage(announce);
    void useAgenda.getState().moveAction(id, period);
  }, []);

  const periodText = (p: Period) => (p.allDay ? dayPeriodText(t, p, timeZone) : `${fmt(Date.parse(p.start), t('formats.dayHeader'), timeZone)} ${fmt(Date.parse(p.start), t('formats.time'), timeZone)}–${fmt(Date.parse(p.end), t('formats.time'), timeZone)}`);

  /** The period a move/resize of `seg` by `minDelta` minutes and `dayDelta` days gives (null: none). */
  const shifted = (seg: TimedSegment, mode: 'move' | 'resize', dayDelta: number, minDelta: number): { period: Period; top: number; bottom: number } | null => {
    const a = seg.action;
    if (a.period.allDay) return null;
    const start = Date.parse(a.period.start);
    const end = Date.parse(a.period.end);
    const segDay = days[Math.floor(seg.col / nUsers)] as TZDate;
    if (mode === 'move') {
      const s = new TZDate(start, timeZone);
      const wall = s.getHours() * 60 + s.getMinutes();
      // Days between the segment's day and the action's start day (a segment may continue one).
      const startDay = new TZDate(s.getFullYear(), s.getMonth(), s.getDate(), timeZone);
      const newStart = wallInstant(startDay, dayDelta, snap(wall + minDelta), timeZone);
      const newEnd = newStart + (end - start);
      const top = seg.continuesBefore ? 0 : snap(seg.startMin + minDelta);
      return { period: isoPeriod(newStart, newEnd), top, bottom: top + Math.max(seg.endMin - seg.startMin, MIN_VISUAL_MINUTES) };
    }
    const endMin = Math.min(1440, Math.max(seg.continuesBefore ? SNAP : seg.startMin + SNAP, snap(seg.endMin + minDelta)));
    const newEnd = wallInstant(segDay, 0, endMin, timeZone);
    if (newEnd <= start) return null;
    return { period: isoPeriod(start, newEnd), top: seg.startMin, bottom: endMin };
  };

  // ---- pointer drag (move and resize) ----
  // The window listeners are installed once per drag; they call the latest render's handlers.
  const handlers = useRef({ move: (_e: PointerEvent) => {}, up: (_e: PointerEvent) => {}, key: (_e: KeyboardEvent) => {} });
  const listeners = useMemo(
    () => ({
      move: (e: PointerEvent) => handlers.current.move(e),
      up: (e: PointerEvent) => handlers.current.up(e),
      key: (e: KeyboardEvent) => handlers.current.key(e),
    }),
    [],
  );
  const stopListening = useCallback(() => {
    window.removeEventListener('pointermove', listeners.move);
    window.removeEventListener('pointerup', listeners.up);
    window.removeEventListener('pointercancel', listeners.up);
    window.removeEventListener('keydown', listeners.key, true);
  }, [listeners]);
  useEffect(() => stopListening, [stopListening]);

  const finish = (started: boolean) => {
    stopListening();
    dragRef.current = null;
    setDrag(null);
    if (started) {
      // The click that ends a drag does not also open the block.
      justDragged.current = true;
      setTimeout(() => (justDragged.current = false), 0);
    }
  };

  handlers.current.move = (e: PointerEvent) => {
    const d = dragRef.current;
    const cols = colsRef.current;
    if (!d || e.pointerId !== d.pointerId || !cols || d.cancelled) return;
    const dx = e.clientX - d.x0;
    const dy = e.clientY - d.y0;
    if (!d.started && Math.hypot(dx, dy) < 4) return;
    const minDelta = (dy / hourHeight) * 60;
    let next: Drag;
    if (d.mode === 'resize') {
      const r = d.seg ? shifted(d.seg, 'resize', 0, minDelta) : null;
      next = { ...d, started: true, top: r?.top ?? d.top, bottom: r?.bottom ?? d.bottom, period: r?.period ?? null };
    } else {
      // The column under the pointer (the all-day row's columns are the body's, same left and width).
      const rect = cols.getBoundingClientRect();
      const col = Math.max(0, Math.min(nCols - 1, Math.floor((e.clientX - rect.left) / colW)));
      const dayDelta = Math.floor(col / nUsers) - Math.floor(d.from / nUsers);
      const refused = dropRefused(d.action, users[col % nUsers]?.id);
      if (d.mode === 'day') {
        // A chip keeps its days' count and stays all day, whatever the pointer's height.
        next = { ...d, started: true, col, period: refused ? null : shiftDays(d.action.period, dayDelta, timeZone), refused };
      } else {
        const r = d.seg ? shifted(d.seg, 'move', dayDelta, minDelta) : null;
        next = { ...d, started: true, col, top: r?.top ?? d.top, bottom: r?.bottom ?? d.bottom, period: refused ? null : (r?.period ?? null), refused };
      }
    }
    dragRef.current = next;
    setDrag(next);
  };

  handlers.current.up = (e: PointerEvent) => {
    const d = dragRef.current;
    if (!d || e.pointerId !== d.pointerId) return;
    finish(d.started);
    if (!d.started || d.cancelled) return;
    if (d.refused) {
      setMessage(t('agenda.grid.otherUserRefused'));
      return;
    }
    if (!d.period || samePeriod(d.period, d.action.period)) return;
    save(d.id, d.period, t(d.mode === 'resize' ? 'agenda.grid.resized' : 'agenda.grid.moved', { period: periodText(d.period) }));
  };

  // Escape cancels a drag in progress: nothing is saved.
  handlers.current.key = (e: KeyboardEvent) => {
    const d = dragRef.current;
    if (e.key !== 'Escape' || !d) return;
    e.preventDefault();
    e.stopPropagation();
    if (!d.started) {
      finish(false);
      return;
    }
    // The button is still down: wait for it to come up, so its click does not open the block.
    dragRef.current = { ...d, cancelled: true };
    setDrag(null);
    setMessage(t('agenda.grid.cancelled'));
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (e.button !== 0 || dragRef.current) return;
    const block = (e.target as HTMLElement).closest<HTMLElement>('.action-block.editable, .allday-chip.editable');
    if (!block) return;
    const id = Number(block.dataset.actionId);
    let col = Number(colOf(block));
    if (block.classList.contains('allday-chip')) {
      // A bar spans several days: the day it is held by is the one under the pointer.
      const cols = colsRef.current;
      if (cols) col = Math.max(col, Math.min(col + Number(block.dataset.span ?? 1) - 1, Math.floor((e.clientX - cols.getBoundingClientRect().left) / colW)));
      const action = layout.allDay.get(col)?.find((a) => a.id === id);
      if (!action) return;
      const row = layout.allDayFirst.get(id)?.row ?? 0;
      dragRef.current = { id, pointerId: e.pointerId, x0: e.clientX, y0: e.clientY, started: false, from: col, col, period: null, refused: false, mode: 'day', action, seg: null, top: row, bottom: row };
    } else {
      const press = { id, pointerId: e.pointerId, x0: e.clientX, y0: e.clientY, started: false, from: col, col, period: null, refused: false };
      const seg = segById(id, col);
      if (!seg) return;
      // The bottom 6 px of a resizable block (its grip, drawn by CSS) resize it.
      const resize = block.classList.contains('resizable') && e.clientY >= block.getBoundingClientRect().bottom - 6;
      dragRef.current = { ...press, mode: resize ? 'resize' : 'move', action: seg.action, seg, top: seg.startMin, bottom: seg.endMin };
    }
    window.addEventListener('pointermove', listeners.move);
    window.addEventListener('pointerup', listeners.up);
    window.addEventListener('pointercancel', listeners.up);
    window.addEventListener('keydown', listeners.key, true);
  };

  // The resize grip's cursor: the bottom 6 px of the resizable block under the pointer (the grip
  // has no element of its own, see .action-block.resizable in styles.css).
  const gripBlock = useRef<HTMLElement | null>(null);
  const setGrip = (block: HTMLElement | null) => {
    if (gripBlock.current !== block) gripBlock.current?.classList.remove('on-grip');
    // Checked on the element, not only the ref: React rewrites a block's class when it is selected.
    if (block && !block.classList.contains('on-grip')) block.classList.add('on-grip');
    gripBlock.current = block;
  };
  const onPointerMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (dragRef.current) return;
    const block = (e.target as HTMLElement).closest<HTMLElement>('.action-block.resizable');
    setGrip(block && e.clientY >= block.getBoundingClientRect().bottom - 6 ? block : null);
  };

  const onClickCapture = (e: ReactMouseEvent) => {
    if (justDragged.current) {
      e.stopPropagation();
      e.preventDefault();
    }
  };

  // One click handler for every block (a click, or Enter / Space on a focused one): the block
  // says which action it is.
  const onClick = (e: ReactMouseEvent) => {
    const block = (e.target as HTMLElement).closest<HTMLElement>('[data-testid=action-block], [data-testid=allday-piece]');
    if (block?.dataset.actionId !== undefined) onSelect(Number(block.dataset.actionId));
  };

  // ---- double-click an empty slot: a new action there ----
  const onDoubleClick = (e: ReactMouseEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    if (target.closest('[data-testid=action-block], [data-testid=allday-piece]')) return;
    const cols = colsRef.current;
    if (!cols) return;
    const rect = cols.getBoundingClientRect();
    const col = Math.floor((e.clientX - rect.left) / colW);
    if (col < 0 || col >= nCols) return;
    createAt(col, Math.floor(((e.clientY - rect.top) / hourHeight) * 4) * 15);
  };

  const createAt = (col: number, minutes: number) => {
    const user = users[col % nUsers];
    const day = days[Math.floor(col / nUsers)];
    if (!user || !day) return;
    if (!canEdit(user.id)) {
      setMessage(t('agenda.grid.createRefused', { name: user.displayName }));
      return;
    }
    const m = Math.max(0, Math.min(1440 - 60, minutes));
    const start = wallInstant(day, 0, m, timeZone);
    useAgenda.getState().startNew({ ownerId: user.id, period: isoPeriod(start, wallInstant(day, 0, m + 60, timeZone)) });
  };

  // ---- keyboard ----
  const onKeyDown = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    if (target.closest('input, select, textarea')) return;
    // Blocks are role="button" elements (see ActionBlock): Enter and Space open them, as a button's would.
    if ((e.key === 'Enter' || e.key === ' ') && target.dataset.testid === 'action-block' && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      onSelect(Number(target.dataset.actionId));
      return;
    }
    const slot = target.closest<HTMLElement>('.user-col');
    if (slot && target === slot) {
      const col = Number(slot.dataset.col);
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        const now = new TZDate(Date.now(), timeZone);
        createAt(col, Math.max(FIRST_HOUR * 60, (now.getHours() + 1) * 60));
      } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        e.preventDefault();
        focusSlot(col + (e.key === 'ArrowLeft' ? -1 : 1));
      } else if (e.key === 'ArrowDown') {
        // Into the column: its first action (by start).
        e.preventDefault();
        const first = layout.timed.get(col)?.[0];
        if (first) focusAt(first.col, blockSelector(first.action.id, col));
      } else if (e.key === 'ArrowUp') {
        // Up to the column's all-day actions (a bar may start on an earlier day).
        e.preventDefault();
        focusBar(layout.allDay.get(col)?.[0]);
      }
      return;
    }
    const chip = target.closest<HTMLElement>('.all-day-row [data-testid=action-block]');
    if (chip && e.key.startsWith('Arrow')) {
      e.preventDefault();
      const col = Number(chip.dataset.col);
      const bar = layout.allDayFirst.get(Number(chip.dataset.actionId));
      if (!bar) return;
      const list = layout.allDay.get(col) ?? [];
      const i = list.indexOf(bar.action);
      if (e.altKey) {
        if (!chip.classList.contains('editable')) setMessage(t(refusal(bar.action)));
        // A day sideways; a week up or down would only take it out of the period shown: say how it moves.
        else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') moveChip(bar.action, col, e.key === 'ArrowLeft' ? -1 : 1);
        else setMessage(t(allDayVerticalRefusal));
        return;
      }
      // Sideways: the slot beside the bar (after its last day going right); up and down: the bars
      // above and below in its first column, then the slot.
      if (e.key === 'ArrowLeft') focusSlot(col - 1);
      else if (e.key === 'ArrowRight') focusSlot(bar.col + bar.span);
      else if (e.key === 'ArrowUp' && i > 0) focusBar(list[i - 1]);
      else if (e.key === 'ArrowDown' && i < list.length - 1) focusBar(list[i + 1]);
      else if (e.key === 'ArrowDown') focusSlot(col);
      return;
    }
    const block = target.closest<HTMLElement>('.week-body [data-testid=action-block]');
    if (!block || !e.key.startsWith('Arrow')) return;
    const id = Number(block.dataset.actionId);
    const col = Number(colOf(block));
    const seg = segById(id, col);
    if (!seg) return;
    e.preventDefault();
    if (e.altKey) {
      if (!block.classList.contains('editable')) {
        setMessage(t(refusal(seg.action)));
        return;
      }
      const resize = e.shiftKey;
      if (resize && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) return;
      if (resize && seg.continuesAfter) return;
      const dayDelta = e.key === 'ArrowLeft' ? -1 : e.key === 'ArrowRight' ? 1 : 0;
      const minDelta = e.key === 'ArrowUp' ? -SNAP : e.key === 'ArrowDown' ? SNAP : 0;
      const r = shifted(seg, resize ? 'resize' : 'move', dayDelta, minDelta);
      if (!r) return;
      refocus.current = { id, leaving: dayDelta !== 0 ? seg.col : null };
      save(id, r.period, t(resize ? 'agenda.grid.resized' : 'agenda.grid.moved', { period: periodText(r.period) }));
      return;
    }
    focusNeighbour(seg, e.key);
  };

  /**
   * Moves the all-day `action`, whose bar starting in column `col` has the focus, by `delta` days;
   * the focus follows the bar to the first day it covers in the period shown (else to the slot it
   * left).
   */
  const moveChip = (action: ActionView, col: number, delta: number) => {
    const period = shiftDays(action.period, delta, timeZone);
    const ui = col % nUsers;
    const day = daysCovered(keys, period)[0] ?? -1;
    if (day >= 0) {
      const target = day * nUsers + ui;
      refocus.current = { id: action.id, leaving: null, chip: target };
      focusedCol.current = target;
      virtualizer.scrollToIndex(target, { align: 'auto' });
    } else focusSlot(col);
    save(action.id, period, t('agenda.grid.moved', { period: periodText(period) }));
  };

  /** Focuses what `selector` finds once column `col` is scrolled into view (and rendered). */
  const focusAt = (col: number, selector: string, slot = false) => {
    const root = scrollRef.current;
    if (!root) return;
    focusedCol.current = col;
    virtualizer.scrollToIndex(col, { align: 'auto' });
    requestAnimationFrame(() => {
      const el = root.querySelector<HTMLElement>(selector);
      if (!el) return;
      // A slot is the column's full height: only the sideways scroll follows it.
      el.focus({ preventScroll: slot });
      if (!slot) el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    });
  };
  const focusSlot = (col: number) => {
    if (col < 0 || col >= nCols) return;
    focusAt(col, `.week-body .user-col[data-col="${col}"]`, true);
  };
  /** Focuses all-day action `a` on its bar, where the bar starts (it may start on an earlier day than the column asked from). */
  const focusBar = (a: ActionView | undefined) => {
    const b = a && layout.allDayFirst.get(a.id);
    if (b) focusAt(b.col, chipSelector(a.id, b.col));
  };

  const focusNeighbour = (seg: TimedSegment, key: string) => {
    const root = scrollRef.current;
    if (!root) return;
    let found: TimedSegment | undefined;
    if (key === 'ArrowUp' || key === 'ArrowDown') {
      const list = layout.timed.get(seg.col) ?? [];
      const i = list.indexOf(seg);
      found = list[key === 'ArrowUp' ? i - 1 : i + 1];
      // Above the column's first action: its empty slot.
      if (!found && key === 'ArrowUp') {
        focusSlot(seg.col);
        return;
      }
    } else {
      const step = key === 'ArrowLeft' ? -1 : 1;
      for (let c = seg.col + step; c >= 0 && c < nCols && !found; c += step) {
        const list = layout.timed.get(c);
        if (!list?.length) continue;
        found = list.reduce((best, s) => (Math.abs(s.startMin - seg.startMin) < Math.abs(best.startMin - seg.startMin) ? s : best));
      }
    }
    if (!found) return;
    focusAt(found.col, blockSelector(found.action.id, found.col));
  };

  const onFocus = (e: React.FocusEvent<HTMLDivElement>) => {
    const el = e.target as HTMLElement;
    const c = colOf(el);
    focusedCol.current = c === undefined ? -1 : Number(c);
    if (c === undefined) return;
    const col = Number(c);
    const id = el.classList.contains('user-col') ? null : el.dataset.actionId !== undefined ? Number(el.dataset.actionId) : undefined;
    if (id !== undefined) setRove((r) => (r.col === col && r.id === id ? r : { col, id }));
  };

  // The Tab stop: the block last focused if this period still shows it in that column, else the slot.
  const roveId = rove.id !== null && rove.col === roveCol && (layout.timed.get(roveCol)?.some((x) => x.action.id === rove.id) || layout.allDayFirst.get(rove.id)?.col === roveCol) ? rove.id : null;

  const now = Date.now();
  const nowTz = new TZDate(now, timeZone);
  const nowMin = nowTz.getHours() * 60 + nowTz.getMinutes();
  // One rule per action type (colour and its readable text colour) instead of two inline styles per block.
  // The lock of a narrow private block is its ::before, drawn in the type's text colour.
  const typeCss = useMemo(
    () =>
      [...typesById.values()]
        .map((at) => {
          const text = textColorOn(at.color);
          return `.tg-t${at.id}{background-color:${at.color};color:${text}}\n.tg-t${at.id}.locked::before{background-image:${lockImage(text)}}`;
        })
        .join('\n'),
    [typesById],
  );
  const slotCss = useMemo(() => slotRules(hourHeight), [hourHeight]);
  const style = { '--hour-h': `${hourHeight}px`, '--gutter-w': `${GUTTER_W}px` } as CSSProperties;
  const allDayH = Math.max(32, 8 + layout.maxAllDay * ALLDAY_CHIP_H);
  // A chip's drag preview, on its row: the days it would cover in its owner's columns (one bar with
  // one agenda shown, else one piece per day, the title on the first), or the refusal where the pointer is.
  const chipDrag = drag?.started && drag.mode === 'day' ? drag : null;
  const chipDragId = chipDrag ? chipDrag.id : null;
  let ghostBars: Array<{ col: number; span: number }> = [];
  if (chipDrag) {
    const covered = chipDrag.refused || !chipDrag.period ? [] : daysCovered(keys, chipDrag.period);
    const ui = chipDrag.from % nUsers;
    if (covered.length === 0) ghostBars = [{ col: chipDrag.col, span: 1 }];
    else if (nUsers === 1) ghostBars = [{ col: covered[0] as number, span: covered.length }];
    else ghostBars = covered.map((d) => ({ col: d * nUsers + ui, span: 1 }));
  }
  const chipGhosts = chipDrag
    ? ghostBars.map(({ col: c, span }, i) => (
        <div
          key={c}
          className={`drag-ghost allday-ghost${chipDrag.refused ? ' refused' : ''}`}
          style={{ left: c * colW + 2, width: span * colW - 4, top: 3 + chipDrag.top * ALLDAY_CHIP_H }}
          data-testid="drag-ghost"
          data-col={c}
          data-span={span}
          aria-hidden="true"
        >
          {chipDrag.refused ? t('agenda.grid.otherUser') : i === 0 && chipDrag.action.kind === 'full' ? chipDrag.action.title : ''}
        </div>
      ))
    : null;
  // The bars drawn: those over a column in the DOM (with one agenda, every day's is).
  const shownCols = new Set(visible);
  const barShown = (b: AllDayBar) => {
    for (let c = b.col; c < b.col + b.span; c += 1) if (shownCols.has(c)) return true;
    return false;
  };
  const dayW = colW * nUsers;

  return (
    <div
      className={`week-scroll view-${view}${drag?.started ? ' dragging' : ''}`}
      ref={scrollRef}
      style={style}
      data-testid="week-grid"
      data-view={view}
      data-from={loadedFrom}
      data-loading={loading ? 'true' : 'false'}
      tabIndex={-1}
      role="region"
      aria-label={t('agenda.gridLabel')}
      onKeyDown={onKeyDown}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerLeave={() => setGrip(null)}
      onClickCapture={onClickCapture}
      onClick={onClick}
      onDoubleClick={onDoubleClick}
      onFocus={onFocus}
    >
      <style>{`${typeCss}\n${slotCss}`}</style>
      <span id={labels.hintId} className="visually-hidden">
        {t('agenda.grid.moveHint')}
      </span>
      <span id={labels.allDayHintId} className="visually-hidden">
        {t('agenda.grid.allDayMoveHint')}
      </span>
      <span className="visually-hidden" role="status" aria-live="polite" data-testid="grid-status">
        {message}
      </span>
      <div className="week-head" style={{ width: GUTTER_W + colsW }}>
        <div className="week-row">
          <div className="gutter gutter-head" />
          <div className="cols head-cols" style={{ width: colsW, height: users.length > 1 ? 58 : 37 }}>
            {days.map((d, di) => {
              const key = keys[di] as string;
              return (
                <div key={di} className={`day-head${key === todayKey ? ' today' : ''}`} data-day={key} style={{ left: di * dayW, width: dayW }}>
                  <div className="day-name">
                    {view === 'week' ? (
                      <button type="button" className="day-link" onClick={() => useAgenda.getState().openDay(+d)} title={t('agenda.openDay')}>
                        {fmt(d, t('formats.dayHeader'), timeZone)}
                      </button>
                    ) : (
                      <span>{fmt(d, t('formats.dayLong'), timeZone)}</span>
                    )}
                  </div>
                  {users.length > 1 ? (
                    <div className="user-heads">
                      {(visibleByDay[di] ?? []).map((ui) => {
                        const u = users[ui] as UserSummary;
                        return (
                          <div key={u.id} className="user-head" title={u.displayName} data-user-id={u.id} style={{ left: ui * colW, width: colW }}>
                            <span className="user-head-name">{colW >= 64 ? (colW >= 140 ? u.displayName : shortName(u.displayName)) : initials(u.displayName)}</span>
                          </div>
                        );
                      })}
                    </div>
                  ) : null}
                </div>
              );
            })}
          </div>
        </div>
        <div className="week-row all-day-row" style={{ height: allDayH }}>
          <div className="gutter gutter-allday">{t('agenda.allDay')}</div>
          <div className="cols" style={{ width: colsW }}>
            {visible.map((c) => (
              <div key={`${loadedFrom}|${c}`} className={`allday-cell${c % nUsers === 0 ? ' day-start' : ''}`} style={{ left: c * colW, width: colW }} data-user-id={users[c % nUsers]?.id} />
            ))}
            {layout.allDayBars.map((b) =>
              barShown(b) ? (
                <AllDayChip
                  // The first bar keeps its element when the action moves (the focus stays on it).
                  key={b.first ? b.action.id : `${b.action.id}|${b.col}`}
                  bar={b}
                  colW={colW}
                  tabbable={b.first && b.col === roveCol && b.action.id === roveId}
                  selected={b.action.id === selectedId}
                  editable={movable(b.action, canEdit(b.action.ownerId))}
                  dragging={b.action.id === chipDragId}
                  labels={labels}
                />
              ) : null,
            )}
            {chipGhosts}
          </div>
        </div>
      </div>
      <div className="week-body" style={{ width: GUTTER_W + colsW }}>
        <div className="gutter">
          {HOURS.map((h) => (
            <div key={h} className="hour-label">
              {h === 0 ? '' : `${String(h).padStart(2, '0')}:00`}
            </div>
          ))}
        </div>
        <div className="cols body-cols" ref={colsRef} style={{ width: colsW, height: 24 * hourHeight }}>
          {days.map((_, di) => {
            const key = keys[di] as string;
            return (
              // Keyed by the period: a new period replaces each day's column whole (one removal, a
              // subtree built before it is attached) instead of removing its blocks one by one.
              // (Reusing the blocks by place and changing what differs was measured slower:
              // attribute by attribute, each block is restyled on its own.)
              <div key={`${loadedFrom}|${di}`} className={`day-col${key === todayKey ? ' today' : ''}`} style={{ left: di * dayW, width: dayW }} data-day={key}>
                {(visibleByDay[di] ?? []).map((ui) => {
                  const col = di * nUsers + ui;
                  const u = users[ui];
                  return (
                    <div
                      key={u?.id ?? ui}
                      className={`user-col${ui === 0 ? ' first' : ''}`}
                      style={{ left: ui * colW, width: colW }}
                      data-user-id={u?.id}
                      data-col={col}
                      tabIndex={u ? (col === roveCol && roveId === null ? 0 : -1) : undefined}
                      role={u ? 'group' : undefined}
                      aria-label={u ? slotLabel(u.displayName, dayLabels[di] ?? '') : undefined}
                      aria-describedby={u && canEdit(u.id) ? labels.hintId : undefined}
                    >
                      {u ? (
                        <DayColumn
                          segments={layout.timed.get(col)}
                          tabbableId={col === roveCol ? roveId : null}
                          hourHeight={hourHeight}
                          colW={colW}
                          selectedId={selectedId}
                          draggingId={drag?.started ? drag.id : null}
                          editable={canEdit(u.id)}
                          labels={labels}
                        />
                      ) : null}
                    </div>
                  );
                })}
              </div>
            );
          })}
          {todayIndex >= 0 ? <div className="now-line" style={{ top: (nowMin / 60) * hourHeight, left: todayIndex * dayW, width: dayW }} data-testid="now-line" aria-hidden="true" /> : null}
          {drag?.started && drag.mode !== 'day' ? (
            <div
              className={`drag-ghost${drag.refused ? ' refused' : ''}`}
              style={{ left: drag.col * colW + 1, width: colW - 3, top: (drag.top / 60) * hourHeight, height: Math.max(((drag.bottom - drag.top) / 60) * hourHeight, 18) }}
              data-testid="drag-ghost"
              aria-hidden="true"
            >
              {drag.refused ? t('agenda.grid.otherUser') : drag.period && !drag.period.allDay ? `${minutesLabel(((drag.top % 1440) + 1440) % 1440)}–${minutesLabel(((drag.bottom % 1440) + 1440) % 1440)}` : ''}
            </div>
          ) : null}
        </div>
      </div>
    </div>
  );
}

interface ColumnProps {
  segments: TimedSegment[] | undefined;
  /** The block that is the grid's Tab stop, if in this column. */
  tabbableId: number | null;
  hourHeight: number;
  colW: number;
  selectedId: number | null;
  draggingId: number | null;
  editable: boolean;
  labels: BlockLabels;
}

const DayColumn = memo(function DayColumn({ segments, tabbableId, hourHeight, colW, selectedId, draggingId, editable, labels }: ColumnProps) {
  if (!segments) return null;
  return (
    <>
      {segments.map((seg) => (
        <ActionBlock
          key={seg.action.id}
          seg={seg}
          hourHeight={hourHeight}
          colW={colW}
          selected={seg.action.id === selectedId}
          dragging={seg.action.id === draggingId}
          tabbable={seg.action.id === tabbableId}
          editable={movable(seg.action, editable)}
          labels={labels}
        />
      ))}
    </>
  );
});

interface BlockProps {
  seg: TimedSegment;
  hourHeight: number;
  colW: number;
  selected: boolean;
  dragging: boolean;
  tabbable: boolean;
  editable: boolean;
  labels: BlockLabels;
}

/** Quarter hours a day: blocks starting and lasting whole quarters are placed by a class (see slotRules). */
const QUARTERS = 96;

/**
 * The rules placing a block by quarter hours at this hour height: `.qN` starts it N quarters after
 * midnight, `.dN` makes it N quarters tall (20 px at least, 2 px short of its end), the values
 * TimeGrid's geometry would set inline, in px (no var(): a rule reading one is not shared between
 * blocks). Blocks then carry no inline style of their own (most: actions are booked by the quarter
 * hour), and the browser styles alike blocks once instead of ~1,000 times, without a style
 * declaration parsed for each.
 */
function slotRules(hourHeight: number): string {
  const out: string[] = [];
  for (let n = 0; n < QUARTERS; n++) out.push(`.action-block.q${n}{top:${(n / 4) * hourHeight}px}`);
  for (let n = 1; n <= QUARTERS; n++) out.push(`.action-block.d${n}{height:${Math.max((n / 4) * hourHeight, 20) - 2}px}`);
  return out.join('\n');
}

/** Where a block sits in its column: side by side while lanes stay readable, cascading beyond. */
function geometry(seg: TimedSegment, colW: number, hourHeight: number): { style: CSSProperties | undefined; slot: string; width: number; height: number; cascade: boolean } {
  const top = (seg.startMin / 60) * hourHeight;
  const height = Math.max(((seg.endMin - seg.startMin) / 60) * hourHeight, 20);
  const q = seg.startMin / 15;
  const d = (seg.endMin - seg.startMin) / 15;
  const byClass = Number.isInteger(q) && Number.isInteger(d) && q >= 0 && q < QUARTERS && d >= 1 && d <= QUARTERS;
  const slot = byClass ? ` q${q} d${d}` : '';
  const place = byClass ? null : { top, height: height - 2 };
  const laneW = colW / seg.lanes;
  // Alone in its lane (most blocks): left and width come from the stylesheet (see .action-block).
  if (seg.lanes === 1) return { style: place ?? undefined, slot, width: colW - 3, height, cascade: false };
  if (laneW >= MIN_LANE_W) {
    return { style: { ...place, left: seg.lane * laneW + 1, width: laneW - 3 }, slot, width: laneW - 3, height, cascade: false };
  }
  // Cascade: each later lane shifted right a little and drawn above, so every title's start shows.
  const step = Math.max(4, Math.min(12, (colW - MIN_LANE_W) / Math.max(1, seg.lanes - 1)));
  const left = seg.lane * step + 1;
  const width = colW - left - 3;
  return { style: { ...place, left, width, zIndex: seg.lane + 1 }, slot, width, height, cascade: seg.lane > 0 };
}

/** A segment laid out again with the same values draws the same block. */
const sameSegment = (a: TimedSegment, b: TimedSegment): boolean =>
  a === b ||
  (a.action === b.action && a.startMin === b.startMin && a.endMin === b.endMin && a.lane === b.lane && a.lanes === b.lanes && a.col === b.col && a.startLabel === b.startLabel && a.endLabel === b.endLabel && a.continuesAfter === b.continuesAfter);

const sameBlock = (a: BlockProps, b: BlockProps): boolean =>
  a.hourHeight === b.hourHeight && a.colW === b.colW && a.selected === b.selected && a.dragging === b.dragging && a.tabbable === b.tabbable && a.editable === b.editable && a.labels === b.labels && sameSegment(a.seg, b.seg);

/**
 * One block, in as few elements as its width allows: a 20-agenda week draws ~1,000 of them per
 * screen, and each element costs style, layout, paint and its removal when the period changes.
 * Narrow blocks (most, side by side) are one element: the button and its own text (the title);
 * the type's colours come from a class, the lock of a private action is a pseudo-element (the
 * block's aria-label then says it), the resize grip is drawn by the block's background on hover
 * (the grid tells a press on it, and sets its cursor, by where the pointer is). Clicks are handled
 * once on the grid (it finds the block by `data-action-id`). A block carries only the attributes
 * the grid reads back (each is a DOM write when a week is built): its agenda and grid column are
 * its column's (`data-user-id`, `data-col`), a busy slot and a block the viewer may edit say so by
 * their class, the move hint describes the column.
 * Wider blocks (day view, few agendas) add the time, location and title lines.
 * A block is a `div` with role="button" (as Google Calendar's are), not a `<button>`: a button is
 * laid out as a box holding an anonymous box that centres its content, twice the layout objects,
 * and measured ~20 % more style, layout and paint time over a week's ~1,000 blocks; the grid gives
 * it a button's keys (Enter, Space). (Drawing the blocks as HTML strings instead was measured no
 * faster: the parser sets as many attributes.)
 */
const ActionBlock = memo(function ActionBlock({ seg, hourHeight, colW, selected, dragging, tabbable, editable, labels }: BlockProps) {
  const a = seg.action;
  const { style, slot, width, height, cascade } = geometry(seg, colW, hourHeight);
  // Width classes instead of container queries: thousands of query containers cost style and layout time.
  const narrow = width < 72;
  const fit = width < 20 ? ' w-narrow w-tiny w-min' : width < 24 ? ' w-narrow w-tiny' : narrow ? ' w-narrow' : '';
  const timeText = `${seg.startLabel}–${seg.endLabel}`;
  const lines = Math.floor((height - 6) / 15);
  const cls = `${slot}${selected ? ' selected' : ''}${dragging ? ' drag-source' : ''}${cascade ? ' cascade' : ''}${fit}`;
  const common = {
    'data-testid': 'action-block',
    'data-action-id': a.id,
    tabIndex: tabbable ? 0 : -1,
  };

  if (a.kind === 'busy') {
    return (
      <div role="button" className={`action-block busy${cls}`} style={style} title={`${labels.busy} ${timeText}`} {...common}>
        {narrow ? (
          labels.busy
        ) : (
          <>
            <span className="block-time">{timeText} </span>
            <span className="block-title">{labels.busy}</span>
          </>
        )}
      </div>
    );
  }
  const oneLine = lines < 2;
  const syncLabel = a.sync ? labels.sync[a.sync] : null;
  const showLocation = !narrow && lines >= 4 && a.location !== '';
  const titleLines = Math.max(1, lines - 1 - (showLocation ? 1 : 0));
  const badge = a.sync ? (
    <span className={`sync-badge sync-${a.sync}`} role="img" aria-label={syncLabel ?? ''} title={syncLabel ?? ''} data-testid="sync-badge" data-state={a.sync}>
      <SyncStateIcon state={a.sync} />
    </span>
  ) : null;
  // The lock drawn by CSS is not read out: the name says it, as the wide block's lock image does.
  const locked = narrow && a.private;
  return (
    <div
      role="button"
      className={`action-block tg-t${a.typeId}${cls}${oneLine ? ' one-line' : ''}${a.sync ? ' has-sync' : ''}${locked ? ' locked' : ''}${editable ? ' editable' : ''}${editable && !seg.continuesAfter ? ' resizable' : ''}`}
      style={style}
      title={[timeText, a.title, a.location, syncLabel].filter(Boolean).join(' · ')}
      aria-label={locked ? [labels.private, a.title, syncLabel].filter(Boolean).join(' ') : undefined}
      data-series={a.seriesId !== null ? 'true' : undefined}
      data-sync={a.sync ?? undefined}
      {...common}
    >
      {narrow ? (
        // A lone text child: React sets it as the button's text, no node of its own to track.
        badge ? (
          <>
            {a.title}
            {badge}
          </>
        ) : (
          a.title
        )
      ) : (
        <>
          {badge}
          <span className="block-line">
            {a.private ? (
              <span className="block-lock" role="img" aria-label={labels.private}>
                <LockIcon size={11} />
              </span>
            ) : null}
            <span className="block-time">{timeText}</span>
            {oneLine ? <span className="block-title"> {a.title}</span> : null}
          </span>
          {!oneLine ? (
            <span className="block-title" style={{ WebkitLineClamp: titleLines }}>
              {a.title}
            </span>
          ) : null}
          {showLocation ? <span className="block-location">{a.location}</span> : null}
        </>
      )}
    </div>
  );
}, sameBlock);

interface ChipProps {
  bar: AllDayBar;
  colW: number;
  tabbable: boolean;
  selected: boolean;
  /** The viewer may move it (lib/gridEdit.ts movable): drag it to another day, Alt+←/→. */
  editable: boolean;
  /** Being dragged: drawn faded under its preview. */
  dragging: boolean;
  labels: BlockLabels;
}

/**
 * An all-day action: one bar over the columns it covers, on its row (lib/weekLayout.ts AllDayBar),
 * one element (its text, the lock drawn by CSS) and its sync badge when it has one; an edge cut
 * to a point where the action goes on beyond it. The action's first bar is its one focusable
 * element (role button, its name, the move hint); the other pieces (one per day with several
 * agendas) are drawn for the eye and the pointer only. The grid handles its pointer and keys (a
 * chip has no listener of its own).
 */
const AllDayChip = memo(function AllDayChip({ bar, colW, tabbable, selected, editable, dragging, labels }: ChipProps) {
  const { action, first } = bar;
  const style = { left: bar.col * colW + 2, width: bar.span * colW - 4, top: 3 + bar.row * ALLDAY_CHIP_H };
  const cls = `${bar.continuesBefore ? ' cont-before' : ''}${bar.continuesAfter ? ' cont-after' : ''}${selected ? ' selected' : ''}`;
  const common = first
    ? { 'data-testid': 'action-block', role: 'button', tabIndex: tabbable ? 0 : -1, 'data-action-id': action.id, 'data-col': bar.col, 'data-span': bar.span, 'data-user-id': action.ownerId }
    : { 'data-testid': 'allday-piece', 'aria-hidden': true, 'data-action-id': action.id, 'data-col': bar.col, 'data-span': bar.span, 'data-user-id': action.ownerId };
  if (action.kind === 'busy') {
    return (
      <div className={`allday-chip busy${cls}`} style={style} title={labels.busy} {...common}>
        {labels.busy}
      </div>
    );
  }
  const syncLabel = action.sync ? labels.sync[action.sync] : null;
  return (
    <div
      className={`allday-chip tg-t${action.typeId}${cls}${action.private ? ' locked' : ''}${action.sync ? ' has-sync' : ''}${editable ? ' editable' : ''}${dragging ? ' drag-source' : ''}`}
      style={style}
      title={[action.title, syncLabel].filter(Boolean).join(' · ')}
      aria-label={first && action.private ? [labels.private, action.title, syncLabel].filter(Boolean).join(' ') : undefined}
      aria-describedby={first && editable ? labels.allDayHintId : undefined}
      data-series={action.seriesId !== null ? 'true' : undefined}
      data-sync={action.sync ?? undefined}
      {...common}
    >
      {action.sync ? (
        <>
          {action.title}
          <span className={`sync-badge sync-${action.sync}`} role="img" aria-label={syncLabel ?? ''} title={syncLabel ?? ''} data-testid="sync-badge" data-state={action.sync}>
            <SyncStateIcon state={action.sync} />
          </span>
        </>
      ) : (
        action.title
      )}
    </div>
  );
});

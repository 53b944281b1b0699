/**
 * The month view: whole weeks (Monday first), one cell per day with its actions in time order —
 * the type's colour, the start time, the owner's initials when several agendas are shown, the
 * title — as many as the cell holds, then « +N » which opens that day. The day number opens the
 * day too. The grid is one Tab stop (the day, action or « +N » last focused; today at first),
 * arrows move the focus between days, PageUp/PageDown change month, T goes to today.
 * An action the viewer may change moves to another day by drag (pointer events, as the week's
 * blocks: a click that did not move still selects) or by Alt+arrows (a day sideways, a week up or
 * down), keeping its times (lib/period.ts shiftDays); automatic sync then pushes it.
 */
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TZDate } from '@date-fns/tz';
import type { ActionType, UserSummary } from '../../../../shared/contract';
import { LockIcon } from '../../components/Icons';
import { fmt } from '../../lib/dates';
import { movable, refusal } from '../../lib/gridEdit';
import { initials } from '../../lib/names';
import { periodText, shiftDays } from '../../lib/period';
import type { MonthItem } from '../../lib/weekLayout';
import { useAgenda } from '../../stores/agenda';

const ITEM_H = 20;
const DAY_LINE_H = 26;

interface Props {
  days: TZDate[];
  keys: string[];
  /** Month shown (`yyyy-MM`): other months' days are dimmed. */
  month: string;
  items: Map<string, MonthItem[]>;
  users: UserSummary[];
  typesById: Map<number, ActionType>;
  timeZone: string;
  todayKey: string;
  selectedId: number | null;
  loadedFrom: string;
  loading: boolean;
  /** Whether the viewer may change `ownerId`'s actions (the core checks again). */
  canEdit(ownerId: number): boolean;
  onSelect(id: number): void;
}

/** A press on an item, until the pointer moves far enough to be a drag (then `over` is the cell under it). */
interface Press {
  id: number;
  from: number;
  x: number;
  y: number;
  over: number | null;
}

const DRAG_PX = 4;

export function MonthGrid({ days, keys, month, items, users, typesById, timeZone, todayKey, selectedId, loadedFrom, loading, canEdit, onSelect }: Props) {
  const { t } = useTranslation();
  const bodyRef = useRef<HTMLDivElement>(null);
  const hintId = useId();
  const [cellH, setCellH] = useState(110);
  const [message, setMessage] = useState('');
  const [drag, setDrag] = useState<{ id: number; over: number } | null>(null);
  const press = useRef<Press | null>(null);
  // The click that ends a drag is not a selection.
  const dragged = useRef(false);
  // After a move, the focus follows the item to its new day once the month is drawn again.
  const refocus = useRef<{ id: number; key: string } | null>(null);
  // The grid's one Tab stop (roving tabindex): `d:day`, `a:id:day` or `m:day` of what was focused last.
  const [stop, setStop] = useState<string | null>(null);
  const weeks = Math.max(1, Math.ceil(days.length / 7));

  useLayoutEffect(() => {
    const body = bodyRef.current;
    if (!body) return;
    const measure = () => setCellH(Math.floor(body.clientHeight / weeks));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(body);
    return () => ro.disconnect();
  }, [weeks]);

  useEffect(() => {
    const target = refocus.current;
    if (!target || !items.get(target.key)?.some((i) => i.action.id === target.id)) return;
    // Drawn again with the item on its new day: on it, or on that day's « +N » when the day is full.
    const cell = bodyRef.current?.querySelector<HTMLElement>(`.month-cell[data-day="${target.key}"]`);
    const el = cell?.querySelector<HTMLElement>(`[data-action-id="${target.id}"]`) ?? cell?.querySelector<HTMLElement>('.month-more') ?? cell?.querySelector<HTMLElement>('.month-day');
    el?.focus();
    refocus.current = null;
  });

  const actionOf = (id: number) => {
    for (const list of items.values()) for (const item of list) if (item.action.id === id) return item.action;
    return undefined;
  };

  /** Moves action `id`, shown in cell `from`, by `delta` days. */
  const move = (id: number, from: number, delta: number) => {
    const a = actionOf(id);
    if (!a || a.kind !== 'full' || delta === 0) return;
    const period = shiftDays(a.period, delta, timeZone);
    const key = keys[from + delta];
    refocus.current = key ? { id, key } : null;
    setMessage(t('agenda.grid.moved', { period: periodText(t, period, timeZone) }));
    void useAgenda.getState().moveAction(id, period);
  };

  const cellAt = (x: number, y: number): number | null => {
    const cell = document.elementFromPoint(x, y)?.closest<HTMLElement>('.month-cell');
    return cell && bodyRef.current?.contains(cell) ? Number(cell.dataset.index) : null;
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    const item = (e.target as HTMLElement).closest<HTMLElement>('.month-item[data-editable]');
    const cell = item?.closest<HTMLElement>('.month-cell');
    if (!item || !cell) return;
    press.current = { id: Number(item.dataset.actionId), from: Number(cell.dataset.index), x: e.clientX, y: e.clientY, over: null };
    const onMove = (ev: PointerEvent) => {
      const p = press.current;
      if (!p) return;
      if (p.over === null && Math.hypot(ev.clientX - p.x, ev.clientY - p.y) < DRAG_PX) return;
      p.over = cellAt(ev.clientX, ev.clientY) ?? p.over ?? p.from;
      setDrag({ id: p.id, over: p.over });
    };
    const end = (drop: boolean) => {
      const p = press.current;
      press.current = null;
      window.removeEventListener('pointermove', onMove);
      window.removeEventListener('pointerup', onUp);
      window.removeEventListener('pointercancel', onCancel);
      window.removeEventListener('keydown', onKey, true);
      if (!p || p.over === null) return;
      dragged.current = true;
      setTimeout(() => (dragged.current = false), 0);
      setDrag(null);
      if (drop) move(p.id, p.from, p.over - p.from);
      else setMessage(t('agenda.grid.cancelled'));
    };
    const onUp = () => end(true);
    const onCancel = () => end(false);
    const onKey = (ev: KeyboardEvent) => {
      if (ev.key !== 'Escape' || press.current?.over === null) return;
      ev.preventDefault();
      ev.stopPropagation();
      end(false);
    };
    window.addEventListener('pointermove', onMove);
    window.addEventListener('pointerup', onUp);
    window.addEventListener('pointercancel', onCancel);
    window.addEventListener('keydown', onKey, true);
  };

  const select = (id: number) => {
    if (!dragged.current) onSelect(id);
  };

  const fits = Math.max(1, Math.floor((cellH - DAY_LINE_H - 4) / ITEM_H));
  const cells = keys.map((key) => {
    const list = items.get(key) ?? [];
    const shown = list.length > fits ? list.slice(0, fits - 1) : list;
    return { key, list, shown, more: list.length - shown.length };
  });
  // What was focused last if it is still drawn, else today (or the month's first day).
  const drawn = (s: string) => {
    const [kind, a, b] = s.split(':');
    const cell = cells.find((c) => c.key === (kind === 'a' ? b : a));
    return !!cell && (kind === 'd' || (kind === 'm' && cell.more > 0) || (kind === 'a' && cell.shown.some((x) => String(x.action.id) === a)));
  };
  const tabStop = stop !== null && drawn(stop) ? stop : `d:${keys.includes(todayKey) ? todayKey : (keys.find((k) => k.startsWith(month)) ?? keys[0])}`;
  const tab = (s: string) => (s === tabStop ? 0 : -1);
  const several = users.length > 1;
  const names = useMemo(() => new Map(users.map((u) => [u.id, u.displayName])), [users]);
  const weekdays = days.slice(0, 7).map((d) => fmt(d, 'EEEE', timeZone));
  const busy = t('agenda.busy');

  const onKeyDown = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    const cell = target.closest<HTMLElement>('.month-cell');
    if (!cell || !e.key.startsWith('Arrow')) return;
    const i = Number(cell.dataset.index);
    if (e.altKey && target.classList.contains('month-item')) {
      e.preventDefault();
      const a = actionOf(Number(target.dataset.actionId));
      if (target.dataset.editable === undefined) setMessage(t(refusal(a)));
      else move(Number(target.dataset.actionId), i, e.key === 'ArrowLeft' ? -1 : e.key === 'ArrowRight' ? 1 : e.key === 'ArrowUp' ? -7 : 7);
      return;
    }
    const inCell = [...cell.querySelectorAll<HTMLElement>('button')];
    const at = inCell.indexOf(target);
    e.preventDefault();
    if ((e.key === 'ArrowDown' && at >= 0 && at < inCell.length - 1) || (e.key === 'ArrowUp' && at > 0)) {
      inCell[at + (e.key === 'ArrowDown' ? 1 : -1)]?.focus();
      return;
    }
    const step = e.key === 'ArrowLeft' ? -1 : e.key === 'ArrowRight' ? 1 : e.key === 'ArrowUp' ? -7 : 7;
    const next = bodyRef.current?.querySelector<HTMLElement>(`.month-cell[data-index="${i + step}"] .month-day`);
    next?.focus();
  };

  return (
    <div
      className="month-grid"
      data-testid="month-grid"
      data-view="month"
      data-from={loadedFrom}
      data-loading={loading ? 'true' : 'false'}
      onKeyDown={onKeyDown}
      onFocus={(e) => {
        const at = (e.target as HTMLElement).dataset.stop;
        if (at && at !== stop) setStop(at);
      }}
    >
      <span id={hintId} className="visually-hidden">
        {t('agenda.month.moveHint')}
      </span>
      <span className="visually-hidden" role="status" aria-live="polite" data-testid="grid-status">
        {message}
      </span>
      <div className="month-head" aria-hidden="true">
        {weekdays.map((w, i) => (
          <div key={i} className="month-weekday">
            {w}
          </div>
        ))}
      </div>
      <div className={`month-body${drag ? ' dragging' : ''}`} ref={bodyRef} style={{ gridTemplateRows: `repeat(${weeks}, minmax(0, 1fr))` }} onPointerDown={onPointerDown}>
        {days.map((d, i) => {
          const { key, list, shown, more } = cells[i]!;
          const dayLabel = fmt(d, t('formats.dayLong'), timeZone);
          return (
            <div key={i} className={`month-cell${key.startsWith(month) ? '' : ' other-month'}${key === todayKey ? ' today' : ''}${drag?.over === i ? ' drop-target' : ''}`} data-day={key} data-index={i}>
              <button type="button" className="month-day" tabIndex={tab(`d:${key}`)} data-stop={`d:${key}`} onClick={() => useAgenda.getState().openDay(+d)} aria-label={t('agenda.month.openDay', { day: dayLabel, count: list.length })} title={dayLabel}>
                {fmt(d, 'd', timeZone)}
              </button>
              {shown.map(({ action: a, time }) => {
                const owner = several ? initials(names.get(a.ownerId) ?? '') : '';
                const ownerName = several ? names.get(a.ownerId) ?? '' : '';
                if (a.kind === 'busy') {
                  return (
                    <button key={a.id} type="button" className={`month-item busy${a.id === selectedId ? ' selected' : ''}`} tabIndex={tab(`a:${a.id}:${key}`)} data-stop={`a:${a.id}:${key}`} onClick={() => select(a.id)} title={[time, ownerName, busy].filter(Boolean).join(' · ')} data-testid="action-block" data-action-id={a.id} data-owner-id={a.ownerId} data-kind="busy">
                      <span className="month-dot swatch-busy" aria-hidden="true" />
                      {time ? <span className="month-time">{time}</span> : null}
                      {owner ? <OwnerTag initials={owner} name={ownerName} /> : null}
                      <span className="month-title">{busy}</span>
                    </button>
                  );
                }
                const color = typesById.get(a.typeId)?.color ?? '#9aa5b1';
                const editable = movable(a, canEdit(a.ownerId));
                return (
                  <button
                    key={a.id}
                    type="button"
                    className={`month-item${a.id === selectedId ? ' selected' : ''}${editable ? ' editable' : ''}${drag?.id === a.id ? ' dragging' : ''}`}
                    tabIndex={tab(`a:${a.id}:${key}`)}
                    data-stop={`a:${a.id}:${key}`}
                    onClick={() => select(a.id)}
                    aria-describedby={editable ? hintId : undefined}
                    data-editable={editable ? 'true' : undefined}
                    title={[time, ownerName, a.title, a.location].filter(Boolean).join(' · ')}
                    data-testid="action-block"
                    data-action-id={a.id}
                    data-owner-id={a.ownerId}
                    data-type-id={a.typeId}
                    data-kind="full"
                  >
                    <span className="month-dot" style={{ backgroundColor: color }} aria-hidden="true" />
                    {time ? <span className="month-time">{time}</span> : null}
                    {owner ? <OwnerTag initials={owner} name={ownerName} /> : null}
                    {a.private ? <LockIcon size={10} /> : null}
                    <span className="month-title">{a.title}</span>
                  </button>
                );
              })}
              {more > 0 ? (
                <button type="button" className="month-more" tabIndex={tab(`m:${key}`)} data-stop={`m:${key}`} onClick={() => useAgenda.getState().openDay(+d)} data-testid="month-more" aria-label={t('agenda.month.moreLabel', { count: more, day: dayLabel })}>
                  {t('agenda.month.more', { count: more })}
                </button>
              ) : null}
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** The owner's initials on sight; their name for screen readers. */
function OwnerTag({ initials: letters, name }: { initials: string; name: string }) {
  return (
    <>
      <span className="month-owner" aria-hidden="true">
        {letters}
      </span>
      <span className="visually-hidden">{name}</span>
    </>
  );
}

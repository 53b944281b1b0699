/**
 * The month view: whole weeks (Monday first), one cell per day with its actions in time order —
 * the type's colour, the start time, the owner's initials when several agendas are shown, the
 * title — as many as the cell holds, then « +N » which opens that day. The day number opens the
 * day too. Arrows move the focus between days, PageUp/PageDown change month, T goes to today.
 */
import { useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TZDate } from '@date-fns/tz';
import type { ActionType, UserSummary } from '../../../../shared/contract';
import { LockIcon } from '../../components/Icons';
import { fmt } from '../../lib/dates';
import { initials } from '../../lib/names';
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
  onSelect(id: number): void;
}

export function MonthGrid({ days, keys, month, items, users, typesById, timeZone, todayKey, selectedId, loadedFrom, loading, onSelect }: Props) {
  const { t } = useTranslation();
  const bodyRef = useRef<HTMLDivElement>(null);
  const [cellH, setCellH] = useState(110);
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

  const fits = Math.max(1, Math.floor((cellH - DAY_LINE_H - 4) / ITEM_H));
  const several = users.length > 1;
  const names = useMemo(() => new Map(users.map((u) => [u.id, u.displayName])), [users]);
  const weekdays = days.slice(0, 7).map((d) => fmt(d, 'EEEE', timeZone));
  const busy = t('agenda.busy');

  const onKeyDown = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    const cell = target.closest<HTMLElement>('.month-cell');
    if (!cell || !e.key.startsWith('Arrow')) return;
    const i = Number(cell.dataset.index);
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
    <div className="month-grid" data-testid="month-grid" data-view="month" data-from={loadedFrom} data-loading={loading ? 'true' : 'false'} onKeyDown={onKeyDown}>
      <div className="month-head" aria-hidden="true">
        {weekdays.map((w, i) => (
          <div key={i} className="month-weekday">
            {w}
          </div>
        ))}
      </div>
      <div className="month-body" ref={bodyRef} style={{ gridTemplateRows: `repeat(${weeks}, minmax(0, 1fr))` }}>
        {days.map((d, i) => {
          const key = keys[i] as string;
          const list = items.get(key) ?? [];
          const shown = list.length > fits ? list.slice(0, fits - 1) : list;
          const more = list.length - shown.length;
          const dayLabel = fmt(d, t('formats.dayLong'), timeZone);
          return (
            <div key={i} className={`month-cell${key.startsWith(month) ? '' : ' other-month'}${key === todayKey ? ' today' : ''}`} data-day={key} data-index={i}>
              <button type="button" className="month-day" onClick={() => useAgenda.getState().openDay(+d)} aria-label={t('agenda.month.openDay', { day: dayLabel, count: list.length })} title={dayLabel}>
                {fmt(d, 'd', timeZone)}
              </button>
              {shown.map(({ action: a, time }) => {
                const owner = several ? initials(names.get(a.ownerId) ?? '') : '';
                const ownerName = several ? names.get(a.ownerId) ?? '' : '';
                if (a.kind === 'busy') {
                  return (
                    <button key={a.id} type="button" className={`month-item busy${a.id === selectedId ? ' selected' : ''}`} onClick={() => onSelect(a.id)} title={[time, ownerName, busy].filter(Boolean).join(' · ')} data-testid="action-block" data-action-id={a.id} data-owner-id={a.ownerId} data-kind="busy">
                      <span className="month-dot swatch-busy" aria-hidden="true" />
                      {time ? <span className="month-time">{time}</span> : null}
                      {owner ? <OwnerTag initials={owner} name={ownerName} /> : null}
                      <span className="month-title">{busy}</span>
                    </button>
                  );
                }
                const color = typesById.get(a.typeId)?.color ?? '#9aa5b1';
                return (
                  <button
                    key={a.id}
                    type="button"
                    className={`month-item${a.id === selectedId ? ' selected' : ''}`}
                    onClick={() => onSelect(a.id)}
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
                <button type="button" className="month-more" onClick={() => useAgenda.getState().openDay(+d)} data-testid="month-more" aria-label={t('agenda.month.moreLabel', { count: more, day: dayLabel })}>
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

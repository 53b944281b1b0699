import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { TZDate } from '@date-fns/tz';
import type { Action, ActionSyncState, ActionType, ActionView, SessionUser, UserSummary } from '../../../shared/contract';
import { ErrorLine } from '../components/ErrorLine';
import { ChevronIcon, LockIcon, SyncStateIcon } from '../components/Icons';
import { Fields, SidePanel } from '../components/SidePanel';
import { textColorOn } from '../lib/color';
import { dayKey, fmt, validTimeZone, weekDays } from '../lib/dates';
import { periodText } from '../lib/period';
import { cellKey, layoutWeek, type TimedSegment } from '../lib/weekLayout';
import { useAgenda } from '../stores/agenda';
import { initials, shortName } from '../lib/names';
import { ActionEditor } from './agenda/ActionEditor';
import { AgendaSyncButton } from './agenda/AgendaSyncButton';

const FIRST_HOUR = 7;
const LAST_HOUR = 20;
const MIN_HOUR_HEIGHT = 40;
const HOURS = Array.from({ length: 24 }, (_, h) => h);

export function AgendaView({ user }: { user: SessionUser }) {
  const { t } = useTranslation();
  const s = useAgenda();
  const timeZone = s.timeZone;

  useEffect(() => {
    const st = useAgenda.getState();
    if (st.users.length === 0) void st.init(validTimeZone(user.timeZone), user.id);
    else void st.reload();
  }, [user]);

  const days = useMemo(() => weekDays(s.weekStart), [s.weekStart]);
  const layout = useMemo(() => layoutWeek(s.actions, s.weekStart, s.selectedUserIds, timeZone), [s.actions, s.weekStart, s.selectedUserIds, timeZone]);
  const typesById = useMemo(() => new Map(s.actionTypes.map((at) => [at.id, at])), [s.actionTypes]);
  const usersById = useMemo(() => new Map(s.users.map((u) => [u.id, u])), [s.users]);
  const shownUsers = useMemo(() => s.selectedUserIds.map((id) => usersById.get(id)).filter((u): u is UserSummary => !!u), [s.selectedUserIds, usersById]);
  const selected = s.selectedActionId === null ? null : (s.actions.find((a) => a.id === s.selectedActionId) ?? null);
  const onSelect = useCallback((id: number) => useAgenda.getState().select(id), []);

  const weekLabel = t('agenda.weekOf', { date: fmt(s.weekStart, t('formats.weekLabel'), timeZone) });
  const todayKey = dayKey(Date.now(), timeZone);

  return (
    <div className="agenda">
      <aside className="agenda-side">
        <section className="side-section">
          <h2 className="section-title">{t('agenda.users')}</h2>
          <ul className="user-picker" data-testid="user-picker">
            {s.users.map((u) => (
              <li key={u.id}>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={s.selectedUserIds.includes(u.id)}
                    onChange={() => s.toggleUser(u.id)}
                    data-user-id={u.id}
                    data-testid="user-option"
                  />
                  <span className="check-label">
                    {u.displayName}
                    {u.isSelf ? <span className="muted"> ({t('agenda.you')})</span> : null}
                  </span>
                  {!u.isSelf ? (
                    <span className="rights">
                      {u.rights.agenda ? <span className="badge">{t('agenda.rightAgenda')}</span> : null}
                      {u.rights.visible ? <span className="badge">{t('agenda.rightVisible')}</span> : null}
                    </span>
                  ) : null}
                </label>
              </li>
            ))}
          </ul>
        </section>
        <section className="side-section">
          <h2 className="section-title">{t('agenda.legend')}</h2>
          <ul className="legend" data-testid="legend">
            {s.actionTypes.map((at) => (
              <li key={at.id}>
                <span className="swatch" style={{ backgroundColor: at.color }} />
                {at.label}
              </li>
            ))}
            <li>
              <span className="swatch swatch-busy" />
              {t('agenda.busy')}
            </li>
          </ul>
        </section>
      </aside>

      <section className="agenda-main">
        <div className="toolbar">
          <div className="button-group">
            <button type="button" className="button icon" onClick={() => s.shiftWeek(-1)} aria-label={t('agenda.previous')} title={t('agenda.previous')} data-testid="week-prev">
              <ChevronIcon dir="left" />
            </button>
            <button type="button" className="button" onClick={() => s.goToday()} data-testid="week-today">
              {t('agenda.today')}
            </button>
            <button type="button" className="button icon" onClick={() => s.shiftWeek(1)} aria-label={t('agenda.next')} title={t('agenda.next')} data-testid="week-next">
              <ChevronIcon dir="right" />
            </button>
          </div>
          <h1 className="week-label" data-testid="week-label">
            {weekLabel}
          </h1>
          <span className="muted toolbar-note" aria-live="polite">
            {s.loading ? t('common.loading') : t('agenda.count', { count: s.actions.length })}
          </span>
          <AgendaSyncButton users={shownUsers} />
        </div>
        <ErrorLine error={s.error} onRetry={() => void s.reload()} />
        {shownUsers.length === 0 && !s.loading && s.users.length > 0 ? <p className="empty">{t('agenda.noUser')}</p> : null}
        <WeekGrid
          days={days}
          users={shownUsers}
          layout={layout}
          typesById={typesById}
          timeZone={timeZone}
          todayKey={todayKey}
          selectedId={s.selectedActionId}
          onSelect={onSelect}
        />
      </section>

      {selected ? (
        <ActionDetail
          action={selected}
          full={s.detail?.id === selected.id ? s.detail : null}
          detailError={s.detailError}
          type={selected.kind === 'full' ? typesById.get(selected.typeId) : undefined}
          types={s.actionTypes}
          owner={usersById.get(selected.ownerId)}
          timeZone={timeZone}
        />
      ) : null}
    </div>
  );
}

interface GridProps {
  days: TZDate[];
  users: UserSummary[];
  layout: ReturnType<typeof layoutWeek>;
  typesById: Map<number, ActionType>;
  timeZone: string;
  todayKey: string;
  selectedId: number | null;
  onSelect(id: number): void;
}

function WeekGrid({ days, users, layout, typesById, timeZone, todayKey, selectedId, onSelect }: GridProps) {
  const { t } = useTranslation();
  const scrollRef = useRef<HTMLDivElement>(null);
  const headRef = useRef<HTMLDivElement>(null);
  const [hourHeight, setHourHeight] = useState(48);
  const scrolledFor = useRef<string | null>(null);

  // Fit 7:00–20:00 in the visible height (never below a readable size); the rest scrolls.
  useLayoutEffect(() => {
    const scroller = scrollRef.current;
    const head = headRef.current;
    if (!scroller || !head) return;
    const measure = () => {
      const available = scroller.clientHeight - head.offsetHeight;
      setHourHeight(Math.max(MIN_HOUR_HEIGHT, Math.floor((available - 8) / (LAST_HOUR - FIRST_HOUR))));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(scroller);
    ro.observe(head);
    return () => ro.disconnect();
  }, []);

  // Open on 07:00 (its label just visible); again when the hour size or the agendas shown change.
  const scrollKey = `${hourHeight}:${users.length}`;
  useLayoutEffect(() => {
    const scroller = scrollRef.current;
    if (scroller && scrolledFor.current !== scrollKey) {
      scroller.scrollTop = FIRST_HOUR * hourHeight - 8;
      scrolledFor.current = scrollKey;
    }
  }, [scrollKey, hourHeight]);

  const sub = Math.max(1, users.length);
  const style = { '--hour-h': `${hourHeight}px`, '--sub-cols': sub } as CSSProperties;
  const now = Date.now();
  const nowKey = dayKey(now, timeZone);
  const nowTz = new TZDate(now, timeZone);
  const nowMin = nowTz.getHours() * 60 + nowTz.getMinutes();

  return (
    <div className="week-scroll" ref={scrollRef} style={style} data-testid="week-grid">
      <div className="week-head" ref={headRef}>
        <div className="week-row">
          <div className="gutter gutter-head" />
          {days.map((d) => {
            const key = dayKey(d, timeZone);
            return (
              <div key={key} className={`day-head${key === todayKey ? ' today' : ''}`} data-day={key}>
                <div className="day-name">
                  <span>{fmt(d, t('formats.dayHeader'), timeZone)}</span>
                </div>
                {users.length > 1 ? (
                  <div className="user-heads">
                    {users.map((u) => (
                      <div key={u.id} className="user-head" title={u.displayName} data-user-id={u.id}>
                        <span className="user-head-name">{shortName(u.displayName)}</span>
                        <span className="user-head-initials" aria-hidden="true">
                          {initials(u.displayName)}
                        </span>
                      </div>
                    ))}
                  </div>
                ) : null}
              </div>
            );
          })}
        </div>
        <div className="week-row all-day-row">
          <div className="gutter gutter-allday">{t('agenda.allDay')}</div>
          {days.map((d, di) => (
            <div key={di} className="day-allday">
              {(users.length ? users : [null]).map((u, ui) => (
                <div key={u?.id ?? ui} className="allday-cell">
                  {u
                    ? (layout.allDay.get(cellKey(di, u.id)) ?? []).map((a) => (
                        <AllDayChip key={a.id} action={a} type={a.kind === 'full' ? typesById.get(a.typeId) : undefined} selected={a.id === selectedId} onSelect={onSelect} />
                      ))
                    : null}
                </div>
              ))}
            </div>
          ))}
        </div>
      </div>
      <div className="week-body">
        <div className="gutter">
          {HOURS.map((h) => (
            <div key={h} className="hour-label">
              {h === 0 ? '' : `${String(h).padStart(2, '0')}:00`}
            </div>
          ))}
        </div>
        {days.map((d, di) => {
          const key = dayKey(d, timeZone);
          return (
            <div key={key} className={`day-col${key === todayKey ? ' today' : ''}`}>
              {(users.length ? users : [null]).map((u, ui) => (
                <div key={u?.id ?? ui} className="user-col" data-user-id={u?.id}>
                  {u ? <DayColumn segments={layout.timed.get(cellKey(di, u.id))} typesById={typesById} hourHeight={hourHeight} timeZone={timeZone} selectedId={selectedId} onSelect={onSelect} /> : null}
                </div>
              ))}
              {key === nowKey ? <div className="now-line" style={{ top: (nowMin / 60) * hourHeight }} aria-hidden="true" /> : null}
            </div>
          );
        })}
      </div>
    </div>
  );
}

interface ColumnProps {
  segments: TimedSegment[] | undefined;
  typesById: Map<number, ActionType>;
  hourHeight: number;
  timeZone: string;
  selectedId: number | null;
  onSelect(id: number): void;
}

const DayColumn = memo(function DayColumn({ segments, typesById, hourHeight, timeZone, selectedId, onSelect }: ColumnProps) {
  if (!segments) return null;
  return (
    <>
      {segments.map((seg) => (
        <ActionBlock
          key={`${seg.action.id}`}
          seg={seg}
          type={seg.action.kind === 'full' ? typesById.get(seg.action.typeId) : undefined}
          hourHeight={hourHeight}
          timeZone={timeZone}
          selected={seg.action.id === selectedId}
          onSelect={onSelect}
        />
      ))}
    </>
  );
});

interface BlockProps {
  seg: TimedSegment;
  type: ActionType | undefined;
  hourHeight: number;
  timeZone: string;
  selected: boolean;
  onSelect(id: number): void;
}

function ActionBlock({ seg, type, hourHeight, timeZone, selected, onSelect }: BlockProps) {
  const { t } = useTranslation();
  const a = seg.action;
  const top = (seg.startMin / 60) * hourHeight;
  const height = Math.max(((seg.endMin - seg.startMin) / 60) * hourHeight, 20);
  const width = 100 / seg.lanes;
  const base: CSSProperties = { top, height: height - 2, left: `calc(${seg.lane * width}% + 1px)`, width: `calc(${width}% - 3px)` };
  const p = a.period;
  const timeText = p.allDay
    ? ''
    : `${seg.continuesBefore ? '…' : fmt(Date.parse(p.start), t('formats.time'), timeZone)}–${seg.continuesAfter ? '…' : fmt(Date.parse(p.end), t('formats.time'), timeZone)}`;
  const lines = Math.floor((height - 6) / 15);

  if (a.kind === 'busy') {
    return (
      <button
        type="button"
        className={`action-block busy${selected ? ' selected' : ''}`}
        style={base}
        onClick={() => onSelect(a.id)}
        title={`${t('agenda.busy')} ${timeText}`}
        data-testid="action-block"
        data-action-id={a.id}
        data-owner-id={a.ownerId}
        data-kind="busy"
      >
        <span className="block-time">{timeText}</span> <span className="block-title">{t('agenda.busy')}</span>
      </button>
    );
  }
  const bg = type?.color ?? '#9aa5b1';
  const fg = textColorOn(bg);
  const oneLine = lines < 2;
  const syncLabel = a.sync ? t(`syncBadge.${a.sync}`) : null;
  const showLocation = lines >= 4 && a.location !== '';
  // Title lines that fit under the time (and above the location): never a half-cut line.
  const titleLines = Math.max(1, lines - 1 - (showLocation ? 1 : 0));
  return (
    <button
      type="button"
      className={`action-block${selected ? ' selected' : ''}${oneLine ? ' one-line' : ''}${a.sync ? ' has-sync' : ''}`}
      style={{ ...base, backgroundColor: bg, color: fg }}
      onClick={() => onSelect(a.id)}
      title={[timeText, a.title, a.location, syncLabel].filter(Boolean).join(' · ')}
      data-testid="action-block"
      data-action-id={a.id}
      data-owner-id={a.ownerId}
      data-type-id={a.typeId}
      data-kind="full"
      data-series={a.seriesId !== null ? 'true' : undefined}
      data-sync={a.sync ?? undefined}
    >
      {a.sync ? <SyncBadge state={a.sync} /> : null}
      <span className="block-line">
        {a.private ? (
          <span className="block-lock" aria-label={t('agenda.private')}>
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
    </button>
  );
}

function AllDayChip({ action, type, selected, onSelect }: { action: ActionView; type: ActionType | undefined; selected: boolean; onSelect(id: number): void }) {
  const { t } = useTranslation();
  if (action.kind === 'busy') {
    return (
      <button type="button" className={`allday-chip busy${selected ? ' selected' : ''}`} onClick={() => onSelect(action.id)} data-testid="action-block" data-action-id={action.id} data-owner-id={action.ownerId} data-kind="busy">
        {t('agenda.busy')}
      </button>
    );
  }
  const bg = type?.color ?? '#9aa5b1';
  return (
    <button
      type="button"
      className={`allday-chip${selected ? ' selected' : ''}`}
      style={{ backgroundColor: bg, color: textColorOn(bg) }}
      onClick={() => onSelect(action.id)}
      title={[action.title, action.sync ? t(`syncBadge.${action.sync}`) : null].filter(Boolean).join(' · ')}
      data-testid="action-block"
      data-action-id={action.id}
      data-owner-id={action.ownerId}
      data-type-id={action.typeId}
      data-kind="full"
      data-series={action.seriesId !== null ? 'true' : undefined}
      data-sync={action.sync ?? undefined}
    >
      {action.private ? <LockIcon size={11} /> : null}
      <span className="chip-title">{action.title}</span>
      {action.sync ? <SyncBadge state={action.sync} /> : null}
    </button>
  );
}

/**
 * Where the action stands with Google, on its block: a small icon whose label screen readers read
 * as part of the block's name and whose tooltip says it in words (syncBadge.* texts).
 */
function SyncBadge({ state }: { state: ActionSyncState }) {
  const { t } = useTranslation();
  const label = t(`syncBadge.${state}`);
  return (
    <span className={`sync-badge sync-${state}`} role="img" aria-label={label} title={label} data-testid="sync-badge" data-state={state}>
      <SyncStateIcon state={state} />
    </span>
  );
}

interface DetailProps {
  action: ActionView;
  /** The full action once `actions.get` answered (reminder, description). */
  full: Action | null;
  detailError: unknown;
  type: ActionType | undefined;
  types: ActionType[];
  owner: UserSummary | undefined;
  timeZone: string;
}

function ActionDetail({ action, full, detailError, type, types, owner, timeZone }: DetailProps) {
  const { t } = useTranslation();
  const close = useCallback(() => useAgenda.getState().select(null), []);
  const [dirty, setDirty] = useState(false);
  useEffect(() => setDirty(false), [action.id]);
  const period = periodText(t, action.period, timeZone);
  if (action.kind === 'busy') {
    return (
      <SidePanel title={t('agenda.busy')} onClose={close} testId="action-detail">
        <Fields rows={[[t('agenda.detail.owner'), owner?.displayName ?? ''], [t('agenda.detail.period'), period]]} />
        <p className="muted">{t('agenda.detail.busyNote')}</p>
      </SidePanel>
    );
  }
  return (
    <SidePanel title={action.title} onClose={close} testId="action-detail" closeOnEscape={!dirty} focusKey={action.id}>
      <div className="detail-meta">
        {type ? (
          <span className="type-tag">
            <span className="swatch" style={{ backgroundColor: type.color }} />
            {type.label}
          </span>
        ) : null}
        <span className="muted">
          {t('actionEdit.owner')} {owner?.displayName ?? ''}
        </span>
        {action.sync ? (
          <span className={`sync-line sync-${action.sync}`} data-testid="detail-sync" data-state={action.sync}>
            <SyncStateIcon state={action.sync} />
            {t(`syncBadge.${action.sync}`)}
          </span>
        ) : null}
      </div>
      <ErrorLine error={detailError} />
      {full && full.id === action.id ? (
        <ActionEditor key={action.id} action={full} types={types} timeZone={timeZone} onDirty={setDirty} />
      ) : detailError ? null : (
        <p className="muted">{t('actionEdit.loadingDetail')}</p>
      )}
    </SidePanel>
  );
}

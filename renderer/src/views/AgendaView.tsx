import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TZDate } from '@date-fns/tz';
import type { Action, ActionType, ActionView, SessionUser, UserSummary } from '../../../shared/contract';
import { ErrorLine } from '../components/ErrorLine';
import { ChevronIcon, SyncStateIcon } from '../components/Icons';
import { Fields, SidePanel } from '../components/SidePanel';
import { dayKey, fmt, validTimeZone } from '../lib/dates';
import { periodText } from '../lib/period';
import { daysFrom, layoutDaysCached, layoutMonth, type DaysLayout } from '../lib/weekLayout';
import { AGENDA_VIEWS, shownUsersOf, useAgenda, type AgendaViewKind, type NewActionSlot } from '../stores/agenda';
import { ActionEditor } from './agenda/ActionEditor';
import { AgendaSyncButton } from './agenda/AgendaSyncButton';
import { MonthGrid } from './agenda/MonthGrid';
import { TimeGrid } from './agenda/TimeGrid';

export function AgendaView({ user }: { user: SessionUser }) {
  const { t } = useTranslation();
  const s = useAgenda();
  const timeZone = s.timeZone;

  useEffect(() => {
    const st = useAgenda.getState();
    if (st.users.length === 0) void st.init(validTimeZone(user.timeZone), user.id);
    // Back on the agenda: what is kept shows at once (fetched again when old).
    else void st.refresh();
  }, [user]);

  // PageUp / PageDown: previous / next period; T: today — anywhere in the agenda but in a field,
  // a dialog or the side panel.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest('input, select, textarea, [contenteditable], [role=dialog], .side-panel')) return;
      const st = useAgenda.getState();
      if (e.key === 'PageUp' || e.key === 'PageDown') {
        e.preventDefault();
        st.shift(e.key === 'PageUp' ? -1 : 1);
      } else if (e.key === 't' || e.key === 'T') {
        e.preventDefault();
        st.goToday();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const range = useMemo(() => periodDays(s.rangeStart, s.rangeDays), [s.rangeStart, s.rangeDays]);
  const typesById = useMemo(() => new Map(s.actionTypes.map((at) => [at.id, at])), [s.actionTypes]);
  const usersById = useMemo(() => new Map(s.users.map((u) => [u.id, u])), [s.users]);
  const shownUsers = useMemo(() => shownUsersOf(s.selectedUserIds, s.users), [s.selectedUserIds, s.users]);
  const shownIds = useMemo(() => shownUsers.map((u) => u.id), [shownUsers]);
  const timed = useMemo(() => (s.view === 'month' ? null : timedLayout(s.actions, range, shownIds, timeZone)), [s.view, s.actions, range, shownIds, timeZone]);
  const month = useMemo(() => (s.view === 'month' ? layoutMonth(s.actions, range.bounds, range.keys, shownIds, timeZone) : null), [s.view, s.actions, range, shownIds, timeZone]);
  const selected = s.selectedActionId === null ? null : (s.actions.find((a) => a.id === s.selectedActionId) ?? null);
  const onSelect = useCallback((id: number) => useAgenda.getState().select(id), []);
  // Who the viewer may change (the core checks again): self, ADM, or a right on the colleague.
  const canEdit = useCallback((ownerId: number) => {
    if (user.isAdmin || ownerId === user.id) return true;
    const u = usersById.get(ownerId);
    return !!u && (u.rights.agenda || u.rights.visible);
  }, [user, usersById]);

  const label =
    s.view === 'day'
      ? fmt(s.anchor, t('formats.dayLong'), timeZone)
      : s.view === 'week'
        ? t('agenda.weekOf', { date: fmt(s.rangeStart, t('formats.weekLabel'), timeZone) })
        : fmt(s.anchor, t('formats.monthLabel'), timeZone);
  const todayKey = dayKey(Date.now(), timeZone);
  const countKey = s.view === 'day' ? 'agenda.countDay' : s.view === 'week' ? 'agenda.count' : 'agenda.countMonth';

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
        <section className="side-section">
          <h2 className="section-title">{t('agenda.keys.title')}</h2>
          <ul className="key-help muted small">
            <li>{t('agenda.keys.navigate')}</li>
            <li>{t('agenda.keys.move')}</li>
            <li>{t('agenda.keys.create')}</li>
          </ul>
        </section>
      </aside>

      <section className="agenda-main">
        <div className="toolbar">
          <div className="button-group">
            <button type="button" className="button icon" onClick={() => s.shift(-1)} aria-label={t(`agenda.previous_${s.view}`)} title={`${t(`agenda.previous_${s.view}`)} (PageUp)`} data-testid="week-prev">
              <ChevronIcon dir="left" />
            </button>
            <button type="button" className="button" onClick={() => s.goToday()} title={`${t('agenda.today')} (T)`} data-testid="week-today">
              {t('agenda.today')}
            </button>
            <button type="button" className="button icon" onClick={() => s.shift(1)} aria-label={t(`agenda.next_${s.view}`)} title={`${t(`agenda.next_${s.view}`)} (PageDown)`} data-testid="week-next">
              <ChevronIcon dir="right" />
            </button>
          </div>
          <h1 className="week-label" data-testid="week-label">
            {label}
          </h1>
          <ViewSwitch view={s.view} onChange={(v) => s.setView(v)} />
          <span className="muted toolbar-note" aria-live="polite">
            {s.loading ? t('common.loading') : t(countKey, { count: countShown(s.actions, shownIds) })}
          </span>
          <AgendaSyncButton users={shownUsers} />
        </div>
        <ErrorLine error={s.error} onRetry={() => void s.reload()} />
        <ErrorLine error={s.moveError} />
        {shownUsers.length === 0 && !s.loading && s.users.length > 0 ? <p className="empty">{t('agenda.noUser')}</p> : null}
        {timed && s.view !== 'month' ? (
          <TimeGrid
            view={s.view}
            days={range.days}
            keys={range.keys}
            users={shownUsers}
            layout={timed}
            typesById={typesById}
            timeZone={timeZone}
            todayKey={todayKey}
            selectedId={s.selectedActionId}
            loadedFrom={s.loadedFrom}
            loading={s.loading}
            canEdit={canEdit}
            onSelect={onSelect}
          />
        ) : month ? (
          <MonthGrid
            days={range.days}
            keys={range.keys}
            month={fmt(s.anchor, 'yyyy-MM', timeZone)}
            items={month}
            users={shownUsers}
            typesById={typesById}
            timeZone={timeZone}
            todayKey={todayKey}
            selectedId={s.selectedActionId}
            loadedFrom={s.loadedFrom}
            loading={s.loading}
            canEdit={canEdit}
            onSelect={onSelect}
          />
        ) : null}
      </section>

      {s.newAction ? (
        <NewActionPanel slot={s.newAction} owner={usersById.get(s.newAction.ownerId)} types={s.actionTypes} timeZone={timeZone} />
      ) : selected ? (
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

/**
 * The period's days and its layout, kept from one mount of the view to the next: back on the
 * agenda, the grid draws what it drew before without working the dates out again (each zoned
 * date asks Intl for the zone's offset) nor laying the period out again — and the blocks get
 * the same segments, so a later change of the period re-renders only what changed. The layout
 * is kept with the listing (`layoutDaysCached`), where the store also lays out the weeks it
 * fetched ahead.
 */
let lastRange: { start: number; zone: string | undefined; days: number; value: ReturnType<typeof daysFrom> } | null = null;
function periodDays(start: TZDate, days: number): ReturnType<typeof daysFrom> {
  if (lastRange && lastRange.start === +start && lastRange.zone === start.timeZone && lastRange.days === days) return lastRange.value;
  const value = daysFrom(start, days);
  lastRange = { start: +start, zone: start.timeZone, days, value };
  return value;
}
function timedLayout(actions: readonly ActionView[], range: ReturnType<typeof daysFrom>, userIds: readonly number[], zone: string): DaysLayout {
  return layoutDaysCached(actions, range.bounds, range.keys, userIds, zone);
}

/** Distinct actions of the shown agendas in what was loaded. */
function countShown(actions: readonly ActionView[], userIds: readonly number[]): number {
  const shown = new Set(userIds);
  let n = 0;
  for (const a of actions) if (shown.has(a.ownerId)) n++;
  return n;
}

/** Day / week / month: a group of toggle buttons (Tab to reach, Enter/Space to pick). */
function ViewSwitch({ view, onChange }: { view: AgendaViewKind; onChange(v: AgendaViewKind): void }) {
  const { t } = useTranslation();
  return (
    <div className="segmented" role="group" aria-label={t('agenda.view.label')} data-testid="view-switch">
      {AGENDA_VIEWS.map((v) => (
        <button key={v} type="button" className={`segment${v === view ? ' active' : ''}`} aria-pressed={v === view} onClick={() => onChange(v)} data-testid={`view-${v}`}>
          {t(`agenda.view.${v}`)}
        </button>
      ))}
    </div>
  );
}

/** A new action on the slot picked on the grid: the editor, prefilled, saving with actions.create. */
function NewActionPanel({ slot, owner, types, timeZone }: { slot: NewActionSlot; owner: UserSummary | undefined; types: ActionType[]; timeZone: string }) {
  const { t } = useTranslation();
  const close = useCallback(() => useAgenda.getState().startNew(null), []);
  const [dirty, setDirty] = useState(false);
  const base = useMemo<Action>(
    () => ({
      kind: 'full',
      id: 0,
      ownerId: slot.ownerId,
      typeId: types[0]?.id ?? 1,
      title: '',
      location: '',
      period: slot.period,
      private: false,
      reminder: { enabled: false, minutesBefore: 15 },
      description: '',
      seriesId: null,
      contactId: null,
      companyId: null,
      updatedAt: new Date(0).toISOString(),
    }),
    [slot, types],
  );
  const key = JSON.stringify(slot);
  return (
    <SidePanel title={t('agenda.newAction')} onClose={close} testId="new-action" closeOnEscape={!dirty} focusKey={key}>
      <div className="detail-meta">
        <span className="muted">
          {t('actionEdit.owner')} {owner?.displayName ?? ''}
        </span>
      </div>
      <ActionEditor key={key} action={base} types={types} timeZone={timeZone} onDirty={setDirty} create />
    </SidePanel>
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

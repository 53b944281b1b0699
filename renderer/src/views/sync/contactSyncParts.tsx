/**
 * The pieces of the contact sync list (FTC019 §3.4.1, issue 6) shared by its two places: the
 * card in Préférences (ContactSyncListCard) and the panel beside the contact list
 * (ContactSyncPanel): the list itself (virtualised, searchable, multi-select, context menu),
 * the Remove confirmation, the "Add" picker, and the lines saying what a change did.
 */
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContactCandidate, ContactSummary, ContactSyncItem } from '../../../../shared/contract';
import { CrmError } from '../../../../shared/errors';
import { bridge } from '../../api/bridge';
import { ContextMenu, ContextMenuItem, type MenuAnchor } from '../../components/ContextMenu';
import { Dialog } from '../../components/Dialog';
import { ErrorLine } from '../../components/ErrorLine';
import { SyncStateIcon } from '../../components/Icons';
import { VirtualListbox } from '../../components/VirtualListbox';
import { fmt, formatNumber } from '../../lib/dates';
import { usePagedRows, type PagedRows } from '../../lib/usePagedRows';
import { useContactSync } from '../../stores/contactSync';
import { useSession } from '../../stores/session';
import { logLine } from './logText';
import './contactSync.css';

const DEBOUNCE_MS = 200;
const PAGE = 100;

export type ListVariant = 'wide' | 'narrow';

/** "DUPONT Jean" as the CRM lists people; the company when a contact has no name. */
export function personName(c: Pick<ContactSummary, 'lastName' | 'firstName'>): string {
  return [c.lastName, c.firstName].filter(Boolean).join(' ');
}

/** A search box's text, and the same text 200 ms after the last key (what is searched). */
export function useDebounced(initial = ''): [string, (v: string) => void, string] {
  const [text, setText] = useState(initial);
  const [query, setQuery] = useState(initial);
  useEffect(() => {
    if (text === query) return;
    const timer = setTimeout(() => setQuery(text), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, query]);
  return [text, setText, query.trim()];
}

/** The rows of the shown list matching `query`, paged in as they scroll into sight. */
export function useSyncListRows(query: string): PagedRows<ContactSyncItem> {
  const ownerId = useContactSync((s) => s.ownerId);
  const selfId = useContactSync((s) => s.selfId);
  const version = useContactSync((s) => s.version);
  const fetchPage = useCallback(
    async (offset: number, limit: number) => {
      const r = await bridge['contactSyncList.items']({ ...(ownerId !== null && ownerId !== selfId ? { userId: ownerId } : {}), query, offset, limit });
      useContactSync.getState().seen(r.count, r.lastSyncAt);
      return { total: r.total, items: r.items };
    },
    [ownerId, selfId, query],
  );
  return usePagedRows(fetchPage, `${ownerId ?? ''}|${query}`, version, PAGE, 500);
}

/** The ids of every row of the shown list matching `query` (Ctrl+A), in one call. */
export function useSyncListIds(query: string): () => Promise<number[]> {
  const ownerId = useContactSync((s) => s.ownerId);
  const selfId = useContactSync((s) => s.selfId);
  return useCallback(
    async () => (await bridge['contactSyncList.itemIds']({ ...(ownerId !== null && ownerId !== selfId ? { userId: ownerId } : {}), query })).ids,
    [ownerId, selfId, query],
  );
}

export function SearchBox({ value, onChange, label, placeholder, testId }: { value: string; onChange(v: string): void; label: string; placeholder: string; testId: string }) {
  return (
    <div className="search">
      <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" className="search-icon">
        <circle cx="7" cy="7" r="4.5" stroke="currentColor" strokeWidth="1.6" fill="none" />
        <path d="M10.5 10.5L14 14" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
      </svg>
      <input type="search" aria-label={label} placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} maxLength={100} />
    </div>
  );
}

/** ✓ synced / ↑ to send / ! error, with the error's message (English, as the sync log writes it). */
export function SyncStateBadge({ item, withMessage = false }: { item: Pick<ContactSyncItem, 'state' | 'message' | 'syncedAt'>; withMessage?: boolean }) {
  const { t } = useTranslation();
  const timeZone = useSession((s) => s.timeZone);
  const hint =
    item.state === 'synced'
      ? item.syncedAt
        ? t('contactSync.stateHint.synced', { date: fmt(Date.parse(item.syncedAt), t('formats.dateTime'), timeZone) })
        : t('contactSync.state.synced')
      : item.state === 'pending'
        ? t('contactSync.stateHint.pending')
        : `${t('contactSync.stateHint.error')} : ${item.message ?? ''}`;
  return (
    <span className={`cs-state cs-state-${item.state}`} title={hint} data-testid="cs-state" data-state={item.state}>
      <span className={`sync-badge sync-${item.state === 'error' ? 'error' : item.state}`} aria-hidden="true">
        <SyncStateIcon state={item.state} />
      </span>
      <span className="cs-state-label">{t(`contactSync.state.${item.state}`)}</span>
      {withMessage && item.state === 'error' && item.message ? (
        <span className="cs-state-message" lang={logLine(t, { ...item, message: item.message }).lang} data-testid="cs-state-message">
          {logLine(t, { ...item, message: item.message }).text}
        </span>
      ) : null}
    </span>
  );
}

/** One row of the list: a grid in the card, two lines in the narrow panel. */
function SyncRow({ item, variant }: { item: ContactSyncItem | undefined; variant: ListVariant }) {
  const { t } = useTranslation();
  if (!item) return <span className="cs-loading">{t('contactSync.loadingRow')}</span>;
  const phone = item.phone || item.mobile;
  if (variant === 'narrow') {
    return (
      <span className="cs-row narrow">
        <span className="cs-line">
          <span className="cs-name">
            <span className="strong">{item.lastName}</span> {item.firstName}
          </span>
          <SyncStateBadge item={item} />
        </span>
        <span className="cs-line cs-sub">{[item.companyName, item.email].filter(Boolean).join(' · ') || '—'}</span>
        {item.state === 'error' && item.message ? (
          <span className="cs-line cs-error-line" lang="en" title={item.message}>
            {item.message}
          </span>
        ) : null}
      </span>
    );
  }
  return (
    <span className="cs-row wide">
      <span className="cs-name">
        <span className="strong">{item.lastName}</span> {item.firstName}
      </span>
      <span className="cs-cell">{item.companyName}</span>
      <span className="cs-cell">{item.email}</span>
      <span className="cs-cell nowrap">{phone}</span>
      <SyncStateBadge item={item} withMessage />
    </span>
  );
}

export function ListHeader() {
  const { t } = useTranslation();
  // Visual only: each option says its own columns to a screen reader.
  return (
    <div className="cs-head" aria-hidden="true">
      <span>{t('contactSync.columns.name')}</span>
      <span>{t('contactSync.columns.company')}</span>
      <span>{t('contactSync.columns.email')}</span>
      <span>{t('contactSync.columns.phone')}</span>
      <span>{t('contactSync.columns.state')}</span>
    </div>
  );
}

/** The core refused a change: its own sentence (it names the contacts), after ours. */
export function RefusalLine({ error, names = [], onDismiss, testId }: { error: unknown; names?: string[]; onDismiss?: () => void; testId?: string }) {
  const { t } = useTranslation();
  if (!error) return null;
  if (!(error instanceof CrmError) || error.code !== 'BAD_INPUT') return <ErrorLine error={error} testId={testId} />;
  // The core's message names the input field first ("contactIds: …"): the user needs the rest.
  // It names contacts by their CRM number; the names of what was tried come first, in words.
  const message = error.field && error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message;
  const who = names.length > 3 ? t('contactSync.addedMore', { names: names.slice(0, 3).join(', '), count: names.length - 3 }) : names.join(', ');
  return (
    <div className="error-line cs-refusal" role="alert" data-testid={testId}>
      <span className="cs-refusal-text">
        {who ? t('contactSync.refusedNames', { names: who }) : t('contactSync.refused')}{' '}
        <span lang="en" data-testid={testId ? `${testId}-message` : undefined}>
          {message}
        </span>
      </span>
      {onDismiss ? (
        <button type="button" className="link-button" onClick={onDismiss}>
          {t('contactSync.dismiss')}
        </button>
      ) : null}
    </div>
  );
}

/** What the last add or remove did (or why it was refused), under the list. */
export function ChangeLines({ testId }: { testId: string }) {
  const { t } = useTranslation();
  const notice = useContactSync((s) => s.notice);
  const changeError = useContactSync((s) => s.changeError);
  const attempted = useContactSync((s) => s.attempted);
  const dismiss = () => useContactSync.getState().dismissNotice();
  let text = '';
  if (notice?.kind === 'added') {
    if (notice.added === 0) text = t('contactSync.nothingAdded');
    else {
      const shown = notice.names.join(', ');
      const names = notice.added > notice.names.length && notice.names.length > 0 ? t('contactSync.addedMore', { names: shown, count: notice.added - notice.names.length }) : shown;
      text = t('contactSync.added', { count: notice.added, names: names || formatNumber(notice.added) });
      if (notice.alreadyOnList > 0) text += ` ${t('contactSync.already', { count: notice.alreadyOnList })}`;
    }
    text += ` ${t('contactSync.listSize', { count: notice.count })}`;
  } else if (notice?.kind === 'removed') {
    text = `${t('contactSync.removed', { count: notice.removed })} ${
      notice.deletedInGoogle > 0 ? t('contactSync.deletedInGoogle', { count: notice.deletedInGoogle }) : t('contactSync.keptInGoogle', { count: notice.removed })
    }`;
  }
  return (
    <div className="cs-change" aria-live="polite">
      {text ? (
        <div className="notice success cs-notice" data-testid={`${testId}-notice`} data-kind={notice?.kind}>
          <span>{text}</span>
          <button type="button" className="link-button" onClick={dismiss}>
            {t('contactSync.dismiss')}
          </button>
        </div>
      ) : null}
      <RefusalLine error={changeError} names={attempted} onDismiss={dismiss} testId={`${testId}-refused`} />
    </div>
  );
}

interface SyncListBoxProps {
  variant: ListVariant;
  testId: string;
  /** Opens the "Add" picker (its owner holds it, so the button and the menu share it). */
  onOpenPicker(): void;
  /** The scroll box, for the panel's drop target. */
  scrollRef?: (el: HTMLDivElement | null) => void;
  /** Under the search: what a drop or a menu can do (the panel shows the drop hint). */
  hint?: ReactNode;
  /** What a change did, under the list (the Contacts screen shows it above its table instead). */
  showChanges?: boolean;
}

/**
 * The list with its search, its selection, its context menu (Add…, Remove…, Select all) and
 * the Remove confirmation. The picker is opened by the caller (it is shared with its button).
 */
export function SyncListBox({ variant, testId, onOpenPicker, scrollRef, hint, showChanges = true }: SyncListBoxProps) {
  const { t } = useTranslation();
  const [text, setText, query] = useDebounced();
  const rows = useSyncListRows(query);
  const allIds = useSyncListIds(query);
  const count = useContactSync((s) => s.count);
  const busy = useContactSync((s) => s.busy);
  const [selected, setSelected] = useState<Set<number>>(() => new Set());
  const [menu, setMenu] = useState<MenuAnchor | null>(null);
  const [removing, setRemoving] = useState(false);
  const hintId = useId();
  // Names of rows seen, for the Remove confirmation (the selection is kept by id).
  const names = useRef(new Map<number, string>());

  // Another search: what was selected is out of sight, so it is let go.
  useEffect(() => setSelected(new Set()), [query]);

  const renderRow = useCallback(
    (item: ContactSyncItem | undefined) => {
      if (item) names.current.set(item.id, personName(item) || item.companyName);
      return <SyncRow item={item} variant={variant} />;
    },
    [variant],
  );

  const shownText = query && rows.total !== null && count !== null ? t('contactSync.matching', { shown: formatNumber(rows.total), all: formatNumber(count) }) : '';
  // The card's list is as tall as its rows, up to 9 of them; the panel's fills the panel.
  const rowHeight = variant === 'wide' ? 40 : 58;
  const boxStyle = variant === 'wide' ? { height: Math.min(9, Math.max(3, rows.total ?? 3)) * rowHeight + 2 } : undefined;
  const selectAll = () => void allIds().then((ids) => setSelected(new Set(ids)));
  const empty = query ? t('contactSync.emptySearch', { query }) : t('contactSync.empty');

  return (
    <div className={`cs-list ${variant}`} data-testid={testId}>
      <div className="cs-toolbar">
        <SearchBox value={text} onChange={setText} label={t('contactSync.search')} placeholder={t('contactSync.searchPlaceholder')} testId={`${testId}-search`} />
        <div className="button-group">
          <button type="button" className="button" onClick={onOpenPicker} disabled={busy !== null} data-testid={`${testId}-add`}>
            {t('contactSync.add')}
          </button>
          <button type="button" className="button" onClick={() => setRemoving(true)} disabled={selected.size === 0 || busy !== null} data-testid={`${testId}-remove`}>
            {t('contactSync.remove')}
          </button>
        </div>
      </div>
      {hint}
      {/* Always in the page (a live region must exist before it speaks), empty takes no room. */}
      <div className={`cs-meta muted small${shownText || selected.size > 0 ? '' : ' is-empty'}`}>
        <span data-testid={`${testId}-shown`}>{shownText}</span>
        <span aria-live="polite" data-testid={`${testId}-selected`}>
          {selected.size > 0 ? t('contactSync.selected', { count: selected.size }) : ''}
        </span>
        {selected.size > 0 ? (
          <button type="button" className="link-button" onClick={() => setSelected(new Set())}>
            {t('contactSync.clearSelection')}
          </button>
        ) : null}
      </div>
      <ErrorLine error={rows.error} onRetry={rows.retry} />
      {variant === 'wide' ? <ListHeader /> : null}
      <VirtualListbox<ContactSyncItem>
        rows={rows}
        idOf={(r) => r.id}
        allIds={allIds}
        selected={selected}
        onSelect={setSelected}
        renderRow={renderRow}
        rowHeight={rowHeight}
        style={boxStyle}
        label={t('contactSync.listLabel')}
        describedBy={hintId}
        className={`cs-box ${variant}`}
        testId={`${testId}-box`}
        onContextMenu={(at) => setMenu(at)}
        onDelete={() => setRemoving(true)}
        empty={<span data-testid={`${testId}-empty`}>{empty}</span>}
        scrollRef={scrollRef}
      />
      <p className="field-hint cs-keys" id={hintId}>
        {t('contactSync.keysHint')}
      </p>
      {showChanges ? <ChangeLines testId={testId} /> : null}
      <ContextMenu at={menu} onClose={() => setMenu(null)} label={t('contactSync.menu.label')} testId={`${testId}-menu`}>
        <ContextMenuItem onClick={onOpenPicker} disabled={busy !== null} testId="cs-menu-add">
          {t('contactSync.menu.add')}
        </ContextMenuItem>
        <ContextMenuItem onClick={() => setRemoving(true)} disabled={selected.size === 0 || busy !== null} testId="cs-menu-remove">
          {t('contactSync.menu.remove', { count: selected.size })}
        </ContextMenuItem>
        <ContextMenuItem onClick={selectAll} disabled={!rows.total} testId="cs-menu-select-all">
          {t('contactSync.menu.selectAll')}
        </ContextMenuItem>
      </ContextMenu>
      {removing && selected.size > 0 ? (
        <RemoveDialog
          ids={[...selected]}
          names={[...selected].map((id) => names.current.get(id)).filter((n): n is string => !!n)}
          onClose={(done) => {
            setRemoving(false);
            if (done) setSelected(new Set());
          }}
        />
      ) : null}
    </div>
  );
}

/** Remove: the seed leaves the Google contacts alone; deleting them there too is asked for, unticked. */
export function RemoveDialog({ ids, names, onClose }: { ids: number[]; names: string[]; onClose(done: boolean): void }) {
  const { t } = useTranslation();
  const [deleteInGoogle, setDeleteInGoogle] = useState(false);
  const busy = useContactSync((s) => s.busy) === 'remove';
  const error = useContactSync((s) => s.changeError);
  const bodyId = useId();
  const hintId = useId();
  const [tried, setTried] = useState(false);
  const shown = names.slice(0, 5);
  const more = ids.length - shown.length;

  const confirm = async () => {
    setTried(true);
    if (await useContactSync.getState().remove(ids, deleteInGoogle, names)) onClose(true);
  };

  return (
    <Dialog title={t('contactSync.removeDialog.title', { count: ids.length })} describedBy={bodyId} onClose={() => onClose(false)} busy={busy} testId="cs-remove-dialog">
      <p className="dialog-body" id={bodyId}>
        {t('contactSync.removeDialog.body', { count: ids.length })}
      </p>
      {shown.length > 0 ? (
        <ul className="cs-remove-names" data-testid="cs-remove-names">
          {shown.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
          {more > 0 ? <li className="muted">{t('contactSync.removeDialog.more', { count: more })}</li> : null}
        </ul>
      ) : null}
      <label className={`choice${deleteInGoogle ? ' selected danger' : ''}`}>
        <input type="checkbox" checked={deleteInGoogle} onChange={(e) => setDeleteInGoogle(e.target.checked)} aria-describedby={hintId} data-testid="cs-remove-delete-google" />
        <span className="toggle-text">
          <span className="toggle-label">{t('contactSync.removeDialog.deleteInGoogle', { count: ids.length })}</span>
          <span className="field-hint" id={hintId}>
            {t('contactSync.removeDialog.deleteHint', { count: ids.length })}
          </span>
        </span>
      </label>
      {tried ? <RefusalLine error={error} names={names} testId="cs-remove-error" /> : null}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={() => onClose(false)} disabled={busy} data-testid="cs-remove-cancel">
          {t('contactSync.removeDialog.cancel')}
        </button>
        <button type="button" className={`button ${deleteInGoogle ? 'danger' : 'primary'}`} onClick={() => void confirm()} disabled={busy} data-testid="cs-remove-confirm">
          {busy ? t('contactSync.removeDialog.removing') : deleteInGoogle ? t('contactSync.removeDialog.confirmDelete') : t('contactSync.removeDialog.confirm')}
        </button>
      </div>
    </Dialog>
  );
}

/** "Add": the contacts the list's owner (and the caller) may see, searchable, paged, multi-select. */
export function PickerDialog({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const ownerId = useContactSync((s) => s.ownerId);
  const selfId = useContactSync((s) => s.selfId);
  const version = useContactSync((s) => s.version);
  const busy = useContactSync((s) => s.busy) === 'add';
  const error = useContactSync((s) => s.changeError);
  const [text, setText, query] = useDebounced();
  const [selected, setSelected] = useState<Set<number>>(() => new Set());
  const [tried, setTried] = useState(false);
  const names = useRef(new Map<number, string>());
  const [attempt, setAttempt] = useState<string[]>([]);
  const introId = useId();
  const keysId = useId();

  const fetchPage = useCallback(
    (offset: number, limit: number) => bridge['contactSyncList.candidates']({ ...(ownerId !== null && ownerId !== selfId ? { userId: ownerId } : {}), query, offset, limit }),
    [ownerId, selfId, query],
  );
  const rows = usePagedRows<ContactCandidate>(fetchPage, `${ownerId ?? ''}|${query}`, version, PAGE);
  const allIds = useCallback(
    async () => (await bridge['contactSyncList.candidateIds']({ ...(ownerId !== null && ownerId !== selfId ? { userId: ownerId } : {}), query })).ids,
    [ownerId, selfId, query],
  );

  const add = async (ids: number[]) => {
    setTried(true);
    const who = ids.map((id) => names.current.get(id) ?? '').filter(Boolean);
    setAttempt(who);
    if (await useContactSync.getState().add(ids, who)) onClose();
  };
  // Enter adds the selection, or the contact in focus when nothing is selected.
  const activate = (index: number) => {
    const c = rows.row(index);
    if (selected.size > 0) void add([...selected]);
    else if (c && !c.onList) void add([c.id]);
  };

  return (
    <Dialog title={t('contactSync.picker.title')} describedBy={introId} onClose={onClose} busy={busy} wide testId="cs-picker">
      <p className="dialog-body" id={introId}>
        {t('contactSync.picker.intro')}
      </p>
      <div className="cs-toolbar">
        <SearchBox value={text} onChange={setText} label={t('contactSync.picker.search')} placeholder={t('contactSync.searchPlaceholder')} testId="cs-picker-search" />
        <span className="muted small" data-testid="cs-picker-total">
          {rows.total !== null ? t('contactSync.picker.total', { count: rows.total }) : ''}
        </span>
      </div>
      <ErrorLine error={rows.error} onRetry={rows.retry} />
      <VirtualListbox<ContactCandidate>
        rows={rows}
        idOf={(c) => c.id}
        selectable={(c) => !c.onList}
        allIds={allIds}
        selected={selected}
        onSelect={setSelected}
        rowHeight={40}
        label={t('contactSync.picker.listLabel')}
        describedBy={keysId}
        className="cs-box picker"
        testId="cs-picker-box"
        onActivate={activate}
        empty={query ? t('contactSync.picker.empty', { query }) : t('contactSync.picker.emptyAll')}
        renderRow={(c) => {
          if (!c) return <span className="cs-loading">{t('contactSync.loadingRow')}</span>;
          names.current.set(c.id, personName(c) || c.companyName);
          return (
            <span className="cs-row picker">
              <span className="cs-check" aria-hidden="true" />
              <span className="cs-name">
                <span className="strong">{c.lastName}</span> {c.firstName}
              </span>
              <span className="cs-cell">{c.companyName}</span>
              <span className="cs-cell">{c.email}</span>
              <span className="cs-cell">{c.onList ? <span className="badge">{t('contactSync.picker.onList')}</span> : c.city}</span>
            </span>
          );
        }}
      />
      <p className="field-hint" id={keysId}>
        {t('contactSync.picker.keysHint')}
      </p>
      {tried ? <RefusalLine error={error} names={attempt} testId="cs-picker-error" /> : null}
      <div className="dialog-actions">
        <span className="muted small cs-picked" aria-live="polite">
          {selected.size > 0 ? t('contactSync.selected', { count: selected.size }) : ''}
        </span>
        <button type="button" className="button" onClick={onClose} disabled={busy} data-testid="cs-picker-cancel">
          {t('contactSync.picker.cancel')}
        </button>
        <button type="button" className="button primary" onClick={() => void add([...selected])} disabled={busy || selected.size === 0} data-testid="cs-picker-add">
          {busy ? t('contactSync.picker.adding') : selected.size > 0 ? t('contactSync.picker.add', { count: selected.size }) : t('contactSync.picker.addNone')}
        </button>
      </div>
    </Dialog>
  );
}

import {
  DndContext,
  DragOverlay,
  KeyboardCode,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useDraggable,
  useSensor,
  useSensors,
  type Announcements,
  type CollisionDetection,
  type DragEndEvent,
  type DragStartEvent,
  type KeyboardCoordinateGetter,
} from '@dnd-kit/core';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type KeyboardEventHandler, type MouseEvent, type PointerEventHandler } from 'react';
import { useTranslation } from 'react-i18next';
import type { Contact, ContactSummary } from '../../../shared/contract';
import { anchorOf, ContextMenu, ContextMenuItem, isContextMenuKey, type MenuAnchor } from '../components/ContextMenu';
import { ErrorLine } from '../components/ErrorLine';
import { ChevronIcon } from '../components/Icons';
import { Fields, SidePanel } from '../components/SidePanel';
import { fmt, formatNumber } from '../lib/dates';
import { PAGE_SIZE, useContacts } from '../stores/contacts';
import { useContactSync } from '../stores/contactSync';
import { useSession } from '../stores/session';
import { ChangeLines, personName } from './sync/contactSyncParts';
import { ContactSyncPanel, SYNC_LIST_DROP_ID } from './sync/ContactSyncPanel';

const DEBOUNCE_MS = 200;

/** What is being dragged: the contacts (the selection, or the row grabbed outside it). */
interface DragLoad {
  ids: number[];
  names: string[];
}

export function ContactsView() {
  const { t } = useTranslation();
  const s = useContacts();
  const panelOpen = useContactSync((st) => st.panelOpen);
  const [text, setText] = useState(s.query);
  const [selection, setSelection] = useState<Set<number>>(() => new Set());
  const [menu, setMenu] = useState<{ at: MenuAnchor; ids: number[] } | null>(null);
  const [drag, setDrag] = useState<DragLoad | null>(null);

  useEffect(() => {
    if (!useContacts.getState().loaded) void useContacts.getState().reload();
  }, []);

  // Debounced search: the store (and the request) follow the box 200 ms after the last key.
  useEffect(() => {
    if (text === useContacts.getState().query) return;
    const timer = setTimeout(() => useContacts.getState().setQuery(text), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  // Another page or search: the selection was of rows no longer shown.
  useEffect(() => setSelection(new Set()), [s.query, s.offset]);

  const from = s.total === 0 ? 0 : s.offset + 1;
  const to = Math.min(s.offset + s.items.length, s.total);
  const closeDetail = useCallback(() => void useContacts.getState().open(null), []);

  /** The contacts an action on `id` applies to: the selection when `id` is in it, else `id` alone. */
  const loadFor = useCallback(
    (id: number): DragLoad => {
      const ids = selection.has(id) ? s.items.filter((c) => selection.has(c.id)).map((c) => c.id) : [id];
      const byId = new Map(s.items.map((c) => [c.id, c]));
      return { ids, names: ids.map((i) => byId.get(i)).filter((c): c is ContactSummary => !!c).map((c) => personName(c) || c.companyName) };
    },
    [selection, s.items],
  );

  const addToSync = (load: DragLoad) => void useContactSync.getState().add(load.ids, load.names);

  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 6 } }), useSensor(KeyboardSensor, { coordinateGetter: toSyncList }));

  const dragRef = useRef<DragLoad | null>(null);
  const announcements = useMemo<Announcements>(() => {
    const what = (id: string | number) => {
      const load = dragRef.current;
      const n = load?.ids.length ?? 1;
      return t('contactSync.drag.what', { count: n, name: load?.names[0] ?? String(id) });
    };
    return {
      onDragStart: ({ active }) => t('contactSync.drag.picked', { what: what(active.id) }),
      onDragOver: ({ active, over }) => (over ? t('contactSync.drag.over', { what: what(active.id) }) : t('contactSync.drag.notOver', { what: what(active.id) })),
      onDragEnd: ({ active, over }) => (over ? t('contactSync.drag.dropped', { what: what(active.id) }) : t('contactSync.drag.droppedOutside', { what: what(active.id) })),
      onDragCancel: () => t('contactSync.drag.cancelled'),
    };
  }, [t]);

  const onDragStart = (e: DragStartEvent) => {
    const id = Number(e.active.data.current?.contactId);
    const load = loadFor(id);
    // Grabbing a row outside the selection takes that row alone, as a file list does.
    if (!selection.has(id)) setSelection(new Set([id]));
    dragRef.current = load;
    setDrag(load);
  };
  const onDragEnd = (e: DragEndEvent) => {
    const load = dragRef.current;
    setDrag(null);
    if (load && e.over?.id === SYNC_LIST_DROP_ID) addToSync(load);
    // Announced before it is forgotten.
    setTimeout(() => {
      dragRef.current = null;
    }, 0);
  };

  const openMenu = (at: MenuAnchor, id: number) => {
    if (!selection.has(id)) setSelection(new Set([id]));
    setMenu({ at, ids: loadFor(id).ids });
  };

  const detailOpen = s.selectedId !== null;

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={collision}
      accessibility={{ announcements, screenReaderInstructions: { draggable: t('contactSync.drag.instructions') } }}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
      onDragCancel={() => {
        setDrag(null);
        setTimeout(() => (dragRef.current = null), 0);
      }}
    >
      <div className={`page-with-panel${panelOpen ? ' with-sync-panel' : ''}`}>
        <div className="page">
          <div className="page-head">
            <h1>{t('nav.contacts')}</h1>
            <div className="search">
              <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" className="search-icon">
                <circle cx="7" cy="7" r="4.5" stroke="currentColor" strokeWidth="1.6" fill="none" />
                <path d="M10.5 10.5L14 14" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
              </svg>
              <input
                type="search"
                aria-label={t('contacts.search')}
                placeholder={t('contacts.searchPlaceholder')}
                value={text}
                onChange={(e) => setText(e.target.value)}
                data-testid="contacts-search"
                maxLength={100}
              />
            </div>
            <button
              type="button"
              className={`button cs-toggle${panelOpen ? ' on' : ''}`}
              aria-pressed={panelOpen}
              title={t('contactSync.panel.toggleHint')}
              onClick={() => useContactSync.getState().setPanelOpen(!panelOpen)}
              data-testid="cs-panel-toggle"
            >
              {t('contactSync.panel.toggle')}
            </button>
          </div>
          <div className="pager">
            <span className="muted" data-testid="contacts-total" aria-live="polite">
              {t('contacts.range', { from: formatNumber(from), to: formatNumber(to), total: formatNumber(s.total) })}
            </span>
            <div className="button-group">
              <button type="button" className="button icon" disabled={s.offset === 0} onClick={() => s.setPage(s.offset - PAGE_SIZE)} aria-label={t('contacts.previousPage')} title={t('contacts.previousPage')} data-testid="contacts-prev">
                <ChevronIcon dir="left" />
              </button>
              <button type="button" className="button icon" disabled={s.offset + PAGE_SIZE >= s.total} onClick={() => s.setPage(s.offset + PAGE_SIZE)} aria-label={t('contacts.nextPage')} title={t('contacts.nextPage')} data-testid="contacts-next">
                <ChevronIcon dir="right" />
              </button>
            </div>
          </div>
          <ErrorLine error={s.error} onRetry={() => void s.reload()} />
          <ChangeLines testId="contacts-cs" />
          <ContactTable
            items={s.items}
            selectedId={s.selectedId}
            onOpen={(id) => void s.open(id)}
            testId="contacts-table"
            busy={s.loading}
            compact={detailOpen}
            selection={selection}
            onSelection={setSelection}
            draggable={panelOpen}
            onMenu={openMenu}
          />
          {s.loaded && s.items.length === 0 && !s.error ? (
            <p className="empty" data-testid="contacts-empty">
              {s.query.trim() ? t('contacts.empty', { query: s.query.trim() }) : t('contacts.emptyAll')}
            </p>
          ) : null}
        </div>
        {panelOpen ? <ContactSyncPanel /> : null}
        {detailOpen ? (
          // Over the sync list while it is open (it comes back when the card closes, and shows
          // through while a drag is on, so contacts can be dropped on it).
          <div className={panelOpen ? `cs-detail-layer${drag ? ' hidden' : ''}` : 'cs-detail-slot'}>
            <SidePanel title={s.selected ? contactName(s.selected) : t('contacts.detailTitle')} onClose={closeDetail} testId="contact-detail">
              <ErrorLine error={s.detailError} />
              {s.selected ? <ContactDetail contact={s.selected} /> : !s.detailError ? <p className="muted">{t('common.loading')}</p> : null}
            </SidePanel>
          </div>
        ) : null}
      </div>
      <DragOverlay dropAnimation={null}>
        {drag ? (
          <div className="cs-drag-chip" data-testid="cs-drag-chip">
            {drag.ids.length > 1 ? t('contactSync.drag.what', { count: drag.ids.length, name: '' }) : (drag.names[0] ?? '')}
          </div>
        ) : null}
      </DragOverlay>
      <ContextMenu at={menu?.at ?? null} onClose={() => setMenu(null)} label={t('contactSync.contactMenu.label')} testId="contact-menu">
        <ContextMenuItem
          onClick={() => {
            if (menu) addToSync(loadFor(menu.ids[0] as number));
          }}
          testId="contact-menu-sync"
        >
          {menu && menu.ids.length > 1 ? t('contactSync.contactMenu.addMany', { count: menu.ids.length }) : t('contactSync.contactMenu.addOne')}
        </ContextMenuItem>
        <ContextMenuItem
          onClick={() => {
            if (menu && menu.ids.length === 1) void s.open(menu.ids[0] as number);
          }}
          disabled={!menu || menu.ids.length !== 1}
          testId="contact-menu-open"
        >
          {t('contactSync.contactMenu.open')}
        </ContextMenuItem>
      </ContextMenu>
    </DndContext>
  );
}

/** Pointer drags drop where the pointer is; keyboard drags (no pointer) where the chip is. */
const collision: CollisionDetection = (args) => {
  const under = pointerWithin(args);
  return under.length > 0 ? under : rectIntersection(args);
};

/**
 * Keyboard drags: → takes the contacts straight over the sync list, ← back where they came from
 * (a step of 25 px at a time, dnd-kit's default, would take dozens of presses to cross the table).
 */
const toSyncList: KeyboardCoordinateGetter = (event, { context, currentCoordinates }) => {
  const target = context.droppableRects.get(SYNC_LIST_DROP_ID);
  const chip = context.collisionRect;
  if (event.code === KeyboardCode.Right || event.code === KeyboardCode.Down) {
    if (!target) return currentCoordinates;
    event.preventDefault();
    const w = chip?.width ?? 0;
    const h = chip?.height ?? 0;
    return { x: target.left + target.width / 2 - w / 2, y: target.top + Math.min(target.height / 2, 160) - h / 2 };
  }
  if (event.code === KeyboardCode.Left || event.code === KeyboardCode.Up) {
    event.preventDefault();
    const start = context.activeNode?.getBoundingClientRect();
    return start ? { x: start.left, y: start.top } : currentCoordinates;
  }
  return undefined;
};

export function contactName(c: Pick<Contact, 'civility' | 'firstName' | 'lastName'>): string {
  return [c.civility, c.firstName, c.lastName].filter(Boolean).join(' ');
}

interface TableProps {
  items: ContactSummary[];
  selectedId?: number | null;
  onOpen?: (id: number) => void;
  testId: string;
  busy?: boolean;
  /** Narrower table (a side panel is open): the job title and city columns are hidden. */
  compact?: boolean;
  /** Rows picked with Ctrl/Shift-click or Space, for dragging and the context menu. */
  selection?: ReadonlySet<number>;
  onSelection?: (next: Set<number>) => void;
  /** Rows can be dragged onto the sync list (it is shown): a grip column appears. */
  draggable?: boolean;
  /** Right-click, the Menu key or Shift+F10 on a row. */
  onMenu?: (at: MenuAnchor, id: number) => void;
}

/**
 * The contact table: a click opens the card (and selects that row), Ctrl/⌘-click adds a row to
 * the selection or takes it out, Shift-click selects a range; from the keyboard ↑ ↓ move between
 * rows (Shift extends the selection), Space selects, Enter opens, the Menu key or Shift+F10 opens
 * the row's context menu. With the sync list shown, rows drag onto it (by the mouse anywhere on
 * the row, by the keyboard from the grip).
 */
export function ContactTable({ items, selectedId = null, onOpen, testId, busy = false, compact = false, selection, onSelection, draggable = false, onMenu }: TableProps) {
  const { t } = useTranslation();
  const anchor = useRef<number | null>(null);
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const selected = selection ?? new Set<number>();

  const select = (next: Set<number>) => onSelection?.(next);
  const range = (a: number, b: number, base: ReadonlySet<number>) => {
    const next = new Set(base);
    for (let i = Math.min(a, b); i <= Math.max(a, b); i++) next.add((items[i] as ContactSummary).id);
    return next;
  };

  const onClick = (e: MouseEvent, index: number, id: number) => {
    if (onSelection && e.shiftKey) {
      e.preventDefault();
      select(range(anchor.current ?? index, index, e.ctrlKey || e.metaKey ? selected : new Set()));
      return;
    }
    if (onSelection && (e.ctrlKey || e.metaKey)) {
      const next = new Set(selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      anchor.current = index;
      select(next);
      return;
    }
    anchor.current = index;
    select(new Set([id]));
    onOpen?.(id);
  };

  const focusRow = (index: number) => bodyRef.current?.querySelectorAll<HTMLTableRowElement>('tr')[index]?.focus();

  const onKeyDown = (e: KeyboardEvent<HTMLTableRowElement>, index: number, id: number) => {
    // Keys on the grip are the drag's (dnd-kit listens to them), not the row's.
    if (e.target !== e.currentTarget) return;
    if (onMenu && isContextMenuKey(e)) {
      e.preventDefault();
      onMenu(anchorOf(e.currentTarget), id);
      return;
    }
    if (e.key === 'Enter') {
      e.preventDefault();
      anchor.current = index;
      if (onSelection) select(new Set([id]));
      onOpen?.(id);
    } else if (e.key === ' ') {
      e.preventDefault();
      if (!onSelection) {
        onOpen?.(id);
        return;
      }
      const next = new Set(selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      anchor.current = index;
      select(next);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const to = index + (e.key === 'ArrowDown' ? 1 : -1);
      if (to < 0 || to >= items.length) return;
      e.preventDefault();
      focusRow(to);
      if (onSelection && e.shiftKey) select(range(anchor.current ?? index, to, new Set()));
    }
  };

  return (
    <div className={`table-wrap${busy ? ' busy' : ''}${compact ? ' compact' : ''}`}>
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
            {draggable ? (
              <th scope="col" className="col-grip">
                <span className="visually-hidden">{t('contactSync.panel.toggle')}</span>
              </th>
            ) : null}
            <th scope="col">{t('contacts.lastName')}</th>
            <th scope="col">{t('contacts.firstName')}</th>
            <th scope="col">{t('contacts.company')}</th>
            <th scope="col" className="col-opt">
              {t('contacts.jobTitle')}
            </th>
            <th scope="col">{t('contacts.email')}</th>
            <th scope="col">{t('contacts.phone')}</th>
            <th scope="col" className="col-opt">
              {t('contacts.city')}
            </th>
          </tr>
        </thead>
        <tbody ref={bodyRef}>
          {items.map((c, index) => (
            <ContactRow
              key={c.id}
              contact={c}
              draggable={draggable}
              selected={selected.has(c.id) || c.id === selectedId}
              clickable={!!onOpen}
              onClick={(e) => onClick(e, index, c.id)}
              onKeyDown={(e) => onKeyDown(e, index, c.id)}
              onContextMenu={
                onMenu
                  ? (e) => {
                      e.preventDefault();
                      onMenu({ x: e.clientX, y: e.clientY, keyboard: false }, c.id);
                    }
                  : undefined
              }
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface RowProps {
  contact: ContactSummary;
  draggable: boolean;
  selected: boolean;
  clickable: boolean;
  onClick(e: MouseEvent): void;
  onKeyDown(e: KeyboardEvent<HTMLTableRowElement>): void;
  onContextMenu?: (e: MouseEvent) => void;
}

function ContactRow({ contact: c, draggable, selected, clickable, onClick, onKeyDown, onContextMenu }: RowProps) {
  const { t } = useTranslation();
  const name = personName(c) || c.companyName;
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, isDragging } = useDraggable({
    id: `contact-${c.id}`,
    data: { contactId: c.id },
    disabled: !draggable,
    attributes: { roleDescription: t('contactSync.drag.role') },
  });
  return (
    <tr
      ref={setNodeRef}
      className={`${clickable ? 'clickable' : ''}${selected ? ' selected' : ''}${isDragging ? ' dragging' : ''}`}
      tabIndex={clickable ? 0 : undefined}
      onClick={clickable ? onClick : undefined}
      onKeyDown={clickable ? onKeyDown : undefined}
      onContextMenu={onContextMenu}
      // The mouse drags from anywhere on the row (past 6 px, so a click stays a click).
      onPointerDown={draggable ? (listeners?.onPointerDown as PointerEventHandler | undefined) : undefined}
      aria-selected={clickable ? selected : undefined}
      data-contact-id={c.id}
    >
      {draggable ? (
        <td className="col-grip">
          <button
            type="button"
            ref={setActivatorNodeRef}
            className="grip"
            {...attributes}
            aria-label={t('contactSync.drag.handle', { name })}
            onKeyDown={listeners?.onKeyDown as KeyboardEventHandler | undefined}
            onClick={(e) => e.stopPropagation()}
            data-testid="contact-grip"
          >
            <svg viewBox="0 0 10 16" width="10" height="16" aria-hidden="true">
              {[3, 8, 13].flatMap((y) => [2.5, 7.5].map((x) => <circle key={`${x}-${y}`} cx={x} cy={y} r="1.4" fill="currentColor" />))}
            </svg>
          </button>
        </td>
      ) : null}
      <td className="strong">{c.lastName}</td>
      <td>{c.firstName}</td>
      <td>{c.companyName}</td>
      <td className="col-opt">{c.jobTitle}</td>
      <td className="nowrap">{c.email}</td>
      <td className="nowrap">{c.phone || c.mobile}</td>
      <td className="col-opt">{c.city}</td>
    </tr>
  );
}

function ContactDetail({ contact: c }: { contact: Contact }) {
  const { t } = useTranslation();
  const timeZone = useSession((s) => s.timeZone);
  const a = c.address;
  const address = [a.line1, a.line2, a.line3, [a.postalCode, a.city].filter(Boolean).join(' '), a.country].filter(Boolean).join('\n');
  return (
    <>
      <Fields
        rows={[
          [t('contacts.civility'), c.civility],
          [t('contacts.lastName'), c.lastName],
          [t('contacts.firstName'), c.firstName],
          [t('contacts.company'), c.companyName],
          [t('contacts.jobTitle'), c.jobTitle],
          [t('contacts.email'), c.email ? <a href={`mailto:${c.email}`}>{c.email}</a> : ''],
          [t('contacts.phone'), c.phone],
          [t('contacts.mobile'), c.mobile],
          [t('contacts.address'), address ? <span className="pre">{address}</span> : ''],
          [t('contacts.photo'), c.hasPhoto ? t('contacts.hasPhoto') : t('contacts.noPhoto')],
        ]}
      />
      {c.comment ? (
        <section className="detail-block">
          <h3>{t('contacts.comment')}</h3>
          <p className="pre">{c.comment}</p>
        </section>
      ) : null}
      <p className="muted small">{t('contacts.updatedAt', { date: fmt(Date.parse(c.updatedAt), t('formats.dateTime'), timeZone) })}</p>
    </>
  );
}

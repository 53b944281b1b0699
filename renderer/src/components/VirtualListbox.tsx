/**
 * A long list the user selects in (the contact sync list, the "Add" picker): only the rows in
 * sight are in the page (@tanstack/react-virtual), read a page at a time as they come into sight
 * (lib/usePagedRows), so 25,000 contacts scroll like 25.
 *
 * ARIA listbox, multi-select, the way a file list behaves: click selects one, Ctrl/⌘-click adds
 * or takes one out, Shift-click selects a range; from the keyboard (the list is one Tab stop,
 * the row in focus is its aria-activedescendant) ↑ ↓ Home End PageUp PageDown move, with Shift
 * they extend the selection, with Ctrl they only move; Space selects or unselects; Ctrl+A selects
 * every row; Delete asks to remove; the Menu key or Shift+F10 opens the context menu.
 */
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { useCallback, useEffect, useId, useRef, useState, type CSSProperties, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import type { PagedRows } from '../lib/usePagedRows';
import { anchorOf, isContextMenuKey, type MenuAnchor } from './ContextMenu';

export interface RowState {
  selected: boolean;
  active: boolean;
}

interface Props<T> {
  rows: PagedRows<T>;
  idOf(item: T): number;
  /** Rows that may not be selected (in the picker: already on the list). */
  selectable?(item: T): boolean;
  /**
   * The ids of every selectable row, in one call (Ctrl+A). Without it Ctrl+A reads every page,
   * which on 25,000 rows takes seconds.
   */
  allIds?(): Promise<number[]>;
  selected: ReadonlySet<number>;
  onSelect(next: Set<number>): void;
  renderRow(item: T | undefined, index: number, state: RowState): ReactNode;
  rowHeight: number;
  label: string;
  /** Describes the keys (an element id). */
  describedBy?: string;
  className?: string;
  /** The scroll box's size, when the CSS does not give it. */
  style?: CSSProperties;
  testId?: string;
  /** Right-click or Menu key / Shift+F10: `index` is the row under it, null on the empty part. */
  onContextMenu?(at: MenuAnchor, index: number | null): void;
  onDelete?(): void;
  /** Enter on a row. */
  onActivate?(index: number): void;
  /** Shown when there are no rows. */
  empty?: ReactNode;
  /** The scroll box, for a drop target around it. */
  scrollRef?: (el: HTMLDivElement | null) => void;
}

export function VirtualListbox<T>({
  rows,
  idOf,
  selectable = () => true,
  allIds,
  selected,
  onSelect,
  renderRow,
  rowHeight,
  label,
  describedBy,
  className,
  style,
  testId,
  onContextMenu,
  onDelete,
  onActivate,
  empty,
  scrollRef,
}: Props<T>) {
  const baseId = useId();
  const boxRef = useRef<HTMLDivElement | null>(null);
  const [focus, setFocus] = useState(0);
  const [anchor, setAnchor] = useState<number | null>(null);
  const [hasFocus, setHasFocus] = useState(false);
  const total = rows.total ?? 0;
  const focusIndex = total === 0 ? -1 : Math.min(focus, total - 1);

  // The row in focus stays rendered while scrolled away: it is the listbox's active descendant.
  const focusRef = useRef(focusIndex);
  focusRef.current = focusIndex;
  const rangeExtractor = useCallback((range: Range) => {
    const out = defaultRangeExtractor(range);
    const f = focusRef.current;
    if (f >= 0 && !out.includes(f)) {
      out.push(f);
      out.sort((a, b) => a - b);
    }
    return out;
  }, []);

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => boxRef.current,
    estimateSize: () => rowHeight,
    overscan: 8,
    rangeExtractor,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const { ensure } = rows;
  useEffect(() => {
    if (total > 0) ensure(first, last);
  }, [ensure, first, last, total]);

  const setBox = useCallback(
    (el: HTMLDivElement | null) => {
      boxRef.current = el;
      scrollRef?.(el);
    },
    [scrollRef],
  );

  const moveTo = (index: number) => {
    const i = Math.max(0, Math.min(total - 1, index));
    setFocus(i);
    virtualizer.scrollToIndex(i, { align: 'auto' });
    return i;
  };

  const idsOf = (list: T[]) => list.filter((r) => selectable(r)).map(idOf);

  const [selecting, setSelecting] = useState(false);
  const selectIds = async (read: () => Promise<number[]>, additive: boolean) => {
    // A range across rows not read yet (Ctrl+A on 25,000) takes a moment: the list says it is busy.
    const slow = setTimeout(() => setSelecting(true), 150);
    try {
      const ids = await read();
      const next = new Set(additive ? selected : []);
      for (const id of ids) next.add(id);
      onSelect(next);
    } finally {
      clearTimeout(slow);
      setSelecting(false);
    }
  };
  const selectRange = (from: number, to: number, additive: boolean) => selectIds(async () => idsOf(await rows.rowsInRange(from, to)), additive);

  const selectOnly = (index: number) => {
    const item = rows.row(index);
    onSelect(new Set(item !== undefined && selectable(item) ? [idOf(item)] : []));
    setAnchor(index);
  };

  const toggle = (index: number) => {
    const item = rows.row(index);
    if (item === undefined || !selectable(item)) return;
    const next = new Set(selected);
    const id = idOf(item);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onSelect(next);
    setAnchor(index);
  };

  const onRowClick = (e: MouseEvent, index: number) => {
    setFocus(index);
    boxRef.current?.focus({ preventScroll: true });
    if (e.shiftKey) void selectRange(anchor ?? index, index, e.ctrlKey || e.metaKey);
    else if (e.ctrlKey || e.metaKey) toggle(index);
    else selectOnly(index);
  };

  const onRowContextMenu = (e: MouseEvent, index: number) => {
    if (!onContextMenu) return;
    e.preventDefault();
    e.stopPropagation();
    setFocus(index);
    boxRef.current?.focus({ preventScroll: true });
    const item = rows.row(index);
    // The menu acts on the selection; a right-click outside it selects that row first.
    if (item !== undefined && !selected.has(idOf(item))) selectOnly(index);
    onContextMenu({ x: e.clientX, y: e.clientY, keyboard: false }, item === undefined ? null : index);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (isContextMenuKey(e)) {
      if (!onContextMenu) return;
      e.preventDefault();
      const el = focusIndex >= 0 ? document.getElementById(`${baseId}-opt-${focusIndex}`) : null;
      const item = focusIndex >= 0 ? rows.row(focusIndex) : undefined;
      if (item !== undefined && !selected.has(idOf(item)) && selectable(item)) selectOnly(focusIndex);
      onContextMenu(anchorOf(el ?? e.currentTarget), item === undefined ? null : focusIndex);
      return;
    }
    if (total === 0) return;
    const ctrl = e.ctrlKey || e.metaKey;
    const page = Math.max(1, Math.floor((boxRef.current?.clientHeight ?? rowHeight * 10) / rowHeight) - 1);
    let target: number | null = null;
    switch (e.key) {
      case 'ArrowDown':
        target = focusIndex + 1;
        break;
      case 'ArrowUp':
        target = focusIndex - 1;
        break;
      case 'Home':
        target = 0;
        break;
      case 'End':
        target = total - 1;
        break;
      case 'PageDown':
        target = focusIndex + page;
        break;
      case 'PageUp':
        target = focusIndex - page;
        break;
      case ' ':
        e.preventDefault();
        if (e.shiftKey) void selectRange(anchor ?? focusIndex, focusIndex, ctrl);
        else toggle(focusIndex);
        return;
      case 'Enter':
        if (onActivate) {
          e.preventDefault();
          onActivate(focusIndex);
        }
        return;
      case 'Delete':
        if (onDelete && selected.size > 0) {
          e.preventDefault();
          onDelete();
        }
        return;
      case 'Escape':
        if (selected.size > 0) {
          e.preventDefault();
          e.stopPropagation();
          onSelect(new Set());
        }
        return;
      case 'a':
      case 'A':
        if (ctrl) {
          e.preventDefault();
          void (allIds ? selectIds(allIds, false) : selectRange(0, total - 1, false));
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    const i = moveTo(target);
    if (e.shiftKey) void selectRange(anchor ?? focusIndex, i, ctrl);
    else if (!ctrl) selectOnly(i);
  };

  const activeId = hasFocus && focusIndex >= 0 ? `${baseId}-opt-${focusIndex}` : undefined;

  return (
    <div
      ref={setBox}
      className={`vlist${className ? ` ${className}` : ''}${selecting ? ' selecting' : ''}`}
      style={style}
      aria-busy={selecting || undefined}
      // No rows, no listbox (ARIA wants options in one): the box then only says why it is empty.
      role={total > 0 ? 'listbox' : undefined}
      aria-multiselectable={total > 0 ? 'true' : undefined}
      aria-label={total > 0 ? label : undefined}
      aria-describedby={total > 0 ? describedBy : undefined}
      aria-activedescendant={activeId}
      tabIndex={total > 0 ? 0 : undefined}
      onKeyDown={onKeyDown}
      onFocus={() => setHasFocus(true)}
      onBlur={() => setHasFocus(false)}
      onContextMenu={
        onContextMenu
          ? (e) => {
              e.preventDefault();
              onContextMenu({ x: e.clientX, y: e.clientY, keyboard: false }, null);
            }
          : undefined
      }
      data-testid={testId}
      data-total={rows.total ?? undefined}
    >
      {total === 0 ? (
        rows.total === null ? null : (
          <div className="vlist-empty">{empty}</div>
        )
      ) : (
        <div className="vlist-inner" style={{ height: virtualizer.getTotalSize() }} role="presentation">
          {items.map((v) => {
            const item = rows.row(v.index);
            const isSelected = item !== undefined && selected.has(idOf(item));
            const active = v.index === focusIndex && hasFocus;
            const disabled = item !== undefined && !selectable(item);
            return (
              <div
                key={v.key}
                id={`${baseId}-opt-${v.index}`}
                role="option"
                aria-selected={isSelected}
                aria-disabled={disabled || undefined}
                aria-setsize={total}
                aria-posinset={v.index + 1}
                aria-busy={item === undefined || undefined}
                className={`vlist-row${isSelected ? ' selected' : ''}${active ? ' active' : ''}${disabled ? ' disabled' : ''}${v.index % 2 ? ' odd' : ''}`}
                style={{ height: v.size, transform: `translateY(${v.start}px)` }}
                onMouseDown={(e) => {
                  // Shift-click selects a range, not the page's text.
                  if (e.shiftKey) e.preventDefault();
                }}
                onClick={(e) => onRowClick(e, v.index)}
                onContextMenu={(e) => onRowContextMenu(e, v.index)}
                data-index={v.index}
                data-id={item === undefined ? undefined : idOf(item)}
              >
                {renderRow(item, v.index, { selected: isSelected, active })}
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}

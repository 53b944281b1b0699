/**
 * A context menu (right-click, the keyboard's context-menu key, Shift+F10) on
 * @szhsin/react-menu: role="menu" with its items, arrow keys and typeahead, Escape, a click
 * elsewhere or a scroll closes it. Focus goes back to where it was when it closes.
 */
import { ControlledMenu, MenuDivider, MenuItem } from '@szhsin/react-menu';
import '@szhsin/react-menu/dist/core.css';
import { useEffect, useRef, type ReactNode } from 'react';

export interface MenuAnchor {
  x: number;
  y: number;
  /** Opened from the keyboard: the first item takes the focus (with the mouse, the menu does). */
  keyboard: boolean;
}

/** Where a context menu opened from the keyboard goes: at the left of the focused element, just below its top. */
export function anchorOf(el: Element): MenuAnchor {
  const r = el.getBoundingClientRect();
  return { x: Math.round(r.left + Math.min(24, r.width / 2)), y: Math.round(r.top + Math.min(r.height, 28)), keyboard: true };
}

/** True for the keys that open a context menu: the Menu key and Shift+F10. */
export function isContextMenuKey(e: { key: string; shiftKey: boolean }): boolean {
  return e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10');
}

const FIRST = { position: 'first' as const };

export function ContextMenu({ at, onClose, label, children, testId }: { at: MenuAnchor | null; onClose(): void; label: string; children: ReactNode; testId?: string }) {
  const opener = useRef<HTMLElement | null>(null);
  useEffect(() => {
    if (!at) return;
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return () => {
      const back = opener.current;
      // After the item's own action (which may open a dialog that takes the focus).
      setTimeout(() => {
        const now = document.activeElement;
        // Still on the closed menu (Escape) or nowhere: back to the opener. A dialog the item opened keeps it.
        const lost = now === null || now === document.body || now.closest('.szh-menu-container') !== null;
        if (back && back.isConnected && lost) back.focus({ preventScroll: true });
      }, 0);
    };
  }, [at]);

  return (
    <ControlledMenu
      state={at ? 'open' : 'closed'}
      anchorPoint={at ?? { x: 0, y: 0 }}
      onClose={() => {
        // At once (the next key goes where the user was); an item that opens a dialog then gives it the focus.
        const back = opener.current;
        if (back && back.isConnected) back.focus({ preventScroll: true });
        onClose();
      }}
      menuItemFocus={at?.keyboard ? FIRST : undefined}
      portal
      direction="right"
      menuClassName="context-menu"
      aria-label={label}
      data-testid={testId}
    >
      {children}
    </ControlledMenu>
  );
}

export function ContextMenuItem({ onClick, disabled, children, testId }: { onClick(): void; disabled?: boolean; children: ReactNode; testId?: string }) {
  return (
    <MenuItem className="context-menu-item" onClick={() => onClick()} disabled={disabled} data-testid={testId}>
      {children}
    </MenuItem>
  );
}

export { MenuDivider as ContextMenuDivider };

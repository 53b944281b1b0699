import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  title: string;
  onClose(): void;
  children: ReactNode;
  testId?: string;
  /** False while the panel holds unsaved input: Escape then leaves it open (nothing typed is lost). */
  closeOnEscape?: boolean;
  /** Focus goes to the close button when this changes (default: the title; an edited title must not move focus). */
  focusKey?: string | number;
}

/** A panel on the right; Escape or the close button dismisses it. */
export function SidePanel({ title, onClose, children, testId, closeOnEscape = true, focusKey }: Props) {
  const { t } = useTranslation();
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && closeOnEscape) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose, closeOnEscape]);
  const focusOn = focusKey ?? title;
  useEffect(() => {
    closeRef.current?.focus({ preventScroll: true });
  }, [focusOn]);
  return (
    <aside className="side-panel" aria-label={title} data-testid={testId}>
      <header className="side-panel-head">
        <h2>{title}</h2>
        <button ref={closeRef} type="button" className="icon-button" onClick={onClose} aria-label={t('common.close')} title={t('common.close')}>
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <path d="M3.5 3.5l9 9m0-9l-9 9" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" fill="none" />
          </svg>
        </button>
      </header>
      <div className="side-panel-body">{children}</div>
    </aside>
  );
}

/** A label/value list for detail panels. */
export function Fields({ rows }: { rows: Array<[string, ReactNode]> }) {
  return (
    <dl className="fields">
      {rows.map(([label, value]) => (
        <div key={label} className="field-row">
          <dt>{label}</dt>
          <dd>{value === '' || value === null || value === undefined ? <span className="muted">—</span> : value}</dd>
        </div>
      ))}
    </dl>
  );
}

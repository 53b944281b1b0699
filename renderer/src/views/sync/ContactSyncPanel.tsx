/**
 * The contact sync list beside the contact list (Contacts screen), where contacts are dropped.
 *
 * Why here rather than a contact list inside the Préférences card: the seed fills the list "par
 * Drag&Drop depuis la liste des contacts" — the user is browsing their contacts (searching,
 * paging, opening cards) when they decide who should be on their phone. The Contacts screen
 * already is that list; the sync list opens beside it like a second window of the CRM, so the
 * same search, paging and context menu serve both, and nothing is shown twice. The full card
 * (sync now, report, log) stays in Préférences with the other sync settings.
 */
import { useDndContext, useDroppable } from '@dnd-kit/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fmt, formatNumber } from '../../lib/dates';
import { useContactSync } from '../../stores/contactSync';
import { useNav } from '../../stores/nav';
import { useSession } from '../../stores/session';
import { PickerDialog, SyncListBox } from './contactSyncParts';

export const SYNC_LIST_DROP_ID = 'contact-sync-list';

export function ContactSyncPanel() {
  const { t } = useTranslation();
  const timeZone = useSession((s) => s.timeZone);
  const count = useContactSync((s) => s.count);
  const lastSyncAt = useContactSync((s) => s.lastSyncAt);
  const go = useNav((s) => s.go);
  const [picking, setPicking] = useState(false);
  const { setNodeRef, isOver } = useDroppable({ id: SYNC_LIST_DROP_ID });
  const { active } = useDndContext();
  const dragging = active !== null;

  return (
    <aside className={`cs-panel${dragging ? ' dragging' : ''}${isOver ? ' over' : ''}`} aria-labelledby="cs-panel-title" data-testid="cs-panel" data-over={isOver ? 'true' : 'false'}>
      <header className="cs-panel-head">
        <h2 id="cs-panel-title">
          {t('contactSync.panel.title')}{' '}
          <span className="cs-count-badge" data-testid="cs-panel-count">
            {count === null ? '…' : formatNumber(count)}
          </span>
        </h2>
        <button type="button" className="icon-button" onClick={() => useContactSync.getState().setPanelOpen(false)} aria-label={t('contactSync.panel.close')} title={t('contactSync.panel.close')} data-testid="cs-panel-close">
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <path d="M3.5 3.5l9 9m0-9l-9 9" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" fill="none" />
          </svg>
        </button>
      </header>
      <div ref={setNodeRef} className="cs-drop" data-testid="cs-drop">
        <SyncListBox
          variant="narrow"
          testId="cs-panel-list"
          onOpenPicker={() => setPicking(true)}
          showChanges={false}
          hint={<p className="field-hint cs-drop-hint">{t('contactSync.panel.dropHint')}</p>}
        />
        {dragging ? (
          <div className="cs-drop-cue" aria-hidden="true">
            <span>{t('contactSync.panel.dropHere')}</span>
          </div>
        ) : null}
      </div>
      <footer className="cs-panel-foot">
        <span className="muted small" data-testid="cs-panel-last">
          {t('contactSync.panel.last', { date: lastSyncAt ? fmt(Date.parse(lastSyncAt), t('formats.dateTime'), timeZone) : t('contactSync.never') })}
        </span>
        <a
          href="#/prefs"
          onClick={(e) => {
            e.preventDefault();
            useContactSync.setState({ reveal: true });
            go('prefs');
          }}
          data-testid="cs-panel-manage"
        >
          {t('contactSync.panel.manage')} →
        </a>
      </footer>
      {picking ? <PickerDialog onClose={() => setPicking(false)} /> : null}
    </aside>
  );
}

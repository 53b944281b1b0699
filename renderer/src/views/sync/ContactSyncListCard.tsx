/**
 * Préférences → the contacts to sync (FTC019 §3.4.1: "La liste des contacts à synchroniser se
 * trouve dans la fiche utilisateur"): count and last sync, the list (virtualised, searchable,
 * multi-select, each contact's sync state), Add… / Remove… (also in its context menu), "Sync
 * contacts now" with its progress bar, the report and the contacts sync log.
 *
 * The list is the signed-in user's: the preferences have no user picker (issue 7's wizard adds
 * one for a manager acting for a colleague).
 */
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorLine } from '../../components/ErrorLine';
import { SyncIcon } from '../../components/Icons';
import { fmt, formatNumber } from '../../lib/dates';
import { useContactSync } from '../../stores/contactSync';
import { useGoogle } from '../../stores/google';
import { useNav } from '../../stores/nav';
import { useSession } from '../../stores/session';
import { PickerDialog, SyncListBox } from './contactSyncParts';
import { ContactsReportView, ContactsSyncLog } from './ContactsSyncReport';

export function ContactSyncListCard() {
  const { t } = useTranslation();
  const timeZone = useSession((s) => s.timeZone);
  const count = useContactSync((s) => s.count);
  const lastSyncAt = useContactSync((s) => s.lastSyncAt);
  const running = useContactSync((s) => s.running);
  const report = useContactSync((s) => s.report);
  const reportError = useContactSync((s) => s.reportError);
  const connection = useGoogle((s) => s.connection);
  const go = useNav((s) => s.go);
  const [picking, setPicking] = useState(false);
  const hintId = useId();

  const cardRef = useRef<HTMLElement>(null);
  useEffect(() => {
    void useContactSync.getState().loadLog();
    // Opened from « Gérer la liste… » (Synchronisation) or the Contacts panel: show the card, not the page's top.
    if (useContactSync.getState().reveal) {
      useContactSync.setState({ reveal: false });
      cardRef.current?.scrollIntoView({ block: 'start' });
    }
  }, []);

  const notConnected = connection !== null && !connection.connected;
  const run = (dryRun: boolean) => void useContactSync.getState().run(dryRun);

  return (
    <section ref={cardRef} className="card cs-card" data-testid="contact-sync-card" aria-labelledby="cs-card-title">
      <h2 className="card-title" id="cs-card-title">
        {t('contactSync.title')}
      </h2>
      <p className="muted">
        {t('contactSync.intro')}{' '}
        <a
          href="#/contacts"
          onClick={(e) => {
            e.preventDefault();
            useContactSync.getState().setPanelOpen(true);
            go('contacts');
          }}
          data-testid="cs-open-contacts"
        >
          {t('contactSync.openContacts')} →
        </a>
      </p>
      <div className="stats">
        <div className="stat">
          <span className="stat-label">{t('contactSync.count')}</span>
          <span className="stat-value" data-testid="cs-count">
            {count === null ? '…' : formatNumber(count)}
          </span>
        </div>
        <div className="stat">
          <span className="stat-label">{t('contactSync.lastSync')}</span>
          <span className="stat-value" data-testid="cs-last-sync">
            {count === null ? '…' : lastSyncAt ? fmt(Date.parse(lastSyncAt), t('formats.dateTime'), timeZone) : t('contactSync.never')}
          </span>
        </div>
      </div>
      <SyncListBox variant="wide" testId="cs-list" onOpenPicker={() => setPicking(true)} />

      {notConnected ? (
        <p className="notice warn" data-testid="cs-not-connected">
          {t('contactSync.notConnected')}
        </p>
      ) : null}
      <div className="sync-actions">
        <button type="button" className="button primary" disabled={running !== null || notConnected} onClick={() => run(false)} data-testid="cs-sync-now">
          <SyncIcon size={14} spinning={running !== null} />
          {running ? t('contactSync.syncing') : t('contactSync.syncNow')}
        </button>
        <button type="button" className="button" disabled={running !== null || notConnected} onClick={() => run(true)} aria-describedby={hintId} data-testid="cs-preview">
          {t('contactSync.preview')}
        </button>
        <span className="field-hint" id={hintId}>
          {t('contactSync.previewHint')}
        </span>
      </div>
      {running ? <ContactsProgressBar /> : null}
      <ErrorLine error={reportError} testId="cs-sync-error" />
      {report ? <ContactsReportView report={report} /> : null}
      <ContactsSyncLog />
      {picking ? <PickerDialog onClose={() => setPicking(false)} /> : null}
    </section>
  );
}

/**
 * The running sync's progress (onContactsSyncProgress): reading Google, then sending contacts,
 * then photos, each with done / total, and Cancel beside it (contactsSync.cancel).
 */
function ContactsProgressBar() {
  const { t } = useTranslation();
  const running = useContactSync((s) => s.running);
  const cancelling = useContactSync((s) => s.cancelling);
  if (!running) return null;
  const started = running.total > 0;
  const done = Math.min(running.done, running.total);
  const pct = started ? Math.min(100, Math.round((done / running.total) * 100)) : null;
  const phaseText = started || running.phase !== 'pull' ? t(`contactSync.progress.${running.phase === 'done' ? 'push' : running.phase}`) : t('contactSync.progress.preparing');
  const countText = started ? t('agendaSync.count', { done: formatNumber(done), total: formatNumber(running.total) }) : '';
  return (
    <div className="cs-progress" data-testid="cs-progress" data-phase={running.phase}>
      <div className="cs-progress-line">
        <span className="cs-progress-text">{phaseText}</span>
        {countText ? <span className="sync-count">{countText}</span> : null}
      </div>
      <div
        className={`sync-bar${pct === null ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-label={t('contactSync.progress.label')}
        aria-valuemin={0}
        aria-valuemax={started ? running.total : undefined}
        aria-valuenow={started ? done : undefined}
        aria-valuetext={[phaseText, countText].filter(Boolean).join(' ')}
      >
        <div className="sync-bar-fill" style={pct === null ? undefined : { width: `${pct}%` }} />
      </div>
      <button
        type="button"
        className="link-button sync-cancel"
        onClick={() => void useContactSync.getState().cancel()}
        disabled={cancelling}
        aria-label={cancelling ? t('agendaSync.cancelling') : t('contactSync.cancelLabel')}
        title={t('contactSync.cancelLabel')}
        data-testid="cs-cancel"
      >
        {cancelling ? t('agendaSync.cancelling') : t('agendaSync.cancel')}
      </button>
    </div>
  );
}

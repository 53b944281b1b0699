import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorLine } from '../components/ErrorLine';
import { fmt } from '../lib/dates';
import { useContactSync } from '../stores/contactSync';
import { useNav } from '../stores/nav';
import { useSession } from '../stores/session';
import { AgendaSyncCard } from './sync/AgendaSyncCard';
import { SyncWizard } from './sync/SyncWizard';

export function SyncView() {
  const { t } = useTranslation();
  const go = useNav((s) => s.go);

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('sync.title')}</h1>
      </div>
      <p className="info-line">
        {t('sync.googleHint')}{' '}
        <a
          href="#/prefs"
          onClick={(e) => {
            e.preventDefault();
            go('prefs');
          }}
        >
          {t('nav.prefs')} →
        </a>
      </p>
      <SyncWizard />
      <AgendaSyncCard />
      <ContactsSummaryCard />
    </div>
  );
}

/**
 * The contacts side, in short: the list, its sync now, report and log live in Préférences (the
 * seed's user card, FTC019 §3.4.1); this says how many contacts go to Google and when they last did.
 */
function ContactsSummaryCard() {
  const { t } = useTranslation();
  const count = useContactSync((s) => s.count);
  const lastSyncAt = useContactSync((s) => s.lastSyncAt);
  const error = useContactSync((s) => s.summaryError);
  const version = useContactSync((s) => s.version);
  const timeZone = useSession((s) => s.timeZone);
  const go = useNav((s) => s.go);

  useEffect(() => {
    void useContactSync.getState().loadSummary();
  }, [version]);

  return (
    <section className="card" data-testid="contacts-sync-summary" aria-labelledby="contacts-sync-summary-title">
      <h2 className="card-title" id="contacts-sync-summary-title">
        {t('sync.contactsTitle')}
      </h2>
      <ErrorLine error={error} onRetry={() => void useContactSync.getState().loadSummary()} />
      <div className="stats">
        <div className="stat">
          <span className="stat-label">{t('sync.listLabel')}</span>
          <span className="stat-value" data-testid="sync-count">
            {count === null ? '…' : t('sync.count', { count })}
          </span>
        </div>
        <div className="stat">
          <span className="stat-label">{t('sync.lastSync')}</span>
          <span className="stat-value" data-testid="sync-last">
            {count === null ? '…' : lastSyncAt ? fmt(Date.parse(lastSyncAt), t('formats.dateTime'), timeZone) : t('sync.never')}
          </span>
        </div>
      </div>
      <a
        href="#/prefs"
        onClick={(e) => {
          e.preventDefault();
          useContactSync.setState({ reveal: true });
          go('prefs');
        }}
        data-testid="sync-manage-contacts"
      >
        {t('sync.manage')} →
      </a>
    </section>
  );
}

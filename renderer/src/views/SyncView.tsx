import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorLine } from '../components/ErrorLine';
import { fmt } from '../lib/dates';
import { useNav } from '../stores/nav';
import { useSession } from '../stores/session';
import { useSync } from '../stores/sync';
import { ContactTable } from './ContactsView';
import { AgendaSyncCard } from './sync/AgendaSyncCard';

export function SyncView() {
  const { t } = useTranslation();
  const { list, loading, error, load } = useSync();
  const timeZone = useSession((s) => s.timeZone);
  const go = useNav((s) => s.go);

  useEffect(() => {
    void useSync.getState().load();
  }, []);

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
      <AgendaSyncCard />
      <ErrorLine error={error} onRetry={() => void load()} />
      <section className="card">
        <h2 className="card-title">{t('sync.contactsTitle')}</h2>
        {list ? (
          <>
            <div className="stats">
              <div className="stat">
                <span className="stat-label">{t('sync.listLabel')}</span>
                <span className="stat-value" data-testid="sync-count">
                  {t('sync.count', { count: list.count })}
                </span>
              </div>
              <div className="stat">
                <span className="stat-label">{t('sync.lastSync')}</span>
                <span className="stat-value" data-testid="sync-last">
                  {list.lastSyncAt ? fmt(Date.parse(list.lastSyncAt), t('formats.dateTime'), timeZone) : t('sync.never')}
                </span>
              </div>
            </div>
            {list.items.length > 0 ? <ContactTable items={list.items} testId="sync-table" /> : <p className="empty">{t('sync.empty')}</p>}
          </>
        ) : loading ? (
          <p className="muted">{t('common.loading')}</p>
        ) : null}
      </section>
    </div>
  );
}

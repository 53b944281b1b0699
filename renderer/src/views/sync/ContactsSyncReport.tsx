/**
 * The contacts sync's report and log, in the agenda's look (AgendaSyncCard: the same report box,
 * status badges and expandable log rows), with the contacts' own counts: Google created, updated,
 * deleted and photos; comments brought into the CRM.
 */
import { useTranslation } from 'react-i18next';
import type { ContactsSyncReport, ContactsSyncRunSummary } from '../../../../shared/contract';
import { fmt, formatNumber } from '../../lib/dates';
import { useContactSync } from '../../stores/contactSync';
import { useSession } from '../../stores/session';
import { logLine } from './logText';
import { RunEntryList, StatusBadge, SyncLogTable } from './SyncLogTable';

const GOOGLE_KEYS = ['created', 'updated', 'deleted', 'photos'] as const;

export function ContactsReportView({ report }: { report: ContactsSyncReport }) {
  const { t } = useTranslation();
  const timeZone = useSession((s) => s.timeZone);
  const dry = report.dryRun;
  const g = report.google;
  const nothing = g.created + g.updated + g.deleted + g.photos + report.crm.updated === 0 && report.errors.length === 0 && report.decisions.length === 0;
  const googleLabels = dry
    ? [t('contactSync.report.wouldCreate'), t('contactSync.report.wouldUpdate'), t('contactSync.report.wouldDelete'), t('contactSync.report.wouldPhotos')]
    : [t('contactSync.report.created'), t('contactSync.report.updated'), t('contactSync.report.deleted'), t('contactSync.report.photos')];

  return (
    <section className={`sync-report${dry ? ' dry' : ''}`} data-testid="cs-report" data-dry-run={dry} data-status={report.status} aria-labelledby="cs-report-title">
      <header className="sync-report-head">
        <h3 id="cs-report-title">{dry ? t('contactSync.report.previewTitle') : t('contactSync.report.title')}</h3>
        {dry && report.status === 'ok' ? null : <StatusBadge status={report.status} />}
        <span className="muted small">{fmt(Date.parse(report.finishedAt), t('formats.dateTimeSeconds'), timeZone)}</span>
        <button type="button" className="link-button report-close" onClick={() => useContactSync.setState({ report: null })}>
          {t('contactSync.report.close')}
        </button>
      </header>
      {dry ? <p className="sync-report-note">{t('contactSync.report.previewNote')}</p> : null}
      {report.status === 'cancelled' ? <p className="notice info">{t('contactSync.report.cancelledNote')}</p> : null}
      <p className="muted small">{t('contactSync.report.listed', { count: report.listed })}</p>
      {nothing ? (
        <p className="sync-report-nothing" data-testid="cs-report-nothing">
          ✓ {t('contactSync.report.nothing')}
        </p>
      ) : (
        <div className="sync-sides">
          <div className="sync-side" data-testid="cs-report-google">
            <h4>{t('contactSync.report.google')}</h4>
            <dl className="sync-counts">
              {GOOGLE_KEYS.map((k, i) => (
                <div key={k} className={g[k] === 0 ? 'zero' : undefined} data-count={k}>
                  <dt>{googleLabels[i]}</dt>
                  <dd>{formatNumber(g[k])}</dd>
                </div>
              ))}
            </dl>
          </div>
          <div className="sync-side" data-testid="cs-report-crm">
            <h4>{t('contactSync.report.crm')}</h4>
            <dl className="sync-counts">
              <div className={report.crm.updated === 0 ? 'zero' : undefined} data-count="comments">
                <dt>{dry ? t('contactSync.report.wouldComments') : t('contactSync.report.comments')}</dt>
                <dd>{formatNumber(report.crm.updated)}</dd>
              </div>
            </dl>
          </div>
        </div>
      )}
      {report.skipped.length > 0 ? (
        <p className="sync-report-line" data-testid="cs-report-skipped">
          {t('contactSync.report.skipped', { list: report.skipped.map((s) => `${t(`contactSync.skip.${s.reason}`)} (${formatNumber(s.count)})`).join(' · ') })}
        </p>
      ) : null}
      {report.decisions.length > 0 ? (
        <details className="sync-details">
          <summary>{t('contactSync.report.decisions', { count: report.decisions.length })}</summary>
          <ul>
            {report.decisions.map((d, i) => (
              <li key={i}>
                <span className="badge">{t(`contactSync.decision.${d.kind}`)}</span> <span lang={logLine(t, d).lang}>{logLine(t, d).text}</span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {report.errors.length > 0 ? (
        <details className="sync-details errors" open data-testid="cs-report-errors">
          <summary>{t('contactSync.report.errors', { count: report.errors.length })}</summary>
          <ul>
            {report.errors.map((e, i) => (
              <li key={i}>
                {e.contactId !== null ? <span className="muted">{t('contactSync.log.contact', { id: String(e.contactId) })} · </span> : null}
                <span lang={logLine(t, e).lang}>{logLine(t, e).text}</span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      <p className="muted small">{t('contactSync.report.requests', { count: report.requests })}</p>
    </section>
  );
}

export function ContactsSyncLog() {
  const { t } = useTranslation();
  const runs = useContactSync((s) => s.runs);
  const loading = useContactSync((s) => s.logLoading);
  const error = useContactSync((s) => s.logError);
  const openRunId = useContactSync((s) => s.openRunId);
  const entries = useContactSync((s) => s.entries);
  return (
    <SyncLogTable<ContactsSyncRunSummary>
      prefix="cs"
      title={t('contactSync.log.title')}
      empty={t('contactSync.log.empty')}
      runs={runs}
      loading={loading}
      error={error}
      openRunId={openRunId}
      onToggle={(id) => useContactSync.getState().toggleRun(id)}
      onRefresh={() => void useContactSync.getState().loadLog()}
      groups={[
        { label: t('contactSync.log.crm'), columns: [{ label: t('contactSync.log.comments'), value: (r) => r.crm.updated, col: 'crm-comments' }] },
        { label: t('contactSync.log.google'), columns: GOOGLE_KEYS.map((k) => ({ label: t(`contactSync.log.${k}`), value: (r: ContactsSyncRunSummary) => r.google[k], col: `google-${k}` })) },
      ]}
      conflicts={t('contactSync.log.conflicts')}
      errors={t('contactSync.log.errors')}
      entries={(id) => <RunEntryList prefix="cs" entries={entries[id]} subject={(e) => (e.contactId !== null ? t('contactSync.log.contact', { id: String(e.contactId) }) : null)} />}
    />
  );
}

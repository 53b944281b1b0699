/**
 * The contacts sync's report and log, in the agenda's look (AgendaSyncCard: the same report box,
 * status badges and expandable log rows), with the contacts' own counts: Google created, updated,
 * deleted and photos; comments brought into the CRM.
 */
import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContactsSyncReport } from '../../../../shared/contract';
import { ErrorLine } from '../../components/ErrorLine';
import { fmt, formatNumber } from '../../lib/dates';
import { useContactSync } from '../../stores/contactSync';
import { useSession } from '../../stores/session';
import { StatusBadge } from './AgendaSyncCard';
import { logLine } from './logText';

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
  const timeZone = useSession((s) => s.timeZone);

  return (
    <section className="sync-log-section" aria-labelledby="cs-log-title">
      <div className="sync-log-head">
        <h3 id="cs-log-title">{t('contactSync.log.title')}</h3>
        <button type="button" className="link-button" onClick={() => void useContactSync.getState().loadLog()} data-testid="cs-log-refresh">
          {t('agendaSync.log.refresh')}
        </button>
      </div>
      <ErrorLine error={error} onRetry={() => void useContactSync.getState().loadLog()} />
      {runs === null ? (
        loading ? (
          <p className="muted">{t('common.loading')}</p>
        ) : null
      ) : runs.length === 0 ? (
        <p className="empty" data-testid="cs-log-empty">
          {t('contactSync.log.empty')}
        </p>
      ) : (
        <div className="table-wrap sync-log-wrap">
          <table className="table sync-log" data-testid="cs-log">
            <thead>
              <tr>
                <th rowSpan={2} scope="col">
                  {t('contactSync.log.date')}
                </th>
                <th rowSpan={2} scope="col">
                  {t('contactSync.log.status')}
                </th>
                <th colSpan={1} scope="colgroup" className="group">
                  {t('contactSync.log.crm')}
                </th>
                <th colSpan={4} scope="colgroup" className="group">
                  {t('contactSync.log.google')}
                </th>
                <th rowSpan={2} scope="col" className="num">
                  {t('contactSync.log.conflicts')}
                </th>
                <th rowSpan={2} scope="col" className="num">
                  {t('contactSync.log.errors')}
                </th>
              </tr>
              <tr>
                <th scope="col" className="num sub">
                  {t('contactSync.log.comments')}
                </th>
                {GOOGLE_KEYS.map((k) => (
                  <th key={k} scope="col" className="num sub">
                    {t(`contactSync.log.${k}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => {
                const open = openRunId === r.id;
                const date = fmt(Date.parse(r.startedAt), t('formats.dateTimeSeconds'), timeZone);
                return (
                  <Fragment key={r.id}>
                    <tr className={`clickable${open ? ' selected' : ''}`} onClick={() => useContactSync.getState().toggleRun(r.id)} data-testid="cs-run" data-status={r.status} data-run-id={r.id}>
                      <td>
                        <button
                          type="button"
                          className="row-toggle"
                          aria-expanded={open}
                          aria-controls={`cs-run-${r.id}`}
                          aria-label={t('agendaSync.log.details', { date })}
                          onClick={(e) => {
                            e.stopPropagation();
                            useContactSync.getState().toggleRun(r.id);
                          }}
                        >
                          <span className={`caret${open ? ' open' : ''}`} aria-hidden="true">
                            ▸
                          </span>
                          {date}
                        </button>
                      </td>
                      <td>
                        <StatusBadge status={r.status} />
                      </td>
                      <td className={`num${r.crm.updated === 0 ? ' zero' : ''}`}>{formatNumber(r.crm.updated)}</td>
                      {GOOGLE_KEYS.map((k) => (
                        <td key={k} className={`num${r.google[k] === 0 ? ' zero' : ''}`} data-col={`google-${k}`}>
                          {formatNumber(r.google[k])}
                        </td>
                      ))}
                      <td className={`num${r.conflicts === 0 ? ' zero' : ''}`}>{formatNumber(r.conflicts)}</td>
                      <td className={`num${r.errors === 0 ? ' zero' : ' bad'}`}>{formatNumber(r.errors)}</td>
                    </tr>
                    {open ? (
                      <tr className="run-detail-row">
                        <td colSpan={9} id={`cs-run-${r.id}`}>
                          <RunEntries runId={r.id} />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RunEntries({ runId }: { runId: number }) {
  const { t } = useTranslation();
  const entries = useContactSync((s) => s.entries[runId]);
  const timeZone = useSession((s) => s.timeZone);
  if (entries === undefined || entries === 'loading') return <p className="muted">{t('common.loading')}</p>;
  if (!Array.isArray(entries)) return <ErrorLine error={entries.error} />;
  if (entries.length === 0) return <p className="muted" data-testid="cs-entries-empty">{t('agendaSync.log.noEntries')}</p>;
  return (
    <ul className="sync-entries" data-testid="cs-entries">
      {entries.map((e, i) => (
        <li key={i} className={`entry-${e.level}`} data-testid="cs-entry" data-level={e.level}>
          <span className="entry-time">{fmt(Date.parse(e.at), t('formats.time'), timeZone)}</span>
          <span className={`badge level-${e.level}`}>{t(`agendaSync.log.level.${e.level}`)}</span>
          {e.contactId !== null ? <span className="muted">{t('contactSync.log.contact', { id: String(e.contactId) })}</span> : null}
          <span className="entry-message" lang={logLine(t, e).lang}>
            {logLine(t, e).text}
          </span>
        </li>
      ))}
    </ul>
  );
}

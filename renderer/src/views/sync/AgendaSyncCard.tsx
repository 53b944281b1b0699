import { Fragment, useEffect, useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncReport } from '../../../../shared/contract';
import { ErrorLine } from '../../components/ErrorLine';
import { SyncIcon } from '../../components/Icons';
import { fmt, formatNumber } from '../../lib/dates';
import { useAgendaSync, type RunSummary } from '../../stores/agendaSync';
import { useGoogle } from '../../stores/google';
import { useNav } from '../../stores/nav';
import { useSession } from '../../stores/session';
import { logLine } from './logText';

/** The agenda side of the Synchronisation screen (FTC019 §3.6.1): run now, preview, the log. */
export function AgendaSyncCard() {
  const { t } = useTranslation();
  const selfId = useAgendaSync((s) => s.selfId);
  const busy = useAgendaSync((s) => (s.selfId !== null ? !!s.running[s.selfId] : false));
  const report = useAgendaSync((s) => s.report);
  const reportError = useAgendaSync((s) => s.reportError);
  const connection = useGoogle((s) => s.connection);
  const go = useNav((s) => s.go);
  const hintId = useId();

  useEffect(() => {
    void useAgendaSync.getState().loadLog();
    void useGoogle.getState().loadConnection();
  }, []);

  const notConnected = connection !== null && !connection.connected;
  const run = (dryRun: boolean) => void useAgendaSync.getState().run('manual', { dryRun });

  return (
    <section className="card" data-testid="agenda-sync-card" aria-labelledby="agenda-sync-title">
      <h2 className="card-title" id="agenda-sync-title">
        {t('agendaSync.title')}
      </h2>
      <p className="muted">{t('agendaSync.intro')}</p>
      {notConnected ? (
        <p className="notice warn" data-testid="sync-not-connected">
          {t('agendaSync.notConnected')}{' '}
          <a
            href="#/prefs"
            onClick={(e) => {
              e.preventDefault();
              go('prefs');
            }}
          >
            {t('agendaSync.connectInPrefs')}
          </a>
        </p>
      ) : null}
      <div className="sync-actions">
        <button type="button" className="button primary" disabled={busy || notConnected || selfId === null} onClick={() => run(false)} data-testid="sync-now">
          <SyncIcon size={14} spinning={busy} />
          {busy ? t('agendaSync.syncing') : t('agendaSync.syncNow')}
        </button>
        <button type="button" className="button" disabled={busy || notConnected || selfId === null} onClick={() => run(true)} aria-describedby={hintId} data-testid="sync-preview">
          {t('agendaSync.preview')}
        </button>
        <span className="field-hint" id={hintId}>
          {t('agendaSync.previewHint')}
        </span>
      </div>
      <ErrorLine error={reportError} testId="sync-error" />
      {report ? <ReportView report={report} /> : null}
      <SyncLog />
    </section>
  );
}

function ReportView({ report }: { report: SyncReport }) {
  const { t } = useTranslation();
  const timeZone = useSession((s) => s.timeZone);
  const dry = report.dryRun;
  const nothing =
    [report.crm, report.google].every((c) => c.created + c.updated + c.deleted === 0) && report.errors.length === 0 && report.decisions.length === 0 && report.pendingDeletions === 0;
  const labels = dry
    ? ([t('agendaSync.report.wouldCreate'), t('agendaSync.report.wouldUpdate'), t('agendaSync.report.wouldDelete')] as const)
    : ([t('agendaSync.report.created'), t('agendaSync.report.updated'), t('agendaSync.report.deleted')] as const);

  return (
    <section className={`sync-report${dry ? ' dry' : ''}`} data-testid="sync-report" data-dry-run={dry} data-status={report.status} aria-labelledby="sync-report-title">
      <header className="sync-report-head">
        <h3 id="sync-report-title">{dry ? t('agendaSync.report.previewTitle') : t('agendaSync.report.title')}</h3>
        {dry && report.status === 'ok' ? null : <StatusBadge status={report.status} />}
        <span className="muted small">{fmt(Date.parse(report.finishedAt), t('formats.dateTimeSeconds'), timeZone)}</span>
        <button type="button" className="link-button report-close" onClick={() => useAgendaSync.setState({ report: null })}>
          {t('agendaSync.report.close')}
        </button>
      </header>
      {dry ? <p className="sync-report-note">{t('agendaSync.report.previewNote')}</p> : null}
      {report.status === 'cancelled' ? (
        <p className="notice info" data-testid="sync-report-cancelled">
          {t('agendaSync.report.cancelledNote')}
        </p>
      ) : null}
      {nothing ? (
        <p className="sync-report-nothing" data-testid="sync-report-nothing">
          ✓ {t('agendaSync.report.nothing')}
        </p>
      ) : (
        <div className="sync-sides">
          {(['crm', 'google'] as const).map((side) => (
            <div key={side} className="sync-side" data-testid={`sync-report-${side}`}>
              <h4>{side === 'crm' ? t('agendaSync.report.crm') : t('agendaSync.report.google')}</h4>
              <dl className="sync-counts">
                {(['created', 'updated', 'deleted'] as const).map((k, i) => (
                  <div key={k} className={report[side][k] === 0 ? 'zero' : undefined} data-count={k}>
                    <dt>{labels[i]}</dt>
                    <dd>{formatNumber(report[side][k])}</dd>
                  </div>
                ))}
              </dl>
            </div>
          ))}
        </div>
      )}
      {report.skipped.length > 0 ? (
        <p className="sync-report-line" data-testid="sync-report-skipped">
          {t('agendaSync.report.skipped', { list: report.skipped.map((s) => `${t(`agendaSync.skip.${s.reason}`)} (${formatNumber(s.count)})`).join(' · ') })}
        </p>
      ) : null}
      {!dry && report.pendingDeletions > 0 ? (
        <p className="notice info sync-report-pending">
          <span>{t('agendaSync.report.pending', { count: report.pendingDeletions })}</span>{' '}
          <button type="button" className="link-button" onClick={() => void useAgendaSync.getState().openDeletions()}>
            {t('agendaSync.report.answer')}
          </button>
        </p>
      ) : null}
      {report.decisions.length > 0 ? (
        <details className="sync-details">
          <summary>{t('agendaSync.report.decisions', { count: report.decisions.length })}</summary>
          <ul>
            {report.decisions.map((d, i) => (
              <li key={i}>
                <span className="badge">{t(`agendaSync.decision.${d.kind}`)}</span> <span lang={logLine(t, d).lang}>{logLine(t, d).text}</span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {report.errors.length > 0 ? (
        <details className="sync-details errors" open>
          <summary>{t('agendaSync.report.errors', { count: report.errors.length })}</summary>
          <ul>
            {report.errors.map((e, i) => (
              <li key={i}>
                {e.actionId !== null ? <span className="muted">{t('agendaSync.log.action', { id: String(e.actionId) })} · </span> : null}
                <span lang={logLine(t, e).lang}>{logLine(t, e).text}</span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      <p className="muted small">{t('agendaSync.report.requests', { count: report.requests })}</p>
    </section>
  );
}

export function StatusBadge({ status }: { status: RunSummary['status'] }) {
  const { t } = useTranslation();
  return (
    <span className={`badge status-badge status-${status}`} data-testid="sync-status">
      {t(`agendaSync.status.${status}`)}
    </span>
  );
}

function SyncLog() {
  const { t } = useTranslation();
  const runs = useAgendaSync((s) => s.runs);
  const loading = useAgendaSync((s) => s.logLoading);
  const error = useAgendaSync((s) => s.logError);
  const openRunId = useAgendaSync((s) => s.openRunId);
  const timeZone = useSession((s) => s.timeZone);

  return (
    <section className="sync-log-section" aria-labelledby="sync-log-title">
      <div className="sync-log-head">
        <h3 id="sync-log-title">{t('agendaSync.log.title')}</h3>
        <button type="button" className="link-button" onClick={() => void useAgendaSync.getState().loadLog()} data-testid="sync-log-refresh">
          {t('agendaSync.log.refresh')}
        </button>
      </div>
      <ErrorLine error={error} onRetry={() => void useAgendaSync.getState().loadLog()} />
      {runs === null ? (
        loading ? (
          <p className="muted">{t('common.loading')}</p>
        ) : null
      ) : runs.length === 0 ? (
        <p className="empty" data-testid="sync-log-empty">
          {t('agendaSync.log.empty')}
        </p>
      ) : (
        <div className="table-wrap sync-log-wrap">
          <table className="table sync-log" data-testid="sync-log">
            <thead>
              <tr>
                <th rowSpan={2} scope="col">
                  {t('agendaSync.log.date')}
                </th>
                <th rowSpan={2} scope="col">
                  {t('agendaSync.log.trigger')}
                </th>
                <th rowSpan={2} scope="col">
                  {t('agendaSync.log.status')}
                </th>
                <th colSpan={3} scope="colgroup" className="group">
                  {t('agendaSync.log.crm')}
                </th>
                <th colSpan={3} scope="colgroup" className="group">
                  {t('agendaSync.log.google')}
                </th>
                <th rowSpan={2} scope="col" className="num">
                  {t('agendaSync.log.conflicts')}
                </th>
                <th rowSpan={2} scope="col" className="num">
                  {t('agendaSync.log.errors')}
                </th>
              </tr>
              <tr>
                {[0, 1].map((g) => (
                  <Fragment key={g}>
                    <th scope="col" className="num sub">
                      {t('agendaSync.log.created')}
                    </th>
                    <th scope="col" className="num sub">
                      {t('agendaSync.log.updated')}
                    </th>
                    <th scope="col" className="num sub">
                      {t('agendaSync.log.deleted')}
                    </th>
                  </Fragment>
                ))}
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => {
                const open = openRunId === r.id;
                const date = fmt(Date.parse(r.startedAt), t('formats.dateTimeSeconds'), timeZone);
                return (
                  <Fragment key={r.id}>
                    <tr className={`clickable${open ? ' selected' : ''}`} onClick={() => useAgendaSync.getState().toggleRun(r.id)} data-testid="sync-run" data-status={r.status} data-run-id={r.id} data-trigger={r.trigger}>
                      <td>
                        <button
                          type="button"
                          className="row-toggle"
                          aria-expanded={open}
                          aria-controls={`sync-run-${r.id}`}
                          aria-label={t('agendaSync.log.details', { date })}
                          onClick={(e) => {
                            e.stopPropagation();
                            useAgendaSync.getState().toggleRun(r.id);
                          }}
                        >
                          <span className={`caret${open ? ' open' : ''}`} aria-hidden="true">
                            ▸
                          </span>
                          {date}
                        </button>
                      </td>
                      <td>{t(`agendaSync.trigger.${r.trigger}`)}</td>
                      <td>
                        <StatusBadge status={r.status} />
                      </td>
                      {(['crm', 'google'] as const).flatMap((side) =>
                        (['created', 'updated', 'deleted'] as const).map((k) => (
                          <td key={`${side}-${k}`} className={`num${r[side][k] === 0 ? ' zero' : ''}`} data-col={`${side}-${k}`}>
                            {formatNumber(r[side][k])}
                          </td>
                        )),
                      )}
                      <td className={`num${r.conflicts === 0 ? ' zero' : ''}`}>{formatNumber(r.conflicts)}</td>
                      <td className={`num${r.errors === 0 ? ' zero' : ' bad'}`}>{formatNumber(r.errors)}</td>
                    </tr>
                    {open ? (
                      <tr className="run-detail-row">
                        <td colSpan={11} id={`sync-run-${r.id}`}>
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
  const entries = useAgendaSync((s) => s.entries[runId]);
  const timeZone = useSession((s) => s.timeZone);
  if (entries === undefined || entries === 'loading') return <p className="muted">{t('common.loading')}</p>;
  if (!Array.isArray(entries)) return <ErrorLine error={entries.error} />;
  if (entries.length === 0) return <p className="muted" data-testid="sync-entries-empty">{t('agendaSync.log.noEntries')}</p>;
  return (
    <ul className="sync-entries" data-testid="sync-entries">
      {entries.map((e, i) => (
        <li key={i} className={`entry-${e.level}`} data-testid="sync-entry" data-level={e.level}>
          <span className="entry-time">{fmt(Date.parse(e.at), t('formats.time'), timeZone)}</span>
          <span className={`badge level-${e.level}`}>{t(`agendaSync.log.level.${e.level}`)}</span>
          {e.actionId !== null ? <span className="muted">{t('agendaSync.log.action', { id: String(e.actionId) })}</span> : null}
          <span className="entry-message" lang={logLine(t, e).lang}>
            {logLine(t, e).text}
          </span>
        </li>
      ))}
    </ul>
  );
}

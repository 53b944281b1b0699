import { useEffect, useId } from 'react';
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
import { RunEntryList, StatusBadge, SyncLogTable } from './SyncLogTable';

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

function SyncLog() {
  const { t } = useTranslation();
  const runs = useAgendaSync((s) => s.runs);
  const loading = useAgendaSync((s) => s.logLoading);
  const error = useAgendaSync((s) => s.logError);
  const openRunId = useAgendaSync((s) => s.openRunId);
  const entries = useAgendaSync((s) => s.entries);
  const side = (label: string, key: 'crm' | 'google') => ({
    label,
    columns: (['created', 'updated', 'deleted'] as const).map((k) => ({ label: t(`agendaSync.log.${k}`), value: (r: RunSummary) => r[key][k], col: `${key}-${k}` })),
  });
  return (
    <SyncLogTable<RunSummary>
      prefix="sync"
      title={t('agendaSync.log.title')}
      empty={t('agendaSync.log.empty')}
      runs={runs}
      loading={loading}
      error={error}
      openRunId={openRunId}
      onToggle={(id) => useAgendaSync.getState().toggleRun(id)}
      onRefresh={() => void useAgendaSync.getState().loadLog()}
      lead={[{ label: t('agendaSync.log.trigger'), cell: (r) => t(`agendaSync.trigger.${r.trigger}`) }]}
      groups={[side(t('agendaSync.log.crm'), 'crm'), side(t('agendaSync.log.google'), 'google')]}
      conflicts={t('agendaSync.log.conflicts')}
      errors={t('agendaSync.log.errors')}
      rowData={(r) => ({ 'data-trigger': r.trigger })}
      entries={(id) => <RunEntryList prefix="sync" entries={entries[id]} subject={(e) => (e.actionId !== null ? t('agendaSync.log.action', { id: String(e.actionId) }) : null)} />}
    />
  );
}

import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../lib/dates';
import { errorText } from '../lib/errors';
import { useAgendaSync } from '../stores/agendaSync';
import { useNav } from '../stores/nav';

const FAILURE_SHOWN_MS = 15_000;

/**
 * The top bar's sync indicator: a slim progress bar while an agenda sync runs (the user's own,
 * a colleague's started from the agenda, or an automatic push) with Cancel beside it, and a short notice when a run
 * started in the background failed. Never blocks anything.
 */
export function SyncProgress() {
  const { t } = useTranslation();
  const running = useAgendaSync((s) => s.running);
  const failure = useAgendaSync((s) => s.failure);
  const cancelling = useAgendaSync((s) => s.cancelling);
  const go = useNav((s) => s.go);

  useEffect(() => {
    if (!failure) return;
    const timer = setTimeout(() => useAgendaSync.getState().dismissFailure(), FAILURE_SHOWN_MS);
    return () => clearTimeout(timer);
  }, [failure]);

  const runs = Object.values(running);
  if (runs.length === 0) {
    if (!failure) return null;
    return (
      <div className="sync-indicator failed" role="status" data-testid="sync-failure">
        <span className="sync-failed-text" title={errorText(t, failure.error)}>
          {t('agendaSync.failed')}
        </span>
        <button type="button" className="link-button" onClick={() => go('sync')}>
          {t('agendaSync.seeLog')}
        </button>
        <button type="button" className="icon-button small-close" onClick={() => useAgendaSync.getState().dismissFailure()} aria-label={t('agendaSync.dismiss')} title={t('agendaSync.dismiss')}>
          <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
            <path d="M4 4l8 8m0-8l-8 8" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
          </svg>
        </button>
      </div>
    );
  }

  // Several agendas at once: one bar for all of them.
  const done = runs.reduce((n, r) => n + r.done, 0);
  const total = runs.reduce((n, r) => n + r.total, 0);
  const phase = runs.some((r) => r.phase === 'push') ? 'push' : runs.every((r) => r.phase === 'done') ? 'done' : 'pull';
  const started = total > 0;
  const phaseText = started || runs.some((r) => r.phase !== 'pull') ? t(`agendaSync.phase.${phase}`) : t('agendaSync.preparing');
  const countText = started ? t('agendaSync.count', { done: formatNumber(Math.min(done, total)), total: formatNumber(total) }) : '';
  const pct = started ? Math.min(100, Math.round((done / total) * 100)) : null;
  const valueText = [phaseText, countText, runs.length > 1 ? t('agendaSync.agendas', { count: runs.length }) : ''].filter(Boolean).join(' ');

  return (
    <div className="sync-running" data-testid="sync-progress" data-phase={phase}>
      <div className="sync-indicator">
        <span className="sync-indicator-text" aria-hidden="true">
          {phaseText}
          {runs.length > 1 ? <span className="muted"> · {t('agendaSync.agendas', { count: runs.length })}</span> : null}
        </span>
        <div className="sync-indicator-line">
          <div
            className={`sync-bar${pct === null ? ' indeterminate' : ''}`}
            role="progressbar"
            aria-label={t('agendaSync.progressLabel')}
            aria-valuemin={0}
            aria-valuemax={started ? total : undefined}
            aria-valuenow={started ? Math.min(done, total) : undefined}
            aria-valuetext={valueText}
          >
            <div className="sync-bar-fill" style={pct === null ? undefined : { width: `${pct}%` }} />
          </div>
          {countText ? (
            <span className="sync-count" aria-hidden="true">
              {countText}
            </span>
          ) : null}
        </div>
      </div>
      <button
        type="button"
        className="link-button sync-cancel"
        onClick={() => void useAgendaSync.getState().cancel()}
        disabled={cancelling}
        aria-label={cancelling ? t('agendaSync.cancelling') : t('agendaSync.cancelLabel')}
        title={t('agendaSync.cancelLabel')}
        data-testid="sync-cancel"
      >
        {cancelling ? t('agendaSync.cancelling') : t('agendaSync.cancel')}
      </button>
    </div>
  );
}

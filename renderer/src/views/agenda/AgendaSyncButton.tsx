import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncReport, UserSummary } from '../../../../shared/contract';
import { SyncIcon } from '../../components/Icons';
import { formatNumber } from '../../lib/dates';
import { errorText } from '../../lib/errors';
import { useAgenda } from '../../stores/agenda';
import { useAgendaSync } from '../../stores/agendaSync';
import '../sync/syncWizard.css';

type Result = { state: 'running' } | { state: 'done'; report: SyncReport } | { state: 'failed'; error: unknown };

/**
 * Syncs the agendas shown with Google, both ways (FTC019 §3.6.2): the viewer's own and those of
 * colleagues on whom they hold the Agenda right, one run per agenda, each with the colleague's
 * own connection (in the core). A panel under the icon shows each agenda's progress, then what
 * each run did, and offers to answer the deletions made in Google that the runs found.
 */
export function AgendaSyncButton({ users }: { users: UserSummary[] }) {
  const { t } = useTranslation();
  const running = useAgendaSync((st) => st.running);
  const syncable = users.filter((u) => u.isSelf || u.rights.agenda);
  const busy = syncable.some((u) => !!running[u.id]);
  const [results, setResults] = useState<Record<number, Result> | null>(null);
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const titleId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const label = syncable.length === 0 ? t('agendaSync.agendaButtonNone') : t('agendaSync.agendaButton');

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !busy) {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, busy]);

  const run = async () => {
    const st = useAgendaSync.getState();
    setOpen(true);
    setResults(Object.fromEntries(syncable.map((u) => [u.id, { state: 'running' }])));
    await Promise.all(
      syncable.map(async (u) => {
        const report = await st.run('agenda', { userId: u.id });
        const failure = useAgendaSync.getState().failure;
        setResults((r) => ({ ...r, [u.id]: report ? { state: 'done', report } : { state: 'failed', error: failure?.error ?? null } }));
      }),
    );
    void useAgenda.getState().reload();
  };

  return (
    <div className="agenda-sync">
      <button
        ref={buttonRef}
        type="button"
        className="button icon"
        onClick={() => void run()}
        disabled={busy || syncable.length === 0}
        aria-label={label}
        title={label}
        aria-busy={busy}
        aria-controls={open ? panelId : undefined}
        data-testid="agenda-sync"
      >
        <SyncIcon spinning={busy} />
      </button>
      {open && results ? (
        <div className="agenda-sync-pop" id={panelId} role="region" aria-labelledby={titleId} data-testid="agenda-sync-panel" data-busy={busy}>
          <h2 id={titleId}>{busy ? t('syncWizard.agendaProgress') : t('syncWizard.agendaDone')}</h2>
          <ul>
            {syncable.map((u) => {
              const r = results[u.id] ?? { state: 'running' as const };
              const p = running[u.id];
              const started = !!p && p.total > 0;
              const pct = started ? Math.min(100, Math.round((p.done / p.total) * 100)) : null;
              return (
                <li key={u.id} data-testid="agenda-sync-user" data-user={u.login} data-state={r.state} data-status={r.state === 'done' ? r.report.status : undefined}>
                  <div className="row">
                    <strong>{u.displayName}</strong>
                    {r.state === 'done' ? (
                      <span className="muted">
                        {t('syncWizard.agendaOk', {
                          crm: formatNumber(r.report.crm.created + r.report.crm.updated + r.report.crm.deleted),
                          google: formatNumber(r.report.google.created + r.report.google.updated + r.report.google.deleted),
                        })}
                      </span>
                    ) : null}
                  </div>
                  {r.state === 'running' ? (
                    <div
                      className={`sync-bar${pct === null ? ' indeterminate' : ''}`}
                      role="progressbar"
                      aria-label={t('syncWizard.progressLabel', { part: t('syncWizard.part.agenda'), name: u.displayName })}
                      aria-valuemin={0}
                      aria-valuemax={started ? p.total : undefined}
                      aria-valuenow={started ? Math.min(p.done, p.total) : undefined}
                    >
                      <div className="sync-bar-fill" style={pct === null ? undefined : { width: `${pct}%` }} />
                    </div>
                  ) : r.state === 'failed' ? (
                    <span className="error-text" role="alert">
                      {t('syncWizard.agendaFailed', { reason: errorText(t, r.error) })}
                    </span>
                  ) : r.report.pendingDeletions > 0 ? (
                    <span>
                      {t('agendaSync.report.pending', { count: r.report.pendingDeletions })}{' '}
                      <button type="button" className="link-button" onClick={() => void useAgendaSync.getState().openDeletions(u.isSelf ? undefined : u.id)} data-testid="agenda-sync-answer">
                        {t('syncWizard.answer', { count: r.report.pendingDeletions })}
                      </button>
                    </span>
                  ) : null}
                </li>
              );
            })}
          </ul>
          <div className="pop-actions">
            {busy ? (
              <button type="button" className="button danger-outline" onClick={() => void useAgendaSync.getState().cancel()} data-testid="agenda-sync-cancel">
                {t('agendaSync.cancel')}
              </button>
            ) : (
              <button
                type="button"
                className="button"
                onClick={() => {
                  setOpen(false);
                  buttonRef.current?.focus();
                }}
                data-testid="agenda-sync-close"
              >
                {t('syncWizard.close')}
              </button>
            )}
          </div>
        </div>
      ) : null}
    </div>
  );
}

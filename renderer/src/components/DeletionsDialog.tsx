import { useId, useRef, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { PendingDeletion } from '../../../shared/contract';
import { periodText } from '../lib/period';
import { useAgendaSync } from '../stores/agendaSync';
import { useSession } from '../stores/session';
import { Dialog } from './Dialog';
import { ErrorLine } from './ErrorLine';

type Decision = 'delete' | 'keep';

/**
 * Deletions made in Google, asked one by one (FTC019 §3.3.2): delete the action from the CRM
 * agenda, or keep it (it is re-created in Google). « Appliquer à toutes », or Ctrl held while
 * clicking (the seed's CTRL key), answers every remaining one at once. Closing puts the questions
 * off until the next login; each is answered once, the core keeps the answer.
 */
export function DeletionsDialog() {
  const open = useAgendaSync((s) => s.deletionsOpen);
  const pending = useAgendaSync((s) => s.pending);
  if (!open || pending.length === 0) return null;
  return <DeletionsDialogBody pending={pending} />;
}

function DeletionsDialogBody({ pending }: { pending: PendingDeletion[] }) {
  const { t } = useTranslation();
  const timeZone = useSession((s) => s.timeZone);
  const resolving = useAgendaSync((s) => s.resolving);
  const resolveError = useAgendaSync((s) => s.resolveError);
  const [applyAll, setApplyAll] = useState(false);
  const listRef = useRef<HTMLUListElement>(null);
  const introId = useId();
  const hintId = useId();
  const many = pending.length > 1;

  const decide = async (ids: number[], decision: Decision, index: number) => {
    const ok = await useAgendaSync.getState().resolve(ids, decision);
    if (!ok) return;
    // The answered row is gone: keep the keyboard on the next question.
    requestAnimationFrame(() => {
      const rows = listRef.current?.querySelectorAll<HTMLElement>('[data-testid=deletion-row]');
      if (!rows || rows.length === 0) return;
      rows[Math.min(index, rows.length - 1)]?.querySelector<HTMLElement>('button')?.focus();
    });
  };

  const onRow = (d: PendingDeletion, index: number, decision: Decision) => (e: MouseEvent) => {
    const all = applyAll || e.ctrlKey || e.metaKey;
    void decide(all ? pending.map((p) => p.id) : [d.id], decision, index);
  };

  return (
    <Dialog title={t('agendaSync.deletions.title')} describedBy={introId} onClose={() => useAgendaSync.getState().closeDeletions()} testId="deletions-dialog" busy={resolving} wide>
      <p id={introId} className="dialog-body">
        {t('agendaSync.deletions.intro', { count: pending.length })}
      </p>
      <ul className={`deletion-list${applyAll ? ' all' : ''}`} ref={listRef} aria-label={t('agendaSync.deletions.listLabel')}>
        {pending.map((d, i) => {
          const title = d.title.trim() || t('agendaSync.deletions.untitled');
          return (
            <li key={d.id} className="deletion-row" data-testid="deletion-row" data-action-id={d.actionId} data-deletion-id={d.id}>
              <div className="deletion-what">
                <span className="deletion-title">{title}</span>
                <span className="deletion-when muted">{periodText(t, d.period, timeZone)}</span>
              </div>
              <div className="deletion-buttons">
                <button type="button" className="button danger-outline" disabled={resolving} onClick={onRow(d, i, 'delete')} aria-label={applyAll ? t('agendaSync.deletions.delete') : t('agendaSync.deletions.deleteOne', { title })} aria-describedby={many ? hintId : undefined} data-testid="deletion-delete">
                  {t('agendaSync.deletions.delete')}
                </button>
                <button type="button" className="button" disabled={resolving} onClick={onRow(d, i, 'keep')} data-autofocus={i === 0 ? '' : undefined} aria-label={applyAll ? t('agendaSync.deletions.keep') : t('agendaSync.deletions.keepOne', { title })} aria-describedby={many ? hintId : undefined} data-testid="deletion-keep">
                  {t('agendaSync.deletions.keep')}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      {many ? (
        <div className="apply-all">
          <label className="check-inline">
            <input type="checkbox" checked={applyAll} onChange={(e) => setApplyAll(e.target.checked)} data-testid="apply-all" />
            <span>{t('agendaSync.deletions.applyAll', { count: pending.length })}</span>
          </label>
          <span className="field-hint" id={hintId}>
            {t('agendaSync.deletions.applyAllHint')}
          </span>
        </div>
      ) : null}
      <ErrorLine error={resolveError} />
      <div className="dialog-actions">
        <button type="button" className="button" disabled={resolving} onClick={() => useAgendaSync.getState().closeDeletions()} data-testid="deletions-later">
          {t('agendaSync.deletions.later')}
        </button>
      </div>
    </Dialog>
  );
}

/**
 * FTC019 §3.6, ADM only: for each user, the colleagues they hold *Visible* and *Agenda* on.
 * Ticks are drafts until « Enregistrer » (kept per user while another one is looked at); the
 * core checks ADM again and answers each pair, a refused pair stays ticked with its error.
 */
import { useEffect, useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Rights, UserRecord } from '../../../shared/contract';
import { ErrorLine } from '../components/ErrorLine';
import { errorText } from '../lib/errors';
import { initials } from '../lib/names';
import { holders, savedRights, shownRights, useRights, type SaveOutcome } from '../stores/rights';

export function RightsView() {
  const { t } = useTranslation();
  const users = useRights((s) => s.users);
  const loading = useRights((s) => s.loading);
  const loadError = useRights((s) => s.loadError);
  const selectedId = useRights((s) => s.selectedId);
  const drafts = useRights((s) => s.drafts);
  const listLabel = useId();

  useEffect(() => {
    void useRights.getState().load();
  }, []);

  const people = useMemo(() => (users ? holders(users) : []), [users]);
  const selected = people.find((u) => u.id === selectedId) ?? null;

  return (
    <div className="page rights-page" data-testid="rights-view">
      <div className="page-head">
        <h1>{t('rights.title')}</h1>
      </div>
      <p className="info-line">
        {t('rights.intro')} {t('rights.adminNote')}
      </p>
      <ErrorLine error={loadError} onRetry={() => void useRights.getState().load()} testId="rights-load-error" />
      {!users && loading ? <p className="muted">{t('common.loading')}</p> : null}
      {users && people.length === 0 ? <p className="empty">{t('rights.empty')}</p> : null}
      {users && people.length > 0 ? (
        <div className="rights-layout">
          <section className="card rights-users" aria-labelledby={listLabel}>
            <h2 className="card-title" id={listLabel}>
              {t('rights.users')}
            </h2>
            <ul className="rights-user-list" data-testid="rights-users">
              {people.map((u) => {
                const changes = Object.keys(drafts[u.id] ?? {}).length;
                const held = u.rights.length;
                const current = u.id === selectedId;
                return (
                  <li key={u.id}>
                    <button
                      type="button"
                      className={`rights-user${current ? ' current' : ''}`}
                      aria-current={current ? 'true' : undefined}
                      onClick={() => useRights.getState().select(u.id)}
                      data-testid="rights-user"
                      data-user-id={u.id}
                      data-login={u.login}
                    >
                      <span className="avatar" aria-hidden="true">
                        {initials(u.displayName)}
                      </span>
                      <span className="rights-user-text">
                        <span className="rights-user-name">{u.displayName}</span>
                        <span className="rights-user-meta">
                          {u.login} · {held === 0 ? t('rights.noneHeld') : t('rights.held', { count: held })}
                        </span>
                      </span>
                      {changes > 0 ? (
                        <span className="rights-unsaved" title={t('rights.changes', { count: changes })} data-testid="rights-unsaved">
                          <span aria-hidden="true">●</span>
                          <span className="visually-hidden">{t('rights.changes', { count: changes })}</span>
                        </span>
                      ) : null}
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
          {selected ? <HolderRights key={selected.id} holder={selected} everyone={users} /> : <p className="empty">{t('rights.pickUser')}</p>}
        </div>
      ) : null}
    </div>
  );
}

function HolderRights({ holder, everyone }: { holder: UserRecord; everyone: UserRecord[] }) {
  const { t } = useTranslation();
  const drafts = useRights((s) => s.drafts[holder.id]);
  const saving = useRights((s) => s.savingId === holder.id);
  const outcome = useRights((s) => s.outcomes[holder.id]);
  const headingId = useId();
  const visibleHintId = useId();
  const agendaHintId = useId();
  const colleagues = everyone.filter((u) => u.id !== holder.id);
  const changes = Object.keys(drafts ?? {}).length;
  const refused = new Map((outcome?.failed ?? []).map((f) => [f.targetId, f.error]));

  const toggle = (targetId: number, key: keyof Rights, value: boolean) => useRights.getState().set(holder.id, targetId, key, value);

  return (
    <section className="card rights-detail" aria-labelledby={headingId} data-testid="rights-detail" data-holder-id={holder.id}>
      <div className="rights-detail-head">
        <h2 className="card-title" id={headingId}>
          {t('rights.heading', { name: holder.displayName })}
        </h2>
        <span className="muted">{holder.login}</span>
      </div>
      <div className="table-wrap rights-table-wrap">
        <table className="table rights-table" data-testid="rights-table">
          <caption className="visually-hidden">{t('rights.caption', { name: holder.displayName })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('rights.colleague')}</th>
              <th scope="col" className="rights-col">
                <span className="rights-col-name">{t('rights.visible')}</span>
                <span className="rights-col-hint" id={visibleHintId}>
                  {t('rights.visibleHint')}
                </span>
              </th>
              <th scope="col" className="rights-col">
                <span className="rights-col-name">{t('rights.agenda')}</span>
                <span className="rights-col-hint" id={agendaHintId}>
                  {t('rights.agendaHint')}
                </span>
              </th>
            </tr>
          </thead>
          <tbody>
            {colleagues.map((c) => {
              const shown = shownRights(holder, drafts, c.id);
              const saved = savedRights(holder, c.id);
              const changed = drafts?.[c.id] !== undefined;
              const error = refused.get(c.id);
              const errorId = `${headingId}-err-${c.id}`;
              return (
                <tr key={c.id} className={changed ? 'changed' : undefined} data-testid="rights-row" data-target-id={c.id} data-login={c.login} data-changed={changed ? 'true' : 'false'}>
                  <th scope="row" className="rights-colleague">
                    <span className="strong">{c.displayName}</span> <span className="muted">{c.login}</span>
                    {changed ? <span className="rights-row-note">{t('rights.rowChanged')}</span> : null}
                    {error ? (
                      <span className="field-error rights-row-error" id={errorId} data-testid="rights-row-error">
                        {t('rights.refused', { reason: errorText(t, error) })}
                      </span>
                    ) : null}
                  </th>
                  {(['visible', 'agenda'] as const).map((key) => (
                    <td key={key} className={`rights-cell${shown[key] !== saved[key] ? ' changed' : ''}`}>
                      <input
                        type="checkbox"
                        checked={shown[key]}
                        disabled={saving}
                        onChange={(e) => toggle(c.id, key, e.target.checked)}
                        aria-label={t(key === 'visible' ? 'rights.visibleOn' : 'rights.agendaOn', { name: c.displayName })}
                        aria-describedby={[key === 'visible' ? visibleHintId : agendaHintId, error ? errorId : ''].filter(Boolean).join(' ')}
                        aria-invalid={error ? true : undefined}
                        data-testid={`rights-${key}`}
                      />
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="form-footer rights-footer">
        <button type="button" className="button primary" onClick={() => void useRights.getState().save(holder.id)} disabled={saving} aria-busy={saving} data-testid="rights-save">
          {saving ? t('common.saving') : t('rights.save')}
        </button>
        <button type="button" className="button" onClick={() => useRights.getState().discard(holder.id)} disabled={saving || changes === 0} data-testid="rights-discard">
          {t('rights.discard')}
        </button>
        <Status changes={changes} outcome={outcome} name={holder.displayName} saving={saving} />
      </div>
    </section>
  );
}

function Status({ changes, outcome, name, saving }: { changes: number; outcome: SaveOutcome | undefined; name: string; saving: boolean }) {
  const { t } = useTranslation();
  if (saving) return null;
  if (outcome && outcome.failed.length > 0) {
    const first = outcome.failed[0];
    return (
      <div className="rights-status" data-testid="rights-error">
        <ErrorLine error={first?.error} />
        <span className="field-hint">{t('rights.partlySaved', { saved: String(outcome.saved), failed: String(outcome.failed.length) })}</span>
      </div>
    );
  }
  if (outcome) {
    return (
      <span className="saved" role="status" data-testid="rights-saved">
        ✓ {outcome.saved === 0 ? t('prefs.nothingToSave') : t('rights.saved', { name })}
      </span>
    );
  }
  if (changes > 0) {
    return (
      <span className="rights-pending" role="status" data-testid="rights-pending">
        {t('rights.changes', { count: changes })}
      </span>
    );
  }
  return null;
}

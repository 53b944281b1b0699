import { useTranslation } from 'react-i18next';
import type { UserSummary } from '../../../../shared/contract';
import { SyncIcon } from '../../components/Icons';
import { useAgenda } from '../../stores/agenda';
import { useAgendaSync } from '../../stores/agendaSync';

/**
 * Syncs the agendas shown with Google, both ways (FTC019 §3.6.2): the viewer's own and those of
 * colleagues on whom they hold the Agenda right, one run per agenda.
 */
export function AgendaSyncButton({ users }: { users: UserSummary[] }) {
  const { t } = useTranslation();
  const running = useAgendaSync((st) => st.running);
  const syncable = users.filter((u) => u.isSelf || u.rights.agenda);
  const busy = syncable.some((u) => !!running[u.id]);
  const label = syncable.length === 0 ? t('agendaSync.agendaButtonNone') : t('agendaSync.agendaButton');
  const run = async () => {
    const st = useAgendaSync.getState();
    await Promise.all(syncable.map((u) => st.run('agenda', { userId: u.id })));
    void useAgenda.getState().reload();
  };
  return (
    <button
      type="button"
      className="button icon"
      onClick={() => void run()}
      disabled={busy || syncable.length === 0}
      aria-label={label}
      title={label}
      aria-busy={busy}
      data-testid="agenda-sync"
    >
      <SyncIcon spinning={busy} />
    </button>
  );
}

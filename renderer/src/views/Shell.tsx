import { Activity, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionUser } from '../../../shared/contract';
import { bridge } from '../api/bridge';
import { DeletionsDialog } from '../components/DeletionsDialog';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { SyncProgress } from '../components/SyncProgress';
import { initials } from '../lib/names';
import { useAgenda } from '../stores/agenda';
import { startupSync, useAgendaSync } from '../stores/agendaSync';
import { useContacts } from '../stores/contacts';
import { followContactSync } from '../stores/contactSync';
import { useGoogle } from '../stores/google';
import { useNav, type Screen } from '../stores/nav';
import { usePreferences } from '../stores/preferences';
import { useRights } from '../stores/rights';
import { useSession } from '../stores/session';
import { AgendaView } from './AgendaView';
import { ContactsView } from './ContactsView';
import { BrandMark } from './LoginView';
import { PreferencesView } from './PreferencesView';
import { RightsView } from './RightsView';
import { SyncView } from './SyncView';

const NAV: Array<{ screen: Screen; testId: string; key: 'nav.agenda' | 'nav.contacts' | 'nav.sync' | 'nav.prefs' | 'nav.rights'; adminOnly?: true }> = [
  { screen: 'agenda', testId: 'nav-agenda', key: 'nav.agenda' },
  { screen: 'contacts', testId: 'nav-contacts', key: 'nav.contacts' },
  { screen: 'sync', testId: 'nav-sync', key: 'nav.sync' },
  { screen: 'prefs', testId: 'nav-prefs', key: 'nav.prefs' },
  { screen: 'rights', testId: 'nav-rights', key: 'nav.rights', adminOnly: true },
];

export function Shell({ user }: { user: SessionUser }) {
  const { t } = useTranslation();
  const navScreen = useNav((s) => s.screen);
  // An ADM-only screen asked for by someone else (a typed #/rights) shows the agenda instead.
  const nav = NAV.filter((n) => !n.adminOnly || user.isAdmin);
  const screen: Screen = nav.some((n) => n.screen === navScreen) ? navScreen : 'agenda';
  const go = useNav((s) => s.go);
  // The agenda, once opened, stays mounted while another screen is shown (hidden: no effects, no
  // listeners, out of the accessibility tree): back on it, its grid shows again as it was — same
  // week, same scroll — without building ~1,000 blocks again. One agenda's DOM is what it keeps.
  const visitedAgenda = useRef(false);
  if (screen === 'agenda') visitedAgenda.current = true;
  const agendaKept = visitedAgenda.current;
  const logout = useSession((s) => s.logout);

  // Pushed events: reload what is on screen. Stores are cleared when the session ends.
  useEffect(() => {
    const offActions = bridge.on('onActionsChanged', ({ ownerIds }) => {
      const { selectedUserIds } = useAgenda.getState();
      if (ownerIds.length === 0 || ownerIds.some((id) => selectedUserIds.includes(id))) void useAgenda.getState().reload();
    });
    // ADM changed this user's rights: the colleagues the agenda may show follow at once.
    const offRights = bridge.on('onRightsChanged', ({ holderIds }) => {
      if (holderIds.includes(user.id)) void useAgenda.getState().refreshUsers();
    });
    const offContacts = bridge.on('onContactsChanged', ({ ids }) => {
      if (useContacts.getState().loaded) useContacts.getState().refreshChanged(ids);
    });
    // The contact sync list: its changes, the contacts sync's progress and end.
    const offContactSync = followContactSync(user.id);
    // Agenda sync: progress for the top bar, and what a finished run changed.
    useAgendaSync.getState().begin(user.id);
    const offProgress = bridge.on('onSyncProgress', (p) => useAgendaSync.getState().onProgress(p));
    const offFinished = bridge.on('onSyncFinished', (p) => {
      useAgendaSync.getState().onFinished(p);
      if (useAgenda.getState().selectedUserIds.includes(p.userId)) void useAgenda.getState().reload();
    });
    // In the background: the shell is usable at once.
    void startupSync();
    return () => {
      offActions();
      offRights();
      offContacts();
      offProgress();
      offFinished();
      useAgendaSync.getState().reset();
      useAgenda.getState().reset();
      useContacts.getState().reset();
      usePreferences.getState().reset();
      useGoogle.getState().clear();
      offContactSync();
      useRights.getState().reset();
    };
  }, [user.id]);

  useEffect(() => {
    document.title = `${t(NAV.find((n) => n.screen === screen)?.key ?? 'nav.agenda')} · ${t('app.name')}`;
  }, [screen, t]);

  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <BrandMark />
          <span>{t('app.name')}</span>
        </div>
        <nav className="topnav" aria-label={t('nav.label')}>
          {nav.map((n) => (
            <a
              key={n.screen}
              href={`#/${n.screen}`}
              className={screen === n.screen ? 'active' : undefined}
              aria-current={screen === n.screen ? 'page' : undefined}
              data-testid={n.testId}
              onClick={(e) => {
                e.preventDefault();
                go(n.screen);
              }}
            >
              {t(n.key)}
            </a>
          ))}
        </nav>
        <div className="topbar-sync">
          <SyncProgress />
        </div>
        <div className="topbar-end">
          <span className="current-user" data-testid="current-user" title={user.login}>
            <span className="avatar" aria-hidden="true">
              {initials(user.displayName)}
            </span>
            {user.displayName}
          </span>
          <LanguageSwitch />
          <button type="button" className="button ghost" onClick={() => void logout()} data-testid="logout">
            {t('common.logout')}
          </button>
        </div>
      </header>
      <main className="screen">
        {agendaKept ? (
          <Activity mode={screen === 'agenda' ? 'visible' : 'hidden'}>
            <AgendaView user={user} />
          </Activity>
        ) : null}
        {screen === 'contacts' ? <ContactsView /> : null}
        {screen === 'sync' ? <SyncView /> : null}
        {screen === 'prefs' ? <PreferencesView user={user} /> : null}
        {screen === 'rights' ? <RightsView /> : null}
      </main>
      <DeletionsDialog />
    </div>
  );
}

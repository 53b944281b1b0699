import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from './stores/session';
import { LoginView } from './views/LoginView';
import { Shell } from './views/Shell';

export function App() {
  const { t } = useTranslation();
  const status = useSession((s) => s.status);
  const user = useSession((s) => s.user);

  useEffect(() => {
    void useSession.getState().start();
  }, []);

  useEffect(() => {
    if (status !== 'authenticated') document.title = t('app.name');
  }, [status, t]);

  if (status === 'starting') {
    return (
      <div className="splash" aria-busy="true">
        {t('app.loading')}
      </div>
    );
  }
  if (status === 'authenticated' && user) return <Shell key={user.id} user={user} />;
  return <LoginView />;
}

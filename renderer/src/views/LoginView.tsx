import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { errorText } from '../lib/errors';
import { useSession } from '../stores/session';

export function LoginView() {
  const { t } = useTranslation();
  const { login, busy, error, expired } = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const demo = document.documentElement.dataset.demo === '1';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    if (!name.trim() || !password) {
      form.querySelector<HTMLInputElement>(name.trim() ? 'input[name=password]' : 'input[name=login]')?.focus();
      return;
    }
    void login(name.trim(), password).then((ok) => {
      if (!ok) setPassword('');
    });
  };

  const message = error ? errorText(t, error) : expired ? t('errors.UNAUTHENTICATED') : null;

  return (
    <div className="login-page">
      <header className="login-lang">
        <LanguageSwitch />
      </header>
      <main className="login-card">
        <div className="brand brand-large">
          <BrandMark />
          <span>{t('app.name')}</span>
        </div>
        <p className="muted login-tagline">{t('app.tagline')}</p>
        <form className="form login-form" onSubmit={submit} data-testid="login-form" noValidate>
          <h1>{t('login.title')}</h1>
          <label className="field">
            <span className="field-label">{t('login.login')}</span>
            <input
              name="login"
              autoComplete="username"
              autoFocus
              autoCapitalize="none"
              spellCheck={false}
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-testid="login-name"
              required
            />
          </label>
          <label className="field">
            <span className="field-label">{t('login.password')}</span>
            <input
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-testid="login-password"
              required
            />
          </label>
          <button type="submit" className="button primary wide" disabled={busy} data-testid="login-submit">
            {busy ? t('login.submitting') : t('login.submit')}
          </button>
          <div className="login-error" role="alert" aria-live="assertive" data-testid="login-error">
            {message}
          </div>
          {demo ? <p className="demo-hint">{t('login.demoHint')}</p> : null}
        </form>
      </main>
    </div>
  );
}

export function BrandMark() {
  return (
    <svg className="brand-mark" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
      <rect x="2.5" y="4" width="19" height="17" rx="3" fill="none" stroke="currentColor" strokeWidth="1.8" />
      <path d="M2.5 9h19M8 2.5v3M16 2.5v3" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
      <path d="M8 15l2.5 2.5L16 12.5" stroke="currentColor" strokeWidth="1.8" fill="none" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

import { useTranslation } from 'react-i18next';
import { LANGS, setLanguage, type Lang } from '../i18n';

/** FR | EN toggle; the choice is kept in localStorage. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const current: Lang = i18n.language === 'en' ? 'en' : 'fr';
  return (
    <div className="lang-switch" role="group" aria-label={t('common.language')} data-testid="lang-switch">
      {LANGS.map((lang) => (
        <button
          key={lang}
          type="button"
          lang={lang}
          className={lang === current ? 'active' : undefined}
          aria-pressed={lang === current}
          data-testid={`lang-${lang}`}
          onClick={() => setLanguage(lang)}
        >
          {lang.toUpperCase()}
        </button>
      ))}
    </div>
  );
}

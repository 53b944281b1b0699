import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { enUS, fr as frLocale, type Locale as DateLocale } from 'date-fns/locale';
import fr from './fr';
import en from './en';

export type Lang = 'fr' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'en'];
const STORAGE_KEY = 'crm.lang';

/** Stored choice first, else French when the system speaks French, else English. */
export function initialLanguage(): Lang {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  if (stored === 'fr' || stored === 'en') return stored;
  const system = typeof navigator !== 'undefined' ? navigator.language || '' : '';
  return system.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

export function setLanguage(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // private mode: the choice lasts for this session only
  }
  void i18next.changeLanguage(lang);
}

export function currentLanguage(): Lang {
  return i18next.language === 'en' ? 'en' : 'fr';
}

export function dateLocale(lang: Lang): DateLocale {
  return lang === 'fr' ? frLocale : enUS;
}

i18next.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
});

void i18next.use(initReactI18next).init({
  resources: { fr: { translation: fr }, en: { translation: en } },
  lng: initialLanguage(),
  fallbackLng: 'fr',
  supportedLngs: ['fr', 'en'],
  interpolation: { escapeValue: false },
  returnNull: false,
  showSupportNotice: false,
});
document.documentElement.lang = i18next.language;

export default i18next;

/**
 * Sync log lines as codes (electron/core/sync/logText.ts): every code the core can give has its
 * sentence in French and English, and the app's own reasons for not sending a contact are coded
 * too, so a French log line is French from end to end; Google's words stay as Google wrote them.
 */
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { createdInCrmMoreMessage, LOG_CODES, logTextOf } from '../../electron/core/sync/logText';
import fr from '../../renderer/src/i18n/fr';
import en from '../../renderer/src/i18n/en';
import { logLine } from '../../renderer/src/views/sync/logText';

function lookup(messages: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), messages);
}

describe('sync log codes', () => {
  it('every code the core gives has a French and an English sentence', () => {
    const missing = LOG_CODES.filter((c) => c !== 'text').flatMap((code) =>
      [
        ['fr', fr],
        ['en', en],
      ].filter(([, m]) => typeof lookup(m, `syncLog.${code}`) !== 'string').map(([lang]) => `${String(lang)}: syncLog.${code}`),
    );
    expect(missing).toEqual([]);
  });

  it('codes the app\'s own reason for not sending a contact, with the value it is about', () => {
    const line = logTextOf('« Geneviève Adam » was not sent to Google: the e-mail address "ancien@@adresse" is not valid: correct it in the CRM.');
    expect(line).toMatchObject({ code: 'contacts.notSent', params: { name: 'Geneviève Adam', reasonCode: 'badEmail', reasonValue: 'ancien@@adresse' } });
    expect(logTextOf('« X » was not sent to Google: it has no name, e-mail, phone or company: Google would show an empty contact.').params).toMatchObject({ reasonCode: 'emptyContact' });
    for (const code of ['badEmail', 'emptyContact']) {
      expect(typeof lookup(fr, `syncLog.reason.${code}`)).toBe('string');
      expect(typeof lookup(en, `syncLog.reason.${code}`)).toBe('string');
    }
  });

  it('leaves a reason in Google\'s words as it is', () => {
    const line = logTextOf('« Paul » was not created: Request had invalid authentication credentials.');
    expect(line.code).toBe('contacts.notCreated');
    expect(line.params.reason).toBe('Request had invalid authentication credentials');
    expect(line.params.reasonCode).toBeUndefined();
  });

  it('says how many more events a big first sync created, in French and English, with the count as a number', async () => {
    const i18n = i18next.createInstance();
    await i18n.init({ showSupportNotice: false, lng: 'fr', resources: { fr: { translation: fr }, en: { translation: en } }, interpolation: { escapeValue: false } });
    const many = logTextOf(createdInCrmMoreMessage(2500));
    expect(many).toEqual({ code: 'agenda.createdInCrmMore', params: { count: 2500 }, message: '2,500 more events created in the CRM from Google (not listed one by one).' });
    const one = logTextOf(createdInCrmMoreMessage(1));
    expect(one).toEqual({ code: 'agenda.createdInCrmMore', params: { count: 1 }, message: '1 more event created in the CRM from Google (not listed one by one).' });
    // French groups thousands with a narrow no-break space (Intl).
    expect(logLine(i18n.getFixedT('fr'), many)).toEqual({ text: '2\u202f500 autres événements créés dans le CRM depuis Google (non détaillés un par un).', lang: undefined });
    expect(logLine(i18n.getFixedT('fr'), one)).toEqual({ text: '1 autre événement créé dans le CRM depuis Google.', lang: undefined });
    expect(logLine(i18n.getFixedT('en'), many)).toEqual({ text: '2,500 more events created in the CRM from Google (not listed one by one).', lang: undefined });
    expect(logLine(i18n.getFixedT('en'), one)).toEqual({ text: '1 more event created in the CRM from Google.', lang: undefined });
  });
});

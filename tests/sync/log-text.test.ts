/**
 * Sync log lines as codes (electron/core/sync/logText.ts): every code the core can give has its
 * sentence in French and English, and the app's own reasons for not sending a contact are coded
 * too, so a French log line is French from end to end; Google's words stay as Google wrote them.
 */
import { describe, expect, it } from 'vitest';
import { LOG_CODES, logTextOf } from '../../electron/core/sync/logText';
import fr from '../../renderer/src/i18n/fr';
import en from '../../renderer/src/i18n/en';

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
});

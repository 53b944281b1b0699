/**
 * Sync log lines as codes (electron/core/sync/logText.ts): every code the core can give has its
 * sentence in French and English, and the app's own reasons for not sending a contact are coded
 * too, so a French log line is French from end to end; Google's words stay as Google wrote them.
 */
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { CrmError } from '../../shared/errors';
import { describeGoogleError } from '../../electron/core/google/errors';
import {
  line,
  LOG_CODES,
  LoggedRefusal,
  lineOfFailure,
  logTextOf,
  redactTitle,
  storedLogText,
  type LogCode,
  type LogParamsByCode,
} from '../../electron/core/sync/logText';
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
    const many = logTextOf(line('agenda.createdInCrmMore', { count: 2500 }).message);
    expect(many).toEqual({ code: 'agenda.createdInCrmMore', params: { count: 2500 }, message: '2,500 more events created in the CRM from Google (not listed one by one).' });
    const one = logTextOf(line('agenda.createdInCrmMore', { count: 1 }).message);
    expect(one).toEqual({ code: 'agenda.createdInCrmMore', params: { count: 1 }, message: '1 more event created in the CRM from Google (not listed one by one).' });
    // French groups thousands with a narrow no-break space (Intl).
    expect(logLine(i18n.getFixedT('fr'), many)).toEqual({ text: '2\u202f500 autres événements créés dans le CRM depuis Google (non détaillés un par un).', lang: undefined });
    expect(logLine(i18n.getFixedT('fr'), one)).toEqual({ text: '1 autre événement créé dans le CRM depuis Google.', lang: undefined });
    expect(logLine(i18n.getFixedT('en'), many)).toEqual({ text: '2,500 more events created in the CRM from Google (not listed one by one).', lang: undefined });
    expect(logLine(i18n.getFixedT('en'), one)).toEqual({ text: '1 more event created in the CRM from Google.', lang: undefined });
  });

  it('every code has a constructor, whose English sentence is recognised back to the same code and params', () => {
    for (const code of LOG_CODES) {
      const built = line(code, SAMPLES[code]);
      expect(built.code, code).toBe(code);
      expect(logTextOf(built.message), code).toEqual(built);
    }
    // The optional params too.
    for (const built of [
      line('run.cancelled', { brief: 1 }),
      line('google.answered', { status: 503 }),
      line('google.answered', { status: 500, reason: 'backendError' }),
      line('google.answered', { status: 500, reason: 'backendError', detail: 'Backend Error' }),
      line('google.unreachable', {}),
      line('google.unreachable', { code: 'ENOTFOUND', dns: 1 }),
      line('google.unauthorized', {}),
      line('google.notFound', {}),
      line('agenda.conflict', { ...SAMPLES['agenda.conflict'], during: 1 }),
    ]) {
      expect(logTextOf(built.message)).toEqual(built);
    }
    expect(new Set(LOG_CODES)).toEqual(new Set(Object.keys(SAMPLES)));
  });

  it('writes the sentences the engines wrote by hand, byte for byte', () => {
    expect(line('run.cancelled', {}).message).toBe('The sync was cancelled: what was done is kept; the next sync does the rest.');
    expect(line('run.cancelled', { brief: 1 }).message).toBe('The sync was cancelled.');
    expect(line('agenda.conflict', { title: 'Dentiste', field: 'title', crm: '"A"', google: '"B"', winner: 'crm', rule: 'google', during: 1 }).message).toBe(
      '« Dentiste »: title changed on both sides during the sync (CRM "A", Google "B"); the CRM edit wins (rule: Google wins).',
    );
    expect(line('contacts.conflict', { name: 'Paul', winner: 'google', lost: 'old' }).message).toBe('« Paul »: the comment changed on both sides; the Google edit is newer and wins. The CRM text was: « old ».');
    expect(line('google.answered', { status: 400, detail: 'Bad' }).message).toBe('Google answered 400: Bad.');
    expect(line('google.answered', { status: 503 }).message).toBe('Google answered 503.');
    expect(line('agenda.createdInCrmMore', { count: 2500 }).message).toBe('2,500 more events created in the CRM from Google (not listed one by one).');
  });

  it('codes the app\'s own reason when the line is built, as when it is recognised', () => {
    const built = line('contacts.notSent', { name: 'Geneviève Adam', reason: 'the e-mail address "ancien@@adresse" is not valid: correct it in the CRM' });
    expect(built.params).toMatchObject({ reasonCode: 'badEmail', reasonValue: 'ancien@@adresse' });
    expect(logTextOf(built.message)).toEqual(built);
  });

  it('reads a stored line by its code and params; a row written before 0007, or with params that do not parse, by its sentence', () => {
    const built = line('agenda.updatedInGoogle', { title: 'Dentiste' });
    expect(storedLogText(built.code, JSON.stringify(built.params), built.message)).toEqual(built);
    expect(storedLogText('agenda.deletedInGoogle', null, 'Deleted in Google (deleted in the CRM).')).toEqual({ code: 'agenda.deletedInGoogle', params: {}, message: 'Deleted in Google (deleted in the CRM).' });
    // Legacy rows: no code.
    expect(storedLogText(null, null, built.message)).toEqual(built);
    expect(storedLogText(null, null, 'Something no pattern knows.')).toEqual({ code: 'text', params: { text: 'Something no pattern knows.' }, message: 'Something no pattern knows.' });
    // Params that are not a record of strings and numbers, or not JSON: never thrown at the user.
    for (const bad of ['[1,2]', '{"title":{"x":1}}', 'null', '{oops']) expect(storedLogText(built.code, bad, built.message)).toEqual(built);
    expect(storedLogText('', '{}', built.message)).toEqual(built);
  });

  it('redacts a private title alike on a stored line and on a recognised one', () => {
    const built = line('agenda.conflict', { title: 'Dentiste', field: 'description', crm: '"secret"', google: '"autre"', winner: 'google', rule: 'newest' });
    const fromStore = redactTitle(storedLogText(built.code, JSON.stringify(built.params), built.message), 'Busy');
    const fromSentence = redactTitle(storedLogText(null, null, built.message), 'Busy');
    expect(fromStore).toEqual(fromSentence);
    expect(fromStore.message).toBe('« Busy »: description changed on both sides (CRM …, Google …); the Google edit wins (rule: the most recent change wins).');
    expect(fromStore.message).not.toMatch(/Dentiste|secret|autre/);
    expect(redactTitle(line('text', { text: 'Dentiste failed' }), 'Busy')).toEqual({ code: 'text', params: { text: 'Busy' }, message: 'Busy' });
  });
});

/** A Google client's failure with an answer (gaxios shape: only the answer is read). */
const answered = (status: number, data: unknown) => ({ response: { status, data } });
const apiError = (status: number, message?: string, reason?: string) =>
  answered(status, { error: { code: status, ...(message ? { message } : {}), ...(reason ? { errors: [{ reason }] } : {}) } });

/** One failure of each kind google/errors.ts describes, with the line it is logged as. */
const FAILURES: { error: unknown; code: LogCode; params: Record<string, string | number> }[] = [
  { error: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), code: 'google.unreachable', params: { code: 'ECONNRESET' } },
  { error: new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }) }), code: 'google.unreachable', params: { code: 'ENOTFOUND', dns: 1 } },
  { error: new Error('socket hang up'), code: 'google.unreachable', params: {} },
  { error: new Error('something odd'), code: 'google.unexpected', params: {} },
  { error: apiError(429, 'Rate Limit Exceeded', 'rateLimitExceeded'), code: 'google.quota', params: { status: 429 } },
  { error: apiError(403, 'User Rate Limit Exceeded', 'userRateLimitExceeded'), code: 'google.quota', params: { status: 403 } },
  { error: answered(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }), code: 'google.invalidGrant', params: {} },
  { error: answered(401, { error: 'invalid_client' }), code: 'google.invalidClient', params: { error: 'invalid_client' } },
  { error: answered(400, JSON.stringify({ error: 'unauthorized_client' })), code: 'google.invalidClient', params: { error: 'unauthorized_client' } },
  { error: answered(400, { error: 'invalid_request' }), code: 'google.answered', params: { status: 400, reason: 'invalid_request' } },
  { error: apiError(403, 'Google Calendar API has not been used in project 1 before or it is disabled.', 'accessNotConfigured'), code: 'google.apiDisabled', params: { status: 403 } },
  { error: apiError(401, 'Request had invalid authentication credentials.'), code: 'google.unauthorized', params: { detail: 'Request had invalid authentication credentials.' } },
  { error: answered(401, ''), code: 'google.unauthorized', params: {} },
  { error: apiError(404, 'Not Found', 'notFound'), code: 'google.notFound', params: { detail: 'Not Found' } },
  { error: answered(404, undefined), code: 'google.notFound', params: {} },
  { error: apiError(500, 'Backend Error', 'backendError'), code: 'google.answered', params: { status: 500, reason: 'backendError', detail: 'Backend Error' } },
  { error: answered(503, 'Service Unavailable'), code: 'google.answered', params: { status: 503 } },
  { error: apiError(400, 'Invalid start time.'), code: 'google.answered', params: { status: 400, detail: 'Invalid start time.' } },
];

describe('a run or an item that fails with an exception', () => {
  it('logs a Google failure by the code of its kind, in the very sentence describeGoogleError writes', () => {
    for (const f of FAILURES) {
      const described = describeGoogleError(f.error);
      const built = lineOfFailure(f.error);
      expect(built, described.message).toEqual({ code: f.code, params: f.params, message: described.message });
      // A row of the same sentence written before 0007 reads the same.
      expect(logTextOf(described.message), described.message).toEqual(built);
    }
    expect(new Set(FAILURES.map((f) => describeGoogleError(f.error).kind))).toEqual(
      new Set(['network', 'other', 'quota', 'invalidGrant', 'invalidClient', 'apiDisabled', 'unauthorized', 'notFound']),
    );
  });

  it('says each Google failure in French and English, with no empty « : . » when Google gave no detail', async () => {
    const i18n = i18next.createInstance();
    await i18n.init({ showSupportNotice: false, lng: 'fr', resources: { fr: { translation: fr }, en: { translation: en } }, interpolation: { escapeValue: false } });
    const say = (lng: 'fr' | 'en', error: unknown) => logLine(i18n.getFixedT(lng), lineOfFailure(error));
    expect(say('fr', FAILURES[0]!.error)).toEqual({ text: 'Google est injoignable (ECONNRESET) : vérifiez la connexion réseau.', lang: undefined });
    expect(say('fr', FAILURES[1]!.error).text).toBe('Google est injoignable (ENOTFOUND) : vérifiez la connexion réseau et le DNS.');
    expect(say('fr', FAILURES[2]!.error).text).toBe('Google est injoignable (erreur réseau) : vérifiez la connexion réseau.');
    expect(say('fr', FAILURES[4]!.error).text).toBe('Le quota de Google est épuisé (429) : patientez une minute puis relancez.');
    expect(say('fr', apiError(500, 'Backend Error', 'backendError')).text).toBe('Google a répondu 500 backendError : Backend Error.');
    expect(say('fr', answered(503, 'Service Unavailable')).text).toBe('Google a répondu 503.');
    expect(say('fr', answered(400, { error: 'invalid_request' })).text).toBe('Google a répondu 400 invalid_request.');
    expect(say('fr', apiError(400, 'Invalid start time.')).text).toBe('Google a répondu 400 : Invalid start time.');
    expect(say('fr', answered(404, undefined)).text).toBe('Introuvable chez Google (404).');
    expect(say('fr', apiError(401, 'Bad credentials')).text).toBe('Google a refusé les identifiants (401) : Bad credentials.');
    expect(say('en', apiError(500, 'Backend Error', 'backendError')).text).toBe('Google answered 500 backendError: Backend Error.');
    expect(say('en', FAILURES[1]!.error).text).toBe('Google cannot be reached (ENOTFOUND): check the network connection and DNS.');
    for (const f of FAILURES) {
      for (const lng of ['fr', 'en'] as const) {
        const said = say(lng, f.error);
        expect(said.lang, `${lng} ${f.code}`).toBeUndefined();
        expect(said.text, `${lng} ${f.code}`).not.toMatch(/\{\{|: \.|\(\)/);
      }
    }
  });

  it('keeps a CrmError\'s own sentence, and the line a refusal built where it was refused', async () => {
    expect(lineOfFailure(new CrmError('CONFLICT', 'No action type exists: events from Google cannot become actions.'))).toEqual({
      code: 'text',
      params: { text: 'No action type exists: events from Google cannot become actions.' },
      message: 'No action type exists: events from Google cannot become actions.',
    });
    const tooLong = line('contacts.listTooLong', { login: 'COM1', count: 25_001, max: 25_000, over: 1 });
    expect(tooLong.message).toBe('The contact sync list of COM1 holds 25,001 contacts; Google keeps at most 25,000 per account. Take 1 off the list, then sync again.');
    const refusal = new LoggedRefusal('CONFLICT', tooLong);
    expect(refusal).toBeInstanceOf(CrmError);
    expect(refusal.message).toBe(tooLong.message);
    expect(lineOfFailure(refusal)).toEqual(tooLong);
    expect(logTextOf(tooLong.message)).toEqual(tooLong);
    const big = line('contacts.listTooLong', { login: 'COM1', count: 1_234_567, max: 25_000, over: 1_209_567 });
    expect(big.message).toBe('The contact sync list of COM1 holds 1,234,567 contacts; Google keeps at most 25,000 per account. Take 1,209,567 off the list, then sync again.');
    expect(logTextOf(big.message)).toEqual(big);
    const i18n = i18next.createInstance();
    await i18n.init({ showSupportNotice: false, lng: 'fr', resources: { fr: { translation: fr }, en: { translation: en } }, interpolation: { escapeValue: false } });
    expect(logLine(i18n.getFixedT('fr'), tooLong).text).toBe(
      'La liste de contacts à synchroniser de COM1 compte 25\u202f001 contacts ; Google en garde au plus 25\u202f000 par compte. Retirez-en 1 de la liste, puis relancez la synchronisation.',
    );
    expect(logLine(i18n.getFixedT('en'), tooLong).text).toBe('The contact sync list of COM1 holds 25,001 contacts; Google keeps at most 25,000 per account. Take 1 off the list, then sync again.');
  });
});

/** One example of each code's params: TypeScript refuses this table if a code has none. */
const SAMPLES: { [C in LogCode]: LogParamsByCode[C] } = {
  text: { text: 'A sentence no pattern knows' },
  'run.cancelled': {},
  'run.interrupted': { startedAt: '2026-12-05T10:00:00.000Z' },
  'run.skipped': { count: 3, reason: 'recurring-google' },
  'agenda.run': { status: 'partial', crmCreated: 1, crmUpdated: 2, crmDeleted: 3, googleCreated: 4, googleUpdated: 5, googleDeleted: 6, requests: 7 },
  'contacts.run': { status: 'ok', listed: 10, crmUpdated: 1, googleCreated: 2, googleUpdated: 3, googleDeleted: 0, photos: 4, requests: 5 },
  'google.answered': { status: 400, detail: 'Invalid start time' },
  'google.unreachable': { code: 'ECONNRESET' },
  'google.unexpected': {},
  'google.quota': { status: 429 },
  'google.invalidGrant': {},
  'google.invalidClient': { error: 'invalid_client' },
  'google.apiDisabled': { status: 403 },
  'google.unauthorized': { detail: 'Request had invalid authentication credentials.' },
  'google.notFound': { detail: 'Not Found' },
  'contacts.listTooLong': { login: 'COM1', count: 25001, max: 25000, over: 1 },
  'agenda.tokenRefused': {},
  'agenda.deletedInGoogleEditedInCrm': { title: 'Réunion « budget »' },
  'agenda.deletedInCrmEditedInGoogle': { title: 'Déjeuner' },
  'agenda.relinkedById': { title: 'Visite' },
  'agenda.relinkedByOrigin': { title: 'Appel' },
  'agenda.relinkedAfterCrash': { title: 'Salon' },
  'agenda.revived': { title: 'Démo' },
  'agenda.conflict': { title: 'Dentiste', field: 'location', crm: '"Paris"', google: '"Lyon"', winner: 'crm', rule: 'crm' },
  'agenda.createdInCrm': { title: 'Rendez-vous pris au téléphone' },
  'agenda.createdInCrmMore': { count: 12345 },
  'agenda.updatedInCrm': { fields: 'title, period' },
  'agenda.updatedInGoogle': { title: 'Point hebdo' },
  'agenda.deletedInGoogle': {},
  'agenda.pendingDeletion': {},
  'agenda.idTaken': { googleId: 'crm0a1b2c' },
  'agenda.changedDuringSync': {},
  'contacts.deletedInCrm': { contactId: 42 },
  'contacts.tokenRefused': {},
  'contacts.twoCarryId': { name: 'Paul Martin', kept: 'people/c1', other: 'people/c2' },
  'contacts.conflict': { name: 'Paul Martin', winner: 'google', lost: 'ancien commentaire' },
  'contacts.overwritten': { name: 'Paul Martin', fields: 'e-mail, phone', values: '"a@b.fr", "+33 1"' },
  'contacts.existsUnknown': {},
  'contacts.notSent': { name: 'X', reason: 'it has no name, e-mail, phone or company: Google would show an empty contact' },
  'contacts.relinked': { name: 'Paul Martin' },
  'contacts.commentFromGoogle': { name: 'Paul Martin' },
  'contacts.recreated': { name: 'Paul Martin' },
  'contacts.accountFull': { name: 'Paul Martin' },
  'contacts.createUnknown': { name: 'Paul Martin' },
  'contacts.notCreated': { name: 'Paul Martin', reason: 'Google refused it (400): Invalid person' },
  'contacts.answerLost': { name: 'Paul Martin' },
  'contacts.updatedInGoogle': { name: 'Paul Martin' },
  'contacts.notUpdated': { name: 'Paul Martin', reason: 'no answer for it' },
  'contacts.changedDuringSync': { name: 'Paul Martin' },
  'contacts.photoSent': { name: 'Paul Martin' },
  'contacts.photoDeleted': { name: 'Paul Martin' },
  'contacts.photoNotSent': { name: 'Paul Martin', reason: 'Google refused it (413): too large' },
  'contacts.photoNotDeleted': { name: 'Paul Martin', reason: 'Google refused it (500): backend' },
  'contacts.badPhoto': { name: 'Paul Martin', reason: 'its photo cannot be read as a JPEG or PNG image (bad header): replace it in the CRM' },
};

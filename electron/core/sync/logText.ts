/**
 * The sync log as data (issue 7): every line the agenda and contacts engines write has a stable
 * `code` and its `params`, so that the UI says it in the user's language while the CLI keeps the
 * English `message`.
 *
 * Lines are tagged where they are written: the engines (agenda/engine.ts, contacts/engine.ts) and
 * runs.ts build each line with `line(code, params)`, checked by `LogParamsByCode` (one params shape
 * per code), whose English `message` is rendered here by the code's own `render`. The code and
 * params are stored with the message in `sync_log` (migration 0007) and returned in the run's
 * report. Rows written before 0007 have no code: for them only, the sentence is recognised by the
 * code's pattern (`logTextOf`), so the logs of earlier runs still read in the user's language;
 * a stored params that does not parse falls back to the same recognition (`storedLogText`). A run
 * or an item that fails with an exception is logged by `lineOfFailure`: a Google failure by the
 * code of its kind (google/errors.ts `describeGoogleError`, same English sentence), a refusal that
 * built its own line (`LoggedRefusal`) by that line, any other CrmError by its message, recognised
 * when a pattern knows it, else kept as code `text`: the UI shows it as it is (in English). A
 * colleague's private action is redacted on both kinds of rows alike (`redactTitle`).
 * tests/sync/log-text.test.ts checks every code has its French and English sentence, and that each
 * code's sentence is recognised back to the same code and params.
 */
import { z } from 'zod';
import { LogParams, type LogText } from '../../../shared/contract';
import { CrmError, type ErrorCode } from '../../../shared/errors';
import { describeGoogleError, type DescribedError } from '../google/errors';

type Params = Record<string, string | number>;
type Empty = Record<string, never>;
type Rule = 'newest' | 'crm' | 'google';
type Side = 'crm' | 'google';
/** A line whose reason may be one of the app's own (REASONS): coded as `reasonCode`/`reasonValue` too. */
interface Named {
  name: string;
}
interface Reasoned extends Named {
  reason: string;
}

/** The params of each code, as the UI reads them (renderer/src/views/sync/logText.ts). */
export interface LogParamsByCode {
  'run.cancelled': { brief?: 1 };
  'run.interrupted': { startedAt: string };
  'run.skipped': { count: number; reason: string };
  'agenda.run': {
    status: string;
    crmCreated: number;
    crmUpdated: number;
    crmDeleted: number;
    googleCreated: number;
    googleUpdated: number;
    googleDeleted: number;
    requests: number;
  };
  'contacts.run': { status: string; listed: number; crmUpdated: number; googleCreated: number; googleUpdated: number; googleDeleted: number; photos: number; requests: number };
  /** A Google answer in Google's own words: its first reason word (`reason`) and message (`detail`), each absent when Google gave none. */
  'google.answered': { status: number; reason?: string; detail?: string };
  /** The failures google/errors.ts describes (`describeGoogleError`), one code per kind. `code`: the network error's code (absent: none known); `dns`: a name lookup failed. */
  'google.unreachable': { code?: string; dns?: 1 };
  'google.unexpected': Empty;
  'google.quota': { status: number };
  'google.invalidGrant': Empty;
  /** `error`: the token endpoint's word (invalid_client, unauthorized_client). */
  'google.invalidClient': { error: string };
  'google.apiDisabled': { status: number };
  'google.unauthorized': { detail?: string };
  'google.notFound': { detail?: string };
  'agenda.tokenRefused': Empty;
  'agenda.deletedInGoogleEditedInCrm': { title: string };
  'agenda.deletedInCrmEditedInGoogle': { title: string };
  'agenda.relinkedById': { title: string };
  'agenda.relinkedByOrigin': { title: string };
  'agenda.relinkedAfterCrash': { title: string };
  'agenda.revived': { title: string };
  /** `crm` and `google`: the field's two values as JSON; `during`: decided again during the sync (412). */
  'agenda.conflict': { title: string; field: string; during?: 1; crm: string; google: string; winner: Side; rule: Rule };
  'agenda.createdInCrm': { title: string };
  'agenda.createdInCrmMore': { count: number };
  /** `fields`: the synced fields' names, joined with ', '. */
  'agenda.updatedInCrm': { fields: string };
  'agenda.updatedInGoogle': { title: string };
  'agenda.deletedInGoogle': Empty;
  'agenda.pendingDeletion': Empty;
  'agenda.idTaken': { googleId: string };
  'agenda.changedDuringSync': Empty;
  /** The run refused as a whole: the list holds `count` contacts, `over` more than Google's `max`. */
  'contacts.listTooLong': { login: string; count: number; max: number; over: number };
  'contacts.deletedInCrm': { contactId: number };
  'contacts.tokenRefused': Empty;
  'contacts.twoCarryId': { name: string; kept: string; other: string };
  /** `lost`: the losing side's comment. */
  'contacts.conflict': { name: string; winner: Side; lost: string };
  /** `fields`: labels joined with ', '; `values`: Google's values as JSON, joined with ', '. */
  'contacts.overwritten': { name: string; fields: string; values: string };
  'contacts.existsUnknown': Empty;
  'contacts.notSent': Reasoned;
  'contacts.relinked': Named;
  'contacts.commentFromGoogle': Named;
  'contacts.recreated': Named;
  'contacts.accountFull': Named;
  'contacts.createUnknown': Named;
  'contacts.notCreated': Reasoned;
  'contacts.answerLost': Named;
  'contacts.updatedInGoogle': Named;
  'contacts.notUpdated': Reasoned;
  'contacts.changedDuringSync': Named;
  'contacts.photoSent': Named;
  'contacts.photoDeleted': Named;
  'contacts.photoNotSent': Reasoned;
  'contacts.photoNotDeleted': Reasoned;
  'contacts.badPhoto': Reasoned;
  /** A sentence no code names (another module's error): shown as it is, in English. */
  text: { text: string };
}

export type LogCode = keyof LogParamsByCode;
type PatternCode = Exclude<LogCode, 'text'>;

interface Pattern<C extends PatternCode> {
  re: RegExp;
  keys: readonly (keyof LogParamsByCode[C] & string)[];
  render: (p: LogParamsByCode[C]) => string;
}

const s = (v: string | number | undefined) => String(v ?? '');
const RULES: Record<string, Rule> = { 'the most recent change wins': 'newest', 'the CRM wins': 'crm', 'Google wins': 'google' };
const RULE_TEXT: Record<string, string> = { newest: 'the most recent change wins', crm: 'the CRM wins', google: 'Google wins' };

/**
 * A whole number with its thousands grouped as toLocaleString('en') writes them ("25,001"), by
 * hand: the first toLocaleString of a process builds an Intl formatter (~1.5 ms measured), paid
 * inside the sync's last page.
 */
function grouped(n: number | string | undefined): string {
  return String(Math.trunc(Number(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Each code's English sentence (`render`) and the pattern that recognises it in a row written
 * before migration 0007. Tried in this order; longest-first is not needed: patterns are anchored
 * and each names its own sentence.
 */
const PATTERNS: { readonly [C in PatternCode]: Pattern<C> } = {
  // ---- both sides
  'run.cancelled': {
    // The contacts engine says it in brief (`brief`: 1), the agenda engine in full.
    re: /^The sync was cancelled(?:: what was done is kept; the next sync does the rest|())\.$/,
    keys: ['brief'],
    render: (p) => (p.brief ? 'The sync was cancelled.' : 'The sync was cancelled: what was done is kept; the next sync does the rest.'),
  },
  'run.interrupted': {
    re: /^Run interrupted: the app stopped during this sync \(started (.+)\); what it left undone is done by the next sync\.$/,
    keys: ['startedAt'],
    render: (p) => `Run interrupted: the app stopped during this sync (started ${s(p.startedAt)}); what it left undone is done by the next sync.`,
  },
  'run.skipped': { re: /^Skipped (\d+) \(([\w-]+)\)\.$/, keys: ['count', 'reason'], render: (p) => `Skipped ${s(p.count)} (${s(p.reason)}).` },
  'agenda.run': {
    re: /^Run (\w+): CRM \+(\d+) ~(\d+) −(\d+); Google \+(\d+) ~(\d+) −(\d+); (\d+) request\(s\)\.$/,
    keys: ['status', 'crmCreated', 'crmUpdated', 'crmDeleted', 'googleCreated', 'googleUpdated', 'googleDeleted', 'requests'],
    render: (p) =>
      `Run ${s(p.status)}: CRM +${s(p.crmCreated)} ~${s(p.crmUpdated)} −${s(p.crmDeleted)}; Google +${s(p.googleCreated)} ~${s(p.googleUpdated)} −${s(p.googleDeleted)}; ${s(p.requests)} request(s).`,
  },
  'contacts.run': {
    re: /^Run (\w+): (\d+) on the list; CRM ~(\d+); Google \+(\d+) ~(\d+) −(\d+), (\d+) photo\(s\); (\d+) request\(s\)\.$/,
    keys: ['status', 'listed', 'crmUpdated', 'googleCreated', 'googleUpdated', 'googleDeleted', 'photos', 'requests'],
    render: (p) =>
      `Run ${s(p.status)}: ${s(p.listed)} on the list; CRM ~${s(p.crmUpdated)}; Google +${s(p.googleCreated)} ~${s(p.googleUpdated)} −${s(p.googleDeleted)}, ${s(p.photos)} photo(s); ${s(p.requests)} request(s).`,
  },
  'google.answered': {
    re: /^Google answered (\d+)(?: ([^\s:]+))?(?:: (.*))?\.$/s,
    keys: ['status', 'reason', 'detail'],
    render: (p) => `Google answered ${s(p.status)}${p.reason ? ` ${s(p.reason)}` : ''}${p.detail ? `: ${s(p.detail)}` : ''}.`,
  },
  // The sentences of google/errors.ts `describeGoogleError`, byte for byte (tests/sync/log-text.test.ts).
  'google.unreachable': {
    re: /^Google cannot be reached \((?:network error|(\S+))\): check the network connection( and DNS)?\.$/,
    keys: ['code', 'dns'],
    render: (p) => `Google cannot be reached (${p.code ?? 'network error'}): check the network connection${p.dns ? ' and DNS' : ''}.`,
  },
  'google.unexpected': { re: /^Google could not be asked \(unexpected client error\)\.$/, keys: [], render: () => 'Google could not be asked (unexpected client error).' },
  'google.quota': { re: /^Google's quota is exhausted \((\d+)\): wait a minute and try again\.$/, keys: ['status'], render: (p) => `Google's quota is exhausted (${s(p.status)}): wait a minute and try again.` },
  'google.invalidGrant': {
    re: /^Google answered invalid_grant: the authorization expired or was revoked\.$/,
    keys: [],
    render: () => 'Google answered invalid_grant: the authorization expired or was revoked.',
  },
  'google.invalidClient': { re: /^Google answered (\w+): the client ID or secret is wrong\.$/, keys: ['error'], render: (p) => `Google answered ${s(p.error)}: the client ID or secret is wrong.` },
  'google.apiDisabled': {
    re: /^The API is not enabled for this Google client \((\d+) accessNotConfigured\)\.$/,
    keys: ['status'],
    render: (p) => `The API is not enabled for this Google client (${s(p.status)} accessNotConfigured).`,
  },
  'google.unauthorized': { re: /^Google refused the credentials \(401\)(?:: (.*))?\.$/s, keys: ['detail'], render: (p) => `Google refused the credentials (401)${p.detail ? `: ${s(p.detail)}` : ''}.` },
  'google.notFound': { re: /^Not found at Google \(404\)(?:: (.*))?\.$/s, keys: ['detail'], render: (p) => `Not found at Google (404)${p.detail ? `: ${s(p.detail)}` : ''}.` },

  // ---- agenda
  'agenda.tokenRefused': { re: /^Google refused the sync token \(410\): full resync of the window\.$/, keys: [], render: () => 'Google refused the sync token (410): full resync of the window.' },
  'agenda.deletedInGoogleEditedInCrm': {
    re: /^« (.*) » was deleted in Google but changed in the CRM since the last sync: the CRM edit wins, the event is re-created in Google\.$/s,
    keys: ['title'],
    render: (p) => `« ${s(p.title)} » was deleted in Google but changed in the CRM since the last sync: the CRM edit wins, the event is re-created in Google.`,
  },
  'agenda.deletedInCrmEditedInGoogle': {
    re: /^« (.*) » was deleted in the CRM but changed in Google since the last sync: the Google edit wins, the action is re-created in the CRM\.$/s,
    keys: ['title'],
    render: (p) => `« ${s(p.title)} » was deleted in the CRM but changed in Google since the last sync: the Google edit wins, the action is re-created in the CRM.`,
  },
  'agenda.relinkedById': {
    re: /^« (.*) » found in Google by its CRM id: linked again, no duplicate\.$/s,
    keys: ['title'],
    render: (p) => `« ${s(p.title)} » found in Google by its CRM id: linked again, no duplicate.`,
  },
  'agenda.relinkedByOrigin': {
    re: /^« (.*) » found in Google as the event it came from: linked again, no duplicate\.$/s,
    keys: ['title'],
    render: (p) => `« ${s(p.title)} » found in Google as the event it came from: linked again, no duplicate.`,
  },
  'agenda.relinkedAfterCrash': {
    re: /^« (.*) » already existed in Google \(an earlier interrupted run\): linked again, no duplicate\.$/s,
    keys: ['title'],
    render: (p) => `« ${s(p.title)} » already existed in Google (an earlier interrupted run): linked again, no duplicate.`,
  },
  'agenda.revived': {
    re: /^« (.*) »: its event had been deleted in Google; it was restored with the CRM's content\.$/s,
    keys: ['title'],
    render: (p) => `« ${s(p.title)} »: its event had been deleted in Google; it was restored with the CRM's content.`,
  },
  'agenda.conflict': {
    re: /^« (.*) »: (\w+) changed on both sides( during the sync)? \(CRM (.*), Google (.*)\); the (CRM|Google) edit wins \(rule: (.*)\)\.$/s,
    keys: ['title', 'field', 'during', 'crm', 'google', 'winner', 'rule'],
    render: (p) =>
      `« ${s(p.title)} »: ${s(p.field)} changed on both sides${p.during ? ' during the sync' : ''} (CRM ${s(p.crm)}, Google ${s(p.google)}); the ${p.winner === 'crm' ? 'CRM' : 'Google'} edit wins (rule: ${RULE_TEXT[s(p.rule)] ?? s(p.rule)}).`,
  },
  'agenda.createdInCrm': { re: /^Created in the CRM from Google: « (.*) »\.$/s, keys: ['title'], render: (p) => `Created in the CRM from Google: « ${s(p.title)} ».` },
  'agenda.createdInCrmMore': {
    re: /^([\d,]+) more events? created in the CRM from Google \(not listed one by one\)\.$/,
    keys: ['count'],
    // A listing page's creations beyond those logged one by one (the agenda engine's CREATED_LINES_PER_RUN), so the log adds up to the counts.
    render: (p) => `${grouped(p.count)} more ${p.count === 1 ? 'event' : 'events'} created in the CRM from Google (not listed one by one).`,
  },
  'agenda.updatedInCrm': { re: /^Updated in the CRM from Google: (.*)\.$/, keys: ['fields'], render: (p) => `Updated in the CRM from Google: ${s(p.fields)}.` },
  'agenda.updatedInGoogle': { re: /^Updated in Google: « (.*) »\.$/s, keys: ['title'], render: (p) => `Updated in Google: « ${s(p.title)} ».` },
  'agenda.deletedInGoogle': { re: /^Deleted in Google \(deleted in the CRM\)\.$/, keys: [], render: () => 'Deleted in Google (deleted in the CRM).' },
  'agenda.pendingDeletion': {
    re: /^Deleted in Google: waiting for the user to confirm the deletion in the CRM\.$/,
    keys: [],
    render: () => 'Deleted in Google: waiting for the user to confirm the deletion in the CRM.',
  },
  'agenda.idTaken': { re: /^The event id (.+) is taken by another event in Google\.$/, keys: ['googleId'], render: (p) => `The event id ${s(p.googleId)} is taken by another event in Google.` },
  'agenda.changedDuringSync': {
    re: /^The event changed in Google during the sync; it will be merged at the next sync\.$/,
    keys: [],
    render: () => 'The event changed in Google during the sync; it will be merged at the next sync.',
  },

  // ---- contacts
  'contacts.listTooLong': {
    re: /^The contact sync list of (\S+) holds ([\d,]+) contacts; Google keeps at most ([\d,]+) per account\. Take ([\d,]+) off the list, then sync again\.$/,
    keys: ['login', 'count', 'max', 'over'],
    render: (p) =>
      `The contact sync list of ${s(p.login)} holds ${grouped(p.count)} contacts; Google keeps at most ${grouped(p.max)} per account. Take ${grouped(p.over)} off the list, then sync again.`,
  },
  'contacts.deletedInCrm': {
    re: /^Contact (\d+) was deleted in the CRM: its Google contact is left as it is\.$/,
    keys: ['contactId'],
    render: (p) => `Contact ${s(p.contactId)} was deleted in the CRM: its Google contact is left as it is.`,
  },
  'contacts.tokenRefused': {
    re: /^Google refused the sync token \(expired or invalid\): every contact was read again, nothing is lost\.$/,
    keys: [],
    render: () => 'Google refused the sync token (expired or invalid): every contact was read again, nothing is lost.',
  },
  'contacts.twoCarryId': {
    re: /^Two Google contacts carry the CRM id of « (.*) »: (\S+) is kept, (\S+) is left alone\.$/s,
    keys: ['name', 'kept', 'other'],
    render: (p) => `Two Google contacts carry the CRM id of « ${s(p.name)} »: ${s(p.kept)} is kept, ${s(p.other)} is left alone.`,
  },
  'contacts.conflict': {
    re: /^« (.*) »: the comment changed on both sides; the (CRM|Google) edit is newer and wins\. The (?:CRM|Google) text was: « (.*) »\.$/s,
    keys: ['name', 'winner', 'lost'],
    render: (p) =>
      `« ${s(p.name)} »: the comment changed on both sides; the ${p.winner === 'crm' ? 'CRM' : 'Google'} edit is newer and wins. The ${p.winner === 'crm' ? 'Google' : 'CRM'} text was: « ${s(p.lost)} ».`,
  },
  'contacts.overwritten': {
    re: /^« (.*) »: (.*) edited in Google \((.*)\) — these fields follow the CRM and were set back to its values\.$/s,
    keys: ['name', 'fields', 'values'],
    render: (p) => `« ${s(p.name)} »: ${s(p.fields)} edited in Google (${s(p.values)}) — these fields follow the CRM and were set back to its values.`,
  },
  'contacts.existsUnknown': {
    re: /^Google did not say whether this contact still exists; it is checked again at the next sync\.$/,
    keys: [],
    render: () => 'Google did not say whether this contact still exists; it is checked again at the next sync.',
  },
  'contacts.notSent': { re: /^« (.*) » was not sent to Google: (.*)\.$/s, keys: ['name', 'reason'], render: (p) => `« ${s(p.name)} » was not sent to Google: ${s(p.reason)}.` },
  'contacts.relinked': {
    re: /^« (.*) » was found in Google by its CRM id \(after a Reset or an interrupted sync\): linked again, not duplicated\.$/s,
    keys: ['name'],
    render: (p) => `« ${s(p.name)} » was found in Google by its CRM id (after a Reset or an interrupted sync): linked again, not duplicated.`,
  },
  'contacts.commentFromGoogle': { re: /^« (.*) »: comment updated in the CRM from Google\.$/s, keys: ['name'], render: (p) => `« ${s(p.name)} »: comment updated in the CRM from Google.` },
  'contacts.recreated': {
    re: /^« (.*) » had been deleted in Google while on the sync list: it was created again\.$/s,
    keys: ['name'],
    render: (p) => `« ${s(p.name)} » had been deleted in Google while on the sync list: it was created again.`,
  },
  'contacts.accountFull': {
    re: /^« (.*) » was not created: the Google account is full \(Google keeps about 25,000 contacts per account\)\.$/s,
    keys: ['name'],
    render: (p) => `« ${s(p.name)} » was not created: the Google account is full (Google keeps about 25,000 contacts per account).`,
  },
  'contacts.createUnknown': {
    re: /^« (.*) »: Google did not answer whether it was created; the next sync checks before creating it\.$/s,
    keys: ['name'],
    render: (p) => `« ${s(p.name)} »: Google did not answer whether it was created; the next sync checks before creating it.`,
  },
  'contacts.notCreated': { re: /^« (.*) » was not created: (.*)\.$/s, keys: ['name', 'reason'], render: (p) => `« ${s(p.name)} » was not created: ${s(p.reason)}.` },
  'contacts.answerLost': {
    re: /^« (.*) »: Google's answer to its creation was lost; found by its CRM id and linked, not duplicated\.$/s,
    keys: ['name'],
    render: (p) => `« ${s(p.name)} »: Google's answer to its creation was lost; found by its CRM id and linked, not duplicated.`,
  },
  'contacts.updatedInGoogle': { re: /^« (.*) »: updated in Google\.$/s, keys: ['name'], render: (p) => `« ${s(p.name)} »: updated in Google.` },
  'contacts.notUpdated': { re: /^« (.*) » was not updated in Google: (.*)\.$/s, keys: ['name', 'reason'], render: (p) => `« ${s(p.name)} » was not updated in Google: ${s(p.reason)}.` },
  'contacts.changedDuringSync': {
    re: /^« (.*) » changed in Google during the sync; it is merged at the next sync\.$/s,
    keys: ['name'],
    render: (p) => `« ${s(p.name)} » changed in Google during the sync; it is merged at the next sync.`,
  },
  'contacts.photoSent': { re: /^« (.*) »: photo sent to Google\.$/s, keys: ['name'], render: (p) => `« ${s(p.name)} »: photo sent to Google.` },
  'contacts.photoDeleted': { re: /^« (.*) »: photo deleted in Google\.$/s, keys: ['name'], render: (p) => `« ${s(p.name)} »: photo deleted in Google.` },
  'contacts.photoNotSent': {
    re: /^« (.*) »: the photo was not sent: (.*)\.$/s,
    keys: ['name', 'reason'],
    render: (p) => `« ${s(p.name)} »: the photo was not sent: ${s(p.reason)}.`,
  },
  'contacts.photoNotDeleted': {
    re: /^« (.*) »: the photo was not deleted: (.*)\.$/s,
    keys: ['name', 'reason'],
    render: (p) => `« ${s(p.name)} »: the photo was not deleted: ${s(p.reason)}.`,
  },
  'contacts.badPhoto': { re: /^« (.*) »: (.*)\. Its other fields were synced\.$/s, keys: ['name', 'reason'], render: (p) => `« ${s(p.name)} »: ${s(p.reason)}. Its other fields were synced.` },
};

const ORDER = Object.keys(PATTERNS) as PatternCode[];
const patternOf = (code: string): Pattern<PatternCode> | undefined => (Object.hasOwn(PATTERNS, code) ? (PATTERNS[code as PatternCode] as unknown as Pattern<PatternCode>) : undefined);

/** Params that are words or names even when they are digits only. */
const WORD_KEYS = new Set(['title', 'name', 'googleId', 'login', 'code', 'error', 'reason', 'detail']);
/** Params written with their thousands grouped ("25,001"). */
const GROUPED_KEYS = new Set(['count', 'max', 'over']);

/** Normalises what a capture means: numbers as numbers, the winner and rule as codes. */
function paramOf(key: string, value: string | undefined): string | number | undefined {
  if (value === undefined) return undefined;
  if (key === 'during' || key === 'brief' || key === 'dns') return 1;
  if (key === 'winner') return value === 'CRM' ? 'crm' : 'google';
  if (key === 'rule') return RULES[value] ?? value;
  if (GROUPED_KEYS.has(key) && /^[\d,]+$/.test(value)) return Number(value.replaceAll(',', ''));
  if (/^\d+$/.test(value) && !WORD_KEYS.has(key)) return Number(value);
  return value;
}

/**
 * Reasons the app itself gives for not sending a contact (contacts/mapping.ts), recognised inside
 * a line's `reason` so the UI can say them in the user's language too; Google's own reasons stay
 * in Google's words.
 */
const REASONS: { code: string; re: RegExp }[] = [
  { code: 'badEmail', re: /^the e-mail address "(.*)" is not valid: correct it in the CRM$/s },
  { code: 'emptyContact', re: /^it has no name, e-mail, phone or company: Google would show an empty contact$/ },
  // The value is the image library's own words (English), kept for support.
  { code: 'unreadablePhoto', re: /^its photo cannot be read as a JPEG or PNG image \((.*)\): replace it in the CRM$/s },
];

function withReasonCode(params: Params): Params {
  if (typeof params.reason !== 'string') return params;
  for (const r of REASONS) {
    const m = r.re.exec(params.reason);
    if (m) return m[1] === undefined ? { ...params, reasonCode: r.code } : { ...params, reasonCode: r.code, reasonValue: m[1] };
  }
  return params;
}

/**
 * A sync log line, as written: its code, its params and its English sentence. Cheap on purpose
 * (a pull of 10,000 events writes up to CREATED_LINES_PER_RUN of them plus a few per page): one
 * template, no Intl, no validation — the types check the params; only a line with a `reason` is
 * looked at for one of the app's own reasons (REASONS), and those are errors, few per run.
 */
export function line<C extends LogCode>(code: C, params: LogParamsByCode[C]): LogText {
  if (code === 'text') {
    const text = (params as LogParamsByCode['text']).text;
    return { code, params: { text }, message: text };
  }
  const p = params as unknown as Params;
  const message = (PATTERNS[code as PatternCode] as unknown as Pattern<PatternCode>).render(p as never);
  return { code, params: 'reason' in p ? withReasonCode(p) : p, message };
}

/** The code and params of one of the engines' English sentences (code `text` when none fits): rows written before 0007. */
export function logTextOf(message: string): LogText {
  for (const code of ORDER) {
    const p = PATTERNS[code] as unknown as Pattern<PatternCode>;
    const m = p.re.exec(message);
    if (!m) continue;
    const params: Params = {};
    p.keys.forEach((k, i) => {
      const v = paramOf(k, m[i + 1]);
      if (v !== undefined) params[k] = v;
    });
    return { code, params: withReasonCode(params), message };
  }
  return { code: 'text', params: { text: message }, message };
}

/**
 * A refusal whose sync log line is built where it is refused, with its params as they are known
 * there (not read back from the sentence): `lineOfFailure` logs `logLine`, the CrmError's message
 * is the line's English sentence.
 */
export class LoggedRefusal extends CrmError {
  readonly logLine: LogText;
  constructor(errorCode: ErrorCode, logLine: LogText) {
    super(errorCode, logLine.message);
    this.logLine = logLine;
  }
}

/**
 * The line for a failure google/errors.ts described: one code per kind, its params from the
 * description's facts. Its sentence is the description's message byte for byte; should the two
 * ever part, the message is kept (recognised, else `text`) — the English never changes here.
 */
function lineOfGoogleFailure(d: DescribedError): LogText {
  const f = d.facts;
  const detail = f.detail ? { detail: f.detail } : {};
  let built: LogText;
  switch (d.kind) {
    case 'network':
      built = line('google.unreachable', { ...(f.networkCode ? { code: f.networkCode } : {}), ...(f.dns ? { dns: 1 as const } : {}) });
      break;
    case 'quota':
      built = line('google.quota', { status: d.status ?? 0 });
      break;
    case 'invalidGrant':
      built = line('google.invalidGrant', {});
      break;
    case 'invalidClient':
      built = line('google.invalidClient', { error: f.error ?? 'invalid_client' });
      break;
    case 'apiDisabled':
      built = line('google.apiDisabled', { status: d.status ?? 0 });
      break;
    case 'unauthorized':
      built = line('google.unauthorized', detail);
      break;
    case 'notFound':
      built = line('google.notFound', detail);
      break;
    case 'other':
      built = d.status === null ? line('google.unexpected', {}) : line('google.answered', { status: d.status, ...(f.reason ? { reason: f.reason } : {}), ...detail });
      break;
  }
  return built.message === d.message ? built : logTextOf(d.message);
}

/**
 * The line for a run or an item that failed with an exception: a refusal that built its own line
 * (`LoggedRefusal`) gives it; another CrmError is its message, recognised when a pattern knows it
 * (else `text`); anything else is a Google failure, coded by its kind (`lineOfGoogleFailure`).
 */
export function lineOfFailure(error: unknown): LogText {
  if (error instanceof LoggedRefusal) return error.logLine;
  if (error instanceof CrmError) return logTextOf(error.message);
  return lineOfGoogleFailure(describeGoogleError(error));
}

/** What `sync_log` stores of a line's params (migration 0007): null for none. */
export function paramsColumn(t: LogText): string | null {
  return Object.keys(t.params).length > 0 ? JSON.stringify(t.params) : null;
}

const StoredCode = z.string().min(1).max(80);

/**
 * A `sync_log` row as a line: its stored code and params (parsed here, at the edge), or — for a
 * row written before migration 0007 (code NULL), or whose params do not parse — its message
 * recognised (`logTextOf`). Never throws.
 */
export function storedLogText(code: string | null, params: string | null, message: string): LogText {
  if (code === null || !StoredCode.safeParse(code).success) return logTextOf(message);
  if (params === null) return { code, params: {}, message };
  let raw: unknown;
  try {
    raw = JSON.parse(params);
  } catch {
    return logTextOf(message);
  }
  const parsed = LogParams.safeParse(raw);
  return parsed.success ? { code, params: parsed.data, message } : logTextOf(message);
}

/** A report's decision or error as a line: the code and params it was built with, else its message recognised. */
export function reportedLogText(r: { code?: string; params?: Params; message: string }): LogText {
  return r.code !== undefined && r.params !== undefined ? { code: r.code, params: r.params, message: r.message } : logTextOf(r.message);
}

/** Every code this file knows, with `text` (for the renderer's translation check). */
export const LOG_CODES: readonly LogCode[] = ['text', ...ORDER];

/**
 * The same line with its title (or contact name) replaced — a colleague's private action shown
 * to someone without *Visible*: params and the English message both lose the title. Lines with
 * no title are returned as they are; a free sentence (`text`) about the item is withheld.
 */
export function redactTitle(t: LogText, replacement: string): LogText {
  if (t.code === 'text') return { code: 'text', params: { text: replacement }, message: replacement };
  const p = patternOf(t.code);
  if (!p || !('title' in t.params)) return t;
  const params: Params = { ...t.params, title: replacement };
  // A conflict's values may be the private title or description themselves.
  if ('crm' in params) params.crm = '…';
  if ('google' in params) params.google = '…';
  return { code: t.code, params, message: p.render(params as never) };
}

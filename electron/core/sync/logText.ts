/**
 * The sync log as data (issue 7): every line the agenda and contacts engines write gets a stable
 * `code` and its `params`, so that the UI says it in the user's language while the CLI keeps the
 * English `message`.
 *
 * The engines write English sentences (engine.ts, both sides). Rather than tagging each of their
 * ~50 call sites while they are being reworked for speed, the sentences are recognised here, one
 * pattern per kind of line, each with the English it renders — so a redacted line (a colleague's
 * private action, see `redactTitle`) is written again the same way. A sentence no pattern knows
 * (a Google error in its own words, a new line) keeps the code `text` and its message: the UI
 * shows it as it is (in English). tests/sync/log-text.test.ts checks every code has its French and
 * English sentence. Tagging the call sites with their codes is the lasting fix: then no sentence can
 * slip to `text` unseen.
 */
import type { LogText } from '../../../shared/contract';

type Params = Record<string, string | number>;

interface Pattern {
  code: string;
  re: RegExp;
  keys: string[];
  render: (p: Params) => string;
}

const s = (v: string | number | undefined) => String(v ?? '');
const RULES: Record<string, string> = { 'the most recent change wins': 'newest', 'the CRM wins': 'crm', 'Google wins': 'google' };
const RULE_TEXT: Record<string, string> = { newest: 'the most recent change wins', crm: 'the CRM wins', google: 'Google wins' };

/**
 * The line for a listing page's creations in the CRM beyond those logged one by one (the agenda
 * engine's CREATED_LINES_PER_RUN): how many more, so the run's log adds up to its counts.
 */
export function createdInCrmMoreMessage(count: number): string {
  // Thousands grouped by hand: the first toLocaleString of a process builds an Intl formatter
  // (~1.5 ms measured), paid inside the sync's last page.
  const n = String(Math.trunc(count)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n} more ${count === 1 ? 'event' : 'events'} created in the CRM from Google (not listed one by one).`;
}

/** Longest-first is not needed: patterns are anchored and each names its own sentence. */
const PATTERNS: Pattern[] = [
  // ---- both sides
  { code: 'run.cancelled', re: /^The sync was cancelled(?:: what was done is kept; the next sync does the rest)?\.$/, keys: [], render: () => 'The sync was cancelled: what was done is kept; the next sync does the rest.' },
  {
    code: 'run.interrupted',
    re: /^Run interrupted: the app stopped during this sync \(started (.+)\); what it left undone is done by the next sync\.$/,
    keys: ['startedAt'],
    render: (p) => `Run interrupted: the app stopped during this sync (started ${s(p.startedAt)}); what it left undone is done by the next sync.`,
  },
  { code: 'run.skipped', re: /^Skipped (\d+) \(([\w-]+)\)\.$/, keys: ['count', 'reason'], render: (p) => `Skipped ${s(p.count)} (${s(p.reason)}).` },
  {
    code: 'agenda.run',
    re: /^Run (\w+): CRM \+(\d+) ~(\d+) −(\d+); Google \+(\d+) ~(\d+) −(\d+); (\d+) request\(s\)\.$/,
    keys: ['status', 'crmCreated', 'crmUpdated', 'crmDeleted', 'googleCreated', 'googleUpdated', 'googleDeleted', 'requests'],
    render: (p) =>
      `Run ${s(p.status)}: CRM +${s(p.crmCreated)} ~${s(p.crmUpdated)} −${s(p.crmDeleted)}; Google +${s(p.googleCreated)} ~${s(p.googleUpdated)} −${s(p.googleDeleted)}; ${s(p.requests)} request(s).`,
  },
  {
    code: 'contacts.run',
    re: /^Run (\w+): (\d+) on the list; CRM ~(\d+); Google \+(\d+) ~(\d+) −(\d+), (\d+) photo\(s\); (\d+) request\(s\)\.$/,
    keys: ['status', 'listed', 'crmUpdated', 'googleCreated', 'googleUpdated', 'googleDeleted', 'photos', 'requests'],
    render: (p) =>
      `Run ${s(p.status)}: ${s(p.listed)} on the list; CRM ~${s(p.crmUpdated)}; Google +${s(p.googleCreated)} ~${s(p.googleUpdated)} −${s(p.googleDeleted)}, ${s(p.photos)} photo(s); ${s(p.requests)} request(s).`,
  },
  { code: 'google.answered', re: /^Google answered (\d+)(?:: (.*))?\.$/s, keys: ['status', 'detail'], render: (p) => `Google answered ${s(p.status)}${p.detail ? `: ${s(p.detail)}` : ''}.` },

  // ---- agenda
  { code: 'agenda.tokenRefused', re: /^Google refused the sync token \(410\): full resync of the window\.$/, keys: [], render: () => 'Google refused the sync token (410): full resync of the window.' },
  {
    code: 'agenda.deletedInGoogleEditedInCrm',
    re: /^« (.*) » was deleted in Google but changed in the CRM since the last sync: the CRM edit wins, the event is re-created in Google\.$/s,
    keys: ['title'],
    render: (p) => `« ${s(p.title)} » was deleted in Google but changed in the CRM since the last sync: the CRM edit wins, the event is re-created in Google.`,
  },
  {
    code: 'agenda.deletedInCrmEditedInGoogle',
    re: /^« (.*) » was deleted in the CRM but changed in Google since the last sync: the Google edit wins, the action is re-created in the CRM\.$/s,
    keys: ['title'],
    render: (p) => `« ${s(p.title)} » was deleted in the CRM but changed in Google since the last sync: the Google edit wins, the action is re-created in the CRM.`,
  },
  {
    code: 'agenda.relinkedById',
    re: /^« (.*) » found in Google by its CRM id: linked again, no duplicate\.$/s,
    keys: ['title'],
    render: (p) => `« ${s(p.title)} » found in Google by its CRM id: linked again, no duplicate.`,
  },
  {
    code: 'agenda.relinkedByOrigin',
    re: /^« (.*) » found in Google as the event it came from: linked again, no duplicate\.$/s,
    keys: ['title'],
    render: (p) => `« ${s(p.title)} » found in Google as the event it came from: linked again, no duplicate.`,
  },
  {
    code: 'agenda.relinkedAfterCrash',
    re: /^« (.*) » already existed in Google \(an earlier interrupted run\): linked again, no duplicate\.$/s,
    keys: ['title'],
    render: (p) => `« ${s(p.title)} » already existed in Google (an earlier interrupted run): linked again, no duplicate.`,
  },
  {
    code: 'agenda.revived',
    re: /^« (.*) »: its event had been deleted in Google; it was restored with the CRM's content\.$/s,
    keys: ['title'],
    render: (p) => `« ${s(p.title)} »: its event had been deleted in Google; it was restored with the CRM's content.`,
  },
  {
    code: 'agenda.conflict',
    re: /^« (.*) »: (\w+) changed on both sides( during the sync)? \(CRM (.*), Google (.*)\); the (CRM|Google) edit wins \(rule: (.*)\)\.$/s,
    keys: ['title', 'field', 'during', 'crm', 'google', 'winner', 'rule'],
    render: (p) =>
      `« ${s(p.title)} »: ${s(p.field)} changed on both sides${p.during ? ' during the sync' : ''} (CRM ${s(p.crm)}, Google ${s(p.google)}); the ${p.winner === 'crm' ? 'CRM' : 'Google'} edit wins (rule: ${RULE_TEXT[s(p.rule)] ?? s(p.rule)}).`,
  },
  { code: 'agenda.createdInCrm', re: /^Created in the CRM from Google: « (.*) »\.$/s, keys: ['title'], render: (p) => `Created in the CRM from Google: « ${s(p.title)} ».` },
  {
    code: 'agenda.createdInCrmMore',
    re: /^([\d,]+) more events? created in the CRM from Google \(not listed one by one\)\.$/,
    keys: ['count'],
    render: (p) => createdInCrmMoreMessage(Number(p.count)),
  },
  { code: 'agenda.updatedInCrm', re: /^Updated in the CRM from Google: (.*)\.$/, keys: ['fields'], render: (p) => `Updated in the CRM from Google: ${s(p.fields)}.` },
  { code: 'agenda.updatedInGoogle', re: /^Updated in Google: « (.*) »\.$/s, keys: ['title'], render: (p) => `Updated in Google: « ${s(p.title)} ».` },
  { code: 'agenda.deletedInGoogle', re: /^Deleted in Google \(deleted in the CRM\)\.$/, keys: [], render: () => 'Deleted in Google (deleted in the CRM).' },
  {
    code: 'agenda.pendingDeletion',
    re: /^Deleted in Google: waiting for the user to confirm the deletion in the CRM\.$/,
    keys: [],
    render: () => 'Deleted in Google: waiting for the user to confirm the deletion in the CRM.',
  },
  { code: 'agenda.idTaken', re: /^The event id (.+) is taken by another event in Google\.$/, keys: ['googleId'], render: (p) => `The event id ${s(p.googleId)} is taken by another event in Google.` },
  {
    code: 'agenda.changedDuringSync',
    re: /^The event changed in Google during the sync; it will be merged at the next sync\.$/,
    keys: [],
    render: () => 'The event changed in Google during the sync; it will be merged at the next sync.',
  },

  // ---- contacts
  {
    code: 'contacts.deletedInCrm',
    re: /^Contact (\d+) was deleted in the CRM: its Google contact is left as it is\.$/,
    keys: ['contactId'],
    render: (p) => `Contact ${s(p.contactId)} was deleted in the CRM: its Google contact is left as it is.`,
  },
  {
    code: 'contacts.tokenRefused',
    re: /^Google refused the sync token \(expired or invalid\): every contact was read again, nothing is lost\.$/,
    keys: [],
    render: () => 'Google refused the sync token (expired or invalid): every contact was read again, nothing is lost.',
  },
  {
    code: 'contacts.twoCarryId',
    re: /^Two Google contacts carry the CRM id of « (.*) »: (\S+) is kept, (\S+) is left alone\.$/s,
    keys: ['name', 'kept', 'other'],
    render: (p) => `Two Google contacts carry the CRM id of « ${s(p.name)} »: ${s(p.kept)} is kept, ${s(p.other)} is left alone.`,
  },
  {
    code: 'contacts.conflict',
    re: /^« (.*) »: the comment changed on both sides; the (CRM|Google) edit is newer and wins\. The (?:CRM|Google) text was: « (.*) »\.$/s,
    keys: ['name', 'winner', 'lost'],
    render: (p) =>
      `« ${s(p.name)} »: the comment changed on both sides; the ${p.winner === 'crm' ? 'CRM' : 'Google'} edit is newer and wins. The ${p.winner === 'crm' ? 'Google' : 'CRM'} text was: « ${s(p.lost)} ».`,
  },
  {
    code: 'contacts.overwritten',
    re: /^« (.*) »: (.*) edited in Google \((.*)\) — these fields follow the CRM and were set back to its values\.$/s,
    keys: ['name', 'fields', 'values'],
    render: (p) => `« ${s(p.name)} »: ${s(p.fields)} edited in Google (${s(p.values)}) — these fields follow the CRM and were set back to its values.`,
  },
  {
    code: 'contacts.existsUnknown',
    re: /^Google did not say whether this contact still exists; it is checked again at the next sync\.$/,
    keys: [],
    render: () => 'Google did not say whether this contact still exists; it is checked again at the next sync.',
  },
  { code: 'contacts.notSent', re: /^« (.*) » was not sent to Google: (.*)\.$/s, keys: ['name', 'reason'], render: (p) => `« ${s(p.name)} » was not sent to Google: ${s(p.reason)}.` },
  {
    code: 'contacts.relinked',
    re: /^« (.*) » was found in Google by its CRM id \(after a Reset or an interrupted sync\): linked again, not duplicated\.$/s,
    keys: ['name'],
    render: (p) => `« ${s(p.name)} » was found in Google by its CRM id (after a Reset or an interrupted sync): linked again, not duplicated.`,
  },
  { code: 'contacts.commentFromGoogle', re: /^« (.*) »: comment updated in the CRM from Google\.$/s, keys: ['name'], render: (p) => `« ${s(p.name)} »: comment updated in the CRM from Google.` },
  {
    code: 'contacts.recreated',
    re: /^« (.*) » had been deleted in Google while on the sync list: it was created again\.$/s,
    keys: ['name'],
    render: (p) => `« ${s(p.name)} » had been deleted in Google while on the sync list: it was created again.`,
  },
  {
    code: 'contacts.accountFull',
    re: /^« (.*) » was not created: the Google account is full \(Google keeps about 25,000 contacts per account\)\.$/s,
    keys: ['name'],
    render: (p) => `« ${s(p.name)} » was not created: the Google account is full (Google keeps about 25,000 contacts per account).`,
  },
  {
    code: 'contacts.createUnknown',
    re: /^« (.*) »: Google did not answer whether it was created; the next sync checks before creating it\.$/s,
    keys: ['name'],
    render: (p) => `« ${s(p.name)} »: Google did not answer whether it was created; the next sync checks before creating it.`,
  },
  { code: 'contacts.notCreated', re: /^« (.*) » was not created: (.*)\.$/s, keys: ['name', 'reason'], render: (p) => `« ${s(p.name)} » was not created: ${s(p.reason)}.` },
  {
    code: 'contacts.answerLost',
    re: /^« (.*) »: Google's answer to its creation was lost; found by its CRM id and linked, not duplicated\.$/s,
    keys: ['name'],
    render: (p) => `« ${s(p.name)} »: Google's answer to its creation was lost; found by its CRM id and linked, not duplicated.`,
  },
  { code: 'contacts.updatedInGoogle', re: /^« (.*) »: updated in Google\.$/s, keys: ['name'], render: (p) => `« ${s(p.name)} »: updated in Google.` },
  { code: 'contacts.notUpdated', re: /^« (.*) » was not updated in Google: (.*)\.$/s, keys: ['name', 'reason'], render: (p) => `« ${s(p.name)} » was not updated in Google: ${s(p.reason)}.` },
  {
    code: 'contacts.changedDuringSync',
    re: /^« (.*) » changed in Google during the sync; it is merged at the next sync\.$/s,
    keys: ['name'],
    render: (p) => `« ${s(p.name)} » changed in Google during the sync; it is merged at the next sync.`,
  },
  { code: 'contacts.photoSent', re: /^« (.*) »: photo sent to Google\.$/s, keys: ['name'], render: (p) => `« ${s(p.name)} »: photo sent to Google.` },
  { code: 'contacts.photoDeleted', re: /^« (.*) »: photo deleted in Google\.$/s, keys: ['name'], render: (p) => `« ${s(p.name)} »: photo deleted in Google.` },
  {
    code: 'contacts.photoNotSent',
    re: /^« (.*) »: the photo was not sent: (.*)\.$/s,
    keys: ['name', 'reason'],
    render: (p) => `« ${s(p.name)} »: the photo was not sent: ${s(p.reason)}.`,
  },
  {
    code: 'contacts.photoNotDeleted',
    re: /^« (.*) »: the photo was not deleted: (.*)\.$/s,
    keys: ['name', 'reason'],
    render: (p) => `« ${s(p.name)} »: the photo was not deleted: ${s(p.reason)}.`,
  },
  { code: 'contacts.badPhoto', re: /^« (.*) »: (.*)\. Its other fields were synced\.$/s, keys: ['name', 'reason'], render: (p) => `« ${s(p.name)} »: ${s(p.reason)}. Its other fields were synced.` },
];

const BY_CODE = new Map(PATTERNS.map((p) => [p.code, p]));

/** Normalises what a capture means: numbers as numbers, the winner and rule as codes. */
function paramOf(code: string, key: string, value: string | undefined): string | number | undefined {
  if (value === undefined) return undefined;
  if (key === 'during') return 1;
  if (key === 'winner') return value === 'CRM' ? 'crm' : 'google';
  if (key === 'rule') return RULES[value] ?? value;
  if (key === 'count' && /^[\d,]+$/.test(value)) return Number(value.replaceAll(',', ''));
  if (/^\d+$/.test(value) && key !== 'title' && key !== 'name' && key !== 'googleId' && code !== 'google.answered') return Number(value);
  if (code === 'google.answered' && key === 'status') return Number(value);
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

/** The code and params of one of the engines' English sentences (code `text` when none fits). */
export function logTextOf(message: string): LogText {
  for (const p of PATTERNS) {
    const m = p.re.exec(message);
    if (!m) continue;
    const params: Params = {};
    p.keys.forEach((k, i) => {
      const v = paramOf(p.code, k, m[i + 1]);
      if (v !== undefined) params[k] = v;
    });
    return { code: p.code, params: withReasonCode(params), message };
  }
  return { code: 'text', params: { text: message }, message };
}

/** Every code this file knows, with `text` (for the renderer's translation check). */
export const LOG_CODES: readonly string[] = ['text', ...PATTERNS.map((p) => p.code)];

/**
 * The same line with its title (or contact name) replaced — a colleague's private action shown
 * to someone without *Visible*: params and the English message both lose the title. Lines with
 * no title are returned as they are; a free sentence (`text`) about the item is withheld.
 */
export function redactTitle(t: LogText, replacement: string): LogText {
  if (t.code === 'text') return { code: 'text', params: { text: replacement }, message: replacement };
  const p = BY_CODE.get(t.code);
  if (!p || !('title' in t.params)) return t;
  const params: Params = { ...t.params, title: replacement };
  // A conflict's values may be the private title or description themselves.
  if ('crm' in params) params.crm = '…';
  if ('google' in params) params.google = '…';
  return { code: t.code, params, message: p.render(params) };
}

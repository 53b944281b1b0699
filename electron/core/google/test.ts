/**
 * The Test button (FTC019 §3.5.1): real calls to Google, checked in order, each failure with the
 * seed's message (§3.5.2) and what users hit in practice (BRIEF §2). Later checks are skipped
 * when an earlier failure makes them meaningless.
 */
import type { TestCheck, TestCheckId, TestProblem, TestReport } from '../../../shared/contract';
import type { AsyncContext } from '../context';
import { getSyncPrefs } from '../sync/prefs';
import { getGoogleAccount } from './accounts';
import { clientConfig, googleApis, oauthClient, type GoogleApis, type GoogleClientConfig } from './client';
import { describeGoogleError, type DescribedError } from './errors';
import { lastOutcomeOf } from './oauth';

/** Beyond this, Google's signed requests and token lifetimes go wrong in confusing ways. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

type Params = TestCheck['params'];
const pass = (id: TestCheckId, message: string, params: Params = {}): TestCheck => ({ id, status: 'pass', problem: null, params, message });
const fail = (id: TestCheckId, problem: TestProblem, message: string, params: Params = {}): TestCheck => ({ id, status: 'fail', problem, params, message });
const warn = (id: TestCheckId, problem: TestProblem | null, message: string, params: Params = {}): TestCheck => ({ id, status: 'warn', problem, params, message });
const skip = (id: TestCheckId, why: string): TestCheck => ({ id, status: 'skipped', problem: null, params: {}, message: `Skipped: ${why}` });

export const MESSAGES = {
  clientNotSet: 'The Google client ID and secret are not set: ADM must enter them in the preferences (Authentication).',
  notConnected:
    'The user account information is not reachable: the connection to Google is not set up. Check, as ADM, that the client ID and secret are right, then use Connect in the user\'s synchronisation preferences.',
  accessDenied:
    'Authorization error. 403 access_denied: access was refused on Google\'s consent page. If the app is in Testing status, the user must be on its test users list (Google Cloud console, OAuth consent screen).',
  invalidGrant:
    'Google refused the saved authorization (invalid_grant): it expired or was revoked. Refresh tokens of an app in Testing status expire after 7 days, and Google drops any token unused for 6 months (or when the user revokes access). Use Connect again.',
  invalidClient: 'Google refused the client ID or secret (invalid_client): ADM must check them against the Google Cloud console.',
  calendarApiDisabled: 'No calendar was found on the server: check that the Google Calendar API is enabled for the app\'s Google Cloud project.',
  noCalendarOnAccount: 'No calendar was found on the Google account: check that the Google Calendar API is enabled for the app\'s Google Cloud project.',
  calendarNotSet: 'The calendar name is not set: enter the Google calendar\'s name in the CRM (synchronisation preferences).',
  contactsApiDisabled: 'Google Contacts cannot be read: check that the People API is enabled for the app\'s Google Cloud project.',
  testingStatus: 'The app is in Testing status: Google refresh tokens expire after 7 days, so users must connect again every week. Publish the app (In production) to avoid it.',
} as const;

export function calendarUnknownMessage(name: string, calendars: string[]): string {
  return `The calendar « ${name} » is unknown: check the calendar's name in Google. The account's calendars: ${calendars.length ? calendars.map((c) => `« ${c} »`).join(', ') : 'none'}.`;
}

function dateHeader(res: { headers?: unknown } | undefined): Date | null {
  const h = res?.headers as { get?: (k: string) => string | null } | Record<string, string> | undefined;
  if (!h) return null;
  const v = typeof h.get === 'function' ? h.get('date') : (h as Record<string, string>).date;
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Maps an error from an API call to the check's problem (network and quota are shared). */
function apiFailure(id: TestCheckId, d: DescribedError, disabled: TestProblem, disabledMessage: string): TestCheck {
  if (d.kind === 'apiDisabled') return fail(id, disabled, disabledMessage);
  if (d.kind === 'quota') return fail(id, 'QUOTA_EXCEEDED', d.message);
  if (d.kind === 'network') return fail(id, 'NETWORK', d.message);
  if (d.kind === 'invalidGrant') return fail(id, 'INVALID_GRANT', MESSAGES.invalidGrant);
  return fail(id, 'GOOGLE_ERROR', d.message);
}

export async function runGoogleTest(ctx: AsyncContext, userId: number): Promise<TestReport> {
  const checks: TestCheck[] = [];
  const order: TestCheckId[] = ['client', 'connected', 'token', 'email', 'calendarApi', 'calendar', 'contacts', 'clock'];
  const report = (): TestReport => {
    const done = new Set(checks.map((c) => c.id));
    for (const id of order) if (!done.has(id)) checks.push(skip(id, 'an earlier check failed.'));
    checks.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
    return { userId, ok: checks.every((c) => c.status !== 'fail'), checkedAt: ctx.now().toISOString(), checks };
  };
  const prefs = getSyncPrefs(ctx.db, userId, ctx.now().toISOString());

  // 1. The client (FTC019 §3.1).
  let cfg: GoogleClientConfig;
  try {
    cfg = await clientConfig(ctx.db, ctx.services);
  } catch {
    checks.push(fail('client', 'CLIENT_NOT_SET', MESSAGES.clientNotSet));
    return report();
  }
  checks.push(cfg.publishing === 'testing' ? warn('client', null, MESSAGES.testingStatus, { publishing: 'testing' }) : pass('client', 'The Google client ID and secret are set.'));

  // 2. The connection (FTC019 §3.2).
  const account = getGoogleAccount(ctx.db, userId);
  let refreshToken: string | null = null;
  if (account?.sealedRefreshToken) refreshToken = await ctx.services.secrets.open(account.sealedRefreshToken).catch(() => null);
  if (!account || !refreshToken) {
    const last = lastOutcomeOf(ctx.services, userId);
    checks.push(last?.outcome === 'denied' ? fail('connected', 'ACCESS_DENIED', MESSAGES.accessDenied) : fail('connected', 'NOT_CONNECTED', MESSAGES.notConnected));
    return report();
  }
  checks.push(pass('connected', `Connected to Google as ${account.email}.`, { email: account.email }));

  // 3. The token: a refresh proves the grant is alive ("Refresh token expiration",
  // https://developers.google.com/identity/protocols/oauth2#expiration).
  const auth = oauthClient(cfg);
  auth.setCredentials({ refresh_token: refreshToken });
  try {
    await auth.getAccessToken();
    checks.push(pass('token', 'Google renewed the access token.'));
  } catch (error) {
    const d = describeGoogleError(error);
    if (d.kind === 'invalidGrant') checks.push(fail('token', 'INVALID_GRANT', MESSAGES.invalidGrant));
    else if (d.kind === 'invalidClient') checks.push(fail('token', 'INVALID_CLIENT', MESSAGES.invalidClient));
    else if (d.kind === 'network') checks.push(fail('token', 'NETWORK', d.message));
    else checks.push(fail('token', d.kind === 'quota' ? 'QUOTA_EXCEEDED' : 'GOOGLE_ERROR', d.message));
    return report();
  }
  const apis: GoogleApis = googleApis(cfg, auth, { retry: false });
  let googleDate: Date | null = null;

  // 4. The account is the one entered in the preferences.
  try {
    const info = await auth.request<{ email?: string }>({ url: cfg.endpoints.userinfoUrl, retry: false });
    googleDate = dateHeader(info) ?? googleDate;
    const email = (info.data.email ?? '').toLowerCase();
    if (!prefs.googleEmail || email !== prefs.googleEmail.toLowerCase()) {
      checks.push(
        fail('email', 'EMAIL_MISMATCH', `The connected Google account is ${email || 'unknown'}, but the login e-mail in the preferences is ${prefs.googleEmail || 'empty'}: connect again with the right account.`, {
          accountEmail: email,
          loginEmail: prefs.googleEmail,
        }),
      );
    } else {
      checks.push(pass('email', `The Google account is ${email}.`, { email }));
    }
  } catch (error) {
    const d = describeGoogleError(error);
    checks.push(apiFailure('email', d, 'GOOGLE_ERROR', d.message));
    if (d.kind === 'network' || d.kind === 'invalidGrant') return report();
  }

  // 5–6. Calendar API, then the named calendar (FTC019 §3.5.2).
  let calendars: string[] | null = null;
  try {
    const names: string[] = [];
    let pageToken: string | undefined;
    do {
      const res = await apis.cal.calendarList.list({ maxResults: 250, pageToken });
      googleDate = dateHeader(res) ?? googleDate;
      for (const c of res.data.items ?? []) if (c.summary) names.push(c.summary);
      pageToken = res.data.nextPageToken ?? undefined;
    } while (pageToken);
    if (names.length === 0) checks.push(fail('calendarApi', 'NO_CALENDAR_ON_ACCOUNT', MESSAGES.noCalendarOnAccount));
    else {
      calendars = names;
      checks.push(pass('calendarApi', `Google Calendar answered with ${names.length} calendar(s).`, { calendars: names }));
    }
  } catch (error) {
    checks.push(apiFailure('calendarApi', describeGoogleError(error), 'CALENDAR_API_DISABLED', MESSAGES.calendarApiDisabled));
  }
  if (calendars) {
    const name = prefs.calendarName.trim();
    if (!name) checks.push(fail('calendar', 'CALENDAR_NOT_SET', MESSAGES.calendarNotSet));
    else if (!calendars.includes(name)) checks.push(fail('calendar', 'CALENDAR_UNKNOWN', calendarUnknownMessage(name, calendars), { calendar: name, calendars }));
    else checks.push(pass('calendar', `The calendar « ${name} » exists.`, { calendar: name }));
  } else {
    checks.push(skip('calendar', 'the calendars could not be listed.'));
  }

  // 7. Contacts (People API).
  try {
    const res = await apis.ppl.people.connections.list({ resourceName: 'people/me', pageSize: 1, personFields: 'names' });
    googleDate = dateHeader(res) ?? googleDate;
    checks.push(pass('contacts', 'Google Contacts answered.'));
  } catch (error) {
    checks.push(apiFailure('contacts', describeGoogleError(error), 'CONTACTS_API_DISABLED', MESSAGES.contactsApiDisabled));
  }

  // 8. The local clock against Google's `Date` header.
  if (googleDate) {
    const skewMs = ctx.now().getTime() - googleDate.getTime();
    const minutes = Math.round(Math.abs(skewMs) / 60_000);
    if (Math.abs(skewMs) > MAX_CLOCK_SKEW_MS) {
      checks.push(
        warn('clock', 'CLOCK_SKEW', `This computer's clock is ${minutes} minutes ${skewMs > 0 ? 'ahead of' : 'behind'} Google's: set it right (automatic time), or tokens and sync windows will misbehave.`, { minutes }),
      );
    } else {
      checks.push(pass('clock', 'This computer\'s clock agrees with Google\'s.', { minutes }));
    }
  } else {
    checks.push(skip('clock', 'no answer from Google to compare with.'));
  }
  return report();
}

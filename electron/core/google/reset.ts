/**
 * Reset and Reset calendar (FTC019 §3.5.3): forget the link to the account, or to the calendar.
 * Unlike the seed, what the app created in Google stays findable by the CRM id it carries
 * (./identity.ts), and events pulled from Google by the origin the store keeps for their actions
 * (their pulled links, which a reset turns into rows of google_origins before forgetting them,
 * migration 0006; a reset never forgets google_origins), so a later resync re-links instead of
 * duplicating; the user may also ask to delete the app's items in Google first.
 */
import type { calendar_v3 } from '@googleapis/calendar';
import { CrmError } from '../../../shared/errors';
import type { AsyncContext } from '../context';
import { getSyncPrefs } from '../sync/prefs';
import { CalendarAccess } from '../sync/agenda/google';
import { deleteGoogleAccount, getGoogleAccount } from './accounts';
import { clientConfig, googleApis, oauthClient, type GoogleApis } from './client';
import { describeGoogleError } from './errors';
import { CONTACT_CRM_ID, EVENT_CRM_ID } from './identity';

export interface ResetResult {
  revoked: boolean;
  linksDropped: number;
  deletedInGoogle: number;
}

async function connectedApis(ctx: AsyncContext, userId: number): Promise<{ apis: GoogleApis; refreshToken: string } | null> {
  const account = getGoogleAccount(ctx.db, userId);
  if (!account?.sealedRefreshToken) return null;
  const refreshToken = await ctx.services.secrets.open(account.sealedRefreshToken).catch(() => null);
  if (!refreshToken) return null;
  const cfg = await clientConfig(ctx.db, ctx.services);
  const auth = oauthClient(cfg, undefined, { forceRefresh: true });
  auth.setCredentials({ refresh_token: refreshToken });
  return { apis: googleApis(cfg, auth, { retry: true }), refreshToken };
}


/**
 * Events of the user's named calendar carrying the app's marker. Deleted through the agenda
 * sync's paced, batched access: a reset may delete hundreds of events, which one call each
 * would push past Google's per-user quota.
 */
async function deleteAppEvents(ctx: AsyncContext, userId: number): Promise<number> {
  const name = getSyncPrefs(ctx.db, userId, ctx.now().toISOString()).calendarName.trim();
  if (!name) return 0;
  const access = await CalendarAccess.open(ctx.db, ctx.services, userId);
  let calendarId: string | null = null;
  let pageToken: string | undefined;
  do {
    const page = await access.call(() => access.cal.calendarList.list({ maxResults: 250, pageToken }));
    calendarId ??= page.items?.find((c) => c.summary === name)?.id ?? null;
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
  if (!calendarId) return 0;
  // The extended-property filter needs a value (propertyName=value), so list and filter here.
  // Events booked in Google and pulled into the CRM (their links are marked pulled; google_origins
  // after an earlier reset) were not created by the app, even once an update gave them the marker: they stay.
  const pulled = new Set(
    ctx.db
      .prepare(
        `SELECT google_id FROM google_origins WHERE user_id = ? AND calendar_id = ?
         UNION SELECT google_id FROM sync_links WHERE user_id = ? AND kind = 'event' AND pulled = 1`,
      )
      .pluck(true)
      .all(userId, calendarId, userId) as string[],
  );
  const ids: string[] = [];
  pageToken = undefined;
  do {
    const page: calendar_v3.Schema$Events = await access.call(() => access.cal.events.list({ calendarId: calendarId!, maxResults: 2500, pageToken }));
    for (const e of page.items ?? []) if (e.id && e.extendedProperties?.private?.[EVENT_CRM_ID] !== undefined && !pulled.has(e.id)) ids.push(e.id);
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
  if (ids.length === 0) return 0;
  const path = (eventId: string) => `/calendar/v3/calendars/${encodeURIComponent(calendarId!)}/events/${encodeURIComponent(eventId)}`;
  const answers = await access.batch(ids.map((eventId, i) => ({ id: `del${i}`, method: 'DELETE' as const, path: path(eventId) })));
  let n = 0;
  for (const a of answers.values()) {
    if (a.status === 200 || a.status === 204) n++;
    // Already gone (404/410) is what we wanted; anything else stops the reset, which then changes nothing locally.
    else if (a.status !== 404 && a.status !== 410) throw new CrmError('CONFLICT', `Google refused to delete an event (HTTP ${a.status}); nothing was reset.`);
  }
  access.keepToken();
  return n;
}

/** Contacts carrying the app's clientData marker; batchDeleteContacts takes ≤ 500 (BRIEF §7). */
async function deleteAppContacts(apis: GoogleApis): Promise<number> {
  const names: string[] = [];
  let pageToken: string | undefined;
  do {
    const res = await apis.ppl.people.connections.list({ resourceName: 'people/me', pageSize: 1000, personFields: 'clientData', pageToken });
    for (const p of res.data.connections ?? []) if (p.resourceName && p.clientData?.some((d) => d.key === CONTACT_CRM_ID)) names.push(p.resourceName);
    pageToken = res.data.nextPageToken ?? undefined;
  } while (pageToken);
  for (let i = 0; i < names.length; i += 500) {
    await apis.ppl.people.batchDeleteContacts({ requestBody: { resourceNames: names.slice(i, i + 500) } });
  }
  return names.length;
}

/**
 * The origins of the user's pulled links (migration 0006), kept in google_origins under the
 * calendar they were pulled from before the links are dropped, so a resync re-links those events
 * instead of creating their actions again. Actions deleted since have no origin to keep.
 */
function keepOrigins(ctx: AsyncContext, userId: number): void {
  ctx.db
    .prepare(
      `INSERT INTO google_origins (user_id, calendar_id, google_id, action_id, created_at)
         SELECT l.user_id, c.calendar_id, l.google_id, l.crm_id, ? FROM sync_links l
           JOIN sync_calendars c ON c.user_id = l.user_id
           JOIN actions a ON a.id = l.crm_id
          WHERE l.user_id = ? AND l.kind = 'event' AND l.pulled = 1
       ON CONFLICT (user_id, calendar_id, google_id) DO UPDATE SET action_id = excluded.action_id, created_at = excluded.created_at`,
    )
    .run(ctx.now().toISOString(), userId);
}

export async function resetGoogle(ctx: AsyncContext, userId: number, scope: 'account' | 'calendar', inGoogle: 'keep' | 'delete'): Promise<ResetResult> {
  const connected = await connectedApis(ctx, userId);
  let deletedInGoogle = 0;
  if (inGoogle === 'delete') {
    if (!connected) throw new CrmError('CONFLICT', 'This user is not connected to Google, so nothing can be deleted there: reset and keep what is in Google, or connect first.');
    // Delete in Google first: if it fails, nothing is forgotten here and the user can retry.
    try {
      deletedInGoogle += await deleteAppEvents(ctx, userId);
      if (scope === 'account') deletedInGoogle += await deleteAppContacts(connected.apis);
    } catch (error) {
      throw new CrmError('CONFLICT', `Deleting in Google failed, nothing was reset: ${describeGoogleError(error).message}`);
    }
  }
  let revoked = false;
  if (scope === 'account' && connected) {
    // "Revoking a token" (OAuth 2.0 for Mobile & Desktop Apps): the grant dies at Google too.
    try {
      await connected.apis.auth.revokeToken(connected.refreshToken);
      revoked = true;
    } catch (error) {
      // Already dead or unreachable: forgetting it here is still what the user asked.
      ctx.services.logger.log('warn', 'google token revocation failed', { userId, problem: describeGoogleError(error).kind });
    }
  }
  const linksDropped = ctx.db.transaction(() => {
    keepOrigins(ctx, userId);
    if (scope === 'account') {
      const n = ctx.db.prepare('DELETE FROM sync_links WHERE user_id = ?').run(userId).changes;
      ctx.db.prepare('DELETE FROM sync_tokens WHERE user_id = ?').run(userId);
      ctx.db.prepare('DELETE FROM pending_deletions WHERE user_id = ?').run(userId);
      ctx.db.prepare('DELETE FROM sync_calendars WHERE user_id = ?').run(userId);
      deleteGoogleAccount(ctx.db, userId);
      return n;
    }
    const n = ctx.db.prepare("DELETE FROM sync_links WHERE user_id = ? AND kind = 'event'").run(userId).changes;
    ctx.db.prepare("DELETE FROM sync_tokens WHERE user_id = ? AND kind = 'calendar'").run(userId);
    ctx.db.prepare('DELETE FROM pending_deletions WHERE user_id = ?').run(userId);
    ctx.db.prepare('DELETE FROM sync_calendars WHERE user_id = ?').run(userId);
    return n;
  })();
  ctx.services.logger.log('info', 'google reset', { userId, scope, inGoogle, revoked, linksDropped, deletedInGoogle });
  return { revoked, linksDropped, deletedInGoogle };
}

/**
 * Test support: every event of a calendar as Google holds it (cancelled ones included, as the
 * listing returns them), read page by page with the official client. Used by the sync tests, the
 * Playwright specs and the benches to check Google's side after a run.
 */
import type { calendar_v3 } from '@googleapis/calendar';

export async function listAllEvents(cal: calendar_v3.Calendar, calendarId: string): Promise<calendar_v3.Schema$Event[]> {
  const out: calendar_v3.Schema$Event[] = [];
  let pageToken: string | undefined;
  do {
    const r = await cal.events.list({ calendarId, maxResults: 2500, pageToken });
    out.push(...(r.data.items ?? []));
    pageToken = r.data.nextPageToken ?? undefined;
  } while (pageToken);
  return out;
}

/**
 * 0004 — agenda sync efficiency (issue 5).
 *
 * - `google_origins`: the Google event an action was created from (an event booked on the phone
 *   and pulled into the CRM). Until now every pulled event was PATCHed at once to carry the
 *   `crmActionId` private property, so that a Reset then a resync would re-link it instead of
 *   duplicating it: a 10,000-event pull cost 10,000 quota-paced writes (~17 minutes at Google's
 *   600/min). The store remembers the origin instead and the marker goes on lazily, with the next
 *   real update of the event. Reset and Reset calendar (google/reset.ts) forget links and tokens
 *   but NOT this table: a resync re-links by it. Keyed by calendar, so a reset onto another
 *   calendar never re-links to an event of the old one; gone with its action (cascade).
 * - `sync_calendars.window_from_ms / window_to_ms`: the sync window (epoch ms, [from, to)) of the
 *   last run that finished cleanly with a sync token. An incremental run with nothing to pull and
 *   nothing in the outbox then only looks for never-pushed actions in the part of today's window
 *   that was not in that one (days passing move it), through the actions' range index, instead of
 *   loading every in-window action and link. NULL: unknown, the run checks the whole window.
 */
export default {
  id: 4,
  name: 'google_origins',
  sql: /* sql */ `
CREATE TABLE google_origins (
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  calendar_id  TEXT NOT NULL,
  google_id    TEXT NOT NULL,
  action_id    INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
  created_at   TEXT NOT NULL,
  PRIMARY KEY (user_id, calendar_id, google_id)
) WITHOUT ROWID, STRICT;
CREATE INDEX google_origins_action ON google_origins(action_id);

ALTER TABLE sync_calendars ADD COLUMN window_from_ms INTEGER;
ALTER TABLE sync_calendars ADD COLUMN window_to_ms INTEGER;
`,
};

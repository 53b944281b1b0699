/**
 * 0002 — the calendar a user's agenda sync resolved from its name, so an incremental sync with
 * nothing to do costs one request (the events list), not a calendarList lookup every time.
 */
export default {
  id: 2,
  name: 'sync_calendars',
  sql: /* sql */ `
CREATE TABLE sync_calendars (
  user_id        INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  calendar_name  TEXT NOT NULL,
  calendar_id    TEXT NOT NULL,
  updated_at     TEXT NOT NULL
) STRICT;
`,
};

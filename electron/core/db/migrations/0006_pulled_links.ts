/**
 * 0006 — the origin of a pulled event rides on its link (issue 5).
 *
 * - `sync_links.pulled`: 1 when the CRM action was created from this Google event (booked on the
 *   phone, pulled into the CRM). Until now each pulled event wrote a row of `google_origins` next to
 *   its link: a second statement per event, ~4 µs of the ~25 µs a listing page's event costs the
 *   sync, where nothing overlaps the last page (bench/agenda.ts). Now the flag goes with the link's
 *   own INSERT, and the origin reaches `google_origins` only when something forgets the link while
 *   the action stays: Reset and Reset calendar (google/reset.ts) copy the pulled links there before
 *   dropping them, so a resync still re-links instead of duplicating. `google_origins` keeps what
 *   it holds: the origins written before this migration stay valid as they are (their links keep
 *   `pulled` = 0 and are found through the table, as before), so nothing needs moving.
 */
export default {
  id: 6,
  name: 'pulled_links',
  sql: /* sql */ `
ALTER TABLE sync_links ADD COLUMN pulled INTEGER NOT NULL DEFAULT 0 CHECK (pulled IN (0, 1));
`,
};

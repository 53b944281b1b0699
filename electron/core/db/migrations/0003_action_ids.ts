/**
 * 0003 — action ids are never reused. SQLite gives a new row max(id) + 1, so deleting the newest
 * action and creating another handed out the same id again; the agenda sync names Google events
 * after the action id (the `crmActionId` private property and the client-supplied event id), so
 * the new action was taken for the old one: merged with the old event, or marked on two events
 * (found by tests/sync/fault-injection.test.ts). The highest id ever deleted is remembered here
 * and insertAction (actions/store.ts) numbers above it — AUTOINCREMENT without rebuilding the table.
 */
export default {
  id: 3,
  name: 'action_ids',
  sql: /* sql */ `
CREATE TABLE id_watermarks (
  name     TEXT PRIMARY KEY,
  last_id  INTEGER NOT NULL
) STRICT;

CREATE TRIGGER actions_deleted_id_watermark AFTER DELETE ON actions BEGIN
  INSERT OR REPLACE INTO id_watermarks (name, last_id)
  VALUES ('actions', max(OLD.id, coalesce((SELECT last_id FROM id_watermarks WHERE name = 'actions'), 0)));
END;
`,
};

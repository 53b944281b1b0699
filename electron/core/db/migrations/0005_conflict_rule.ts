/**
 * 0005 — what the user controls of the agenda sync, and what the agenda shows of it (issue 5).
 *
 * - `sync_prefs.conflict_rule`: how a field changed on both sides since the last sync is decided
 *   (Préférences → agenda): 'newest' (the side edited last wins — the behaviour until now, so the
 *   default), 'crm' or 'google'.
 * - `sync_link_versions`: a per-user counter bumped by triggers whenever one of the user's event
 *   links appears or disappears. The agenda query shows a sync badge on every block, and looking
 *   each block's link up in SQL cost about 1 ms per 20-user week (bench/store.ts); with the counter
 *   the store keeps each user's linked action ids in memory and re-reads them only when the
 *   counter moved — whoever wrote the file (this process, the CLI, another window), since the
 *   triggers run in the writer's transaction. Link updates (etag, snapshot) do not change the
 *   set, so they do not bump it.
 * - `outbox_action_owner`: the agenda's "waiting to be pushed" badges read the outbox rows of the
 *   owners shown (measured: 270 µs → 140 µs for 1,000 rows); the automatic sync's "anything to
 *   push for this user?" uses it too. Rows of users who never connect pile up and are never read.
 */
export default {
  id: 5,
  name: 'conflict_rule',
  sql: /* sql */ `
ALTER TABLE sync_prefs ADD COLUMN conflict_rule TEXT NOT NULL DEFAULT 'newest' CHECK (conflict_rule IN ('newest', 'crm', 'google'));

CREATE INDEX outbox_action_owner ON outbox(owner_id, entity_id) WHERE entity = 'action';

CREATE TABLE sync_link_versions (
  user_id  INTEGER PRIMARY KEY,
  version  INTEGER NOT NULL
) STRICT;

CREATE TRIGGER sync_links_version_insert AFTER INSERT ON sync_links WHEN new.kind = 'event' BEGIN
  INSERT OR IGNORE INTO sync_link_versions (user_id, version) VALUES (new.user_id, 0);
  UPDATE sync_link_versions SET version = version + 1 WHERE user_id = new.user_id;
END;
CREATE TRIGGER sync_links_version_delete AFTER DELETE ON sync_links WHEN old.kind = 'event' BEGIN
  INSERT OR IGNORE INTO sync_link_versions (user_id, version) VALUES (old.user_id, 0);
  UPDATE sync_link_versions SET version = version + 1 WHERE user_id = old.user_id;
END;
CREATE TRIGGER sync_links_version_update AFTER UPDATE OF user_id, kind, crm_id ON sync_links BEGIN
  INSERT OR IGNORE INTO sync_link_versions (user_id, version) VALUES (old.user_id, 0), (new.user_id, 0);
  UPDATE sync_link_versions SET version = version + 1 WHERE user_id IN (old.user_id, new.user_id);
END;
`,
};

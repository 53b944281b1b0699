/**
 * The sync badge of each block in the agenda (issue 5): where an action stands with its owner's
 * Google calendar, computed inside the agenda query (actions/store.ts listActionCards), which is
 * the app's hot path — 20 agendas × a week ≈ 2,000 rows in under 5 ms at p95 (bench/store.ts).
 *
 * Per action, first match wins (shared/contract/actions.ts ActionSyncState):
 *   deletion — a deletion made in Google waits for the owner's answer (pending_deletions);
 *   error    — the owner's last finished run reported an error on this action (sync_log);
 *   pending  — a CRM change waits in the outbox to be pushed;
 *   synced   — linked to its event (sync_links);
 *   nothing  — never synced, or outside the owner's sync window, or the owner is not connected.
 *
 * Measured on the bench's 100,000 actions with every agenda synced: looking each row's link up
 * in SQL (a correlated EXISTS or a LEFT JOIN on sync_links' unique index) added ~1 ms to a week,
 * the three lookups ~2 ms — most of the 5 ms budget. So the links, the one big table, are held in
 * memory per owner (a Set of action ids, ~10 bytes an id), re-read only when the owner's counter in
 * `sync_link_versions` moved (bumped by triggers on sync_links, migration 0005, whoever writes the
 * file). The other three sources are small by nature — the outbox drains at every push, pending
 * deletions and a run's errors are a handful — and are read per query.
 */
import type Database from 'better-sqlite3';
import type { ActionSyncState } from '../../../../shared/contract';
import type { Db } from '../../db/database';

/** A connected owner's sync window, [fromMs, toMs) (see engine.ts syncWindow). */
export interface SyncWindow {
  fromMs: number;
  toMs: number;
}

/** The owners of an agenda query whose agenda is synced (connected to Google), with their windows. */
export type SyncWindows = ReadonlyMap<number, SyncWindow>;

/** Answers a row's badge; null when there is nothing to show. */
export type SyncStateOf = (id: number, ownerId: number, startMs: number, endMs: number) => ActionSyncState | null;

interface Statements {
  versions: Database.Statement;
  links: Database.Statement;
  pending: Database.Statement;
  outbox: Database.Statement;
  errors: Database.Statement;
}

interface LinkCache {
  statements: Statements;
  /** Per owner: the counter value the set was read at, and the linked action ids. */
  owners: Map<number, { version: number; ids: Set<number> }>;
}

const caches = new WeakMap<Db, LinkCache>();

function cacheOf(db: Db): LinkCache {
  let cache = caches.get(db);
  if (cache) return cache;
  // Owner lists are bound as one JSON array, so each statement is prepared once whatever the count.
  const OWNERS = '(SELECT value FROM json_each(?))';
  cache = {
    statements: {
      versions: db.prepare(`SELECT user_id, version FROM sync_link_versions WHERE user_id IN ${OWNERS}`).raw(true),
      links: db.prepare("SELECT crm_id FROM sync_links WHERE user_id = ? AND kind = 'event'").pluck(true),
      // One JSON array per query rather than a row per id: half the time for a thousand rows.
      pending: db.prepare(`SELECT json_group_array(action_id) FROM pending_deletions WHERE user_id IN ${OWNERS}`).pluck(true),
      outbox: db.prepare(`SELECT json_group_array(entity_id) FROM outbox WHERE entity = 'action' AND owner_id IN ${OWNERS}`).pluck(true),
      // The owner's last finished agenda run (dry runs are never recorded), only if it counted
      // errors: per-action errors carry the action id (crm_id); a run that failed as a whole does not.
      errors: db
        .prepare(
          `SELECT l.crm_id FROM json_each(?) o
             JOIN sync_runs r ON r.id = (SELECT id FROM sync_runs WHERE user_id = o.value AND scope = 'agenda' AND status <> 'running' ORDER BY started_at DESC, id DESC LIMIT 1)
             JOIN sync_log l ON l.run_id = r.id
           WHERE json_extract(r.summary, '$.errors') > 0 AND l.level = 'error' AND l.crm_id IS NOT NULL`,
        )
        .pluck(true),
    },
    owners: new Map(),
  };
  caches.set(db, cache);
  return cache;
}

const NONE: ReadonlySet<number> = new Set();

function idsOfJson(array: unknown): number[] {
  return typeof array === 'string' && array !== '[]' ? (JSON.parse(array) as number[]) : [];
}

/** Reads what the badges of these owners' rows need, once per agenda query. */
export function syncStateReader(db: Db, windows: SyncWindows): SyncStateOf {
  const cache = cacheOf(db);
  const { statements: st } = cache;
  const ownerList = JSON.stringify([...windows.keys()]);
  const versions = new Map((st.versions.all(ownerList) as [number, number][]).map(([u, v]) => [u, v]));
  const owners = new Map<number, { fromMs: number; toMs: number; links: ReadonlySet<number> }>();
  for (const [ownerId, win] of windows) {
    const version = versions.get(ownerId) ?? 0;
    let entry = cache.owners.get(ownerId);
    if (!entry || entry.version !== version) {
      entry = { version, ids: new Set(st.links.all(ownerId) as number[]) };
      cache.owners.set(ownerId, entry);
    }
    owners.set(ownerId, { fromMs: win.fromMs, toMs: win.toMs, links: entry.ids.size > 0 ? entry.ids : NONE });
  }
  // The few actions with more to say than "synced", by precedence (a later write wins).
  const special = new Map<number, ActionSyncState>();
  for (const id of idsOfJson(st.outbox.get(ownerList))) special.set(id, 'pending');
  for (const id of st.errors.all(ownerList) as number[]) special.set(id, 'error');
  for (const id of idsOfJson(st.pending.get(ownerList))) special.set(id, 'deletion');

  // Hot: called for each of the ~2,000 rows of a 20-agenda week — two map lookups and a set lookup.
  return (id, ownerId, startMs, endMs) => {
    const o = owners.get(ownerId);
    if (!o || endMs <= o.fromMs || startMs >= o.toMs) return null;
    return special.get(id) ?? (o.links.has(id) ? 'synced' : null);
  };
}

/**
 * The contacts sync's state in the CRM file: each user's list (contact_sync_list), the links to
 * Google (sync_links, kind 'contact') with the snapshot of the last sync — the merge base — and
 * the queries behind the list channels. No schema of its own: the link's snapshot carries flags.
 */
import { z } from 'zod';
import { CrmError } from '../../../../shared/errors';
import { MAX_CONTACT_SYNC_LIST, type ContactCandidate, type ContactSyncItem, type SessionUser } from '../../../../shared/contract';
import { ftsQuery, SUMMARY_COLUMNS, SummaryRow, toSummary } from '../../contacts/store';
import type { Db } from '../../db/database';
import { visibleContactsSql } from '../../users/access';
import { getUser, rightsOn, toSessionUser } from '../../users/store';
import { noExtras, ownedOfCrm, sameOwned, type ContactRow, type Extras, type Owned } from './mapping';
import { storedLogText } from '../logText';

/** What a link remembers of the last sync. */
export interface Snapshot {
  /** The CRM → Google fields as sent (null: never written, e.g. only relinked so far). */
  f: Owned | null;
  /** The same fields as Google showed them right after (Google may normalise). */
  g: Owned | null;
  /** The comment in the CRM and the biography in Google after the sync: the merge base. */
  c: string;
  gc: string;
  /** sha256 of the CRM photo Google holds (null: none sent). */
  p: string | null;
  /** The user's own entries in Google beside ours (mapping.ts). */
  x: Extras;
  /** Read the person again at the next run: a change seen in Google could not be merged. */
  r?: 1;
  /** Taken off the list (kept in Google): if it comes back, read the person first. */
  d?: 1;
  /** A creation was sent and its answer not recorded yet (crash, lost answer). */
  n?: 1;
}

export interface Link {
  contactId: number;
  googleId: string;
  etag: string | null;
  snap: Snapshot;
  syncedAt: string;
}

export const PLACEHOLDER = 'creating:';

const SnapshotJson = z
  .object({
    f: z.any().optional(),
    g: z.any().optional(),
    c: z.string().optional(),
    gc: z.string().optional(),
    p: z.string().nullable().optional(),
    x: z.any().optional(),
    r: z.literal(1).optional(),
    d: z.literal(1).optional(),
    n: z.literal(1).optional(),
  })
  .passthrough();

function parseSnap(text: string): Snapshot {
  let raw: unknown = {};
  try {
    raw = JSON.parse(text);
  } catch {
    raw = {};
  }
  const s = SnapshotJson.safeParse(raw);
  const v = s.success ? s.data : {};
  return { f: (v.f as Owned | undefined) ?? null, g: (v.g as Owned | undefined) ?? null, c: v.c ?? '', gc: v.gc ?? '', p: v.p ?? null, x: (v.x as Extras | undefined) ?? noExtras(), ...(v.r ? { r: 1 } : {}), ...(v.d ? { d: 1 } : {}), ...(v.n ? { n: 1 } : {}) };
}

// ------------------------------------------------------------------------------ rights

/** Whose list is acted on: one's own, a colleague's one holds Agenda on (FTC019 §3.6), anyone's for ADM. */
export function contactsTarget(db: Db, viewer: SessionUser, userId: number | undefined): number {
  const id = userId ?? viewer.id;
  if (id !== viewer.id && !viewer.isAdmin && !rightsOn(db, viewer.id, id).agenda) {
    throw new CrmError('FORBIDDEN', `You have no right to synchronise the contacts of user ${id}.`);
  }
  getUser(db, id);
  return id;
}

function targetUser(db: Db, id: number): SessionUser {
  return toSessionUser(getUser(db, id));
}

/**
 * Contacts both the list's owner and the caller may see (the same rules as the contact list,
 * users/access.ts). Binds @viewerId (the caller) and @ownerId (the list's owner).
 */
function visibleToBoth(viewer: SessionUser, owner: SessionUser): string {
  // visibleContactsSql names its parameter @viewerId; the owner's copy gets its own name.
  const forOwner = visibleContactsSql(owner, 'c', 'co').replaceAll('@viewerId', '@ownerId');
  return viewer.id === owner.id ? forOwner : `${forOwner} AND ${visibleContactsSql(viewer, 'c', 'co')}`;
}

// ------------------------------------------------------------------------------ the engine's reads

const ENGINE_COLUMNS = `c.id, c.created_at, c.updated_at, c.first_name, c.last_name, c.job_title, c.email, c.phone, c.mobile,
  c.address_line1, c.address_line2, c.address_line3, c.postal_code, c.city, c.country, c.comment, co.name AS company_name, c.photo_sha256`;

export type ListRow = ContactRow & { visible: 0 | 1 };

/** Every contact on the list, with whether its owner may still see it. */
export function listRows(db: Db, userId: number): ListRow[] {
  const owner = targetUser(db, userId);
  return db
    .prepare(
      `SELECT ${ENGINE_COLUMNS}, (${visibleContactsSql(owner, 'c', 'co')}) AS visible
       FROM contact_sync_list l JOIN contacts c ON c.id = l.contact_id LEFT JOIN companies co ON co.id = c.company_id
       WHERE l.user_id = @list ORDER BY c.id`,
    )
    .all({ list: userId, viewerId: userId }) as ListRow[];
}

export function contactRow(db: Db, id: number): ContactRow | null {
  return (db.prepare(`SELECT ${ENGINE_COLUMNS} FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE c.id = ?`).get(id) as ContactRow | undefined) ?? null;
}

export function photoBytes(db: Db, id: number): Buffer | null {
  return (db.prepare('SELECT photo FROM contacts WHERE id = ?').get(id) as { photo: Buffer | null } | undefined)?.photo ?? null;
}

export function readLinks(db: Db, userId: number): Link[] {
  const rows = db.prepare("SELECT crm_id, google_id, etag, snapshot, synced_at FROM sync_links WHERE user_id = ? AND kind = 'contact'").all(userId) as {
    crm_id: number;
    google_id: string;
    etag: string | null;
    snapshot: string;
    synced_at: string;
  }[];
  return rows.map((r) => ({ contactId: r.crm_id, googleId: r.google_id, etag: r.etag, snap: parseSnap(r.snapshot), syncedAt: r.synced_at }));
}

export function putLink(db: Db, userId: number, contactId: number, googleId: string, etag: string | null, snap: Snapshot, at: string): void {
  db.prepare(
    `INSERT INTO sync_links (user_id, kind, crm_id, google_id, etag, snapshot, synced_at) VALUES (?, 'contact', ?, ?, ?, ?, ?)
     ON CONFLICT (user_id, kind, crm_id) DO UPDATE SET google_id = excluded.google_id, etag = excluded.etag, snapshot = excluded.snapshot, synced_at = excluded.synced_at`,
  ).run(userId, contactId, googleId, etag, JSON.stringify(snap), at);
}

export function dropLink(db: Db, userId: number, contactId: number): void {
  db.prepare("DELETE FROM sync_links WHERE user_id = ? AND kind = 'contact' AND crm_id = ?").run(userId, contactId);
}

export function flagLink(db: Db, userId: number, contactId: number, flag: 'r' | 'd'): void {
  db.prepare(`UPDATE sync_links SET snapshot = json_set(snapshot, '$.${flag}', 1) WHERE user_id = ? AND kind = 'contact' AND crm_id = ?`).run(userId, contactId);
}

export function lastSyncAt(db: Db, userId: number): string | null {
  return (db.prepare('SELECT contacts_last_sync_at AS at FROM sync_prefs WHERE user_id = ?').get(userId) as { at: string | null } | undefined)?.at ?? null;
}

export function listCount(db: Db, userId: number): number {
  return (db.prepare('SELECT count(*) AS n FROM contact_sync_list WHERE user_id = ?').get(userId) as { n: number }).n;
}

// ------------------------------------------------------------------------------ the list channels

const ItemRow = SummaryRow.extend({ added_at: z.string() });
const CandidateRow = SummaryRow.extend({ on_list: z.union([z.literal(0), z.literal(1)]) });


/** The list, a page at a time, by name, with each contact's sync state. */
export function listItems(db: Db, userId: number, query: string, offset: number, limit: number): { total: number; items: ContactSyncItem[] } {
  const fts = ftsQuery(query);
  const where = `l.user_id = @userId${fts ? ' AND c.id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH @fts)' : ''}`;
  const params = { userId, fts, limit, offset };
  const from = `FROM contact_sync_list l JOIN contacts c ON c.id = l.contact_id LEFT JOIN companies co ON co.id = c.company_id WHERE ${where}`;
  const bind = fts ? params : { userId, limit, offset };
  const total = (db.prepare(`SELECT count(*) AS n ${from}`).get(fts ? { userId, fts } : { userId }) as { n: number }).n;
  const rows = z
    .array(ItemRow)
    .parse(db.prepare(`SELECT ${SUMMARY_COLUMNS}, l.added_at ${from} ORDER BY c.last_name COLLATE NOCASE, c.first_name COLLATE NOCASE, c.id LIMIT @limit OFFSET @offset`).all(bind));
  if (rows.length === 0) return { total, items: [] };
  const ids = JSON.stringify(rows.map((r) => r.id));
  const links = new Map(
    (
      db
        .prepare(`SELECT crm_id, google_id, snapshot, synced_at FROM sync_links WHERE user_id = ? AND kind = 'contact' AND crm_id IN (SELECT value FROM json_each(?))`)
        .all(userId, ids) as { crm_id: number; google_id: string; snapshot: string; synced_at: string }[]
    ).map((l) => [l.crm_id, l]),
  );
  const full = new Map((db.prepare(`SELECT ${ENGINE_COLUMNS} FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE c.id IN (SELECT value FROM json_each(?))`).all(ids) as ContactRow[]).map((r) => [r.id, r]));
  // A contact's error is the one the last finished run of this list wrote for it.
  const lastRun = db.prepare("SELECT id FROM sync_runs WHERE user_id = ? AND scope = 'contacts' AND status <> 'running' ORDER BY id DESC LIMIT 1").get(userId) as { id: number } | undefined;
  const errors = new Map<number, { message: string; code: string | null; params: string | null }>();
  if (lastRun) {
    for (const e of db
      .prepare(`SELECT crm_id, message, code, params FROM sync_log WHERE run_id = ? AND level = 'error' AND entity = 'contact' AND crm_id IN (SELECT value FROM json_each(?)) ORDER BY id`)
      .all(lastRun.id, ids) as { crm_id: number; message: string; code: string | null; params: string | null }[]) {
      if (!errors.has(e.crm_id)) errors.set(e.crm_id, e);
    }
  }
  const items = rows.map((r): ContactSyncItem => {
    const link = links.get(r.id);
    const snap = link ? parseSnap(link.snapshot) : null;
    const row = full.get(r.id)!;
    const synced =
      link !== undefined && snap !== null && !link.google_id.startsWith(PLACEHOLDER) && !snap.d && !snap.r && snap.f !== null && sameOwned(snap.f, ownedOfCrm(row)) && snap.c === row.comment && snap.p === row.photo_sha256;
    const error = errors.get(r.id);
    // The line's stored code and params; a row written before migration 0007 is recognised.
    const text = error ? storedLogText(error.code, error.params, error.message) : null;
    return {
      ...toSummary(r),
      addedAt: r.added_at,
      state: text !== null ? 'error' : synced ? 'synced' : 'pending',
      message: text?.message ?? null,
      ...(text ? { code: text.code, params: text.params } : {}),
      syncedAt: link && !link.google_id.startsWith(PLACEHOLDER) ? link.synced_at : null,
    };
  });
  return { total, items };
}

/** The ids `listItems` pages through for this query (Ctrl+A): no order, no sync state, no page. */
export function listItemIds(db: Db, userId: number, query: string): number[] {
  const fts = ftsQuery(query);
  const sql = `SELECT l.contact_id AS id FROM contact_sync_list l WHERE l.user_id = @userId${fts ? ' AND l.contact_id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH @fts)' : ''}`;
  return (db.prepare(sql).pluck().all(fts ? { userId, fts } : { userId }) as number[]);
}

/** The ids of the picker's rows that may still be added for this query (visible to both, not on the list). */
export function candidateIds(db: Db, viewer: SessionUser, userId: number, query: string): number[] {
  const owner = targetUser(db, userId);
  const fts = ftsQuery(query);
  const sql = `SELECT c.id FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE ${visibleToBoth(viewer, owner)}${fts ? ' AND c.id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH @fts)' : ''}
     AND NOT EXISTS (SELECT 1 FROM contact_sync_list l WHERE l.user_id = @ownerId AND l.contact_id = c.id)`;
  return db.prepare(sql).pluck().all({ viewerId: viewer.id, ownerId: owner.id, ...(fts ? { fts } : {}) }) as number[];
}

/** The "Add" picker: contacts the owner and the caller may see, by name, with whether each is on the list already. */
export function candidates(db: Db, viewer: SessionUser, userId: number, query: string, offset: number, limit: number): { total: number; items: ContactCandidate[] } {
  const owner = targetUser(db, userId);
  const visible = visibleToBoth(viewer, owner);
  const fts = ftsQuery(query);
  const from = `FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE ${visible}${fts ? ' AND c.id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH @fts)' : ''}`;
  const base: Record<string, unknown> = { viewerId: viewer.id, ownerId: owner.id, ...(fts ? { fts } : {}) };
  const total = (db.prepare(`SELECT count(*) AS n ${from}`).get(base) as { n: number }).n;
  const rows = z.array(CandidateRow).parse(
    db
      .prepare(
        `SELECT ${SUMMARY_COLUMNS}, EXISTS (SELECT 1 FROM contact_sync_list l WHERE l.user_id = @ownerId AND l.contact_id = c.id) AS on_list ${from}
       ORDER BY c.last_name COLLATE NOCASE, c.first_name COLLATE NOCASE, c.id LIMIT @limit OFFSET @offset`,
      )
      .all({ ...base, limit, offset }),
  );
  return { total, items: rows.map((r) => ({ ...toSummary(r), onList: r.on_list === 1 })) };
}

function namedIds(ids: number[]): string {
  const shown = ids.slice(0, 10).join(', ');
  return ids.length > 10 ? `${shown} and ${ids.length - 10} more` : shown;
}

/** Puts visible contacts on the list; refuses the whole call, naming them, if one may not be. */
export function addToList(db: Db, viewer: SessionUser, userId: number, contactIds: number[], at: string): { added: number; alreadyOnList: number; count: number } {
  const owner = targetUser(db, userId);
  const ids = [...new Set(contactIds)];
  const json = JSON.stringify(ids);
  const seen = new Set(
    (
      db
        .prepare(`SELECT c.id FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE c.id IN (SELECT value FROM json_each(@json)) AND ${visibleToBoth(viewer, owner)}`)
        .all({ json, viewerId: viewer.id, ownerId: owner.id }) as { id: number }[]
    ).map((r) => r.id),
  );
  const refused = ids.filter((id) => !seen.has(id));
  if (refused.length > 0) {
    const who = viewer.id === owner.id ? 'you may not see' : `${owner.login} (or you) may not see`;
    throw new CrmError('BAD_INPUT', `contactIds: ${refused.length === 1 ? 'contact' : 'contacts'} ${namedIds(refused)} cannot be added: they do not exist or ${who} them. Nothing was added.`, 'contactIds');
  }
  const already = (db.prepare('SELECT count(*) AS n FROM contact_sync_list WHERE user_id = ? AND contact_id IN (SELECT value FROM json_each(?))').get(userId, json) as { n: number }).n;
  const count = listCount(db, userId);
  const after = count + ids.length - already;
  if (after > MAX_CONTACT_SYNC_LIST) {
    throw new CrmError(
      'BAD_INPUT',
      `contactIds: the sync list of ${owner.login} would hold ${after.toLocaleString('en')} contacts; Google keeps at most ${MAX_CONTACT_SYNC_LIST.toLocaleString('en')} per account (it holds ${count.toLocaleString('en')}). Nothing was added.`,
      'contactIds',
    );
  }
  const insert = db.prepare('INSERT INTO contact_sync_list (user_id, contact_id, added_at) VALUES (?, ?, ?) ON CONFLICT (user_id, contact_id) DO NOTHING');
  let added = 0;
  for (const id of ids) added += insert.run(userId, id, at).changes;
  return { added, alreadyOnList: already, count: count + added };
}

/** The ids of these contacts that are on the list; the rest are named in a BAD_INPUT. */
export function assertOnList(db: Db, userId: number, contactIds: number[]): number[] {
  const ids = [...new Set(contactIds)];
  const on = new Set(
    (db.prepare('SELECT contact_id AS id FROM contact_sync_list WHERE user_id = ? AND contact_id IN (SELECT value FROM json_each(?))').all(userId, JSON.stringify(ids)) as { id: number }[]).map((r) => r.id),
  );
  const missing = ids.filter((id) => !on.has(id));
  if (missing.length > 0) {
    const login = getUser(db, userId).login;
    throw new CrmError('BAD_INPUT', `contactIds: ${missing.length === 1 ? 'contact' : 'contacts'} ${namedIds(missing)} ${missing.length === 1 ? 'is' : 'are'} not on the sync list of ${login}. Nothing was removed.`, 'contactIds');
  }
  return ids;
}

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CrmError } from '../../../shared/errors';
import { MAX_PHOTO_BYTES, type Company, type Contact, type ContactPatch, type ContactPhoto, type ContactSummary, type SessionUser } from '../../../shared/contract';
import type { Db } from '../db/database';
import { appendOutbox } from '../sync/outbox';
import { visibleContactsSql } from '../users/access';

const ContactRow = z.object({
  id: z.number().int(),
  company_id: z.number().int().nullable(),
  company_name: z.string().nullable(),
  civility: z.enum(['', 'M.', 'Mme']),
  last_name: z.string(),
  first_name: z.string(),
  job_title: z.string(),
  email: z.string(),
  phone: z.string(),
  mobile: z.string(),
  address_line1: z.string(),
  address_line2: z.string(),
  address_line3: z.string(),
  postal_code: z.string(),
  city: z.string(),
  country: z.string(),
  comment: z.string(),
  has_photo: z.union([z.literal(0), z.literal(1)]),
  updated_at: z.string(),
});
type ContactRow = z.infer<typeof ContactRow>;

/** A contact as lists show it (SUMMARY_COLUMNS), parsed at the edge. */
export const SummaryRow = ContactRow.pick({
  id: true,
  company_id: true,
  company_name: true,
  civility: true,
  last_name: true,
  first_name: true,
  job_title: true,
  email: true,
  phone: true,
  mobile: true,
  city: true,
});

const CONTACT_COLUMNS = `c.id, c.company_id, co.name AS company_name, c.civility, c.last_name, c.first_name, c.job_title, c.email,
  c.phone, c.mobile, c.address_line1, c.address_line2, c.address_line3, c.postal_code, c.city, c.country, c.comment,
  (c.photo IS NOT NULL) AS has_photo, c.updated_at`;
export const SUMMARY_COLUMNS = `c.id, c.company_id, co.name AS company_name, c.civility, c.last_name, c.first_name, c.job_title, c.email,
  c.phone, c.mobile, c.city`;

type SummaryRow = z.infer<typeof SummaryRow>;

/** The fields a contact and its list summary share, read from either row the same way. */
function common(row: SummaryRow): Omit<ContactSummary, 'city'> {
  return {
    id: row.id,
    companyId: row.company_id,
    companyName: row.company_name ?? '',
    civility: row.civility,
    lastName: row.last_name,
    firstName: row.first_name,
    jobTitle: row.job_title,
    email: row.email,
    phone: row.phone,
    mobile: row.mobile,
  };
}

function toContact(row: ContactRow): Contact {
  return {
    ...common(row),
    address: {
      line1: row.address_line1,
      line2: row.address_line2,
      line3: row.address_line3,
      postalCode: row.postal_code,
      city: row.city,
      country: row.country,
    },
    comment: row.comment,
    hasPhoto: row.has_photo === 1,
    updatedAt: row.updated_at,
  };
}

export function toSummary(row: SummaryRow): ContactSummary {
  return { ...common(row), city: row.city };
}

/** Turns what a user typed into an FTS5 query: every word must match as a prefix. */
export function ftsQuery(text: string): string | null {
  const words = text
    .normalize('NFC')
    .split(/[^\p{L}\p{N}@._-]+/u)
    .map((w) => w.replace(/["]/g, ''))
    .filter((w) => w.length > 0)
    .slice(0, 8);
  if (words.length === 0) return null;
  return words.map((w) => `"${w}"*`).join(' ');
}

export function searchContacts(db: Db, viewer: SessionUser, query: string, limit: number, offset: number) {
  const visible = visibleContactsSql(viewer, 'c', 'co');
  const fts = ftsQuery(query);
  const params = { viewerId: viewer.id, fts, limit, offset };
  const from = fts
    ? `FROM contacts_fts f JOIN contacts c ON c.id = f.rowid LEFT JOIN companies co ON co.id = c.company_id WHERE contacts_fts MATCH @fts AND ${visible}`
    : `FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE ${visible}`;
  const total = z.object({ n: z.number().int() }).parse(db.prepare(`SELECT count(*) AS n ${from}`).get(fts ? params : { viewerId: viewer.id })).n;
  const rows = db
    .prepare(`SELECT ${SUMMARY_COLUMNS} ${from} ORDER BY c.last_name COLLATE NOCASE, c.first_name COLLATE NOCASE, c.id LIMIT @limit OFFSET @offset`)
    .all(fts ? params : { viewerId: viewer.id, limit, offset });
  return { total, items: z.array(SummaryRow).parse(rows).map(toSummary) };
}

/** The contact if `viewer` may see it; NOT_FOUND otherwise (existence is not revealed). */
export function getVisibleContact(db: Db, viewer: SessionUser, id: number): Contact {
  const row = db
    .prepare(`SELECT ${CONTACT_COLUMNS} FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE c.id = @id AND ${visibleContactsSql(viewer, 'c', 'co')}`)
    .get({ id, viewerId: viewer.id });
  if (row === undefined) throw new CrmError('NOT_FOUND', `Contact ${id} does not exist.`);
  return toContact(ContactRow.parse(row));
}

export function assertCompanyVisible(db: Db, viewer: SessionUser, companyId: number | null, field: string): void {
  if (companyId === null) return;
  const row = db.prepare('SELECT sales_rep_id FROM companies WHERE id = ?').get(companyId) as { sales_rep_id: number | null } | undefined;
  const visible =
    row !== undefined &&
    (viewer.isAdmin ||
      row.sales_rep_id === null ||
      row.sales_rep_id === viewer.id ||
      db.prepare('SELECT 1 FROM user_rights WHERE holder_id = ? AND target_id = ? AND visible = 1').get(viewer.id, row.sales_rep_id) !== undefined);
  if (!visible) throw new CrmError('BAD_INPUT', `${field}: company ${companyId} does not exist`, field);
}

const FIELD_COLUMNS = {
  companyId: ['company_id'],
  civility: ['civility'],
  lastName: ['last_name'],
  firstName: ['first_name'],
  jobTitle: ['job_title'],
  email: ['email'],
  phone: ['phone'],
  mobile: ['mobile'],
  comment: ['comment'],
} as const;

function addressColumns(a: Contact['address']) {
  return {
    address_line1: a.line1,
    address_line2: a.line2,
    address_line3: a.line3,
    postal_code: a.postalCode,
    city: a.city,
    country: a.country,
  };
}

export function insertContact(db: Db, draft: Omit<Contact, 'id' | 'companyName' | 'hasPhoto' | 'updatedAt'>, at: string): number {
  return db.transaction(() => {
    const info = db
      .prepare(
        `INSERT INTO contacts (company_id, civility, last_name, first_name, job_title, email, phone, mobile, address_line1, address_line2,
           address_line3, postal_code, city, country, comment, created_at, updated_at)
         VALUES (@company_id, @civility, @last_name, @first_name, @job_title, @email, @phone, @mobile, @address_line1, @address_line2,
           @address_line3, @postal_code, @city, @country, @comment, @at, @at)`,
      )
      .run({
        company_id: draft.companyId,
        civility: draft.civility,
        last_name: draft.lastName,
        first_name: draft.firstName,
        job_title: draft.jobTitle,
        email: draft.email,
        phone: draft.phone,
        mobile: draft.mobile,
        ...addressColumns(draft.address),
        comment: draft.comment,
        at,
      });
    const id = Number(info.lastInsertRowid);
    appendOutbox(db, { entity: 'contact', entityId: id, ownerId: null, op: 'create', changedFields: Object.keys(draft), at });
    return id;
  })();
}

export function updateContact(db: Db, viewer: SessionUser, id: number, patch: ContactPatch, at: string): string[] {
  return db.transaction(() => {
    const current = getVisibleContact(db, viewer, id);
    const changed = (Object.keys(patch) as (keyof ContactPatch)[]).filter((k) => JSON.stringify(patch[k]) !== JSON.stringify(current[k]));
    if (changed.length === 0) return changed;
    const sets: string[] = [];
    const values: Record<string, unknown> = { id, at };
    for (const key of changed) {
      if (key === 'address') {
        for (const [col, value] of Object.entries(addressColumns(patch.address!))) {
          sets.push(`${col} = @${col}`);
          values[col] = value;
        }
      } else {
        const [col] = FIELD_COLUMNS[key];
        sets.push(`${col} = @${col}`);
        values[col] = patch[key];
      }
    }
    db.prepare(`UPDATE contacts SET ${sets.join(', ')}, updated_at = @at, version = version + 1 WHERE id = @id`).run(values);
    appendOutbox(db, { entity: 'contact', entityId: id, ownerId: null, op: 'update', changedFields: changed, at });
    return changed;
  })();
}

export function deleteContact(db: Db, viewer: SessionUser, id: number, at: string): void {
  db.transaction(() => {
    getVisibleContact(db, viewer, id);
    db.prepare('DELETE FROM contacts WHERE id = ?').run(id);
    appendOutbox(db, { entity: 'contact', entityId: id, ownerId: null, op: 'delete', changedFields: [], at });
  })();
}

/** Whether the bytes start like a JPEG (FF D8 FF) or a PNG (the 8-byte PNG signature). */
export function imageKindOf(bytes: Buffer): 'image/jpeg' | 'image/png' | null {
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length > 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return null;
}

/**
 * Sets or removes a contact's photo (FTC019 §3.4.2: synced CRM → Google). The bytes must be what
 * the declared type says; whether they decode in full is found by the contacts sync, which
 * reports a bad image for that contact only. Appends to the outbox like every contact change.
 */
export function setContactPhoto(db: Db, viewer: SessionUser, id: number, photo: ContactPhoto | null, at: string): boolean {
  return db.transaction(() => {
    getVisibleContact(db, viewer, id);
    let bytes: Buffer | null = null;
    if (photo) {
      bytes = Buffer.from(photo.data, 'base64');
      if (bytes.length > MAX_PHOTO_BYTES) throw new CrmError('BAD_INPUT', 'photo.data: is larger than 5 MB', 'photo.data');
      const kind = imageKindOf(bytes);
      if (kind !== photo.mimeType) {
        throw new CrmError('BAD_INPUT', `photo.data: is not ${photo.mimeType === 'image/jpeg' ? 'a JPEG' : 'a PNG'} image${kind ? ` (it is ${kind === 'image/jpeg' ? 'a JPEG' : 'a PNG'})` : ''}`, 'photo.data');
      }
    }
    const hash = bytes ? createHash('sha256').update(bytes).digest('hex') : null;
    const current = db.prepare('SELECT photo_sha256 AS h FROM contacts WHERE id = ?').get(id) as { h: string | null };
    if (current.h === hash) return false;
    db.prepare('UPDATE contacts SET photo = ?, photo_mime = ?, photo_sha256 = ?, updated_at = ?, version = version + 1 WHERE id = ?').run(bytes, photo?.mimeType ?? null, hash, at, id);
    appendOutbox(db, { entity: 'contact', entityId: id, ownerId: null, op: 'update', changedFields: ['photo'], at });
    return true;
  })();
}

export function getContactPhoto(db: Db, viewer: SessionUser, id: number): ContactPhoto | null {
  getVisibleContact(db, viewer, id);
  const row = db.prepare('SELECT photo, photo_mime FROM contacts WHERE id = ?').get(id) as { photo: Buffer | null; photo_mime: 'image/jpeg' | 'image/png' | null };
  if (!row.photo || !row.photo_mime) return null;
  return { mimeType: row.photo_mime, data: row.photo.toString('base64') };
}

const CompanyRow = z.object({
  id: z.number().int(),
  code: z.string(),
  kind: z.enum(['client', 'prospect', 'supplier']),
  name: z.string(),
  sales_rep_id: z.number().int().nullable(),
  city: z.string(),
});

export function searchCompanies(db: Db, viewer: SessionUser, query: string, limit: number): Company[] {
  const visible = viewer.isAdmin
    ? '1 = 1'
    : `(co.sales_rep_id IS NULL OR co.sales_rep_id = @viewerId OR co.sales_rep_id IN (SELECT target_id FROM user_rights WHERE holder_id = @viewerId AND visible = 1))`;
  const like = `%${query.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = db
    .prepare(
      `SELECT co.id, co.code, co.kind, co.name, co.sales_rep_id, co.city FROM companies co
       WHERE ${visible} AND (co.name LIKE @like ESCAPE '\\' OR co.code LIKE @like ESCAPE '\\') ORDER BY co.name COLLATE NOCASE LIMIT @limit`,
    )
    .all({ viewerId: viewer.id, like, limit });
  return z
    .array(CompanyRow)
    .parse(rows)
    .map((r) => ({ id: r.id, code: r.code, kind: r.kind, name: r.name, salesRepId: r.sales_rep_id, city: r.city }));
}

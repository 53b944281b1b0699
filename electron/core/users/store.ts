import { z } from 'zod';
import { CrmError } from '../../../shared/errors';
import type { Rights, SessionUser, UserRecord } from '../../../shared/contract';
import type { Db } from '../db/database';

const Bool = z.union([z.literal(0), z.literal(1)]).transform((v) => v === 1);

const UserRow = z.object({
  id: z.number().int(),
  login: z.string(),
  display_name: z.string(),
  password_hash: z.string(),
  is_admin: Bool,
  locale: z.enum(['fr', 'en']),
  time_zone: z.string(),
});

const RightRow = z.object({ holder_id: z.number().int(), target_id: z.number().int(), target_login: z.string(), visible: Bool, agenda: Bool });

export function toSessionUser(row: z.infer<typeof UserRow>): SessionUser {
  return { id: row.id, login: row.login, displayName: row.display_name, isAdmin: row.is_admin, locale: row.locale, timeZone: row.time_zone };
}

const USER_COLUMNS = 'id, login, display_name, password_hash, is_admin, locale, time_zone';

export function findUserByLogin(db: Db, login: string) {
  const row = db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE login = ? AND active = 1`).get(login);
  return row === undefined ? null : UserRow.parse(row);
}

export function getUser(db: Db, id: number) {
  const row = db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ? AND active = 1`).get(id);
  if (row === undefined) throw new CrmError('NOT_FOUND', `User ${id} does not exist.`);
  return UserRow.parse(row);
}

export function listUsers(db: Db) {
  return z.array(UserRow).parse(db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE active = 1 ORDER BY is_admin DESC, display_name`).all());
}

/** The rights `holderId` holds on `targetId` (none when absent). */
export function rightsOn(db: Db, holderId: number, targetId: number): Rights {
  const row = db.prepare('SELECT visible, agenda FROM user_rights WHERE holder_id = ? AND target_id = ?').get(holderId, targetId);
  if (row === undefined) return { visible: false, agenda: false };
  return z.object({ visible: Bool, agenda: Bool }).parse(row);
}

export function rightsHeldBy(db: Db, holderId: number): Map<number, Rights> {
  const rows = z
    .array(RightRow)
    .parse(
      db
        .prepare(
          'SELECT r.holder_id, r.target_id, u.login AS target_login, r.visible, r.agenda FROM user_rights r JOIN users u ON u.id = r.target_id WHERE r.holder_id = ?',
        )
        .all(holderId),
    );
  return new Map(rows.map((r) => [r.target_id, { visible: r.visible, agenda: r.agenda }]));
}

export function userRecord(db: Db, id: number): UserRecord {
  const user = getUser(db, id);
  const prefs = db.prepare('SELECT google_email FROM sync_prefs WHERE user_id = ?').get(id) as { google_email: string } | undefined;
  const rights = z
    .array(RightRow)
    .parse(
      db
        .prepare(
          `SELECT r.holder_id, r.target_id, u.login AS target_login, r.visible, r.agenda
           FROM user_rights r JOIN users u ON u.id = r.target_id
           WHERE r.holder_id = ? AND (r.visible = 1 OR r.agenda = 1) ORDER BY u.login`,
        )
        .all(id),
    );
  return {
    id: user.id,
    login: user.login,
    displayName: user.display_name,
    isAdmin: user.is_admin,
    googleEmail: prefs?.google_email ? prefs.google_email : null,
    rights: rights.map((r) => ({ targetId: r.target_id, targetLogin: r.target_login, visible: r.visible, agenda: r.agenda })),
  };
}

export function setRights(db: Db, holderId: number, targetId: number, rights: Rights): void {
  if (holderId === targetId) throw new CrmError('BAD_INPUT', 'targetId: a user cannot hold rights on themselves.', 'targetId');
  const holder = getUser(db, holderId);
  getUser(db, targetId);
  // ADM sees and syncs every agenda already (access.ts): a row for ADM would say otherwise and
  // show in the rights screen as if it mattered.
  if (holder.is_admin) throw new CrmError('BAD_INPUT', 'holderId: the administrator already holds every right; rights are granted to the other users.', 'holderId');
  if (!rights.visible && !rights.agenda) {
    db.prepare('DELETE FROM user_rights WHERE holder_id = ? AND target_id = ?').run(holderId, targetId);
    return;
  }
  db.prepare(
    `INSERT INTO user_rights (holder_id, target_id, visible, agenda) VALUES (?, ?, ?, ?)
     ON CONFLICT (holder_id, target_id) DO UPDATE SET visible = excluded.visible, agenda = excluded.agenda`,
  ).run(holderId, targetId, rights.visible ? 1 : 0, rights.agenda ? 1 : 0);
}

/**
 * The `google_accounts` row of a user: which Google account granted access, with which scopes,
 * and its refresh token — sealed (../secrets.ts); it is opened only to talk to Google and never
 * leaves the core.
 */
import { z } from 'zod';
import type { Db } from '../db/database';

const Row = z.object({
  user_id: z.number().int(),
  email: z.string(),
  refresh_token_sealed: z.instanceof(Buffer).nullable(),
  scopes: z.string(),
  connected_at: z.string(),
});

export interface GoogleAccount {
  userId: number;
  email: string;
  /** Sealed (opaque base64), or null once Google said the token is dead. */
  sealedRefreshToken: string | null;
  scopes: string[];
  connectedAt: string;
}

export function getGoogleAccount(db: Db, userId: number): GoogleAccount | null {
  const raw = db.prepare('SELECT * FROM google_accounts WHERE user_id = ?').get(userId);
  if (!raw) return null;
  const r = Row.parse(raw);
  return {
    userId: r.user_id,
    email: r.email,
    sealedRefreshToken: r.refresh_token_sealed ? r.refresh_token_sealed.toString('utf8') : null,
    scopes: r.scopes.split(' ').filter(Boolean),
    connectedAt: r.connected_at,
  };
}

export function putGoogleAccount(db: Db, a: GoogleAccount): void {
  db.prepare(
    `INSERT INTO google_accounts (user_id, email, refresh_token_sealed, scopes, connected_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, refresh_token_sealed = excluded.refresh_token_sealed,
       scopes = excluded.scopes, connected_at = excluded.connected_at`,
  ).run(a.userId, a.email, a.sealedRefreshToken === null ? null : Buffer.from(a.sealedRefreshToken, 'utf8'), a.scopes.join(' '), a.connectedAt);
}

export function deleteGoogleAccount(db: Db, userId: number): void {
  db.prepare('DELETE FROM google_accounts WHERE user_id = ?').run(userId);
}

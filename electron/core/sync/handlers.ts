import { z } from 'zod';
import { CrmError } from '../../../shared/errors';
import type { SessionUser } from '../../../shared/contract';
import { defineHandlers, nowIso } from '../context';
import { toSummary } from '../contacts/store';
import type { Db } from '../db/database';
import { getUser } from '../users/store';
import { getSyncPrefs, updateSyncPrefs } from './prefs';

/** A user's sync settings are theirs; ADM may open anyone's user card. */
function targetUser(db: Db, viewer: SessionUser, userId: number | undefined): number {
  const id = userId ?? viewer.id;
  if (id !== viewer.id && !viewer.isAdmin) throw new CrmError('FORBIDDEN', `Only the administrator may open the sync settings of user ${id}.`);
  getUser(db, id);
  return id;
}

export const syncHandlers = defineHandlers({
  'syncPrefs.get': (input, ctx) => getSyncPrefs(ctx.db, targetUser(ctx.db, ctx.user, input.userId), nowIso(ctx)),

  'syncPrefs.update': (input, ctx) => updateSyncPrefs(ctx.db, targetUser(ctx.db, ctx.user, input.userId), input.patch, nowIso(ctx)),

  'contactSyncList.get': (input, ctx) => {
    const userId = targetUser(ctx.db, ctx.user, input.userId);
    const rows = ctx.db
      .prepare(
        `SELECT c.id, c.company_id, co.name AS company_name, c.civility, c.last_name, c.first_name, c.job_title, c.email, c.phone, c.mobile, c.city
         FROM contact_sync_list l JOIN contacts c ON c.id = l.contact_id LEFT JOIN companies co ON co.id = c.company_id
         WHERE l.user_id = ? ORDER BY c.last_name COLLATE NOCASE, c.first_name COLLATE NOCASE`,
      )
      .all(userId);
    const items = z
      .array(
        z.object({
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
          city: z.string(),
        }),
      )
      .parse(rows)
      .map(toSummary);
    const last = ctx.db.prepare('SELECT contacts_last_sync_at AS at FROM sync_prefs WHERE user_id = ?').get(userId) as { at: string | null } | undefined;
    return { userId, count: items.length, lastSyncAt: last?.at ?? null, items };
  },
});

import { CrmError } from '../../../shared/errors';
import type { SessionUser } from '../../../shared/contract';
import { defineHandlers, nowIso } from '../context';
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
});

import type { UserSummary } from '../../../shared/contract';
import { defineHandlers } from '../context';
import { listUsers, rightsHeldBy, setRights, userRecord } from './store';

export const usersHandlers = defineHandlers({
  'users.list': (_input, ctx) => {
    const held = rightsHeldBy(ctx.db, ctx.user.id);
    const all = listUsers(ctx.db);
    const out: UserSummary[] = [];
    for (const u of all) {
      const isSelf = u.id === ctx.user.id;
      const rights = isSelf || ctx.user.isAdmin ? { visible: true, agenda: true } : (held.get(u.id) ?? { visible: false, agenda: false });
      if (!isSelf && !rights.visible && !rights.agenda) continue;
      out.push({ id: u.id, login: u.login, displayName: u.display_name, isAdmin: u.is_admin, isSelf, rights });
    }
    return out.sort((a, b) => Number(b.isSelf) - Number(a.isSelf));
  },
  'users.directory': (_input, ctx) => listUsers(ctx.db).map((u) => userRecord(ctx.db, u.id)),
  'users.setRights': (input, ctx) => {
    setRights(ctx.db, input.holderId, input.targetId, { visible: input.visible, agenda: input.agenda });
    ctx.emit('onRightsChanged', { holderIds: [input.holderId] });
    return userRecord(ctx.db, input.holderId);
  },
});

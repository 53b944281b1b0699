import { CrmError } from '../../../shared/errors';
import type { ActionView } from '../../../shared/contract';
import { defineHandlers, nowIso } from '../context';
import { agendaAccess, assertAgendaAccess } from '../users/access';
import { getUser } from '../users/store';
import { syncWindowsFor } from '../sync/agenda/windows';
import { shiftPeriod } from './period';
import { deleteAction, getActionRow, insertAction, listActionCards, listActionTypes, toAction, updateAction } from './store';

export const actionsHandlers = defineHandlers({
  'actionTypes.list': (_input, ctx) => listActionTypes(ctx.db),

  'actions.list': (input, ctx) => {
    const ownerIds = [...new Set(input.userIds)];
    const access = new Map(ownerIds.map((id) => [id, assertAgendaAccess(ctx.db, ctx.user, id, 'see')]));
    const cards = listActionCards(ctx.db, ownerIds, Date.parse(input.from), Date.parse(input.to), syncWindowsFor(ctx.db, ownerIds, ctx.now()));
    return cards.map((card): ActionView => {
      if (card.private && !access.get(card.ownerId)?.seePrivate) return { kind: 'busy', id: card.id, ownerId: card.ownerId, period: card.period };
      return card;
    });
  },

  'actions.get': (input, ctx) => {
    const row = getActionRow(ctx.db, input.id);
    const access = agendaAccess(ctx.db, ctx.user, row.owner_id);
    if (!access.see || (row.private && !access.seePrivate)) throw new CrmError('NOT_FOUND', `Action ${input.id} does not exist.`);
    return toAction(row);
  },

  'actions.create': (input, ctx) => {
    const ownerId = input.ownerId ?? ctx.user.id;
    assertAgendaAccess(ctx.db, ctx.user, ownerId, 'write');
    const owner = getUser(ctx.db, ownerId);
    const id = insertAction(
      ctx.db,
      { ...input, ownerId, timeZone: owner.time_zone, seriesId: null },
      nowIso(ctx),
    );
    ctx.emit('onActionsChanged', { ownerIds: [ownerId] });
    return toAction(getActionRow(ctx.db, id));
  },

  'actions.update': (input, ctx) => {
    const row = writableAction(ctx, input.id);
    if (row.series_id !== null && input.patch.period !== undefined) {
      // Occurrences of a repeating action move with their series, which is edited elsewhere.
      throw new CrmError('BAD_INPUT', 'patch.period: an occurrence of a repeating action cannot be moved on its own', 'patch.period');
    }
    const changed = updateAction(ctx.db, input.id, input.patch, nowIso(ctx));
    if (changed.length > 0) ctx.emit('onActionsChanged', { ownerIds: [row.owner_id] });
    return toAction(getActionRow(ctx.db, input.id));
  },

  'actions.duplicate': (input, ctx) => {
    const row = writableAction(ctx, input.id);
    const source = toAction(row);
    const id = insertAction(
      ctx.db,
      {
        ...source,
        period: shiftPeriod(source.period, input.shiftDays, row.time_zone),
        timeZone: row.time_zone,
        // A copy is a standalone action, not another occurrence of the series.
        seriesId: null,
      },
      nowIso(ctx),
    );
    ctx.emit('onActionsChanged', { ownerIds: [row.owner_id] });
    return toAction(getActionRow(ctx.db, id));
  },

  'actions.delete': (input, ctx) => {
    const row = writableAction(ctx, input.id);
    deleteAction(ctx.db, input.id, nowIso(ctx));
    ctx.emit('onActionsChanged', { ownerIds: [row.owner_id] });
    return { id: input.id };
  },
});

function writableAction(ctx: Parameters<(typeof actionsHandlers)['actions.get']>[1], id: number) {
  const row = getActionRow(ctx.db, id);
  const access = agendaAccess(ctx.db, ctx.user, row.owner_id);
  // A private action one may not see does not exist for that caller.
  if (!access.see || (row.private && !access.seePrivate)) throw new CrmError('NOT_FOUND', `Action ${id} does not exist.`);
  if (!access.write) throw new CrmError('FORBIDDEN', `You have no right to change the agenda of user ${row.owner_id}.`);
  return row;
}

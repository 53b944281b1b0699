/**
 * The agenda grids' editing rules, in one place for the week and day views' timed blocks and
 * all-day chips and for the month's items (the core checks each save again):
 * - what the viewer may move on the grid,
 * - what they are told when an action does not move (or not that way),
 * - whether a drop in another agenda's column is refused.
 */
import type { ActionView } from '../../../shared/contract';

/**
 * Whether the grid lets the viewer move or resize `action`: `mayEdit` says whether they may
 * change its owner's actions (self, ADM, or a right on the colleague); a busy slot is never
 * theirs to move, nor an occurrence of a repeating series (it moves with its series).
 */
export function movable(action: ActionView, mayEdit: boolean): boolean {
  return mayEdit && action.kind === 'full' && action.seriesId === null;
}

/** What the grid says when the viewer tries to move an action that is not `movable`. */
export function refusal(action: ActionView | undefined): 'agenda.grid.seriesRefused' | 'agenda.grid.readOnly' {
  return action?.kind === 'full' && action.seriesId !== null ? 'agenda.grid.seriesRefused' : 'agenda.grid.readOnly';
}

/**
 * What the week and day views say to Alt+↑/↓ on an all-day chip: it moves by day (Alt+←/→);
 * a week up or down would only take it out of the days shown.
 */
export const allDayVerticalRefusal = 'agenda.grid.allDayByDay';

/**
 * Whether dropping `action` in the column of agenda `targetOwnerId` is refused: a drag moves an
 * action in time, never to another user (no reassignment; the detail panel does not offer it
 * either). The grid then shows `agenda.grid.otherUser` on the preview and says
 * `agenda.grid.otherUserRefused` on the drop.
 */
export function dropRefused(action: ActionView, targetOwnerId: number | undefined): boolean {
  return targetOwnerId !== action.ownerId;
}

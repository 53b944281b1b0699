/**
 * Every right is checked here, in the core, whatever the transport. The rules (FTC019 §3.6):
 * - a user sees and edits their own agenda; ADM sees and edits everything;
 * - *Visible* on a colleague: sees everything of theirs, private actions included;
 * - *Agenda* on a colleague: sees their agenda and may sync it; their private actions show as
 *   busy slots without details;
 * - writing in a colleague's agenda needs *Agenda* or *Visible*, and never touches a private
 *   action one may not see.
 */
import { CrmError } from '../../../shared/errors';
import type { SessionUser } from '../../../shared/contract';
import type { Db } from '../db/database';
import { rightsOn } from './store';

export interface AgendaAccess {
  /** May list this owner's agenda at all. */
  readonly see: boolean;
  /** Sees private actions in full. */
  readonly seePrivate: boolean;
  /** May create, change and delete (non-hidden) actions. */
  readonly write: boolean;
}

export function agendaAccess(db: Db, viewer: SessionUser, ownerId: number): AgendaAccess {
  if (viewer.id === ownerId || viewer.isAdmin) return { see: true, seePrivate: true, write: true };
  const rights = rightsOn(db, viewer.id, ownerId);
  const see = rights.visible || rights.agenda;
  return { see, seePrivate: rights.visible, write: see };
}

export function assertAgendaAccess(db: Db, viewer: SessionUser, ownerId: number, need: 'see' | 'write'): AgendaAccess {
  const access = agendaAccess(db, viewer, ownerId);
  if (!access[need]) {
    throw new CrmError(
      'FORBIDDEN',
      need === 'see'
        ? `You have no right to see the agenda of user ${ownerId}.`
        : `You have no right to change the agenda of user ${ownerId}.`,
    );
  }
  return access;
}

/**
 * SQL condition selecting the companies whose contacts `viewer` may see: unassigned companies,
 * their own, and those of colleagues they hold *Visible* on. Contacts without a company are
 * visible to all. Bind `viewerId` as a named parameter.
 */
export function visibleContactsSql(viewer: SessionUser, contactAlias: string, companyAlias: string): string {
  if (viewer.isAdmin) return '1 = 1';
  return `(${contactAlias}.company_id IS NULL OR ${companyAlias}.sales_rep_id IS NULL OR ${companyAlias}.sales_rep_id = @viewerId
    OR ${companyAlias}.sales_rep_id IN (SELECT target_id FROM user_rights WHERE holder_id = @viewerId AND visible = 1))`;
}

export function assertAdmin(viewer: SessionUser): void {
  if (!viewer.isAdmin) throw new CrmError('FORBIDDEN', 'Only the administrator (ADM) may do this.');
}

import { z } from 'zod';
import { Empty, Id, channel } from './common';

export const Rights = z.object({
  /** Sees everything of that user (supersedes narrower visibility). */
  visible: z.boolean(),
  /** Sees and may sync that user's agenda. */
  agenda: z.boolean(),
});
export type Rights = z.infer<typeof Rights>;

/** A user as another user sees them: `rights` are the viewer's rights on that user. */
export const UserSummary = z.object({
  id: Id,
  login: z.string(),
  displayName: z.string(),
  isAdmin: z.boolean(),
  isSelf: z.boolean(),
  rights: Rights,
});
export type UserSummary = z.infer<typeof UserSummary>;

export const UserRecord = z.object({
  id: Id,
  login: z.string(),
  displayName: z.string(),
  isAdmin: z.boolean(),
  googleEmail: z.string().nullable(),
  /** Rights this user holds on colleagues. */
  rights: z.array(z.object({ targetId: Id, targetLogin: z.string() }).extend(Rights.shape)),
});
export type UserRecord = z.infer<typeof UserRecord>;

export const usersChannels = {
  /** Colleagues the caller may see (self first), with the caller's rights on each. */
  'users.list': channel('user', Empty, z.array(UserSummary)),
  /** Every user with the rights they hold (admin only). */
  'users.directory': channel('admin', Empty, z.array(UserRecord)),
  'users.setRights': channel(
    'admin',
    z.object({ holderId: Id, targetId: Id, visible: z.boolean(), agenda: z.boolean() }).strict(),
    UserRecord,
  ),
} as const;

export const usersEvents = {
  /**
   * The rights these users hold changed (ADM granted or took one): a client signed in as one of
   * them reloads `users.list` so the colleagues it may show and sync follow at once.
   */
  onRightsChanged: z.object({ holderIds: z.array(Id) }),
} as const;

import { z } from 'zod';
import { Empty, Id, channel } from './common';

export const Locale = z.enum(['fr', 'en']);
export type Locale = z.infer<typeof Locale>;

export const SessionUser = z.object({
  id: Id,
  login: z.string(),
  displayName: z.string(),
  isAdmin: z.boolean(),
  locale: Locale,
  timeZone: z.string(),
});
export type SessionUser = z.infer<typeof SessionUser>;

export const sessionChannels = {
  'session.login': channel(
    'public',
    z.object({ login: z.string().trim().min(1).max(64), password: z.string().min(1).max(256) }).strict(),
    SessionUser,
  ),
  'session.current': channel('public', Empty, SessionUser.nullable()),
  'session.logout': channel('public', Empty, z.object({ ok: z.literal(true) })),
} as const;

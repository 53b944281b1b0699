import { z } from 'zod';
import { Id, OptionalEmail, channel } from './common';

/**
 * How the agenda sync decides a field changed on both sides since the last sync (the merge is
 * field by field; a field changed on one side only always takes that side's value):
 * `newest` — the side edited last wins (the default); `crm` — the CRM wins; `google` — Google wins.
 */
export const ConflictRule = z.enum(['newest', 'crm', 'google']);
export type ConflictRule = z.infer<typeof ConflictRule>;

/** FTC019 §3.3.1–3.3.2: the per-user agenda sync settings. */
export const SyncPrefs = z.object({
  userId: Id,
  googleEmail: z.string(),
  calendarName: z.string(),
  monthsBefore: z.number().int().min(0).max(24),
  monthsAfter: z.number().int().min(0).max(24),
  automaticSync: z.boolean(),
  startupSync: z.boolean(),
  colorTransfer: z.boolean(),
  conflictRule: ConflictRule,
});
export type SyncPrefs = z.infer<typeof SyncPrefs>;

/** What a user may change of their preferences: the same fields, each optional, checked as typed. */
export const SyncPrefsPatch = SyncPrefs.omit({ userId: true })
  .extend({ googleEmail: OptionalEmail, calendarName: z.string().trim().max(255) })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'must change at least one field');

const ForUser = z.object({ userId: Id.optional() }).strict();

export const syncChannels = {
  /** The caller's own preferences, or a colleague's for ADM. */
  'syncPrefs.get': channel('user', ForUser, SyncPrefs),
  'syncPrefs.update': channel('user', z.object({ userId: Id.optional(), patch: SyncPrefsPatch }).strict(), SyncPrefs),
} as const;

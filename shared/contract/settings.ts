import { z } from 'zod';
import { Empty, Id, channel } from './common';

/** Settings of the whole CRM file; only ADM changes them. */
export const AppSettings = z.object({
  companyName: z.string(),
  /** Action type given to events created in Google when they land in the CRM. */
  defaultActionTypeId: Id.nullable(),
});
export type AppSettings = z.infer<typeof AppSettings>;

export const settingsChannels = {
  'settings.get': channel('user', Empty, AppSettings),
  'settings.update': channel(
    'admin',
    z
      .object({ companyName: z.string().trim().min(1).max(200), defaultActionTypeId: Id.nullable() })
      .partial()
      .strict()
      .refine((p) => Object.keys(p).length > 0, 'must change at least one field'),
    AppSettings,
  ),
} as const;

export const Publishing = z.enum(['testing', 'production']);
export type Publishing = z.infer<typeof Publishing>;

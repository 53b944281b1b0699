import { z } from 'zod';
import { Empty, Id, channel } from './common';

export const Publishing = z.enum(['testing', 'production']);
export type Publishing = z.infer<typeof Publishing>;

/** Settings of the whole CRM file; only ADM changes them. */
export const AppSettings = z.object({
  companyName: z.string(),
  /** Action type given to events created in Google when they land in the CRM. */
  defaultActionTypeId: Id.nullable(),
  /** The Google OAuth desktop client (FTC019 §3.1); its secret is never sent to clients. */
  googleClientId: z.string(),
  /** The Google app's publishing status: "testing" refresh tokens die after 7 days. */
  googlePublishing: Publishing,
  /** Where Google is reached: null for Google itself; the emulator's URL in demos and tests. */
  googleRootUrl: z.string().nullable(),
});
export type AppSettings = z.infer<typeof AppSettings>;

const RootUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:8085' })
  .max(500)
  .transform((u) => u.replace(/\/+$/, ''));

export const settingsChannels = {
  'settings.get': channel('user', Empty, AppSettings),
  'settings.update': channel(
    'admin',
    z
      .object({
        companyName: z.string().trim().min(1).max(200),
        defaultActionTypeId: Id.nullable(),
        googleClientId: z.string().trim().max(200),
        googlePublishing: Publishing,
        googleRootUrl: RootUrl.nullable(),
      })
      .partial()
      .strict()
      .refine((p) => Object.keys(p).length > 0, 'must change at least one field'),
    AppSettings,
  ),
} as const;

import { z } from 'zod';
import { Empty, HexColor, Id, IsoDate, IsoDateTime, channel } from './common';

export const ActionType = z.object({ id: Id, code: z.string(), label: z.string(), color: HexColor });
export type ActionType = z.infer<typeof ActionType>;

const TimedPeriod = z.object({ allDay: z.literal(false), start: IsoDateTime, end: IsoDateTime }).strict();
/** All-day periods are whole local days; `endDate` is inclusive (the CRM's way; Google's is exclusive). */
const AllDayPeriod = z.object({ allDay: z.literal(true), startDate: IsoDate, endDate: IsoDate }).strict();

/** The shape of a period, as the core returns it. */
export const PeriodShape = z.discriminatedUnion('allDay', [TimedPeriod, AllDayPeriod]);

/** A period a caller sends: the shape plus its rules (checked on input only). */
export const Period = PeriodShape.superRefine((p, ctx) => {
  if (p.allDay) {
    if (p.endDate < p.startDate) ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'must not be before startDate' });
  } else if (Date.parse(p.end) <= Date.parse(p.start)) {
    ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
  }
});
export type Period = z.infer<typeof Period>;

/** Google accepts reminders from 0 to 40320 minutes (4 weeks) before. */
export const Reminder = z.object({ enabled: z.boolean(), minutesBefore: z.number().int().min(0).max(40320) }).strict();
export type Reminder = z.infer<typeof Reminder>;

const Title = z.string().trim().min(1, 'must not be empty').max(255);
const Location = z.string().max(500);
const Description = z.string().max(20_000);

export const Action = z.object({
  kind: z.literal('full'),
  id: Id,
  ownerId: Id,
  typeId: Id,
  title: z.string(),
  location: z.string(),
  period: PeriodShape,
  private: z.boolean(),
  reminder: Reminder,
  description: z.string(),
  /** Set on the occurrences of a repeating action ("Action Série"); those are not synced. */
  seriesId: z.string().nullable(),
  contactId: Id.nullable(),
  companyId: Id.nullable(),
  updatedAt: IsoDateTime,
});
export type Action = z.infer<typeof Action>;

/** A colleague's private action seen without the *Visible* right: only that the slot is taken. */
export const BusySlot = z.object({ kind: z.literal('busy'), id: Id, ownerId: Id, period: PeriodShape });
export type BusySlot = z.infer<typeof BusySlot>;

/**
 * Where an action stands with the owner's Google calendar (agenda sync), for a badge on its block:
 * `synced` — linked and nothing left to send; `pending` — changed in the CRM, waiting in the outbox
 * to be pushed; `deletion` — deleted in Google, waiting for the user's confirmation; `error` —
 * refused at the owner's last run. `null`: not in the owner's sync window, never synced, or the
 * owner is not connected to Google — nothing to show.
 */
export const ActionSyncState = z.enum(['synced', 'pending', 'deletion', 'error']);
export type ActionSyncState = z.infer<typeof ActionSyncState>;

/** What agenda views list: the fields a calendar block shows. The rest comes from `actions.get`. */
export const ActionCard = Action.pick({ kind: true, id: true, ownerId: true, typeId: true, title: true, location: true, period: true, private: true, seriesId: true }).extend({
  sync: ActionSyncState.nullable(),
});
export type ActionCard = z.infer<typeof ActionCard>;

export const ActionView = z.discriminatedUnion('kind', [ActionCard, BusySlot]);
export type ActionView = z.infer<typeof ActionView>;

export const ActionDraft = z
  .object({
    /** Whose agenda; defaults to the caller. */
    ownerId: Id.optional(),
    typeId: Id,
    title: Title,
    location: Location.default(''),
    period: Period,
    private: z.boolean().default(false),
    reminder: Reminder.default({ enabled: false, minutesBefore: 15 }),
    description: Description.default(''),
    contactId: Id.nullable().default(null),
    companyId: Id.nullable().default(null),
  })
  .strict();
export type ActionDraft = z.input<typeof ActionDraft>;

export const ActionPatch = z
  .object({
    typeId: Id,
    title: Title,
    location: Location,
    period: Period,
    private: z.boolean(),
    reminder: Reminder,
    description: Description,
    contactId: Id.nullable(),
    companyId: Id.nullable(),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'must change at least one field');
export type ActionPatch = z.infer<typeof ActionPatch>;

/** At most 62 days per query: a month view plus its overflow weeks. */
export const MAX_RANGE_DAYS = 62;

export const actionsChannels = {
  'actionTypes.list': channel('user', Empty, z.array(ActionType)),
  'actions.list': channel(
    'user',
    z
      .object({ userIds: z.array(Id).min(1).max(50), from: IsoDateTime, to: IsoDateTime })
      .strict()
      .superRefine((q, ctx) => {
        const span = Date.parse(q.to) - Date.parse(q.from);
        if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
        else if (span > MAX_RANGE_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `range must not exceed ${MAX_RANGE_DAYS} days` });
      }),
    z.array(ActionView),
  ),
  'actions.get': channel('user', z.object({ id: Id }).strict(), Action),
  'actions.create': channel('user', ActionDraft, Action),
  'actions.update': channel('user', z.object({ id: Id, patch: ActionPatch }).strict(), Action),
  /** Copies an action (optionally shifted by whole days), as the seed's "dupliquer". */
  'actions.duplicate': channel('user', z.object({ id: Id, shiftDays: z.number().int().min(-3650).max(3650).default(0) }).strict(), Action),
  'actions.delete': channel('user', z.object({ id: Id }).strict(), z.object({ id: Id })),
} as const;

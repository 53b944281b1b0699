/**
 * Agenda sync (FTC019 §3.3, BRIEF §3): a user's actions in the sync window ↔ their named Google
 * calendar. Runs are started by the user (manual, startup) or by the core itself (automatic
 * push after an edit); every run is kept in the sync log with its counts and decisions.
 */
import { z } from 'zod';
import { Id, IsoDateTime, channel } from './common';
import { PeriodShape } from './actions';

export const SyncTrigger = z.enum(['automatic', 'startup', 'manual', 'agenda']);
export type SyncTrigger = z.infer<typeof SyncTrigger>;

const SideCounts = z.object({ created: z.number().int().min(0), updated: z.number().int().min(0), deleted: z.number().int().min(0) });

export const SkipReason = z.enum(['recurring-google', 'series-crm', 'out-of-window', 'invalid']);

/**
 * A sync log line as data: a stable `code` the UI translates with `params` (titles, fields,
 * counts), beside `message`, the English sentence the CLI prints. Codes are listed in
 * electron/core/sync/logText.ts; the renderer falls back to `message` for a code it does not know.
 */
export const LogParams = z.record(z.string(), z.union([z.string(), z.number()]));
export const LogText = z.object({ code: z.string().min(1).max(80), params: LogParams, message: z.string() });
export type LogText = z.infer<typeof LogText>;

/**
 * One item a dry run would change (the wizard's preview lists them, not only counts). `side` is
 * where the change is made; `pendingDelete`: deleted in Google, the CRM asks before deleting.
 * A colleague's private action shows as « Busy » (title "Busy", no details) unless Visible.
 */
export const SyncChange = z.object({
  side: z.enum(['crm', 'google']),
  op: z.enum(['create', 'update', 'delete', 'pendingDelete']),
  actionId: Id.nullable(),
  googleId: z.string().nullable(),
  title: z.string(),
  private: z.boolean(),
  /** The action's start (or the event's), for the list; null when unknown (a deleted action). */
  start: IsoDateTime.nullable(),
  allDay: z.boolean(),
  /** Fields that change (updates only). */
  fields: z.array(z.string()),
});
export type SyncChange = z.infer<typeof SyncChange>;

export const SyncDecision = z.object({
  actionId: Id.nullable(),
  googleId: z.string().nullable(),
  /** What was decided and why, in English (the sync log's text); `code` and `params` translate it. */
  message: z.string(),
  code: z.string().optional(),
  params: LogParams.optional(),
  kind: z.enum(['conflict', 'delete-vs-edit', 'relinked', 'revived']),
});

export const SyncReport = z.object({
  runId: Id.nullable(),
  userId: Id,
  trigger: SyncTrigger,
  dryRun: z.boolean(),
  status: z.enum(['ok', 'partial', 'failed', 'cancelled']),
  startedAt: IsoDateTime,
  finishedAt: IsoDateTime,
  /** Changes made (or, in a dry run, that would be made) on each side. */
  crm: SideCounts,
  google: SideCounts,
  skipped: z.array(z.object({ reason: SkipReason, count: z.number().int().min(1) })),
  decisions: z.array(SyncDecision),
  /** One failing item does not stop the run: it is reported here and skipped. */
  /** `code` and `params` (logText.ts) let the UI say it in the user's language; `message` is the English. */
  errors: z.array(z.object({ actionId: Id.nullable(), googleId: z.string().nullable(), message: z.string(), code: z.string().optional(), params: LogParams.optional() })),
  /** Deletions made in Google waiting for the user's confirmation. */
  pendingDeletions: z.number().int().min(0),
  /** Requests sent to Google during the run (batch parts count one each). */
  requests: z.number().int().min(0),
  /** A dry run's items, one per change counted above (empty for a real run: see the log). */
  changes: z.array(SyncChange).default([]),
});
export type SyncReport = z.infer<typeof SyncReport>;

export const PendingDeletion = z.object({
  id: Id,
  actionId: Id,
  title: z.string(),
  period: PeriodShape,
  detectedAt: IsoDateTime,
});
export type PendingDeletion = z.infer<typeof PendingDeletion>;

export const SyncRunSummary = z.object({
  id: Id,
  userId: Id,
  trigger: SyncTrigger,
  status: z.enum(['running', 'ok', 'partial', 'failed', 'cancelled']),
  startedAt: IsoDateTime,
  finishedAt: IsoDateTime.nullable(),
  crm: SideCounts,
  google: SideCounts,
  conflicts: z.number().int().min(0),
  errors: z.number().int().min(0),
});

export const SyncLogEntry = z.object({
  level: z.enum(['info', 'warning', 'error']),
  actionId: Id.nullable(),
  googleId: z.string().nullable(),
  /** English, for the CLI; the UI translates `code` with `params` (see LogText). */
  message: z.string(),
  code: z.string(),
  params: LogParams,
  at: IsoDateTime,
});

/**
 * Someone the caller may sync (the wizard's step 1): themself, colleagues they hold Agenda on,
 * everyone for ADM. Whether each is connected to Google (never their token), and what would
 * be synced: the calendar name, the contact list's size, the conflict rule.
 */
export const SyncTarget = z.object({
  userId: Id,
  login: z.string(),
  displayName: z.string(),
  isSelf: z.boolean(),
  connected: z.boolean(),
  calendarName: z.string(),
  contactsListed: z.number().int().min(0),
  conflictRule: z.enum(['newest', 'crm', 'google']),
  /** Whether the caller sees this user's private actions (else they show as « Busy »). */
  seePrivate: z.boolean(),
});
export type SyncTarget = z.infer<typeof SyncTarget>;

const ForUser = z.object({ userId: Id.optional() }).strict();

export const agendaSyncChannels = {
  /** Whom the caller may sync (the manual sync wizard's step 1), self first. */
  'sync.targets': channel('user', z.object({}).strict(), z.array(SyncTarget)),
  /** Runs the agenda sync both ways now (or, with dryRun, says what it would change, writing nothing). */
  'agendaSync.run': channel(
    'user',
    z.object({ userId: Id.optional(), trigger: z.enum(['startup', 'manual', 'agenda']).default('manual'), dryRun: z.boolean().default(false) }).strict(),
    SyncReport,
  ),
  'agendaSync.pendingDeletions': channel('user', ForUser, z.array(PendingDeletion)),
  /**
   * The user's answer to deletions made in Google: `delete` removes the actions from the CRM;
   * `keep` keeps them and re-creates them in Google. `ids: "all"` is the seed's CTRL key.
   */
  'agendaSync.resolveDeletions': channel(
    'user',
    z.object({ userId: Id.optional(), ids: z.union([z.array(Id).min(1).max(10_000), z.literal('all')]), decision: z.enum(['delete', 'keep']) }).strict(),
    z.object({ deleted: z.number().int().min(0), kept: z.number().int().min(0) }),
  ),
  /**
   * Stops the user's running agenda sync (and any waiting behind it) at its next safe point: what
   * was done stays done, the rest is picked up by the next run; the run reports `cancelled`.
   * Same rights as `agendaSync.run`. NOT_FOUND when no sync of that user is running.
   */
  'agendaSync.cancel': channel('user', ForUser, z.object({ userId: Id, cancelled: z.number().int().min(1) })),
  'agendaSync.log': channel('user', z.object({ userId: Id.optional(), limit: z.number().int().min(1).max(200).default(50) }).strict(), z.array(SyncRunSummary)),
  'agendaSync.logEntries': channel('user', z.object({ runId: Id }).strict(), z.array(SyncLogEntry)),
} as const;

export const agendaSyncEvents = {
  /** Progress of a running sync, for a progress bar. */
  onSyncProgress: z.object({
    userId: Id,
    phase: z.enum(['pull', 'push', 'done']),
    done: z.number().int().min(0),
    total: z.number().int().min(0),
  }),
  /** A run ended (also the automatic ones started by the core). */
  onSyncFinished: z.object({ userId: Id, runId: Id.nullable(), status: z.enum(['ok', 'partial', 'failed', 'cancelled']), pendingDeletions: z.number().int().min(0) }),
} as const;

/**
 * Contacts sync (FTC019 §3.4, BRIEF §4, issue 6): each user's list of CRM contacts, pushed to
 * their Google Contacts. CRM → Google only: the display name (first + last name as one name),
 * e-mail, phone, mobile, postal address, company, job title and photo; both ways: the comment
 * (Google's biography), merged against the last synced value. Removing a contact from the list
 * leaves it in Google unless the user asks to delete it there too.
 *
 * Rights, checked in the core: a user works on their own list; a colleague holding *Agenda* on
 * them (FTC019 §3.6: "synchronisation de l'agenda"), and ADM, may work on it for them. Only
 * contacts the list's owner may see can be put on it (and, for who acts for them, that they see too).
 */
import { z } from 'zod';
import { Id, IsoDateTime, channel } from './common';
import { ContactSummary } from './contacts';
import { LogParams } from './agendaSync';

/** Google keeps about 25,000 contacts per account ("Contacts" limits); a list holds at most that. */
export const MAX_CONTACT_SYNC_LIST = 25_000;

export const ContactSyncState = z.enum(['synced', 'pending', 'error']);
export type ContactSyncState = z.infer<typeof ContactSyncState>;

/** A row of the sync list: the contact, and where its sync stands. */
export const ContactSyncItem = ContactSummary.extend({
  addedAt: IsoDateTime,
  /**
   * synced: Google holds what the CRM holds (as of the last sync); pending: changed or added
   * since, the next sync sends it; error: the last sync could not send it (see `message`).
   */
  state: ContactSyncState,
  /** Why the last sync failed for this contact (English, like the sync log), else null. */
  message: z.string().nullable(),
  /** The message as a log code and params (logText.ts), for the UI's language; absent without a message. */
  code: z.string().optional(),
  params: LogParams.optional(),
  /** When it was last written to (or read from) Google, else null. */
  syncedAt: IsoDateTime.nullable(),
});
export type ContactSyncItem = z.infer<typeof ContactSyncItem>;

export const ContactCandidate = ContactSummary.extend({ onList: z.boolean() });
export type ContactCandidate = z.infer<typeof ContactCandidate>;

const ContactIds = z.array(Id).min(1, 'must name at least one contact').max(MAX_CONTACT_SYNC_LIST);
const Query = z.string().max(100).default('');

export const ContactsSkipReason = z.enum(['not-visible', 'deleted-in-crm']);

export const ContactsSyncDecision = z.object({
  contactId: Id.nullable(),
  googleId: z.string().nullable(),
  /**
   * conflict: the comment changed on both sides (the newer edit wins, the other is in the log);
   * overwritten: a CRM → Google field was edited in Google and set back to the CRM's value;
   * relinked: found in Google by its CRM id (a Reset, an interrupted run): linked, not duplicated;
   * recreated: deleted in Google while still on the list: created again.
   */
  kind: z.enum(['conflict', 'overwritten', 'relinked', 'recreated']),
  message: z.string(),
  code: z.string().optional(),
  params: LogParams.optional(),
});
export type ContactsSyncDecision = z.infer<typeof ContactsSyncDecision>;

const Count = z.number().int().min(0);

/** One contact a dry run would change (the wizard's preview lists them). */
export const ContactsSyncChange = z.object({
  side: z.enum(['crm', 'google']),
  /** `photo`: a photo sent or deleted in Google; crm `update`: the comment brought from Google. */
  op: z.enum(['create', 'update', 'delete', 'photo']),
  contactId: Id,
  googleId: z.string().nullable(),
  name: z.string(),
});
export type ContactsSyncChange = z.infer<typeof ContactsSyncChange>;

export const ContactsSyncReport = z.object({
  runId: Id.nullable(),
  userId: Id,
  dryRun: z.boolean(),
  status: z.enum(['ok', 'partial', 'failed', 'cancelled']),
  startedAt: IsoDateTime,
  finishedAt: IsoDateTime,
  /** Contacts on the list when the run started. */
  listed: Count,
  /** Changes made (or, in a dry run, that would be made): comments brought into the CRM… */
  crm: z.object({ updated: Count }),
  /**
   * …and in Google: contacts created, updated (fields), deleted (only a removal with "delete in
   * Google" deletes, so a run reports 0), and photos sent or deleted.
   */
  google: z.object({ created: Count, updated: Count, deleted: Count, photos: Count }),
  skipped: z.array(z.object({ reason: ContactsSkipReason, count: z.number().int().min(1) })),
  decisions: z.array(ContactsSyncDecision),
  /** One failing contact does not stop the run: it is reported here and the rest goes on. */
  /** `code` and `params` (logText.ts) let the UI say it in the user's language; `message` is the English. */
  errors: z.array(z.object({ contactId: Id.nullable(), googleId: z.string().nullable(), message: z.string(), code: z.string().optional(), params: LogParams.optional() })),
  /** Requests sent to Google during the run. */
  requests: Count,
  /** A dry run's items, one per change counted above (empty for a real run). */
  changes: z.array(ContactsSyncChange).default([]),
});
export type ContactsSyncReport = z.infer<typeof ContactsSyncReport>;

export const ContactsSyncRunSummary = z.object({
  id: Id,
  userId: Id,
  status: z.enum(['running', 'ok', 'partial', 'failed', 'cancelled']),
  startedAt: IsoDateTime,
  finishedAt: IsoDateTime.nullable(),
  crm: z.object({ updated: Count }),
  google: z.object({ created: Count, updated: Count, deleted: Count, photos: Count }),
  conflicts: Count,
  errors: Count,
});
export type ContactsSyncRunSummary = z.infer<typeof ContactsSyncRunSummary>;

export const ContactsSyncLogEntry = z.object({
  level: z.enum(['info', 'warning', 'error']),
  contactId: Id.nullable(),
  googleId: z.string().nullable(),
  /** English, for the CLI; the UI translates `code` with `params`. */
  message: z.string(),
  code: z.string(),
  params: LogParams,
  at: IsoDateTime,
});
export type ContactsSyncLogEntry = z.infer<typeof ContactsSyncLogEntry>;

const ForUser = { userId: Id.optional() };

export const contactsSyncChannels = {
  /**
   * The sync list, a page at a time (the UI virtualises up to 25,000 rows), by name, with each
   * contact's sync state. `query` filters like contacts.search; `total` counts what matches.
   */
  'contactSyncList.items': channel(
    'user',
    z
      .object({
        ...ForUser,
        query: Query,
        offset: z.number().int().min(0).max(MAX_CONTACT_SYNC_LIST).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    z.object({ userId: Id, count: Count, total: Count, lastSyncAt: IsoDateTime.nullable(), items: z.array(ContactSyncItem) }),
  ),
  /** The "Add" picker: contacts the list's owner may see (and the caller too), searchable, paged. */
  'contactSyncList.candidates': channel(
    'user',
    z
      .object({
        ...ForUser,
        query: Query,
        offset: z.number().int().min(0).max(1_000_000).default(0),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
    z.object({ total: Count, items: z.array(ContactCandidate) }),
  ),
  /**
   * Every id `contactSyncList.items` lists for this query, in no particular order: "select all"
   * (Ctrl+A) in one call, not 50 pages of 500 rows each sorted and checked for their sync state.
   */
  'contactSyncList.itemIds': channel('user', z.object({ ...ForUser, query: Query }).strict(), z.object({ userId: Id, ids: z.array(Id) })),
  /** Every id of the picker's rows that may still be added (visible, not on the list) for this query: its "select all". */
  'contactSyncList.candidateIds': channel('user', z.object({ ...ForUser, query: Query }).strict(), z.object({ userId: Id, ids: z.array(Id) })),
  /** Puts contacts on the list (drag-and-drop, "Add", "Contact to sync"); those already on it are counted apart. */
  'contactSyncList.add': channel(
    'user',
    z.object({ ...ForUser, contactIds: ContactIds }).strict(),
    z.object({ userId: Id, added: Count, alreadyOnList: Count, count: Count }),
  ),
  /**
   * Takes contacts off the list. Their Google contacts stay (the seed's rule) unless
   * `deleteInGoogle`: then they are deleted there first, and if Google refuses nothing changes.
   */
  'contactSyncList.remove': channel(
    'user',
    z.object({ ...ForUser, contactIds: ContactIds, deleteInGoogle: z.boolean().default(false) }).strict(),
    z.object({ userId: Id, removed: Count, deletedInGoogle: Count, count: Count }),
  ),
  /** Syncs the list now (or, with dryRun, says what it would change, writing nothing). */
  'contactsSync.run': channel('user', z.object({ ...ForUser, dryRun: z.boolean().default(false) }).strict(), ContactsSyncReport),
  /**
   * Stops the user's running contacts sync at its next safe point (between two requests): what
   * Google already did is recorded or found again by the next run (CRM ids on the contacts), the
   * run reports `cancelled`. Same rights as `contactsSync.run`. NOT_FOUND when none is running.
   */
  'contactsSync.cancel': channel('user', z.object(ForUser).strict(), z.object({ userId: Id, cancelled: z.number().int().min(1) })),
  'contactsSync.log': channel(
    'user',
    z.object({ ...ForUser, limit: z.number().int().min(1).max(200).default(50) }).strict(),
    z.array(ContactsSyncRunSummary),
  ),
  'contactsSync.logEntries': channel('user', z.object({ runId: Id }).strict(), z.array(ContactsSyncLogEntry)),
} as const;

export const contactsSyncEvents = {
  /** Progress of a running contacts sync, for a progress bar. */
  onContactsSyncProgress: z.object({
    userId: Id,
    phase: z.enum(['pull', 'push', 'photos', 'done']),
    done: Count,
    total: Count,
  }),
  /** A contacts sync ended. */
  onContactsSyncFinished: z.object({ userId: Id, runId: Id.nullable(), status: z.enum(['ok', 'partial', 'failed', 'cancelled']) }),
  /** A user's sync list changed (added, removed): views showing it should reload. */
  onContactSyncListChanged: z.object({ userId: Id, count: Count }),
} as const;

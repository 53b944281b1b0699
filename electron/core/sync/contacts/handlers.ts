/**
 * The contactSyncList.* and contactsSync.* channels (shared/contract/contactsSync.ts). Rights:
 * one's own list; a colleague's with *Agenda* on them; anyone's for ADM (store.ts:
 * contactsTarget) — the colleague's Google connection is used, its token never leaves the core.
 */
import { z } from 'zod';
import type { ContactsSyncRunSummary } from '../../../../shared/contract';
import { CrmError } from '../../../../shared/errors';
import { defineAsyncHandlers, defineHandlers, nowIso, type AsyncContext } from '../../context';
import { reportedLogText, storedLogText } from '../logText';
import { cancelContactsRuns, cancellableContacts } from './cancel';
import { removeFromList, runContactsSync, type ContactsEngineDeps } from './engine';
import { addToList, assertOnList, candidateIds, candidates, contactsTarget, lastSyncAt, listCount, listItemIds, listItems } from './store';

function deps(ctx: AsyncContext): ContactsEngineDeps {
  return { db: ctx.db, services: ctx.services, now: ctx.now, broadcast: ctx.broadcast };
}

export const contactsSyncAsyncHandlers = defineAsyncHandlers({
  'contactsSync.run': (input, ctx) => {
    const userId = contactsTarget(ctx.db, ctx.user, input.userId);
    // Cancellable from the moment it is asked for, even while waiting for the user's lock.
    return cancellableContacts(ctx.services, userId, async (signal) => {
      const report = await runContactsSync(deps(ctx), { userId, startedBy: ctx.user.id, dryRun: input.dryRun, signal });
      // Decisions and errors carry the code and params the engine built them with (logText.ts).
      return { ...report, decisions: report.decisions.map((d) => ({ ...d, ...reportedLogText(d) })), errors: report.errors.map((e) => ({ ...e, ...reportedLogText(e) })) };
    });
  },

  // Like agendaSync.cancel: does not wait for the runs; each answers its caller with 'cancelled'.
  'contactsSync.cancel': (input, ctx) => {
    const userId = contactsTarget(ctx.db, ctx.user, input.userId);
    const cancelled = cancelContactsRuns(ctx.services, userId);
    if (cancelled === 0) {
      const whose = userId === ctx.user.id ? 'for you' : `for user ${userId}`;
      return Promise.reject(new CrmError('NOT_FOUND', `No contacts sync is running ${whose}: there is nothing to cancel.`));
    }
    ctx.services.logger.log('info', 'contacts sync cancelled', { userId, by: ctx.user.id, runs: cancelled });
    return Promise.resolve({ userId, cancelled });
  },

  'contactSyncList.remove': async (input, ctx) => {
    const userId = contactsTarget(ctx.db, ctx.user, input.userId);
    const ids = assertOnList(ctx.db, userId, input.contactIds);
    const r = await removeFromList(deps(ctx), userId, ids, input.deleteInGoogle);
    const count = listCount(ctx.db, userId);
    ctx.emit('onContactSyncListChanged', { userId, count });
    return { userId, removed: r.removed, deletedInGoogle: r.deletedInGoogle, count };
  },
});

const SummaryJson = z
  .object({
    crm: z.object({ updated: z.number() }),
    google: z.object({ created: z.number(), updated: z.number(), deleted: z.number(), photos: z.number() }),
    conflicts: z.number(),
    errors: z.number(),
  })
  .partial();

export const contactsSyncHandlers = defineHandlers({
  'contactSyncList.items': (input, ctx) => {
    const userId = contactsTarget(ctx.db, ctx.user, input.userId);
    const page = listItems(ctx.db, userId, input.query, input.offset, input.limit);
    return { userId, count: listCount(ctx.db, userId), total: page.total, lastSyncAt: lastSyncAt(ctx.db, userId), items: page.items };
  },

  'contactSyncList.candidates': (input, ctx) => candidates(ctx.db, ctx.user, contactsTarget(ctx.db, ctx.user, input.userId), input.query, input.offset, input.limit),

  'contactSyncList.itemIds': (input, ctx) => {
    const userId = contactsTarget(ctx.db, ctx.user, input.userId);
    return { userId, ids: listItemIds(ctx.db, userId, input.query) };
  },

  'contactSyncList.candidateIds': (input, ctx) => {
    const userId = contactsTarget(ctx.db, ctx.user, input.userId);
    return { userId, ids: candidateIds(ctx.db, ctx.user, userId, input.query) };
  },

  'contactSyncList.add': (input, ctx) => {
    const userId = contactsTarget(ctx.db, ctx.user, input.userId);
    const r = addToList(ctx.db, ctx.user, userId, input.contactIds, nowIso(ctx));
    if (r.added > 0) ctx.emit('onContactSyncListChanged', { userId, count: r.count });
    return { userId, ...r };
  },

  'contactsSync.log': (input, ctx) => {
    const userId = contactsTarget(ctx.db, ctx.user, input.userId);
    const rows = ctx.db
      .prepare("SELECT id, user_id, status, started_at, finished_at, summary FROM sync_runs WHERE user_id = ? AND scope = 'contacts' ORDER BY id DESC LIMIT ?")
      .all(userId, input.limit) as { id: number; user_id: number; status: ContactsSyncRunSummary['status']; started_at: string; finished_at: string | null; summary: string }[];
    return rows.map((r): ContactsSyncRunSummary => {
      const s = SummaryJson.safeParse(JSON.parse(r.summary));
      const sum = s.success ? s.data : {};
      return {
        id: r.id,
        userId: r.user_id,
        status: r.status,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        crm: sum.crm ?? { updated: 0 },
        google: sum.google ?? { created: 0, updated: 0, deleted: 0, photos: 0 },
        conflicts: sum.conflicts ?? 0,
        errors: sum.errors ?? 0,
      };
    });
  },

  'contactsSync.logEntries': (input, ctx) => {
    const run = ctx.db.prepare("SELECT user_id FROM sync_runs WHERE id = ? AND scope = 'contacts'").get(input.runId) as { user_id: number } | undefined;
    if (!run) throw new CrmError('NOT_FOUND', `Contacts sync run ${input.runId} does not exist.`);
    contactsTarget(ctx.db, ctx.user, run.user_id);
    const rows = ctx.db.prepare('SELECT level, crm_id, google_id, message, code, params, created_at FROM sync_log WHERE run_id = ? ORDER BY id').all(input.runId) as {
      level: 'info' | 'warning' | 'error';
      crm_id: number | null;
      google_id: string | null;
      message: string;
      code: string | null;
      params: string | null;
      created_at: string;
    }[];
    // The code and params stored with the line; a row written before migration 0007 is recognised.
    return rows.map((r) => ({ level: r.level, contactId: r.crm_id, googleId: r.google_id, ...storedLogText(r.code, r.params, r.message), at: r.created_at }));
  },
});

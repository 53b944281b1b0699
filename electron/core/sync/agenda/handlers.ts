/**
 * The agendaSync.* channels (shared/contract/agendaSync.ts). Rights (FTC019 §3.6): a user syncs
 * their own agenda; holding *Agenda* on a colleague lets one run, preview and answer that
 * colleague's sync — with the colleague's connection, whose token never leaves the core; ADM
 * may too; anyone else gets FORBIDDEN.
 */
import { z } from 'zod';
import type { LogText, PendingDeletion, SessionUser, SyncReport, SyncTarget } from '../../../../shared/contract';
import { CrmError } from '../../../../shared/errors';
import { getActionRow, toAction } from '../../actions/store';
import { defineAsyncHandlers, defineHandlers, nowIso, type AsyncContext } from '../../context';
import type { Db } from '../../db/database';
import { agendaAccess } from '../../users/access';
import { getGoogleAccount } from '../../google/accounts';
import { getUser, listUsers, rightsOn } from '../../users/store';
import { listCount } from '../contacts/store';
import { redactTitle, reportedLogText, storedLogText } from '../logText';
import { getSyncPrefs } from '../prefs';
import { cancelRuns } from './cancel';
import { resolveDeletions, runAgendaSync, type EngineDeps } from './engine';

/** The user whose agenda sync is acted on: oneself, a colleague one holds Agenda on, or anyone for ADM. */
export function syncTarget(db: Db, viewer: SessionUser, userId: number | undefined): number {
  const id = userId ?? viewer.id;
  if (id !== viewer.id && !viewer.isAdmin && !rightsOn(db, viewer.id, id).agenda) {
    throw new CrmError('FORBIDDEN', `You have no right to synchronise the agenda of user ${id}.`);
  }
  getUser(db, id);
  return id;
}

/** What a colleague's private action is called for someone without *Visible* (the agenda's « Busy »). */
export const BUSY = 'Busy';

/** Private actions of the target, among these ids (one query). */
function privateActions(db: Db, ids: number[]): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = db.prepare(`SELECT id FROM actions WHERE private = 1 AND id IN (${chunk.map(() => '?').join(',')})`).all(...chunk) as { id: number }[];
    for (const r of rows) out.add(r.id);
  }
  return out;
}

/**
 * A report as the caller may read it: a colleague's private actions (unless *Visible*) named
 * « Busy », without details, in the items and the decisions; decisions and errors carry the
 * log code and params (logText.ts) the engine built them with, for the UI.
 */
export function reportFor(db: Db, viewer: SessionUser, report: SyncReport): SyncReport {
  const seePrivate = agendaAccess(db, viewer, report.userId).seePrivate;
  const ids = [...report.decisions.map((d) => d.actionId), ...report.errors.map((e) => e.actionId), ...report.changes.map((c) => c.actionId)].filter((x): x is number => x !== null);
  const hidden = seePrivate ? new Set<number>() : privateActions(db, ids);
  const text = (r: { actionId: number | null; code?: string; params?: LogText['params']; message: string }): LogText => {
    const t = reportedLogText(r);
    return r.actionId !== null && hidden.has(r.actionId) ? redactTitle(t, BUSY) : t;
  };
  return {
    ...report,
    decisions: report.decisions.map((d) => ({ ...d, ...text(d) })),
    errors: report.errors.map((e) => ({ ...e, ...text(e) })),
    changes: report.changes.map((c) =>
      !seePrivate && (c.private || (c.actionId !== null && hidden.has(c.actionId))) ? { ...c, title: BUSY, fields: [], private: true } : c,
    ),
  };
}

export function engineDeps(ctx: AsyncContext): EngineDeps {
  return { db: ctx.db, services: ctx.services, now: ctx.now, broadcast: ctx.broadcast };
}

export const agendaSyncAsyncHandlers = defineAsyncHandlers({
  'agendaSync.run': async (input, ctx) => {
    const report = await runAgendaSync(engineDeps(ctx), { userId: syncTarget(ctx.db, ctx.user, input.userId), startedBy: ctx.user.id, trigger: input.trigger, dryRun: input.dryRun });
    return reportFor(ctx.db, ctx.user, report);
  },

  // Asynchronous only because the runs it stops live with the process's services; it does not
  // wait for them: each run answers its own caller (and onSyncFinished) with status 'cancelled'.
  'agendaSync.cancel': (input, ctx) => {
    const userId = syncTarget(ctx.db, ctx.user, input.userId);
    const cancelled = cancelRuns(ctx.services, userId);
    if (cancelled === 0) {
      const whose = userId === ctx.user.id ? 'for you' : `for user ${userId}`;
      return Promise.reject(new CrmError('NOT_FOUND', `No agenda sync is running ${whose}: there is nothing to cancel.`));
    }
    ctx.services.logger.log('info', 'agenda sync cancelled', { userId, by: ctx.user.id, runs: cancelled });
    return Promise.resolve({ userId, cancelled });
  },

  'agendaSync.resolveDeletions': (input, ctx) =>
    resolveDeletions(engineDeps(ctx), syncTarget(ctx.db, ctx.user, input.userId), ctx.user.id, input.ids, input.decision),
});

const SummaryJson = z
  .object({
    crm: z.object({ created: z.number(), updated: z.number(), deleted: z.number() }),
    google: z.object({ created: z.number(), updated: z.number(), deleted: z.number() }),
    conflicts: z.number(),
    errors: z.number(),
  })
  .partial();

const zero = { created: 0, updated: 0, deleted: 0 };

export const agendaSyncHandlers = defineHandlers({
  'sync.targets': (_input, ctx) => {
    const at = nowIso(ctx);
    const out: SyncTarget[] = [];
    for (const u of listUsers(ctx.db)) {
      const self = u.id === ctx.user.id;
      if (!self && !ctx.user.isAdmin && !rightsOn(ctx.db, ctx.user.id, u.id).agenda) continue;
      const prefs = getSyncPrefs(ctx.db, u.id, at);
      // Only whether a refresh token is held: the token itself is never read here.
      const account = getGoogleAccount(ctx.db, u.id);
      out.push({
        userId: u.id,
        login: u.login,
        displayName: u.display_name,
        isSelf: self,
        connected: account !== null && account.sealedRefreshToken !== null,
        calendarName: prefs.calendarName,
        contactsListed: listCount(ctx.db, u.id),
        conflictRule: prefs.conflictRule,
        seePrivate: agendaAccess(ctx.db, ctx.user, u.id).seePrivate,
      });
    }
    return out.sort((a, b) => Number(b.isSelf) - Number(a.isSelf) || a.displayName.localeCompare(b.displayName, 'fr'));
  },

  'agendaSync.pendingDeletions': (input, ctx) => {
    const userId = syncTarget(ctx.db, ctx.user, input.userId);
    const seePrivate = agendaAccess(ctx.db, ctx.user, userId).seePrivate;
    const rows = ctx.db.prepare('SELECT id, action_id, detected_at FROM pending_deletions WHERE user_id = ? ORDER BY id').all(userId) as {
      id: number;
      action_id: number;
      detected_at: string;
    }[];
    return rows.map((r): PendingDeletion => {
      const a = toAction(getActionRow(ctx.db, r.action_id));
      return { id: r.id, actionId: r.action_id, title: a.private && !seePrivate ? 'Private' : a.title, period: a.period, detectedAt: r.detected_at };
    });
  },

  'agendaSync.log': (input, ctx) => {
    const userId = syncTarget(ctx.db, ctx.user, input.userId);
    const rows = ctx.db
      .prepare("SELECT id, user_id, trigger, status, started_at, finished_at, summary FROM sync_runs WHERE user_id = ? AND scope = 'agenda' ORDER BY id DESC LIMIT ?")
      .all(userId, input.limit) as { id: number; user_id: number; trigger: string; status: string; started_at: string; finished_at: string | null; summary: string }[];
    return rows.map((r) => {
      const s = SummaryJson.safeParse(JSON.parse(r.summary));
      const sum = s.success ? s.data : {};
      return {
        id: r.id,
        userId: r.user_id,
        trigger: r.trigger as 'manual',
        status: r.status as 'ok',
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        crm: sum.crm ?? zero,
        google: sum.google ?? zero,
        conflicts: sum.conflicts ?? 0,
        errors: sum.errors ?? 0,
      };
    });
  },

  'agendaSync.logEntries': (input, ctx) => {
    const run = ctx.db.prepare('SELECT user_id FROM sync_runs WHERE id = ?').get(input.runId) as { user_id: number } | undefined;
    if (!run) throw new CrmError('NOT_FOUND', `Sync run ${input.runId} does not exist.`);
    syncTarget(ctx.db, ctx.user, run.user_id);
    const rows = ctx.db.prepare('SELECT level, crm_id, google_id, message, code, params, created_at FROM sync_log WHERE run_id = ? ORDER BY id').all(input.runId) as {
      level: 'info';
      crm_id: number | null;
      google_id: string | null;
      message: string;
      code: string | null;
      params: string | null;
      created_at: string;
    }[];
    // A colleague's private actions stay « Busy » in the log too, unless the caller holds Visible.
    const seePrivate = agendaAccess(ctx.db, ctx.user, run.user_id).seePrivate;
    const hidden = seePrivate ? new Set<number>() : privateActions(ctx.db, rows.flatMap((r) => (r.crm_id === null ? [] : [r.crm_id])));
    return rows.map((r) => {
      // The code and params stored with the line; a row written before migration 0007 is recognised.
      const t = storedLogText(r.code, r.params, r.message);
      const text = r.crm_id !== null && hidden.has(r.crm_id) ? redactTitle(t, BUSY) : t;
      return { level: r.level, actionId: r.crm_id, googleId: r.google_id, ...text, at: r.created_at };
    });
  },
});

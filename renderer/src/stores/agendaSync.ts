/**
 * Agenda sync as the user sees it (FTC019 §3.3, §3.6): runs started here (startup, manual,
 * from the agenda) or by the core (automatic), their progress for the top bar, the deletions
 * made in Google waiting for an answer, and the sync log.
 */
import { create } from 'zustand';
import type { EventPayload, Output, PendingDeletion, SyncReport } from '../../../shared/contract';
import { CrmError } from '../../../shared/errors';
import { bridge } from '../api/bridge';
import { emptyLog, syncLogSlice, type SyncLogSlice } from './syncLog';

export type RunSummary = Output<'agendaSync.log'>[number];
export type LogEntry = Output<'agendaSync.logEntries'>[number];
export type UiTrigger = 'startup' | 'manual' | 'agenda';

export interface Progress {
  phase: 'pull' | 'push' | 'done';
  done: number;
  total: number;
}

interface AgendaSyncState extends SyncLogSlice<RunSummary, LogEntry> {
  /** The signed-in user (set by the shell): runs without a userId are theirs. */
  selfId: number | null;
  /** Runs in progress, by the user whose agenda is synced. */
  running: Record<number, Progress>;
  /** Cancel was clicked and the runs have not ended yet. */
  cancelling: boolean;
  /** The last manual run or preview started from the Synchronisation screen. */
  report: SyncReport | null;
  reportError: unknown;
  /** A run started here failed before reporting (e.g. Google unreachable), for the top bar. */
  failure: { at: number; error: unknown } | null;
  /** Deletions made in Google, waiting for confirm / keep: the caller's, or a colleague's (pendingFor). */
  pending: PendingDeletion[];
  /** Whose deletions `pending` holds: null for the caller's own. */
  pendingFor: number | null;
  deletionsOpen: boolean;
  resolving: boolean;
  resolveError: unknown;

  begin(selfId: number): void;
  /** Runs the agenda sync for one user (self by default). Resolves with the report, or null on failure. */
  run(trigger: UiTrigger, opts?: { dryRun?: boolean; userId?: number; keepReport?: boolean }): Promise<SyncReport | null>;
  /** Stops every run shown in the progress bar (agendaSync.cancel); each then reports "cancelled". */
  cancel(): Promise<void>;
  onProgress(p: EventPayload<'onSyncProgress'>): void;
  onFinished(p: EventPayload<'onSyncFinished'>): void;
  loadPending(userId?: number): Promise<void>;
  resolve(ids: number[], decision: 'delete' | 'keep'): Promise<boolean>;
  closeDeletions(): void;
  /** Opens the questions again (the user asked for them); a colleague's when userId is given (Agenda right). */
  openDeletions(userId?: number): Promise<void>;
  dismissFailure(): void;
  reset(): void;
}

const initial = {
  selfId: null,
  running: {},
  cancelling: false,
  report: null,
  reportError: null,
  failure: null,
  ...emptyLog,
  pending: [],
  pendingFor: null,
  deletionsOpen: false,
  resolving: false,
  resolveError: null,
};

let pendingSeq = 0;
/** Bumped by reset(): answers to calls made before a logout are dropped. */
let epoch = 0;
/** Pending deletions the user closed the dialog on, this session. */
const postponed = new Set<number>();

export const useAgendaSync = create<AgendaSyncState>()((set, get) => {
  const log = syncLogSlice<RunSummary, LogEntry>(set, get, {
    runs: () => bridge['agendaSync.log']({ limit: 50 }),
    entries: (runId) => bridge['agendaSync.logEntries']({ runId }),
  });
  return {
    ...log.actions,
    ...initial,

    begin(selfId) {
      set({ ...initial, selfId });
    },

    async run(trigger, opts = {}) {
      const mine = epoch;
      const userId = opts.userId ?? get().selfId;
      if (userId === null) return null;
      if (get().running[userId]) return null;
      const dryRun = opts.dryRun ?? false;
      const showsReport = trigger === 'manual';
      set((s) => ({
        running: { ...s.running, [userId]: { phase: 'pull', done: 0, total: 0 } },
        failure: null,
        ...(showsReport ? { reportError: null } : {}),
      }));
      try {
        const input = opts.userId !== undefined && opts.userId !== get().selfId ? { trigger, dryRun, userId: opts.userId } : { trigger, dryRun };
        const report = await bridge['agendaSync.run'](input);
        if (mine !== epoch) return null;
        set((s) => ({ ...ended(s, userId), ...(showsReport ? { report } : {}) }));
        if (!dryRun) {
          void get().loadLog();
          if (userId === get().selfId && report.pendingDeletions > 0) void get().loadPending();
        }
        return report;
      } catch (error) {
        if (mine !== epoch) return null;
        set((s) => ({
          ...ended(s, userId),
          ...(showsReport ? { reportError: error, report: null } : { failure: { at: Date.now(), error } }),
        }));
        return null;
      }
    },

    async cancel() {
      const mine = epoch;
      const { running, selfId, cancelling } = get();
      const userIds = Object.keys(running).map(Number);
      if (cancelling || userIds.length === 0) return;
      set({ cancelling: true });
      await Promise.all(
        userIds.map(async (userId) => {
          try {
            await bridge['agendaSync.cancel'](userId === selfId ? {} : { userId });
          } catch (error) {
            // NOT_FOUND: that run ended meanwhile — what Cancel wanted. Anything else is shown.
            if (mine === epoch && !(error instanceof CrmError && error.code === 'NOT_FOUND')) set({ failure: { at: Date.now(), error } });
          }
        }),
      );
      if (mine === epoch && Object.keys(get().running).length === 0) set({ cancelling: false });
    },

    onProgress(p) {
      // Automatic pushes started by the core show too; a late event after the run ended is ignored.
      if (p.phase === 'done') return;
      // Only the user's own agenda and those they started syncing here.
      if (p.userId !== get().selfId && !(p.userId in get().running)) return;
      set((s) => ({ running: { ...s.running, [p.userId]: { phase: p.phase, done: p.done, total: p.total } } }));
    },

    onFinished(p) {
      set((s) => ended(s, p.userId));
      if (get().runs !== null) void get().loadLog();
      const pendingFor = get().pendingFor;
      if (pendingFor !== null && p.userId === pendingFor && get().deletionsOpen) void get().loadPending(pendingFor);
      else if (p.userId === get().selfId && pendingFor === null && (p.pendingDeletions > 0 || get().deletionsOpen)) void get().loadPending();
    },

    async loadPending(userId) {
      const mine = ++pendingSeq;
      const pendingFor = userId !== undefined && userId !== get().selfId ? userId : null;
      try {
        const pending = await bridge['agendaSync.pendingDeletions'](pendingFor === null ? {} : { userId: pendingFor });
        if (mine !== pendingSeq) return;
        // Deletions the user put off ("Later") are asked again at the next login, not at every sync.
        const fresh = pending.some((d) => !postponed.has(d.id));
        set((s) => ({ pending, pendingFor, deletionsOpen: pending.length > 0 && (fresh || (s.deletionsOpen && s.pendingFor === pendingFor)), resolveError: null }));
      } catch {
        // Asked again at the next sync or login; nothing to show now.
      }
    },

    async resolve(ids, decision) {
      if (ids.length === 0 || get().resolving) return false;
      set({ resolving: true, resolveError: null });
      try {
        const pendingFor = get().pendingFor;
        await bridge['agendaSync.resolveDeletions'](pendingFor === null ? { ids, decision } : { userId: pendingFor, ids, decision });
        const gone = new Set(ids);
        const pending = get().pending.filter((p) => !gone.has(p.id));
        set({ pending, resolving: false, deletionsOpen: pending.length > 0 });
        return true;
      } catch (resolveError) {
        set({ resolving: false, resolveError });
        return false;
      }
    },

    closeDeletions() {
      for (const d of get().pending) postponed.add(d.id);
      set({ deletionsOpen: false, resolveError: null });
    },

    async openDeletions(userId) {
      postponed.clear();
      await get().loadPending(userId);
    },

    dismissFailure() {
      set({ failure: null });
    },

    reset() {
      epoch++;
      log.forget();
      pendingSeq++;
      postponed.clear();
      set(initial);
    },
  };
});

/** A run ended: out of the bar; "cancelling" ends with the last run. */
function ended(s: AgendaSyncState, userId: number): Pick<AgendaSyncState, 'running' | 'cancelling'> {
  const running = without(s.running, userId);
  return { running, cancelling: Object.keys(running).length > 0 && s.cancelling };
}

function without(running: Record<number, Progress>, userId: number): Record<number, Progress> {
  if (!(userId in running)) return running;
  const next = { ...running };
  delete next[userId];
  return next;
}

/**
 * After login: the startup sync (Google → CRM) when the user turned it on and Google is
 * connected, in the background; and the deletions still waiting for an answer.
 */
export async function startupSync(): Promise<void> {
  const mine = epoch;
  const store = useAgendaSync.getState();
  let wanted = false;
  try {
    const [prefs, connection] = await Promise.all([bridge['syncPrefs.get']({}), bridge['google.connection']({})]);
    wanted = prefs.startupSync && connection.connected;
  } catch {
    wanted = false;
  }
  if (mine !== epoch) return;
  if (wanted) {
    // The run's report says whether deletions wait; ask for them even if the run failed.
    const report = await store.run('startup');
    if (mine !== epoch) return;
    if (report && report.pendingDeletions > 0) return;
  }
  await useAgendaSync.getState().loadPending();
}

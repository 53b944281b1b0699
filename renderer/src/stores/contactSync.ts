/**
 * The contact sync list as the user sees it (FTC019 §3.4, issue 6): whose list is shown, a
 * version that moves whenever the list or its contacts change (the views reload the rows they
 * show, a page at a time), adding and removing contacts, "Sync contacts now" with its progress
 * and report, and the contacts sync log.
 *
 * The rows themselves are not kept here: each view pages them in from `contactSyncList.items`
 * as they scroll into sight (lib/usePagedRows), since a list may hold 25,000 contacts.
 */
import { create } from 'zustand';
import type { ContactsSyncLogEntry, ContactsSyncReport, ContactsSyncRunSummary, EventPayload } from '../../../shared/contract';
import { bridge } from '../api/bridge';
import { emptyLog, syncLogSlice, type SyncLogSlice } from './syncLog';

export interface ContactsProgress {
  phase: EventPayload<'onContactsSyncProgress'>['phase'];
  done: number;
  total: number;
}

/** What the last add or remove did, for the line under the list. */
export type ListNotice =
  | { kind: 'added'; added: number; alreadyOnList: number; count: number; names: string[] }
  | { kind: 'removed'; removed: number; deletedInGoogle: number; count: number };

interface ContactSyncState extends SyncLogSlice<ContactsSyncRunSummary, ContactsSyncLogEntry> {
  /** The signed-in user (set by the shell). */
  selfId: number | null;
  /**
   * Whose list is shown. Only one's own today: the preferences have no user picker yet (the
   * manual sync wizard of issue 7 brings one); the core already accepts a colleague's id.
   */
  ownerId: number | null;
  /** Moves when the list or the contacts on it changed: views reload the rows they show. */
  version: number;
  /** The list's size, from the last page read or the last change pushed by the core. */
  count: number | null;
  lastSyncAt: string | null;
  busy: 'add' | 'remove' | null;
  notice: ListNotice | null;
  /** Why the last add or remove was refused (the core's error, shown as it is)… */
  changeError: unknown;
  /** …and the names of the contacts it was about. */
  attempted: string[];
  /** The contacts sync of the shown list running now (started here or elsewhere). */
  running: ContactsProgress | null;
  /** Cancel was pressed and the run has not answered yet. */
  cancelling: boolean;
  report: ContactsSyncReport | null;
  reportError: unknown;
  /** The sync list beside the contact list (Contacts screen), for drag-and-drop. */
  panelOpen: boolean;
  /** A link asked for the card in Préférences: it scrolls itself into view once. */
  reveal: boolean;

  begin(selfId: number): void;
  reset(): void;
  /** The page read says the list holds `count` contacts, last synced at `lastSyncAt`. */
  seen(count: number, lastSyncAt: string | null): void;
  /** Reads the count and last sync time alone (for a summary that shows no rows). */
  loadSummary(): Promise<void>;
  summaryError: unknown;
  /** Puts contacts on the list. `names` (as shown) make the confirmation readable. Resolves true when added. */
  add(contactIds: number[], names?: string[]): Promise<boolean>;
  remove(contactIds: number[], deleteInGoogle: boolean, names?: string[]): Promise<boolean>;
  dismissNotice(): void;
  run(dryRun: boolean): Promise<void>;
  /** Stops the running sync of the shown list (contactsSync.cancel); the run then reports "cancelled". */
  cancel(): Promise<void>;
  setPanelOpen(open: boolean): void;
  onListChanged(p: EventPayload<'onContactSyncListChanged'>): void;
  onContactsChanged(ids: number[]): void;
  onProgress(p: EventPayload<'onContactsSyncProgress'>): void;
  onFinished(p: EventPayload<'onContactsSyncFinished'>): void;
}

const PANEL_KEY = 'crm.contactSyncPanel';

function storedPanel(): boolean {
  try {
    return localStorage.getItem(PANEL_KEY) === '1';
  } catch {
    return false;
  }
}

const initial = {
  selfId: null,
  ownerId: null,
  version: 0,
  count: null,
  lastSyncAt: null,
  summaryError: null,
  busy: null,
  notice: null,
  changeError: null,
  attempted: [],
  running: null,
  cancelling: false,
  report: null,
  reportError: null,
  ...emptyLog,
  reveal: false,
};

/** Bumped by reset(): answers to calls made before a logout are dropped. */
let epoch = 0;

export const useContactSync = create<ContactSyncState>()((set, get) => {
  /** userId for the contract: omitted for one's own list. */
  const forOwner = (): { userId?: number } => {
    const { ownerId, selfId } = get();
    return ownerId !== null && ownerId !== selfId ? { userId: ownerId } : {};
  };
  const bump = () => set((s) => ({ version: s.version + 1 }));
  const log = syncLogSlice<ContactsSyncRunSummary, ContactsSyncLogEntry>(set, get, {
    runs: () => (get().ownerId === null ? null : bridge['contactsSync.log']({ ...forOwner(), limit: 50 })),
    entries: (runId) => bridge['contactsSync.logEntries']({ runId }),
  });

  return {
    ...initial,
    ...log.actions,
    panelOpen: storedPanel(),

    begin(selfId) {
      set({ ...initial, selfId, ownerId: selfId });
    },

    reset() {
      epoch++;
      log.forget();
      set(initial);
    },

    seen(count, lastSyncAt) {
      if (get().count !== count || get().lastSyncAt !== lastSyncAt) set({ count, lastSyncAt });
    },

    async loadSummary() {
      const mine = epoch;
      if (get().ownerId === null) return;
      try {
        const r = await bridge['contactSyncList.items']({ ...forOwner(), limit: 1 });
        if (mine === epoch) set({ count: r.count, lastSyncAt: r.lastSyncAt, summaryError: null });
      } catch (summaryError) {
        if (mine === epoch) set({ summaryError });
      }
    },

    async add(contactIds, names = []) {
      const mine = epoch;
      if (contactIds.length === 0 || get().busy) return false;
      set({ busy: 'add', changeError: null, notice: null, attempted: names });
      try {
        const r = await bridge['contactSyncList.add']({ ...forOwner(), contactIds });
        if (mine !== epoch) return false;
        set({ busy: null, count: r.count, notice: { kind: 'added', added: r.added, alreadyOnList: r.alreadyOnList, count: r.count, names: names.slice(0, 3) } });
        bump();
        return true;
      } catch (changeError) {
        if (mine === epoch) set({ busy: null, changeError });
        return false;
      }
    },

    async remove(contactIds, deleteInGoogle, names = []) {
      const mine = epoch;
      if (contactIds.length === 0 || get().busy) return false;
      set({ busy: 'remove', changeError: null, notice: null, attempted: names });
      try {
        const r = await bridge['contactSyncList.remove']({ ...forOwner(), contactIds, deleteInGoogle });
        if (mine !== epoch) return false;
        set({ busy: null, count: r.count, notice: { kind: 'removed', removed: r.removed, deletedInGoogle: r.deletedInGoogle, count: r.count } });
        bump();
        return true;
      } catch (changeError) {
        if (mine === epoch) set({ busy: null, changeError });
        return false;
      }
    },

    dismissNotice() {
      set({ notice: null, changeError: null, attempted: [] });
    },

    async run(dryRun) {
      const mine = epoch;
      if (get().running || get().ownerId === null) return;
      set({ running: { phase: 'pull', done: 0, total: 0 }, reportError: null });
      try {
        const report = await bridge['contactsSync.run']({ ...forOwner(), dryRun });
        if (mine !== epoch) return;
        set({ running: null, cancelling: false, report });
        if (!dryRun) {
          bump();
          void get().loadLog();
        }
      } catch (reportError) {
        if (mine === epoch) set({ running: null, cancelling: false, reportError, report: null });
      }
    },

    async cancel() {
      const mine = epoch;
      if (!get().running || get().cancelling) return;
      set({ cancelling: true });
      try {
        await bridge['contactsSync.cancel'](forOwner());
      } catch (reportError) {
        // NOT_FOUND: the run ended meanwhile; its own answer clears the bar.
        if (mine === epoch) set({ cancelling: false, reportError });
      }
    },

    setPanelOpen(open) {
      try {
        localStorage.setItem(PANEL_KEY, open ? '1' : '0');
      } catch {
        // private mode: remembered for this session only
      }
      set({ panelOpen: open });
    },

    onListChanged(p) {
      if (p.userId !== get().ownerId) return;
      set({ count: p.count });
      bump();
    },

    onContactsChanged() {
      // A contact's name or fields changed: the rows shown (and their sync state) may have too.
      if (get().ownerId !== null) bump();
    },

    onProgress(p) {
      if (p.userId !== get().ownerId) return;
      // The last event of a run; onFinished (or the run's answer) takes it out of sight.
      if (p.phase === 'done') return;
      set({ running: { phase: p.phase, done: p.done, total: p.total } });
    },

    onFinished(p) {
      if (p.userId !== get().ownerId) return;
      // A run started here ends with its own answer (which carries the report); one started
      // elsewhere (the CLI, another window) ends here.
      set({ running: null });
      bump();
      if (get().runs !== null && p.runId !== null) void get().loadLog();
    },
  };
});

/** Subscribes the store to the core's events for this session; returns the unsubscribe. */
export function followContactSync(selfId: number): () => void {
  useContactSync.getState().begin(selfId);
  const offs = [
    bridge.on('onContactSyncListChanged', (p) => useContactSync.getState().onListChanged(p)),
    bridge.on('onContactsSyncProgress', (p) => useContactSync.getState().onProgress(p)),
    bridge.on('onContactsSyncFinished', (p) => useContactSync.getState().onFinished(p)),
    bridge.on('onContactsChanged', ({ ids }) => useContactSync.getState().onContactsChanged(ids)),
  ];
  return () => {
    for (const off of offs) off();
    useContactSync.getState().reset();
  };
}

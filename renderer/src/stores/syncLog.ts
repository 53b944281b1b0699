/**
 * The sync log as both sync stores hold it (agenda, contacts): the last runs, the run opened and
 * its lines, read when asked. One slice, so that the two logs load, refresh an open run and drop
 * answers that come too late (a newer reading, a logout) the same way.
 */
export type EntriesOf<E> = E[] | 'loading' | { error: unknown };

export interface SyncLogSlice<R, E> {
  runs: R[] | null;
  logLoading: boolean;
  logError: unknown;
  openRunId: number | null;
  entries: Record<number, EntriesOf<E>>;
  /** Reads the last runs again (and the lines of the run opened, which may have grown). */
  loadLog(): Promise<void>;
  /** Opens a run (reading its lines) or closes it. */
  toggleRun(runId: number): void;
}

type LogState<R, E> = Pick<SyncLogSlice<R, E>, 'runs' | 'logLoading' | 'logError' | 'openRunId' | 'entries'>;

export const emptyLog: LogState<never, never> = { runs: null, logLoading: false, logError: null, openRunId: null, entries: {} };

interface Reads<R, E> {
  /** The last runs; null when there is nothing to read yet (no user). */
  runs(): Promise<R[]> | null;
  entries(runId: number): Promise<E[]>;
}

/**
 * The slice's actions for a zustand store whose state includes the log. `forget()` (from the
 * store's reset) makes every answer to a call made before it land nowhere.
 */
export function syncLogSlice<R, E>(
  set: (partial: Partial<SyncLogSlice<R, E>> | ((s: SyncLogSlice<R, E>) => Partial<SyncLogSlice<R, E>>)) => void,
  get: () => SyncLogSlice<R, E>,
  read: Reads<R, E>,
): { actions: Pick<SyncLogSlice<R, E>, 'loadLog' | 'toggleRun'>; forget(): void } {
  let generation = 0;
  let logSeq = 0;

  const loadEntries = async (runId: number) => {
    const mine = generation;
    set((s) => (Array.isArray(s.entries[runId]) ? {} : { entries: { ...s.entries, [runId]: 'loading' } }));
    try {
      const items = await read.entries(runId);
      if (mine === generation) set((s) => ({ entries: { ...s.entries, [runId]: items } }));
    } catch (error) {
      if (mine === generation) set((s) => ({ entries: { ...s.entries, [runId]: { error } } }));
    }
  };

  return {
    forget() {
      generation++;
      logSeq++;
    },
    actions: {
      async loadLog() {
        const pending = read.runs();
        if (pending === null) return;
        const mine = ++logSeq;
        set({ logLoading: true });
        try {
          const runs = await pending;
          if (mine !== logSeq) return;
          const openRunId = get().openRunId;
          set({ runs, logLoading: false, logError: null });
          // A run still open may have new lines since they were read.
          if (openRunId !== null) void loadEntries(openRunId);
        } catch (logError) {
          if (mine === logSeq) set({ logLoading: false, logError });
        }
      },

      toggleRun(runId) {
        if (get().openRunId === runId) {
          set({ openRunId: null });
          return;
        }
        set({ openRunId: runId });
        void loadEntries(runId);
      },
    },
  };
}

import { create } from 'zustand';
import type { Output } from '../../../shared/contract';
import { bridge } from '../api/bridge';

type SyncList = Output<'contactSyncList.get'>;

interface SyncState {
  list: SyncList | null;
  loading: boolean;
  error: unknown;
  load(): Promise<void>;
  reset(): void;
}

let seq = 0;

/** The caller's contact sync list (FTC019 §3.4.1); the sync engine's state comes later. */
export const useSync = create<SyncState>()((set) => ({
  list: null,
  loading: false,
  error: null,
  async load() {
    const mine = ++seq;
    set({ loading: true });
    try {
      const list = await bridge['contactSyncList.get']({});
      if (mine === seq) set({ list, loading: false, error: null });
    } catch (error) {
      if (mine === seq) set({ loading: false, error });
    }
  },
  reset() {
    seq++;
    set({ list: null, loading: false, error: null });
  },
}));

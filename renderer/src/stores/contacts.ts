import { create } from 'zustand';
import type { Contact, ContactSummary } from '../../../shared/contract';
import { bridge } from '../api/bridge';

export const PAGE_SIZE = 50;

interface ContactsState {
  query: string;
  offset: number;
  total: number;
  items: ContactSummary[];
  loading: boolean;
  loaded: boolean;
  error: unknown;
  selectedId: number | null;
  selected: Contact | null;
  detailError: unknown;
  setQuery(query: string): void;
  setPage(offset: number): void;
  reload(): Promise<void>;
  open(id: number | null): Promise<void>;
  refreshChanged(ids: number[]): void;
  reset(): void;
}

let searchSeq = 0;
let detailSeq = 0;

export const useContacts = create<ContactsState>()((set, get) => ({
  query: '',
  offset: 0,
  total: 0,
  items: [],
  loading: false,
  loaded: false,
  error: null,
  selectedId: null,
  selected: null,
  detailError: null,

  setQuery(query) {
    set({ query, offset: 0 });
    void get().reload();
  },

  setPage(offset) {
    set({ offset: Math.max(0, offset) });
    void get().reload();
  },

  async reload() {
    const { query, offset } = get();
    const seq = ++searchSeq;
    set({ loading: true });
    try {
      const page = await bridge['contacts.search']({ query: query.trim(), limit: PAGE_SIZE, offset });
      if (seq !== searchSeq) return;
      set({ total: page.total, items: page.items, loading: false, loaded: true, error: null });
    } catch (error) {
      if (seq !== searchSeq) return;
      set({ loading: false, error });
    }
  },

  async open(id) {
    const seq = ++detailSeq;
    if (id === null) {
      set({ selectedId: null, selected: null, detailError: null });
      return;
    }
    set({ selectedId: id, detailError: null });
    try {
      const contact = await bridge['contacts.get']({ id });
      if (seq === detailSeq) set({ selected: contact });
    } catch (error) {
      if (seq === detailSeq) set({ selected: null, detailError: error });
    }
  },

  refreshChanged(ids) {
    // Any change may add or remove a match (or change the total): reload the page shown.
    const { selectedId } = get();
    void get().reload();
    if (selectedId !== null && ids.includes(selectedId)) void get().open(selectedId);
  },

  reset() {
    searchSeq++;
    detailSeq++;
    set({ query: '', offset: 0, total: 0, items: [], loaded: false, error: null, selectedId: null, selected: null, detailError: null });
  },
}));

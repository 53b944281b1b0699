import { create } from 'zustand';
import type { Rights, UserRecord } from '../../../shared/contract';
import { bridge } from '../api/bridge';

/** Rights being edited for one holder: target id → the rights as ticked, only where they differ from the saved ones. */
export type DraftRights = Record<number, Rights>;

export interface SaveOutcome {
  holderId: number;
  saved: number;
  /** Targets the core refused, with its error (their drafts are kept). */
  failed: Array<{ targetId: number; error: unknown }>;
}

interface RightsState {
  /** Every user with the rights they hold (`users.directory`, ADM only). */
  users: UserRecord[] | null;
  loading: boolean;
  loadError: unknown;
  selectedId: number | null;
  /** Unsaved ticks per holder: kept when another user is selected, so nothing ticked is lost. */
  drafts: Record<number, DraftRights>;
  savingId: number | null;
  /** The last save of each holder (cleared by the next edit of that holder). */
  outcomes: Record<number, SaveOutcome>;
  load(): Promise<void>;
  select(holderId: number): void;
  set(holderId: number, targetId: number, key: keyof Rights, value: boolean): void;
  discard(holderId: number): void;
  save(holderId: number): Promise<void>;
  reset(): void;
}

const NONE: Rights = { visible: false, agenda: false };

/** The saved rights `holder` holds on `targetId`. */
export function savedRights(holder: UserRecord, targetId: number): Rights {
  const r = holder.rights.find((x) => x.targetId === targetId);
  return r ? { visible: r.visible, agenda: r.agenda } : NONE;
}

/** What the screen shows: the draft when there is one, else what is saved. */
export function shownRights(holder: UserRecord, drafts: DraftRights | undefined, targetId: number): Rights {
  return drafts?.[targetId] ?? savedRights(holder, targetId);
}

/** Who may hold rights: everyone but the administrator, who already sees every agenda. */
export function holders(users: UserRecord[]): UserRecord[] {
  return users.filter((u) => !u.isAdmin);
}

let loadSeq = 0;

export const useRights = create<RightsState>()((set, get) => ({
  users: null,
  loading: false,
  loadError: null,
  selectedId: null,
  drafts: {},
  savingId: null,
  outcomes: {},

  async load() {
    const seq = ++loadSeq;
    set({ loading: true, loadError: null });
    try {
      const users = await bridge['users.directory']({});
      if (seq !== loadSeq) return;
      const ids = new Set(holders(users).map((u) => u.id));
      const current = get().selectedId;
      // Drafts of users that no longer exist cannot be saved anywhere: drop them.
      const drafts = Object.fromEntries(Object.entries(get().drafts).filter(([id]) => ids.has(Number(id))));
      set({ users, loading: false, drafts, selectedId: current !== null && ids.has(current) ? current : (holders(users)[0]?.id ?? null) });
    } catch (loadError) {
      if (seq === loadSeq) set({ loading: false, loadError });
    }
  },

  select(holderId) {
    set({ selectedId: holderId });
  },

  set(holderId, targetId, key, value) {
    const holder = get().users?.find((u) => u.id === holderId);
    if (!holder) return;
    const forHolder = { ...(get().drafts[holderId] ?? {}) };
    const next = { ...shownRights(holder, forHolder, targetId), [key]: value };
    const saved = savedRights(holder, targetId);
    if (next.visible === saved.visible && next.agenda === saved.agenda) delete forHolder[targetId];
    else forHolder[targetId] = next;
    const drafts = { ...get().drafts };
    if (Object.keys(forHolder).length > 0) drafts[holderId] = forHolder;
    else delete drafts[holderId];
    const outcomes = { ...get().outcomes };
    delete outcomes[holderId];
    set({ drafts, outcomes });
  },

  discard(holderId) {
    const drafts = { ...get().drafts };
    delete drafts[holderId];
    const outcomes = { ...get().outcomes };
    delete outcomes[holderId];
    set({ drafts, outcomes });
  },

  async save(holderId) {
    const pending = get().drafts[holderId];
    if (get().savingId !== null) return;
    if (!pending || Object.keys(pending).length === 0) {
      set({ outcomes: { ...get().outcomes, [holderId]: { holderId, saved: 0, failed: [] } } });
      return;
    }
    set({ savingId: holderId });
    // One call per colleague (the contract's unit), one after the other: each is its own
    // transaction in the core, so a refused one leaves the others saved and its own tick kept.
    const failed: SaveOutcome['failed'] = [];
    let saved = 0;
    let record: UserRecord | null = null;
    for (const [target, rights] of Object.entries(pending)) {
      const targetId = Number(target);
      try {
        record = await bridge['users.setRights']({ holderId, targetId, visible: rights.visible, agenda: rights.agenda });
        saved++;
      } catch (error) {
        failed.push({ targetId, error });
      }
    }
    const users = record ? (get().users ?? []).map((u) => (u.id === holderId ? (record as UserRecord) : u)) : get().users;
    const kept: DraftRights = {};
    for (const f of failed) {
      const draft = pending[f.targetId];
      if (draft) kept[f.targetId] = draft;
    }
    // Ticks made while saving (none: the checkboxes are disabled meanwhile) would be lost here.
    const drafts = { ...get().drafts };
    if (failed.length > 0) drafts[holderId] = kept;
    else delete drafts[holderId];
    set({ users, drafts, savingId: null, outcomes: { ...get().outcomes, [holderId]: { holderId, saved, failed } } });
  },

  reset() {
    loadSeq++;
    set({ users: null, loading: false, loadError: null, selectedId: null, drafts: {}, savingId: null, outcomes: {} });
  },
}));

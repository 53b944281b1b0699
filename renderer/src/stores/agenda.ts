import { create } from 'zustand';
import type { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns';
import type { Action, ActionPatch, ActionType, ActionView, UserSummary } from '../../../shared/contract';
import { bridge } from '../api/bridge';
import { weekStartOf, zonedInstant } from '../lib/dates';

const SELECTION_KEY = 'crm.agenda.users';

interface AgendaState {
  timeZone: string;
  weekStart: TZDate;
  users: UserSummary[];
  selectedUserIds: number[];
  actionTypes: ActionType[];
  actions: ActionView[];
  loading: boolean;
  error: unknown;
  selectedActionId: number | null;
  /** The selected action in full (`actions.get`): the week only carries what a block shows. */
  detail: Action | null;
  detailError: unknown;
  /** Loads users and action types, restores the picked agendas, then the week. */
  init(timeZone: string, selfId: number): Promise<void>;
  reload(): Promise<void>;
  shiftWeek(weeks: number): void;
  goToday(): void;
  toggleUser(id: number): void;
  select(actionId: number | null): void;
  /**
   * Saves an edit from the detail panel (`actions.update`); throws the core's error (the panel
   * shows it next to its field and keeps what was typed). An action moved to another week is
   * followed there, so it stays selected and in view.
   */
  saveAction(id: number, patch: ActionPatch): Promise<Action>;
  reset(): void;
}

let requestSeq = 0;
let detailSeq = 0;

function storedSelection(selfId: number): number[] | null {
  try {
    const raw = localStorage.getItem(`${SELECTION_KEY}.${selfId}`);
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    return Array.isArray(parsed) && parsed.every((n) => typeof n === 'number') ? (parsed as number[]) : null;
  } catch {
    return null;
  }
}

export const useAgenda = create<AgendaState>()((set, get) => ({
  timeZone: 'Europe/Paris',
  weekStart: weekStartOf(Date.now(), 'Europe/Paris'),
  users: [],
  selectedUserIds: [],
  actionTypes: [],
  actions: [],
  loading: false,
  error: null,
  selectedActionId: null,
  detail: null,
  detailError: null,

  async init(timeZone, selfId) {
    set({ timeZone, weekStart: weekStartOf(Date.now(), timeZone), loading: true, error: null });
    try {
      const [users, actionTypes] = await Promise.all([bridge['users.list']({}), bridge['actionTypes.list']({})]);
      const ids = new Set(users.map((u) => u.id));
      const kept = (storedSelection(selfId) ?? []).filter((id) => ids.has(id));
      const self = users.find((u) => u.isSelf)?.id ?? selfId;
      set({ users, actionTypes, selectedUserIds: kept.length > 0 ? kept : [self] });
    } catch (error) {
      set({ loading: false, error });
      return;
    }
    await get().reload();
  },

  async reload() {
    const { selectedUserIds, weekStart } = get();
    const seq = ++requestSeq;
    if (selectedUserIds.length === 0) {
      set({ actions: [], loading: false, error: null });
      return;
    }
    set({ loading: true });
    try {
      const actions = await bridge['actions.list']({
        userIds: selectedUserIds,
        from: new Date(+weekStart).toISOString(),
        to: new Date(+addDays(weekStart, 7)).toISOString(),
      });
      if (seq !== requestSeq) return;
      const selected = get().selectedActionId;
      const stillShown = selected !== null && actions.some((a) => a.id === selected);
      set({ actions, loading: false, error: null });
      if (selected !== null) get().select(stillShown ? selected : null);
    } catch (error) {
      if (seq !== requestSeq) return;
      set({ loading: false, error });
    }
  },

  shiftWeek(weeks) {
    set({ weekStart: addDays<TZDate, TZDate>(get().weekStart, weeks * 7) });
    get().select(null);
    void get().reload();
  },

  goToday() {
    set({ weekStart: weekStartOf(Date.now(), get().timeZone) });
    get().select(null);
    void get().reload();
  },

  toggleUser(id) {
    const { selectedUserIds, users } = get();
    const next = selectedUserIds.includes(id) ? selectedUserIds.filter((u) => u !== id) : [...selectedUserIds, id];
    // Keep the picker's order (self first) for the sub-columns.
    const order = new Map(users.map((u, i) => [u.id, i]));
    next.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    set({ selectedUserIds: next });
    const self = users.find((u) => u.isSelf);
    if (self) {
      try {
        localStorage.setItem(`${SELECTION_KEY}.${self.id}`, JSON.stringify(next));
      } catch {
        // not kept
      }
    }
    void get().reload();
  },

  select(actionId) {
    const seq = ++detailSeq;
    const card = actionId === null ? undefined : get().actions.find((a) => a.id === actionId);
    const keep = get().detail?.id === actionId ? get().detail : null;
    set({ selectedActionId: actionId, detail: keep, detailError: null });
    if (!card || card.kind !== 'full') return;
    bridge['actions.get']({ id: card.id }).then(
      (detail) => {
        if (seq === detailSeq) set({ detail });
      },
      (detailError: unknown) => {
        if (seq === detailSeq) set({ detail: null, detailError });
      },
    );
  },

  async saveAction(id, patch) {
    const saved = await bridge['actions.update']({ id, patch });
    const { weekStart, timeZone, selectedActionId } = get();
    if (selectedActionId === id) set({ detail: saved, detailError: null });
    const start = Date.parse(saved.period.allDay ? (zonedInstant(saved.period.startDate, '12:00', timeZone) ?? '') : saved.period.start);
    const shown = Number.isNaN(start) || (start >= +weekStart && start < +addDays(weekStart, 7));
    if (!shown) set({ weekStart: weekStartOf(start, timeZone) });
    await get().reload();
    return saved;
  },

  reset() {
    requestSeq++;
    detailSeq++;
    set({ users: [], selectedUserIds: [], actions: [], actionTypes: [], selectedActionId: null, detail: null, detailError: null, error: null, loading: false });
  },
}));

import { create } from 'zustand';
import type { TZDate } from '@date-fns/tz';
import { TZDate as TZ, tz } from '@date-fns/tz';
import { addDays, addMonths, differenceInCalendarDays, startOfDay, startOfMonth, endOfMonth, startOfWeek } from 'date-fns';
import type { Action, ActionDraft, ActionPatch, ActionType, ActionView, Period, UserSummary } from '../../../shared/contract';
import { bridge } from '../api/bridge';
import { weekStartOf, zonedInstant } from '../lib/dates';

const SELECTION_KEY = 'crm.agenda.users';
const VIEW_KEY = 'crm.agenda.view';

export type AgendaViewKind = 'day' | 'week' | 'month';
export const AGENDA_VIEWS: readonly AgendaViewKind[] = ['day', 'week', 'month'];

/** The days a view shows around `anchor` (a zoned midnight): its first day and how many. */
export function rangeOf(view: AgendaViewKind, anchor: TZDate, zone: string): { start: TZDate; days: number } {
  if (view === 'day') return { start: startOfDay(anchor, { in: tz(zone) }), days: 1 };
  if (view === 'week') return { start: weekStartOf(anchor, zone), days: 7 };
  // Month: whole weeks (Monday first) from the one holding the 1st to the one holding the last day.
  const first = startOfWeek(startOfMonth(anchor, { in: tz(zone) }), { weekStartsOn: 1, in: tz(zone) });
  const last = endOfMonth(anchor, { in: tz(zone) });
  const days = (Math.floor(differenceInCalendarDays(last, first, { in: tz(zone) }) / 7) + 1) * 7;
  return { start: first, days };
}

/** A new action's prefilled form: whose agenda and which slot (from a double-click on the grid). */
export interface NewActionSlot {
  ownerId: number;
  period: Period;
}

interface AgendaState {
  timeZone: string;
  view: AgendaViewKind;
  /** Midnight of the day the view is about (the day shown, a day of the week or of the month). */
  anchor: TZDate;
  /** First day shown and how many (derived from view + anchor). */
  rangeStart: TZDate;
  rangeDays: number;
  /** Kept for callers that think in weeks: the Monday of the anchor's week. */
  weekStart: TZDate;
  /** The range the actions were loaded for (`yyyy-MM-ddTHH…` of its start), set with them. */
  loadedFrom: string;
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
  /** Previous / next period of the current view (a day, a week, a month). */
  shift(periods: number): void;
  goToday(): void;
  /** Another view, remembered for this user. */
  setView(view: AgendaViewKind): void;
  /** Opens a day (month's « +N more », a day header). */
  openDay(instant: number): void;
  /** Moves or resizes an action from the grid: shown at once, saved with actions.update; reverted on refusal. */
  moveAction(id: number, period: Period): Promise<void>;
  /** The creation form open on a slot, or null. */
  newAction: NewActionSlot | null;
  startNew(slot: NewActionSlot | null): void;
  createAction(draft: ActionDraft): Promise<Action>;
  /** The last grid edit the core refused (shown above the grid). */
  moveError: unknown;
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

function storedView(selfId: number): AgendaViewKind | null {
  try {
    const raw = localStorage.getItem(`${VIEW_KEY}.${selfId}`);
    return AGENDA_VIEWS.includes(raw as AgendaViewKind) ? (raw as AgendaViewKind) : null;
  } catch {
    return null;
  }
}

function withAnchor(view: AgendaViewKind, anchor: TZDate, zone: string) {
  const r = rangeOf(view, anchor, zone);
  return { view, anchor, rangeStart: r.start, rangeDays: r.days, weekStart: weekStartOf(anchor, zone) };
}

const todayAnchor = (zone: string) => startOfDay(new TZ(Date.now(), zone), { in: tz(zone) });

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
  ...withAnchor('week', todayAnchor('Europe/Paris'), 'Europe/Paris'),
  loadedFrom: '',
  newAction: null,
  moveError: null,
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
    set({ timeZone, ...withAnchor(storedView(selfId) ?? 'week', todayAnchor(timeZone), timeZone), loading: true, error: null });
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
    const { selectedUserIds, rangeStart, rangeDays } = get();
    const seq = ++requestSeq;
    const from = new Date(+rangeStart).toISOString();
    if (selectedUserIds.length === 0) {
      set({ actions: [], loading: false, error: null, loadedFrom: from });
      return;
    }
    set({ loading: true });
    try {
      const actions = await bridge['actions.list']({
        userIds: selectedUserIds,
        from,
        to: new Date(+addDays(rangeStart, rangeDays)).toISOString(),
      });
      if (seq !== requestSeq) return;
      const selected = get().selectedActionId;
      const stillShown = selected !== null && actions.some((a) => a.id === selected);
      set({ actions, loading: false, error: null, loadedFrom: from });
      if (selected !== null) get().select(stillShown ? selected : null);
    } catch (error) {
      if (seq !== requestSeq) return;
      set({ loading: false, error });
    }
  },

  shiftWeek(weeks) {
    const { view, anchor, timeZone } = get();
    set(withAnchor(view, addDays<TZDate, TZDate>(anchor, weeks * 7), timeZone));
    get().select(null);
    void get().reload();
  },

  shift(periods) {
    const { view, anchor, timeZone } = get();
    const next = view === 'day' ? addDays<TZDate, TZDate>(anchor, periods) : view === 'week' ? addDays<TZDate, TZDate>(anchor, periods * 7) : addMonths<TZDate, TZDate>(startOfMonth(anchor, { in: tz(timeZone) }), periods);
    set(withAnchor(view, next, timeZone));
    get().select(null);
    void get().reload();
  },

  goToday() {
    const { view, timeZone } = get();
    set(withAnchor(view, todayAnchor(timeZone), timeZone));
    get().select(null);
    void get().reload();
  },

  setView(view) {
    const { anchor, timeZone, users, view: was } = get();
    if (view === was) return;
    set(withAnchor(view, anchor, timeZone));
    const self = users.find((u) => u.isSelf);
    if (self) {
      try {
        localStorage.setItem(`${VIEW_KEY}.${self.id}`, view);
      } catch {
        // not kept
      }
    }
    void get().reload();
  },

  openDay(instant) {
    const { timeZone, users } = get();
    set(withAnchor('day', startOfDay(new TZ(instant, timeZone), { in: tz(timeZone) }), timeZone));
    const self = users.find((u) => u.isSelf);
    if (self) {
      try {
        localStorage.setItem(`${VIEW_KEY}.${self.id}`, 'day');
      } catch {
        // not kept
      }
    }
    get().select(null);
    void get().reload();
  },

  async moveAction(id, period) {
    const before = get().actions;
    const card = before.find((a) => a.id === id);
    if (!card) return;
    // Shown moved at once; the reload after the save (or the revert) brings the core's truth.
    set({ actions: before.map((a) => (a.id === id ? { ...a, period } : a)), moveError: null });
    try {
      const saved = await bridge['actions.update']({ id, patch: { period } });
      if (get().selectedActionId === id) set({ detail: saved, detailError: null });
    } catch (moveError) {
      set({ moveError });
    }
    await get().reload();
  },

  startNew(slot) {
    if (slot) get().select(null);
    set({ newAction: slot });
  },

  async createAction(draft) {
    const created = await bridge['actions.create'](draft);
    set({ newAction: null });
    await get().reload();
    get().select(created.id);
    return created;
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
    const { rangeStart, rangeDays, timeZone, selectedActionId, view } = get();
    if (selectedActionId === id) set({ detail: saved, detailError: null });
    const start = Date.parse(saved.period.allDay ? (zonedInstant(saved.period.startDate, '12:00', timeZone) ?? '') : saved.period.start);
    const shown = Number.isNaN(start) || (start >= +rangeStart && start < +addDays(rangeStart, rangeDays));
    if (!shown) set(withAnchor(view, startOfDay(new TZ(start, timeZone), { in: tz(timeZone) }), timeZone));
    await get().reload();
    return saved;
  },

  reset() {
    requestSeq++;
    detailSeq++;
    set({ users: [], selectedUserIds: [], actions: [], actionTypes: [], selectedActionId: null, detail: null, detailError: null, error: null, loading: false, newAction: null, moveError: null, loadedFrom: '' });
  },
}));

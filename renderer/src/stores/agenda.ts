import { create } from 'zustand';
import type { TZDate } from '@date-fns/tz';
import { TZDate as TZ, tz } from '@date-fns/tz';
import { addDays, addMonths, differenceInCalendarDays, startOfDay, startOfMonth, endOfMonth, startOfWeek } from 'date-fns';
import type { Action, ActionDraft, ActionPatch, ActionType, ActionView, Period, UserSummary } from '../../../shared/contract';
import { bridge } from '../api/bridge';
import { weekStartOf, zonedInstant } from '../lib/dates';
import { daysFrom, layoutDaysCached } from '../lib/weekLayout';

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
  /**
   * The viewer's rights changed (ADM granted or took one): the colleagues they may show are read
   * again; an agenda no longer theirs to see leaves the selection; the period is loaded again.
   */
  refreshUsers(): Promise<void>;
  /** Something changed: forgets the periods kept and loads the one shown again. */
  reload(): Promise<void>;
  /** Shows the current period: at once when it was kept (fetched again if old), else loaded. */
  refresh(): Promise<void>;
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

/**
 * Periods already loaded, by agendas and range: a move to a period held here only renders. After
 * each load the previous and next periods are fetched in the background, so PageUp / PageDown
 * (and the arrows of the toolbar) find theirs here. Any change reported (`reload`: the core's
 * onActionsChanged, a sync that finished, our own edits) empties it; an entry older than
 * `FRESH_MS` is still shown at once, then fetched again and replaced if it differs.
 */
interface Loaded {
  actions: ActionView[];
  at: number;
}
const FRESH_MS = 30_000;
const CACHE_SIZE = 9;
const periods = new Map<string, Loaded>();
const inflight = new Map<string, Promise<ActionView[]>>();
/** Bumped by every invalidation: a reply to a request sent before it is not kept. */
let generation = 0;
let prefetchTimer: ReturnType<typeof setTimeout> | null = null;
/** The latest prefetch asked for: an earlier one still waiting for its frame does not run. */
let prefetchToken = 0;

interface PeriodRequest {
  key: string;
  userIds: number[];
  from: string;
  to: string;
}

function periodRequest(userIds: readonly number[], start: TZDate, days: number): PeriodRequest {
  const from = new Date(+start).toISOString();
  const to = new Date(+addDays(start, days)).toISOString();
  return { key: `${userIds.join(',')}|${from}|${to}`, userIds: [...userIds], from, to };
}

function remember(key: string, actions: ActionView[], at: number): void {
  periods.delete(key);
  periods.set(key, { actions, at });
  while (periods.size > CACHE_SIZE) periods.delete(periods.keys().next().value as string);
}

/**
 * The period held for `key`, made the last to be dropped (least recently used first, not first
 * fetched): paging back and forth over more periods than are kept then drops the far ones, not
 * the one about to be shown again (which would be fetched again, its reply parsed and laid out
 * while the user moves).
 */
function heldPeriod(key: string): Loaded | undefined {
  const held = periods.get(key);
  if (held) {
    periods.delete(key);
    periods.set(key, held);
  }
  return held;
}

/** The period's actions: from a request already on its way, or a new one (kept when it answers). */
function fetchPeriod(req: PeriodRequest): Promise<ActionView[]> {
  const pending = inflight.get(req.key);
  if (pending) return pending;
  const gen = generation;
  const at = Date.now();
  const p = bridge['actions.list']({ userIds: req.userIds, from: req.from, to: req.to }).then(
    (actions) => {
      if (inflight.get(req.key) === p) inflight.delete(req.key);
      if (gen === generation) remember(req.key, actions, at);
      return actions;
    },
    (error: unknown) => {
      if (inflight.get(req.key) === p) inflight.delete(req.key);
      throw error;
    },
  );
  inflight.set(req.key, p);
  return p;
}

function forgetPeriods(): void {
  generation++;
  periods.clear();
  inflight.clear();
  if (prefetchTimer !== null) clearTimeout(prefetchTimer);
  prefetchTimer = null;
  prefetchToken++;
}

const sameAction = (a: ActionView, b: ActionView): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * `next` with the objects of `prev` kept where an action did not change, so the grid's memoised
 * blocks skip them; `prev` itself when nothing changed at all.
 */
export function keepUnchanged(prev: readonly ActionView[], next: ActionView[]): ActionView[] {
  if (prev === next) return next;
  const byId = new Map(prev.map((a) => [a.id, a]));
  let same = prev.length === next.length;
  const out = next.map((a, i) => {
    const old = byId.get(a.id);
    if (old && sameAction(old, a)) {
      if (prev[i] !== old) same = false;
      return old;
    }
    same = false;
    return a;
  });
  return same ? (prev as ActionView[]) : out;
}

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

  async refreshUsers() {
    let users: UserSummary[];
    try {
      users = await bridge['users.list']({});
    } catch (error) {
      set({ error });
      return;
    }
    const ids = new Set(users.map((u) => u.id));
    const kept = get().selectedUserIds.filter((id) => ids.has(id));
    const self = users.find((u) => u.isSelf)?.id;
    set({ users, selectedUserIds: kept.length > 0 || self === undefined ? kept : [self] });
    await get().reload();
  },

  async reload() {
    // Something changed (an edit, a sync, another window): what was kept may be out of date.
    forgetPeriods();
    await get().refresh();
  },

  refresh() {
    return show();
  },

  shiftWeek(weeks) {
    const { view, anchor, timeZone } = get();
    void show({ ...withAnchor(view, addDays<TZDate, TZDate>(anchor, weeks * 7), timeZone), ...unselected() });
  },

  shift(n) {
    const { view, anchor, timeZone } = get();
    void show({ ...withAnchor(view, shiftedAnchor(view, anchor, n, timeZone), timeZone), ...unselected() });
  },

  goToday() {
    const { view, timeZone } = get();
    void show({ ...withAnchor(view, todayAnchor(timeZone), timeZone), ...unselected() });
  },

  setView(view) {
    const { anchor, timeZone, users, view: was } = get();
    if (view === was) return;
    const self = users.find((u) => u.isSelf);
    if (self) {
      try {
        localStorage.setItem(`${VIEW_KEY}.${self.id}`, view);
      } catch {
        // not kept
      }
    }
    void show(withAnchor(view, anchor, timeZone));
  },

  openDay(instant) {
    const { timeZone, users } = get();
    const self = users.find((u) => u.isSelf);
    if (self) {
      try {
        localStorage.setItem(`${VIEW_KEY}.${self.id}`, 'day');
      } catch {
        // not kept
      }
    }
    void show({ ...withAnchor('day', startOfDay(new TZ(instant, timeZone), { in: tz(timeZone) }), timeZone), ...unselected() });
  },

  async moveAction(id, period) {
    const before = get().actions;
    const card = before.find((a) => a.id === id);
    if (!card) return;
    // Shown moved at once; the reload after the save (or the revert) brings the core's truth. A
    // listing already on its way (a reload, a period fetched ahead) was read before this edit:
    // its reply must not put the block back where it was meanwhile.
    requestSeq++;
    forgetPeriods();
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
    const self = users.find((u) => u.isSelf);
    if (self) {
      try {
        localStorage.setItem(`${SELECTION_KEY}.${self.id}`, JSON.stringify(next));
      } catch {
        // not kept
      }
    }
    void show({ selectedUserIds: next });
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
    forgetPeriods();
    set({ users: [], selectedUserIds: [], actions: [], actionTypes: [], selectedActionId: null, detail: null, detailError: null, error: null, loading: false, newAction: null, moveError: null, loadedFrom: '' });
  },
}));

/** The anchor `n` periods of `view` away (a day, a week, the 1st of a month). */
function shiftedAnchor(view: AgendaViewKind, anchor: TZDate, n: number, zone: string): TZDate {
  if (view === 'day') return addDays<TZDate, TZDate>(anchor, n);
  if (view === 'week') return addDays<TZDate, TZDate>(anchor, n * 7);
  return addMonths<TZDate, TZDate>(startOfMonth(anchor, { in: tz(zone) }), n);
}

/** No action selected (a move to another period drops the selection). */
function unselected(): Pick<AgendaState, 'selectedActionId' | 'detail' | 'detailError'> {
  detailSeq++;
  return { selectedActionId: null, detail: null, detailError: null };
}

/** The state once `actions` of the period from `from` arrived: unchanged actions keep their objects. */
function loaded(actions: ActionView[], from: string, next: Partial<AgendaState>): Partial<AgendaState> {
  const st = useAgenda.getState();
  const selected = next.selectedActionId !== undefined ? next.selectedActionId : st.selectedActionId;
  // Another day or week: the grid replaces every column whole (keyed by the period), so keeping
  // objects of the one before buys nothing, and the listing stays the very array laid out ahead
  // (see schedulePrefetch). The same period again, or a month (its grid keeps its cells): keep.
  const kept = from !== st.loadedFrom && st.view !== 'month' && (next.view ?? st.view) !== 'month' ? actions : keepUnchanged(st.actions, actions);
  const out: Partial<AgendaState> = { ...next, actions: kept, loading: false, error: null, loadedFrom: from };
  if (selected !== null && !kept.some((a) => a.id === selected)) Object.assign(out, unselected());
  return out;
}

/** Whether applying `patch` changes anything in the state (a set always notifies, and renders). */
function changes(patch: Partial<AgendaState>): boolean {
  const st = useAgenda.getState() as unknown as Record<string, unknown>;
  return Object.entries(patch).some(([k, v]) => !Object.is(st[k], v));
}

/**
 * Shows the period of the state with `next` applied, in one render when it was kept (or became
 * so): the toolbar, the grid and its actions change together. Otherwise the new period shows at
 * once, loading, and its actions when they arrive.
 */
async function show(next: Partial<AgendaState> = {}): Promise<void> {
  const set = useAgenda.setState;
  const st = { ...useAgenda.getState(), ...next };
  const seq = ++requestSeq;
  const req = periodRequest(st.selectedUserIds, st.rangeStart, st.rangeDays);
  if (st.selectedUserIds.length === 0) {
    set({ ...next, actions: [], loading: false, error: null, loadedFrom: req.from });
    return;
  }
  const held = heldPeriod(req.key);
  if (held) {
    // Back on a period already shown as it is (the agenda opened again): no new state, no render.
    const patch = loaded(held.actions, req.from, next);
    if (changes(patch)) set(patch);
    if (Date.now() - held.at < FRESH_MS) {
      schedulePrefetch();
      return;
    }
    periods.delete(req.key);
  } else set({ ...next, loading: true });
  try {
    const actions = await fetchPeriod(req);
    if (seq !== requestSeq) return;
    const selected = useAgenda.getState().selectedActionId;
    set(loaded(actions, req.from, {}));
    // The detail panel follows what the core now says about the selected action.
    if (selected !== null && useAgenda.getState().selectedActionId === selected) useAgenda.getState().select(selected);
    schedulePrefetch();
  } catch (error) {
    if (seq !== requestSeq) return;
    set({ loading: false, error });
  }
}

/**
 * The agendas the grid shows, in the order picked: those picked that the store knows. One
 * definition for the view and for the layout done ahead, whose cache key they must match.
 */
export function shownUsersOf(selectedUserIds: readonly number[], users: readonly UserSummary[]): UserSummary[] {
  const byId = new Map(users.map((u) => [u.id, u]));
  return selectedUserIds.map((id) => byId.get(id)).filter((u): u is UserSummary => !!u);
}

/**
 * Lays out a period fetched ahead while the browser is idle, as the grid will ask for it
 * (`layoutDaysCached`: same listing, days, agendas and zone), so moving there only renders.
 */
function layOutAhead(actions: ActionView[], start: TZDate, days: number): void {
  const idle = typeof requestIdleCallback === 'function' ? (cb: () => void) => requestIdleCallback(cb, { timeout: 500 }) : (cb: () => void) => setTimeout(cb, 0);
  idle(() => {
    const st = useAgenda.getState();
    const userIds = shownUsersOf(st.selectedUserIds, st.users).map((u) => u.id);
    if (userIds.length === 0) return;
    const range = daysFrom(start, days);
    layoutDaysCached(actions, range.bounds, range.keys, userIds, st.timeZone);
  });
}

/**
 * The next and previous periods, fetched once the frame showing this one is drawn (their replies
 * are parsed between frames, not before this one).
 */
function schedulePrefetch(): void {
  if (prefetchTimer !== null) clearTimeout(prefetchTimer);
  const run = () => {
    prefetchTimer = null;
    const st = useAgenda.getState();
    if (st.selectedUserIds.length === 0) return;
    const around = [1, -1].map((n) => {
      const r = rangeOf(st.view, shiftedAnchor(st.view, st.anchor, n, st.timeZone), st.timeZone);
      return { r, req: periodRequest(st.selectedUserIds, r.start, r.days) };
    });
    const gen = generation;
    void (async () => {
      for (const { r, req } of around) {
        const held = heldPeriod(req.key);
        let actions = held?.actions;
        if (gen !== generation) continue;
        if (!held || Date.now() - held.at >= FRESH_MS) {
          try {
            actions = await fetchPeriod(req);
          } catch {
            // Only a head start: the move itself will ask again and show the error.
            continue;
          }
        }
        if (actions && st.view !== 'month') layOutAhead(actions, r.start, r.days);
      }
    })();
  };
  const token = ++prefetchToken;
  const frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (cb: () => void) => setTimeout(cb, 16);
  frame(() => {
    if (token === prefetchToken) prefetchTimer = setTimeout(run, 0);
  });
}

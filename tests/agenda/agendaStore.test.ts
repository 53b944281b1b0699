/**
 * The agenda store's periods (renderer/src/stores/agenda.ts): the periods before and after the one
 * shown are fetched in the background, a move to one of them renders what is held without a
 * request, a reported change (`reload`) forgets them all, and actions that did not change keep
 * their objects (the grid's memoised blocks skip them). The bridge is a stand-in that records the
 * calls; the store runs as in the renderer.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ActionView } from '../../shared/contract';

const fake = vi.hoisted(() => ({
  calls: [] as Array<{ userIds: number[]; from: string; to: string }>,
  /** Titles changed by "another window" before the next listing. */
  renamed: new Map<number, string>(),
  /** The last listing returned for each period start. */
  returned: new Map<string, unknown>(),
}));

/** Two actions per period, with ids derived from its start, so each period has its own. */
function actionsOf(from: string): ActionView[] {
  const base = Math.floor(Date.parse(from) / 86_400_000);
  return [0, 1].map((i) => ({
    kind: 'full',
    id: base * 10 + i,
    ownerId: 1,
    typeId: 1,
    title: fake.renamed.get(base * 10 + i) ?? `Action ${base * 10 + i}`,
    location: '',
    period: { allDay: false, start: new Date(Date.parse(from) + (i + 9) * 3_600_000).toISOString(), end: new Date(Date.parse(from) + (i + 10) * 3_600_000).toISOString() },
    private: false,
    seriesId: null,
    sync: null,
  }));
}

vi.mock('../../renderer/src/api/bridge', () => ({
  bridge: {
    'users.list': async () => [{ id: 1, login: 'MS', displayName: 'Mégane Sanchez', isSelf: true, rights: { visible: false, agenda: false } }],
    'actionTypes.list': async () => [{ id: 1, code: 'RDV', label: 'Rendez-vous', color: '#1e88e5' }],
    'actions.list': async (input: { userIds: number[]; from: string; to: string }) => {
      fake.calls.push(input);
      const listing = actionsOf(input.from);
      fake.returned.set(input.from, listing);
      return listing;
    },
    'actions.get': async () => {
      throw new Error('not used');
    },
  },
}));

// The store formats no text; the i18n module (which touches the DOM) is not needed.
vi.mock('../../renderer/src/i18n', () => ({ currentLanguage: () => 'fr', dateLocale: () => undefined }));

const { useAgenda, keepUnchanged } = await import('../../renderer/src/stores/agenda');

const froms = () => fake.calls.map((c) => c.from);
const weekFrom = (offset: number) => new Date(+useAgenda.getState().rangeStart + offset * 7 * 86_400_000).toISOString();

beforeEach(async () => {
  fake.calls.length = 0;
  fake.renamed.clear();
  fake.returned.clear();
  useAgenda.getState().reset();
  await useAgenda.getState().init('Europe/Paris', 1);
  useAgenda.getState().setView('week');
});
afterEach(() => useAgenda.getState().reset());

describe('agenda periods', () => {
  it('fetches the next and previous weeks after the one shown; moving there renders without a request', async () => {
    const current = weekFrom(0);
    const next = weekFrom(1);
    const previous = weekFrom(-1);
    expect(useAgenda.getState().loadedFrom).toBe(current);
    // The period shown, then the next and the previous in the background.
    await vi.waitFor(() => expect(froms()).toEqual([current, next, previous]));

    useAgenda.getState().shift(1);
    // At once, in the same update: the next week and its actions, nothing asked.
    const st = useAgenda.getState();
    expect(st.loadedFrom).toBe(next);
    expect(st.loading).toBe(false);
    expect(st.actions.map((a) => a.id)).toEqual(actionsOf(next).map((a) => a.id));
    expect(new Date(+st.rangeStart).toISOString()).toBe(next);
    // Then the week after it (the one before is held already).
    await vi.waitFor(() => expect(froms()).toHaveLength(4));
    expect(froms()[3]).toBe(weekFrom(1));

    useAgenda.getState().shift(-1);
    expect(useAgenda.getState().loadedFrom).toBe(current);
    await new Promise((r) => setTimeout(r, 50));
    expect(froms()).toHaveLength(4);
  });

  it('a period shown again is kept over those fetched before it and not used since (least recently used dropped first)', async () => {
    const start = useAgenda.getState().loadedFrom;
    await vi.waitFor(() => expect(froms()).toHaveLength(3));
    const settle = () => new Promise((r) => setTimeout(r, 100));
    // Out to weeks further and further ahead and back each time: more weeks than are kept in all.
    for (const n of [2, 5, 8]) {
      useAgenda.getState().shift(n);
      await vi.waitFor(() => expect(useAgenda.getState().loading).toBe(false));
      await settle();
      const calls = froms().length;
      useAgenda.getState().shift(-n);
      // The first week was shown again each time: still held, shown at once, not asked for again.
      expect(useAgenda.getState().loadedFrom).toBe(start);
      expect(useAgenda.getState().loading).toBe(false);
      await settle();
      expect(froms()).toHaveLength(calls);
    }
    expect(froms().filter((f) => f === start)).toHaveLength(1);
  });

  it('a move to a week fetched ahead shows the very listing fetched (the one laid out ahead), not a copy', async () => {
    await vi.waitFor(() => expect(froms()).toHaveLength(3));
    const next = weekFrom(1);
    useAgenda.getState().shift(1);
    expect(useAgenda.getState().loadedFrom).toBe(next);
    expect(useAgenda.getState().actions).toBe(fake.returned.get(next));
  });

  it('a reported change forgets every period held; unchanged actions keep their objects', async () => {
    const current = weekFrom(0);
    await vi.waitFor(() => expect(froms()).toHaveLength(3));
    const before = useAgenda.getState().actions;

    // Nothing changed: the same array, the grid has nothing to redraw.
    await useAgenda.getState().reload();
    expect(froms()[3]).toBe(current);
    expect(useAgenda.getState().actions).toBe(before);

    // One action renamed elsewhere: a new array, the other action the same object.
    const [first, second] = before as [ActionView, ActionView];
    fake.renamed.set(second.id, 'Renamed');
    await useAgenda.getState().reload();
    const after = useAgenda.getState().actions;
    expect(after).not.toBe(before);
    expect(after[0]).toBe(first);
    expect(after[1]).not.toBe(second);
    expect(after[1]?.kind === 'full' && after[1].title).toBe('Renamed');

    // The neighbours were forgotten too: the next week is asked for again.
    await vi.waitFor(() => expect(froms().filter((f) => f === weekFrom(1)).length).toBe(2));
  });

  it('back on the agenda, a period shown as it is held makes no new state (nothing re-renders)', async () => {
    await vi.waitFor(() => expect(froms()).toHaveLength(3));
    const renders = vi.fn();
    const unsubscribe = useAgenda.subscribe(renders);
    const state = useAgenda.getState();
    // What AgendaView does when it is shown again.
    await useAgenda.getState().refresh();
    expect(renders).not.toHaveBeenCalled();
    expect(useAgenda.getState()).toBe(state);
    expect(froms()).toHaveLength(3);
    // A move still notifies, with the week it shows.
    useAgenda.getState().shift(1);
    expect(renders).toHaveBeenCalledTimes(1);
    expect(useAgenda.getState().loadedFrom).toBe(weekFrom(0));
    unsubscribe();
  });

  it('keepUnchanged keeps the previous list when nothing differs, even from a new reply', () => {
    const a = actionsOf('2026-06-01T00:00:00.000Z');
    const copy = JSON.parse(JSON.stringify(a)) as ActionView[];
    expect(keepUnchanged(a, copy)).toBe(a);
    expect(keepUnchanged(a, copy.slice(0, 1))).toEqual([a[0]]);
    expect(keepUnchanged(a, copy.slice(0, 1))[0]).toBe(a[0]);
    const moved = [{ ...copy[0]!, period: { allDay: false as const, start: '2026-06-01T12:00:00.000Z', end: '2026-06-01T13:00:00.000Z' } }, copy[1]!];
    const out = keepUnchanged(a, moved);
    expect(out[0]).toBe(moved[0]);
    expect(out[1]).toBe(a[1]);
  });
});

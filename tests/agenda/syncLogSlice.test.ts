/**
 * The sync log slice both sync stores use (renderer/src/stores/syncLog.ts): runs read on demand,
 * a run opened reads its lines, a refresh re-reads the open run's lines, and answers that come too
 * late — after a newer reading, or after a logout (forget) — change nothing. The reads stand in for
 * the bridge; each answer is released by the test, so the order of arrival is the test's.
 */
import { describe, expect, it } from 'vitest';
import { create } from 'zustand';
import { emptyLog, syncLogSlice, type SyncLogSlice } from '../../renderer/src/stores/syncLog';

interface Run {
  id: number;
}
type State = SyncLogSlice<Run, string> & { owner: number | null };

/** A call whose answer the test gives (or refuses) when it wants. */
interface Held<T> {
  promise: Promise<T>;
  answer(v: T): void;
  fail(e: unknown): void;
}
function held<T>(): Held<T> {
  let answer!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    answer = res;
    fail = rej;
  });
  return { promise, answer, fail };
}

function setup() {
  const runCalls: Array<Held<Run[]>> = [];
  const entryCalls: Array<{ runId: number } & Held<string[]>> = [];
  let forget = () => {};
  const store = create<State>()((set, get) => {
    const log = syncLogSlice<Run, string>(set, get, {
      runs: () => {
        if (get().owner === null) return null;
        const h = held<Run[]>();
        runCalls.push(h);
        return h.promise;
      },
      entries: (runId) => {
        const h = held<string[]>();
        entryCalls.push({ runId, ...h });
        return h.promise;
      },
    });
    forget = log.forget;
    return { ...emptyLog, ...log.actions, owner: 1 };
  });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { store, runCalls, entryCalls, forget: () => forget(), settle };
}

describe('sync log slice', () => {
  it('reads the runs, opens a run with its lines, and closes it', async () => {
    const { store, runCalls, entryCalls, settle } = setup();
    const loading = store.getState().loadLog();
    expect(store.getState().logLoading).toBe(true);
    runCalls[0]!.answer([{ id: 7 }, { id: 6 }]);
    await loading;
    expect(store.getState()).toMatchObject({ runs: [{ id: 7 }, { id: 6 }], logLoading: false, logError: null });

    store.getState().toggleRun(7);
    expect(store.getState().openRunId).toBe(7);
    expect(store.getState().entries[7]).toBe('loading');
    entryCalls[0]!.answer(['Created 2 events in Google.']);
    await settle();
    expect(store.getState().entries[7]).toEqual(['Created 2 events in Google.']);

    store.getState().toggleRun(7);
    expect(store.getState().openRunId).toBeNull();
    // Opening it again shows the lines held while they are read again.
    store.getState().toggleRun(7);
    expect(store.getState().entries[7]).toEqual(['Created 2 events in Google.']);
    expect(entryCalls.map((c) => c.runId)).toEqual([7, 7]);
  });

  it('keeps the newest reading when an older answer arrives last', async () => {
    const { store, runCalls } = setup();
    const first = store.getState().loadLog();
    const second = store.getState().loadLog();
    runCalls[1]!.answer([{ id: 9 }]);
    await second;
    runCalls[0]!.answer([{ id: 8 }]);
    await first;
    expect(store.getState().runs).toEqual([{ id: 9 }]);
    expect(store.getState().logLoading).toBe(false);
  });

  it("reads the open run's lines again on a refresh", async () => {
    const { store, runCalls, entryCalls, settle } = setup();
    store.getState().toggleRun(3);
    entryCalls[0]!.answer(['Run started.']);
    await settle();
    const refresh = store.getState().loadLog();
    runCalls[0]!.answer([{ id: 3 }]);
    await refresh;
    expect(entryCalls.map((c) => c.runId)).toEqual([3, 3]);
    entryCalls[1]!.answer(['Run started.', 'Run ok.']);
    await settle();
    expect(store.getState().entries[3]).toEqual(['Run started.', 'Run ok.']);
  });

  it('says why a reading failed, keeping what was shown', async () => {
    const { store, runCalls, entryCalls, settle } = setup();
    const ok = store.getState().loadLog();
    runCalls[0]!.answer([{ id: 1 }]);
    await ok;
    const failing = store.getState().loadLog();
    const down = new Error('The CRM file is locked by another program.');
    runCalls[1]!.fail(down);
    await failing;
    expect(store.getState()).toMatchObject({ runs: [{ id: 1 }], logLoading: false, logError: down });

    store.getState().toggleRun(1);
    entryCalls[0]!.fail(down);
    await settle();
    expect(store.getState().entries[1]).toEqual({ error: down });
  });

  it('drops answers to calls made before forget (a logout)', async () => {
    const { store, runCalls, entryCalls, forget, settle } = setup();
    const loading = store.getState().loadLog();
    store.getState().toggleRun(5);
    forget();
    store.setState({ ...emptyLog });
    runCalls[0]!.answer([{ id: 5 }]);
    entryCalls[0]!.answer(['A colleague’s line.']);
    await loading;
    await settle();
    expect(store.getState()).toMatchObject({ runs: null, entries: {}, openRunId: null, logLoading: false });
  });

  it('reads nothing while there is no one to read for', async () => {
    const { store, runCalls } = setup();
    store.setState({ owner: null });
    await store.getState().loadLog();
    expect(runCalls).toHaveLength(0);
    expect(store.getState().logLoading).toBe(false);
  });
});

import { useCallback, useEffect, useReducer, useRef } from 'react';

export interface Page<T> {
  total: number;
  items: T[];
}

export interface PagedRows<T> {
  /** Rows matching, once the first page answered (null before). */
  total: number | null;
  /** The row at `index`, if its page has been read (possibly before the last change: it is being read again). */
  row(index: number): T | undefined;
  /** Reads the pages holding rows `start`–`end` (inclusive) that are not read yet or changed since. */
  ensure(start: number, end: number): void;
  /** The rows `start`–`end`, reading what is missing (for Shift-click ranges and "select all"). */
  rowsInRange(start: number, end: number): Promise<T[]>;
  loading: boolean;
  error: unknown;
  retry(): void;
}


/**
 * Rows of a long server-side list, read a page at a time as they come into sight (the sync list
 * holds up to 25,000 contacts; the virtual list shows 15 of them). `resetKey` changing (another
 * query, another owner) throws the rows away; `refreshKey` changing (the list changed) reads the
 * pages in sight again and keeps showing the old rows until the new ones arrive, so a reload
 * after an add does not flash. Answers to older keys are dropped.
 */
export function usePagedRows<T>(
  fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
  resetKey: string,
  refreshKey: number,
  pageSize = 100,
  /** Rows per call when reading a range in bulk: the channel's own cap (items: 500, candidates: 200). */
  bulk = 200,
): PagedRows<T> {
  const [, render] = useReducer((n: number) => n + 1, 0);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  const st = useRef({
    gen: 0,
    resetKey,
    refreshKey,
    total: null as number | null,
    pages: new Map<number, T[]>(),
    fresh: new Set<number>(),
    inflight: new Map<number, Promise<void>>(),
    range: [0, pageSize - 1] as [number, number],
    error: null as unknown,
  }).current;

  const load = useCallback(
    (page: number): Promise<void> => {
      const running = st.inflight.get(page);
      if (running) return running;
      const gen = st.gen;
      const p = fetchRef
        .current(page * pageSize, pageSize)
        .then((r) => {
          if (gen !== st.gen) return;
          st.pages.set(page, r.items);
          st.fresh.add(page);
          st.error = null;
          if (st.total !== r.total) {
            st.total = r.total;
            // The list shrank: pages past its end are gone.
            for (const k of [...st.pages.keys()]) if (k * pageSize >= r.total && k !== 0) st.pages.delete(k);
          }
        })
        .catch((error: unknown) => {
          if (gen === st.gen) st.error = error;
        })
        .finally(() => {
          if (gen === st.gen) {
            st.inflight.delete(page);
            render();
          }
        });
      st.inflight.set(page, p);
      return p;
    },
    [st, pageSize],
  );

  const ensure = useCallback(
    (start: number, end: number) => {
      st.range = [start, end];
      if (st.error) return;
      const last = st.total === null ? 0 : Math.max(0, Math.ceil(st.total / pageSize) - 1);
      // Half a page ahead on each side: a steady scroll finds its next rows already read.
      const from = Math.max(0, Math.floor((start - pageSize / 2) / pageSize));
      const to = Math.min(last, Math.floor((Math.max(start, end) + pageSize / 2) / pageSize));
      for (let page = from; page <= to; page++) {
        if (!st.fresh.has(page) && !st.inflight.has(page)) void load(page);
      }
    },
    [st, pageSize, load],
  );

  // A new key: forget (or mark as old) what was read, and read what is in sight again.
  if (resetKey !== st.resetKey || refreshKey !== st.refreshKey) {
    st.gen++;
    st.inflight = new Map();
    st.fresh = new Set();
    st.error = null;
    if (resetKey !== st.resetKey) {
      st.pages = new Map();
      st.range = [0, pageSize - 1];
    }
    st.resetKey = resetKey;
    st.refreshKey = refreshKey;
  }
  useEffect(() => {
    ensure(st.range[0], st.range[1]);
  }, [resetKey, refreshKey, ensure, st]);

  const row = useCallback(
    (index: number): T | undefined => {
      const page = st.pages.get(Math.floor(index / pageSize));
      return page?.[index % pageSize];
    },
    [st, pageSize],
  );

  const rowsInRange = useCallback(
    async (start: number, end: number): Promise<T[]> => {
      const [a, b] = start <= end ? [start, end] : [end, start];
      const out: T[] = [];
      let complete = true;
      for (let i = a; i <= b; i++) {
        const page = Math.floor(i / pageSize);
        const r = st.fresh.has(page) ? row(i) : undefined;
        if (r === undefined) {
          complete = false;
          break;
        }
        out.push(r);
      }
      if (complete) return out;
      // Some are not read (a range across a long scroll, or "select all"): read them in bulk,
      // one call after the other, without touching the pages on screen.
      const all: T[] = [];
      for (let offset = a; offset <= b; offset += bulk) {
        const r = await fetchRef.current(offset, Math.min(bulk, b - offset + 1));
        all.push(...r.items);
        if (r.items.length === 0) break;
      }
      return all;
    },
    [st, pageSize, row, bulk],
  );

  const retry = useCallback(() => {
    st.error = null;
    render();
    ensure(st.range[0], st.range[1]);
  }, [st, ensure]);

  return { total: st.total, row, ensure, rowsInRange, loading: st.inflight.size > 0, error: st.error, retry };
}

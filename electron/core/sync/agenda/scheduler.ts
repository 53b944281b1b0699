/**
 * Automatic sync (FTC019 §3.3.2, « Synchronisation automatique »): every add, change, move,
 * duplicate or delete of an action is pushed to Google within a second or two. The change is
 * already in the outbox (written in the same transaction as the edit); this scheduler only
 * decides when to run the owner's sync:
 * - after `onActionsChanged`, debounced (`delayMs`), when the owner has automatic sync on, is
 *   connected, and has outbox rows (changes pulled FROM Google write none, so no echo loop);
 * - one run per user at a time; changes arriving meanwhile cause one more run afterwards;
 * - at start, for every such user with outbox rows left by a closed or offline app;
 * - when a run fails (offline, Google down), again after `retryMs`, as long as rows remain.
 */
import type { EventName, EventPayload } from '../../../../shared/contract';
import type { CoreServices, Emit } from '../../context';
import type { Db } from '../../db/database';
import { getGoogleAccount } from '../../google/accounts';
import { getSyncPrefs } from '../prefs';
import { runAgendaSync } from './engine';

export interface SchedulerDeps {
  db: Db;
  services: CoreServices;
  now: () => Date;
  broadcast: Emit;
  onEvent(listener: <E extends EventName>(event: E, payload: EventPayload<E>) => void): () => void;
}

export interface AutomaticSync {
  stop(): void;
  /** Resolves once no run is pending or going on (for tests and orderly shutdown). */
  idle(): Promise<void>;
}

export function startAutomaticSync(deps: SchedulerDeps, options: { delayMs?: number; retryMs?: number } = {}): AutomaticSync {
  const delayMs = options.delayMs ?? 1000;
  const retryMs = options.retryMs ?? 60_000;
  const timers = new Map<number, NodeJS.Timeout>();
  const running = new Map<number, Promise<void>>();
  const again = new Set<number>();
  let stopped = false;

  const wanted = (userId: number): boolean => {
    const prefs = getSyncPrefs(deps.db, userId, deps.now().toISOString());
    if (!prefs.automaticSync) return false;
    if (getGoogleAccount(deps.db, userId)?.sealedRefreshToken == null) return false;
    return deps.db.prepare("SELECT 1 FROM outbox WHERE entity = 'action' AND owner_id = ? LIMIT 1").get(userId) !== undefined;
  };

  const schedule = (userId: number, after: number) => {
    if (stopped) return;
    if (running.has(userId)) {
      again.add(userId);
      return;
    }
    clearTimeout(timers.get(userId));
    const timer = setTimeout(() => {
      timers.delete(userId);
      run(userId);
    }, after);
    timer.unref();
    timers.set(userId, timer);
  };

  const run = (userId: number) => {
    if (stopped || !wanted(userId)) return;
    const task = (async () => {
      let failed = false;
      try {
        const report = await runAgendaSync(deps, { userId, startedBy: null, trigger: 'automatic', dryRun: false });
        failed = report.status === 'failed';
      } catch (error) {
        failed = true;
        deps.services.logger.log('warn', 'automatic sync failed', { userId, error: error instanceof Error ? error.message : String(error) });
      }
      running.delete(userId);
      if (again.delete(userId)) schedule(userId, delayMs);
      else if (failed && wanted(userId)) schedule(userId, retryMs);
    })();
    running.set(userId, task);
  };

  const unsubscribe = deps.onEvent((event, payload) => {
    if (event !== 'onActionsChanged') return;
    for (const ownerId of (payload as EventPayload<'onActionsChanged'>).ownerIds) if (wanted(ownerId)) schedule(ownerId, delayMs);
  });

  // What a closed or offline app left behind.
  const owners = deps.db.prepare("SELECT DISTINCT owner_id AS id FROM outbox WHERE entity = 'action' AND owner_id IS NOT NULL").all() as { id: number }[];
  for (const { id } of owners) if (wanted(id)) schedule(id, delayMs);

  return {
    stop() {
      stopped = true;
      unsubscribe();
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
    async idle() {
      for (;;) {
        if (running.size > 0) await Promise.all(running.values());
        else if (timers.size > 0) await new Promise((r) => setTimeout(r, Math.min(delayMs, 50)));
        else return;
      }
    },
  };
}

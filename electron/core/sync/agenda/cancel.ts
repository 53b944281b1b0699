/**
 * Cancelling a user's agenda sync (`agendaSync.cancel`, the Cancel button next to the progress
 * bar). Every run of the engine is registered here for its user from the moment it is asked for
 * until it ends — a run still waiting for the user's lock behind another one is cancelled too, so
 * Cancel stops "the sync" as the user sees it, not just its first half. The engine honours the
 * signal between requests and at its checkpoints (engine.ts): what was written stays written and
 * consistent, the rest is picked up by the next run.
 */
import { CrmError } from '../../../../shared/errors';

/** Keyed by the process's CoreServices (like the per-user lock): one registry per Core. */
const registries = new WeakMap<object, Map<number, Set<AbortController>>>();

export async function cancellable<T>(owner: object, userId: number, outer: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  let registry = registries.get(owner);
  if (!registry) registries.set(owner, (registry = new Map()));
  let mine = registry.get(userId);
  if (!mine) registry.set(userId, (mine = new Set()));
  const controller = new AbortController();
  mine.add(controller);
  try {
    return await fn(outer ? AbortSignal.any([outer, controller.signal]) : controller.signal);
  } finally {
    mine.delete(controller);
    if (mine.size === 0 && registry.get(userId) === mine) registry.delete(userId);
  }
}

/** Aborts every run of this user (running or waiting); returns how many there were. */
export function cancelRuns(owner: object, userId: number): number {
  const mine = registries.get(owner)?.get(userId);
  if (!mine) return 0;
  for (const controller of mine) controller.abort(new CrmError('CONFLICT', 'The sync was cancelled.'));
  return mine.size;
}

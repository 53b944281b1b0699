/**
 * Cancelling a user's contacts sync (`contactsSync.cancel`, the wizard's Cancel). The same
 * registry as the agenda's (../agenda/cancel.ts), kept apart by owner: cancelling one side never
 * stops the other. The engine honours the signal between requests (engine.ts: checkpoint, and
 * an abort while a request is out): a creation Google may have made is found again by its CRM
 * id at the next run, so a cancelled run never leaves a duplicate behind.
 */
import type { CoreServices } from '../../context';
import { cancellable, cancelRuns } from '../agenda/cancel';

const owners = new WeakMap<CoreServices, object>();

function ownerOf(services: CoreServices): object {
  let o = owners.get(services);
  if (!o) owners.set(services, (o = {}));
  return o;
}

export function cancellableContacts<T>(services: CoreServices, userId: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return cancellable(ownerOf(services), userId, undefined, fn);
}

export function cancelContactsRuns(services: CoreServices, userId: number): number {
  return cancelRuns(ownerOf(services), userId);
}

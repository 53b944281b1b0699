/**
 * One lock per (process services, user, name): work of one kind for one user never overlaps —
 * a second caller waits for the first. People asks that a user's mutations be sent one after the
 * other ("Mutate requests for the same user should be sent sequentially", people.batchCreateContacts),
 * so a contacts sync and a removal that deletes in Google wait for each other. The agenda keeps
 * its own lock (agenda/engine.ts); contacts and agenda runs of one user may go side by side.
 */
const locks = new WeakMap<object, Map<string, Promise<unknown>>>();

export async function withLock<T>(owner: object, key: string, fn: () => Promise<T>): Promise<T> {
  let map = locks.get(owner);
  if (!map) locks.set(owner, (map = new Map()));
  const before = map.get(key) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(fn);
  map.set(key, mine);
  try {
    return await mine;
  } finally {
    if (map.get(key) === mine) map.delete(key);
  }
}

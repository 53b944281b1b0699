import type { Db } from '../db/database';

export type OutboxEntity = 'action' | 'contact';
export type OutboxOp = 'create' | 'update' | 'delete';

/**
 * Records a CRM change for the sync engine. Call it only inside the transaction that makes the
 * change (the stores do), so the change and its outbox entry commit or roll back together.
 */
export function appendOutbox(
  db: Db,
  entry: { entity: OutboxEntity; entityId: number; ownerId: number | null; op: OutboxOp; changedFields: readonly string[]; at: string },
): void {
  if (!db.inTransaction) throw new Error('appendOutbox must run inside the transaction of the change it records');
  db.prepare('INSERT INTO outbox (entity, entity_id, owner_id, op, changed_fields, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    entry.entity,
    entry.entityId,
    entry.ownerId,
    entry.op,
    JSON.stringify(entry.changedFields),
    entry.at,
  );
}

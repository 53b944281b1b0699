import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/app';
import type { Db } from '../../electron/core/db/database';
import { demoDb, dump, loginAs, roles, silentCore, userId } from '../helpers';

let env: ReturnType<typeof demoDb>;
let core: Core;
let db: Db;
let conn: string;
let rep: string;

beforeEach(() => {
  env = demoDb();
  db = env.db;
  core = silentCore(db);
  rep = roles(env.summary).reps[0]!;
  conn = loginAs(core, rep);
});
afterEach(() => env.cleanup());

const outbox = () => db.prepare('SELECT entity, entity_id AS entityId, owner_id AS ownerId, op, changed_fields AS changed FROM outbox ORDER BY id').all();

const draft = {
  typeId: 1,
  title: 'Rendez-vous — Durand SA',
  period: { allDay: false, start: '2026-11-24T09:00:00+01:00', end: '2026-11-24T10:00:00+01:00' },
};

describe('the outbox', () => {
  it('starts empty on the demo data (initial state, not changes)', () => {
    expect(outbox()).toEqual([]);
  });

  it('records each action create, change, duplicate and delete with the owner and changed fields', () => {
    const me = userId(db, rep);
    const created = core.invokeSync(conn, 'actions.create', draft);
    core.invokeSync(conn, 'actions.update', { id: created.id, patch: { title: 'Rendez-vous déplacé', location: 'Lyon' } });
    const copy = core.invokeSync(conn, 'actions.duplicate', { id: created.id, shiftDays: 7 });
    core.invokeSync(conn, 'actions.delete', { id: created.id });
    expect(outbox()).toEqual([
      { entity: 'action', entityId: created.id, ownerId: me, op: 'create', changed: expect.stringContaining('"title"') },
      { entity: 'action', entityId: created.id, ownerId: me, op: 'update', changed: '["title","location"]' },
      { entity: 'action', entityId: copy.id, ownerId: me, op: 'create', changed: expect.stringContaining('"period"') },
      { entity: 'action', entityId: created.id, ownerId: me, op: 'delete', changed: '[]' },
    ]);
  });

  it('records nothing for an update that changes nothing', () => {
    const created = core.invokeSync(conn, 'actions.create', draft);
    core.invokeSync(conn, 'actions.update', { id: created.id, patch: { title: draft.title } });
    expect(outbox()).toHaveLength(1);
  });

  it('records contact create, change and delete', () => {
    const c = core.invokeSync(conn, 'contacts.create', { lastName: 'Lefèvre', firstName: 'Élodie', email: 'elodie.lefevre@example.fr' });
    core.invokeSync(conn, 'contacts.update', { id: c.id, patch: { comment: 'Rappeler mardi', jobTitle: 'Acheteuse' } });
    core.invokeSync(conn, 'contacts.delete', { id: c.id });
    expect(outbox()).toEqual([
      { entity: 'contact', entityId: c.id, ownerId: null, op: 'create', changed: expect.any(String) },
      { entity: 'contact', entityId: c.id, ownerId: null, op: 'update', changed: '["jobTitle","comment"]' },
      { entity: 'contact', entityId: c.id, ownerId: null, op: 'delete', changed: '[]' },
    ]);
  });

  it('is written in the same transaction: when the outbox write fails, the change is rolled back', () => {
    const created = core.invokeSync(conn, 'actions.create', draft);
    const contact = core.invokeSync(conn, 'contacts.create', { lastName: 'Martin' });
    // Make every further outbox insert fail, as a full disk or a crash at that point would.
    db.exec("CREATE TEMP TRIGGER outbox_fails BEFORE INSERT ON main.outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
    const before = dump(db);

    const attempts = [
      core.callSync(conn, 'actions.create', { ...draft, title: 'Jamais enregistré' }),
      core.callSync(conn, 'actions.update', { id: created.id, patch: { title: 'Jamais modifié' } }),
      core.callSync(conn, 'actions.duplicate', { id: created.id }),
      core.callSync(conn, 'actions.delete', { id: created.id }),
      core.callSync(conn, 'contacts.create', { lastName: 'Jamais' }),
      core.callSync(conn, 'contacts.update', { id: contact.id, patch: { comment: 'Jamais' } }),
      core.callSync(conn, 'contacts.delete', { id: contact.id }),
    ];
    for (const reply of attempts) {
      expect(reply).toEqual({ ok: false, error: { code: 'CONFLICT', message: 'This change conflicts with existing data and was not saved.' } });
    }
    expect(dump(db)).toBe(before);
    expect(core.invokeSync(conn, 'actions.get', { id: created.id }).title).toBe(draft.title);
  });
});

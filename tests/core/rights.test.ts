import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/app';
import type { Db } from '../../electron/core/db/database';
import { DEMO_NOW, demoDb, dump, loginAs, silentCore, userId } from '../helpers';

let env: ReturnType<typeof demoDb>;
let core: Core;
let db: Db;

// The demo teams: the first manager holds Agenda on the first two reps and Visible on the
// first; the second manager holds Agenda on the third rep.
let manager1: string, manager2: string, rep1: string, rep2: string, rep3: string;

beforeEach(() => {
  env = demoDb();
  db = env.db;
  core = silentCore(db);
  const logins = env.summary.users;
  [manager1, manager2] = logins.filter((u) => u.role === 'manager').map((u) => u.login) as [string, string];
  [rep1, rep2, rep3] = logins.filter((u) => u.role === 'rep').map((u) => u.login) as [string, string, string];
});
afterEach(() => env.cleanup());

const week = { from: '2026-11-16T00:00:00+01:00', to: '2026-11-23T00:00:00+01:00' };
const sixWeeks = { from: '2026-11-02T00:00:00+01:00', to: '2026-12-14T00:00:00+01:00' };

function privateActionOf(login: string) {
  const row = db
    .prepare('SELECT id FROM actions WHERE owner_id = ? AND private = 1 AND start_ms >= ? ORDER BY start_ms LIMIT 1')
    .get(userId(db, login), DEMO_NOW.getTime() - 14 * 86_400_000) as { id: number };
  return row.id;
}

describe('rights, checked in the core', () => {
  it('the demo teams are as documented', () => {
    const adm = loginAs(core, 'ADM');
    const dir = core.invokeSync(adm, 'users.directory', {});
    const rightsOf = (login: string) => dir.find((u) => u.login === login)!.rights.map((r) => [r.targetLogin, r.visible, r.agenda]);
    expect(rightsOf(manager1)).toEqual(expect.arrayContaining([[rep1, true, true], [rep2, false, true]]));
    expect(rightsOf(manager2)).toEqual([[rep3, false, true]]);
    expect(rightsOf(rep1)).toEqual([]);
  });

  it('a rep sees only their own agenda', () => {
    const conn = loginAs(core, rep1);
    expect(core.invokeSync(conn, 'users.list', {}).map((u) => u.login)).toEqual([rep1]);
    const own = core.invokeSync(conn, 'actions.list', { userIds: [userId(db, rep1)], ...week });
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((a) => a.kind === 'full' && a.ownerId === userId(db, rep1))).toBe(true);
    const reply = core.callSync(conn, 'actions.list', { userIds: [userId(db, rep2)], ...week });
    expect(reply).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: `You have no right to see the agenda of user ${userId(db, rep2)}.` } });
  });

  it('a rep cannot read, change or delete a colleague\'s action, private or not', () => {
    const conn = loginAs(core, rep1);
    const theirs = privateActionOf(rep2);
    for (const [channel, input] of [
      ['actions.get', { id: theirs }],
      ['actions.update', { id: theirs, patch: { title: 'piraté' } }],
      ['actions.delete', { id: theirs }],
      ['actions.duplicate', { id: theirs }],
    ] as const) {
      expect(core.callSync(conn, channel, input)).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: `Action ${theirs} does not exist.` } });
    }
    expect(core.callSync(conn, 'actions.create', { ownerId: userId(db, rep2), typeId: 1, title: 'x', period: { allDay: true, startDate: '2026-11-24', endDate: '2026-11-24' } })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('a manager with Agenda sees the team agenda, private actions as busy slots only', () => {
    const conn = loginAs(core, manager2);
    expect(core.invokeSync(conn, 'users.list', {}).map((u) => [u.login, u.rights.agenda, u.rights.visible])).toEqual([
      [manager2, true, true],
      [rep3, true, false],
    ]);
    const list = core.invokeSync(conn, 'actions.list', { userIds: [userId(db, rep3)], ...sixWeeks });
    const busy = list.filter((a) => a.kind === 'busy');
    expect(busy.length).toBeGreaterThan(0);
    for (const b of busy) expect(Object.keys(b).sort()).toEqual(['id', 'kind', 'ownerId', 'period']);
    const full = list.filter((a) => a.kind === 'full');
    expect(full.every((a) => a.kind === 'full' && !a.private)).toBe(true);
    const hidden = privateActionOf(rep3);
    expect(core.callSync(conn, 'actions.get', { id: hidden })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(core.callSync(conn, 'actions.list', { userIds: [userId(db, rep1)], ...week })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('Visible shows everything of that colleague, private actions included', () => {
    const conn = loginAs(core, manager1);
    const list = core.invokeSync(conn, 'actions.list', { userIds: [userId(db, rep1), userId(db, rep2)], ...sixWeeks });
    const ofRep1 = list.filter((a) => a.ownerId === userId(db, rep1));
    const ofRep2 = list.filter((a) => a.ownerId === userId(db, rep2));
    expect(ofRep1.some((a) => a.kind === 'full' && a.private)).toBe(true);
    expect(ofRep1.some((a) => a.kind === 'busy')).toBe(false);
    expect(ofRep2.some((a) => a.kind === 'busy')).toBe(true);
    expect(core.invokeSync(conn, 'actions.get', { id: privateActionOf(rep1) }).private).toBe(true);
  });

  it('a manager with Agenda may move a colleague\'s (non-private) action', () => {
    const conn = loginAs(core, manager2);
    const target = core.invokeSync(conn, 'actions.list', { userIds: [userId(db, rep3)], ...week }).find((a) => a.kind === 'full' && !a.period.allDay && a.seriesId === null);
    expect(target).toBeDefined();
    const moved = core.invokeSync(conn, 'actions.update', { id: target!.id, patch: { period: { allDay: false, start: '2026-11-20T14:00:00+01:00', end: '2026-11-20T15:00:00+01:00' } } });
    expect(moved.period).toEqual({ allDay: false, start: '2026-11-20T13:00:00.000Z', end: '2026-11-20T14:00:00.000Z' });
  });

  it('contacts are visible for one\'s own and unassigned companies, and the Visible colleagues\'', () => {
    const count = (login: string) => core.invokeSync(loginAs(core, login), 'contacts.search', { limit: 1 }).total;
    const all = core.invokeSync(loginAs(core, 'ADM'), 'contacts.search', { limit: 1 }).total;
    expect(all).toBe(1500);
    expect(count(rep1)).toBeLessThan(all);
    expect(count(manager1)).toBeGreaterThan(count(manager2)); // manager1 also sees rep1's companies
    // A contact of rep2's companies is invisible to rep1, even by id.
    const hidden = db
      .prepare('SELECT c.id FROM contacts c JOIN companies co ON co.id = c.company_id WHERE co.sales_rep_id = ? LIMIT 1')
      .get(userId(db, rep2)) as { id: number };
    const conn = loginAs(core, rep1);
    expect(core.callSync(conn, 'contacts.get', { id: hidden.id })).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: `Contact ${hidden.id} does not exist.` } });
    expect(core.callSync(conn, 'contacts.update', { id: hidden.id, patch: { comment: 'x' } })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('only ADM changes app settings and rights, and opens a colleague\'s sync settings', () => {
    const conn = loginAs(core, rep1);
    expect(core.callSync(conn, 'settings.update', { companyName: 'Moi SA' })).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Only the administrator (ADM) may do this.' } });
    expect(core.callSync(conn, 'users.setRights', { holderId: userId(db, rep1), targetId: userId(db, rep2), visible: true, agenda: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(core.callSync(conn, 'syncPrefs.get', { userId: userId(db, rep2) })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const adm = loginAs(core, 'ADM');
    expect(core.invokeSync(adm, 'settings.update', { companyName: 'Moi SA' }).companyName).toBe('Moi SA');
    core.invokeSync(adm, 'users.setRights', { holderId: userId(db, rep1), targetId: userId(db, rep2), visible: false, agenda: true });
    expect(core.invokeSync(conn, 'actions.list', { userIds: [userId(db, rep2)], ...week }).length).toBeGreaterThan(0);
    expect(core.invokeSync(adm, 'syncPrefs.get', { userId: userId(db, rep2) }).calendarName).toBe('Agenda CRM');
  });
});

describe('the rights screen\'s channels (ADM only)', () => {
  const rightsRows = () => db.prepare('SELECT holder_id, target_id, visible, agenda FROM user_rights ORDER BY holder_id, target_id').all();

  it('a rep or a manager calling users.setRights or users.directory gets FORBIDDEN and nothing changes', () => {
    const forbidden = { ok: false, error: { code: 'FORBIDDEN', message: 'Only the administrator (ADM) may do this.' } };
    const conns = [rep1, manager1].map((login) => [login, loginAs(core, login)] as const);
    const before = dump(db);
    const rowsBefore = rightsRows();
    for (const [login, conn] of conns) {
      // Granting oneself a right, and taking one from a colleague.
      expect(core.callSync(conn, 'users.setRights', { holderId: userId(db, login), targetId: userId(db, rep3), visible: true, agenda: true })).toEqual(forbidden);
      expect(core.callSync(conn, 'users.setRights', { holderId: userId(db, manager1), targetId: userId(db, rep1), visible: false, agenda: false })).toEqual(forbidden);
      expect(core.callSync(conn, 'users.directory', {})).toEqual(forbidden);
    }
    expect(rightsRows()).toEqual(rowsBefore);
    expect(dump(db)).toBe(before);
    // The refused grant did not open rep3's agenda to rep1.
    const rep = conns[0]![1];
    expect(core.callSync(rep, 'actions.list', { userIds: [userId(db, rep3)], ...week })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('ADM grants Agenda, widens it to Visible and takes it back; the holder sees each change at once', () => {
    const adm = loginAs(core, 'ADM');
    const holder = loginAs(core, manager2);
    const [m2, r1] = [userId(db, manager2), userId(db, rep1)];
    const listed = () => core.invokeSync(holder, 'users.list', {}).map((u) => [u.login, u.rights.visible, u.rights.agenda]);
    expect(listed()).toEqual([[manager2, true, true], [rep3, false, true]]);

    const record = core.invokeSync(adm, 'users.setRights', { holderId: m2, targetId: r1, visible: false, agenda: true });
    expect(record.login).toBe(manager2);
    expect(record.rights).toHaveLength(2);
    expect(record.rights.map((r) => [r.targetLogin, r.visible, r.agenda])).toEqual(expect.arrayContaining([[rep1, false, true], [rep3, false, true]]));
    expect(listed()).toContainEqual([rep1, false, true]);
    const agendaOnly = core.invokeSync(holder, 'actions.list', { userIds: [r1], ...sixWeeks });
    expect(agendaOnly.some((a) => a.kind === 'busy')).toBe(true);

    core.invokeSync(adm, 'users.setRights', { holderId: m2, targetId: r1, visible: true, agenda: true });
    const visible = core.invokeSync(holder, 'actions.list', { userIds: [r1], ...sixWeeks });
    expect(visible.some((a) => a.kind === 'busy')).toBe(false);
    expect(visible.some((a) => a.kind === 'full' && a.private)).toBe(true);

    const cleared = core.invokeSync(adm, 'users.setRights', { holderId: m2, targetId: r1, visible: false, agenda: false });
    expect(cleared.rights.map((r) => r.targetLogin)).toEqual([rep3]);
    expect(db.prepare('SELECT count(*) AS n FROM user_rights WHERE holder_id = ? AND target_id = ?').get(m2, r1)).toEqual({ n: 0 });
    expect(listed()).toEqual([[manager2, true, true], [rep3, false, true]]);
    expect(core.callSync(holder, 'actions.list', { userIds: [r1], ...week })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: `You have no right to see the agenda of user ${r1}.` },
    });
  });

  it('a change of rights is announced to clients (onRightsChanged) once committed; a refused one announces nothing', () => {
    const adm = loginAs(core, 'ADM');
    const rep = loginAs(core, rep1);
    const seen: unknown[] = [];
    core.onEvent((event, payload) => seen.push([event, payload]));
    const [m2, r1] = [userId(db, manager2), userId(db, rep1)];
    expect(core.callSync(rep, 'users.setRights', { holderId: userId(db, rep1), targetId: userId(db, rep3), visible: true, agenda: true })).toMatchObject({ ok: false });
    expect(core.callSync(adm, 'users.setRights', { holderId: m2, targetId: m2, visible: true, agenda: true })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(seen).toEqual([]);
    core.invokeSync(adm, 'users.setRights', { holderId: m2, targetId: r1, visible: false, agenda: true });
    expect(seen).toEqual([['onRightsChanged', { holderIds: [m2] }]]);
  });

  it('bad input is refused with an error naming what is wrong, and changes nothing', () => {
    const adm = loginAs(core, 'ADM');
    const before = dump(db);
    const [r1, r2, admId] = [userId(db, rep1), userId(db, rep2), userId(db, 'ADM')];
    const cases: Array<[unknown, object]> = [
      [{ holderId: r1, targetId: r1, visible: true, agenda: true }, { code: 'BAD_INPUT', message: 'targetId: a user cannot hold rights on themselves.', field: 'targetId' }],
      [{ holderId: 999_999, targetId: r2, visible: true, agenda: true }, { code: 'NOT_FOUND', message: 'User 999999 does not exist.' }],
      [{ holderId: r1, targetId: 999_999, visible: false, agenda: true }, { code: 'NOT_FOUND', message: 'User 999999 does not exist.' }],
      [
        { holderId: admId, targetId: r2, visible: true, agenda: true },
        { code: 'BAD_INPUT', message: 'holderId: the administrator already holds every right; rights are granted to the other users.', field: 'holderId' },
      ],
      [{ holderId: r1, targetId: r2, visible: 'yes', agenda: true }, { code: 'BAD_INPUT', field: 'visible' }],
      [{ holderId: r1, targetId: r2, visible: true }, { code: 'BAD_INPUT', field: 'agenda' }],
      [{ holderId: r1, targetId: r2, visible: true, agenda: true, admin: true }, { code: 'BAD_INPUT' }],
      [{ holderId: -1, targetId: r2, visible: true, agenda: true }, { code: 'BAD_INPUT', field: 'holderId' }],
    ];
    for (const [input, error] of cases) {
      const reply = core.callSync(adm, 'users.setRights', input as never);
      expect(reply, JSON.stringify(input)).toMatchObject({ ok: false, error });
      if (!reply.ok) expect(reply.error.message.length).toBeGreaterThan(0);
    }
    expect(dump(db)).toBe(before);
  });
});

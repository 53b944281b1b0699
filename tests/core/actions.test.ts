import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/app';
import { demoDb, loginAs, roles, silentCore } from '../helpers';

let env: ReturnType<typeof demoDb>;
let core: Core;
let conn: string;

beforeEach(() => {
  env = demoDb();
  core = silentCore(env.db);
  conn = loginAs(core, roles(env.summary).reps[0]!);
});
afterEach(() => env.cleanup());

const me = () => core.invokeSync(conn, 'session.current', {})!.id;

describe('actions', () => {
  it('create a timed action with every field, and read it back', () => {
    const a = core.invokeSync(conn, 'actions.create', {
      typeId: 2,
      title: '  Appel — Garnier & Fils  ',
      location: '12 rue de la Paix, Paris',
      period: { allDay: false, start: '2026-11-24T09:00:00+01:00', end: '2026-11-24T09:30:00+01:00' },
      private: true,
      reminder: { enabled: true, minutesBefore: 10 },
      description: 'Relancer le devis n° 2026-118 — « urgent »',
    });
    expect(a).toMatchObject({
      kind: 'full',
      ownerId: me(),
      typeId: 2,
      title: 'Appel — Garnier & Fils',
      period: { allDay: false, start: '2026-11-24T08:00:00.000Z', end: '2026-11-24T08:30:00.000Z' },
      private: true,
      reminder: { enabled: true, minutesBefore: 10 },
      seriesId: null,
    });
    expect(core.invokeSync(conn, 'actions.get', { id: a.id })).toEqual(a);
  });

  it('keep all-day periods as local dates, inclusive, across the DST change', () => {
    const a = core.invokeSync(conn, 'actions.create', { typeId: 6, title: 'Salon', period: { allDay: true, startDate: '2027-03-27', endDate: '2027-03-29' } });
    expect(a.period).toEqual({ allDay: true, startDate: '2027-03-27', endDate: '2027-03-29' });
    const row = env.db.prepare('SELECT start_ms, end_ms FROM actions WHERE id = ?').get(a.id) as { start_ms: number; end_ms: number };
    // Paris midnight on the 27th (UTC+1) to midnight after the 29th (UTC+2): 71 hours.
    expect(new Date(row.start_ms).toISOString()).toBe('2027-03-26T23:00:00.000Z');
    expect(new Date(row.end_ms).toISOString()).toBe('2027-03-29T22:00:00.000Z');
    // It shows in the week of the 29th and not in the week after.
    const inWeek = core.invokeSync(conn, 'actions.list', { userIds: [me()], from: '2027-03-29T00:00:00+02:00', to: '2027-04-05T00:00:00+02:00' });
    expect(inWeek.map((x) => x.id)).toContain(a.id);
    const after = core.invokeSync(conn, 'actions.list', { userIds: [me()], from: '2027-03-30T00:00:00+02:00', to: '2027-04-05T00:00:00+02:00' });
    expect(after.map((x) => x.id)).not.toContain(a.id);
  });

  it('find actions longer than a month that started long before the range', () => {
    const a = core.invokeSync(conn, 'actions.create', { typeId: 8, title: 'Mission longue', period: { allDay: true, startDate: '2026-09-01', endDate: '2027-01-31' } });
    const list = core.invokeSync(conn, 'actions.list', { userIds: [me()], from: '2026-12-07T00:00:00+01:00', to: '2026-12-14T00:00:00+01:00' });
    expect(list.filter((x) => x.id === a.id)).toHaveLength(1);
  });

  it('duplicate keeps the wall-clock time when shifted across DST, and is not part of a series', () => {
    const a = core.invokeSync(conn, 'actions.create', { typeId: 1, title: 'RDV', period: { allDay: false, start: '2027-03-26T10:00:00+01:00', end: '2027-03-26T11:00:00+01:00' } });
    const copy = core.invokeSync(conn, 'actions.duplicate', { id: a.id, shiftDays: 7 });
    expect(copy.period).toEqual({ allDay: false, start: '2027-04-02T08:00:00.000Z', end: '2027-04-02T09:00:00.000Z' });
    expect(copy.id).not.toBe(a.id);
    expect(copy.title).toBe('RDV');
  });

  it('refuse to move one occurrence of a repeating action on its own', () => {
    const occurrence = env.db.prepare('SELECT id FROM actions WHERE owner_id = ? AND series_id IS NOT NULL LIMIT 1').get(me()) as { id: number };
    const reply = core.callSync(conn, 'actions.update', { id: occurrence.id, patch: { period: { allDay: true, startDate: '2026-11-24', endDate: '2026-11-24' } } });
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', field: 'patch.period' } });
    expect(core.invokeSync(conn, 'actions.update', { id: occurrence.id, patch: { description: 'ok' } }).description).toBe('ok');
  });

  it('delete, then the action is gone', () => {
    const a = core.invokeSync(conn, 'actions.create', { typeId: 1, title: 'x', period: { allDay: true, startDate: '2026-11-24', endDate: '2026-11-24' } });
    expect(core.invokeSync(conn, 'actions.delete', { id: a.id })).toEqual({ id: a.id });
    expect(core.callSync(conn, 'actions.get', { id: a.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('contacts', () => {
  it('search accent-insensitively by prefix over names, company, e-mail and city, with paging', () => {
    const adm = loginAs(core, 'ADM');
    const c = core.invokeSync(adm, 'contacts.create', { lastName: 'Lefèvre-Dupré', firstName: 'Élodie', email: 'elodie@exemple.fr', address: { line1: '', line2: '', line3: '', postalCode: '69002', city: 'Lyon', country: 'France' } });
    for (const q of ['lefevre', 'LEFÈV', 'elod', 'dupre elodie', 'elodie@exemple']) {
      expect(core.invokeSync(adm, 'contacts.search', { query: q }).items.map((i) => i.id), q).toContain(c.id);
    }
    const page1 = core.invokeSync(adm, 'contacts.search', { limit: 50 });
    const page2 = core.invokeSync(adm, 'contacts.search', { limit: 50, offset: 50 });
    expect(page1.total).toBe(1501);
    expect(page1.items).toHaveLength(50);
    expect(page2.items[0]!.id).not.toBe(page1.items[0]!.id);
    expect(core.invokeSync(adm, 'contacts.search', { query: '"); DROP TABLE contacts; --' }).total).toBe(0);
  });

  it('update a contact field by field', () => {
    const adm = loginAs(core, 'ADM');
    const c = core.invokeSync(adm, 'contacts.create', { lastName: 'Martin' });
    const updated = core.invokeSync(adm, 'contacts.update', { id: c.id, patch: { phone: '01 23 45 67 89', comment: 'Client fidèle 😀' } });
    expect(updated).toMatchObject({ lastName: 'Martin', phone: '01 23 45 67 89', comment: 'Client fidèle 😀' });
  });
});

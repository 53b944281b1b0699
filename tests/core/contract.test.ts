import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelNames, channels } from '../../shared/contract';
import type { Core } from '../../electron/core/app';
import { demoDb, dump, loginAs, roles, silentCore } from '../helpers';

let env: ReturnType<typeof demoDb>;
let core: Core;

beforeEach(() => {
  env = demoDb();
  core = silentCore(env.db);
});
afterEach(() => env.cleanup());

describe('the contract in the core', () => {
  it('names channels domain.verb and implements every one of them', async () => {
    for (const name of channelNames) {
      expect(name).toMatch(/^[a-z][a-zA-Z]*\.[a-z][a-zA-Z]*$/);
      const reply = await core.call(core.newConnection(), name, {});
      // Public channels answer; others ask to log in first: none is missing.
      if (reply.ok) expect(channels[name].access).toBe('public');
      else expect(['UNAUTHENTICATED', 'BAD_INPUT']).toContain(reply.error.code);
    }
  });

  it('refuses unknown channels', () => {
    expect(core.callSync(core.newConnection(), 'actions.drop', {})).toEqual({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'Unknown channel "actions.drop".' } });
  });

  it('asks to log in before anything but the session channels', () => {
    const conn = core.newConnection();
    expect(core.callSync(conn, 'contacts.search', {})).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: 'Please log in first.' } });
    expect(core.callSync(conn, 'session.current', {})).toEqual({ ok: true, result: null });
  });

  it('refuses a wrong password or an unknown login with the same message', () => {
    const conn = core.newConnection();
    const wrong = core.callSync(conn, 'session.login', { login: 'ADM', password: 'nope' });
    const unknown = core.callSync(conn, 'session.login', { login: 'NOBODY', password: 'demo' });
    expect(wrong).toEqual({ ok: false, error: { code: 'BAD_CREDENTIALS', message: 'Wrong login or password.' } });
    expect(unknown).toEqual(wrong);
    expect(core.callSync(conn, 'session.current', {})).toEqual({ ok: true, result: null });
  });

  it('logs in and out', () => {
    const conn = loginAs(core, 'ADM');
    expect(core.invokeSync(conn, 'session.current', {})).toMatchObject({ login: 'ADM', isAdmin: true, locale: 'fr', timeZone: 'Europe/Paris' });
    core.invokeSync(conn, 'session.logout', {});
    expect(core.invokeSync(conn, 'session.current', {})).toBeNull();
  });

  it('rejects bad payloads with a message naming the field, and changes nothing', () => {
    const rep = roles(env.summary).reps[0]!;
    const conn = loginAs(core, rep);
    const before = dump(env.db);
    const cases: [string, unknown, string, RegExp][] = [
      ['actions.create', { typeId: 1, title: '', period: { allDay: false, start: '2026-11-24T09:00:00Z', end: '2026-11-24T10:00:00Z' } }, 'title', /title: must not be empty/],
      ['actions.create', { typeId: 1, title: 'A', period: { allDay: false, start: '2026-11-24T10:00:00Z', end: '2026-11-24T09:00:00Z' } }, 'period.end', /period.end: must be after start/],
      ['actions.create', { typeId: 1, title: 'A', period: { allDay: true, startDate: '2026-02-30', endDate: '2026-03-01' } }, 'period.startDate', /period.startDate/],
      ['actions.create', { typeId: 1, title: 'A', reminder: { enabled: true, minutesBefore: 50000 }, period: { allDay: true, startDate: '2026-11-24', endDate: '2026-11-24' } }, 'reminder.minutesBefore', /reminder.minutesBefore: .*40320/],
      ['actions.create', { typeId: 999, title: 'A', period: { allDay: true, startDate: '2026-11-24', endDate: '2026-11-24' } }, 'typeId', /typeId: action type 999 does not exist/],
      ['actions.create', { typeId: 1, title: 'A', owner: 3, period: { allDay: true, startDate: '2026-11-24', endDate: '2026-11-24' } }, 'input', /Unrecognized key.*owner/],
      ['actions.update', { id: 1, patch: {} }, 'patch', /patch: must change at least one field/],
      ['actions.list', { userIds: [], from: '2026-11-23T00:00:00Z', to: '2026-11-30T00:00:00Z' }, 'userIds', /userIds/],
      ['actions.list', { userIds: [1], from: '2026-01-01T00:00:00Z', to: '2026-06-30T00:00:00Z' }, 'to', /to: range must not exceed 62 days/],
      ['contacts.create', { lastName: 'Durand', email: 'pas-un-email' }, 'email', /email: must be a valid e-mail address/],
      ['contacts.update', { id: 'x', patch: { comment: 'a' } }, 'id', /id: /],
      ['contacts.search', { query: 'a'.repeat(101) }, 'query', /query: /],
      ['syncPrefs.update', { patch: { monthsBefore: 99 } }, 'patch.monthsBefore', /patch.monthsBefore: /],
    ];
    for (const [channel, input, field, message] of cases) {
      const reply = core.callSync(conn, channel, input);
      expect(reply.ok, `${channel} ${JSON.stringify(input)}`).toBe(false);
      if (!reply.ok) {
        expect(reply.error.code).toBe('BAD_INPUT');
        expect(reply.error.field).toBe(field);
        expect(reply.error.message).toMatch(message);
      }
    }
    expect(dump(env.db)).toBe(before);
  });

  it('never returns more than the output schema allows', () => {
    const conn = loginAs(core, 'ADM');
    const users = core.invokeSync(conn, 'users.directory', {});
    expect(JSON.stringify(users)).not.toMatch(/password|scrypt/);
  });

  it('delivers events only after the change committed', () => {
    const rep = roles(env.summary).reps[0]!;
    const conn = loginAs(core, rep);
    const seen: unknown[] = [];
    core.onEvent((event, payload) => seen.push([event, payload]));
    const bad = core.callSync(conn, 'actions.create', { typeId: 999, title: 'x', period: { allDay: true, startDate: '2026-11-24', endDate: '2026-11-24' } });
    expect(bad.ok).toBe(false);
    expect(seen).toEqual([]);
    const made = core.invokeSync(conn, 'actions.create', { typeId: 1, title: 'x', period: { allDay: true, startDate: '2026-11-24', endDate: '2026-11-24' } });
    expect(seen).toEqual([['onActionsChanged', { ownerIds: [made.ownerId] }]]);
  });
});

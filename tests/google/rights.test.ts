/** Who may manage a Google connection: oneself, or ADM for anyone; managers never see tokens. */
import { afterEach, describe, expect, it } from 'vitest';
import { connectVia, fixture, flowResult, consent, type Fixture } from './fixture';

let f: Fixture;
afterEach(async () => f?.close());

describe('google.* rights', () => {
  it('a rep or a manager cannot connect, test, reset, read or cancel a colleague\'s connection', async () => {
    f = await fixture();
    expect((await connectVia(f, f.rep)).outcome).toBe('connected');
    const pending = await f.core.invoke(f.rep, 'google.connect', { mode: 'manual' });
    for (const conn of [f.colleague, f.manager]) {
      for (const [channel, input] of [
        ['google.connection', { userId: f.repId }],
        ['google.connect', { userId: f.repId }],
        ['google.test', { userId: f.repId }],
        ['google.reset', { userId: f.repId, scope: 'account', inGoogle: 'keep' }],
        ['google.cancelConnect', { flowId: pending.flowId }],
        ['google.completeManual', { flowId: pending.flowId, pasted: '4/0whatever-code' }],
      ] as const) {
        const r = await f.core.call(conn, channel, input);
        expect(r, `${channel}`).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      }
      for (const channel of ['google.getClient', 'google.setClient']) {
        expect(await f.core.call(conn, channel, channel === 'google.setClient' ? { clientId: 'evil' } : {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      }
    }
    expect((await f.core.invoke(f.rep, 'google.connection', {})).connected).toBe(true);
    expect((await f.core.invoke(f.rep, 'google.connection', {})).pending?.flowId).toBe(pending.flowId);
  });

  it('ADM may connect, test and reset anyone; replies carry no token', async () => {
    f = await fixture();
    const pending = await f.core.invoke(f.adm, 'google.connect', { userId: f.colleagueId });
    expect(new URL(pending.consentUrl).searchParams.get('login_hint')).toBe(f.colleagueEmail);
    const done = flowResult(f.core.services, pending.flowId)!;
    await consent(pending.consentUrl);
    expect((await done).outcome).toBe('connected');
    const status = await f.core.invoke(f.adm, 'google.connection', { userId: f.colleagueId });
    expect(Object.keys(status).sort()).toEqual(['accountEmail', 'connected', 'connectedAt', 'loginEmail', 'pending', 'scopes', 'userId']);
    expect(status).toMatchObject({ connected: true, accountEmail: f.colleagueEmail });
    expect((await f.core.invoke(f.adm, 'google.test', { userId: f.colleagueId })).ok).toBe(true);
    const reset = await f.core.invoke(f.adm, 'google.reset', { userId: f.colleagueId, scope: 'account', inGoogle: 'keep' });
    expect(reset).toMatchObject({ revoked: true, connection: { connected: false } });
    const client = await f.core.invoke(f.adm, 'google.getClient', {});
    expect(client).toEqual({ clientId: expect.any(String), secretSet: true, publishing: 'production', rootUrl: f.emu.url, secretStorage: { kind: 'key-file', warning: expect.stringMatching(/No OS keyring/) } });
  });

  it('ADM clears the secret with an empty string; an unknown user is NOT_FOUND', async () => {
    f = await fixture();
    expect(await f.core.invoke(f.adm, 'google.setClient', { clientSecret: '' })).toMatchObject({ secretSet: false });
    await expect(f.core.invoke(f.adm, 'google.connection', { userId: 9999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

/**
 * Secrets at rest and in transit: the Node sealer, and proof that the refresh token and the
 * client secret are in clear nowhere — database bytes, contract replies, events, logs.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { KEY_FILE, createNodeSealer, type KeyringFactory } from '../../electron/core/secrets-node';
import { getGoogleAccount } from '../../electron/core/google/accounts';
import { CLIENT, connectVia, fixture, type Fixture } from './fixture';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'crm-sealer-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const unavailable: KeyringFactory = () => ({
  getPassword: () => Promise.reject(new Error('Couldn\'t access platform storage')),
  setPassword: () => Promise.reject(new Error('Couldn\'t access platform storage')),
});

function memoryKeyring(): KeyringFactory {
  const store = new Map<string, string>();
  return (service, account) => ({
    getPassword: () => Promise.resolve(store.get(`${service}/${account}`) ?? null),
    setPassword: (p) => Promise.resolve(void store.set(`${service}/${account}`, p)),
  });
}

describe('the Node sealer', () => {
  it('round-trips with AES-256-GCM in a versioned format, never the same ciphertext twice', async () => {
    const s = await createNodeSealer({ keyDir: tmp(), id: 'a', keyring: null });
    const a = await s.seal('1//refresh-token-é');
    expect(a).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
    expect(await s.seal('1//refresh-token-é')).not.toBe(a);
    expect(await s.open(a)).toBe('1//refresh-token-é');
  });

  it('uses a key file readable only by its owner when the keyring is unavailable, with a warning', async () => {
    const dir = tmp();
    const s = await createNodeSealer({ keyDir: dir, id: 'a', keyring: unavailable });
    expect(s.kind).toBe('key-file');
    expect(s.warning).toMatch(/No OS keyring is available/);
    expect(s.keyFile).toBe(path.join(dir, KEY_FILE));
    expect(statSync(s.keyFile!).mode & 0o777).toBe(0o600);
    // The same key next time: what was sealed still opens.
    const sealed = await s.seal('x');
    expect(await (await createNodeSealer({ keyDir: dir, id: 'a', keyring: unavailable })).open(sealed)).toBe('x');
  });

  it('keeps the master key in the keyring when there is one (no key file)', async () => {
    const dir = tmp();
    const keyring = memoryKeyring();
    const s = await createNodeSealer({ keyDir: dir, id: 'db1', keyring });
    expect(s).toMatchObject({ kind: 'os-keyring', warning: null, keyFile: null });
    expect(existsSync(path.join(dir, KEY_FILE))).toBe(false);
    const sealed = await s.seal('y');
    expect(await (await createNodeSealer({ keyDir: dir, id: 'db1', keyring })).open(sealed)).toBe('y');
  });

  it('refuses a key file others can read', async () => {
    const dir = tmp();
    await createNodeSealer({ keyDir: dir, id: 'a', keyring: null });
    chmodSync(path.join(dir, KEY_FILE), 0o644);
    await expect(createNodeSealer({ keyDir: dir, id: 'a', keyring: null })).rejects.toThrow(/can be read by other users.*chmod 600/);
  });

  it('refuses a tampered ciphertext and one sealed under another key', async () => {
    const s = await createNodeSealer({ keyDir: tmp(), id: 'a', keyring: null });
    const sealed = await s.seal('secret value');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    await expect(s.open(`v1:${raw.toString('base64')}`)).rejects.toThrow(/cannot be opened/);
    await expect(s.open(sealed.replace('v1:', 'v9:'))).rejects.toThrow(/unknown format/);
    const other = await createNodeSealer({ keyDir: tmp(), id: 'b', keyring: null });
    await expect(other.open(sealed)).rejects.toThrow(/cannot be opened/);
  });

  it('a damaged key file is reported, not replaced', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, KEY_FILE), 'short', { mode: 0o600 });
    await expect(createNodeSealer({ keyDir: dir, id: 'a', keyring: null })).rejects.toThrow(/damaged/);
  });
});

describe('no secret in clear', () => {
  let f: Fixture;
  afterEach(async () => f?.close());

  it('neither the refresh tokens nor the client secret appear in the database files, the replies, the events or the logs', async () => {
    f = await fixture();
    const replies: unknown[] = [];
    const call = async (conn: string, channel: string, input: unknown) => {
      const r = await f.core.call(conn, channel, input);
      replies.push(r);
      return r;
    };
    await call(f.adm, 'google.setClient', { clientSecret: CLIENT.clientSecret, publishing: 'production' });
    await call(f.adm, 'google.getClient', {});
    expect((await connectVia(f, f.rep)).outcome).toBe('connected');
    await call(f.rep, 'google.connection', {});
    await call(f.adm, 'google.connection', { userId: f.repId });
    await call(f.rep, 'google.test', {});
    await call(f.manager, 'google.test', { userId: f.repId });
    const manual = (await call(f.colleague, 'google.connect', { mode: 'manual' })) as { result: { flowId: string } };
    await call(f.colleague, 'google.completeManual', { flowId: manual.result.flowId, pasted: '4/0bogus-code-value' });
    await call(f.adm, 'google.setClient', { clientSecret: 'wrong-secret-for-a-while' });
    await call(f.rep, 'google.test', {});
    await call(f.adm, 'google.setClient', { clientSecret: CLIENT.clientSecret });

    const sealed = getGoogleAccount(f.db, f.repId)!.sealedRefreshToken!;
    const refresh = await f.sealer.open(sealed);
    const state = f.emu.emulator.state;
    const secrets = [CLIENT.clientSecret, 'wrong-secret-for-a-while', refresh, ...Object.keys(state.refreshTokens), ...Object.keys(state.accessTokens)];
    expect(secrets.length).toBeGreaterThan(3);

    f.db.pragma('wal_checkpoint(PASSIVE)');
    const files = readdirSync(f.env.dir).filter((n) => n.startsWith('crm.sqlite'));
    expect(files).toEqual(expect.arrayContaining(['crm.sqlite', 'crm.sqlite-wal']));
    const bytes = files.map((n) => readFileSync(path.join(f.env.dir, n)).toString('latin1')).join('\n');
    const texts = { database: bytes, replies: JSON.stringify(replies), events: JSON.stringify(f.events), logs: f.logLines.join('\n') };
    expect(f.logLines.length).toBeGreaterThan(3);
    for (const [where, text] of Object.entries(texts)) {
      for (const s of secrets) expect(text.includes(s), `${where} holds a secret`).toBe(false);
    }
    // Sanity: the sealed forms are there, so the scan looked at the right bytes.
    expect(bytes.includes(sealed)).toBe(true);
    expect(JSON.stringify(replies)).toContain('"secretSet":true');
  });
});

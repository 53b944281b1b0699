import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/main';

const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-cli-'));
const db = path.join(dir, 'crm.sqlite');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('the CLI', () => {
  it('creates the demo database', async () => {
    const r = await cli('--db', db, 'init-db', '--demo', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ companies: 300, contacts: 1500, actions: 5000 });
  });

  it('refuses to generate the demo twice, changing nothing', async () => {
    const r = await cli('--db', db, 'init-db', '--demo');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.err)).toEqual({ ok: false, error: { code: 'CONFLICT', message: 'This database already has users; the demo data goes into a new file. Nothing was changed.' } });
  });

  it('lists users with their rights as JSON', async () => {
    const r = await cli('--db', db, 'users', '--json');
    expect(r.code).toBe(0);
    const users = JSON.parse(r.out) as { login: string; isAdmin: boolean; googleEmail: string | null; rights: { agenda: boolean }[] }[];
    expect(users).toHaveLength(6);
    expect(users[0]).toMatchObject({ login: 'ADM', isAdmin: true, googleEmail: null });
    expect(users.filter((u) => u.rights.some((r) => r.agenda))).toHaveLength(2);
    expect(users.filter((u) => !u.isAdmin).every((u) => u.googleEmail?.includes('@'))).toBe(true);
  });

  it('calls a channel as a user with the same checks as the app', async () => {
    const users = JSON.parse((await cli('--db', db, 'users', '--json')).out) as { id: number; login: string; rights: unknown[] }[];
    const rep = users.find((u) => u.login !== 'ADM' && u.rights.length === 0)!;
    const colleague = users.find((u) => u.login !== 'ADM' && u.id !== rep.id && u.rights.length === 0)!;
    const ok = await cli('--db', db, 'call', '--user', rep.login, 'contacts.search', '{"query":"","limit":3}');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).items).toHaveLength(3);
    const refused = await cli('--db', db, 'call', '--user', rep.login, 'actions.list', JSON.stringify({ userIds: [colleague.id], from: '2026-11-16T00:00:00Z', to: '2026-11-23T00:00:00Z' }));
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.err)).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: `You have no right to see the agenda of user ${colleague.id}.` } });
  });

  it('names what is wrong in bad input', async () => {
    const badJson = await cli('--db', db, 'call', '--user', 'ADM', 'contacts.search', '{query');
    expect(badJson.code).toBe(1);
    expect(JSON.parse(badJson.err).error.message).toMatch(/^The input is not valid JSON/);
    const badField = await cli('--db', db, 'call', '--user', 'ADM', 'contacts.search', '{"limit":0}');
    expect(JSON.parse(badField.err)).toMatchObject({ error: { code: 'BAD_INPUT', field: 'limit' } });
    const unknownUser = await cli('--db', db, 'call', '--user', 'NOBODY', 'contacts.search');
    expect(JSON.parse(unknownUser.err)).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'No active user has the login "NOBODY".' } });
    expect((await cli('--db', db, 'call', 'contacts.search')).code).toBe(2);
    const badRoot = await cli('--db', db, '--google', 'not a url', 'users');
    expect(badRoot.code).toBe(2);
    expect(badRoot.err).toMatch(/"not a url" is not a URL/);
    expect((await cli('frobnicate')).code).toBe(2);
  });

  it('refuses a file that is not a CRM database', async () => {
    const junk = path.join(dir, 'junk.sqlite');
    writeFileSync(junk, 'this is not sqlite at all, just some text that is long enough to be read as a header');
    const r = await cli('--db', junk, 'users');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Cannot open the database .*junk\.sqlite: file is not a database/);
  });

  it('creates an empty CRM with ADM only, refusing a short password', async () => {
    const fresh = path.join(dir, 'fresh.sqlite');
    const short = await cli('--db', fresh, 'init-db', '--admin-password', 'court');
    expect(short.code).toBe(1);
    expect(JSON.parse(short.err).error).toMatchObject({ code: 'BAD_INPUT', field: 'adminPassword' });
    expect((await cli('--db', fresh, 'init-db', '--admin-password', 'un mot de passe solide')).code).toBe(0);
    const users = JSON.parse((await cli('--db', fresh, 'users', '--json')).out);
    expect(users).toEqual([{ id: 1, login: 'ADM', displayName: 'Administrateur', isAdmin: true, googleEmail: null, rights: [] }]);
  });
});

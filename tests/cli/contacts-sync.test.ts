/**
 * `cli sync --contacts` (issue 6): the same core, on the CRM file, against the emulator; with
 * `--agenda` too, both run and the JSON holds both reports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/main';
import { contactsFixture, type ContactsFixture } from '../sync/contacts-fixture';

let f: ContactsFixture;
beforeAll(async () => {
  process.env.CRM_NO_KEYRING = '1';
  f = await contactsFixture();
  await f.core.invoke(f.rep, 'syncPrefs.update', { patch: { monthsBefore: 0, monthsAfter: 1, automaticSync: false } });
});
afterAll(async () => {
  delete process.env.CRM_NO_KEYRING;
  await f.close();
});

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(['--db', f.env.file, ...args], { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('cli sync --contacts', () => {
  it('a dry run predicts, the run pushes, both agree with Google; with --agenda both run', async () => {
    const a = await f.createContact({ firstName: 'Anne', lastName: 'Cli', comment: 'depuis la ligne de commande' });
    const b = await f.createContact({ lastName: 'Deux' });
    await f.add([a, b]);

    const dry = await cli('sync', '--user', f.repLogin, '--contacts', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({ dryRun: true, status: 'ok', listed: 2, google: { created: 2 } });
    expect(await f.gContacts()).toHaveLength(0);

    const run = await cli('sync', '--user', f.repLogin, '--contacts', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ dryRun: false, status: 'ok', google: { created: 2 } });
    expect((await f.gContact(a))!.biographies![0]!.value).toBe('depuis la ligne de commande');

    const text = await cli('sync', '--user', f.repLogin, '--contacts');
    expect(text.code).toBe(0);
    expect(text.out).toBe(`Synced the 2 contacts on the list of ${f.repLogin} (ok, 1 requests to Google):\n  CRM:    0 comment(s) updated\n  Google: 0 created, 0 updated, 0 photo(s)\n`);

    const both = await cli('sync', '--user', f.repLogin, '--agenda', '--contacts', '--json');
    expect(both.code).toBe(0);
    const r = JSON.parse(both.out) as { agenda: { status: string; trigger: string }; contacts: { status: string; listed: number } };
    expect(r.agenda).toMatchObject({ status: 'ok', trigger: 'manual' });
    expect(r.contacts).toMatchObject({ status: 'ok', listed: 2 });

    const none = await cli('sync', '--user', f.repLogin);
    expect(none.code).toBe(1);
    expect(JSON.parse(none.err)).toEqual({ ok: false, error: { code: 'BAD_INPUT', message: 'Say what to sync: --agenda and/or --contacts.' } });
  });

  it('exits 1 with the reason when the user is not connected', async () => {
    const r = await cli('sync', '--user', f.colleagueLogin, '--contacts', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ status: 'failed' });
    expect(r.err).toContain(`The contacts sync of ${f.colleagueLogin} failed: The user account information is not reachable`);
  });
});

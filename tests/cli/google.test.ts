/**
 * The CLI's Google commands against an in-process emulator (auto-consent): the test plays the
 * browser by fetching the printed consent URL.
 */
import { statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/main';
import { startEmulator, type RunningEmulator } from '../../emulator/index';
import { demoDb, roles } from '../helpers';

const env = demoDb();
env.db.close();
const rep = roles(env.summary).reps[0]!;
const repEmail = env.summary.users.find((u) => u.login === rep)!.googleEmail!;
let emu: RunningEmulator;
const CLIENT = { clientId: 'cli-test.apps.googleusercontent.com', clientSecret: 'cli-test-secret', publishing: 'production' as const };

beforeAll(async () => {
  process.env.CRM_NO_KEYRING = '1';
  emu = await startEmulator({ autoConsent: true });
  await emu.registerClient(CLIENT);
  await emu.createAccount({ email: repEmail, calendars: ['Agenda CRM'] });
});
afterAll(async () => {
  delete process.env.CRM_NO_KEYRING;
  await emu.close();
  env.cleanup();
});

async function cli(args: string[], onOut?: (text: string) => void) {
  let out = '';
  let err = '';
  const code = await runCli(['--db', env.file, ...args], {
    out: (t) => {
      out += t;
      onOut?.(t);
    },
    err: (t) => void (err += t),
  });
  return { code, out, err };
}

/** Plays the browser as soon as the pending connection is printed. */
function browser() {
  let visit: Promise<unknown> = Promise.resolve();
  return {
    onOut(text: string) {
      const line = text.split('\n').find((l) => l.includes('"consentUrl"'));
      if (line) visit = fetch((JSON.parse(line) as { consentUrl: string }).consentUrl, { redirect: 'follow' }).then((r) => r.text());
    },
    done: () => visit,
  };
}

/** Events the sync test created in Google (the reset test deletes them). */
let pushedToGoogle = 0;

describe('cli google commands', () => {
  it('set-client stores the client with the secret sealed in a key file beside the database', async () => {
    const r = await cli(['set-client', '--client-id', CLIENT.clientId, '--client-secret', CLIENT.clientSecret, '--publishing', 'production', '--root', emu.url, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ clientId: CLIENT.clientId, secretSet: true, publishing: 'production', rootUrl: emu.url, secretStorage: { kind: 'key-file' } });
    expect(r.out).not.toContain(CLIENT.clientSecret);
    expect(r.err).toMatch(/Warning: No OS keyring/);
    expect(statSync(path.join(env.dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect((await cli(['set-client', '--publishing', 'beta'])).code).toBe(2);
  });

  it('connect prints the consent URL, waits on the loopback and exits 0 once connected', async () => {
    const b = browser();
    const r = await cli(['connect', '--user', rep, '--no-browser', '--timeout', '30', '--json'], (t) => b.onOut(t));
    await b.done();
    expect(r.code).toBe(0);
    const [pending, outcome] = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(pending).toMatchObject({ mode: 'manual', consentUrl: expect.stringContaining(`${emu.url}/o/oauth2/v2/auth?`) });
    expect(outcome).toMatchObject({ outcome: 'connected', connection: { connected: true, accountEmail: repEmail } });
  });

  it('test passes, and reports NETWORK (exit 1) with --google pointing at a dead root', async () => {
    const ok = await cli(['test', '--user', rep, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true });
    const text = await cli(['test', '--user', rep]);
    expect(text.out).toMatch(/^ok {3}client/m);

    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    const down = await cli(['--google', `http://127.0.0.1:${port}`, 'test', '--user', rep, '--json']);
    expect(down.code).toBe(1);
    expect(JSON.parse(down.out).checks.find((c: { id: string }) => c.id === 'token')).toMatchObject({ status: 'fail', problem: 'NETWORK' });
    expect(JSON.parse(down.err.split('\n').find((l) => l.startsWith('{"ok"'))!)).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('NETWORK') } });
  });

  it('sync --agenda: a dry run predicts what the run then does; a second run has nothing to do', async () => {
    // A narrow window keeps the push small (the engine paces itself to Google's quota).
    expect((await cli(['call', '--user', rep, 'syncPrefs.update', '{"patch":{"monthsBefore":0,"monthsAfter":1}}'])).code).toBe(0);
    const dry = await cli(['sync', '--user', rep, '--agenda', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const predicted = JSON.parse(dry.out) as { dryRun: boolean; google: { created: number }; crm: { created: number } };
    expect(predicted.dryRun).toBe(true);
    expect(predicted.google.created).toBeGreaterThan(10);
    const run = await cli(['sync', '--user', rep, '--agenda', '--json']);
    expect(run.code).toBe(0);
    const done = JSON.parse(run.out) as { status: string; google: { created: number }; crm: { created: number } };
    expect(done).toMatchObject({ status: 'ok', google: { created: predicted.google.created }, crm: { created: predicted.crm.created } });
    pushedToGoogle = done.google.created;
    const again = JSON.parse((await cli(['sync', '--user', rep, '--agenda', '--json'])).out);
    expect(again).toMatchObject({ status: 'ok', requests: 1, google: { created: 0, updated: 0, deleted: 0 }, crm: { created: 0, updated: 0, deleted: 0 } });
    const text = await cli(['sync', '--user', rep, '--agenda']);
    expect(text.out).toMatch(/^Synced the agenda of \w+ \(ok, 1 requests to Google\):\n {2}CRM: {4}0 created, 0 updated, 0 deleted\n/);
    expect((await cli(['sync', '--user', rep])).code).toBe(1);
  });

  it('reset --calendar-only keeps the connection; reset --delete-in-google forgets it and revokes', async () => {
    const cal = await cli(['reset', '--user', rep, '--calendar-only', '--json']);
    expect(cal.code).toBe(0);
    expect(JSON.parse(cal.out)).toMatchObject({ revoked: false, connection: { connected: true } });
    const all = await cli(['reset', '--user', rep, '--delete-in-google', '--json']);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.out)).toMatchObject({ revoked: true, deletedInGoogle: pushedToGoogle, connection: { connected: false } });
    const t = await cli(['test', '--user', rep, '--json']);
    expect(t.code).toBe(1);
    expect(JSON.parse(t.out).checks[1]).toMatchObject({ id: 'connected', problem: 'NOT_CONNECTED' });
  });

  it('connect exits 1 with the reason when nobody answers in time', async () => {
    const r = await cli(['connect', '--user', rep, '--no-browser', '--timeout', '1']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Open this address in a browser and allow access:\nhttp:\/\/127\.0\.0\.1:\d+\/o\/oauth2\/v2\/auth\?/);
    expect(JSON.parse(r.err.split('\n').filter((l) => l.startsWith('{"ok"'))[0]!)).toMatchObject({ ok: false, error: { message: expect.stringContaining('timeout') } });
  });
});

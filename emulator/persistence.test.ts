import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from './index';
import { apis, connect, oauthClient, setup } from './testkit';

const ADA = 'ada@example.com';
const dir = mkdtempSync(join(tmpdir(), 'emu-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--data DIR', () => {
  it('survives a restart with accounts, events, contacts, tokens and sync tokens still valid', async () => {
    const first = await startEmulator({ dataDir: dir, autoConsent: true });
    await setup(first);
    await first.createAccount({ email: ADA, calendars: ['Work'] });
    const { cal, ppl, auth } = await connect(first, ADA);
    const ev = await cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'Persisted', start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T11:00:00Z' } } });
    const full = await cal.events.list({ calendarId: 'primary' });
    await ppl.people.createContact({ requestBody: { names: [{ givenName: 'Kept' }] } });
    const contacts = await ppl.people.connections.list({ resourceName: 'people/me', personFields: 'names', requestSyncToken: true });
    await first.close();
    expect(existsSync(join(dir, 'state.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).version).toBe(1);

    const second = await startEmulator({ dataDir: dir });
    try {
      // Same tokens, new port: point the same credentials at the restarted emulator.
      const auth2 = oauthClient(second);
      auth2.setCredentials(auth.credentials);
      const again = apis(second, auth2);
      const got = await again.cal.events.get({ calendarId: 'primary', eventId: ev.data.id as string });
      expect(got.data.summary).toBe('Persisted');
      const inc = await again.cal.events.list({ calendarId: 'primary', syncToken: full.data.nextSyncToken as string });
      expect(inc.status).toBe(200);
      expect(inc.data.items).toEqual([]);
      const pinc = await again.ppl.people.connections.list({ resourceName: 'people/me', personFields: 'names', syncToken: contacts.data.nextSyncToken as string });
      expect(pinc.status).toBe(200);
      const refreshed = await auth2.refreshAccessToken();
      expect(refreshed.credentials.access_token).toMatch(/^ya29\./);
      const list = await again.cal.calendarList.list();
      expect(list.data.items?.map((c) => c.summary)).toContain('Work');
    } finally {
      await second.close();
    }
  });
});

describe('CLI', () => {
  const run = (args: string[]): { proc: ReturnType<typeof spawn>; out: Promise<{ code: number | null; stdout: string; stderr: string }> } => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'emulator/main.ts', ...args], { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const out = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => proc.on('close', (code) => resolve({ code, stdout, stderr })));
    return { proc, out };
  };

  it('prints "listening on http://127.0.0.1:N" and serves the admin API', async () => {
    const { proc, out } = run(['--port', '0', '--latency-ms', '1']);
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no listening line')), 20_000);
      proc.stdout?.on('data', (d: Buffer) => {
        const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(d.toString());
        if (m) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      });
    });
    const res = await fetch(`${url}/__emulator/stats`);
    expect(res.status).toBe(200);
    proc.kill('SIGTERM');
    expect((await out).code).toBe(0);
  });

  it('exits 2 with a clear message on bad flags', async () => {
    const bad = await run(['--port', 'eighty']).out;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--port must be an integer');
    const unknown = await run(['--frobnicate']).out;
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('frobnicate');
  });
});

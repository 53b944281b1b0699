/**
 * A run that fails on Google writes its line with the code of the failure's kind (sync/logText.ts
 * `lineOfFailure`), stored with its params: the UI says it in the user's language, not in English
 * as a `text` line. The English sentence is describeGoogleError's own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Emit } from '../../electron/core/context';
import type { Db } from '../../electron/core/db/database';
import { runAgendaSync, type EngineDeps } from '../../electron/core/sync/agenda/engine';
import { runContactsSync, type ContactsEngineDeps } from '../../electron/core/sync/contacts/engine';
import type { Clock } from '../../electron/core/sync/pacer';
import { agendaFixture, timed, type AgendaFixture } from './agenda-fixture';
import { contactsFixture, type ContactsFixture } from './contacts-fixture';

/** Backoff and pacing cost no time here. */
let pacerMs = 0;
const clock: Clock = { now: () => pacerMs, sleep: (ms) => ((pacerMs += ms), new Promise((r) => setImmediate(r))) };

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

interface StoredLine {
  code: string | null;
  params: string | null;
  message: string;
}

/** The run's error lines but its summary (`agenda.run` / `contacts.run`, also an error when the run failed). */
function errorLines(db: Db, runId: number): StoredLine[] {
  return db.prepare("SELECT code, params, message FROM sync_log WHERE run_id = ? AND level = 'error' AND code NOT IN ('agenda.run', 'contacts.run') ORDER BY id").all(runId) as StoredLine[];
}

/** The run stored exactly one failure line, `line`, and its report carries the same code and sentence. */
function expectOneFailure(db: Db, r: { runId: number | null; errors: readonly { code?: string; message: string }[] }, line: StoredLine): void {
  expect(errorLines(db, r.runId!)).toEqual([line]);
  expect(r.errors).toEqual([expect.objectContaining({ code: line.code, message: line.message })]);
}

describe('an agenda run that fails on Google', () => {
  let f: AgendaFixture;
  const sync = () => {
    const deps: EngineDeps = { db: f.db, services: f.core.services, now: () => new Date(), broadcast: (() => undefined) as Emit, clock, baseDelayMs: 1 };
    return runAgendaSync(deps, { userId: f.repId, startedBy: f.repId, trigger: 'manual', dryRun: false });
  };
  const start = async () => {
    f = await agendaFixture();
    close = () => f.close();
    await f.createAction({ title: 'À envoyer', period: timed(1) });
  };

  it('Google answering 500 every time: the run fails with a google.answered line carrying the status and reason', async () => {
    await start();
    await f.emu.fault({ type: 'error', status: 500, count: 1000, api: 'api' });
    const r = await sync();
    expect(r.status).toBe('failed');
    expectOneFailure(f.db, r, {
      code: 'google.answered',
      params: '{"status":500,"reason":"backendError","detail":"Backend Error"}',
      message: 'Google answered 500 backendError: Backend Error.',
    });
  });

  it('the refresh token expired: a google.invalidGrant line', async () => {
    await start();
    await f.emu.fault({ type: 'expireRefreshTokens' });
    const r = await sync();
    expect(r.status).toBe('failed');
    expect(errorLines(f.db, r.runId!)).toEqual([{ code: 'google.invalidGrant', params: null, message: 'Google answered invalid_grant: the authorization expired or was revoked.' }]);
  });

  it('the Calendar API not enabled: a google.apiDisabled line', async () => {
    await start();
    await f.emu.fault({ type: 'error', status: 403, reason: 'accessNotConfigured', count: 1000, api: 'calendar' });
    const r = await sync();
    expect(r.status).toBe('failed');
    expect(errorLines(f.db, r.runId!)).toEqual([{ code: 'google.apiDisabled', params: '{"status":403}', message: 'The API is not enabled for this Google client (403 accessNotConfigured).' }]);
  });

  it('every connection dropped: a google.unreachable line', async () => {
    await start();
    await f.emu.fault({ type: 'drop', count: 1000, api: 'api' });
    const r = await sync();
    expect(r.status).toBe('failed');
    const [stored, ...more] = errorLines(f.db, r.runId!);
    expect(more).toEqual([]);
    expect(stored!.code).toBe('google.unreachable');
    expect(JSON.parse(stored!.params!)).toEqual({ code: expect.stringMatching(/^E[A-Z_]+$/) });
    expect(stored!.message).toMatch(/^Google cannot be reached \(.+\): check the network connection\.$/);
  });
});

describe('a contacts run that fails on Google', () => {
  const start = async (): Promise<{ f: ContactsFixture; sync: () => ReturnType<typeof runContactsSync> }> => {
    const f = await contactsFixture({ emulator: { quotaPerMinute: 100_000, projectQuotaPerMinute: 100_000 } });
    close = () => f.close();
    await f.add([await f.createContact({ firstName: 'Paul', lastName: 'Martin' })]);
    const deps: ContactsEngineDeps = { db: f.db, services: f.core.services, now: () => new Date(), broadcast: (() => undefined) as Emit, clock, baseDelayMs: 1 };
    return { f, sync: () => runContactsSync(deps, { userId: f.repId, startedBy: f.repId, dryRun: false }) };
  };

  it('Google\'s quota exhausted every time: a google.quota line', async () => {
    const { f, sync } = await start();
    await f.emu.fault({ type: 'error', status: 429, count: 1000, api: 'people', retryAfterSeconds: 1 });
    const r = await sync();
    expect(r.status).toBe('failed');
    expect(errorLines(f.db, r.runId!)).toEqual([{ code: 'google.quota', params: '{"status":429}', message: "Google's quota is exhausted (429): wait a minute and try again." }]);
  });

  it('Google answering 503 every time: the run fails with a google.answered line, not a text one', async () => {
    const { f, sync } = await start();
    await f.emu.fault({ type: 'error', status: 503, count: 1000, api: 'people' });
    const r = await sync();
    expect(r.status).toBe('failed');
    expectOneFailure(f.db, r, {
      code: 'google.answered',
      params: '{"status":503,"reason":"backendError","detail":"The service is currently unavailable."}',
      message: 'Google answered 503 backendError: The service is currently unavailable..',
    });
    expect(r.errors[0]).toMatchObject({ contactId: null });
  });
});

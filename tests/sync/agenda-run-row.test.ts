/**
 * The agenda sync's run row and clients, as the engine now handles them (issue 5):
 * - the run's row in the sync log is opened while the first request travels, or before the run's
 *   first write — and at the latest when the run ends: a run refused before any request still has
 *   its row, its status and its log line, and leaves no row 'running';
 * - a push's row is there, closed, with its lines, like any other;
 * - the user's Google clients are kept between runs only while the connection is the same: a new
 *   refresh token (another Connect) is the one the next run uses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { putGoogleAccount } from '../../electron/core/google/accounts';
import { REQUESTED_SCOPES } from '../../electron/core/google/identity';
import { MESSAGES } from '../../electron/core/google/test';
import { agendaFixture, connectWithoutBrowser, timed, type AgendaFixture } from './agenda-fixture';

let f: AgendaFixture;
afterEach(async () => {
  await f.close();
});

const runRow = (id: number | null) => f.db.prepare('SELECT user_id, status, finished_at FROM sync_runs WHERE id = ?').get(id) as { user_id: number; status: string; finished_at: string | null } | undefined;
const logLines = (id: number | null) => (f.db.prepare('SELECT level, message FROM sync_log WHERE run_id = ? ORDER BY id').all(id) as { level: string; message: string }[]);
const running = () => (f.db.prepare("SELECT count(*) AS n FROM sync_runs WHERE status = 'running'").get() as { n: number }).n;

describe('the run row', () => {
  it('a run refused before any request still has its row, closed as failed, with the reason in its log', async () => {
    f = await agendaFixture();
    f.db.prepare("UPDATE sync_prefs SET calendar_name = '' WHERE user_id = ?").run(f.repId);
    const before = await f.requests();
    const report = await f.sync();
    expect(report.status).toBe('failed');
    expect(await f.requests()).toBe(before);
    expect(runRow(report.runId)).toMatchObject({ user_id: f.repId, status: 'failed' });
    expect(runRow(report.runId)!.finished_at).not.toBeNull();
    expect(logLines(report.runId)).toContainEqual({ level: 'error', message: MESSAGES.calendarNotSet });
    expect(running()).toBe(0);
  });

  it('a push has its row, closed, with a line per event created; a dry run has none', async () => {
    f = await agendaFixture();
    await f.createAction({ title: 'Visite', period: timed(2, 10) });
    const dry = await f.sync({ dryRun: true });
    expect(dry.runId).toBeNull();
    const report = await f.sync();
    expect(report).toMatchObject({ status: 'ok', google: { created: 1 } });
    expect(runRow(report.runId)).toMatchObject({ status: 'ok' });
    expect(logLines(report.runId).at(-1)!.message).toMatch(/^Run ok: CRM \+0 ~0 −0; Google \+1 ~0 −0; \d+ request\(s\)\.$/);
    expect(running()).toBe(0);
  });
});

describe("the user's Google clients", () => {
  it('are rebuilt when the connection changes: a new refresh token is the one the next run uses', async () => {
    f = await agendaFixture();
    expect((await f.sync()).status).toBe('ok');
    // Another "Connect" that stored a token Google does not know: the kept clients must not hide it.
    putGoogleAccount(f.db, { userId: f.repId, email: f.repEmail, sealedRefreshToken: await f.sealer.seal('1//not-a-token-google-knows'), scopes: REQUESTED_SCOPES, connectedAt: new Date().toISOString() });
    const refused = await f.sync();
    expect(refused.status).toBe('failed');
    expect(refused.errors).toHaveLength(1);
    // Connected again for real: the next run works with the new token.
    await connectWithoutBrowser(f, f.repId, f.repEmail);
    await f.createAction({ title: 'Après reconnexion', period: timed(3, 9) });
    const report = await f.sync();
    expect(report).toMatchObject({ status: 'ok', google: { created: 1 } });
    expect((await f.gEvents()).map((e) => e.summary)).toContain('Après reconnexion');
  });
});

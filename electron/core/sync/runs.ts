/**
 * Sync runs left 'running' by a crash, a kill or a power cut — for the agenda and the contacts
 * alike. A run row carries, in its summary while it runs, who runs it (pid and host); when the
 * user's next run of the same scope starts (inside that scope's per-user lock, so no run of this
 * process is going on), the rows whose process is gone are closed as 'failed' with a log line
 * saying so. A row whose process still lives on this machine belongs to another process syncing
 * the same file right now (the CLI next to the app) and is left alone. A reused pid can keep a
 * dead row open until that process ends; that only delays the closing.
 */
import { hostname } from 'node:os';
import type { CoreServices } from '../context';
import type { Statement } from 'better-sqlite3';
import type { LogText } from '../../../shared/contract';
import { insertMany } from '../actions/store';
import type { Db } from '../db/database';
import { line, paramsColumn } from './logText';

/** Who runs a sync: kept in the summary of a 'running' row, so another process can tell a live run from a dead one. */
export function runner(): { pid: number; host: string } {
  return { pid: process.pid, host: hostname() };
}

/**
 * The statements every run opens with, prepared once per database: preparing them each time was
 * a good part of the ~0.5 ms a run spent opening its row (an idle startup sync has ~15 ms of our
 * own time to spend beyond its one round trip, bench/agenda.ts).
 */
const statements = new WeakMap<Db, { running: Statement; close: Statement; open: Statement }>();

function statementsOf(db: Db) {
  let s = statements.get(db);
  if (!s) {
    s = {
      running: db.prepare("SELECT id, started_at, summary FROM sync_runs WHERE user_id = ? AND scope = ? AND status = 'running'"),
      close: db.prepare("UPDATE sync_runs SET status = 'failed', finished_at = ?, summary = ? WHERE id = ?"),
      open: db.prepare("INSERT INTO sync_runs (user_id, started_by, scope, trigger, started_at, status, summary) VALUES (?, ?, ?, ?, ?, 'running', ?)"),
    };
    statements.set(db, s);
  }
  return s;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Closes this user's dead 'running' runs of `scope` as failed; call it in the transaction that opens the new run. */
export function closeInterruptedRuns(db: Db, services: CoreServices, userId: number, scope: 'agenda' | 'contacts', at: string): void {
  const st = statementsOf(db);
  const rows = st.running.all(userId, scope) as {
    id: number;
    started_at: string;
    summary: string;
  }[];
  const me = runner();
  for (const r of rows) {
    let who: { pid?: unknown; host?: unknown } = {};
    try {
      who = JSON.parse(r.summary) as typeof who;
    } catch {
      // An unreadable summary cannot name a live process: the run is closed.
    }
    if (typeof who.pid === 'number' && who.host === me.host && who.pid !== me.pid && isAlive(who.pid)) continue;
    const t = line('run.interrupted', { startedAt: r.started_at });
    st.close.run(at, JSON.stringify({ errors: 1, interrupted: true }), r.id);
    writeRunLog(db, r.id, at, [{ level: 'error', entity: 'run', crmId: null, googleId: null, text: t }]);
    services.logger.log('warn', `${scope} sync run interrupted`, { userId, runId: r.id, startedAt: r.started_at });
  }
}

/**
 * Opens a run of `scope` for the user, as 'running' with its runner: in one transaction with the
 * closing of the user's interrupted runs of that scope. Returns the run's id.
 */
export function openRun(db: Db, services: CoreServices, run: { userId: number; startedBy: number | null; scope: 'agenda' | 'contacts'; trigger: string; startedAt: string }): number {
  return db.transaction(() => {
    closeInterruptedRuns(db, services, run.userId, run.scope, run.startedAt);
    return Number(
      statementsOf(db).open.run(run.userId, run.startedBy, run.scope, run.trigger, run.startedAt, JSON.stringify(runner())).lastInsertRowid,
    );
  })();
}

export type LogLevel = 'info' | 'warning' | 'error';

/** One line of a run's sync log: about the run itself (`entity` 'run') or about one action or contact. */
export interface RunLogLine {
  level: LogLevel;
  entity: 'run' | 'action' | 'contact';
  crmId: number | null;
  googleId: string | null;
  /** Built where it is written (logText.ts `line`): code, params and the English message. */
  text: LogText;
}

/**
 * Writes a run's log lines, each with the code and params it was built with next to its English
 * message (migration 0007): the one writer of `sync_log` rows — the agenda and contacts engines at
 * the end of a run, and the closing of interrupted runs above. Multi-row INSERTs: a run may log a
 * line for each of hundreds of changes.
 */
export function writeRunLog(db: Db, runId: number, at: string, lines: readonly RunLogLine[]): void {
  insertMany(
    db,
    'INSERT INTO sync_log (run_id, level, entity, crm_id, google_id, message, code, params, created_at)',
    lines.map((l) => [runId, l.level, l.entity, l.crmId, l.googleId, l.text.message, l.text.code, paramsColumn(l.text), at]),
  );
}

/**
 * The CLI transport: `npm run cli -- [--db PATH] [--google ROOT_URL] <command>`.
 * It opens the CRM file directly (its user owns that file) and calls the same core, with the
 * same checks, as the app does.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CrmError } from '../../shared/errors';
import { Core } from '../core/app';
import { openDatabase, type Db } from '../core/db/database';
import { MigrationError } from '../core/db/migrate';
import { flowResult } from '../core/google/oauth';
import { createLogger } from '../core/log';
import { createNodeSealer } from '../core/secrets-node';
import { initDemo, initEmpty } from '../core/setup/init';

export const DEFAULT_DB = path.join('data', 'crm.sqlite');
/** Google itself: passing it to --google is the same as not passing --google. */
export const GOOGLE_ROOT = 'https://www.googleapis.com';

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

function googleRoot(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a URL (expected e.g. http://127.0.0.1:8085).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidArgumentError(`"${value}" must be an http(s) URL.`);
  return url.toString().replace(/\/$/, '');
}

function openDb(dbPath: string): Db {
  mkdirSync(path.dirname(path.resolve(dbPath)), { recursive: true });
  return openDatabase(dbPath);
}

export function buildCli(io: Io): Command {
  const program = new Command('crm')
    .description('CRM Companion command line: the same core and checks as the app.')
    .option('--db <path>', 'CRM database file (env CRM_DB)', process.env.CRM_DB ?? DEFAULT_DB)
    .option('--google <rootUrl>', 'Google API root for this run, e.g. the emulator (env CRM_GOOGLE_ROOT); default: the one ADM set', googleRoot, process.env.CRM_GOOGLE_ROOT)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();

  const globals = () => program.opts<{ db: string; google?: string }>();

  /** A core that can keep secrets (OS keyring, else a key file beside the database) and talk to Google. */
  const googleCore = async (options: { connectTimeoutMs?: number; openBrowser?: boolean } = {}) => {
    const dbPath = path.resolve(globals().db);
    const db = openDb(dbPath);
    try {
      const secrets = await createNodeSealer({ keyDir: path.dirname(dbPath), id: dbPath });
      if (secrets.warning) io.err(`Warning: ${secrets.warning}\n`);
      const root = globals().google;
      const core = new Core({
        db,
        // Only failures reach the terminal; tokens are redacted by the logger anyway.
        logger: createLogger((line) => io.err(`${line}\n`), 'error'),
        services: {
          secrets,
          openExternal: (url) => (options.openBrowser ? openInBrowser(url) : Promise.resolve()),
          google: { rootUrlOverride: root === undefined ? undefined : root === GOOGLE_ROOT ? null : root, connectTimeoutMs: options.connectTimeoutMs },
        },
      });
      return { db, core };
    } catch (error) {
      db.close();
      throw error;
    }
  };

  program
    .command('init-db')
    .description('Create (or migrate) the database; --demo fills a new one with the demo company')
    .option('--demo', 'generate the demo data (French small business, users with password "demo")')
    .option('--seed <n>', 'seed of the demo data', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
      return n;
    })
    .option('--admin-password <password>', 'password of ADM in a new, empty database (env CRM_ADMIN_PASSWORD)')
    .option('--json', 'print the result as JSON')
    .action((opts: { demo?: boolean; seed?: number; adminPassword?: string; json?: boolean }) => {
      const db = openDb(globals().db);
      try {
        if (opts.demo) {
          const summary = initDemo(db, opts.seed === undefined ? {} : { seed: opts.seed });
          if (opts.json) io.out(JSON.stringify({ db: globals().db, ...summary }, null, 2) + '\n');
          else io.out(`Demo database ready at ${globals().db}: ${summary.users.length} users (password "demo"), ${summary.companies} companies, ${summary.contacts} contacts, ${summary.actions} actions.\n`);
          return;
        }
        const password = opts.adminPassword ?? process.env.CRM_ADMIN_PASSWORD;
        if (password !== undefined) initEmpty(db, password);
        if (opts.json) io.out(JSON.stringify({ db: globals().db, ok: true }) + '\n');
        else io.out(`Database ready at ${globals().db}.${password === undefined ? '' : ' ADM can log in.'}\n`);
      } finally {
        db.close();
      }
    });

  program
    .command('users')
    .description('List users with their rights on colleagues')
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }) => {
      const db = openDb(globals().db);
      try {
        const core = new Core({ db });
        const conn = core.newConnection();
        core.impersonate(conn, 'ADM');
        const users = core.invokeSync(conn, 'users.directory', {});
        if (opts.json) return io.out(JSON.stringify(users, null, 2) + '\n');
        for (const u of users) {
          const rights = u.rights.map((r) => `${r.targetLogin}[${[r.visible && 'Visible', r.agenda && 'Agenda'].filter(Boolean).join('+')}]`).join(' ');
          io.out(`${u.login.padEnd(12)} ${u.displayName.padEnd(24)} ${u.isAdmin ? 'admin ' : '      '} ${(u.googleEmail ?? '-').padEnd(36)} ${rights}\n`);
        }
      } finally {
        db.close();
      }
    });

  program
    .command('call')
    .description("Invoke a contract channel as a user, e.g. call --user ADM actions.list '{\"userIds\":[2],...}'")
    .requiredOption('--user <login>', 'act as this user (same rights checks as in the app)')
    .argument('<channel>', 'channel name, e.g. contacts.search')
    .argument('[input]', 'JSON input', '{}')
    .action(async (channel: string, inputText: string, opts: { user: string }) => {
      let input: unknown;
      try {
        input = JSON.parse(inputText);
      } catch (error) {
        throw new CrmError('BAD_INPUT', `The input is not valid JSON: ${(error as Error).message}`);
      }
      const db = openDb(globals().db);
      try {
        const core = new Core({ db });
        const conn = core.newConnection();
        core.impersonate(conn, opts.user);
        const reply = await core.call(conn, channel, input);
        if (!reply.ok) throw new CrmError(reply.error.code, reply.error.message, reply.error.field);
        io.out(JSON.stringify(reply.result, null, 2) + '\n');
      } finally {
        db.close();
      }
    });

  program
    .command('set-client')
    .description("Set the Google OAuth desktop client (as ADM); the secret is stored encrypted")
    .option('--client-id <id>', 'OAuth client ID (…apps.googleusercontent.com)')
    .option('--client-secret <secret>', 'OAuth client secret ("" clears it)')
    .option('--publishing <status>', 'testing | production (the OAuth consent screen\'s publishing status)', (v) => {
      if (v !== 'testing' && v !== 'production') throw new InvalidArgumentError('must be "testing" or "production"');
      return v;
    })
    .option('--root <url>', 'Google root URL to store (e.g. the emulator); "google" for Google itself')
    .option('--json', 'print as JSON')
    .action(async (opts: { clientId?: string; clientSecret?: string; publishing?: string; root?: string; json?: boolean }) => {
      const { db, core } = await googleCore();
      try {
        const conn = core.newConnection();
        core.impersonate(conn, 'ADM');
        const input: Record<string, unknown> = {};
        if (opts.clientId !== undefined) input.clientId = opts.clientId;
        if (opts.clientSecret !== undefined) input.clientSecret = opts.clientSecret;
        if (opts.publishing !== undefined) input.publishing = opts.publishing;
        if (opts.root !== undefined) input.rootUrl = opts.root === 'google' ? null : opts.root;
        const status = await core.invoke(conn, 'google.setClient', input);
        if (opts.json) return io.out(JSON.stringify(status, null, 2) + '\n');
        io.out(`Google client ${status.clientId || '(no ID)'}: secret ${status.secretSet ? 'set' : 'not set'}, ${status.publishing}, ${status.rootUrl ?? 'Google'}; secrets kept in ${status.secretStorage.kind}.\n`);
      } finally {
        db.close();
      }
    });

  program
    .command('connect')
    .description("Connect a user to Google: prints the consent URL and waits for Google's answer on 127.0.0.1")
    .requiredOption('--user <login>', 'the user to connect (their Google login e-mail must be set)')
    .option('--no-browser', 'do not open a browser; only print the URL')
    .option('--timeout <seconds>', 'how long to wait for the consent', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 3600) throw new InvalidArgumentError('must be a whole number of seconds, 1 to 3600');
      return n;
    }, 300)
    .option('--json', 'print JSON lines: the pending connection, then the outcome')
    .action(async (opts: { user: string; browser: boolean; timeout: number; json?: boolean }) => {
      const { db, core } = await googleCore({ connectTimeoutMs: opts.timeout * 1000, openBrowser: opts.browser });
      try {
        const conn = core.newConnection();
        core.impersonate(conn, opts.user);
        const pending = await core.invoke(conn, 'google.connect', { mode: opts.browser ? 'browser' : 'manual' });
        if (opts.json) io.out(JSON.stringify(pending) + '\n');
        else io.out(`Open this address in a browser and allow access:\n${pending.consentUrl}\nWaiting for Google's answer (up to ${opts.timeout} s)…\n`);
        const result = await flowResult(core.services, pending.flowId);
        if (!result || result.outcome !== 'connected') {
          throw new CrmError('CONFLICT', `Not connected (${result?.outcome ?? 'cancelled'}${result?.problem ? `, ${result.problem}` : ''}): ${result?.message ?? 'the attempt ended.'}`);
        }
        const status = await core.invoke(conn, 'google.connection', {});
        if (opts.json) io.out(JSON.stringify({ outcome: result.outcome, connection: status }) + '\n');
        else io.out(`Connected ${opts.user} to Google as ${status.accountEmail}.\n`);
      } finally {
        db.close();
      }
    });

  program
    .command('test')
    .description("Run the Test button's checks for a user (exit 1 when one fails)")
    .requiredOption('--user <login>', 'the user to test')
    .option('--json', 'print as JSON')
    .action(async (opts: { user: string; json?: boolean }) => {
      const { db, core } = await googleCore();
      try {
        const conn = core.newConnection();
        core.impersonate(conn, opts.user);
        const report = await core.invoke(conn, 'google.test', {});
        if (opts.json) io.out(JSON.stringify(report, null, 2) + '\n');
        else {
          const mark = { pass: 'ok  ', fail: 'FAIL', warn: 'warn', skipped: '-   ' } as const;
          for (const c of report.checks) io.out(`${mark[c.status]} ${c.id.padEnd(12)} ${c.problem ? `[${c.problem}] ` : ''}${c.message}\n`);
        }
        if (!report.ok) throw new CrmError('CONFLICT', `The Google test of ${opts.user} failed: ${report.checks.filter((c) => c.status === 'fail').map((c) => c.problem).join(', ')}.`);
      } finally {
        db.close();
      }
    });

  program
    .command('reset')
    .description("Forget a user's Google account (revoked at Google), or with --calendar-only the agenda links only")
    .requiredOption('--user <login>', 'the user to reset')
    .option('--calendar-only', 'keep the connection; drop the agenda links and tokens only')
    .option('--delete-in-google', 'first delete in Google what this app created there')
    .option('--json', 'print as JSON')
    .action(async (opts: { user: string; calendarOnly?: boolean; deleteInGoogle?: boolean; json?: boolean }) => {
      const { db, core } = await googleCore();
      try {
        const conn = core.newConnection();
        core.impersonate(conn, opts.user);
        const r = await core.invoke(conn, 'google.reset', { scope: opts.calendarOnly ? 'calendar' : 'account', inGoogle: opts.deleteInGoogle ? 'delete' : 'keep' });
        if (opts.json) return io.out(JSON.stringify(r, null, 2) + '\n');
        io.out(`Reset ${opts.calendarOnly ? 'calendar' : 'account'} of ${opts.user}: ${r.linksDropped} links dropped, ${r.deletedInGoogle} items deleted in Google${opts.calendarOnly ? '' : `, token ${r.revoked ? 'revoked' : 'not revoked (already invalid or Google unreachable)'}`}.\n`);
      } finally {
        db.close();
      }
    });

  program
    .command('sync')
    .description("Sync a user's agenda (both ways) and/or contact list (to Google) now (FTC019 §3.6); --dry-run lists what would change, writing nothing")
    .requiredOption('--user <login>', 'whose agenda or contacts (their own Google connection is used)')
    .option('--agenda', 'the agenda, both ways')
    .option('--contacts', 'the contact sync list, to Google (comments both ways)')
    .option('--dry-run', 'compute what would change on each side without writing anything')
    .option('--json', 'print the report as JSON ({agenda, contacts} when both are synced)')
    .action(async (opts: { user: string; agenda?: boolean; contacts?: boolean; dryRun?: boolean; json?: boolean }) => {
      if (!opts.agenda && !opts.contacts) throw new CrmError('BAD_INPUT', 'Say what to sync: --agenda and/or --contacts.');
      const { db, core } = await googleCore();
      try {
        const conn = core.newConnection();
        core.impersonate(conn, opts.user);
        const dryRun = opts.dryRun ?? false;
        const agenda = opts.agenda ? await core.invoke(conn, 'agendaSync.run', { trigger: 'manual', dryRun }) : null;
        const contacts = opts.contacts ? await core.invoke(conn, 'contactsSync.run', { dryRun }) : null;
        if (opts.json) io.out(JSON.stringify(agenda && contacts ? { agenda, contacts } : (agenda ?? contacts), null, 2) + '\n');
        else {
          if (agenda) {
            const r = agenda;
            const side = (c: { created: number; updated: number; deleted: number }) => `${c.created} created, ${c.updated} updated, ${c.deleted} deleted`;
            io.out(`${r.dryRun ? 'Would change' : 'Synced'} the agenda of ${opts.user} (${r.status}, ${r.requests} requests to Google):\n`);
            io.out(`  CRM:    ${side(r.crm)}\n  Google: ${side(r.google)}\n`);
            for (const s of r.skipped) io.out(`  skipped: ${s.count} (${s.reason})\n`);
            for (const d of r.decisions) io.out(`  ${d.kind}: ${d.message}\n`);
            for (const e of r.errors) io.out(`  error: ${e.message}\n`);
            if (r.pendingDeletions > 0) io.out(`  ${r.pendingDeletions} deletion(s) made in Google wait for confirmation in the app.\n`);
          }
          if (contacts) {
            const r = contacts;
            io.out(`${r.dryRun ? 'Would change' : 'Synced'} the ${r.listed} contacts on the list of ${opts.user} (${r.status}, ${r.requests} requests to Google):\n`);
            io.out(`  CRM:    ${r.crm.updated} comment(s) updated\n  Google: ${r.google.created} created, ${r.google.updated} updated, ${r.google.photos} photo(s)\n`);
            for (const s of r.skipped) io.out(`  skipped: ${s.count} (${s.reason})\n`);
            for (const d of r.decisions) io.out(`  ${d.kind}: ${d.message}\n`);
            for (const e of r.errors) io.out(`  error: ${e.message}\n`);
          }
        }
        const failed = [
          agenda?.status === 'failed' ? `The agenda sync of ${opts.user} failed: ${agenda.errors.map((e) => e.message).join(' ')}` : null,
          contacts?.status === 'failed' ? `The contacts sync of ${opts.user} failed: ${contacts.errors.map((e) => e.message).join(' ')}` : null,
        ].filter((m): m is string => m !== null);
        if (failed.length > 0) throw new CrmError('CONFLICT', failed.join(' '));
      } finally {
        db.close();
      }
    });

  return program;
}

/** Opens a URL with the desktop's opener; a headless machine just has the printed URL. */
function openInBrowser(url: string): Promise<void> {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return Promise.resolve();
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // the URL is printed anyway
  }
  return Promise.resolve();
}

/** Runs the CLI; returns the exit code (0 ok, 1 refused by the core, 2 bad usage). */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const program = buildCli(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof CrmError) {
      io.err(JSON.stringify({ ok: false, error: error.toPayload() }) + '\n');
      return 1;
    }
    if (error instanceof MigrationError) {
      io.err(`${error.message}\n`);
      return 1;
    }
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CANTOPEN') {
      io.err(`Cannot open the database ${program.opts<{ db: string }>().db}: ${(error as Error).message}\n`);
      return 1;
    }
    io.err(`Unexpected error: ${(error as Error).message}\n`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const code = await runCli(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
  process.exitCode = code;
}

/**
 * The CLI transport: `npm run cli -- [--db PATH] [--google ROOT_URL] <command>`.
 * It opens the CRM file directly (its user owns that file) and calls the same core, with the
 * same checks, as the app does.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CrmError } from '../../shared/errors';
import { Core } from '../core/app';
import { openDatabase, type Db } from '../core/db/database';
import { MigrationError } from '../core/db/migrate';
import { initDemo, initEmpty } from '../core/setup/init';

export const DEFAULT_DB = path.join('data', 'crm.sqlite');
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
    .option('--google <rootUrl>', 'Google API root, e.g. the emulator (env CRM_GOOGLE_ROOT)', googleRoot, process.env.CRM_GOOGLE_ROOT ?? GOOGLE_ROOT)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();

  const globals = () => program.opts<{ db: string; google: string }>();

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
        const users = core.invoke(conn, 'users.directory', {});
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
    .action((channel: string, inputText: string, opts: { user: string }) => {
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
        const reply = core.call(conn, channel, input);
        if (!reply.ok) throw new CrmError(reply.error.code, reply.error.message, reply.error.field);
        io.out(JSON.stringify(reply.result, null, 2) + '\n');
      } finally {
        db.close();
      }
    });

  return program;
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

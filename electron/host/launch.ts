/**
 * Starting the browser host from the command line: open the CRM file, make sure the renderer
 * is built, serve it, and print the one-time launch URL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Core } from '../core/app';
import { openDatabase } from '../core/db/database';
import { createNodeSealer } from '../core/secrets-node';
import { initDemo, userCount } from '../core/setup/init';
import { startDemoGoogle, type DemoGoogle } from './demo-google';
import { PROJECT_ROOT, RENDERER_DIR } from './paths';
import { startHost, type Host } from './server';

export { PROJECT_ROOT, RENDERER_DIR } from './paths';

export interface LaunchOptions {
  dbPath: string;
  port: number;
  /** Create the demo company when the file has no users yet, show the demo hint, and start the Google emulator. */
  demo: boolean;
  open: boolean;
  log: (line: string) => void;
}

export function ensureRendererBuilt(log: (line: string) => void): void {
  if (existsSync(path.join(RENDERER_DIR, 'index.html'))) return;
  log('Building the renderer (first run)…');
  const result = spawnSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('The renderer build failed; run `npm run build:renderer` to see why.');
}

function openBrowser(url: string): boolean {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return false;
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

export async function launch(options: LaunchOptions): Promise<{ host: Host; close: () => Promise<void> }> {
  mkdirSync(path.dirname(path.resolve(options.dbPath)), { recursive: true });
  const db = openDatabase(options.dbPath);
  if (options.demo && userCount(db) === 0) {
    options.log(`Creating the demo database at ${options.dbPath}…`);
    const summary = initDemo(db);
    options.log(`  ${summary.users.length} users, ${summary.companies} companies, ${summary.contacts} contacts, ${summary.actions} actions.`);
  }
  if (userCount(db) === 0) {
    db.close();
    throw new Error(`${options.dbPath} has no users yet: run \`npm run cli -- --db ${options.dbPath} init-db --admin-password …\` or \`npm run demo\`.`);
  }
  ensureRendererBuilt(options.log);
  const dbFile = path.resolve(options.dbPath);
  const secrets = await createNodeSealer({ keyDir: path.dirname(dbFile), id: dbFile });
  if (secrets.warning) options.log(`Warning: ${secrets.warning}`);
  // The browser host cannot open the system browser for the user: the renderer opens the
  // consent URL in a new tab itself, so this is a no-op.
  const core = new Core({ db, services: { secrets, openExternal: () => Promise.resolve() } });
  let google: DemoGoogle | null = null;
  if (options.demo) {
    const dataDir = path.join(path.dirname(path.resolve(options.dbPath)), 'google-emulator');
    google = await startDemoGoogle({ core, dataDir, log: options.log });
  }
  const host = await startHost({ core, staticDir: RENDERER_DIR, port: options.port, demo: options.demo });
  const automatic = core.startAutomaticSync();
  options.log(`CRM Companion is served at ${host.url}`);
  options.log(`Open this link (it carries a one-time launch token): ${host.launchUrl}`);
  if (options.demo) options.log('Demo users: ADM and the colleagues listed by `npm run cli -- users`; every password is "demo".');
  if (options.open && openBrowser(host.launchUrl)) options.log('Opened in your browser.');
  return {
    host,
    close: async () => {
      automatic.stop();
      await host.close();
      await google?.close();
      db.close();
    },
  };
}

export function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${value}" is not a port number (0–65535).`);
  return port;
}

/**
 * The Electron main process: window plumbing only. Everything else is the core, which runs (and
 * is tested) in plain Node. Security checklist: contextIsolation, sandbox, no nodeIntegration,
 * a strict CSP served with every page, no remote content or navigation, every permission
 * refused, and one IPC handler per contract channel that checks the sending frame (./ipc.ts).
 */
import { app, BrowserWindow, ipcMain, net, protocol, session, shell } from 'electron';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Core } from '../core/app';
import { openDatabase } from '../core/db/database';
import { initDemo, userCount } from '../core/setup/init';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp';
import { APP_ORIGIN, registerIpc } from './ipc';
import { createElectronSealer } from './secrets';
import { externalLinkToOpen, isAllowedNavigation, webPreferences } from './security';

const SCHEME = 'app';
const ORIGIN = APP_ORIGIN;
const RENDERER_DIR = path.join(__dirname, '..', 'renderer');

protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

async function openCore(): Promise<Core> {
  const dir = app.getPath('userData');
  mkdirSync(dir, { recursive: true });
  const db = openDatabase(path.join(dir, 'crm.sqlite'));
  // A fresh install opens on the demo company so the app shows something real at once.
  if (userCount(db) === 0) initDemo(db);
  const secrets = await createElectronSealer();
  return new Core({ db, services: { secrets, openExternal: (url) => shell.openExternal(url) } });
}

function serveRenderer(): void {
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = path.resolve(RENDERER_DIR, `.${decodeURIComponent(url.pathname)}`);
    const target = file.startsWith(RENDERER_DIR + path.sep) && existsSync(file) ? file : path.join(RENDERER_DIR, 'index.html');
    const response = await net.fetch(pathToFileURL(target).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

function lockDown(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      const external = externalLinkToOpen(url);
      if (external) void shell.openExternal(external);
      return { action: 'deny' };
    });
  });
}

function createWindow(windows: Set<BrowserWindow>): void {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    title: 'CRM Companion',
    show: false,
    webPreferences: webPreferences(path.join(__dirname, 'preload.cjs')),
  });
  windows.add(win);
  win.on('closed', () => windows.delete(win));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${ORIGIN}/index.html`);
}

// The core runs in this process: a larger young generation means fewer scavenges while agenda
// views build thousands of cards (see bench/store.ts; the browser host runs with the same flag).
app.commandLine.appendSwitch('js-flags', '--max-semi-space-size=64');
app.enableSandbox();
void app.whenReady().then(async () => {
  const core = await openCore();
  const windows = new Set<BrowserWindow>();
  lockDown();
  serveRenderer();
  registerIpc(ipcMain, core, () => windows);
  const automatic = core.startAutomaticSync();
  createWindow(windows);
  app.on('activate', () => {
    if (windows.size === 0) createWindow(windows);
  });
  app.on('before-quit', () => {
    automatic.stop();
    core.db.close();
  });
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

/**
 * The Electron transport without Electron: main's IPC registration and the preload's API,
 * joined by a fake IPC pipe (the one edge we cannot run here), over the real core.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelNames } from '../../shared/contract';
import { CrmError } from '../../shared/errors';
import { bridgeFromPreload, ipcChannel } from '../../shared/transport';
import { registerIpc } from '../../electron/main/ipc';
import { buildPreloadApi } from '../../electron/preload/api';
import { demoDb, roles, silentCore } from '../helpers';

type Handler = (event: unknown, input: unknown) => unknown;

function fakeElectron(frameUrl: string, parent: object | null = null) {
  const handlers = new Map<string, Handler>();
  const ipcMain = { handle: (channel: string, fn: Handler) => void handlers.set(channel, fn) };
  const rendererSide = new EventEmitter();
  const contents = Object.assign(new EventEmitter(), {
    id: 7,
    send: (channel: string, payload: unknown) => rendererSide.emit(channel, {}, payload),
  });
  const frame = { url: frameUrl, parent };
  const ipcRenderer = {
    invoke: async (channel: string, input: unknown) => {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      // Structured clone, as Electron's IPC does.
      return structuredClone(await handler({ senderFrame: frame, sender: contents }, structuredClone(input)));
    },
    on: (channel: string, fn: (...args: unknown[]) => void) => rendererSide.on(channel, fn),
    removeListener: (channel: string, fn: (...args: unknown[]) => void) => rendererSide.removeListener(channel, fn),
  };
  return { handlers, ipcMain, ipcRenderer, contents, window: { webContents: contents } };
}

let env: ReturnType<typeof demoDb>;
beforeEach(() => {
  env = demoDb();
});
afterEach(() => env.cleanup());

describe('the Electron transport', () => {
  it('registers exactly one handler per contract channel, nothing generic', () => {
    const e = fakeElectron('app://renderer/index.html');
    registerIpc(e.ipcMain as never, silentCore(env.db), () => [e.window as never]);
    expect([...e.handlers.keys()].sort()).toEqual(channelNames.map(ipcChannel).sort());
  });

  it('carries the contract from window.crm to the core and back, errors included', async () => {
    const e = fakeElectron('app://renderer/index.html');
    registerIpc(e.ipcMain as never, silentCore(env.db), () => [e.window as never]);
    const crm = bridgeFromPreload(buildPreloadApi(e.ipcRenderer as never));
    await expect(crm['contacts.search']({})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const rep = roles(env.summary).reps[0]!;
    expect(await crm['session.login']({ login: rep, password: 'demo' })).toMatchObject({ login: rep });
    expect((await crm['contacts.search']({ limit: 2 })).items).toHaveLength(2);
    const bad = crm['actions.create']({ typeId: 1, title: '', period: { allDay: true, startDate: '2026-11-24', endDate: '2026-11-24' } });
    await expect(bad).rejects.toBeInstanceOf(CrmError);
    await expect(bad).rejects.toMatchObject({ code: 'BAD_INPUT', field: 'title' });
  });

  it('pushes events to logged-in windows only, and lets the renderer unsubscribe', async () => {
    const e = fakeElectron('app://renderer/index.html');
    registerIpc(e.ipcMain as never, silentCore(env.db), () => [e.window as never]);
    const crm = bridgeFromPreload(buildPreloadApi(e.ipcRenderer as never));
    const seen: unknown[] = [];
    const off = crm.on('onActionsChanged', (p) => seen.push(p));
    const rep = roles(env.summary).reps[0]!;
    const me = await crm['session.login']({ login: rep, password: 'demo' });
    await crm['actions.create']({ typeId: 1, title: 'Appel', period: { allDay: true, startDate: '2026-11-24', endDate: '2026-11-24' } });
    expect(seen).toEqual([{ ownerIds: [me.id] }]);
    off();
    await crm['actions.create']({ typeId: 1, title: 'Appel 2', period: { allDay: true, startDate: '2026-11-25', endDate: '2026-11-25' } });
    expect(seen).toHaveLength(1);
    expect(() => crm.on('onAnything' as never, () => undefined)).toThrowError('Unknown event "onAnything".');
  });

  it.each([
    ['a remote page', 'https://evil.example/', null],
    ['a file:// page', 'file:///tmp/x.html', null],
    ['a sub-frame of the app', 'app://renderer/index.html', {}],
  ])('refuses calls from %s', async (_label, url, parent) => {
    const e = fakeElectron(url, parent);
    registerIpc(e.ipcMain as never, silentCore(env.db), () => [e.window as never]);
    const reply = await e.ipcRenderer.invoke(ipcChannel('session.login'), { login: 'ADM', password: 'demo' });
    expect(reply).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Calls are accepted only from the app window.' } });
  });

  it('ends the session when the window goes away', async () => {
    const e = fakeElectron('app://renderer/index.html');
    registerIpc(e.ipcMain as never, silentCore(env.db), () => [e.window as never]);
    const crm = bridgeFromPreload(buildPreloadApi(e.ipcRenderer as never));
    await crm['session.login']({ login: 'ADM', password: 'demo' });
    e.contents.emit('destroyed');
    expect(await crm['session.current']({})).toBeNull();
  });
});

describe('the Electron security checklist', () => {
  it('isolates and sandboxes every window, without Node', async () => {
    const { webPreferences } = await import('../../electron/main/security');
    expect(webPreferences('/app/preload.cjs')).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, allowRunningInsecureContent: false });
  });

  it('never navigates away and opens only https links, outside the app', async () => {
    const { externalLinkToOpen, isAllowedNavigation } = await import('../../electron/main/security');
    expect(isAllowedNavigation('app://renderer/index.html#/agenda')).toBe(true);
    expect(isAllowedNavigation('https://accounts.google.com/')).toBe(false);
    expect(isAllowedNavigation('app://renderer.evil/')).toBe(false);
    expect(externalLinkToOpen('https://support.google.com/a')).toBe('https://support.google.com/a');
    expect(externalLinkToOpen('file:///etc/passwd')).toBeNull();
    expect(externalLinkToOpen('javascript:alert(1)')).toBeNull();
  });
});

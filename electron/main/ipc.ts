/**
 * The IPC side of the Electron transport: one `ipcMain.handle` per contract channel (an
 * allowlist, never a generic channel), each checking that the caller is our own top frame.
 * Electron objects are passed in (type-only imports), so this runs and is tested in plain Node.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { channelNames } from '../../shared/contract';
import { ipcChannel, ipcEvent } from '../../shared/transport';
import type { CallResult, Core } from '../core/app';

export const APP_ORIGIN = 'app://renderer';

/** Sender check (Electron security checklist, "validate the sender of all IPC messages"). */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && frame.url.startsWith(`${APP_ORIGIN}/`);
}

export interface IpcWindow {
  readonly webContents: Pick<WebContents, 'id' | 'send'>;
}

export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, core: Core, windows: () => Iterable<IpcWindow>): { dispose: () => void } {
  const connections = new Map<number, string>();
  const connectionOf = (contents: Pick<WebContents, 'id' | 'once'>) => {
    let id = connections.get(contents.id);
    if (id === undefined) {
      const fresh = core.newConnection();
      connections.set(contents.id, fresh);
      contents.once('destroyed', () => {
        core.closeConnection(fresh);
        connections.delete(contents.id);
      });
      id = fresh;
    }
    return id;
  };

  for (const name of channelNames) {
    ipcMain.handle(ipcChannel(name), async (event, input: unknown): Promise<CallResult> => {
      if (!isTrustedSender(event)) return { ok: false, error: { code: 'FORBIDDEN', message: 'Calls are accepted only from the app window.' } };
      return await core.call(connectionOf(event.sender), name, input);
    });
  }
  const unsubscribe = core.onEvent((event, payload) => {
    for (const win of windows()) {
      const id = connections.get(win.webContents.id);
      if (id !== undefined && core.sessionUser(id)) win.webContents.send(ipcEvent(event), payload);
    }
  });
  return { dispose: unsubscribe };
}

/**
 * Builds what the preload exposes as `window.crm`: one method per contract channel (each bound
 * to its own IPC channel) and `on(event, listener)` for the contract's events only. Takes
 * `ipcRenderer` as an argument (type-only import) so it is tested in plain Node.
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import { channelNames, isEventName, type EventName } from '../../shared/contract';
import { ipcChannel, ipcEvent, type PreloadApi } from '../../shared/transport';

export function buildPreloadApi(ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>): PreloadApi {
  const api: Record<string, unknown> = {};
  for (const name of channelNames) {
    const channel = ipcChannel(name);
    api[name] = (input: unknown) => ipc.invoke(channel, input ?? {});
  }
  api.on = (event: EventName, listener: (payload: unknown) => void) => {
    if (!isEventName(event)) throw new Error(`Unknown event "${String(event)}".`);
    if (typeof listener !== 'function') throw new Error('The listener must be a function.');
    const channel = ipcEvent(event);
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipc.on(channel, wrapped);
    return () => void ipc.removeListener(channel, wrapped);
  };
  return Object.freeze(api) as PreloadApi;
}

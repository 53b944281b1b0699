/**
 * The preload (sandboxed): exposes ONE object, `window.crm`, with one method per contract
 * channel and a subscription to the contract's events. Nothing else of Electron reaches the
 * renderer: no generic `invoke(channel)`, no ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channelNames, isEventName, type EventName } from '../../shared/contract';
import { ipcChannel, ipcEvent } from '../../shared/transport';

const api: Record<string, unknown> = {};
for (const name of channelNames) {
  const channel = ipcChannel(name);
  api[name] = (input: unknown) => ipcRenderer.invoke(channel, input ?? {});
}

api.on = (event: EventName, listener: (payload: unknown) => void) => {
  if (!isEventName(event)) throw new Error(`Unknown event "${String(event)}".`);
  if (typeof listener !== 'function') throw new Error('The listener must be a function.');
  const channel = ipcEvent(event);
  const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => ipcRenderer.removeListener(channel, wrapped);
};

contextBridge.exposeInMainWorld('crm', api);
